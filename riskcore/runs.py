"""Runs: the scores of many variants of an index, as one more axis of :class:`~riskcore.Scores`.

An uncertainty analysis, the intervals of a score and a sensitivity analysis all evaluate the
index many times (:mod:`riskcore.variants`); :class:`Runs` holds what they produce for one
year, every run's score and rank per country, and summarises it: percentiles, intervals at a
level, the probability of each risk band. :meth:`riskcore.Scores.with_runs` attaches runs to the
nominal scores, whose exports (records, JSON, DataFrame) then carry the intervals beside the
nominal numbers.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np
from numpy.typing import NDArray

from riskcore.methods.base import json_int, json_number
from riskcore.streaming import lerp, linear_points

__all__ = ["Runs", "SummarisedRuns", "band_counts", "band_shares", "interval_fields"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Runs:
    """Every run's score and rank of one year.

    Attributes
    ----------
    year : int
    score, rank : ndarray, shape (runs, countries)
        NaN where a run gives a country no score (ranks may be kept as float32: whole numbers,
        exact; every summary is computed in float64).
    factors : tuple of str
        What varies between the runs (the uncertain factors' names).
    comparable : bool
        Whether the scores of different runs are on one scale (False when the normalisation
        varies: then only ranks are comparable, and score intervals are not shown in tables).
    one_by_one : str, optional
        Why the runs' data were treated run by run, which is slower
        (:attr:`riskcore.uncertainty.IndexModel.one_by_one`); None when treated together.
    """

    year: int
    score: FloatArray
    rank: NDArray[np.floating[Any]]
    factors: tuple[str, ...] = ()
    comparable: bool = True
    one_by_one: str | None = None
    # percentiles computed already, by output and percentiles (a summary's 5 % and 95 % points
    # are the 90 % interval's ends): each partition of the runs made once
    _percentiles: dict[tuple[str, tuple[float, ...]], FloatArray] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @property
    def n(self) -> int:
        """The number of runs."""
        return int(self.score.shape[0])

    @property
    def n_countries(self) -> int:
        """The number of countries."""
        return int(self.score.shape[1])

    def scored_runs(self) -> NDArray[np.int64]:
        """Per country, the number of runs that give it a score (the intervals and band
        probabilities rest on those)."""
        counts: NDArray[np.int64] = (~np.isnan(self.score)).sum(axis=0).astype(np.int64)
        return counts

    def rise(self, later: Runs, country: int) -> float | None:
        """The probability that the country's score is higher in ``later`` (the runs of another
        year, from the same draws): the share of runs, among those that score it in both years,
        in which it is higher there. None when no run scores it in both, or the runs differ."""
        if later.n != self.n or isinstance(later, SummarisedRuns):
            return None
        x, y = self.score[:, country], later.score[:, country]
        both = ~np.isnan(x) & ~np.isnan(y)
        if not both.any():
            return None
        return float(np.mean(y[both] > x[both]))

    def percentile(self, values: str, q: float | Sequence[float]) -> FloatArray:
        """Percentiles (0-100) of ``"score"`` or ``"rank"`` over the runs, per country; NaN
        for a country no run scores."""
        key = (values, tuple(float(p) for p in np.atleast_1d(q)))
        if key not in self._percentiles:
            data = self.score if values == "score" else self.rank
            found = _by_column(data, partial(np.percentile, q=q), partial(np.nanpercentile, q=q))
            self._percentiles[key] = found
        out: FloatArray = self._percentiles[key].copy()
        return out

    def summary(self, values: str) -> dict[str, FloatArray]:
        """Mean, median, 5th and 95th percentiles of ``"score"`` or ``"rank"`` per country."""
        data = self.score if values == "score" else self.rank
        p05, median, p95 = _by_column(data, _summary_points, _nan_summary_points)
        self._percentiles.setdefault((values, (5.0, 95.0)), np.stack([p05, p95]))
        return {
            "mean": _mean_by_column(data),
            "median": median,
            "p05": p05,
            "p95": p95,
        }

    def interval(self, level: float = 0.9) -> dict[str, FloatArray]:
        """The central interval holding ``level`` of the runs, per country.

        Parameters
        ----------
        level : float
            Between 0 and 1 (0.9: from the 5th to the 95th percentile).

        Returns
        -------
        dict
            ``score_low``, ``score_high``, ``rank_low``, ``rank_high`` (rank_low is the best,
            that is the smallest, rank).
        """
        if not 0.0 < level < 1.0:
            raise ValueError(f"the interval level must lie between 0 and 1, got {level}")
        q = [50.0 * (1.0 - level), 50.0 * (1.0 + level)]
        s_lo, s_hi = self.percentile("score", q)
        r_lo, r_hi = self.percentile("rank", q)
        return {"score_low": s_lo, "score_high": s_hi, "rank_low": r_lo, "rank_high": r_hi}

    def band_probabilities(self, bands: Sequence[tuple[str, float]]) -> dict[str, FloatArray]:
        """The share of runs in which each country's score falls in each band.

        Parameters
        ----------
        bands : sequence of (name, from)
            In ascending order of ``from`` (as :attr:`riskcore.Plan.bands`).

        Returns
        -------
        dict
            Band name to an array of probabilities per country; a country no run scores has
            NaN. Scores below the first band's start count in none.
        """
        hits, n_scored = band_counts(self.score, bands)
        return band_shares(hits, n_scored, bands)


def band_counts(
    score: FloatArray, bands: Sequence[tuple[str, float]]
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Per band and country, the runs whose score falls in the band, and per country the runs
    that score it (a score below the first band's start counts in none).

    Parameters
    ----------
    score : ndarray, shape (runs, countries)
    bands : sequence of (name, from)

    Returns
    -------
    (ndarray, ndarray)
        Shapes (bands, countries) and (countries,).
    """
    scored = ~np.isnan(score)
    starts = np.array([start for _, start in bands], dtype=np.float64)
    # the last band whose start is reached, as Scores.band_of decides one score
    which = np.searchsorted(starts - 1e-12, np.where(scored, score, -np.inf), "right") - 1
    hits = np.stack([((which == b) & scored).sum(axis=0) for b in range(len(bands))])
    return hits.astype(np.int64), scored.sum(axis=0).astype(np.int64)


