"""Integrity warnings: where a careful analyst would stop and look, named by variable, country
and year.

- ``source_change``: a variable's series for a country changes its source (editions of one
  source, differing only in their numbers, are one source); a trend over such years may
  measure the switch, not the country;
- ``nominal_at_edge``: a value stated as the likely one sits at an end of its own range;
- ``small_audit`` and ``structural_zero_pooled``: an audit on fewer than 10 observations, or
  one that pools years in which an indicator is a structural zero (:mod:`riskcore.audit`);
- ``clipped_shock``: a scenario shock pushes a value past its indicator's goalpost, where the
  normalisation clips it, so the shock counts less than its size
  (:func:`riskcore.analysis.run_scenario`).

The command line prints them as warnings; the JSON of ``score`` lists them under
``"warnings"``, the report in a section of its own.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from riskcore.result import Scores

__all__ = [
    "IntegrityWarning",
    "audit_warnings",
    "clipped_shocks",
    "data_warnings",
    "edition_free",
    "source_switches",
    "summary",
    "with_warnings",
]

SMALL_AUDIT = 10
"""An audit on fewer observations than this is warned about."""


@dataclass(frozen=True)
class IntegrityWarning:
    """One warning: what kind, where, and why it matters.

    Attributes
    ----------
    kind : str
        ``source_change``, ``nominal_at_edge``, ``small_audit``, ``structural_zero_pooled`` or
        ``clipped_shock``.
    variable, country : str or None
    year : int or None
    message : str
    """

    kind: str
    variable: str | None
    country: str | None
    year: int | None
    message: str

    def to_dict(self) -> dict[str, Any]:
        """JSON: kind, variable, country, year, message."""
        return {
            "kind": self.kind,
            "variable": self.variable,
            "country": self.country,
            "year": self.year,
            "message": self.message,
        }

    def __str__(self) -> str:
        return self.message


@functools.lru_cache(maxsize=4096)  # a panel repeats a few sources many times
def edition_free(source: str | None) -> str | None:
    """A source without its numbers: editions of one source (``Freedom in the World 2023``,
    ``... 2024``) and other line or page lists (``lines 18, 19``, ``lines 26``) are the same
    source; another publisher or series is a change."""
    return None if source is None else _NUMBERS.sub("#", source).strip()


_NUMBERS = re.compile(r"\d+(?:[\s,;.\-]+\d+)*")


def source_switches(scores: Scores) -> list[IntegrityWarning]:
    """Every change of source inside a variable's series for a country (variables the index
    reads), at the first year of the new source."""
    out = []
    last: dict[tuple[str, str], tuple[str | None, int]] = {}
    rows = sorted(scores.panel.observed(set(scores.plan.variables)), key=lambda r: r[:3])
    for var, c, y, _, source, _, _ in rows:
        key = (var, c)
        if key in last and edition_free(last[key][0]) != edition_free(source):
            before, since = last[key]
            out.append(
                IntegrityWarning(
                    "source_change",
                    var,
                    c,
                    y,
                    f"'{var}' of {c} changes source in {y}: '{before or 'none'}' up to {since}, "
                    f"'{source or 'none'}' from {y}; a change across these years may come from "
                    "the switch",
                )
            )
        last[key] = (source, y)
    return out


def _nominal_at_edge(scores: Scores) -> list[IntegrityWarning]:
    est, panel = scores.panel.estimates, scores.panel
    if est is None:
        return []
    out = []
    used = {v: i for i, v in enumerate(panel.variables) if v in set(scores.plan.variables)}
    for var, i in used.items():
        values, low, high = panel.values[i], est.low[i], est.high[i]
        with np.errstate(invalid="ignore"):
            edge = (~est.from_range[i]) & (high > low) & ((values == low) | (values == high))
        for c, t in zip(*np.nonzero(edge), strict=True):
            v = float(values[c, t])
            end = "low" if v == float(low[c, t]) else "high"
            out.append(
                IntegrityWarning(
                    "nominal_at_edge",
                    var,
                    panel.countries[c],
                    panel.years[t],
                    f"'{var}' of {panel.countries[c]} in {panel.years[t]}: the stated value {v:g} "
                    f"is the {end} end of its own range [{float(low[c, t]):g}, "
                    f"{float(high[c, t]):g}]; is the range one-sided?",
                )
            )
    return out


def data_warnings(scores: Scores) -> list[IntegrityWarning]:
    """The warnings the data of a score call for: source changes and nominal values at the edge
    of their range."""
    return [*source_switches(scores), *_nominal_at_edge(scores)]


def with_warnings(out: dict[str, Any], warnings: list[IntegrityWarning]) -> dict[str, Any]:
    """A JSON object with its ``"warnings"`` (each as :meth:`IntegrityWarning.to_dict`), when
    there are any (otherwise unchanged)."""
    return {**out, "warnings": [w.to_dict() for w in warnings]} if warnings else out


def summary(warnings: list[IntegrityWarning]) -> list[str]:
    """One line per kind and variable: the warning itself when it is alone, else how many
    country-years it concerns and which (``--format json`` has each in full)."""
    groups: dict[tuple[str, str | None], list[IntegrityWarning]] = {}
    for w in warnings:
        groups.setdefault((w.kind, w.variable), []).append(w)
    lines = []
    for (kind, variable), found in groups.items():
        if len(found) == 1:
            lines.append(found[0].message)
            continue
        where = ", ".join(f"{w.country} {w.year}" for w in found)
        lines.append(
            f"'{variable}' {_SUMMARY.get(kind, kind)} in {len(found)} country-years ({where}); "
            "--format json has each with its details"
        )
    return lines


_SUMMARY = {
    "source_change": "changes source",
    "nominal_at_edge": "has its stated value at an end of its own range",
}


def audit_warnings(
    scores: Scores, observations: int, *, pooled: bool, year: int | None = None
) -> list[IntegrityWarning]:
    """An audit's warnings: fewer than 10 observations (naming the year audited, ``year``; no
    variable or country, the whole audit is concerned), and, when it pools years, the
    structural zeros it pools, one warning per indicator naming the countries and years."""
    out = []
    if observations < SMALL_AUDIT:
        of = " of all years pooled" if pooled else "" if year is None else f" of {year}"
        out.append(
            IntegrityWarning(
                "small_audit",
                None,
                None,
                None if pooled else year,
                f"the audit{of} rests on {observations} observations (fewer than "
                f"{SMALL_AUDIT}): its correlations, alpha and components say little",
            )
        )
    structural = scores.prepared.structural
    if structural is None or not pooled:
        return out
    for i, leaf in enumerate(scores.plan.leaves):
        where = [
            (scores.countries[c], scores.years[t])
            for c, t in zip(*np.nonzero(structural[i]), strict=True)
        ]
        if where:
            c, y = where[0]
            listed = ", ".join(f"{c} {y}" for c, y in where[:6]) + (
                " ..." if len(where) > 6 else ""
            )
            out.append(
                IntegrityWarning(
                    "structural_zero_pooled",
                    leaf.code,
                    c,
                    y,
                    f"the audit pools years in which '{leaf.code}' is a structural zero "
                    f"({listed}): those zeros are definitions, not observations, and drive its "
                    "correlations",
                )
            )
    return out


def clipped_shocks(baseline: Scores, shocked: Scores) -> list[IntegrityWarning]:
    """Values a scenario moved past their indicator's goalpost, where normalisation clips them.

    A value is past a goalpost when the indicator's own normalisation, unclipped, takes it
    beyond 0 or 1 by more than a billionth of the goalposts' span (a shock that lands on the
    goalpost up to rounding is not clipped); goalposts given in transformed units count too.
    """
    out = []
    for i, leaf in enumerate(baseline.plan.leaves):
        params = leaf.normalize_params
        goalposts = getattr(params, "goalposts", None)  # in transformed units
        if not (callable(goalposts) and getattr(params, "clip", False)):
            continue
        before, after = baseline.values[i], shocked.values[i]
        with np.errstate(invalid="ignore"):
            free = leaf.normalizer(after, params.model_copy(update={"clip": False}), axis=(0, 1))
            moved = (after != before) & ~np.isnan(after)
            past = moved & ((free > 1 + _SPAN_TOLERANCE) | (free < -_SPAN_TOLERANCE))
        for c, t in zip(*np.nonzero(past), strict=True):
            v = float(after[c, t])
            side = "upper" if free[c, t] > 1 else "lower"
            raw = getattr(params, side, None)
            if raw is not None:
                bound = f"{raw:g}"
            else:
                lo, hi = goalposts()
                bound = f"{hi if side == 'upper' else lo:g} (in transformed units)"
            out.append(
                IntegrityWarning(
                    "clipped_shock",
                    leaf.code,
                    baseline.countries[c],
                    baseline.years[t],
                    f"the shock moves '{leaf.code}' of {baseline.countries[c]} in "
                    f"{baseline.years[t]} to {v:g}, past the {side} goalpost {bound}: "
                    "normalisation clips it there, so the shock counts less than its size",
                )
            )
    return out


_SPAN_TOLERANCE = 1e-9
"""How far past a goalpost, as a share of the goalposts' span, a value must be to be clipped."""
