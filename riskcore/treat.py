"""Data treatment: from the panel to the leaf values the engine aggregates.

The steps, in the order of the JRC/OECD method, each reported in the results:

1. **compute** each leaf by its plugin indicator (or take the data variable);
2. **denominate**: divide by the leaf's ``denominator`` and multiply by its ``multiplier``;
3. **missing values**: a ``structural_zero`` leaf's missing value is 0 (where the country-year
   has data on another leaf); a ``not_applicable`` leaf's stays missing and is not counted;
4. **screen**: leave out every country-year whose share of applicable leaves with data is below
   the index's ``screen`` threshold (its values then feed no statistic);
5. **impute** missing values of ``unknown`` leaves with each leaf's imputation method, flagging
   every filled value; a method that gives a range (``group_range``, ``neighbour_range``,
   ``panel_spread``) also records its low and high end, which the intervals draw from (with
   ``screen_on = "imputed"`` steps 4 and 5 swap, as in COINr: every country-year is imputed,
   then the imputed data are screened);
6. **treat outliers** with each leaf's treatment (the JRC winsorising convention, or none).

Normalisation, weighting and aggregation follow in :func:`riskcore.engine.evaluate`.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from riskcore.data import Panel
from riskcore.derived import with_derived
from riskcore.errors import DataError, IndicatorError, SpecError
from riskcore.guard import real_array
from riskcore.methods.impute import ImputeContext
from riskcore.plan import Plan
from riskcore.plugins import PluginWarning

__all__ = ["Prepared", "compute_indicators", "prepare"]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


def compute_indicators(plan: Plan, panel: Panel) -> FloatArray:
    """Compute every leaf's raw values from the panel.

    Each plugin indicator is computed on its own, so a failure is reported with the indicator's
    code and plugin.

    Parameters
    ----------
    plan : Plan
    panel : Panel

    Returns
    -------
    ndarray, shape (n_leaves, n_countries, n_years)

    Raises
    ------
    DataError
        A variable a leaf needs is not in the data.
    IndicatorError
        An indicator raised, or returned an array of the wrong shape.
    """
    if any(d.name not in panel for d in plan.derived):
        panel = with_derived(plan.derived, panel, path=plan.path)[0]
    shape = (len(panel.countries), len(panel.years))
    out = np.empty((len(plan.leaves), *shape))
    for i, leaf in enumerate(plan.leaves):
        missing = [v for v in leaf.inputs if v not in panel]
        if missing:
            who = f"indicator '{leaf.code}'" + (f" (plugin '{leaf.plugin}')" if leaf.plugin else "")
            raise DataError(
                f"{who} needs variable(s) {', '.join(repr(m) for m in missing)}, which the data "
                f"do not have (variables present: {', '.join(panel.variables)})",
                path=panel.path,
            )
        if leaf.indicator is None:
            out[i] = panel[leaf.requires[0]]
            continue
        try:
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                values = leaf.indicator.compute(panel)
        except Exception as exc:
            raise IndicatorError(
                f"compute() raised {type(exc).__name__}: {exc}",
                code=leaf.code,
                plugin=leaf.plugin or "?",
            ) from exc
        out[i] = _indicator_values(leaf, values, panel, shape)
    return out


def _indicator_values(leaf: Any, values: Any, panel: Panel, shape: tuple[int, int]) -> FloatArray:
    """An indicator's result as floats of ``shape``: :class:`IndicatorError` for what cannot be
    used, a :class:`PluginWarning` naming the indicator for values that become missing
    (infinite, or NaN where every input is present) and for complex values."""
    plugin = leaf.plugin or "?"
    who = f"indicator '{leaf.code}' (plugin '{plugin}')"
    raw = np.asarray(values) if isinstance(values, np.ndarray) else values
    complex_ = np.iscomplexobj(raw)
    if complex_:
        z = np.asarray(raw)
        warnings.warn(
            f"{who} returned complex values; the real part is used where the imaginary part is "
            "0 and the others are missing",
            PluginWarning,
            stacklevel=4,
        )
        raw = np.where(z.imag == 0, z.real, np.nan)
    arr = real_array(raw)
    if isinstance(arr, str):
        raise IndicatorError(f"compute() returned {arr}", code=leaf.code, plugin=plugin)
    if arr.shape != shape:
        raise IndicatorError(
            f"compute() returned shape {arr.shape}, expected {shape} (countries x years)",
            code=leaf.code,
            plugin=plugin,
        )
    present = np.ones(shape, dtype=bool)
    for v in leaf.inputs:
        present &= ~np.isnan(panel[v])
    lost = ~np.isfinite(arr) & present
    if lost.any():
        where = [" ".join(panel.cell_labels(r, t)) for r, t in zip(*np.nonzero(lost), strict=True)]
        shown_ = ", ".join(where[:5]) + (f" and {len(where) - 5} more" if len(where) > 5 else "")
        warnings.warn(
            f"{who} returned {'infinite or ' if np.isinf(arr).any() else ''}NaN values where "
            f"its inputs are present ({shown_}); they are treated as missing",
            PluginWarning,
            stacklevel=4,
        )
    out: FloatArray = np.where(np.isfinite(arr), arr, np.nan)
    return out


@dataclass(frozen=True)
class Prepared:
    """The leaf values after data treatment, with the record of what was done.

    Attributes
    ----------
    raw : ndarray, shape (leaves, countries, years)
        Indicator values as computed (and denominated), before imputation and treatment.
    values : ndarray, shape (leaves, countries, years)
        After screening, imputation and outlier treatment: what the engine normalises.
    observed : ndarray of bool, shape (leaves, countries, years)
        Where ``raw`` has data.
    imputed : ndarray of bool, shape (leaves, countries, years)
        Where a value was filled by imputation.
    excluded : ndarray of bool, shape (countries, years)
        Country-years left out by screening.
    treatments : dict
        Leaf code to the report of its outlier treatment (only treated leaves).
    screening : list of dict
        One record per excluded country-year: country, year, share of leaves with data,
        threshold.
    not_applicable : ndarray of bool, shape (leaves, countries, years), optional
        Where a ``not_applicable`` leaf has no value (left out, its weight rescaled).
    structural : ndarray of bool, shape (leaves, countries, years), optional
        Where a ``structural_zero`` leaf's missing value was set to 0.
    impute_low, impute_high : ndarray, shape (leaves, countries, years), optional
        The range an imputation method gave each imputed value (NaN elsewhere, and for methods
        that give a single value).
    derived : dict of str to ndarray
        The values of the index's derived variables (``[variables]``), countries x years.
    """

    raw: FloatArray
    values: FloatArray
    observed: BoolArray
    imputed: BoolArray
    excluded: BoolArray
    treatments: dict[str, dict[str, Any]] = field(default_factory=dict)
    screening: list[dict[str, Any]] = field(default_factory=list)
    not_applicable: BoolArray | None = None
    structural: BoolArray | None = None
    impute_low: FloatArray | None = None
    impute_high: FloatArray | None = None
    derived: dict[str, FloatArray] = field(default_factory=dict)


def _denominate(plan: Plan, panel: Panel, raw: FloatArray) -> FloatArray:
    """Divide by the denominators and apply the multipliers; a result beyond the range of
    numbers is a :class:`SpecError` naming the key, the country and the year."""
    out: FloatArray = raw.copy()
    for i, leaf in enumerate(plan.leaves):
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            if leaf.denominator is not None:
                den = panel[leaf.denominator]
                out[i] = np.where(den != 0, raw[i] / den, np.nan)
                _in_range(plan, panel, leaf.code, raw[i], out[i], "denominator", den)
            if leaf.multiplier != 1.0:
                before = out[i].copy()
                out[i] = out[i] * leaf.multiplier
                _in_range(plan, panel, leaf.code, before, out[i], "multiplier", leaf.multiplier)
    return out


def _in_range(
    plan: Plan, panel: Panel, code: str, before: Any, after: Any, step: str, by: Any
) -> None:
    """:class:`SpecError` naming ``indicator.<code>.<step>`` where a finite value became
    infinite (a tiny denominator, a huge multiplier)."""
    overflow = np.isinf(after) & np.isfinite(before)
    if overflow.any():
        r, t = (int(a[0]) for a in np.nonzero(overflow))
        how = f"divided by {float(by[r, t]):g}" if step == "denominator" else f"times {by:g}"
        country, year = panel.cell_labels(r, t)
        raise SpecError(
            f"the value {float(before[r, t]):g} of '{code}' ({country}, {year}) {how} is beyond "
            "the range of numbers (about 1.8e308)",
            path=plan.path,
            key=f"indicator.{code}.{step}",
        )


def _screen(
    plan: Plan, panel: Panel, has_value: BoolArray, not_applicable: BoolArray
) -> tuple[BoolArray, list[dict[str, Any]]]:
    """Country-years whose share of applicable leaves with a value is below ``plan.screen``,
    with the reasons."""
    excluded = np.zeros(has_value.shape[1:], dtype=bool)
    screening: list[dict[str, Any]] = []
    n_leaves = len(plan.leaves)
    if plan.screen is None or not n_leaves:
        return excluded, screening
    applicable = np.maximum(n_leaves - not_applicable.sum(axis=0), 1)
    share = has_value.sum(axis=0) / applicable
    excluded = (share < plan.screen - 1e-12) & np.any(has_value, axis=0)
    what = "have data" if plan.screen_on == "observed" else "have a value after imputation"
    for c, t in zip(*np.nonzero(excluded), strict=True):
        screening.append(
            {
                "country": panel.countries[c],
                "year": panel.years[t],
                "share": float(share[c, t]),
                "threshold": plan.screen,
                "reason": f"{share[c, t]:.0%} of indicators {what}, below the screening "
                f"threshold of {plan.screen:.0%}",
            }
        )
    return excluded, screening


def _impute(plan: Plan, panel: Panel, raw: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Every ``unknown`` leaf's missing values filled by its imputation method (observed values
    kept), with the low and high ends of the methods that give a range (NaN elsewhere)."""
    values: FloatArray = raw.copy()
    low = np.full(raw.shape, np.nan)
    high = np.full(raw.shape, np.nan)
    for i, leaf in enumerate(plan.leaves):
        if leaf.imputer is None or leaf.impute_method == "none" or leaf.missing == "not_applicable":
            continue
        context = ImputeContext(panel.groups, indicators=raw, position=i)
        spread = getattr(leaf.imputer, "spread", None)
        try:
            if spread is not None:
                filled, low[i], high[i] = spread(raw[i], leaf.impute_params, context=context)
            else:
                filled = leaf.imputer(raw[i], leaf.impute_params, context=context)
        except (KeyError, ValueError) as exc:
            raise SpecError(
                str(exc.args[0] if exc.args else exc),
                path=plan.path,
                key=f"indicator.{leaf.code}.impute",
            ) from None
        values[i] = np.where(np.isnan(raw[i]), filled, raw[i])  # observed values never change
    return values, low, high


