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

from riskcore.methods.base import rank_min
from riskcore.methods.weighting import WeightContext
from riskcore.plan import Plan

__all__ = ["Evaluation", "aggregate", "evaluate", "normalize_leaves", "round_half_away"]

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
    """

    normalized: FloatArray
    nodes: FloatArray
    node_coverage: FloatArray
    coverage: FloatArray
    score: FloatArray
    rank: FloatArray
    weights: dict[str, FloatArray] = field(default_factory=dict)
    country_weights: dict[str, FloatArray] = field(default_factory=dict)


def round_half_away(x: FloatArray, digits: int) -> FloatArray:
    """Round half away from zero, as spreadsheets do (``ROUND(2.5, 0) = 3``, ``-2.5 -> -3``).

    A relative nudge of a few ulps absorbs binary representation error, so that ``2.675``
    rounds to ``2.68`` as a spreadsheet shows it; rounding is idempotent.
    """
    scale = 10.0**digits
    y = np.abs(x) * scale
    out: FloatArray = np.sign(x) * np.floor(y + 0.5 + 4 * np.finfo(float).eps * y) / scale
    return out


def _round_on_scale(plan: Plan, v: FloatArray, digits: int | None) -> FloatArray:
    if digits is None:
        return v
    lo, hi = plan.scale
    return (round_half_away(lo + (hi - lo) * v, digits) - lo) / (hi - lo)


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
        out[:, i] = _round_on_scale(plan, y, leaf.round)
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
        weights without recompiling.

    Returns
    -------
    Evaluation
    """
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
    norm = normalized
    sizes = [np.shape(w)[0] for w in (weights or {}).values() if np.ndim(w) == 2]
    sizes += [len(pick) for _, pick in (choices or {}).values()]
    if sizes and norm.shape[0] == 1 and max(sizes) > 1:  # one data set, many weight sets
        norm = np.broadcast_to(norm, (max(sizes), *norm.shape[1:]))
    batch, n_leaves, n_c, n_y = norm.shape
    slots = np.empty((batch, n_leaves + len(plan.nodes), n_c, n_y))
    slots[:, :n_leaves] = norm
    coverage = np.empty((batch, len(plan.nodes), n_c, n_y))
    used: dict[str, FloatArray] = {}
    chosen: dict[str, FloatArray] = {}
    lo, hi = plan.scale
    in_points = np.array([False] * n_leaves + [node.points for node in plan.nodes])
    for j, node in enumerate(plan.nodes):
        children = np.moveaxis(slots[:, list(node.children)], 1, -1)  # (batch, c, y, k)
        if weights is not None and node.code in weights:
            w = np.asarray(weights[node.code], dtype=np.float64)
        elif node.weighting is not None:
            context = WeightContext(node.code, node.child_codes)
            w = node.weighting(children, node.weights, node.weighting_params, context=context)
        else:
            w = node.weights
        w = np.asarray(w, dtype=np.float64)
        used[node.code] = w / np.sum(w, axis=-1, keepdims=True)
        w = w[:, np.newaxis, np.newaxis, :] if w.ndim == 2 else w  # (batch, 1, 1, k)
        present = ~np.isnan(children)
        w_present = np.where(present, w, 0.0)
        carried = np.sum(w_present, axis=-1, keepdims=True)
        share = carried[..., 0] / np.sum(w, axis=-1)
        with np.errstate(invalid="ignore", divide="ignore"):
            w_norm = w_present / carried
        filled = np.where(present, children, 1.0)
        if choices is not None and node.code in choices:
            alternatives, pick = choices[node.code]
            value = np.empty((batch, n_c, n_y))
            for a, (method, params) in enumerate(alternatives):
                rows = pick == a
                if rows.any():
                    value[rows] = method(filled[rows], w_norm[rows], params)
        elif node.points:  # weights as given; a child that is a sum counts its points
            kids = np.where(in_points[list(node.children)], lo + (hi - lo) * filled, filled)
            value = (node.aggregator(kids, w_present, node.aggregate_params) - lo) / (hi - lo)
        elif hasattr(node.aggregator, "with_weights"):  # weights chosen per country
            value, chosen[node.code] = node.aggregator.with_weights(
                filled, w_norm, node.aggregate_params
            )
        else:
            value = node.aggregator(filled, w_norm, node.aggregate_params)
        ok = (share + _COVERAGE_TOL >= node.min_coverage) & (share > 0)
        slots[:, n_leaves + j] = np.where(ok, _round_on_scale(plan, value, node.round), np.nan)
        coverage[:, j] = share
    score = lo + (hi - lo) * slots[:, -1]
    # computed before any broadcast over weight sets: the data are the same in every member
    with_value = (~np.isnan(normalized)).astype(np.float64)
    cov = np.broadcast_to(
        np.einsum("blcy,l->bcy", with_value, plan.leaf_weights), (batch, n_c, n_y)
    )
    return Evaluation(
        normalized=norm,
        nodes=slots[:, n_leaves:],
        node_coverage=coverage,
        coverage=cov,
        score=score,
        rank=rank_min(-score, axis=1),
        weights=used,
        country_weights=chosen,
    )
