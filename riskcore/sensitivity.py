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
factor), vectorised.

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

__all__ = ["SobolResult", "saltelli_design", "sobol_estimates", "sobol_indices"]

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
        raise ImportError("Sobol' sampling needs scipy: pip install 'riskcore[scipy]'") from None
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
    blocks = y.reshape(k + 2, n, *y.shape[1:])
    fa, fb, fab = blocks[0], blocks[1], blocks[2:]

    def estimate(idx: Any) -> tuple[FloatArray, FloatArray, FloatArray]:
        a, b, ab = fa[idx], fb[idx], fab[:, idx]
        var = np.var(np.concatenate([a, b], axis=0), axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            s1 = np.mean(b * (ab - a), axis=1) / var
            st = 0.5 * np.mean((a - ab) ** 2, axis=1) / var
        return s1, st, var

    first, total, var = estimate(slice(None))
    shape = (2, *first.shape)
    first_ci, total_ci = np.full(shape, np.nan), np.full(shape, np.nan)
    if bootstrap > 0:
        rng = np.random.default_rng(seed)
        draws_1, draws_t = [], []
        for _ in range(bootstrap):
            s1, st, _ = estimate(rng.integers(0, n, n))
            draws_1.append(s1)
            draws_t.append(st)
        q = [(1 - confidence) / 2, 1 - (1 - confidence) / 2]
        first_ci = np.quantile(np.stack(draws_1), q, axis=0)
        total_ci = np.quantile(np.stack(draws_t), q, axis=0)
    labels = tuple(names) if names is not None else tuple(f"x{i + 1}" for i in range(k))
    return SobolResult(labels, first, total, first_ci, total_ci, var, confidence, n)


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
