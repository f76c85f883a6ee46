"""The statistical audit of a scored index, the JRC way.

For every node: the correlations among its children, of each child with the node and with the
index; Cronbach's alpha of the children; the variance the first principal component explains;
and each child's *effective weight*, its share of the node's variance explained (squared
correlation with the node, scaled to sum one), next to its nominal weight. Warnings flag
collinear pairs of children (``|r|`` above ``collinear``) and children negatively correlated with
their own node (``r`` below ``negative``), which the JRC treats as signs of double counting and
of an indicator working against its dimension.

References
----------
OECD/JRC (2008), *Handbook on Constructing Composite Indicators*, steps 4 and 7;
Paruolo, Saisana and Saltelli (2013), "Ratings and rankings: voodoo or science?", *JRSS A*
176(3) (correlation ratios as effective weights).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from riskcore.integrity import IntegrityWarning
from riskcore.integrity import audit_warnings as integrity_warnings
from riskcore.methods.base import rank_min
from riskcore.result import Scores
from riskcore.text import number

__all__ = ["Audit", "NodeAudit", "audit", "cronbach_alpha"]

FloatArray = NDArray[np.float64]


def _corr(a: FloatArray, b: FloatArray) -> float:
    ok = ~(np.isnan(a) | np.isnan(b))
    if ok.sum() < 3 or np.std(a[ok]) == 0 or np.std(b[ok]) == 0:
        return math.nan
    return float(np.corrcoef(a[ok], b[ok])[0, 1])


def _rank(x: FloatArray) -> FloatArray:
    """Average ranks (ties share the mean of their positions), NaN kept: Spearman's ranks."""
    low = rank_min(x)
    out = np.full(x.shape, np.nan)
    ok = ~np.isnan(x)
    _, inverse, counts = np.unique(x[ok], return_inverse=True, return_counts=True)
    out[ok] = low[ok] + (counts[inverse] - 1) / 2.0
    return out


def cronbach_alpha(x: FloatArray) -> float:
    """Cronbach's alpha of the columns of ``x`` (rows with a missing value left out).

    ``k / (k - 1) * (1 - sum(var(x_i)) / var(sum(x_i)))``; NaN for fewer than two columns or
    three complete rows.
    """
    rows = x[~np.any(np.isnan(x), axis=1)]
    k = x.shape[1]
    if k < 2 or rows.shape[0] < 3:
        return math.nan
    total = float(np.var(rows.sum(axis=1), ddof=1))
    if total == 0:
        return math.nan
    parts = float(np.sum(np.var(rows, axis=0, ddof=1)))
    return float(k / (k - 1) * (1 - parts / total))


@dataclass
class NodeAudit:
    """The audit of one node (or the index).

    Attributes
    ----------
    code, name : str
    children : list of str
    correlations : list of list of float
        Among the children, in ``children`` order.
    with_node, with_index : dict of str to float
        Each child's correlation with this node and with the index.
    alpha : float
        Cronbach's alpha of the children.
    first_component : float
        Share of the children's variance the first principal component explains.
    components_above_one : int
        Eigenvalues of the children's correlation matrix above one.
    nominal_weights, effective_weights : dict of str to float
    warnings : list of str
    """

    code: str
    name: str
    children: list[str]
    correlations: list[list[float]]
    with_node: dict[str, float]
    with_index: dict[str, float]
    alpha: float
    first_component: float
    components_above_one: int
    nominal_weights: dict[str, float]
    effective_weights: dict[str, float]
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (NaN as None)."""

        def clean(v: Any) -> Any:
            if isinstance(v, float):
                return None if math.isnan(v) else v
            if isinstance(v, dict):
                return {k: clean(x) for k, x in v.items()}
            if isinstance(v, list):
                return [clean(x) for x in v]
            return v

        return {k: clean(v) for k, v in self.__dict__.items()}


@dataclass
class Audit:
    """The audit of an index for one year (or all years pooled)."""

    index: str
    year: int | None
    method: str
    observations: int
    nodes: list[NodeAudit]
    integrity: list[IntegrityWarning] = field(default_factory=list)

    @property
    def warnings(self) -> list[str]:
        """The audit's integrity warnings (too few observations, pooled structural zeros),
        then every node's warnings."""
        return [str(w) for w in self.integrity] + [w for n in self.nodes for w in n.warnings]

    def to_dict(self) -> dict[str, Any]:
        """The JSON of ``riskcore audit --format json``."""
        return {
            "index": self.index,
            "year": self.year,
            "correlation": self.method,
            "observations": self.observations,
            "nodes": [n.to_dict() for n in self.nodes],
            "warnings": self.warnings,
        }

    def __str__(self) -> str:
        lines = [
            f"Statistical audit of {self.index}, "
            + (f"{self.year}" if self.year is not None else "all years pooled")
            + f" ({self.method} correlations, {self.observations} observations)",
        ]
        for n in self.nodes:
            alpha = "-" if math.isnan(n.alpha) else f"{n.alpha:.2f}"
            lines += [
                "",
                f"{n.name} ({n.code}): Cronbach's alpha {alpha}, first component explains "
                f"{_pct(n.first_component)}, {n.components_above_one} eigenvalue(s) above 1",
                f"  {'child':<32} {'r node':>7} {'r index':>8} {'weight':>7} {'effective':>9}",
            ]
            for c in n.children:
                lines.append(
                    f"  {c:<32} {number(n.with_node[c], 2):>7} {number(n.with_index[c], 2):>8} "
                    f"{n.nominal_weights[c]:>7.3f} {number(n.effective_weights[c], 3):>9}"
                )
        warnings = self.warnings
        lines += ["", f"Warnings ({len(warnings)}):" if warnings else "No warnings."]
        lines += [f"  - {w}" for w in warnings]
        return "\n".join(lines)


