"""The engine: raw leaf values through normalisation, weighting and aggregation.

:func:`evaluate` is plain numpy over the whole panel at once, with a leading *batch* axis, so that
one code path scores the nominal index (a batch of one) and thousands of Monte Carlo replications
alike. There is no Python loop over countries, years or replications; the only loops run over the
leaves and nodes of the tree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from riskcore.methods.base import rank_min, sum_last
from riskcore.methods.weighting import WeightContext
from riskcore.plan import Plan
from riskcore.tree import check_weights, leaf_weights

__all__ = [
    "Evaluation",
    "aggregate",
    "evaluate",
    "normalize_leaves",
    "root_scores",
    "round_half_away",
]

FloatArray = NDArray[np.float64]

_COVERAGE_TOL = 1e-9


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
        Share of the index's total (effective) weight on leaves with a value (imputed values
        count here; :attr:`riskcore.Scores.coverage` counts observed values only).
    score : ndarray, shape (batch, countries, years)
        The root on the index scale; NaN when it cannot be computed.
    rank : ndarray, shape (batch, countries, years)
        1 for the highest score in each year; ties share the lowest rank; NaN for no score.
    weights : dict of str to ndarray
        The weights each node used, summing to one: shape ``(k,)``, or ``(batch, k)`` when
        they vary across the batch (data-driven weighting, replacement weights).
    country_weights : dict of str to ndarray
        For a node whose aggregation chooses weights per country (``bod``): those weights,
        shape ``(batch, countries, years, k)``, with the node's value their weighted sum.
    leaf_weights : ndarray, shape (n_leaves,) or (batch, n_leaves)
        Each leaf's share of the index's weight under the weights used (a dropped leaf has 0):
        what coverage counts.
    """

    normalized: FloatArray
    nodes: FloatArray
    node_coverage: FloatArray
    coverage: FloatArray
    score: FloatArray
    rank: FloatArray
    weights: dict[str, FloatArray] = field(default_factory=dict)
    country_weights: dict[str, FloatArray] = field(default_factory=dict)
    leaf_weights: FloatArray = field(default_factory=lambda: np.zeros(0))


def round_half_away(x: FloatArray, digits: int) -> FloatArray:
    """Round half away from zero, as spreadsheets do (``ROUND(2.5, 0) = 3``, ``-2.5 -> -3``).

    A relative nudge of a few ulps absorbs binary representation error, so that ``2.675``
    rounds to ``2.68`` as a spreadsheet shows it; rounding is idempotent.
    """
    scale = 10.0**digits
    y = np.abs(x) * scale
    out: FloatArray = np.sign(x) * np.floor(y + 0.5 + 4 * np.finfo(float).eps * y) / scale
    return out


def _on_scale(
    plan: Plan,
    v: FloatArray,
    digits: int | None,
    floor: float | None = None,
    ceiling: float | None = None,
) -> FloatArray:
    """``v`` rounded on the index scale to ``digits``, then held within ``floor..ceiling``
    (index-scale units), as published indices write ``IF(ROUND(x, 1) = 0, 0.1, ...)``."""
    if digits is None and floor is None and ceiling is None:
        return v
    lo, hi = plan.scale
    x = lo + (hi - lo) * v
    if digits is not None:
        x = round_half_away(x, digits)
    if floor is not None:
        x = np.where(x < floor, floor, x)
    if ceiling is not None:
        x = np.where(x > ceiling, ceiling, x)
    out: FloatArray = (x - lo) / (hi - lo)
    return out


def center_of(normalizer: Any, params: Any) -> float:
    """The point lower-is-riskier values are reflected about: ``center_for(params)`` when the
    method defines it (its centre depends on its parameters), else its ``center``."""
    center_for = getattr(normalizer, "center_for", None)
    return float(center_for(params) if center_for is not None else normalizer.center)


def normalize_leaves(plan: Plan, raw: FloatArray) -> FloatArray:
    """Normalise raw leaf values ``(batch, n_leaves, countries, years)``, direction applied."""
    out = np.empty_like(raw)
    for i, leaf in enumerate(plan.leaves):
        axis = (1,) if leaf.per_year else (1, 2)
        reflected = None if leaf.higher_is_riskier else getattr(leaf.normalizer, "reflected", None)
        if reflected is not None:  # rank-based methods: rank the negated values
            y = reflected(raw[:, i], leaf.normalize_params, axis=axis)
        else:
            y = leaf.normalizer(raw[:, i], leaf.normalize_params, axis=axis)
            if not leaf.higher_is_riskier:
                y = 2.0 * center_of(leaf.normalizer, leaf.normalize_params) - y
        out[:, i] = _on_scale(plan, onto_range(plan, y, leaf.normalize_params), leaf.round)
    return out


