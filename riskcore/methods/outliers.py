"""Built-in outlier treatments, registered as the plugin ``riskcore.treat``.

A treatment takes one indicator, an array ``(countries, years)``, and returns the treated array
with a short report of what it did. The engine keeps the report in the results.

The JRC convention (``winsorise``): an indicator whose absolute skewness exceeds 2 *and* whose
kurtosis exceeds 3.5 is winsorised step by step from the side the skew points to, re-read at each
step: every value equal to the current highest is set to the next highest value (or every value
equal to the lowest to the next lowest), as COINr's ``winsorise`` does (``which(x == max(x))``),
so tied extremes move together. The check is repeated after each step. ``points`` counts the
values changed (a value moved twice counts once); a step is taken while fewer than
``max_points`` (default 5) values have changed, so a last step that moves a tie can take the
count past ``max_points``, as in COINr. If the indicator still fails, the winsorising is undone
and a log transform is used instead: ``ln(x - min + 1)`` for a positive skew, ``-ln(max - x + 1)``
for a negative one, both of which keep the order of the values.

Skewness and kurtosis are the bias-corrected sample statistics of spreadsheets (Excel's
``SKEW`` and ``KURT``; kurtosis is the excess over the normal distribution), which the JRC's
audits and the COIN tool use.

References
----------
OECD/JRC (2008), *Handbook on Constructing Composite Indicators*, section 1.5.
Becker, W. et al. (2017), "Weights and importance in composite indicators: closing the gap",
*Ecological Indicators* 80; JRC COIN tool documentation (treatment of outliers).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any, Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray
from pydantic import Field

from riskcore.hookspecs import hookimpl
from riskcore.methods.base import MethodBase, MethodParams, NamedMethod, json_number

__all__ = ["NoTreatment", "Treatment", "Winsorise", "kurtosis", "skewness"]

FloatArray = NDArray[np.float64]


def _standardised(x: FloatArray, least: int) -> tuple[int, FloatArray] | None:
    """Count and z-scores (sample sd) of the non-missing values; None when too few or flat."""
    v = np.asarray(x, dtype=np.float64)
    v = v[~np.isnan(v)]
    s = float(np.std(v, ddof=1)) if v.size >= least else 0.0
    if s == 0:
        return None
    return v.size, (v - v.mean()) / s


def skewness(x: FloatArray) -> float:
    """Bias-corrected sample skewness (Excel's ``SKEW``) of the non-missing values.

    ``n / ((n - 1)(n - 2)) * sum(((x - mean) / s) ** 3)`` with ``s`` the sample standard
    deviation; NaN for fewer than three values or no spread.
    """
    found = _standardised(x, 3)
    if found is None:
        return math.nan
    n, z = found
    return float(n / ((n - 1) * (n - 2)) * np.sum(z**3))


def kurtosis(x: FloatArray) -> float:
    """Bias-corrected sample excess kurtosis (Excel's ``KURT``) of the non-missing values.

    ``n(n + 1) / ((n - 1)(n - 2)(n - 3)) * sum(z ** 4) - 3 (n - 1)^2 / ((n - 2)(n - 3))``;
    NaN for fewer than four values or no spread.
    """
    found = _standardised(x, 4)
    if found is None:
        return math.nan
    n, z = found
    a = n * (n + 1) / ((n - 1) * (n - 2) * (n - 3)) * float(np.sum(z**4))
    return a - 3 * (n - 1) ** 2 / ((n - 2) * (n - 3))


@runtime_checkable
class Treatment(NamedMethod, Protocol):
    """An outlier treatment.

    Attributes
    ----------
    name : str
        The name an index file uses: ``outliers = "<name>"`` or ``{ method = "<name>", ... }``.
    description : str
    Params : type of MethodParams
    """

    def __call__(self, values: FloatArray, params: Any) -> tuple[FloatArray, dict[str, Any]]:
        """Return the treated ``values`` (countries, years) and a report (JSON-ready dict)."""
        ...


class NoTreatment(MethodBase):
    """Leave the values as they are (the default, and ``outliers = false``)."""

    name = "none"
    description = "no outlier treatment"

    def __call__(self, values: FloatArray, params: Any) -> tuple[FloatArray, dict[str, Any]]:
        return values, {"treated": False}


class WinsoriseParams(MethodParams):
    skew: float = Field(2.0, gt=0, description="absolute skewness above which to treat")
    kurtosis: float = Field(3.5, description="(excess) kurtosis above which to treat")
    max_points: int = Field(
        5,
        ge=0,
        description="winsorise while fewer values than this have changed, then log (a last "
        "step that moves tied values may pass it)",
    )
    per_year: bool = Field(
        False, description="check and treat each year apart (default: all years pooled)"
    )


def _fails(v: FloatArray, p: WinsoriseParams) -> tuple[bool, float, float]:
    sk, ku = skewness(v), kurtosis(v)
    return (abs(sk) > p.skew and ku > p.kurtosis), sk, ku


def _log(v: FloatArray, side: str) -> FloatArray:
    lo, hi = np.nanmin(v), np.nanmax(v)
    out: FloatArray = np.log(v - lo + 1.0) if side == "high" else -np.log(hi - v + 1.0)
    return out


def winsorise(v: FloatArray, p: WinsoriseParams) -> tuple[FloatArray, dict[str, Any]]:
    """Treat one flat vector of values (NaN allowed) by the JRC convention, ties as COINr."""
    fails, sk0, ku0 = _fails(v, p)
    report: dict[str, Any] = {
        "skew": json_number(sk0),
        "kurtosis": json_number(ku0),
        "treated": False,
    }
    if not fails:
        return v, report
    side = "high" if sk0 > 0 else "low"
    w = v.copy()
    ok = ~np.isnan(w)
    moved = np.zeros(w.shape, dtype=bool)
    sides: set[str] = set()
    sk = sk0
    while fails and int(moved.sum()) < p.max_points:
        high = sk >= 0  # the side is re-read at each step, as COINr does
        vals = w[ok]
        at = ok & (w == (vals.max() if high else vals.min()))
        rest = w[ok & ~at]
        w[at] = rest.max() if high else rest.min()
        moved |= at
        sides.add("high" if high else "low")
        fails, sk, ku = _fails(w, p)
    if not fails:
        report.update(
            treated=True, how="winsorised", side=sides.pop() if len(sides) == 1 else "both",
            points=int(moved.sum()), skew_after=json_number(sk), kurtosis_after=json_number(ku),
        )  # fmt: skip
        return w, report
    logged = _log(v, side)
    _, sk, ku = _fails(logged, p)
    report.update(
        treated=True,
        how="log",
        side=side,
        points=0,
        skew_after=json_number(sk),
        kurtosis_after=json_number(ku),
    )
    return logged, report


class Winsorise(MethodBase):
    """Winsorise while |skew| > 2 and kurtosis > 3.5, tied extremes together, else log (JRC)."""

    name = "winsorise"
    description = "JRC: winsorise up to max_points while |skew|>2 and kurtosis>3.5, then log"
    Params = WinsoriseParams

    def __call__(self, values: FloatArray, params: Any) -> tuple[FloatArray, dict[str, Any]]:
        if not params.per_year:
            flat, report = winsorise(values.ravel(), params)
            return flat.reshape(values.shape), report
        out = np.empty_like(values)
        years: list[dict[str, Any]] = []
        for t in range(values.shape[1]):
            out[:, t], rep = winsorise(values[:, t].copy(), params)
            years.append(rep)
        return out, {"treated": any(r["treated"] for r in years), "per_year": years}


BUILTIN_TREATMENTS: tuple[Treatment, ...] = (NoTreatment(), Winsorise())


@hookimpl
def riskcore_treatments() -> Iterable[Treatment]:
    """Provide the built-in outlier treatments."""
    return BUILTIN_TREATMENTS
