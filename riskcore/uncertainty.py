"""Monte Carlo uncertainty and Sobol' sensitivity analysis of an index, run as batches.

Every uncertain assumption (:mod:`riskcore.assumptions`) is a *factor* with one or more columns
in the unit hypercube. A run is one row: its columns pick a normalisation, an aggregation, a
winsorising limit, an indicator to leave out, noise on the weights and on the data. The runs are
evaluated as batches along the engine's leading axis (:func:`riskcore.engine.aggregate`):

- discrete alternatives are computed once and reused: the data treatment for every winsorising
  limit, then the normalisation of each of those for every normalisation alternative, a small
  table the batch gathers from; every aggregation alternative is computed once per batch;
- weight noise and exclusions become per-run weights, with no recompilation;
- data noise changes the inputs, so the data are treated again for the runs: the runs of a
  batch together, laid side by side as extra countries, where no step mixes countries
  (:mod:`riskcore.batched`), else run by run (slower, and said so).

Runs are processed in chunks of bounded size, so memory does not grow with the number of runs,
and each run's numbers depend only on its row of the design and the seed, so the results are
the same whatever the chunk size, the number of workers and the backend.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypedDict

import numpy as np
from numpy.typing import NDArray

from riskcore._args import run_settings
from riskcore.assumptions import Assumptions
from riskcore.batched import as_is_rows, country_step, prepare_runs, runs_as_years
from riskcore.chunks import Collected, chunk_of, collect, each_chunk
from riskcore.data import Panel
from riskcore.engine import aggregate, normalize_leaves, root_scores
from riskcore.estimate_noise import InputNoise, perturbs, run_generators
from riskcore.labels import year_position
from riskcore.noise import perturb, pooling_step
from riskcore.plan import Plan
from riskcore.plugins import PluginHost, get_host
from riskcore.result import Scores
from riskcore.runs import Runs
from riskcore.sensitivity import saltelli_design, sobol_estimates
from riskcore.treat import prepare
from riskcore.uncertainty_results import SensitivityResult, UncertaintyResult
from riskcore.variants import Batch, Factor, Factors

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = [
    "Factor",
    "IndexModel",
    "RunOptions",
    "SensitivityResult",
    "UncertaintyResult",
    "sensitivity_analysis",
    "uncertainty_analysis",
    "uncertainty_and_sensitivity",
]

FloatArray = NDArray[np.float64]
Progress = Callable[[int, int], None]


#: Noisy values treated at a time by the year-by-year path of data noise.
NOISY_VALUES = 2**19


class IndexModel:
    """An index with its uncertain assumptions, as a vectorised model of the unit hypercube.

    The factors are compiled by :class:`riskcore.variants.Factors` (the one compiler of
    variants); this class evaluates their runs through the engine.

    Parameters
    ----------
    plan : Plan
    panel : Panel
    assumptions : Assumptions
    host : PluginHost, optional
    year : int, optional
        The year whose scores and ranks are the outputs (default: the latest).
    treated : ndarray, optional
        The index's own treated leaf values (:attr:`Scores.values`), reused instead of
        treating the data again for the nominal run and the runs that share its treatment.
    noise : InputNoise, optional
        Input draws besides ``[uncertainty.data]`` (:mod:`riskcore.estimate_noise`), seeded by
        the ``data`` factor's column; ``all_years``: outputs of shape (runs, countries, years).
    """

    def __init__(
        self,
        plan: Plan,
        panel: Panel,
        assumptions: Assumptions,
        *,
        host: PluginHost | None = None,
        year: int | None = None,
        treated: FloatArray | None = None,
        noise: InputNoise | None = None,
        all_years: bool = False,
    ) -> None:
        host = host or get_host()
        self.noise, self.all_years = noise, all_years
        self.plan, self.panel, self.assumptions = plan, panel, assumptions
        self.t = year_position(panel.years, year)
        self.year = panel.years[self.t]
        self.by_year = all(node.weighting is None for node in plan.nodes)
        self.variants = Factors(plan, assumptions, host=host, variables=panel)
        self.factors: list[Factor] = self.variants.factors
        self.weight_slots = self.variants.weight_slots
        self.data = self.variants.data
        self._treated: dict[int, FloatArray] = {} if treated is None else {id(plan): treated}
        # data noise for the analysed year alone, unless a step of some variant pools years
        self.pooled = next(
            (
                why
                for p in (*self.variants.treat_plans, *self.variants.norm_plans)
                if (why := pooling_step(p)) is not None
            ),
            None,
        )
        # discrete alternatives computed once: treatment x normalisation
        self.table: FloatArray | None = None
        if self.data is None:
            self.table = np.stack(
                [
                    np.stack(
                        [
                            normalize_leaves(n, self._treated_values(p)[np.newaxis])[0]
                            for n in self.variants.norm_plans
                        ]
                    )
                    for p in self.variants.treat_plans
                ]
            )  # (treatments, normalisations, leaves, countries, years)

    def _treated_values(self, plan: Plan) -> FloatArray:
        """The panel treated by a plan, once per distinct plan."""
        if id(plan) not in self._treated:
            self._treated[id(plan)] = prepare(plan, self.panel).values
        return self._treated[id(plan)]

    @property
    def dims(self) -> list[int]:
        """Columns of each factor in the design."""
        return self.variants.dims

    @property
    def names(self) -> list[str]:
        """The factors' names."""
        return self.variants.names

    def _path(self) -> str:
        """How runs are evaluated: ``table`` (discrete alternatives only), ``leaves`` (noise on
        the treated leaves), ``year`` (data noise, the analysed year) or ``runs`` (every year)."""
        if self.table is not None:
            return "table"
        if self.noise is not None and self.noise.direct and not perturbs(self.data):
            return "leaves"
        return (
            "year" if self.pooled is None and self.noise is None and not self.all_years else "runs"
        )

    @property
    def values_per_run(self) -> int:
        """Leaf values one run evaluates (leaves x countries x the years it evaluates), which
        sizes the default chunk (:func:`riskcore.chunks.default_chunk`)."""
        one = self.by_year and not self.all_years and self._path() != "runs"
        years = 1 if one else len(self.panel.years)
        return len(self.plan.leaves) * len(self.panel.countries) * years

    @property
    def one_by_one(self) -> str | None:
        """Why the runs' data are treated one run at a time (slower), or None."""
        steps = (
            (country_step(p) for p in self.variants.treat_plans) if self._path() == "runs" else ()
        )
        return next((why for why in steps if why is not None), None)

    def nominal(self) -> tuple[FloatArray, FloatArray]:
        """Scores and ranks of the year under the index as written, shape (countries,)."""
        values = self._treated_values(self.plan)
        ev = aggregate(self.plan, normalize_leaves(self.plan, values[np.newaxis]))
        return ev.score[0, :, self.t], ev.rank[0, :, self.t]

    def __call__(self, x: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Evaluate runs: scores and ranks of the year, each of shape (runs, countries)."""
        batch = self.variants.draw(x)
        # aggregation works year by year, so only the analysed year is aggregated, unless a
        # node derives its weights from the data of every year
        years = slice(self.t, self.t + 1) if self.by_year and not self.all_years else slice(None)
        path = self._path()
        if self.table is not None:
            norm = self.table[batch.treatment, batch.normalization, ..., years]
        elif path == "leaves" and self.noise is not None:
            treated = [self._treated_values(self.variants.treat_plans[o]) for o in batch.treatment]
            norm = self.noise.leaf_runs(
                np.stack(treated), batch, self.assumptions.seed, self.variants.norm_plans
            )[..., years]
        elif path == "year":
            norm = self._noisy_year(batch)
        else:  # the whole batch drawn at once, then treated (as extra countries if it may)
            norm = self._noisy_runs(batch)[..., years]
        score, rank = root_scores(self.plan, norm, weights=batch.weights, choices=batch.choices)
        if self.all_years:
            return score, rank
        t = 0 if self.by_year else self.t
        return score[:, :, t], rank[:, :, t]

    def _noisy_runs(self, batch: Batch) -> FloatArray:
        """Runs with noisy data, every year: draw, treat (:func:`riskcore.batched.prepare_runs`,
        per treatment alternative), draw the treated leaves' own noise, normalise (per
        normalisation alternative). Each run draws from its own generator, inputs first."""
        assert batch.seeds is not None
        drawn = self._draw(self.panel.values, batch.seeds, np.arange(len(self.panel.years)))
        rngs = run_generators(self.assumptions.seed, batch.seeds)
        if self.noise is not None:
            self.noise.variables.apply_runs(drawn, rngs)
        treated = np.empty((batch.size, len(self.plan.leaves), *drawn.shape[2:]))
        for o, plan in enumerate(self.variants.treat_plans):
            rows = np.flatnonzero(batch.treatment == o)
            if rows.size:
                treated[rows] = prepare_runs(plan, self.panel, drawn[rows])
        if self.noise is not None:
            self.noise.leaves.apply_runs(treated, rngs)
        norm = np.empty_like(treated)
        for n, plan in enumerate(self.variants.norm_plans):
            rows = np.flatnonzero(batch.normalization == n)
            if rows.size:
                norm[rows] = normalize_leaves(plan, treated[rows])
        return norm

    def _noisy_year(self, batch: Batch) -> FloatArray:
        """A batch of runs with noisy data in the analysed year alone (no step pools years):
        the runs side by side as the years of one panel, treated and normalised at once, in
        groups of about :data:`NOISY_VALUES` values (data treatment makes several copies)."""
        assert self.data is not None and batch.seeds is not None
        t = self.t
        (plan,) = self.variants.treat_plans  # no step treats outliers here
        # what prepare reads: the leaves' variables and every derived variable's data inputs
        # (each one is evaluated, used or not; DerivedVariable.inputs is transitive)
        needed = {*plan.variables, *(v for d in plan.derived for v in d.inputs)}
        keep = [i for i, v in enumerate(self.panel.variables) if v in needed]
        norm = np.empty((batch.size, len(self.plan.leaves), len(self.panel.countries), 1))
        group = max(1, NOISY_VALUES // max(1, len(keep) * len(self.panel.countries)))
        for lo in range(0, batch.size, group):
            hi = min(lo + group, batch.size)
            values = self._draw(
                self.panel.values[:, :, t : t + 1], batch.seeds[lo:hi], np.array([t]), keep
            )
            variables = tuple(self.panel.variables[i] for i in keep)
            rows = as_is_rows(plan, variables)
            if rows is not None:  # the leaves are the variables as they are: nothing to treat
                treated = np.moveaxis(values[..., 0][:, rows], 0, -1)[np.newaxis]
            else:  # no plugin indicator here (it pools years): no plugin sees run numbers
                runs = runs_as_years(
                    self.panel, np.moveaxis(values[..., 0], 0, -1), variables, self.year,
                    range(lo, hi),
                )  # fmt: skip
                treated = prepare(plan, runs).values[np.newaxis]
            for n, variant in enumerate(self.variants.norm_plans):
                picked = np.flatnonzero(batch.normalization[lo:hi] == n)
                if picked.size:
                    normalized = normalize_leaves(variant, treated[..., picked])[0]
                    norm[lo + picked, :, :, 0] = np.moveaxis(normalized, -1, 0)
        return norm

    def _draw(
        self,
        values: FloatArray,
        seeds: NDArray[np.int64],
        years: NDArray[np.intp],
        keep: list[int] | None = None,
    ) -> FloatArray:
        """The runs' noisy values of some years (:func:`riskcore.noise.perturb`)."""
        assert self.data is not None
        return perturb(
            values, self.panel.variables, self.data, seed=self.assumptions.seed, runs=seeds,
            years=years, n_years=len(self.panel.years), keep=keep,
        )  # fmt: skip