def onto_range(plan: Plan, y: FloatArray, params: Any) -> FloatArray:
    """Normalised values ``y`` (0..1, direction applied) mapped onto the method's ``range``
    ``[a, b]`` of the index scale, ``a + (b - a) y``, expressed on 0..1 of the scale again;
    ``y`` itself when the parameters set no range."""
    span = getattr(params, "range", None)
    if span is None:
        return y
    lo, hi = plan.scale
    out: FloatArray = (span[0] - lo + (span[1] - span[0]) * y) / (hi - lo)
    return out


def evaluate(
    plan: Plan,
    raw: FloatArray,
    *,
    weights: Mapping[str, FloatArray] | None = None,
) -> Evaluation:
    """Score raw leaf values through the plan: normalise, then aggregate up the tree.

    Parameters
    ----------
    plan : Plan
    raw : ndarray, shape (batch, n_leaves, countries, years) or (n_leaves, countries, years)
        Leaf values after data treatment (:func:`riskcore.treat.prepare`); NaN for missing.
    weights : mapping of node code to ndarray, optional
        Replacement weights per node, shape ``(k,)`` or ``(batch, k)``: how Monte Carlo runs vary
        weights without recompiling. Each must name a node of the plan and hold one finite,
        non-negative weight per child, not all zero (``ValueError`` otherwise).

    Returns
    -------
    Evaluation
    """
    check_weights(plan, weights)
    x = np.asarray(raw, dtype=np.float64)
    if x.ndim == 3:
        x = x[np.newaxis]
    if x.shape[1] != len(plan.leaves):
        raise ValueError(f"raw has {x.shape[1]} leaves, the plan {len(plan.leaves)}")
    return aggregate(plan, normalize_leaves(plan, x), weights=weights)


def aggregate(
    plan: Plan,
    normalized: FloatArray,
    *,
    weights: Mapping[str, FloatArray] | None = None,
    choices: Mapping[str, tuple[Sequence[tuple[Any, Any]], NDArray[np.intp]]] | None = None,
) -> Evaluation:
    """Aggregate normalised leaf values up the tree, in one pass over the nodes.

    Parameters
    ----------
    plan : Plan
    normalized : ndarray, shape (batch, n_leaves, countries, years)
        Normalised leaf values, direction applied (as from :func:`normalize_leaves`).
    weights : mapping of node code to ndarray, optional
        Replacement weights per node, shape ``(k,)`` or ``(batch, k)``.
    choices : mapping of node code to (alternatives, index), optional
        Per-batch-member aggregation methods for a node: ``alternatives`` is a sequence of
        ``(aggregator, params)`` and ``index`` (shape ``(batch,)``) picks one for each member.
        Each alternative is computed once for the whole batch.

    Returns
    -------
    Evaluation
    """
    tree = _walk(plan, normalized, weights, choices, keep=True)
    batch, _, n_c, n_y = tree.norm.shape
    # computed before any broadcast over weight sets: the data are the same in every member
    with_value = (~np.isnan(normalized)).astype(np.float64)
    shares = leaf_weights(plan, weights)
    cov = np.broadcast_to(_coverage(with_value, shares), (batch, n_c, n_y))
    nodes = np.stack(tree.values, axis=1)
    shape = (batch, n_c, n_y)
    node_coverage = np.stack([np.broadcast_to(c, shape) for c in tree.coverage], axis=1)
    score = _to_scale(plan, nodes[:, -1])
    return Evaluation(
        normalized=tree.norm,
        nodes=nodes,
        node_coverage=node_coverage,
        coverage=cov,
        score=score,
        rank=rank_min(-score, axis=1),
        weights=tree.used,
        country_weights=tree.chosen,
        leaf_weights=shares,
    )


def _coverage(with_value: FloatArray, shares: FloatArray) -> FloatArray:
    """Weight on leaves with a value: ``with_value`` (batch, leaves, c, y) against leaf shares
    of shape (leaves,) or (runs, leaves)."""
    if shares.ndim == 1:
        out: FloatArray = np.einsum("blcy,l->bcy", with_value, shares)
    else:
        out = np.einsum(
            "blcy,bl->bcy",
            np.broadcast_to(with_value, (shares.shape[0], *with_value.shape[1:])),
            shares,
        )
    return out


