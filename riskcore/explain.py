"""Explaining a score: each indicator's contribution to a country's score.

:meth:`riskcore.Scores.explain` calls :func:`explain`; the method and its exactness are
described in docs/explain.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from riskcore.methods.base import json_number

if TYPE_CHECKING:
    import pandas as pd

    from riskcore.result import Scores

__all__ = ["Contribution", "Explanation", "explain"]


@dataclass(frozen=True)
class Contribution:
    """One leaf's share of a country's score.

    Attributes
    ----------
    code, name : str
        The indicator.
    path : tuple of str
        Node codes from the root down to the leaf's parent.
    raw, normalized : float or None
    weight : float
        The leaf's effective weight in the index for this country (normalised weights
        multiplied down the tree, after rescaling for missing children).
    contribution : float
        Points on the index scale; the contributions add up to ``score - scale[0]``.
    """

    code: str
    name: str
    path: tuple[str, ...]
    raw: float | None
    normalized: float | None
    weight: float
    contribution: float


@dataclass(frozen=True)
class Explanation:
    """How a country's score is made up, from :meth:`Scores.explain`.

    Attributes
    ----------
    country, year, score
    base : float
        The low end of the index scale; ``base + sum(contributions) == score``.
    contributions : tuple of Contribution
        Largest first.
    nodes : dict
        Contribution of every node, in points on the index scale.
    exact : bool
        True when every node on the way is arithmetic, or benefit of the doubt (with the
        country's own weights), and not rounded: contributions are then exactly each leaf's term
        of the sum. Otherwise each node's contribution is shared among its children in
        proportion to ``weight * value`` (see docs/explain.md).
    """

    country: str
    year: int
    score: float | None
    base: float
    contributions: tuple[Contribution, ...]
    nodes: dict[str, float]
    exact: bool

    def to_records(self) -> list[dict[str, Any]]:
        """One dict per indicator."""
        return [
            {
                "indicator": c.code,
                "name": c.name,
                "path": "/".join(c.path),
                "raw": c.raw,
                "normalized": c.normalized,
                "weight": c.weight,
                "contribution": c.contribution,
            }
            for c in self.contributions
        ]

    def to_frame(self) -> pd.DataFrame:
        """:meth:`to_records` as a pandas DataFrame indexed by indicator."""
        from riskcore.frames import records_frame

        return records_frame(self.to_records(), ["indicator"], "Explanation.to_frame")

    def __repr__(self) -> str:
        score = "no score" if self.score is None else f"score {self.score:.1f}"
        n = len(self.contributions)
        return f"<Explanation {self.country} {self.year}: {score}, {n} indicators>"

    def _repr_html_(self) -> str:
        from riskcore.display import explanation_html

        return explanation_html(self)

    def __str__(self) -> str:
        lines = [f"{self.country} {self.year}: score {self.score}"]
        for c in self.contributions:
            lines.append(f"  {c.code:<32} {c.contribution:9.3f}  (weight {c.weight:.3f})")
        return "\n".join(lines)


def explain(scores: Scores, country: str, year: int | None = None) -> Explanation:
    """Each indicator's contribution to a country's score (:meth:`riskcore.Scores.explain`).

    Parameters
    ----------
    scores : Scores
    country : str
    year : int, optional
        Default: the latest year in the data.

    Returns
    -------
    Explanation
    """
    r, t = scores.country_index(country), scores.year_index(year)
    lo, hi = scores.plan.scale
    n_leaves = len(scores.plan.leaves)
    values = np.concatenate([scores.normalized[:, r, t], scores.node_values[:, r, t]])
    contrib = np.zeros(len(values))
    weight = np.zeros(len(values))
    # factor[s]: points of the index scale per unit of slot s's value, known exactly while
    # every node above s is arithmetic (NaN below any other node)
    factor = np.full(len(values), np.nan)
    root = len(values) - 1
    contrib[root] = (hi - lo) * values[root] if not math.isnan(values[root]) else 0.0
    factor[root] = hi - lo
    weight[root] = 1.0
    exact = True
    parents: dict[int, tuple[str, ...]] = {root: ()}
    for j in range(len(scores.plan.nodes) - 1, -1, -1):
        node = scores.plan.nodes[j]
        slot = n_leaves + j
        kids = list(node.children)
        c = values[kids]
        present = ~np.isnan(c)
        used = scores.weights.get(node.code, {})
        w = np.array([used.get(code, 0.0) for code in node.child_codes])
        w = np.where(present, w, 0.0)
        if w.sum() > 0:
            w = w / w.sum()
        cz = np.where(present, c, 0.0)
        additive = bool(getattr(node.aggregator, "additive", False))
        chosen = scores.country_weights.get(node.code)
        if chosen is not None and np.all(np.isfinite(chosen[r, t])):
            # the node's value is sum(chosen * children): additive with this country's own
            # weights, which the weight column shows as shares
            additive, factor_w = True, chosen[r, t]
            w = factor_w / factor_w.sum() if factor_w.sum() > 0 else w
        else:
            factor_w = w
        if node.points and lo == 0:
            # a sum adds w_k points per unit of a child's value, w_k per unit of a sum child's
            # (its value is points / high): exact on a scale from 0
            nested = [c >= n_leaves and scores.plan.nodes[c - n_leaves].points for c in kids]
            factor_w = np.where(present, node.weights * np.where(nested, 1.0, 1.0 / hi), 0.0)
            additive = True
        # a rounded node is not the sum of its terms: its contribution is then allocated
        arithmetic = additive and not node.adjusted and not math.isnan(factor[slot])
        if not arithmetic and not math.isnan(values[slot]):
            exact = False
        wc = w * cz
        share = wc / wc.sum() if wc.sum() != 0 else w
        for k, child in enumerate(kids):
            if arithmetic:
                factor[child] = factor[slot] * factor_w[k]
                contrib[child] = factor[child] * cz[k]
            else:
                contrib[child] = contrib[slot] * share[k]
            weight[child] = weight[slot] * w[k]
            parents[child] = (*parents[slot], node.code)
    contributions = [
        Contribution(
            code=leaf.code,
            name=leaf.name,
            path=parents.get(i, ()),
            raw=json_number(scores.raw[i, r, t]),
            normalized=json_number(scores.normalized[i, r, t]),
            weight=float(weight[i]),
            contribution=float(contrib[i]),
        )
        for i, leaf in enumerate(scores.plan.leaves)
    ]
    contributions.sort(key=lambda c: -c.contribution)
    return Explanation(
        country=scores.countries[r],
        year=scores.years[t],
        score=json_number(scores.score[r, t]),
        base=lo,
        contributions=tuple(contributions),
        nodes={n.code: float(contrib[n_leaves + j]) for j, n in enumerate(scores.plan.nodes)},
        exact=exact,
    )
