"""The engine: an index spec compiled into a :class:`Plan`, and :func:`evaluate`.

Compiling resolves the tree once: every leaf is bound to a plugin indicator or a data variable,
every node to its aggregation method, weights become arrays. :func:`evaluate` is then plain numpy
over the whole panel at once, with a leading *batch* axis, so that one code path scores the
nominal index (a batch of one) and thousands of Monte Carlo replications alike. There is no
Python loop over countries, years or replications; the only loops run over the leaves and nodes
of the tree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from pydantic import ValidationError

from riskcore.data import Panel
from riskcore.errors import DataError, IndicatorError, SpecError
from riskcore.indicators import Indicator
from riskcore.methods.base import Aggregator, MethodParams, Normalizer, params_from, rank_min
from riskcore.plugins import PluginHost, get_host
from riskcore.spec import IndexSpec, MethodChoice

__all__ = [
    "Evaluation",
    "LeafPlan",
    "NodePlan",
    "Plan",
    "compile_plan",
    "compute_indicators",
    "evaluate",
]

FloatArray = NDArray[np.float64]

_COVERAGE_TOL = 1e-9


@dataclass(frozen=True)
class LeafPlan:
    """A leaf of the compiled tree.

    Attributes
    ----------
    code, name, unit : str
    higher_is_riskier : bool
    indicator : Indicator or None
        The plugin indicator that computes the leaf, or None for a raw data variable.
    plugin : str or None
        The plugin that provides it.
    requires : tuple of str
        The data variables the leaf reads.
    normalizer : Normalizer
    normalize_params : MethodParams
    per_year : bool
    """

    code: str
    name: str
    unit: str | None
    higher_is_riskier: bool
    indicator: Indicator | None
    plugin: str | None
    requires: tuple[str, ...]
    normalizer: Normalizer
    normalize_params: MethodParams
    normalize_method: str
    per_year: bool


@dataclass(frozen=True)
class NodePlan:
    """An inner node (or the root) of the compiled tree.

    Attributes
    ----------
    code, name : str
    children : tuple of int
        Slots of the children: ``0..n_leaves-1`` are leaves, then nodes in :attr:`Plan.nodes`
        order offset by ``n_leaves``.
    weights : ndarray, shape (k,)
        Raw weights as given (not normalised).
    aggregator : Aggregator
    min_coverage : float
    """

    code: str
    name: str
    children: tuple[int, ...]
    weights: FloatArray
    aggregator: Aggregator
    aggregate_params: MethodParams
    aggregate_method: str
    min_coverage: float


@dataclass(frozen=True)
class Plan:
    """An index compiled for evaluation: leaves, nodes in post-order (root last), scale."""

    code: str
    name: str
    scale: tuple[float, float]
    leaves: tuple[LeafPlan, ...]
    nodes: tuple[NodePlan, ...]
    path: str | None = None
    leaf_weights: FloatArray = field(default_factory=lambda: np.zeros(0), repr=False)

    @property
    def slot_codes(self) -> list[str]:
        """Codes of every slot: leaves, then nodes."""
        return [leaf.code for leaf in self.leaves] + [n.code for n in self.nodes]

    @property
    def variables(self) -> list[str]:
        """Every data variable the plan reads."""
        out: dict[str, None] = {}
        for leaf in self.leaves:
            for v in leaf.requires:
                out.setdefault(v, None)
        return list(out)


def _method(
    choice: MethodChoice,
    lookup: Any,
    *,
    path: str | None,
    key: str,
    reserved: tuple[str, ...] = (),
) -> tuple[Any, MethodParams]:
    try:
        method = lookup(choice.method)
    except SpecError as exc:
        raise SpecError(
            exc.detail, path=path, key=f"{key}.method" if choice.params else key
        ) from None
    raw = {k: v for k, v in choice.params.items() if k not in reserved}
    try:
        params = params_from(method, raw)
    except ValidationError as exc:
        parts = []
        first_key = key
        for n, err in enumerate(exc.errors()):
            sub = ".".join(str(p) for p in err["loc"])
            what = "unknown parameter" if err["type"] == "extra_forbidden" else err["msg"]
            what = what.removeprefix("Value error, ")
            if err["type"] == "missing":
                what = f"required parameter of method '{choice.method}' is missing"
            full = f"{key}.{sub}" if sub else key
            first_key = full if n == 0 else first_key
            parts.append(what if n == 0 else f"key '{full}': {what}")
        raise SpecError("; ".join(parts), path=path, key=first_key) from None
    return method, params


def _effective_leaf_weights(n_leaves: int, nodes: tuple[NodePlan, ...]) -> FloatArray:
    """Each leaf's share of the root's weight, multiplying normalised weights down the tree."""
    n_slots = n_leaves + len(nodes)
    share = np.zeros(n_slots)
    share[-1] = 1.0
    for i in range(len(nodes) - 1, -1, -1):
        node = nodes[i]
        w = node.weights / node.weights.sum()
        for child, wk in zip(node.children, w, strict=True):
            share[child] += share[n_leaves + i] * wk
    return share[:n_leaves]


def compile_plan(
    spec: IndexSpec,
    *,
    host: PluginHost | None = None,
    variables: Any = None,
) -> Plan:
    """Compile an index spec against the plugins (and the data's variables).

    Parameters
    ----------
    spec : IndexSpec
    host : PluginHost, optional
        Defaults to :func:`riskcore.plugins.get_host`.
    variables : collection of str, optional
        The data's variables (a :class:`Panel` will do), so that a leaf that is neither a node nor
        a plugin indicator can be checked as a raw data variable.

    Returns
    -------
    Plan

    Raises
    ------
    SpecError
        Unknown methods, bad method parameters, undefined children, raw variables without a
        direction; each naming the file and key path.
    """
    host = host or get_host()
    path = spec.path
    known = set(variables) if variables is not None else None
    defaults = spec.defaults
    leaves: list[LeafPlan] = []
    leaf_slot: dict[str, int] = {}
    nodes: list[NodePlan] = []

    def where(parent: str) -> str:
        return "index" if parent == spec.index.code else f"node.{parent}"

    def leaf(code: str, parent: str) -> int:
        if code in leaf_slot:
            raise SpecError(
                f"indicator '{code}' is used twice in the tree; a leaf has one parent",
                path=path,
                key=f"{where(parent)}.children",
            )
        section = spec.indicator.get(code)
        try:
            provided = host.indicator(code)
        except SpecError as exc:
            raise SpecError(exc.detail, path=path, key=f"{where(parent)}.children") from None
        direction = section.direction if section else None
        if provided is not None:
            ind = provided.obj
            higher = (
                ind.higher_is_riskier if direction is None else direction == "higher_is_riskier"
            )
            name, unit, requires, plugin = ind.name, ind.unit, ind.requires, provided.plugin
        else:
            if known is not None and code not in known:
                raise SpecError(
                    f"child '{code}' is not a node, not an indicator any plugin provides "
                    "(see `riskcore plugins`), and not a variable in the data",
                    path=path,
                    key=f"{where(parent)}.children",
                )
            if direction is None:
                raise SpecError(
                    f"'{code}' is a raw data variable (no plugin provides it), so its direction "
                    'must be given: direction = "higher_is_riskier" or "lower_is_riskier"',
                    path=path,
                    key=f"indicator.{code}.direction",
                )
            higher = direction == "higher_is_riskier"
            ind, plugin, requires, name = None, None, (code,), code
            unit = None
        if section and section.name:
            name = section.name
        if section and section.unit:
            unit = section.unit
        choice = (
            section.normalize if section and section.normalize else None
        ) or defaults.normalize
        key = (
            f"indicator.{code}.normalize" if section and section.normalize else "defaults.normalize"
        )
        normalizer, params = _method(
            choice, host.normalizer, path=path, key=key, reserved=("per_year",)
        )
        per_year = choice.params.get("per_year")
        if per_year is None:
            per_year = section.per_year if section and section.per_year is not None else None
        if per_year is None:
            per_year = defaults.per_year
        if not isinstance(per_year, bool):
            raise SpecError("per_year must be true or false", path=path, key=f"{key}.per_year")
        leaves.append(
            LeafPlan(
                code=code,
                name=name,
                unit=unit,
                higher_is_riskier=higher,
                indicator=ind,
                plugin=plugin,
                requires=tuple(requires),
                normalizer=normalizer,
                normalize_params=params,
                normalize_method=choice.method,
                per_year=per_year,
            )
        )
        leaf_slot[code] = len(leaves) - 1
        return leaf_slot[code]

    # Leaves get slots first, nodes after; node slots are patched once all leaves are known.
    pending: list[tuple[str, list[tuple[str, int]], FloatArray]] = []

    def visit(code: str) -> tuple[str, int]:
        children: list[tuple[str, int]] = []
        weights = spec.node_children(code)
        for child in weights:
            if child in spec.node:
                children.append(visit(child))
            else:
                children.append(("leaf", leaf(child, code)))
        pending.append((code, children, np.array(list(weights.values()), dtype=np.float64)))
        return ("node", len(pending) - 1)

    visit(spec.index.code)
    n_leaves = len(leaves)
    for code, children, weights in pending:
        is_root = code == spec.index.code
        section = spec.index if is_root else spec.node[code]
        base = "index" if is_root else f"node.{code}"
        choice = section.aggregation or defaults.aggregation
        key = f"{base}.aggregation" if section.aggregation else "defaults.aggregation"
        aggregator, params = _method(choice, host.aggregator, path=path, key=key)
        slots = tuple(i if kind == "leaf" else n_leaves + i for kind, i in children)
        nodes.append(
            NodePlan(
                code=code,
                name=section.name or code,
                children=slots,
                weights=weights,
                aggregator=aggregator,
                aggregate_params=params,
                aggregate_method=choice.method,
                min_coverage=(
                    section.min_coverage
                    if section.min_coverage is not None
                    else defaults.min_coverage
                ),
            )
        )
    node_tuple = tuple(nodes)
    return Plan(
        code=spec.index.code,
        name=spec.index.name,
        scale=(float(spec.index.scale[0]), float(spec.index.scale[1])),
        leaves=tuple(leaves),
        nodes=node_tuple,
        path=path,
        leaf_weights=_effective_leaf_weights(n_leaves, node_tuple),
    )


def compute_indicators(plan: Plan, panel: Panel) -> FloatArray:
    """Compute every leaf's raw values from the panel.

    Each plugin indicator is computed on its own, so a failure is reported with the indicator's
    code and plugin.

    Parameters
    ----------
    plan : Plan
    panel : Panel

    Returns
    -------
    ndarray, shape (n_leaves, n_countries, n_years)

    Raises
    ------
    DataError
        A variable a leaf needs is not in the data.
    IndicatorError
        An indicator raised, or returned an array of the wrong shape.
    """
    shape = (len(panel.countries), len(panel.years))
    out = np.empty((len(plan.leaves), *shape))
    for i, leaf in enumerate(plan.leaves):
        missing = [v for v in leaf.requires if v not in panel]
        if missing:
            who = f"indicator '{leaf.code}'" + (f" (plugin '{leaf.plugin}')" if leaf.plugin else "")
            raise DataError(
                f"{who} needs variable(s) {', '.join(repr(m) for m in missing)}, which the data "
                f"do not have (variables present: {', '.join(panel.variables)})",
                path=panel.path,
            )
        if leaf.indicator is None:
            out[i] = panel[leaf.code]
            continue
        try:
            with np.errstate(divide="ignore", invalid="ignore"):
                values = leaf.indicator.compute(panel)
            arr = np.asarray(values, dtype=np.float64)
        except Exception as exc:
            raise IndicatorError(
                f"compute() raised {type(exc).__name__}: {exc}",
                code=leaf.code,
                plugin=leaf.plugin or "?",
            ) from exc
        if arr.shape != shape:
            raise IndicatorError(
                f"compute() returned shape {arr.shape}, expected {shape} (countries x years)",
                code=leaf.code,
                plugin=leaf.plugin or "?",
            )
        out[i] = np.where(np.isfinite(arr), arr, np.nan)
    return out


@dataclass(frozen=True)
class Evaluation:
    """What :func:`evaluate` returns; every array has the batch axis first.

    Attributes
    ----------
    normalized : ndarray, shape (batch, n_leaves, countries, years)
        Normalised leaf values, risky end high (direction applied).
    nodes : ndarray, shape (batch, n_nodes, countries, years)
        Node values on the normalised scale (root last).
    node_coverage : ndarray, shape (batch, n_nodes, countries, years)
        Share of each node's weight carried by present children.
    coverage : ndarray, shape (batch, countries, years)
        Share of the index's total (effective) weight backed by data.
    score : ndarray, shape (batch, countries, years)
        The root on the index scale; NaN when it cannot be computed.
    rank : ndarray, shape (batch, countries, years)
        1 for the highest score in each year; ties share the lowest rank; NaN for no score.
    """

    normalized: FloatArray
    nodes: FloatArray
    node_coverage: FloatArray
    coverage: FloatArray
    score: FloatArray
    rank: FloatArray


def normalize_leaves(plan: Plan, raw: FloatArray) -> FloatArray:
    """Normalise raw leaf values ``(batch, n_leaves, countries, years)``, direction applied."""
    out = np.empty_like(raw)
    for i, leaf in enumerate(plan.leaves):
        axis = (1,) if leaf.per_year else (1, 2)
        y = leaf.normalizer(raw[:, i], leaf.normalize_params, axis=axis)
        if not leaf.higher_is_riskier:
            y = 2.0 * leaf.normalizer.center - y
        out[:, i] = y
    return out


def evaluate(
    plan: Plan,
    raw: FloatArray,
    *,
    weights: Mapping[str, FloatArray] | None = None,
) -> Evaluation:
    """Score raw leaf values through the plan.

    Parameters
    ----------
    plan : Plan
    raw : ndarray, shape (batch, n_leaves, countries, years) or (n_leaves, countries, years)
        Raw leaf values, as from :func:`compute_indicators`; NaN for missing.
    weights : mapping of node code to ndarray, optional
        Replacement weights per node, shape ``(k,)`` or ``(batch, k)``: how Monte Carlo runs vary
        weights without recompiling.

    Returns
    -------
    Evaluation
    """
    x = np.asarray(raw, dtype=np.float64)
    if x.ndim == 3:
        x = x[np.newaxis]
    batch, n_leaves, n_c, n_y = x.shape
    if n_leaves != len(plan.leaves):
        raise ValueError(f"raw has {n_leaves} leaves, the plan {len(plan.leaves)}")
    norm = normalize_leaves(plan, x)
    slots = np.empty((batch, n_leaves + len(plan.nodes), n_c, n_y))
    slots[:, :n_leaves] = norm
    coverage = np.empty((batch, len(plan.nodes), n_c, n_y))
    for j, node in enumerate(plan.nodes):
        w = node.weights if weights is None else weights.get(node.code, node.weights)
        w = np.asarray(w, dtype=np.float64)
        w = w[:, np.newaxis, np.newaxis, :] if w.ndim == 2 else w  # (batch, 1, 1, k)
        children = np.moveaxis(slots[:, list(node.children)], 1, -1)  # (batch, c, y, k)
        present = ~np.isnan(children)
        w_present = np.where(present, w, 0.0)
        total = np.sum(np.broadcast_to(w, children.shape), axis=-1)
        share = np.sum(w_present, axis=-1) / total
        with np.errstate(invalid="ignore", divide="ignore"):
            w_norm = w_present / np.sum(w_present, axis=-1, keepdims=True)
        value = node.aggregator(np.where(present, children, 1.0), w_norm, node.aggregate_params)
        ok = (share + _COVERAGE_TOL >= node.min_coverage) & (share > 0)
        slots[:, n_leaves + j] = np.where(ok, value, np.nan)
        coverage[:, j] = share
    lo, hi = plan.scale
    root = slots[:, -1]
    score = lo + (hi - lo) * root
    present_leaves = ~np.isnan(x)
    cov = np.einsum("blcy,l->bcy", present_leaves.astype(np.float64), plan.leaf_weights)
    rank = rank_min(-score, axis=1)
    return Evaluation(
        normalized=norm,
        nodes=slots[:, n_leaves:],
        node_coverage=coverage,
        coverage=cov,
        score=score,
        rank=rank,
    )
