"""Exact percentiles of many runs in bounded memory.

Keeping every run's score and rank costs memory in proportion to the number of runs. When that
is more than a user allows (:attr:`riskcore.intervals.IntervalOptions.keep_bytes`), the runs are
evaluated more than once instead, and only what the summaries need is kept:

1. a first pass counts each column's values and finds their least and greatest
   (:class:`Extent`; the caller sums its own counts, such as band hits, in the same pass);
2. each percentile needs two order statistics (numpy's default ``linear`` method interpolates
   between the values of rank ``floor(h)`` and ``floor(h) + 1``, ``h = (n - 1) q``). While the
   values that may still be one of them are too many to hold, a pass counts them in a
   histogram of equal bins between the least and greatest candidate, and keeps only the bin in
   which the order statistic lies (with the least and greatest value in it);
3. once they fit in :data:`COLLECT` values, a last pass gathers them, and sorting them gives
   the order statistics exactly.

The bin of a value is a monotone function of it, so a bin holds a contiguous run of the sorted
values and nothing is approximated: the result equals :func:`numpy.nanpercentile` of every run
(tested), whatever the order and size of the blocks. The price is time: each pass evaluates
every run again: three or four passes in all for a panel of a few hundred countries, more
for larger ones (each histogram pass has at most :data:`HISTOGRAM` cells to share).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["COLLECT", "Extent", "exact_percentiles", "lerp", "linear_points"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

#: Candidate values gathered in the last pass (4 MiB of them at most, besides their labels).
COLLECT = 2**19

#: Histogram cells of one pass (targets x bins), which bounds its counts, least and greatest.
HISTOGRAM = 2**20

#: A fresh pass over every run: blocks of shape (runs, columns), NaN where a run has no value.
Passes = Callable[[], Iterable[FloatArray]]


@dataclass
class Extent:
    """Per column: the number of values (NaN left out), the least and the greatest, summed
    over blocks of runs.

    Parameters
    ----------
    columns : int
    """

    columns: int
    count: IntArray = field(init=False)
    low: FloatArray = field(init=False)
    high: FloatArray = field(init=False)

    def __post_init__(self) -> None:
        self.count = np.zeros(self.columns, dtype=np.int64)
        self.low = np.full(self.columns, np.inf)
        self.high = np.full(self.columns, -np.inf)

    def add(self, block: FloatArray) -> None:
        """Count a block of runs, shape (runs, columns)."""
        self.count += (~np.isnan(block)).sum(axis=0)
        with np.errstate(invalid="ignore"):
            np.fmin(self.low, np.fmin.reduce(block, axis=0, initial=np.inf), out=self.low)
            np.fmax(self.high, np.fmax.reduce(block, axis=0, initial=-np.inf), out=self.high)

    def infinite(self) -> NDArray[np.intp]:
        """The columns with an infinite value (which exact percentiles cannot bracket)."""
        finite = np.isfinite(self.low) & np.isfinite(self.high)
        return np.flatnonzero(~finite & (self.count > 0))


def exact_percentiles(
    passes: Passes, q: Sequence[float], extent: Extent, *, collect: int | None = None
) -> FloatArray:
    """Percentiles of every column over all runs, as :func:`numpy.nanpercentile` gives them.

    Parameters
    ----------
    passes : callable
        Each call a fresh pass over the same runs, in blocks of shape (runs, columns) (the
        blocks' order and sizes may differ between passes). The values must be finite or NaN.
    q : sequence of float
        Percentiles, 0 to 100.
    extent : Extent
        The columns' counts, least and greatest values, from a first pass.
    collect : int, optional
        The most candidate values gathered at once (default :data:`COLLECT`).

    Returns
    -------
    ndarray, shape (len(q), columns)
        NaN for a column without values.
    """
    n = extent.count
    infinite = extent.infinite()
    if infinite.size:
        raise ValueError(
            f"percentiles of runs kept in summary need finite values or NaN; column "
            f"{int(infinite[0])} has an infinite one (a method or plugin gave inf)"
        )
    ranks_before, ranks_after, gamma = linear_points(n, q)
    columns = np.broadcast_to(np.arange(extent.columns), gamma.shape)
    scored = np.broadcast_to(n > 0, gamma.shape)
    pairs = np.unique(
        np.concatenate([
            np.stack([columns[scored], ranks_before[scored]], axis=1),
            np.stack([columns[scored], ranks_after[scored]], axis=1),
        ]),
        axis=0,
    )  # fmt: skip
    most = COLLECT if collect is None else collect
    value = _order_statistics(passes, extent, pairs[:, 0], pairs[:, 1], most)
    out = np.full(gamma.shape, np.nan)
    if len(pairs):
        width = int(n.max()) + 1
        key = pairs[:, 0] * width + pairs[:, 1]
        at_before = np.searchsorted(key, columns[scored] * width + ranks_before[scored])
        at_after = np.searchsorted(key, columns[scored] * width + ranks_after[scored])
        out[scored] = lerp(value[at_before], value[at_after], gamma[scored])
    return out


def linear_points(n: Any, q: Sequence[float]) -> tuple[IntArray, IntArray, FloatArray]:
    """Where numpy's default (``linear``) percentiles lie among ``n`` sorted values.

    Parameters
    ----------
    n : int or ndarray of int, shape (columns,)
        The number of values (of each column).
    q : sequence of float
        Percentiles, 0 to 100.

    Returns
    -------
    before, after : ndarray of int64, shape (len(q),) or (len(q), columns)
        The ranks (from 0) of the two order statistics each percentile interpolates between.
    gamma : ndarray of float64, the same shape
        The weight of ``after``, as numpy computes it (with :func:`lerp`, the same bits).
    """
    quantiles = np.true_divide(np.asarray(q, dtype=np.float64), 100)
    count = np.asarray(n, dtype=np.int64)
    virtual = np.multiply.outer(quantiles, count - 1)  # (len(q), *n's shape)
    previous = np.floor(virtual)
    last = virtual >= (count - 1)
    before = np.where(last, count - 1, previous).astype(np.int64)
    after = np.where(last, count - 1, previous + 1).astype(np.int64)
    gamma = virtual - np.where(last, -1, previous)  # as numpy's own (irrelevant when equal)
    return before, after, gamma


def lerp(a: FloatArray, b: FloatArray, t: Any) -> FloatArray:
    """numpy's interpolation between order statistics ``a`` and ``b`` with weight ``t`` of
    ``b`` (from ``b`` backwards when ``t >= 0.5``): the bits of :func:`numpy.percentile`."""
    diff = b - a
    out: FloatArray = a + diff * t
    np.subtract(b, diff * (1 - t), out=out, where=np.broadcast_to(t >= 0.5, out.shape))
    return out


def _order_statistics(
    passes: Passes, extent: Extent, column: IntArray, k: IntArray, collect: int
) -> FloatArray:
    """The value of rank ``k`` (from 0) among the values of each ``column``."""
    lo, hi = extent.low[column].copy(), extent.high[column].copy()
    below = np.zeros(len(column), dtype=np.int64)  # values of the column under lo
    inside = extent.count[column].copy()  # values in [lo, hi]
    while True:
        active = np.flatnonzero(lo < hi)
        if int(inside[active].sum()) <= collect:
            break
        bins = max(2, min(1024, HISTOGRAM // len(active)))
        counts, least, most = _histogram(passes, column[active], lo[active], hi[active], bins)
        before = np.cumsum(counts, axis=1) - counts  # values in the bins under each bin
        need = (k[active] - below[active])[:, np.newaxis]
        j = np.argmax((before <= need) & (need < before + counts), axis=1)
        rows = np.arange(len(active))
        if np.array_equal(counts[rows, j], inside[active]):
            raise RuntimeError(
                "percentiles: a histogram pass narrowed nothing (values not finite?)"
            )
        below[active] += before[rows, j]
        inside[active] = counts[rows, j]
        lo[active], hi[active] = least[rows, j], most[rows, j]
    value: FloatArray = lo.copy()
    active = np.flatnonzero(lo < hi)
    if len(active):
        target, found = _gather(passes, column[active], lo[active], hi[active])
        order = np.lexsort((found, target))
        found, target = found[order], target[order]
        start = np.searchsorted(target, np.arange(len(active)))
        value[active] = found[start + k[active] - below[active]]
    return value


def _candidates(
    block: FloatArray, column: IntArray, lo: FloatArray, hi: FloatArray
) -> tuple[IntArray, FloatArray]:
    """The targets and values of a block that lie in their targets' ranges."""
    values = block[:, column]
    with np.errstate(invalid="ignore"):
        inside = (values >= lo) & (values <= hi)
    rows, target = np.nonzero(inside)
    return target.astype(np.int64), values[rows, target]


def _histogram(
    passes: Passes, column: IntArray, lo: FloatArray, hi: FloatArray, bins: int
) -> tuple[IntArray, FloatArray, FloatArray]:
    """One pass: per target, the count, least and greatest value of each of ``bins`` equal
    bins over [lo, hi]."""
    counts = np.zeros(len(column) * bins, dtype=np.int64)
    least = np.full(len(column) * bins, np.inf)
    most = np.full(len(column) * bins, -np.inf)
    span = hi - lo
    for block in passes():
        target, v = _candidates(block, column, lo, hi)
        b = np.floor((v - lo[target]) / span[target] * bins)
        key = target * bins + np.clip(b, 0, bins - 1).astype(np.int64)
        counts += np.bincount(key, minlength=counts.size)
        np.minimum.at(least, key, v)
        np.maximum.at(most, key, v)
    shape = (len(column), bins)
    return counts.reshape(shape), least.reshape(shape), most.reshape(shape)


def _gather(
    passes: Passes, column: IntArray, lo: FloatArray, hi: FloatArray
) -> tuple[IntArray, FloatArray]:
    """One pass: every value in its target's range, with its target."""
    targets, values = [], []
    for block in passes():
        target, v = _candidates(block, column, lo, hi)
        targets.append(target)
        values.append(v)
    return np.concatenate(targets), np.concatenate(values)