def prepare(
    plan: Plan, panel: Panel, *, adjust: Callable[[FloatArray], FloatArray] | None = None
) -> Prepared:
    """Compute, denominate, screen, impute and treat every leaf.

    Parameters
    ----------
    plan : Plan
    panel : Panel
    adjust : callable, optional
        ``adjust(raw) -> raw`` applied to the computed (and denominated) leaf values before
        screening: how scenarios shock indicators.

    Returns
    -------
    Prepared

    Raises
    ------
    DataError, IndicatorError
        From computing the indicators.
    SpecError
        An imputation or treatment that cannot run on these data (a group column that is not
        in the data, say), naming the key.
    """
    panel, derived = with_derived(plan.derived, panel, path=plan.path)
    raw = _denominate(plan, panel, compute_indicators(plan, panel))
    if adjust is not None:
        raw = np.asarray(adjust(raw), dtype=np.float64)
    policy = np.array([leaf.missing for leaf in plan.leaves], dtype=object)
    zero = (policy == "structural_zero")[:, None, None]
    # a structural zero where the country-year has data on another leaf: a real 0, observed
    others = np.any(~np.isnan(raw) & ~zero, axis=0)
    structural = zero & np.isnan(raw) & others
    raw = np.where(structural, 0.0, raw)
    not_applicable = (policy == "not_applicable")[:, None, None] & np.isnan(raw)
    observed = ~np.isnan(raw)
    if plan.screen_on == "imputed":  # COINr's order: every country imputed, then screened
        values, low, high = _impute(plan, panel, raw)
        excluded, screening = _screen(plan, panel, ~np.isnan(values), not_applicable)
    else:  # screened first: the country-years left out feed no imputation
        excluded, screening = _screen(plan, panel, observed, not_applicable)
        values, low, high = _impute(plan, panel, np.where(excluded, np.nan, raw))
    treatments: dict[str, dict[str, Any]] = {}
    for i, leaf in enumerate(plan.leaves):
        if leaf.treatment is not None and leaf.treat_method != "none":
            treated, report = leaf.treatment(values[i], leaf.treat_params)
            if report.get("treated"):
                treatments[leaf.code] = {"method": leaf.treat_method, **report}
            values[i] = treated
    values = np.where(excluded, np.nan, values)
    imputed = ~observed & ~np.isnan(values)
    low, high = np.where(imputed, low, np.nan), np.where(imputed, high, np.nan)
    return Prepared(
        raw, values, observed, imputed, excluded, treatments, screening,
        not_applicable=not_applicable, structural=structural, impute_low=low, impute_high=high,
        derived=derived,
    )  # fmt: skip
