"""Scores outside their own interval, and why.

A nominal score may lie outside the interval of its Monte Carlo runs. The usual cause is honest:
an input's stated value sits at an end of its own range (a documented count that is a lower
bound: the value published is the low end of the range), so every run draws the input on one
side of the stated value, and the runs score the country on one side of its nominal score.
:func:`placements` finds, per country, whether the score lies below or above its interval (from
the numbers alone: ``score < score_low`` or ``score > score_high``) and, when it does, which
inputs of that country and year sit at an end of their range (the ``nominal_at_edge`` warnings
of :func:`riskcore.integrity.data_warnings`). :meth:`riskcore.Scores.intervals` carries the
result under ``"outside"``; the records give ``score_outside_interval`` and
``score_outside_note``, and the tables and the report mark such scores with :data:`MARK` and a
footnote (:func:`footnotes`).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from riskcore.result import Scores

__all__ = ["MARK", "Placement", "footnotes", "mark_of", "marked", "placements"]

MARK = "*"
"""The marker of a score outside its own interval, in the text tables and the report."""

#: Closer than this share of the index's scale counts as inside (the runs' rounding).
_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Placement:
    """Where a nominal score lies against its own interval.

    Attributes
    ----------
    side : str or None
        ``"below"`` or ``"above"`` the interval; None inside it.
    level : float
        The interval's level (0.9: the central 90 % of the runs).
    ends : dict of str to str
        When outside: each input of the country and year whose stated value is an end of its
        own range, and which end (``"low"`` or ``"high"``); empty when none is.
    """

    side: str | None
    level: float
    ends: dict[str, str] = field(default_factory=dict)

    @property
    def outside(self) -> bool:
        """Whether the score lies outside its interval."""
        return self.side is not None

    def where(self) -> str | None:
        """``the score lies below its own 90% interval`` (or above); None inside it."""
        if self.side is None:
            return None
        return f"the score lies {self.side} its own {100 * self.level:g}% interval"

    def cause(self) -> str | None:
        """Why, when an input of the country and year sits at an end of its range (None
        otherwise): as published the score rests on such values, the runs draw within the
        ranges."""
        if self.side is None or not self.ends:
            return None
        which = set(self.ends.values())
        names = ", ".join(self.ends)
        if len(which) == 2:
            listed = ", ".join(f"{v} at its {end} end" for v, end in self.ends.items())
            return (
                f"as published it rests on values stated at an end of their ranges "
                f"({listed}); the interval draws within the ranges"
            )
        end = which.pop()
        a, bound, side = ("a", "lower", "above") if end == "low" else ("an", "upper", "below")
        if len(self.ends) == 1:
            stated = f"a value stated at the {end} end of its range ({a} {bound} bound: {names})"
        else:
            stated = f"values stated at the {end} end of their ranges ({bound} bounds: {names})"
        return (
            f"as published it rests on {stated}; the interval draws within the ranges, "
            f"{side} the stated values"
        )

    def note(self) -> str | None:
        """The record's ``score_outside_note``: :meth:`where`, then :meth:`cause` when known;
        None inside the interval."""
        where, cause = self.where(), self.cause()
        return where if where is None or cause is None else f"{where}: {cause}"

    def footnote(self) -> str | None:
        """The same as sentences, for a table's footnote; None inside the interval."""
        where, cause = self.where(), self.cause()
        if where is None:
            return None
        return f"{where}." if cause is None else f"{where}. {cause[0].upper()}{cause[1:]}."


def placements(scores: Scores, year: int, found: dict[str, Any]) -> list[Placement | None]:
    """Each country's :class:`Placement` against its interval in ``year``.

    Parameters
    ----------
    scores : Scores
    year : int
    found : dict
        The year's intervals (:meth:`riskcore.Scores.intervals`: ``score_low``,
        ``score_high``, ``level``).

    Returns
    -------
    list of Placement or None
        Per country (in ``scores.countries`` order); None where the score or its interval is
        missing (no score, or runs whose scores are not on one scale).
    """
    t = scores.year_index(year)
    lo, hi = scores.plan.scale
    tol = _TOLERANCE * abs(hi - lo)
    out: list[Placement | None] = []
    for r in range(len(scores.countries)):
        score = float(scores.score[r, t])
        low, high = float(found["score_low"][r]), float(found["score_high"][r])
        if math.isnan(score) or math.isnan(low) or math.isnan(high):
            out.append(None)
            continue
        side = "below" if score < low - tol else "above" if score > high + tol else None
        out.append(Placement(side, float(found["level"])))
    if any(p is not None and p.outside for p in out):
        ends = _edge_inputs(scores, scores.years[t])
        out = [
            Placement(p.side, p.level, ends.get(scores.countries[r], {}))
            if p is not None and p.outside
            else p
            for r, p in enumerate(out)
        ]
    return out


def _edge_inputs(scores: Scores, year: int) -> dict[str, dict[str, str]]:
    """Country to {variable: end} of the inputs whose stated value is an end of its range in
    ``year`` (the ``nominal_at_edge`` warnings)."""
    from riskcore.integrity import data_warnings

    panel, est = scores.panel, scores.panel.estimates
    out: dict[str, dict[str, str]] = {}
    if est is None:
        return out
    t = panel.years.index(year)
    for w in data_warnings(scores):
        if w.kind != "nominal_at_edge" or w.year != year or w.variable is None or not w.country:
            continue
        i, c = panel.variables.index(w.variable), panel.countries.index(w.country)
        end = "low" if panel.values[i][c, t] == est.low[i][c, t] else "high"
        out.setdefault(w.country, {})[w.variable] = end
    return out


def footnotes(
    scores: Scores,
    year: int,
    found: dict[str, Any] | None,
    *,
    label: str = "",
    rows: Collection[int] | None = None,
) -> list[str]:
    """The footnotes of a table of ``year``: one line per distinct note, starting with
    :data:`MARK` and the countries it concerns, ranked.

    Parameters
    ----------
    scores : Scores
    year : int
    found : dict or None
        The year's intervals (None: no footnote).
    label : str
        Before the countries (a table of several years: ``"2023 "``).
    rows : collection of int, optional
        The countries (positions) the table shows (default: every country).

    Returns
    -------
    list of str
    """
    if found is None:
        return []
    groups: dict[str, list[str]] = {}
    for r in scores.ranked(year):
        if rows is not None and r not in rows:
            continue
        place = found["outside"][r]
        text = place.footnote() if place is not None else None
        if text:
            groups.setdefault(text, []).append(scores.countries[r])
    return [f"{MARK} {label}{', '.join(where)}: {text}" for text, where in groups.items()]


def mark_of(found: dict[str, Any] | None, r: int) -> str:
    """:data:`MARK` for country ``r`` when its score lies outside its own interval, else
    ``""`` (also without intervals: ``found`` None)."""
    place = found["outside"][r] if found is not None else None
    return MARK if place is not None and place.outside else ""


def marked(found: dict[str, Any] | None, rows: Sequence[int]) -> bool:
    """Whether any of ``rows`` (country positions) is outside its interval: the tables give
    the score column room for :data:`MARK` only then."""
    return any(mark_of(found, r) for r in rows)