def root_scores(
    plan: Plan,
    normalized: FloatArray,
    *,
    weights: Mapping[str, FloatArray] | None = None,
    choices: Mapping[str, tuple[Sequence[tuple[Any, Any]], NDArray[np.intp]]] | None = None,
) -> tuple[FloatArray, FloatArray]:
    """The scores and ranks of :func:`aggregate`, without what else it returns.

    For many runs at once (an uncertainty analysis): the node values, coverage and leaf
    coverage are neither kept nor computed. Arguments as for :func:`aggregate`.

    Returns
    -------
    score, rank : ndarray, shape (batch, countries, years)
    """
    norm = np.asarray(normalized, dtype=np.float64)
    if norm.shape[0] == 1:
        score = _to_scale(plan, _walk(plan, norm, weights, choices, keep=False).values[-1])
        return score, rank_min(-score, axis=1)
    # runs are independent: evaluate them leaves last and contiguous (a node's leaves are then a
    # view), grouped by aggregation choice (each alternative then works on a slice, not a
    # copy), and restore their order
    order = np.argsort(next(iter(choices.values()))[1], kind="stable") if choices else None
    leaves = np.moveaxis(norm, 1, -1)
    norm = np.moveaxis(leaves[order] if order is not None else leaves.copy(), -1, 1)
    if order is not None:
        weights = {k: w[order] if np.ndim(w) == 2 else w for k, w in (weights or {}).items()}
        # a choice that nodes share reordered once (kept with it: an id alone could be reused)
        picks: dict[int, tuple[Any, NDArray[np.intp]]] = {}
        ordered = {}
        for k, (alts, p) in (choices or {}).items():
            if id(p) not in picks or picks[id(p)][0] is not p:
                picks[id(p)] = (p, p[order])
            ordered[k] = (alts, picks[id(p)][1])
        choices = ordered
    root = _to_scale(plan, _walk(plan, norm, weights, choices, keep=False).values[-1])
    score = np.empty_like(root)
    score[order if order is not None else slice(None)] = root
    return score, rank_min(-score, axis=1)


def _to_scale(plan: Plan, root: FloatArray) -> FloatArray:
    lo, hi = plan.scale
    out: FloatArray = lo + (hi - lo) * root
    return out


@dataclass
class _Tree:
    norm: FloatArray
    values: list[FloatArray]  # per node (every node when kept, else the root alone)
    coverage: list[FloatArray]  # per node when kept, broadcastable to (batch, countries, years)
    used: dict[str, FloatArray]
    chosen: dict[str, FloatArray]


