"""Questions about a compiled tree: where a code sits, what a node can lose, what each leaf
weighs.

Shared by the compiler (:mod:`riskcore.plan`), the one compiler of variants
(:mod:`riskcore.variants`) and the engine; plain functions of a :class:`~riskcore.plan.Plan`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from riskcore.errors import SpecError
from riskcore.methods.base import MethodParams

if TYPE_CHECKING:
    from riskcore.plan import NodePlan, Plan

__all__ = [
    "check_aggregation",
    "check_left_out",
    "check_weights",
    "effective_leaf_weights",
    "leaf_weights",
    "locate",
    "weighted_children",
]

FloatArray = NDArray[np.float64]


def weighted_children(node: NodePlan) -> int:
    """How many children take part in a node: those with a positive weight (all of them when
    the weights come from the data)."""
    if node.weighting is not None:
        return len(node.children)
    return int(np.count_nonzero(np.asarray(node.weights) > 0))


def locate(plan: Plan, code: str, *, path: str | None, key: str) -> tuple[int, int]:
    """The parent of an indicator or node (its index in ``plan.nodes``) and the child's position
    among the parent's children; SpecError naming ``key`` when ``code`` is not in the index."""
    slots = plan.slot_codes
    if code not in slots[:-1]:
        raise SpecError(f"'{code}' is not an indicator or node of the index", path=path, key=key)
    slot = slots.index(code)
    j = next(j for j, n in enumerate(plan.nodes) if slot in n.children)
    return j, plan.nodes[j].children.index(slot)


def check_left_out(
    node: NodePlan,
    k: int,
    code: str,
    *,
    path: str | None,
    key: str,
    weights: FloatArray | None = None,
    methods: Sequence[tuple[Any, MethodParams]] = (),
    verb: str = "leaving out",
) -> None:
    """Check that ``node`` still aggregates without its child ``k`` (``code``).

    Parameters
    ----------
    weights : ndarray, optional
        The node's weights before this removal (default: its own), for several removals.
    methods : sequence of (aggregator, params)
        Other aggregations the node may use (uncertainty alternatives); its own always counts.

    Raises
    ------
    SpecError
        Naming ``key`` when no child would be left, or when an aggregation cannot hold for the
        children left.
    """
    if node.weighting is not None:
        left = len(node.children) - 1
    else:
        w = np.array(node.weights if weights is None else weights, dtype=np.float64)
        w[k] = 0.0
        left = int(np.count_nonzero(w > 0))
    if left == 0:
        raise SpecError(
            f"{verb} '{code}' leaves '{node.code}' without children", path=path, key=key
        )
    if k in node.required:
        raise SpecError(
            f"{verb} '{code}' leaves '{node.code}' always missing: it is a required child",
            path=path,
            key=key,
        )
    for aggregator, params in [(node.aggregator, node.aggregate_params), *methods]:
        check_aggregation(
            aggregator, params, node, path=path, key=key, n_children=left, why=f" without '{code}'"
        )


def check_aggregation(
    aggregator: Any,
    params: MethodParams,
    node: NodePlan,
    *,
    path: str | None,
    key: str,
    n_children: int | None = None,
    why: str = "",
) -> None:
    """Reject parameters an aggregation method says cannot hold for the node's number of
    children (its optional ``check``), naming the file and ``key``.

    Parameters
    ----------
    n_children : int, optional
        How many children take part, when fewer than the node's (a child excluded or dropped);
        ``why`` then says which.

    Raises
    ------
    SpecError
    """
    check = getattr(aggregator, "check", None)
    if check is None:
        return
    try:
        check(params, weighted_children(node) if n_children is None else n_children)
    except ValueError as exc:
        raise SpecError(f"node '{node.code}'{why}: {exc}", path=path, key=key) from None


def effective_leaf_weights(
    n_leaves: int, nodes: Sequence[NodePlan], weights: Mapping[str, FloatArray] | None = None
) -> FloatArray:
    """Each leaf's share of the root's weight, multiplying normalised weights down the tree.

    Under a ``sum`` node a child's share is its points: its weight times its span (1 for a
    leaf or a mean, the total of its own weights times spans for a sum).

    Parameters
    ----------
    n_leaves : int
    nodes : sequence of NodePlan
        In post-order, root last.
    weights : mapping of node code to ndarray, optional
        Replacement weights of some nodes, shape ``(k,)`` or ``(runs, k)`` (a dropped child has
        weight 0): the shares are then those of each run.

    Returns
    -------
    ndarray, shape (n_leaves,), or (runs, n_leaves) when a replacement has a run axis
    """
    weights = weights or {}
    runs = max([np.shape(w)[0] for w in weights.values() if np.ndim(w) == 2], default=0)
    n_slots = n_leaves + len(nodes)

    def node_weights(node: NodePlan) -> FloatArray:
        w = np.atleast_2d(np.asarray(weights.get(node.code, node.weights), dtype=np.float64))
        return np.broadcast_to(w, (max(runs, 1), w.shape[-1]))

    span = np.ones((max(runs, 1), n_slots))
    for i, node in enumerate(nodes):  # post-order: children before parents
        if node.points:
            kids = list(node.children)
            span[:, n_leaves + i] = np.sum(node_weights(node) * span[:, kids], axis=-1)
    share = np.zeros((max(runs, 1), n_slots))
    share[:, -1] = 1.0
    for i in range(len(nodes) - 1, -1, -1):
        node = nodes[i]
        w = node_weights(node) * (span[:, list(node.children)] if node.points else 1.0)
        w = w / w.sum(axis=-1, keepdims=True)
        for k, child in enumerate(node.children):
            share[:, child] += share[:, n_leaves + i] * w[:, k]
    out: FloatArray = share[:, :n_leaves] if runs else share[0, :n_leaves]
    return out


def leaf_weights(plan: Plan, weights: Mapping[str, FloatArray] | None = None) -> FloatArray:
    """Each leaf's share of the index's weight under replacement weights (a drop, weight
    noise): what coverage counts. Shape ``(leaves,)``, or ``(runs, leaves)`` when a
    replacement has a run axis; without replacements, :attr:`Plan.leaf_weights`."""
    if not weights:
        return plan.leaf_weights
    return effective_leaf_weights(len(plan.leaves), plan.nodes, weights)


def check_weights(plan: Plan, weights: Mapping[str, Any] | None) -> None:
    """Replacement weights given to the engine from Python: known nodes, one weight per child,
    finite, non-negative, not all zero.

    Raises
    ------
    ValueError
        Naming the node and what is wrong.
    """
    nodes = {n.code: n for n in plan.nodes}
    for code, w in (weights or {}).items():
        node = nodes.get(code)
        if node is None:
            raise ValueError(
                f"weights: '{code}' is not a node of the index (nodes: {', '.join(nodes)})"
            )
        arr = np.asarray(w, dtype=np.float64)
        if arr.ndim not in (1, 2) or arr.shape[-1] != len(node.children):
            raise ValueError(
                f"weights of '{code}': expected {len(node.children)} weights (one per child) "
                f"or an array (runs, {len(node.children)}), got shape {arr.shape}"
            )
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"weights of '{code}' must be finite numbers")
        if np.any(arr < 0):
            raise ValueError(f"weights of '{code}' must be >= 0, got {arr.min():g}")
        if np.any(arr.sum(axis=-1) <= 0):
            raise ValueError(f"weights of '{code}' are all zero; at least one must be positive")