def band_shares(
    hits: NDArray[np.int64], n_scored: NDArray[np.int64], bands: Sequence[tuple[str, float]]
) -> dict[str, FloatArray]:
    """Band name to the share of scoring runs in it, per country (NaN: no run scores it)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return {
            name: np.where(n_scored > 0, hits[b] / n_scored, np.nan)
            for b, (name, _) in enumerate(bands)
        }


@dataclass(frozen=True)
class SummarisedRuns(Runs):
    """The summaries of one year's runs, without the runs (:mod:`riskcore.streaming`): what
    the intervals need when keeping every run would take more memory than allowed
    (:attr:`riskcore.intervals.IntervalOptions.keep_bytes`). The same numbers as
    :class:`Runs` at the level and bands they were computed for; other levels, percentiles
    and summaries are refused (``score`` and ``rank`` have no rows).

    Attributes
    ----------
    runs : int
        The number of runs summarised.
    level : float
    bounds : dict
        ``score_low``, ``score_high``, ``rank_low``, ``rank_high``, per country.
    bands : tuple of (name, from)
    hits, scored : ndarray
        :func:`band_counts` over every run.
    rises : dict
        Another year to (the runs in which the score is higher that year, the runs that score
        the country in both), per country.
    """

    runs: int = 0
    level: float = 0.9
    bounds: dict[str, FloatArray] = field(default_factory=dict)
    bands: tuple[tuple[str, float], ...] = ()
    hits: NDArray[np.int64] = field(default_factory=lambda: np.zeros((0, 0), dtype=np.int64))
    scored: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    rises: dict[int, tuple[NDArray[np.int64], NDArray[np.int64]]] = field(default_factory=dict)

    @property
    def n(self) -> int:
        """The number of runs summarised."""
        return self.runs

    def _refuse(self, what: str) -> ValueError:
        return ValueError(
            f"{what}: the {self.runs} runs of {self.year} were summarised at level {self.level} "
            "to bound their memory; ask for this level in IntervalOptions, or raise "
            "IntervalOptions.keep_bytes to keep every run"
        )

    def percentile(self, values: str, q: float | Sequence[float]) -> FloatArray:
        """The percentiles of the summarised level's interval only (others are refused)."""
        ends = [50.0 * (1.0 - self.level), 50.0 * (1.0 + self.level)]
        wanted = [float(x) for x in np.atleast_1d(np.asarray(q, dtype=np.float64))]
        if values not in ("score", "rank") or not set(wanted) <= set(ends):
            raise self._refuse(f"percentiles {wanted} of {values}")
        got = [self.bounds[f"{values}_{'low' if x == ends[0] else 'high'}"] for x in wanted]
        return got[0] if np.ndim(q) == 0 else np.stack(got)

    def summary(self, values: str) -> dict[str, FloatArray]:
        """Refused: the runs were not kept."""
        raise self._refuse("a summary of the runs")

    def interval(self, level: float = 0.9) -> dict[str, FloatArray]:
        """The interval at the summarised level (others are refused)."""
        if float(level) != self.level:
            raise self._refuse(f"an interval at level {level}")
        return dict(self.bounds)

    def band_probabilities(self, bands: Sequence[tuple[str, float]]) -> dict[str, FloatArray]:
        """The band probabilities for the summarised bands (others are refused)."""
        if tuple((name, float(start)) for name, start in bands) != self.bands:
            raise self._refuse("probabilities of other bands")
        return band_shares(self.hits, self.scored, self.bands)

    def scored_runs(self) -> NDArray[np.int64]:
        """As :meth:`Runs.scored_runs`, counted over every run."""
        return self.scored

    def rise(self, later: Runs, country: int) -> float | None:
        """As :meth:`Runs.rise`, from the counts kept for ``later``'s year."""
        counts = self.rises.get(later.year)
        if counts is None or later.n != self.n:
            return None
        higher, both = counts
        return float(higher[country] / both[country]) if both[country] > 0 else None


