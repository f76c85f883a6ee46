"""The runs of an analysis, chunk by chunk: evaluated in the design's order on any backend, and
summed as they arrive, so that memory does not grow with the number of runs.

A chunk holds the same base rows of every block of the design (``A`` alone for an uncertainty
analysis; ``A``, ``B`` and every ``AB_i`` of Saltelli's design for a sensitivity analysis), so
that the Sobol' estimators of the chunk's rows can be summed at once
(:class:`~riskcore.sensitivity.SobolSums`) and the outputs forgotten. What an analysis keeps:

- for intervals (an uncertainty analysis), the score and rank of every ``A`` run and country,
  the ranks as 4-byte floats (exact: ranks are whole numbers with NaN for no rank);
- for the Sobol' summary, one number per run (the mean absolute rank shift);
- for the per-country Sobol' indices, sums of a fixed size and the bootstrap resamples as
  counts of one byte per resample and base row.

Each run depends only on its row of the design, so the numbers are the same whatever the chunk
size, the backend and the number of workers: chunks are summed in the design's order, in
blocks of :data:`~riskcore.sensitivity.BLOCK` base rows whatever the chunk size.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from riskcore.sensitivity import SobolSums, bootstrap_counts

__all__ = ["Collected", "collect", "each_chunk"]

FloatArray = NDArray[np.float64]
Model = Callable[[FloatArray], tuple[FloatArray, FloatArray]]
Progress = Callable[[int, int], None]


#: Leaf values evaluated at once by default (4 MiB per array of them): the runs of a chunk
#: then stay within the processor's caches and their temporaries are reused instead of paged
#: in afresh.
CHUNK_VALUES = 2**19

#: Leaf values per node of the tree at the least: each chunk costs some Python work per node,
#: which a chunk of a large tree must outweigh.
NODE_VALUES = 2**16


def default_chunk(runs: int, per_run: int, tasks: int = 1, nodes: int = 1) -> int:
    """Runs per chunk by default: equal chunks of at most about ``max(CHUNK_VALUES, nodes x
    NODE_VALUES)`` leaf values each, and at least ``tasks`` chunks (as many as there are runs
    at most). Measured fastest on the cases of ``benchmarks/`` (intervals of a small index and
    of a 200-country panel, the WGI data noise, the ASEM Sobol' analysis, 20,000 countries or
    500 indicators); the numbers do not depend on it.

    Parameters
    ----------
    runs : int
        Runs in all.
    per_run : int
        Leaf values one run evaluates (leaves x countries x years).
    tasks : int
        The fewest chunks (a Dask cluster's threads, twice).
    nodes : int
        The nodes of the tree.

    Returns
    -------
    int
    """
    budget = max(CHUNK_VALUES, nodes * NODE_VALUES)
    n_chunks = max(1, tasks, -(-runs * max(1, per_run) // budget))
    chunk = max(1, -(-runs // n_chunks))
    if -(-runs // chunk) < min(tasks, runs):  # few runs: equal chunks would be too few
        chunk = max(1, runs // tasks)
    return chunk


#: Runs per Dask task by default, where the runs allow two tasks per thread (measured:
#: ``benchmarks/bench_dask.py``).
DASK_RUNS = 2048


def chunk_of(
    chunk: int | None, runs: int, per_run: int, backend: str, client: Any, nodes: int = 1
) -> int:
    """``chunk`` when given, else :func:`default_chunk`; on the Dask backend, tasks of
    :data:`DASK_RUNS` runs or more, and at least two per thread of the cluster (so that every
    worker has work)."""
    if chunk is not None:
        return chunk
    local = default_chunk(runs, per_run, 1, nodes)
    if backend != "dask":
        return local
    from riskcore.distributed import threads

    # tasks of at least DASK_RUNS runs where there are enough (a task's overhead is a few
    # milliseconds), and at least two per thread
    spread = max(1, -(-runs // (2 * threads(client))))
    return min(max(local, DASK_RUNS), spread)


def each_chunk(
    model: Model,
    x: FloatArray,
    blocks: int,
    *,
    chunk: int,
    backend: str = "local",
    client: Any = None,
    progress: Progress | None = None,
) -> Iterator[tuple[int, FloatArray, FloatArray]]:
    """Evaluate a design chunk by chunk, in its order.

    Parameters
    ----------
    model : callable
        ``model(rows)`` gives scores and ranks of shape (runs, countries).
    x : ndarray, shape (blocks * n, columns)
        The design: ``blocks`` blocks of ``n`` rows each.
    blocks : int
    chunk : int
        Runs per chunk (at least one base row of every block; callers size it with
        :func:`chunk_of`).
    backend : {"local", "dask"}
        ``dask`` evaluates the chunks on a ``dask.distributed`` cluster (``client``).
    client : dask.distributed.Client, optional
    progress : callable, optional
        ``progress(done, total)`` after each chunk, in runs.

    Yields
    ------
    start : int
        The chunk's first base row.
    scores, ranks : ndarray, shape (blocks, rows, countries)
    """
    n = x.shape[0] // blocks
    rows = max(1, int(chunk) // blocks)
    starts = list(range(0, n, rows))

    def part(s: int) -> FloatArray:
        take = (np.arange(blocks)[:, np.newaxis] * n + np.arange(s, min(s + rows, n))).ravel()
        out: FloatArray = x[take]
        return out

    if backend == "dask":
        from riskcore.distributed import map_chunks

        results: Iterator[tuple[FloatArray, FloatArray]] = map_chunks(
            model, [part(s) for s in starts], client=client
        )
    elif backend == "local":
        results = (model(part(s)) for s in starts)
    else:
        raise ValueError(f"backend must be 'local' or 'dask', got {backend!r}")
    for s in starts:  # not zip: its reused tuple would hold a chunk during the next one
        scores, ranks = next(results)
        r = min(rows, n - s)
        yield s, scores.reshape(blocks, r, -1), ranks.reshape(blocks, r, -1)
        del scores, ranks  # released before the next chunk is evaluated
        if progress is not None:
            progress(min(s + r, n) * blocks, n * blocks)


@dataclass
class Collected:
    """What an analysis keeps of its runs.

    Attributes
    ----------
    scores, ranks : ndarray, shape (n, countries), or None
        Of the ``A`` runs (ranks as float32, exact), when intervals are wanted.
    shift : ndarray, shape (blocks * n,), or None
        Each run's mean absolute rank shift against the nominal ranks, when a Sobol' summary is.
    per_country : SobolSums or None
        The per-country Sobol' sums of the scores.
    """

    scores: FloatArray | None = None
    ranks: NDArray[np.float32] | None = None
    shift: FloatArray | None = None
    per_country: SobolSums | None = None


def collect(
    chunks: Iterator[tuple[int, FloatArray, FloatArray]],
    n: int,
    blocks: int,
    countries: int,
    *,
    keep: bool,
    nominal_rank: FloatArray | None = None,
    country_bootstrap: int = 0,
    seed: int | None = 0,
) -> Collected:
    """Sum the chunks of :func:`each_chunk` into what the analysis needs.

    Parameters
    ----------
    chunks : iterator
        From :func:`each_chunk`.
    n, blocks, countries : int
        Base rows, blocks of the design, countries.
    keep : bool
        Keep the scores and ranks of the ``A`` runs.
    nominal_rank : ndarray, optional
        For a Sobol' analysis (``blocks = k + 2``): the nominal ranks the shift is taken from.
    country_bootstrap, seed : int
        Resamples (and their seed) of the per-country intervals.
    """
    out = Collected()
    if keep:
        out.scores = np.empty((n, countries))
        out.ranks = np.empty((n, countries), dtype=np.float32)
    ok = None
    if nominal_rank is not None:
        ok = ~np.isnan(nominal_rank)
        shift = np.empty((blocks, n))
        counts = bootstrap_counts(n, country_bootstrap, seed) if country_bootstrap > 0 else None
        out.per_country = SobolSums(n, blocks - 2, counts)
    for s, scores, ranks in chunks:
        r = scores.shape[1]
        if out.scores is not None and out.ranks is not None:
            out.scores[s : s + r] = scores[0]
            out.ranks[s : s + r] = ranks[0]
        if ok is not None and out.per_country is not None and nominal_rank is not None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # a run ranking nobody
                shift[:, s : s + r] = np.nanmean(np.abs(ranks[..., ok] - nominal_rank[ok]), axis=-1)
            out.per_country.add(scores)
        del scores, ranks  # released before the next chunk is evaluated
    if ok is not None:
        out.shift = shift.reshape(-1)
    return out