class RunOptions(TypedDict, total=False):
    """How to run an analysis: keyword arguments of the analysis functions.

    samples : int
        Runs (uncertainty) or base size ``N`` (sensitivity); default ``assumptions.samples``.
    seed : int
        Default ``assumptions.seed``.
    year : int
        Default: the latest year in the data.
    chunk, backend, client, progress
        How runs are evaluated (:func:`riskcore.chunks.each_chunk`): runs per chunk, the
        backend (``local`` or ``dask``), a Dask client, a ``progress(done, total)`` callback.
    host : PluginHost
        Which plugins provide the alternative methods (default: the entry points).
    """

    samples: int | None
    seed: int | None
    year: int | None
    chunk: int
    backend: str
    client: Any
    host: PluginHost | None
    progress: Progress | None


def _run(
    scores: Scores,
    assumptions: Assumptions,
    options: RunOptions,
    *,
    sobol: bool,
    keep: bool,
    country_bootstrap: int = 0,
) -> tuple[IndexModel, int, int, Collected]:
    """Build the model, draw the design (A only, or Saltelli's), run it chunk by chunk and keep
    what the analysis needs (:func:`riskcore.chunks.collect`): model, N, seed, what was kept."""
    n, s, chunk = run_settings(assumptions, options)
    assumptions = assumptions.model_copy(update={"seed": s})  # one seed decides every draw
    model = IndexModel(
        scores.plan,
        scores.panel,
        assumptions,
        host=options.get("host"),
        year=options.get("year"),
        treated=scores.values,
    )
    x = saltelli_design(model.dims, n, s)
    blocks = len(model.factors) + 2 if sobol else 1
    backend = options.get("backend", "local")
    chunks = each_chunk(
        model,
        x[: n * blocks],  # without Sobol': the A matrix, a scrambled Sobol' sample
        blocks,
        chunk=chunk_of(
            chunk,
            n * blocks,
            model.values_per_run,
            backend,
            options.get("client"),
            len(scores.plan.nodes),
        ),
        backend=backend,
        client=options.get("client"),
        progress=options.get("progress"),
    )
    kept = collect(
        chunks,
        n,
        blocks,
        len(scores.countries),
        keep=keep,
        nominal_rank=model.nominal()[1] if sobol else None,
        country_bootstrap=country_bootstrap,
        seed=s,
    )
    return model, n, s, kept