#: Values (runs x countries) summarised at a time, at most 64 countries: a block then stays
#: within the processor's caches (the percentiles' partitions are then linear in the runs).
_BLOCK_VALUES = 2**19


def _by_column(
    data: Any, whole: Callable[..., Any], nan: Callable[..., Any] | None = None
) -> FloatArray:
    """A statistic of each column (country) over the runs, missing values left out.

    ``whole`` on the columns without a missing value, all at once, and ``nan`` on the others
    (numpy's nan-functions go column by column); without ``nan``, ``whole`` on every column.
    Both are called with ``axis=1`` on a block of columns turned into contiguous rows (at
    most :data:`_BLOCK_VALUES` values, in float64 whatever the stored type: ranks are kept as
    float32, exactly), so that partitions and reductions run along memory however many runs
    there are. The same numbers as ``nan`` on each column.
    """
    parts = []
    width = max(1, min(64, _BLOCK_VALUES // max(1, data.shape[0])))
    for lo in range(0, max(data.shape[1], 1), width):
        block = np.array(data[:, lo : lo + width].T, dtype=np.float64, order="C")
        if nan is None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # a country no run scores
                parts.append(np.asarray(whole(block, axis=1)))
            continue
        full = ~np.isnan(block).any(axis=1)
        first = np.asarray(whole(block[full], axis=1))
        part = np.full((*first.shape[:-1], block.shape[0]), np.nan)
        part[..., full] = first
        if not full.all():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # a country no run scores
                part[..., ~full] = nan(block[~full], axis=1)
        parts.append(part)
    out: FloatArray = np.concatenate(parts, axis=-1)
    return out


def _mean_by_column(data: Any) -> FloatArray:
    """The mean of each column over the runs, missing values left out, in float64: the bits
    of :func:`numpy.nanmean` down the columns (the same sums, row after row), without its
    copy of every run (the values present are added where they are)."""
    present = ~np.isnan(data)
    with np.errstate(invalid="ignore", divide="ignore"):  # a country no run scores: NaN
        total = np.add.reduce(data, axis=0, dtype=np.float64, where=present)
        out: FloatArray = total / present.sum(axis=0)
    return out


def _summary_points(block: FloatArray, axis: int = 1) -> FloatArray:
    """The 5th percentile, the median and the 95th percentile of each row of a block without
    missing values, from one partition: the bits of :func:`numpy.percentile` and
    :func:`numpy.median` (the mean of the middle one or two values, as numpy takes it), up to
    the sign of a zero (which of 0.0 and -0.0 a partition puts at a rank is not fixed)."""
    assert axis == 1
    n = block.shape[1]
    if n == 0:
        return np.full((3, block.shape[0]), np.nan)
    before, after, gamma = linear_points(n, [5, 95])
    mid = slice((n - 1) // 2, n // 2 + 1)
    part = np.partition(block, sorted({*before, *after, mid.start, mid.stop - 1}), axis=1)
    p05, p95 = lerp(part[:, before].T, part[:, after].T, gamma[:, np.newaxis])
    return np.stack([p05, np.mean(part[:, mid], axis=1), p95])


def _nan_summary_points(block: FloatArray, axis: int = 1) -> FloatArray:
    """As :func:`_summary_points`, missing values left out (numpy's nan-functions)."""
    p05, p95 = np.nanpercentile(block, [5, 95], axis=axis)
    return np.stack([p05, np.nanmedian(block, axis=axis), p95])


def interval_fields(found: dict[str, Any] | None, r: int, *, flat: bool = False) -> dict[str, Any]:
    """A record's interval keys for country ``r`` (nothing without runs), from
    :meth:`riskcore.Scores.intervals`: ``score_low``, ``score_high``,
    ``score_outside_interval`` (whether the score lies outside its own interval; None without
    a score or a score interval), ``score_outside_note`` (where and why,
    :meth:`riskcore.outside.Placement.note`; None inside), ``rank_low``, ``rank_high`` (whole:
    the interval's ends rounded outwards), ``interval_level``, ``band_probabilities`` (with
    bands) and ``reliability``. ``flat`` (for flat records): the band probabilities as
    ``p:<band>``, the grade as ``reliability`` and its components as
    ``reliability:<component>``."""
    if found is None:
        return {}
    out: dict[str, Any] = {key: json_number(found[key][r]) for key in ("score_low", "score_high")}
    place = found["outside"][r]
    out["score_outside_interval"] = None if place is None else place.outside
    out["score_outside_note"] = None if place is None else place.note()
    out["rank_low"] = json_int(np.floor(found["rank_low"][r]))
    out["rank_high"] = json_int(np.ceil(found["rank_high"][r]))
    out["interval_level"] = found["level"]
    if found["band_probabilities"]:
        out["band_probabilities"] = {
            name: json_number(p[r]) for name, p in found["band_probabilities"].items()
        }
    out["reliability"] = found["reliability"][r]
    if flat:
        for name, p in out.pop("band_probabilities", {}).items():
            out[f"p:{name}"] = p
        rel = out.pop("reliability") or {}
        out["reliability"] = rel.get("grade")
        out.update({f"reliability:{k}": v for k, v in rel.get("components", {}).items()})
    return out
