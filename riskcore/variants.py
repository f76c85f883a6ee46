"""Variants of an index: one compiler for every run that differs from the nominal index.

A *variant* is the nominal :class:`~riskcore.plan.Plan` with some of its choices changed: other
weights, another normalisation or aggregation, a winsorising limit, an indicator or node left
out, changed data. The uncertainty and sensitivity analyses (one variant per run, drawn from the
``[uncertainty]`` factors), scenarios (one variant, from shocks) and intervals all describe
their changes here, and this module turns them into what the engine takes: per-run weights,
per-run method choices and alternative plans. Every choice is resolved by the rules of
:func:`~riskcore.plan.compile_plan` (the same lookups, the same parameter checks, the same
messages), so an option valid in an index is valid in an alternative too, and a factor that
cannot change anything is refused with its key.

Two stages:

- :class:`Factors` compiles an :class:`~riskcore.assumptions.Assumptions` against a plan once:
  the alternatives, the weight slots each noise factor varies, the exclusion candidates;
- :meth:`Factors.draw` turns rows of the unit hypercube into a :class:`Batch` of runs.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from riskcore.assumptions import Alternatives, Assumptions, WeightNoise
from riskcore.errors import SpecError
from riskcore.plan import Plan, resolve_method, resolve_normalization
from riskcore.plugins import PluginHost
from riskcore.tree import check_aggregation, check_left_out, check_weights, leaf_weights, locate

__all__ = ["Batch", "Factor", "Factors", "check_weights", "depths", "drop", "leaf_weights"]

FloatArray = NDArray[np.float64]
Choices = dict[str, tuple[Sequence[tuple[Any, Any]], NDArray[np.intp]]]


@dataclass(frozen=True)
class Factor:
    """One uncertain factor: its name, kind, columns in the design and choices."""

    name: str
    kind: str
    dim: int
    choices: int = 0  # for discrete factors: how many alternatives


@dataclass
class Batch:
    """What distinguishes each run of a batch from the nominal index.

    Attributes
    ----------
    size : int
        Runs in the batch.
    weights : dict
        Node code to its children's weights in every run, shape ``(runs, k)``; only the nodes
        a factor changes (the others keep their own, a data-driven weighting included).
    choices : dict
        Node code to ``(alternatives, index)``: the aggregation each run uses.
    treatment, normalization : ndarray of int, shape (runs,)
        Which alternative plan (:attr:`Factors.treat_plans`, :attr:`Factors.norm_plans`) each
        run uses (0 without that factor).
    seeds : ndarray of int64 or None
        Each run's seed of the data noise (None without a data factor).
    """

    size: int
    weights: dict[str, FloatArray] = field(default_factory=dict)
    choices: Choices = field(default_factory=dict)
    treatment: NDArray[np.intp] = field(default_factory=lambda: np.zeros(0, dtype=np.intp))
    normalization: NDArray[np.intp] = field(default_factory=lambda: np.zeros(0, dtype=np.intp))
    seeds: NDArray[np.int64] | None = None

    def node_weights(self, plan: Plan, j: int) -> FloatArray:
        """The per-run weights of node ``j``, created from the node's own on first use."""
        node = plan.nodes[j]
        if node.code not in self.weights:
            self.weights[node.code] = np.tile(
                np.asarray(node.weights, dtype=np.float64), (self.size, 1)
            )
        return self.weights[node.code]


def _pick(u: FloatArray, n: int) -> NDArray[np.intp]:
    out: NDArray[np.intp] = np.minimum((u * n).astype(np.intp), n - 1)
    return out


def depths(plan: Plan) -> list[int]:
    """Depth of each node below the root (the root is 0)."""
    n_leaves = len(plan.leaves)
    depth = [0] * len(plan.nodes)
    for j in range(len(plan.nodes) - 1, -1, -1):
        for child in plan.nodes[j].children:
            if child >= n_leaves:
                depth[child - n_leaves] = depth[j] + 1
    return depth


def drop(
    plan: Plan,
    code: str,
    weights: dict[str, FloatArray],
    *,
    path: str | None,
    key: str,
    methods: Sequence[tuple[Any, Any]] = (),
    verb: str = "dropping",
) -> tuple[int, int]:
    """Leave an indicator or node out: its weight in its parent becomes 0 in ``weights``
    (node code to weights, updated in place), after checking that the parent still
    aggregates.

    Returns
    -------
    (j, k)
        The parent's position in ``plan.nodes`` and the child's among its children.
    """
    j, k = locate(plan, code, path=path, key=key)
    node = plan.nodes[j]
    before = weights.get(node.code, np.array(node.weights, dtype=np.float64))
    check_left_out(node, k, code, path=path, key=key, weights=before, methods=methods, verb=verb)
    weights[node.code] = np.where(np.arange(before.shape[-1]) == k, 0.0, before)
    return j, k