def _uncertainty_result(
    scores: Scores, model: IndexModel, nominal: tuple[FloatArray, FloatArray], kept: Collected
) -> UncertaintyResult:
    nominal_score, nominal_rank = nominal
    assert kept.scores is not None and kept.ranks is not None
    varies = any(f.kind == "normalize" for f in model.factors)
    runs = Runs(
        model.year, kept.scores, kept.ranks, factors=tuple(model.names), comparable=not varies
    )
    return UncertaintyResult(
        index=scores.plan.name,
        year=model.year,
        countries=scores.countries,
        names=dict(scores.panel.country_names),
        factors=model.names,
        runs=runs.n,
        nominal_score=nominal_score,
        nominal_rank=nominal_rank,
        score=runs.summary("score"),
        rank=runs.summary("rank"),
        scores=scores.with_runs(runs),
        notes=[
            "the normalisation varies across runs, so scores of different runs are on "
            "different scales: the table shows rank intervals only (score percentiles are in "
            "--format json)"
        ]
        if varies
        else [],
    )


def _sensitivity_result(
    scores: Scores, model: IndexModel, seed: int, kept: Collected, bootstrap: int
) -> SensitivityResult:
    assert kept.shift is not None and kept.per_country is not None
    names = model.names
    summary = sobol_estimates(kept.shift, len(names), names=names, bootstrap=bootstrap, seed=seed)
    return SensitivityResult(
        index=scores.plan.name,
        year=model.year,
        countries=scores.countries,
        runs=int(kept.shift.shape[0]),
        summary=summary,
        per_country=kept.per_country.result(names),
    )


