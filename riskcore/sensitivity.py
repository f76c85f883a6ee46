"""Variance-based (Sobol') sensitivity analysis: sampling and estimators.

A plain function over any vectorised model: :func:`sobol_indices` takes a model that maps a
matrix of inputs in the unit hypercube, one row per run, to one output (or several) per run,
and returns first-order and total-order indices with bootstrap confidence intervals. riskcore's
uncertainty analysis (:mod:`riskcore.uncertainty`) uses it with the index as the model; tests
check it on the Ishigami and Sobol' G functions.

Design (Saltelli et al. 2010): two independent matrices ``A`` and ``B`` of ``N`` rows from a
scrambled Sobol' sequence (scipy), and for every factor ``i`` the matrix ``AB_i``: ``A`` with the
columns of factor ``i`` taken from ``B``. A factor may span several columns (a group of weights
varied together), which gives group indices. ``N (k + 2)`` model runs for ``k`` factors.

Estimators, with ``V`` the variance of ``f(A)`` and ``f(B)`` pooled:

- first order (Saltelli et al. 2010): ``S_i = mean(f(B) (f(AB_i) - f(A))) / V``;
- total order (Jansen 1999): ``ST_i = mean((f(A) - f(AB_i))^2) / (2 V)``.

Confidence intervals: percentile bootstrap over the ``N`` rows (the same resampled rows for every
factor). A resample is a vector of counts (how often it draws each row), so every resample's
estimators are one matrix product with the rows' terms; :class:`SobolSums` accumulates them as
the outputs arrive, block by block, so an analysis need not keep its outputs.

References
----------
Saltelli, A., Annoni, P., Azzini, I., Campolongo, F., Ratto, M. and Tarantola, S. (2010),
"Variance based sensitivity analysis of model output. Design and estimator for the total
sensitivity index", *Computer Physics Communications* 181(2), 259-270.
Jansen, M. J. W. (1999), "Analysis of variance designs for model output", *Computer Physics
Communications* 117, 35-43.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from riskcore.errors import ExtraError

__all__ = [
    "SobolResult",
    "SobolSums",
    "bootstrap_counts",
    "saltelli_design",
    "sobol_estimates",
    "sobol_indices",
]

FloatArray = NDArray[np.float64]


def _columns(dims: Sequence[int]) -> list[slice]:
    edges = np.concatenate([[0], np.cumsum(dims)]).astype(int)
    return [slice(int(a), int(b)) for a, b in itertools.pairwise(edges)]


def saltelli_design(dims: Sequence[int], n: int, seed: int | None = 0) -> FloatArray:
    """The Saltelli design: ``A``, ``B`` and every ``AB_i`` stacked, ``n (k + 2)`` rows.

    Parameters
    ----------
    dims : sequence of int
        Number of columns of each factor (1 for a scalar factor).
    n : int
        Base sample size ``N``. A power of two keeps the Sobol' sequence balanced; any other
        size takes the first ``N`` points (scipy then warns, and the estimates stay unbiased).
    seed : int, optional
        Seed of the scrambling; the same seed gives the same design.

    Returns
    -------
    ndarray, shape (n * (k + 2), sum(dims))
        Rows ``0..n-1`` are ``A``, then ``B``, then ``AB_1``, ..., ``AB_k``; values in [0, 1).
    """
    try:
        from scipy.stats import qmc
    except ImportError:  # pragma: no cover - exercised without scipy
        raise ExtraError("Sobol' sampling needs scipy: pip install 'riskcore[scipy]'") from None
    d = int(sum(dims))
    sampler = qmc.Sobol(d=2 * d, scramble=True, seed=seed)
    if n & (n - 1) == 0:
        base = sampler.random_base2(int(np.log2(n)))
    else:
        import warnings

        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "The balance properties", UserWarning)
            base = sampler.random(n)
    a, b = base[:, :d], base[:, d:]
    blocks = [a, b]
    for cols in _columns(dims):
        ab = a.copy()
        ab[:, cols] = b[:, cols]
        blocks.append(ab)
    return np.vstack(blocks)


@dataclass(frozen=True)
class SobolResult:
    """First- and total-order Sobol' indices with bootstrap confidence intervals.

    Attributes
    ----------
    names : tuple of str
        The factors.
    first, total : ndarray, shape (k,) or (k, m)
        Indices per factor (and per output, for a model with ``m`` outputs).
    first_ci, total_ci : ndarray, shape (2, k) or (2, k, m)
        Lower and upper bounds of the ``confidence`` interval.
    variance : float or ndarray
        Output variance.
    confidence : float
    n : int
        Base sample size.
    """

    names: tuple[str, ...]
    first: FloatArray
    total: FloatArray
    first_ci: FloatArray
    total_ci: FloatArray
    variance: Any
    confidence: float
    n: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, for a model with one output."""

        def num(x: Any) -> Any:
            return None if not np.isfinite(x) else float(x)

        return {
            "n": self.n,
            "confidence": self.confidence,
            "factors": [
                {
                    "name": name,
                    "first": num(self.first[i]),
                    "first_ci": [num(self.first_ci[0, i]), num(self.first_ci[1, i])],
                    "total": num(self.total[i]),
                    "total_ci": [num(self.total_ci[0, i]), num(self.total_ci[1, i])],
                }
                for i, name in enumerate(self.names)
            ],
        }


