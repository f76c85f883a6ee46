"""Monte Carlo uncertainty and Sobol' sensitivity analysis of an index, run as batches.

Every uncertain assumption (:mod:`riskcore.assumptions`) is a *factor* with one or more columns
in the unit hypercube. A run is one row: its columns pick a normalisation, an aggregation, a
winsorising limit, an indicator to leave out, noise on the weights and on the data. The runs are
evaluated as batches along the engine's leading axis (:func:`riskcore.engine.aggregate`):

- discrete alternatives are computed once and reused: the data treatment for every winsorising
  limit, then the normalisation of each of those for every normalisation alternative, a small
  table the batch gathers from; every aggregation alternative is computed once per batch;
- weight noise and exclusions become per-run weights, with no recompilation;
- data noise changes the inputs, so data treatment runs once per run (slower, and said so).

Runs are processed in chunks of bounded size, so memory does not grow with the number of runs,
and each run's numbers depend only on its row of the design and the seed, so the results are
the same whatever the chunk size, the number of workers and the backend.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict

import numpy as np
from numpy.typing import NDArray

from riskcore.assumptions import Assumptions
from riskcore.data import Panel
from riskcore.engine import aggregate, normalize_leaves, root_scores
from riskcore.errors import SpecError
from riskcore.labels import year_position
from riskcore.methods.base import json_number
from riskcore.plan import Plan, check_aggregation, check_left_out, locate, resolve_method
from riskcore.plugins import PluginHost, get_host
from riskcore.result import Scores
from riskcore.sensitivity import SobolResult, saltelli_design, sobol_estimates
from riskcore.text import number
from riskcore.treat import prepare

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


@dataclass(frozen=True)
class Factor:
    """One uncertain factor: its name, kind, columns in the design and choices."""

    name: str
    kind: str
    dim: int
    choices: int = 0  # for discrete factors: how many alternatives


def _pick(u: FloatArray, n: int) -> NDArray[np.intp]:
    out: NDArray[np.intp] = np.minimum((u * n).astype(np.intp), n - 1)
    return out


class IndexModel:
    """An index with its uncertain assumptions, as a vectorised model of the unit hypercube.

    Parameters
    ----------
    plan : Plan
    panel : Panel
    assumptions : Assumptions
    host : PluginHost, optional
    year : int, optional
        The year whose scores and ranks are the outputs (default: the latest).
    """

    def __init__(
        self,
        plan: Plan,
        panel: Panel,
        assumptions: Assumptions,
        *,
        host: PluginHost | None = None,
        year: int | None = None,
    ) -> None:
        host = host or get_host()
        self.plan, self.panel, self.assumptions = plan, panel, assumptions
        self.t = year_position(panel.years, year)
        self.year = panel.years[self.t]
        self.by_year = all(node.weighting is None for node in plan.nodes)
        self.factors: list[Factor] = []
        where = assumptions.path or plan.path
        codes = {n.code: j for j, n in enumerate(plan.nodes)}
        n_leaves = len(plan.leaves)

        # weights: the (node, child position) pairs each weight factor varies
        self.weight_slots: list[list[tuple[int, int]]] = []
        depth = _depths(plan)
        for i, wn in enumerate(assumptions.weights):
            if wn.nodes is not None:
                unknown = [c for c in wn.nodes if c not in codes]
                if unknown:
                    raise SpecError(
                        f"unknown node {unknown[0]!r}",
                        path=where,
                        key=f"uncertainty.weights.{i}.nodes",
                    )
                nodes = [codes[c] for c in wn.nodes]
            elif wn.levels is not None:
                nodes = [j for j in range(len(plan.nodes)) if depth[j] in wn.levels]
            else:
                nodes = list(range(len(plan.nodes)))
            slots = [(j, k) for j in nodes for k in range(len(plan.nodes[j].children))]
            self.weight_slots.append(slots)
            self.factors.append(Factor(wn.name or f"weights {i + 1}", "weights", len(slots)))

        # normalisation alternatives: each a plan whose leaves use that method
        self.norm_plans = [plan]
        if assumptions.normalize is not None:
            alt = assumptions.normalize
            _check_targets(alt, "normalize", plan, where)
            targets = set(alt.indicators or [leaf.code for leaf in plan.leaves])
            self.norm_plans = []
            for m, choice in enumerate(alt.alternatives):
                key = f"uncertainty.normalize.alternatives.{m}"
                method, params = resolve_method(choice, host.normalizer, path=where, key=key)
                leaves = tuple(
                    dataclasses.replace(
                        leaf,
                        normalizer=method,
                        normalize_params=params,
                        normalize_method=choice.method,
                    )
                    if leaf.code in targets
                    else leaf
                    for leaf in plan.leaves
                )
                self.norm_plans.append(dataclasses.replace(plan, leaves=leaves))
            self.factors.append(
                Factor(alt.name or "normalisation", "normalize", 1, len(self.norm_plans))
            )

        # aggregation alternatives
        self.agg_choices: list[tuple[Any, Any]] = []
        self.agg_nodes: list[str] = []
        if assumptions.aggregation is not None:
            alt = assumptions.aggregation
            _check_targets(alt, "aggregation", plan, where)
            self.agg_nodes = alt.nodes or [n.code for n in plan.nodes]
            for m, choice in enumerate(alt.alternatives):
                key = f"uncertainty.aggregation.alternatives.{m}"
                agg, params = resolve_method(choice, host.aggregator, path=where, key=key)
                for node in plan.nodes:
                    if node.code in self.agg_nodes:
                        check_aggregation(agg, params, node, path=where, key=key)
                self.agg_choices.append((agg, params))
            self.factors.append(
                Factor(alt.name or "aggregation", "aggregation", 1, len(self.agg_choices))
            )

        # winsorising limits: one treated plan per limit
        self.treat_plans = [plan]
        if assumptions.outliers is not None:
            lo, hi = assumptions.outliers.max_points
            self.treat_plans = [
                dataclasses.replace(
                    plan,
                    leaves=tuple(
                        dataclasses.replace(
                            leaf,
                            treat_params=leaf.treat_params.model_copy(update={"max_points": k}),
                        )
                        if leaf.treat_params is not None
                        and "max_points" in type(leaf.treat_params).model_fields
                        else leaf
                        for leaf in plan.leaves
                    ),
                )
                for k in range(lo, hi + 1)
            ]
            self.factors.append(
                Factor(
                    assumptions.outliers.name or "winsorising points",
                    "outliers",
                    1,
                    len(self.treat_plans),
                )
            )

        # exclusion: (node, child position) of each candidate, None for "exclude nothing"
        self.exclusions: list[tuple[int, int] | None] = [None]
        if assumptions.exclusion is not None:
            candidates = assumptions.exclusion.candidates or [leaf.code for leaf in plan.leaves]
            key = "uncertainty.exclusion.candidates"
            for c in candidates:
                j, k = locate(plan, c, path=where, key=key)
                node = plan.nodes[j]
                alternatives = self.agg_choices if node.code in self.agg_nodes else []
                check_left_out(node, k, c, path=where, key=key, methods=alternatives)
                self.exclusions.append((j, k))
            self.factors.append(
                Factor(
                    assumptions.exclusion.name or "exclusion",
                    "exclusion",
                    1,
                    len(self.exclusions),
                )
            )

        # data noise
        self.data = assumptions.data
        if self.data is not None:
            for var in [*self.data.standard_errors, *self.data.ranges]:
                if var not in panel:
                    raise SpecError(
                        f"variable '{var}' is not in the data", path=where, key="uncertainty.data"
                    )
            self.factors.append(Factor(self.data.name or "data", "data", 1))

        if not self.factors:
            raise SpecError("no uncertain assumption is declared", path=where, key="uncertainty")
        self._n_leaves = n_leaves
        # discrete alternatives computed once: treatment x normalisation
        self.table: FloatArray | None = None
        if self.data is None:
            treated = [prepare(p, panel).values for p in self.treat_plans]
            self.table = np.stack(
                [
                    np.stack([normalize_leaves(n, v[np.newaxis])[0] for n in self.norm_plans])
                    for v in treated
                ]
            )  # (treatments, normalisations, leaves, countries, years)

    @property
    def dims(self) -> list[int]:
        """Columns of each factor in the design."""
        return [f.dim for f in self.factors]

    @property
    def names(self) -> list[str]:
        """The factors' names."""
        return [f.name for f in self.factors]

    def nominal(self) -> tuple[FloatArray, FloatArray]:
        """Scores and ranks of the year under the index as written, shape (countries,)."""
        values = prepare(self.plan, self.panel).values
        ev = aggregate(self.plan, normalize_leaves(self.plan, values[np.newaxis]))
        return ev.score[0, :, self.t], ev.rank[0, :, self.t]

    def _columns(self, x: FloatArray) -> dict[str, FloatArray]:
        out: dict[str, FloatArray] = {}
        start = 0
        for i, f in enumerate(self.factors):
            out[f"{f.kind}:{i}"] = x[:, start : start + f.dim]
            start += f.dim
        return out

    def __call__(self, x: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Evaluate runs: scores and ranks of the year, each of shape (runs, countries)."""
        x = np.atleast_2d(np.asarray(x, dtype=np.float64))
        b = x.shape[0]
        cols = self._columns(x)
        o_idx = np.zeros(b, dtype=np.intp)
        n_idx = np.zeros(b, dtype=np.intp)
        # per-run weights only for the nodes a factor changes: the others keep their own
        # (a data-driven weighting included)
        weights: dict[str, FloatArray] = {}

        def run_weights(j: int) -> FloatArray:
            node = self.plan.nodes[j]
            if node.code not in weights:
                weights[node.code] = np.tile(node.weights, (b, 1))
            return weights[node.code]

        choices: dict[str, tuple[Any, NDArray[np.intp]]] = {}
        seeds: NDArray[np.int64] | None = None
        for i, f in enumerate(self.factors):
            u = cols[f"{f.kind}:{i}"]
            if f.kind == "weights":
                r = self.assumptions.weights[i].relative
                for c, (j, k) in enumerate(self.weight_slots[i]):
                    run_weights(j)[:, k] *= 1.0 + r * (2.0 * u[:, c] - 1.0)
            elif f.kind == "normalize":
                n_idx = _pick(u[:, 0], f.choices)
            elif f.kind == "outliers":
                o_idx = _pick(u[:, 0], f.choices)
            elif f.kind == "aggregation":
                pick = _pick(u[:, 0], f.choices)
                for code in self.agg_nodes:
                    choices[code] = (self.agg_choices, pick)
            elif f.kind == "exclusion":
                pick = _pick(u[:, 0], f.choices)
                for e, target in enumerate(self.exclusions):
                    if target is not None:
                        j, k = target
                        run_weights(j)[pick == e, k] = 0.0
            elif f.kind == "data":
                seeds = (u[:, 0] * 2.0**53).astype(np.int64)
        # aggregation works year by year, so only the analysed year is aggregated, unless a
        # node derives its weights from the data of every year
        years = slice(self.t, self.t + 1) if self.by_year else slice(None)
        if self.table is not None:
            norm = self.table[o_idx, n_idx, ..., years]
        else:
            assert seeds is not None
            norm = np.stack(
                [self._noisy_run(int(seeds[r]), int(o_idx[r]), int(n_idx[r])) for r in range(b)]
            )[..., years]
        score, rank = root_scores(self.plan, norm, weights=weights, choices=choices)
        t = 0 if self.by_year else self.t
        return score[:, :, t], rank[:, :, t]

    def _noisy_run(self, seed: int, o: int, n: int) -> FloatArray:
        """One run with noisy data: perturb the inputs, treat, normalise."""
        assert self.data is not None
        rng = np.random.default_rng([self.assumptions.seed, seed])
        values = np.array(self.panel.values)
        var_index = {v: i for i, v in enumerate(self.panel.variables)}
        if self.data.relative is not None:
            r = self.data.relative
            values = values * (1.0 + r * (2.0 * rng.random(values.shape) - 1.0))
        for var, se_var in self.data.standard_errors.items():
            i, s = var_index[var], var_index[se_var]
            se = np.nan_to_num(self.panel.values[s], nan=0.0)
            values[i] = values[i] + se * rng.standard_normal(se.shape)
        for var, (low, high) in self.data.ranges.items():
            i = var_index[var]
            lo, hi = self.panel.values[var_index[low]], self.panel.values[var_index[high]]
            draw = lo + (hi - lo) * rng.random(lo.shape)
            values[i] = np.where(np.isnan(draw), values[i], draw)
        panel = dataclasses.replace(self.panel, values=values)
        treated = prepare(self.treat_plans[o], panel).values
        out: FloatArray = normalize_leaves(self.norm_plans[n], treated[np.newaxis])[0]
        return out


def _check_targets(alt: Any, table: str, plan: Plan, where: str | None) -> None:
    """Alternatives name indicators (normalisation) or nodes (aggregation) that exist."""
    wrong, right = ("nodes", "indicators") if table == "normalize" else ("indicators", "nodes")
    key = f"uncertainty.{table}"
    if getattr(alt, wrong) is not None:
        raise SpecError(
            f"'{wrong}' does not apply to [uncertainty.{table}]; use '{right}'",
            path=where,
            key=f"{key}.{wrong}",
        )
    known = (
        [leaf.code for leaf in plan.leaves]
        if right == "indicators"
        else [n.code for n in plan.nodes]
    )
    unknown = [c for c in getattr(alt, right) or [] if c not in known]
    if unknown:
        raise SpecError(
            f"unknown {right[:-1]} {unknown[0]!r} (the index has: {', '.join(known)})",
            path=where,
            key=f"{key}.{right}",
        )


def _depths(plan: Plan) -> list[int]:
    """Depth of each node below the root (the root is 0)."""
    n_leaves = len(plan.leaves)
    depth = [0] * len(plan.nodes)
    for j in range(len(plan.nodes) - 1, -1, -1):
        for child in plan.nodes[j].children:
            if child >= n_leaves:
                depth[child - n_leaves] = depth[j] + 1
    return depth


def run_design(
    model: IndexModel,
    x: FloatArray,
    *,
    chunk: int = 2048,
    backend: str = "local",
    client: Any = None,
    progress: Progress | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Evaluate every row of a design in chunks; scores and ranks of shape (runs, countries).

    Parameters
    ----------
    model : IndexModel
    x : ndarray, shape (runs, columns)
    chunk : int
        Runs per batch; bounds the memory of one evaluation.
    backend : {"local", "dask"}
        ``dask`` spreads the chunks over a ``dask.distributed`` cluster (``client``).
    client : dask.distributed.Client, optional
        For the dask backend (default: the current client).
    progress : callable, optional
        ``progress(done, total)`` after each chunk.
    """
    starts = list(range(0, x.shape[0], max(1, int(chunk))))
    if backend == "dask":
        from riskcore.distributed import map_chunks

        parts = map_chunks(model, x, starts, chunk, client=client, progress=progress)
    elif backend == "local":
        parts = []
        for s in starts:
            parts.append(model(x[s : s + chunk]))
            if progress is not None:
                progress(min(s + chunk, x.shape[0]), x.shape[0])
    else:
        raise ValueError(f"backend must be 'local' or 'dask', got {backend!r}")
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def _stats(values: FloatArray) -> dict[str, FloatArray]:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return {
            "mean": np.nanmean(values, axis=0),
            "median": np.nanmedian(values, axis=0),
            "p05": np.nanpercentile(values, 5, axis=0),
            "p95": np.nanpercentile(values, 95, axis=0),
        }


@dataclass
class UncertaintyResult:
    """Per country: the nominal score and rank and their distributions over the runs."""

    index: str
    year: int
    countries: tuple[str, ...]
    names: dict[str, str]
    factors: list[str]
    runs: int
    nominal_score: FloatArray
    nominal_rank: FloatArray
    score: dict[str, FloatArray]
    rank: dict[str, FloatArray]
    notes: list[str] = dataclasses.field(default_factory=list)

    def to_records(self) -> list[dict[str, Any]]:
        """One dict per country, by nominal rank: ready for a rank-interval plot."""
        order = np.lexsort((np.array(self.countries), np.nan_to_num(self.nominal_rank, nan=1e9)))
        out = []
        for c in order:
            rec: dict[str, Any] = {
                "country": self.countries[c],
                "name": self.names.get(self.countries[c], self.countries[c]),
                "score": json_number(self.nominal_score[c]),
                "rank": json_number(self.nominal_rank[c]),
            }
            for k, v in self.score.items():
                rec[f"score_{k}"] = json_number(v[c])
            for k, v in self.rank.items():
                rec[f"rank_{k}"] = json_number(v[c])
            out.append(rec)
        return out

    def to_dict(self) -> dict[str, Any]:
        """The JSON of ``riskcore uncertainty --format json``."""
        return {
            "index": self.index,
            "year": self.year,
            "runs": self.runs,
            "factors": self.factors,
            "notes": self.notes,
            "results": self.to_records(),
        }

    def table(self, countries: Sequence[str] | None = None, bands: Scores | None = None) -> str:
        """The text table of some countries (default: all), in nominal rank order.

        Parameters
        ----------
        countries : sequence of str, optional
            Codes to show, in the order given (default: every country by nominal rank).
        bands : Scores, optional
            The nominal scores: adds each country's band in :attr:`year`.
        """
        comparable = not self.notes  # the scores of all runs are on one scale
        score_head = f" {'5%':>6} {'95%':>6}" if comparable else ""
        band_head = f"  {'Band':<10}" if bands is not None else ""
        records = {r["country"]: r for r in self.to_records()}
        chosen = list(records) if countries is None else list(countries)
        lines = [
            f"{'Country':<28} {'Score':>6}{score_head}  {'Rank':>4} {'median':>6} {'5%-95%':>7}"
            + band_head.rstrip()
        ]
        for code in chosen:
            r = records[code]
            span = f"{r['rank_p05']:.0f}-{r['rank_p95']:.0f}" if r["rank_p05"] is not None else "-"
            spread = (
                f" {number(r['score_p05']):>6} {number(r['score_p95']):>6}" if comparable else ""
            )
            band = f"  {bands.band(code, self.year) or '-':<10}" if bands is not None else ""
            rank = f"{number(r['rank'], 0):>4} {number(r['rank_median'], 0):>6} {span:>7}"
            name = f"{r['country'] + ' ' + r['name']:<28.28}"
            lines.append(f"{name} {number(r['score']):>6}{spread}  {rank}{band}".rstrip())
        return "\n".join(lines)

    def __str__(self) -> str:
        lines = [
            f"Uncertainty of {self.index}, {self.year}: {self.runs} runs over "
            f"{len(self.factors)} factor{'s' if len(self.factors) != 1 else ''} "
            f"({', '.join(self.factors)})",
            "",
            self.table(),
        ]
        lines += [f"\nNote: {n}" for n in self.notes]
        return "\n".join(lines)


@dataclass
class SensitivityResult:
    """Sobol' indices of the summary output (mean absolute rank shift) and of each country."""

    index: str
    year: int
    countries: tuple[str, ...]
    runs: int
    summary: SobolResult
    per_country: SobolResult

    def to_dict(self) -> dict[str, Any]:
        """The JSON of ``riskcore sensitivity --format json``."""
        countries = {}
        for c, code in enumerate(self.countries):
            countries[code] = {
                name: {
                    "first": json_number(float(self.per_country.first[i, c])),
                    "first_ci": [json_number(float(b)) for b in self.per_country.first_ci[:, i, c]],
                    "total": json_number(float(self.per_country.total[i, c])),
                    "total_ci": [json_number(float(b)) for b in self.per_country.total_ci[:, i, c]],
                }
                for i, name in enumerate(self.per_country.names)
            }
        return {
            "index": self.index,
            "year": self.year,
            "runs": self.runs,
            "output": "mean absolute rank shift against the nominal ranks",
            "summary": self.summary.to_dict(),
            "countries": countries,
        }

    def __str__(self) -> str:
        s = self.summary
        lines = [
            f"Sensitivity of {self.index}, {self.year}: {self.runs} runs "
            f"(N = {s.n}), output: mean absolute rank shift",
            "",
            f"{'Factor':<28} {'first':>6} {'95% CI':>15} {'total':>6} {'95% CI':>15}",
        ]
        for i, name in enumerate(s.names):
            lines.append(
                f"{name:<28.28} {number(json_number(float(s.first[i])), 3):>6} "
                f"{_ci(s.first_ci[:, i]):>15} {number(json_number(float(s.total[i])), 3):>6} "
                f"{_ci(s.total_ci[:, i]):>15}"
            )
        if np.any(s.first < 0):
            lines.append(
                "\nNote: a slightly negative index is estimation noise around 0; its interval "
                "says how precise it is (more samples narrow it)."
            )
        return "\n".join(lines)


def _ci(bounds: FloatArray) -> str:
    lo, hi = (json_number(float(b)) for b in bounds)
    return "-" if lo is None or hi is None else f"[{lo:.3f}, {hi:.3f}]"


class RunOptions(TypedDict, total=False):
    """How to run an analysis: keyword arguments of the analysis functions.

    samples : int
        Runs (uncertainty) or base size ``N`` (sensitivity); default ``assumptions.samples``.
    seed : int
        Default ``assumptions.seed``.
    year : int
        Default: the latest year in the data.
    chunk, backend, client, progress
        As for :func:`run_design`.
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
    scores: Scores, assumptions: Assumptions, options: RunOptions, *, sobol: bool
) -> tuple[IndexModel, int, int, FloatArray, FloatArray]:
    """Build the model, draw the design (A only, or Saltelli's), run it: model, N, seed, runs."""
    model = IndexModel(
        scores.plan, scores.panel, assumptions, host=options.get("host"), year=options.get("year")
    )
    n = options.get("samples") or assumptions.samples
    seed = options.get("seed")
    s = assumptions.seed if seed is None else seed
    x = saltelli_design(model.dims, n, s)
    if not sobol:
        x = x[:n]  # the A matrix: a scrambled Sobol' sample
    sc, rk = run_design(
        model,
        x,
        chunk=options.get("chunk", 2048),
        backend=options.get("backend", "local"),
        client=options.get("client"),
        progress=options.get("progress"),
    )
    return model, n, s, sc, rk


def _uncertainty_result(
    scores: Scores, model: IndexModel, nominal: tuple[FloatArray, FloatArray], sc: FloatArray,
    rk: FloatArray,
) -> UncertaintyResult:  # fmt: skip
    nominal_score, nominal_rank = nominal
    return UncertaintyResult(
        index=scores.plan.name,
        year=model.year,
        countries=scores.countries,
        names=dict(scores.panel.country_names),
        factors=model.names,
        runs=int(sc.shape[0]),
        nominal_score=nominal_score,
        nominal_rank=nominal_rank,
        score=_stats(sc),
        rank=_stats(rk),
        notes=[
            "the normalisation varies across runs, so scores of different runs are on "
            "different scales: the table shows rank intervals only (score percentiles are in "
            "--format json)"
        ]
        if any(f.kind == "normalize" for f in model.factors)
        else [],
    )


def _sensitivity_result(
    scores: Scores, model: IndexModel, nominal_rank: FloatArray, seed: int, sc: FloatArray,
    rk: FloatArray, bootstrap: int, country_bootstrap: int,
) -> SensitivityResult:  # fmt: skip
    ok = ~np.isnan(nominal_rank)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        shift = np.nanmean(np.abs(rk[:, ok] - nominal_rank[ok]), axis=1)
    k = len(model.factors)
    summary = sobol_estimates(shift, k, names=model.names, bootstrap=bootstrap, seed=seed)
    per_country = sobol_estimates(sc, k, names=model.names, bootstrap=country_bootstrap, seed=seed)
    return SensitivityResult(
        index=scores.plan.name,
        year=model.year,
        countries=scores.countries,
        runs=int(sc.shape[0]),
        summary=summary,
        per_country=per_country,
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
    model, _, _, sc, rk = _run(scores, assumptions, options, sobol=False)
    return _uncertainty_result(scores, model, model.nominal(), sc, rk)


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
    model, _, s, sc, rk = _run(scores, assumptions, options, sobol=True)
    _, nominal_rank = model.nominal()
    return _sensitivity_result(scores, model, nominal_rank, s, sc, rk, bootstrap, country_bootstrap)


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
    model, n, s, sc, rk = _run(scores, assumptions, options, sobol=True)
    nominal = model.nominal()
    return (
        _uncertainty_result(scores, model, nominal, sc[:n], rk[:n]),
        _sensitivity_result(scores, model, nominal[1], s, sc, rk, bootstrap, country_bootstrap),
    )
