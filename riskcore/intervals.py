"""Intervals by default: a Monte Carlo of every score through the batched engine.

Whenever the data or the index carry uncertainty (ranges, standard errors, default relative
uncertainties of unranged values, imputation ranges: :mod:`riskcore.estimate_noise`; an
``[uncertainty]`` table: :mod:`riskcore.assumptions`), :class:`~riskcore.result.Scores` gives
every country-year, besides its nominal score and rank, the central ``level`` interval of its
score and of its rank over ``draws`` runs, and the probability of each risk band. The runs are
the rows of a plain Monte Carlo design seeded by ``seed``; they go through
:class:`riskcore.uncertainty.IndexModel` in chunks of ``chunk`` runs, locally or on a Dask
cluster (``backend``: :func:`riskcore.chunks.each_chunk`, as the uncertainty analysis), so
nothing about scoring is written twice. The working memory is bounded by the chunk; what the
runs keep (:func:`riskcore.chunks.collect`) is one score (8 bytes) and one rank (4 bytes, exact)
per run, country and year. The numbers are the same whatever the chunk size, the backend and
the number of workers.

Keeping every run takes ``draws x countries x years x 12`` bytes. Beyond ``keep_bytes`` (256 MiB
by default) the runs are not kept: they are evaluated again in a few passes
(:mod:`riskcore.streaming`) that keep only what the intervals, band probabilities and
probabilities of a rise need (:class:`riskcore.runs.SummarisedRuns`), with the same numbers, so
that memory stays bounded whatever the number of draws, at the price of time.

The interval of a score is the ``(1 - level) / 2`` and ``(1 + level) / 2`` quantiles of its
runs; the interval of a rank those of the rank in each run (ties share the lowest rank, as
nominal ranks do). A band's probability is the share of runs, among those that give the
country a score, whose score falls in that band.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from riskcore.assumptions import DataNoise
from riskcore.chunks import chunk_of, collect, each_chunk
from riskcore.estimate_noise import InputNoise, input_noise
from riskcore.runs import Runs, SummarisedRuns, band_counts
from riskcore.streaming import Extent, exact_percentiles
from riskcore.uncertainty import IndexModel

if TYPE_CHECKING:
    from riskcore.result import Scores

__all__ = ["IntervalOptions", "defer_intervals", "interval_runs", "p_rise"]

FloatArray = NDArray[np.float64]

#: Bytes of runs kept by default (:attr:`IntervalOptions.keep_bytes`).
KEEP_BYTES = 2**28


@dataclass(frozen=True)
class IntervalOptions:
    """How the intervals are computed.

    Parameters
    ----------
    draws : int
        Monte Carlo runs (default 1,000: stable 5th and 95th percentiles).
    level : float
        Central probability of the intervals, in (0, 1) (default 0.9: 5th to 95th percentile).
    seed : int
        The same seed gives the same numbers, whatever ``chunk``, ``backend`` and the number of
        workers.
    chunk : int, optional
        Runs evaluated at once; bounds the memory of one evaluation (and is one Dask task).
        None (the default): sized to the index as for the analyses
        (:func:`riskcore.chunks.chunk_of`: equal chunks of about
        :data:`riskcore.chunks.CHUNK_VALUES` leaf values; on Dask, tasks of
        :data:`riskcore.chunks.DASK_RUNS` runs or more, at least two per thread).
    one_year : bool
        Intervals of one year alone, ``year`` (None: the latest), as ``score`` and ``demo``
        show them: cheaper than every year (the default; the DataFrame, ``trend`` and the
        report use every year).
    year : int, optional
    backend : {"local", "dask"}
        ``dask`` evaluates the chunks on a ``dask.distributed`` cluster
        (:mod:`riskcore.distributed`; ``pip install 'riskcore[dask]'``).
    client : dask.distributed.Client, optional
        The cluster's client, with ``backend="dask"`` only. None: Dask's default client (the
        latest one started in this process), which must exist when the runs are computed: on
        first use of :attr:`Scores.runs`, not when scoring (the client must still be open then).
    keep_bytes : int
        The most memory the kept runs may take (12 bytes per run, country and year; default
        :data:`KEEP_BYTES`, 256 MiB). Beyond it the runs are summarised in passes instead
        (:mod:`riskcore.streaming`): the same numbers in bounded memory, in three to four times
        the time, and only at ``level`` (:class:`riskcore.runs.SummarisedRuns`).
    """

    draws: int = 1000
    level: float = 0.9
    seed: int = 0
    chunk: int | None = None
    one_year: bool = False
    year: int | None = None
    backend: str = "local"
    client: Any = field(default=None, compare=False, repr=False)
    keep_bytes: int = KEEP_BYTES

    def __post_init__(self) -> None:
        if isinstance(self.draws, bool) or not isinstance(self.draws, int) or self.draws < 2:
            raise ValueError(f"draws must be an integer >= 2, got {self.draws!r}")
        if not 0.0 < float(self.level) < 1.0:
            raise ValueError(f"level must be between 0 and 1 (exclusive), got {self.level!r}")
        bad = isinstance(self.chunk, bool) or not isinstance(self.chunk, int) or self.chunk < 1
        if self.chunk is not None and bad:
            raise ValueError(f"chunk must be a positive integer, got {self.chunk!r}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int):
            raise ValueError(f"seed must be an integer, got {self.seed!r}")
        if self.backend not in ("local", "dask"):
            raise ValueError(f"backend must be 'local' or 'dask', got {self.backend!r}")
        if self.client is not None and self.backend != "dask":
            raise ValueError("a client is for backend='dask' only: give backend='dask' with it")
        small = not isinstance(self.keep_bytes, int) or self.keep_bytes < 0
        if isinstance(self.keep_bytes, bool) or small:
            raise ValueError(
                f"keep_bytes must be a whole number of bytes >= 0, got {self.keep_bytes!r}"
            )


def _assumptions_for(scores: Scores, noise: InputNoise | None, seed: int) -> Any:
    """The index's assumptions, with a data factor that seeds the input draws when needed, and
    ``seed`` in place of the file's (the intervals' seed decides every draw)."""
    from riskcore.assumptions import Assumptions

    assumptions = scores.plan.assumptions
    if noise is None and assumptions is None:
        return None
    if assumptions is None:
        assumptions = Assumptions()
    update: dict[str, Any] = {"seed": seed}
    if noise is not None and assumptions.data is None:
        update["data"] = DataNoise(name="data estimates")
    return assumptions.model_copy(update=update)


def interval_runs(scores: Scores, options: IntervalOptions) -> tuple[dict[int, Runs], float]:
    """Run the Monte Carlo: the :class:`~riskcore.runs.Runs` of every year (empty when nothing
    is uncertain) and the level.

    Parameters
    ----------
    scores : Scores
        The nominal scores; their plan, panel and treated data are reused.
    options : IntervalOptions

    Returns
    -------
    (dict, float)
        Year to its runs, and ``options.level``.
    """
    noise = input_noise(scores.plan, scores.panel, scores.prepared)
    assumptions = _assumptions_for(scores, noise, options.seed)
    if assumptions is None:
        return {}, options.level
    one = options.one_year
    model = IndexModel(
        scores.plan, scores.panel, assumptions, treated=scores.values, noise=noise,
        all_years=not one, year=options.year,
    )  # fmt: skip
    years = [model.year] if one else list(scores.years)
    x = np.random.default_rng(options.seed).random((options.draws, sum(model.dims)))
    shape = (options.draws, len(scores.countries), len(years))
    chunk = chunk_of(
        options.chunk, options.draws, model.values_per_run, options.backend, options.client,
        len(scores.plan.nodes),
    )  # fmt: skip
    comparable = not any(f.kind == "normalize" for f in model.factors)
    factors = tuple(model.names)

    def passes() -> Iterator[tuple[int, FloatArray, FloatArray]]:
        return each_chunk(model, x, 1, chunk=chunk, backend=options.backend, client=options.client)

    if options.draws * shape[1] * shape[2] * 12 > options.keep_bytes:
        bands = tuple((name, float(start)) for name, start in scores.plan.bands)
        summary = _Summary(shape, bands, options.level, tuple(scores.countries))
        return summary.runs(passes, years, factors, comparable, model.one_by_one), options.level
    kept = collect(passes(), options.draws, 1, shape[1] * shape[2], keep=True)
    assert kept.scores is not None and kept.ranks is not None
    sc, rk = kept.scores.reshape(shape), kept.ranks.reshape(shape)
    runs = {
        y: Runs(
            year=y,
            score=sc[:, :, t],
            rank=rk[:, :, t],
            factors=factors,
            comparable=comparable,
            one_by_one=model.one_by_one,
        )
        for t, y in enumerate(years)
    }
    return runs, options.level


@dataclass
class _Summary:
    """What the intervals need of runs that are not kept, summed pass by pass
    (:mod:`riskcore.streaming`)."""

    shape: tuple[int, int, int]  # draws, countries, years
    bands: tuple[tuple[str, float], ...]
    level: float
    countries: tuple[str, ...]

    def runs(
        self,
        passes: Callable[[], Iterator[tuple[int, FloatArray, FloatArray]]],
        years: list[int],
        factors: tuple[str, ...],
        comparable: bool,
        one_by_one: str | None,
    ) -> dict[int, Runs]:
        """The :class:`~riskcore.runs.SummarisedRuns` of every year."""
        draws, n_c, n_y = self.shape
        cells = n_c * n_y

        def blocks() -> Iterator[FloatArray]:  # scores then ranks, (runs, 2 x cells)
            for _, sc, rk in passes():
                yield np.concatenate([sc[0], rk[0]], axis=1, dtype=np.float64)

        extent = Extent(2 * cells)
        hits = np.zeros((len(self.bands), cells), dtype=np.int64)
        higher = np.zeros((n_c, n_y, n_y), dtype=np.int64)  # [c, a, b]: runs higher in b
        both = np.zeros((n_c, n_y, n_y), dtype=np.int64)
        for block in blocks():
            extent.add(block)
            score = block[:, :cells]
            if self.bands:
                hits += band_counts(score, self.bands)[0]
            if n_y > 1:
                v = score.reshape(-1, n_c, n_y)
                ok = ~np.isnan(v)
                higher += (v[:, :, np.newaxis, :] > v[:, :, :, np.newaxis]).sum(axis=0)
                both += (ok[:, :, np.newaxis, :] & ok[:, :, :, np.newaxis]).sum(axis=0)
        infinite = extent.infinite()
        if infinite.size:  # the exact percentiles of summarised runs need finite scores
            c, t = divmod(int(infinite[0]) % cells, n_y)
            raise ValueError(
                f"a run scores {self.countries[c]} in {years[t]} as infinite: intervals need "
                "finite scores (an indicator or method plugin gave an infinite value)"
            )
        q = [50.0 * (1.0 - self.level), 50.0 * (1.0 + self.level)]
        ends = exact_percentiles(blocks, q, extent).reshape(2, 2, n_c, n_y)
        scored = extent.count[:cells].reshape(n_c, n_y)
        by_band = hits.reshape(len(self.bands), n_c, n_y)
        out: dict[int, Runs] = {}
        for t, y in enumerate(years):
            bounds = {
                f"{values}_{end}": ends[e, v, :, t]
                for v, values in enumerate(("score", "rank"))
                for e, end in enumerate(("low", "high"))
            }
            out[y] = SummarisedRuns(
                year=y, score=np.empty((0, n_c)), rank=np.empty((0, n_c)), factors=factors,
                comparable=comparable, one_by_one=one_by_one, runs=draws, level=self.level,
                bounds=bounds, bands=self.bands, hits=by_band[:, :, t], scored=scored[:, t],
                rises={z: (higher[:, t, u], both[:, t, u]) for u, z in enumerate(years) if u != t},
            )  # fmt: skip
        return out


def defer_intervals(scores: Scores, options: IntervalOptions | None = None) -> Scores:
    """These scores with intervals pending: computed on first use of :attr:`Scores.runs` (an
    export, a table), so that scoring stays as fast as before when no interval is asked for.

    Parameters
    ----------
    scores : Scores
    options : IntervalOptions, optional
        Default: 1,000 draws, level 0.9, seed 0.

    Returns
    -------
    Scores
        A copy; ``scores`` is unchanged.
    """
    out = copy.copy(scores)
    out.pending_runs = partial(interval_runs, out, options or IntervalOptions())
    return out


def p_rise(scores: Scores, country: int, start: int, end: int) -> float | None:
    """The probability that a country's score rose from year ``start`` to ``end``: the share
    of runs, among those that score it in both years, with a higher score in ``end``.

    The runs of the two years come from the same draws, so the comparison is joint. None when
    no runs are attached for both years or no run scores the country in both.
    """
    a, b = scores.runs.get(start), scores.runs.get(end)
    if a is None or b is None:
        return None
    return a.rise(b, country)