def _walk(
    plan: Plan,
    normalized: FloatArray,
    weights: Mapping[str, FloatArray] | None,
    choices: Mapping[str, tuple[Sequence[tuple[Any, Any]], NDArray[np.intp]]] | None,
    *,
    keep: bool,
) -> _Tree:
    """One pass up the tree, children stacked last and contiguous, masks only where a child
    is missing, and each aggregation alternative on its own runs (slices when sorted)."""
    norm = normalized
    sizes = [np.shape(w)[0] for w in (weights or {}).values() if np.ndim(w) == 2]
    sizes += [len(pick) for _, pick in (choices or {}).values()]
    if sizes and norm.shape[0] == 1 and max(sizes) > 1:  # one data set, many weight sets
        norm = np.broadcast_to(norm, (max(sizes), *norm.shape[1:]))
    batch, n_leaves, n_c, n_y = norm.shape
    leaves = np.moveaxis(norm, 1, -1)  # (batch, c, y, leaves): contiguous from root_scores
    slots: list[FloatArray | None] = [leaves[..., i] for i in range(n_leaves)]
    parents = [0] * (n_leaves + len(plan.nodes))  # how many nodes still need each slot
    for node in plan.nodes:
        for c in node.children:
            parents[c] += 1
    tree = _Tree(norm, [], [], {}, {})
    # a not_applicable leaf without a value takes no part: its weight leaves the node's total,
    # and a node whose every weighted child is not applicable is not applicable itself
    # (None: applicable everywhere)
    applicable: list[Any] = [
        ~np.isnan(slots[i]) if leaf.missing == "not_applicable" else None  # type: ignore[arg-type]
        for i, leaf in enumerate(plan.leaves)
    ]
    lo, hi = plan.scale
    in_points = np.array([False] * n_leaves + [node.points for node in plan.nodes])
    # each choice's runs per alternative, with the choice itself (its id alone could be reused)
    groups: dict[tuple[int, int], tuple[NDArray[np.intp], list[list[Any]]]] = {}
    for j, node in enumerate(plan.nodes):
        first, last = node.children[0], node.children[-1]
        if last < n_leaves and list(node.children) == list(range(first, last + 1)):
            children = leaves[..., first : last + 1]  # (batch, c, y, k): a view
        else:
            children = np.stack([slots[c] for c in node.children], axis=-1)  # type: ignore[misc]
        for c in node.children:
            parents[c] -= 1
            if not keep and parents[c] == 0 and c >= n_leaves:
                slots[c] = None  # no longer needed
        if weights is not None and node.code in weights:
            w = np.asarray(weights[node.code], dtype=np.float64)
        elif node.weighting is not None:
            context = WeightContext(node.code, node.child_codes)
            w = node.weighting(children, node.weights, node.weighting_params, context=context)
        else:
            w = node.weights
        w = np.asarray(w, dtype=np.float64)
        tree.used[node.code] = w / np.sum(w, axis=-1, keepdims=True)
        w = w[:, np.newaxis, np.newaxis, :] if w.ndim == 2 else w  # (batch, 1, 1, k)
        w = w.reshape((1,) * (4 - w.ndim) + w.shape)
        missing = np.isnan(children)
        if missing.any():
            if _same_in_every_run(missing, w, [applicable[c] for c in node.children]):
                missing = missing[:1]  # masks, weights and coverage once for every run
            present = ~missing
            w_present = np.where(present, w, 0.0)
            carried = sum_last(w_present)[..., np.newaxis]  # np.sum's bits, faster
            total = np.sum(w, axis=-1)
            node_applicable = None
            if any(applicable[c] is not None for c in node.children):
                mask = np.stack(
                    [np.ones(children.shape[:-1], bool) if applicable[c] is None else applicable[c]
                     for c in node.children],
                    axis=-1,
                )  # fmt: skip
                w_applicable = np.where(mask, w, 0.0)
                total = np.sum(w_applicable, axis=-1)
                node_applicable = np.any(w_applicable > 0, axis=-1)
            with np.errstate(invalid="ignore", divide="ignore"):
                share: Any = np.where(total > 0, carried[..., 0] / total, 0.0)
            with np.errstate(invalid="ignore", divide="ignore"):
                w_norm = w_present / carried
            filled = np.where(present, children, 1.0)
        else:  # every child present: no masks, weights broadcast
            node_applicable = None
            share = np.ones((1, 1, 1))
            w_present = w
            w_norm = w / np.sum(w, axis=-1, keepdims=True)
            filled = children
        # the methods share these weights (every alternative of a choice, every run when
        # broadcast): read-only, so that a method cannot change them for the others
        w_norm.flags.writeable = False
        if choices is not None and node.code in choices:
            alternatives, pick = choices[node.code]
            value = np.empty((batch, n_c, n_y))
            key = (id(pick), len(alternatives))  # nodes often share one choice of method
            if key not in groups or groups[key][0] is not pick:
                groups[key] = (pick, [_runs_of(pick, a) for a in range(len(alternatives))])
            for a, (method, params) in enumerate(alternatives):
                for rows in groups[key][1][a]:
                    value[rows] = method(_rows_of(filled, rows), _rows_of(w_norm, rows), params)
        elif node.points:  # weights as given; a child that is a sum counts its points
            kids = np.where(in_points[list(node.children)], lo + (hi - lo) * filled, filled)
            value = (node.aggregator(kids, w_present, node.aggregate_params) - lo) / (hi - lo)
        elif hasattr(node.aggregator, "with_weights"):  # weights chosen per country
            value, tree.chosen[node.code] = node.aggregator.with_weights(
                filled, np.broadcast_to(w_norm, filled.shape), node.aggregate_params
            )
        else:
            value = node.aggregator(filled, w_norm, node.aggregate_params)
        value = _on_scale(plan, value, node.round, node.floor, node.ceiling)
        if not np.all(share + _COVERAGE_TOL >= node.min_coverage) or not np.all(share > 0):
            ok = (share + _COVERAGE_TOL >= node.min_coverage) & (share > 0)
            value = np.where(ok, value, np.nan)
        if node.required and missing.any():  # a required child missing: the node is missing
            value = np.where(np.any(missing[..., list(node.required)], axis=-1), np.nan, value)
        slots.append(value)
        applicable.append(node_applicable)
        if keep or j == len(plan.nodes) - 1:
            tree.values.append(value)
        if keep:
            tree.coverage.append(share)
    return tree


def _same_in_every_run(missing: NDArray[np.bool_], w: FloatArray, applicable: list[Any]) -> bool:
    """Whether a node's missing children are the same in every run while its weights are too
    (the children a table of alternatives gives, fixed weights): its masks, normalised weights
    and coverage are then those of the first run, which saves full passes over the runs."""
    if missing.shape[0] < 2 or w.shape[0] != 1 or any(a is not None for a in applicable):
        return False
    return not bool((missing[1:] != missing[:1]).any())


def _runs_of(pick: NDArray[np.intp], a: int) -> list[Any]:
    """The runs that picked alternative ``a``: one slice when ``pick`` is sorted, else a mask."""
    if len(pick) < 2 or bool(np.all(pick[1:] >= pick[:-1])):
        lo, hi = np.searchsorted(pick, [a, a + 1])
        return [slice(int(lo), int(hi))] if hi > lo else []
    rows = pick == a
    return [rows] if rows.any() else []


def _rows_of(w: FloatArray, rows: Any) -> FloatArray:
    """Some runs of an array: the array itself when it is the same for every run."""
    out: FloatArray = w if w.shape[0] == 1 else w[rows]
    return out