def _check_targets(alt: Alternatives, table: str, plan: Plan, where: str | None) -> None:
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


class Factors:
    """The ``[uncertainty]`` factors of an index, compiled against its plan.

    Parameters
    ----------
    plan : Plan
    assumptions : Assumptions
    host : PluginHost
        Where alternative methods are looked up.
    variables : collection of str
        The data's variables, for the data factor's references.

    Attributes
    ----------
    factors : list of Factor
    norm_plans, treat_plans : list of Plan
        One plan per alternative; a winsorising limit equal to the index's own is the nominal
        plan itself (``is plan``), so that its treated data can be reused.
    agg_choices : list of (aggregator, params)
    agg_nodes : list of str
    exclusions : list of (int, int) or None
        ``(node, child)`` of each candidate, None for "leave nothing out".

    Raises
    ------
    SpecError
        A factor naming what is not in the index or the data, an option a method does not take,
        or a factor that cannot change anything (a winsorising factor when no indicator is
        winsorised, weight noise on a level without nodes); each with its key.
    """

    def __init__(
        self, plan: Plan, assumptions: Assumptions, *, host: PluginHost, variables: Any
    ) -> None:
        self.plan, self.assumptions = plan, assumptions
        where = self.where = assumptions.path or plan.path
        self.factors: list[Factor] = []
        self.weight_slots = [
            self._weight_slots(wn, f"uncertainty.weights.{i}")
            for i, wn in enumerate(assumptions.weights)
        ]
        for i, (wn, slots) in enumerate(zip(assumptions.weights, self.weight_slots, strict=True)):
            self.factors.append(Factor(wn.name or f"weights {i + 1}", "weights", len(slots)))

        self.norm_plans = [plan]
        if assumptions.normalize is not None:
            alt = assumptions.normalize
            _check_targets(alt, "normalize", plan, where)
            self.norm_plans = self._normalizations(alt, host)
            self.factors.append(
                Factor(alt.name or "normalisation", "normalize", 1, len(alt.alternatives))
            )

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

        self.treat_plans = [plan]
        if assumptions.outliers is not None:
            self._treatments()
            self.factors.append(
                Factor(
                    assumptions.outliers.name or "winsorising points",
                    "outliers",
                    1,
                    len(self.treat_plans),
                )
            )

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

        self.data = assumptions.data
        if self.data is not None:
            named = [("standard_errors", v, [se]) for v, se in self.data.standard_errors.items()]
            named += [("ranges", v, list(lo_hi)) for v, lo_hi in self.data.ranges.items()]
            for table, var, refs in named:
                for ref in [var, *refs]:
                    if ref not in variables:
                        raise SpecError(
                            f"variable '{ref}' is not in the data (variables: "
                            f"{', '.join(variables)})",
                            path=where,
                            key=f"uncertainty.data.{table}.{var}",
                        )
            self.factors.append(Factor(self.data.name or "data", "data", 1))

        if not self.factors:
            raise SpecError("no uncertain assumption is declared", path=where, key="uncertainty")

    # -- compiling the factors --------------------------------------------------------------
    def _weight_slots(self, wn: WeightNoise, key: str) -> list[tuple[int, int]]:
        """The (node, child position) pairs a weight factor varies; refused when none."""
        plan = self.plan
        codes = {n.code: j for j, n in enumerate(plan.nodes)}
        if wn.nodes is not None:
            unknown = [c for c in wn.nodes if c not in codes]
            if unknown:
                raise SpecError(f"unknown node {unknown[0]!r}", path=self.where, key=f"{key}.nodes")
            nodes = [codes[c] for c in wn.nodes]
        elif wn.levels is not None:
            depth = depths(plan)
            nodes = [j for j in range(len(plan.nodes)) if depth[j] in wn.levels]
            if not nodes:
                deepest = max(depth)
                raise SpecError(
                    f"no node lies at level {', '.join(map(str, wn.levels))} (the root is level 0, "
                    f"the deepest node level {deepest}): the factor would change nothing",
                    path=self.where,
                    key=f"{key}.levels",
                )
        else:
            nodes = list(range(len(plan.nodes)))
        # a node whose weights come from the data keeps them: noise on its placeholder weights
        # would replace them; refuse it when named, leave it out when chosen by level
        driven = [j for j in nodes if plan.nodes[j].weighting is not None]
        if wn.nodes is not None and driven:
            node = plan.nodes[driven[0]]
            raise SpecError(
                f"node '{node.code}' takes its weights from the data "
                f'(weighting = "{node.weighting_method}"): weight noise does not apply to it',
                path=self.where,
                key=f"{key}.nodes",
            )
        nodes = [j for j in nodes if j not in driven]
        if all(len(plan.nodes[j].children) < 2 for j in nodes):
            raise SpecError(
                "no node it names has two children or more with weights set in the index, so "
                "the factor would change nothing",
                path=self.where,
                key=f"{key}.nodes" if wn.nodes is not None else key,
            )
        slots = [(j, k) for j in nodes for k in range(len(plan.nodes[j].children))]
        return slots

    def _normalizations(self, alt: Alternatives, host: PluginHost) -> list[Plan]:
        """One plan per alternative: the targeted leaves normalised by it, with the options an
        index accepts for that method (``per_year`` included)."""
        targets = set(alt.indicators or [leaf.code for leaf in self.plan.leaves])
        out = []
        for m, choice in enumerate(alt.alternatives):
            key = f"uncertainty.normalize.alternatives.{m}"
            leaves = []
            for leaf in self.plan.leaves:
                if leaf.code not in targets:
                    leaves.append(leaf)
                    continue
                # per_year as the index would set it for this method at this indicator: the
                # indicator's own, else [defaults]'s; never the option of another method
                fallback = leaf.per_year if leaf.per_year_default is None else leaf.per_year_default
                method, params, per_year = resolve_normalization(
                    choice,
                    host,
                    path=self.where,
                    key=key,
                    per_year=fallback,
                    scale=self.plan.scale,
                )
                leaves.append(
                    dataclasses.replace(
                        leaf,
                        normalizer=method,
                        normalize_params=params,
                        normalize_method=choice.method,
                        per_year=per_year,
                    )
                )
            out.append(dataclasses.replace(self.plan, leaves=tuple(leaves)))
        return out

    def _treatments(self) -> None:
        """One plan per distinct winsorising limit; refused when no indicator is winsorised."""
        assert self.assumptions.outliers is not None
        lo, hi = self.assumptions.outliers.max_points
        treated = [
            i
            for i, leaf in enumerate(self.plan.leaves)
            if leaf.treat_params is not None
            and "max_points" in type(leaf.treat_params).model_fields
        ]
        if not treated:
            raise SpecError(
                "no indicator is treated by a method with max_points (outliers = ... in the "
                "index), so the winsorising factor would change nothing",
                path=self.where,
                key="uncertainty.outliers",
            )
        nominal = {getattr(self.plan.leaves[i].treat_params, "max_points", None) for i in treated}
        by_points: dict[int, Plan] = {}
        for points in range(lo, hi + 1):
            # the limit the index itself uses is the nominal plan: its treated data are reused
            by_points[points] = (
                self.plan if nominal == {points} else self._with_points(treated, points)
            )
        self.treat_plans = list(by_points.values())
        if all(p is self.plan for p in self.treat_plans):
            raise SpecError(
                f"max_points = [{lo}, {hi}] holds only the index's own limit, so the factor "
                "would change nothing",
                path=self.where,
                key="uncertainty.outliers.max_points",
            )

    def _with_points(self, treated: list[int], points: int) -> Plan:
        leaves = list(self.plan.leaves)
        for i in treated:
            params = leaves[i].treat_params
            assert params is not None
            leaves[i] = dataclasses.replace(
                leaves[i], treat_params=params.model_copy(update={"max_points": points})
            )
        return dataclasses.replace(self.plan, leaves=tuple(leaves))

    # -- runs -------------------------------------------------------------------------------
    @property
    def dims(self) -> list[int]:
        """Columns of each factor in the design."""
        return [f.dim for f in self.factors]

    @property
    def names(self) -> list[str]:
        """The factors' names."""
        return [f.name for f in self.factors]

    def draw(self, x: FloatArray) -> Batch:
        """The runs of the design rows ``x`` (shape ``(runs, sum(dims))``, in the unit cube)."""
        x = np.atleast_2d(np.asarray(x, dtype=np.float64))
        b = x.shape[0]
        batch = Batch(
            size=b, treatment=np.zeros(b, dtype=np.intp), normalization=np.zeros(b, dtype=np.intp)
        )
        start = 0
        for i, f in enumerate(self.factors):
            u = x[:, start : start + f.dim]
            start += f.dim
            if f.kind == "weights":
                r = self.assumptions.weights[i].relative
                for c, (j, k) in enumerate(self.weight_slots[i]):
                    batch.node_weights(self.plan, j)[:, k] *= 1.0 + r * (2.0 * u[:, c] - 1.0)
            elif f.kind == "normalize":
                batch.normalization = _pick(u[:, 0], f.choices)
            elif f.kind == "outliers":
                batch.treatment = _pick(u[:, 0], f.choices)
            elif f.kind == "aggregation":
                pick = _pick(u[:, 0], f.choices)
                for code in self.agg_nodes:
                    batch.choices[code] = (self.agg_choices, pick)
            elif f.kind == "exclusion":
                pick = _pick(u[:, 0], f.choices)
                for e, target in enumerate(self.exclusions):
                    if target is not None:
                        j, k = target
                        batch.node_weights(self.plan, j)[pick == e, k] = 0.0
            elif f.kind == "data":
                batch.seeds = (u[:, 0] * 2.0**53).astype(np.int64)
        return batch