def _pct(v: float) -> str:
    return "-" if math.isnan(v) else f"{100 * v:.0f}%"


def audit(
    scores: Scores,
    year: int | None = None,
    *,
    all_years: bool = False,
    method: str = "pearson",
    collinear: float = 0.9,
    negative: float = 0.0,
) -> Audit:
    """Audit the structure of a scored index.

    Parameters
    ----------
    scores : Scores
    year : int, optional
        The year (default: the latest in the data).
    all_years : bool
        Pool every year instead (each country-year an observation).
    method : {"pearson", "spearman"}
    collinear : float
        Warn about children whose correlation exceeds this in absolute value.
    negative : float
        Warn about children whose correlation with their node is below this.

    Returns
    -------
    Audit
    """
    if method not in ("pearson", "spearman"):
        raise ValueError(f"method must be 'pearson' or 'spearman', got {method!r}")
    n_leaves = len(scores.plan.leaves)
    slots = np.concatenate([scores.normalized, scores.nodes], axis=0)  # (slots, c, y)
    if all_years:
        table = slots.reshape(slots.shape[0], -1)
        label = None
    else:
        t = scores.year_index(year)
        table = slots[:, :, t]
        label = scores.years[t]
    if method == "spearman":
        table = np.stack([_rank(row) for row in table])
    root = table[-1]
    codes = scores.plan.slot_codes
    out: list[NodeAudit] = []
    for j, node in enumerate(scores.plan.nodes):
        kids = list(node.children)
        names = [codes[k] for k in kids]
        x = table[kids].T  # (obs, k)
        corr = [[_corr(x[:, a], x[:, b]) for b in range(len(kids))] for a in range(len(kids))]
        mine = table[n_leaves + j]
        with_node = {c: _corr(x[:, i], mine) for i, c in enumerate(names)}
        with_index = {c: _corr(x[:, i], root) for i, c in enumerate(names)}
        r2 = np.array([with_node[c] ** 2 for c in names])
        eff = r2 / np.nansum(r2) if np.nansum(r2) > 0 else np.full(len(names), math.nan)
        rows = x[~np.any(np.isnan(x), axis=1)]
        first, above = math.nan, 0
        if len(kids) > 1 and rows.shape[0] > 2 and np.all(np.std(rows, axis=0) > 0):
            vals = np.linalg.eigvalsh(np.corrcoef(rows, rowvar=False))
            first, above = float(vals[-1] / vals.sum()), int(np.sum(vals > 1))
        warnings: list[str] = []
        for a in range(len(kids)):
            for b in range(a + 1, len(kids)):
                r = corr[a][b]
                if not math.isnan(r) and abs(r) > collinear:
                    warnings.append(
                        f"{node.code}: '{names[a]}' and '{names[b]}' are collinear "
                        f"(r = {r:.2f}); they may count the same thing twice"
                    )
        for c, r in with_node.items():
            if not math.isnan(r) and r < negative and len(kids) > 1:
                warnings.append(
                    f"{node.code}: '{c}' is negatively correlated with its own node "
                    f"(r = {r:.2f}); check its direction"
                )
        nominal = scores.weights.get(node.code, {})
        out.append(
            NodeAudit(
                code=node.code,
                name=node.name,
                children=names,
                correlations=corr,
                with_node=with_node,
                with_index=with_index,
                alpha=cronbach_alpha(x),
                first_component=first,
                components_above_one=above,
                nominal_weights={c: float(nominal.get(c, math.nan)) for c in names},
                effective_weights={c: float(v) for c, v in zip(names, eff, strict=True)},
                warnings=warnings,
            )
        )
    observations = int(np.sum(~np.isnan(root)))
    integrity = integrity_warnings(scores, observations, pooled=all_years, year=label)
    return Audit(scores.plan.name, label, method, observations, out, integrity)
