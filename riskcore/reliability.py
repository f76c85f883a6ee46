"""A reliability grade for every score, 0 to 10 (10 most reliable), from documented components.

In the spirit of INFORM's reliability index, each score gets a grade built from what an analyst
would check before defending it. The components of country ``c`` in year ``y``, each a weight
share of the index (leaf weights multiplied down the tree) or a count:

``coverage``
    share of the index's weight backed by values that are neither missing nor imputed: values
    riskcore imputed do not count, and neither do values the data themselves mark as imputed
    (kind ``imputed``, a figure the data's builder filled in). This is stricter than
    :attr:`riskcore.Scores.coverage`, which counts the data's own imputed values as data and
    alone decides ``min_coverage``;
``estimated_share``
    share resting on values that are estimates: inputs of kind ``estimate``, ``expert`` or
    ``imputed`` in the data or given only as a range, and values riskcore imputed;
``unranged_share``
    share resting on estimated or imputed values that carry no range, no standard error and no
    default uncertainty (they count as exact, though they are not);
``age_years``
    the mean age of the inputs behind the score, weighted like the leaves: 0 for a value of the
    year scored; for a value filled by imputation, the years since the country's last
    observation of that indicator (5 when it has none);
``source_changes``
    how many times the country's input series change their source between two years up to
    ``y`` (editions of one source, differing only in their numbers, are one source);
``interval_width``
    the width of the score's interval as a share of the index's scale; when the runs' scores
    are not on one scale (the normalisation varies, so that only ranks compare), the width of
    the rank interval as a share of the ranks' range (the countries scored, less one); None
    without intervals.

The grade::

    grade = 10 * max(0, 1 - 0.5 (1 - coverage) - 0.1 estimated_share - 0.1 unranged_share
                       - 0.1 min(age_years / 5, 1) - 0.05 min(source_changes / 2, 1)
                       - 0.15 min(interval_width / 0.5, 1))

rounded to one decimal; a country-year without a score has no grade; without intervals the
last term is left out.

The weights follow INFORM's reliability index, which penalises missing and imputed data most.
An input imputed, by riskcore or in the data, counts against both ``coverage`` (0.5) and
``estimated_share`` (0.1): when every leaf has a value, it costs per unit of weight six times
an estimate with a range (0.1 alone) and three times one without (0.1 + 0.1
``unranged_share``); a value missing and left out costs 0.5. The interval's width weighs less
(0.15): it counts again the ranges and standard errors the shares already see, and a doubt left
unstated narrows it. A source change (0.05) threatens the comparison of years more than the
level of one, and the trend and the integrity warnings name each change.

References
----------
Joint Research Centre (2017), *INFORM Global Risk Index: reliability index*, in INFORM
Concept and Methodology, version 2017 (the reliability index beside every score).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from riskcore.estimate_noise import input_noise
from riskcore.estimates import KINDS
from riskcore.integrity import source_switches

if TYPE_CHECKING:
    from riskcore.result import Scores

__all__ = ["WEIGHTS", "grade", "reliability"]

FloatArray = NDArray[np.float64]

WEIGHTS = {
    "coverage": 0.5,
    "estimated_share": 0.1,
    "unranged_share": 0.1,
    "age_years": 0.1,
    "source_changes": 0.05,
    "interval_width": 0.15,
}
"""The largest deduction of each component (they add up to 1)."""

_AGE_FULL, _CHANGES_FULL, _WIDTH_FULL, _NEVER = 5.0, 2.0, 0.5, 5.0


def grade(components: dict[str, float | None]) -> float:
    """The 0-10 grade of one score from its components (see the module's formula)."""
    deduction = WEIGHTS["coverage"] * (1.0 - float(components["coverage"] or 0.0))
    deduction += WEIGHTS["estimated_share"] * float(components["estimated_share"] or 0.0)
    deduction += WEIGHTS["unranged_share"] * float(components["unranged_share"] or 0.0)
    deduction += WEIGHTS["age_years"] * min(float(components["age_years"] or 0.0) / _AGE_FULL, 1)
    changes = float(components["source_changes"] or 0.0)
    deduction += WEIGHTS["source_changes"] * min(changes / _CHANGES_FULL, 1.0)
    width = components.get("interval_width")
    if width is not None:
        deduction += WEIGHTS["interval_width"] * min(float(width) / _WIDTH_FULL, 1.0)
    return round(10.0 * max(0.0, 1.0 - deduction), 1)


def _from_inputs(scores: Scores, marked: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """Per leaf value: whether one of the leaf's inputs is ``marked`` (variables, countries,
    years) where the leaf has a value from the data (not imputed by riskcore)."""
    panel = scores.panel
    out = np.zeros(scores.values.shape, bool)
    index = {v: i for i, v in enumerate(panel.variables)}
    for i, leaf in enumerate(scores.plan.leaves):
        rows = [index[v] for v in leaf.inputs if v in index]
        if rows:
            out[i] = np.any(marked[rows], axis=0) & scores.prepared.observed[i]
    return out


def _leaf_masks(
    scores: Scores,
) -> tuple[NDArray[np.bool_], NDArray[np.bool_], NDArray[np.bool_]]:
    """Per leaf value: whether an input is an estimate, whether one is imputed in the data, and
    whether the value is uncertain at all."""
    shape = scores.values.shape
    estimated = imputed = np.zeros(shape, bool)
    est = scores.panel.estimates
    if est is not None:
        estimated = _from_inputs(scores, (est.kind != KINDS.index("observed")) | est.from_range)
        imputed = _from_inputs(scores, est.is_kind("imputed"))
    noise = input_noise(scores.plan, scores.panel, scores.prepared)
    uncertain = noise.uncertain if noise is not None else np.zeros(shape, bool)
    return estimated, imputed, uncertain


def _ages(observed: NDArray[np.bool_], years: tuple[int, ...]) -> FloatArray:
    """Per leaf value: years since the country's last observation of the leaf (0 when observed
    that year; ``_NEVER`` when never observed up to then)."""
    y = np.asarray(years, dtype=np.float64)
    last = np.where(observed, y, -np.inf)
    last = np.maximum.accumulate(last, axis=-1)
    out: FloatArray = np.where(np.isfinite(last), y - last, _NEVER)
    return out


def _source_changes(scores: Scores) -> NDArray[np.int64]:
    """Per country and year: how many input series changed source in a year up to that one."""
    panel = scores.panel
    changes = np.zeros((len(panel.countries), len(panel.years)), np.int64)
    for switch in source_switches(scores):
        assert switch.country is not None and switch.year is not None
        changes[panel.countries.index(switch.country), panel.years.index(switch.year) :] += 1
    return changes


def reliability(
    scores: Scores, year: int | None = None, intervals: dict[str, Any] | None = None
) -> list[dict[str, Any] | None]:
    """The reliability of every country's score in one year, in :attr:`Scores.countries` order.

    Parameters
    ----------
    scores : Scores
    year : int, optional
        Default: the latest year in the data.
    intervals : dict, optional
        The year's intervals (:meth:`Scores.intervals`), for their width.

    Returns
    -------
    list of dict or None
        ``{"grade": 0..10, "components": {...}}`` per country (None without a score).
    """
    t = scores.year_index(year)
    weights = scores.plan.leaf_weights
    estimated, imputed_in_data, uncertain = _leaf_masks(scores)
    # Scores.coverage less the weight of the values the data mark as imputed
    coverage = scores.coverage[:, t] - scores.weight_share(imputed_in_data)[:, t]
    soft = (estimated | scores.imputed)[:, :, t]
    unranged = soft & ~uncertain[:, :, t]
    age = np.where(scores.prepared.observed, 0.0, _ages(scores.prepared.observed, scores.years))
    changes = _source_changes(scores)[:, t]
    found = intervals
    lo, hi = scores.plan.scale
    n_ranks = max(1, int(np.sum(~np.isnan(scores.score[:, t]))) - 1)
    out: list[dict[str, Any] | None] = []
    for r in range(len(scores.countries)):
        if math.isnan(scores.score[r, t]):
            out.append(None)
            continue
        width = None
        if found is not None and not math.isnan(found["score_high"][r]):
            width = float(found["score_high"][r] - found["score_low"][r]) / (hi - lo)
        elif found is not None and not math.isnan(found["rank_high"][r]):  # ranks alone compare
            width = float(found["rank_high"][r] - found["rank_low"][r]) / n_ranks
        has_value = ~np.isnan(scores.values[:, r, t])
        total = float(np.sum(weights[has_value])) or 1.0
        components: dict[str, float | None] = {
            "coverage": max(0.0, float(coverage[r])),
            "estimated_share": float(np.sum(weights[soft[:, r] & has_value]) / total),
            "unranged_share": float(np.sum(weights[unranged[:, r] & has_value]) / total),
            "age_years": float(np.sum(weights[has_value] * age[has_value, r, t]) / total),
            "source_changes": float(changes[r]),
            "interval_width": width,
        }
        out.append({"grade": grade(components), "components": components})
    return out