#: Base rows summed at a time: fixed, so that the sums (and so every digit of the indices) do not
#: depend on how the rows arrive (chunk size, workers).
BLOCK = 2048


def bootstrap_counts(n: int, resamples: int, seed: int | None = 0) -> NDArray[np.integer[Any]]:
    """How often each of ``n`` rows is drawn in each bootstrap resample.

    Row ``r`` of the result counts the draws of ``rng.integers(0, n, n)``, the ``r``-th call on
    ``numpy.random.default_rng(seed)``: the resamples of a percentile bootstrap with
    replacement, as counts, so that a resampled mean is a matrix product.

    Returns
    -------
    ndarray of unsigned int, shape (resamples, n)
        One byte per count unless a count needs more (one row in about ``10**300``).
    """
    rng = np.random.default_rng(seed)
    counts: NDArray[np.integer[Any]] = np.empty((resamples, n), dtype=np.uint8)
    for r in range(resamples):
        row = np.bincount(rng.integers(0, n, n), minlength=n)
        if row.max(initial=0) > np.iinfo(counts.dtype).max:  # rare: widen, keep the rows done
            counts = counts.astype(np.uint16 if row.max() <= 65535 else np.uint32)
        counts[r] = row
    return counts


class SobolSums:
    """Sobol' estimators accumulated over the rows of a design, a block of rows at a time.

    The estimators are means over the ``N`` base rows, so they can be summed as the model's
    outputs arrive and the outputs forgotten: memory does not grow with ``N``. The bootstrap
    resamples rows, so a resample's sums are the rows' terms weighted by how often the resample
    draws each row (:func:`bootstrap_counts`): one matrix product per block, no copies.

    Parameters
    ----------
    n : int
        Base sample size ``N``.
    n_factors : int
    counts : ndarray, shape (resamples, n), optional
        Bootstrap counts; none for no intervals.

    Notes
    -----
    Per output, with ``a``, ``b``, ``ab_i`` the outputs of one row of ``A``, ``B``, ``AB_i`` and
    ``K`` a fixed shift (the mean of ``a`` over the first block; variance does not depend on
    it, and it keeps the sums of squares accurate): the sums of ``a - K``, ``b - K``,
    ``(a - K)^2``, ``(b - K)^2``, ``b (ab_i - a)`` and ``(a - ab_i)^2``.
    """

    def __init__(
        self, n: int, n_factors: int, counts: NDArray[np.integer[Any]] | None = None
    ) -> None:
        self.n, self.k = n, n_factors
        self.counts = counts
        self._done = self._held = 0
        self._pending: list[FloatArray] = []
        self._shift: FloatArray | None = None
        self._sums: FloatArray | None = None  # (4 + 2k, *out)
        self._boot: FloatArray | None = None  # (resamples, 4 + 2k, *out)

    def add(self, blocks: FloatArray) -> None:
        """Add the outputs of the next base rows: shape ``(k + 2, rows, *out)``, blocks in the
        design's order (``A``, ``B``, ``AB_1``, ...), rows following the previous ones."""
        y = np.asarray(blocks, dtype=np.float64)
        if y.shape[0] != self.k + 2:
            raise ValueError(f"expected {self.k + 2} blocks of outputs, got {y.shape[0]}")
        if self._done + self._held + y.shape[1] > self.n:
            raise ValueError(f"more than the {self.n} rows of the design were added")
        self._pending.append(y)
        self._held += y.shape[1]
        last = self._done + self._held == self.n
        if self._held < BLOCK and not last:
            return
        y = np.concatenate(self._pending, axis=1) if len(self._pending) > 1 else y
        stop = y.shape[1] if last else (y.shape[1] // BLOCK) * BLOCK
        for s in range(0, stop, BLOCK):
            self._sum(y[:, s : min(s + BLOCK, stop)])
        self._pending = [y[:, stop:]] if stop < y.shape[1] else []
        self._held = y.shape[1] - stop

    def _sum(self, y: FloatArray) -> None:
        a, b, ab = y[0], y[1], y[2:]
        if self._shift is None:
            self._shift = np.mean(a, axis=0)
        da, db = a - self._shift, b - self._shift
        terms = np.stack([da, db, da * da, db * db, *(b * (ab - a)), *((a - ab) ** 2)], axis=1)
        rows = terms.shape[0]
        flat = terms.reshape(rows, -1)
        total = flat.sum(axis=0).reshape(terms.shape[1:])
        self._sums = total if self._sums is None else self._sums + total
        if self.counts is not None:
            weights = self.counts[:, self._done : self._done + rows].astype(np.float64)
            boot = (weights @ flat).reshape(len(weights), *terms.shape[1:])
            self._boot = boot if self._boot is None else self._boot + boot
        self._done += rows

    def result(self, names: Sequence[str] | None = None, confidence: float = 0.95) -> SobolResult:
        """The indices, with percentile bootstrap intervals when counts were given."""
        if self._sums is None or self._done != self.n:
            raise ValueError(f"{self._done + self._held} of the {self.n} rows were added")
        first, total, var = _indices(self._sums, self.k, self.n)
        shape = (2, *first.shape)
        first_ci, total_ci = np.full(shape, np.nan), np.full(shape, np.nan)
        if self._boot is not None:
            q = [(1 - confidence) / 2, 1 - (1 - confidence) / 2]
            boot_first, boot_total, _ = _indices(np.moveaxis(self._boot, 0, 1), self.k, self.n)
            first_ci = np.quantile(boot_first, q, axis=1)
            total_ci = np.quantile(boot_total, q, axis=1)
        k = self.k
        labels = tuple(names) if names is not None else tuple(f"x{i + 1}" for i in range(k))
        return SobolResult(labels, first, total, first_ci, total_ci, var, confidence, self.n)


def _indices(sums: FloatArray, k: int, n: int) -> tuple[FloatArray, FloatArray, FloatArray]:
    """First and total indices and the variance from :class:`SobolSums`' sums (terms first)."""
    mean = (sums[0] + sums[1]) / (2 * n)
    var = (sums[2] + sums[3]) / (2 * n) - mean * mean
    with np.errstate(invalid="ignore", divide="ignore"):
        first = sums[4 : 4 + k] / n / var
        total = 0.5 * (sums[4 + k : 4 + 2 * k] / n) / var
    return first, total, var


def sobol_estimates(
    outputs: FloatArray,
    n_factors: int,
    *,
    names: Sequence[str] | None = None,
    bootstrap: int = 500,
    confidence: float = 0.95,
    seed: int | None = 0,
) -> SobolResult:
    """Estimate Sobol' indices from model outputs on a :func:`saltelli_design`.

    Parameters
    ----------
    outputs : ndarray, shape (n * (k + 2),) or (n * (k + 2), m)
        Model outputs in the design's row order.
    n_factors : int
    names : sequence of str, optional
    bootstrap : int
        Bootstrap resamples for the confidence intervals (0: none, NaN bounds).
    confidence : float
    seed : int, optional
        Seed of the bootstrap.

    Returns
    -------
    SobolResult
    """
    y = np.asarray(outputs, dtype=np.float64)
    k = n_factors
    if y.shape[0] % (k + 2):
        raise ValueError(f"{y.shape[0]} outputs do not fit a design with {k} factors")
    n = y.shape[0] // (k + 2)
    counts = bootstrap_counts(n, bootstrap, seed) if bootstrap > 0 else None
    sums = SobolSums(n, k, counts)
    sums.add(y.reshape(k + 2, n, *y.shape[1:]))
    return sums.result(names, confidence)


def sobol_indices(
    model: Callable[[FloatArray], FloatArray],
    dims: Sequence[int] | int,
    n: int,
    *,
    names: Sequence[str] | None = None,
    seed: int | None = 0,
    bootstrap: int = 500,
    confidence: float = 0.95,
) -> SobolResult:
    """Sobol' indices of any vectorised model on the unit hypercube.

    Parameters
    ----------
    model : callable
        ``model(x)`` with ``x`` of shape ``(runs, sum(dims))`` in [0, 1) returns outputs of shape
        ``(runs,)`` or ``(runs, m)``. Map the unit interval onto your distributions inside it.
    dims : int or sequence of int
        The number of scalar factors, or the columns of each (grouped) factor.
    n : int
        Base sample size (``n (k + 2)`` runs).
    names, seed, bootstrap, confidence
        As for :func:`sobol_estimates`; ``seed`` also scrambles the design.

    Returns
    -------
    SobolResult

    Examples
    --------
    >>> import numpy as np
    >>> from riskcore.sensitivity import sobol_indices
    >>> res = sobol_indices(lambda x: x[:, 0] + 0.1 * x[:, 1], 2, 1024, bootstrap=0)
    >>> [round(float(s), 2) for s in res.first]
    [0.99, 0.01]
    """
    dim_list = [1] * dims if isinstance(dims, int) else list(dims)
    x = saltelli_design(dim_list, n, seed)
    y = np.asarray(model(x), dtype=np.float64)
    return sobol_estimates(
        y, len(dim_list), names=names, bootstrap=bootstrap, confidence=confidence, seed=seed
    )