def uncertainty_analysis(
    scores: Scores, assumptions: Assumptions, **options: Unpack[RunOptions]
) -> UncertaintyResult:
    """Monte Carlo uncertainty analysis: score and rank distributions per country.

    Parameters
    ----------
    scores : Scores
        The nominal scores (its plan and panel are reused).
    assumptions : Assumptions
    **options
        :class:`RunOptions`: ``samples`` (the number of runs, drawn from a scrambled Sobol'
        sequence), ``seed``, ``year``, ``chunk``, ``backend``, ``client``, ``host``,
        ``progress``.

    Returns
    -------
    UncertaintyResult
    """
    model, _, _, kept = _run(scores, assumptions, options, sobol=False, keep=True)
    return _uncertainty_result(scores, model, model.nominal(), kept)


def sensitivity_analysis(
    scores: Scores,
    assumptions: Assumptions,
    *,
    bootstrap: int = 500,
    country_bootstrap: int = 100,
    **options: Unpack[RunOptions],
) -> SensitivityResult:
    """Sobol' sensitivity analysis: first- and total-order indices per uncertain factor.

    The outputs are the mean absolute shift of the countries' ranks against the nominal ranks
    (one number per run) and each country's score. ``samples`` is the base size ``N``; the
    analysis takes ``N (k + 2)`` runs for ``k`` factors. ``bootstrap`` resamples give the
    confidence intervals of the summary, ``country_bootstrap`` those of every country (fewer
    by default: each resample handles every country). ``options`` as for
    :func:`uncertainty_analysis`, with ``samples`` the base size ``N``.

    Returns
    -------
    SensitivityResult
    """
    model, _, s, kept = _run(
        scores, assumptions, options, sobol=True, keep=False, country_bootstrap=country_bootstrap
    )
    return _sensitivity_result(scores, model, s, kept, bootstrap)


def uncertainty_and_sensitivity(
    scores: Scores,
    assumptions: Assumptions,
    *,
    bootstrap: int = 500,
    country_bootstrap: int = 100,
    **options: Unpack[RunOptions],
) -> tuple[UncertaintyResult, SensitivityResult]:
    """Both analyses from one set of runs: the uncertainty runs are the first ``N`` rows (the
    A matrix) of the sensitivity design, so this equals calling :func:`uncertainty_analysis`
    and :func:`sensitivity_analysis` with the same options, at the cost of the second alone.

    Returns
    -------
    (UncertaintyResult, SensitivityResult)
    """
    model, _, s, kept = _run(
        scores, assumptions, options, sobol=True, keep=True, country_bootstrap=country_bootstrap
    )
    return (
        _uncertainty_result(scores, model, model.nominal(), kept),
        _sensitivity_result(scores, model, s, kept, bootstrap),
    )
