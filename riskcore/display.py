"""Rich display in notebooks: the HTML that ``_repr_html_`` returns, and the index tree.

Jupyter shows an object by calling its ``_repr_html_``; riskcore's results, the index spec and
the data panel each have one, built here, so that the classes keep one thin method each. The
HTML is self-contained (no script, no external style), escaped, and short: at most
:data:`MAX_ROWS` rows per table, with the number left out said.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd
    import xarray as xr

    from riskcore.explain import Explanation
    from riskcore.panel import Panel
    from riskcore.plan import Plan
    from riskcore.result import Scores
    from riskcore.spec import IndexSpec
    from riskcore.uncertainty import SensitivityResult, UncertaintyResult

__all__ = [
    "MAX_ROWS",
    "Displayed",
    "IndexDisplay",
    "ScoresDisplay",
    "TreeRow",
    "explanation_html",
    "index_html",
    "panel_html",
    "scores_html",
    "sensitivity_html",
    "tree_rows",
    "uncertainty_html",
]

#: The most rows a table shows; the rest are counted in a last line.
MAX_ROWS = 30

_STYLE = "border-collapse:collapse;font-size:90%"
_CELL = "padding:1px 8px;text-align:{align}"


def _e(value: Any) -> str:
    return html.escape(str(value))


def _num(value: Any, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "&ndash;"
    return f"{float(value):.{digits}f}"


def _table(caption: str, head: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A table of already escaped cells; numbers right-aligned, the first column left."""
    body = list(rows)
    shown = body[:MAX_ROWS]

    def cells(row: Sequence[str], tag: str) -> str:
        return "".join(
            f'<{tag} style="{_CELL.format(align="left" if i < 2 else "right")}">{c}</{tag}>'
            for i, c in enumerate(row)
        )

    parts = [f'<table style="{_STYLE}"><caption style="text-align:left">{caption}</caption>']
    parts.append(f"<thead><tr>{cells([_e(h) for h in head], 'th')}</tr></thead><tbody>")
    parts.extend(f"<tr>{cells(row, 'td')}</tr>" for row in shown)
    if len(body) > len(shown):
        parts.append(f'<tr><td colspan="{len(head)}">... {len(body) - len(shown)} more</td></tr>')
    parts.append("</tbody></table>")
    return "".join(parts)


def _chip(scores: Scores, band: str | None) -> str:
    if band is None:
        return "&ndash;"
    colours = ("#fff3b0", "#fed976", "#fd8d3c", "#e31a1c", "#800026")
    names = [name for name, _ in scores.plan.bands]
    colour = colours[min(len(colours) - 1, round(names.index(band) * 4 / max(1, len(names) - 1)))]
    return f'<span style="background:{colour};padding:0 4px">{_e(band)}</span>'


def scores_html(scores: Scores, year: int | None = None) -> str:
    """The ranked table of one year (default: the latest): rank, country, score, band,
    coverage and every node."""
    t = scores.year_index(year)
    nodes = [(j, n.name) for j, n in enumerate(scores.plan.nodes[:-1])]
    head = ["Rank", "Country", "Score", "Band", "Coverage", *(name for _, name in nodes)]
    rows = []
    for r in scores.ranked(scores.years[t]):
        rank = scores.rank[r, t]
        score = float(scores.score[r, t])
        rows.append(
            [
                "&ndash;" if math.isnan(rank) else str(int(rank)),
                f"{_e(scores.countries[r])} {_e(scores.panel.country_names[scores.countries[r]])}",
                _num(score),
                _chip(scores, scores.band_of(score)),
                f"{float(scores.coverage[r, t]):.0%}",
                *(_num(scores.nodes[j, r, t]) for j, _ in nodes),
            ]
        )
    lo, hi = scores.plan.scale
    caption = (
        f"<b>{_e(scores.plan.name)}</b>, {scores.years[t]} (scale {lo:g}-{hi:g}; "
        f"{len(scores.countries)} countries, years {scores.years[0]}-{scores.years[-1]})"
    )
    return _table(caption, head, rows)


def uncertainty_html(result: UncertaintyResult) -> str:
    """Nominal score and rank with their 5-95 % intervals over the runs; score intervals only
    when the runs' scores share one scale."""
    comparable = not result.notes
    head = ["Rank", "Country", "Score"]
    head += ["Score 5-95 %"] if comparable else []
    head += ["Median rank", "Rank 5-95 %"]
    rows = []
    for r in result.to_records():
        row = [_num(r["rank"], 0), _e(f"{r['country']} {r['name']}"), _num(r["score"])]
        if comparable:
            row.append(f"{_num(r['score_p05'])}&ndash;{_num(r['score_p95'])}")
        row += [
            _num(r["rank_median"], 0),
            f"{_num(r['rank_p05'], 0)}&ndash;{_num(r['rank_p95'], 0)}",
        ]
        rows.append(row)
    caption = (
        f"<b>{_e(result.index)}</b>, {result.year}: {result.runs} runs varying "
        f"{_e(', '.join(result.factors))}"
    )
    notes = "".join(f"<p><i>{_e(n)}</i></p>" for n in result.notes)
    return _table(caption, head, rows) + notes


def sensitivity_html(result: SensitivityResult) -> str:
    """First- and total-order Sobol' indices of each assumption, with their intervals."""
    s = result.summary
    rows = [
        [
            _e(name), "",
            f"{s.first[i]:.2f} ({s.first_ci[0][i]:.2f}&ndash;{s.first_ci[1][i]:.2f})",
            f"{s.total[i]:.2f} ({s.total_ci[0][i]:.2f}&ndash;{s.total_ci[1][i]:.2f})",
        ]
        for i, name in enumerate(s.names)
    ]  # fmt: skip
    caption = (
        f"<b>{_e(result.index)}</b>, {result.year}: Sobol' indices of the ranks, {result.runs} runs"
    )
    return _table(caption, ["Assumption", "", "First order", "Total order"], rows)


def explanation_html(ex: Explanation) -> str:
    """Each indicator's contribution to a country's score, largest first."""
    rows = [
        [_e(c.code), _e(c.name), _num(c.raw, 3), _num(c.normalized, 3), f"{c.weight:.3f}",
         _num(c.contribution, 2)]
        for c in ex.contributions
    ]  # fmt: skip
    score = "no score" if ex.score is None else f"score {ex.score:.1f}"
    exact = "exact" if ex.exact else "shared in proportion below non-arithmetic nodes"
    caption = f"<b>{_e(ex.country)} {ex.year}</b>: {score} = {ex.base:g} + contributions ({exact})"
    head = ["Indicator", "Name", "Raw", "Normalised", "Weight", "Points"]
    return _table(caption, head, rows)


@dataclass(frozen=True)
class TreeRow:
    """One line of the index tree, in depth-first order from the root.

    Attributes
    ----------
    depth : int
        0 for the index.
    code, name : str
    is_node : bool
    share : float or None
        The child's share of its parent's weight (None for the index).
    method : str
        The aggregation of a node, the normalisation (and direction) of an indicator.
    """

    depth: int
    code: str
    name: str
    is_node: bool
    share: float | None
    method: str


def tree_rows(index: IndexSpec | Plan | Scores) -> list[TreeRow]:
    """The index as a tree, depth first: from scores or a compiled plan (names, methods and
    directions as scored), or from an index spec as written (leaf names and directions that
    plugins provide are not known there: the code and the written settings are shown)."""
    rows: list[TreeRow] = []
    plan: Any = getattr(index, "plan", index)  # Scores carry their plan
    if hasattr(plan, "leaves") and hasattr(plan, "nodes"):
        n_leaves = len(plan.leaves)

        def visit(slot: int, depth: int, share: float | None) -> None:
            if slot < n_leaves:
                leaf = plan.leaves[slot]
                arrow = "higher is riskier" if leaf.higher_is_riskier else "lower is riskier"
                method = f"{leaf.normalize_method}, {arrow}"
                rows.append(TreeRow(depth, leaf.code, leaf.name, False, share, method))
                return
            node = plan.nodes[slot - n_leaves]
            rows.append(TreeRow(depth, node.code, node.name, True, share, node.aggregate_method))
            for child, w in _shares(node.children, node.weights):
                visit(child, depth + 1, w)

        visit(n_leaves + len(plan.nodes) - 1, 0, None)
        return rows
    spec: Any = index

    def walk(code: str, depth: int, share: float | None) -> None:
        if code == spec.index.code or code in spec.node:
            section = spec.index if code == spec.index.code else spec.node[code]
            choice = section.aggregation or spec.defaults.aggregation
            rows.append(TreeRow(depth, code, section.name or code, True, share, choice.method))
            for child, w in _shares(*zip(*spec.node_children(code).items(), strict=True)):
                walk(child, depth + 1, w)
            return
        leaf = spec.indicator.get(code)
        settings = [leaf.normalize.method] if leaf and leaf.normalize else []
        settings += [leaf.direction.replace("_", " ")] if leaf and leaf.direction else []
        name = leaf.name if leaf and leaf.name else code
        rows.append(TreeRow(depth, code, name, False, share, ", ".join(settings)))

    walk(spec.index.code, 0, None)
    return rows


def _shares(children: Sequence[Any], weights: Sequence[float]) -> list[tuple[Any, float | None]]:
    """Each child with its share of the parent's weight."""
    total = float(sum(weights))
    return [
        (c, float(w) / total if total > 0 else None) for c, w in zip(children, weights, strict=True)
    ]


def index_html(spec: IndexSpec) -> str:
    """The index tree as nested lines, as the file writes it: weights as shares of the parent,
    methods and directions."""
    lines = []
    rows = tree_rows(spec)
    for row in rows:
        share = "" if row.share is None else f"{row.share:.0%} "
        name = f"<b>{_e(row.name)}</b>" if row.is_node else _e(row.name)
        lines.append(
            f'<div style="padding-left:{1.5 * row.depth}em">{share}{name} '
            f'<code>{_e(row.code)}</code> <span style="color:#777">{_e(row.method)}</span></div>'
        )
    return f'<div style="font-size:90%">{"".join(lines)}</div>'


def panel_html(panel: Panel) -> str:
    """A summary of the data: per variable its unit, how many values are present, the range
    and the number of sources."""
    import numpy as np

    sources: dict[str, set[str]] = {v: set() for v in panel.variables}
    for (var, _, _), (source, _, _) in panel.provenance.items():
        if source and var in sources:
            sources[var].add(source)
    rows = []
    for v in panel.variables:
        x = panel[v]
        ok = ~np.isnan(x)
        rows.append(
            [
                _e(v), _e(panel.units.get(v) or ""),
                f"{int(ok.sum())} / {x.size}",
                _num(np.min(x[ok]), 3) if ok.any() else "&ndash;",
                _num(np.max(x[ok]), 3) if ok.any() else "&ndash;",
                str(len(sources[v])),
            ]
        )  # fmt: skip
    span = f"{panel.years[0]}-{panel.years[-1]}" if panel.years else "no years"
    caption = (
        f"<b>Panel</b>: {len(panel.variables)} variables x {len(panel.countries)} countries x "
        f"{len(panel.years)} years ({span})" + (f", from {_e(panel.path)}" if panel.path else "")
    )
    return _table(caption, ["Variable", "Unit", "Values", "Min", "Max", "Sources"], rows)


class Displayed:
    """Mixin of the analysis results (:class:`~riskcore.uncertainty.UncertaintyResult`,
    :class:`~riskcore.uncertainty.SensitivityResult`): a one-line ``repr``, HTML for notebooks
    and ``to_frame()``."""

    def __repr__(self) -> str:
        r: Any = self
        if hasattr(r, "factors"):
            what = f"{r.runs} runs varying {len(r.factors)} factors"
            return (
                f"<{type(r).__name__} '{r.index}' {r.year}: {len(r.countries)} countries, {what}>"
            )
        what = f"{len(r.summary.names)} factors, {r.runs} runs"
        return f"<{type(r).__name__} '{r.index}' {r.year}: {what}>"

    def _repr_html_(self) -> str:
        r: Any = self
        return uncertainty_html(r) if hasattr(r, "factors") else sensitivity_html(r)

    def to_frame(self) -> pd.DataFrame:
        """The result as a pandas DataFrame: per country the nominal score and rank with their
        percentiles over the runs (ranks as nullable integers), or per factor the first- and
        total-order Sobol' indices with their interval bounds."""
        from riskcore.frames import records_frame

        r: Any = self
        what = f"{type(r).__name__}.to_frame"
        if hasattr(r, "factors"):
            return records_frame(r.to_records(), ["country"], what, integers=["rank"])
        s = r.summary
        records = [
            {
                "factor": name,
                "first": float(s.first[i]),
                "first_low": float(s.first_ci[0][i]),
                "first_high": float(s.first_ci[1][i]),
                "total": float(s.total[i]),
                "total_low": float(s.total_ci[0][i]),
                "total_high": float(s.total_ci[1][i]),
            }
            for i, name in enumerate(s.names)
        ]
        return records_frame(records, ["factor"], what)


class IndexDisplay:
    """Mixin of :class:`~riskcore.spec.IndexSpec`: a one-line ``repr`` and the index tree as
    HTML for notebooks."""

    def __repr__(self) -> str:
        spec: Any = self
        return (
            f"<IndexSpec '{spec.index.code}' ({spec.index.name}): {len(spec.node)} nodes, "
            f"{len(spec.leaves())} indicators>"
        )

    def _repr_html_(self) -> str:
        return index_html(self)  # type: ignore[arg-type]


class ScoresDisplay:
    """Mixin of :class:`~riskcore.result.Scores`: pandas and xarray exports and the ranked
    table as HTML for notebooks."""

    def to_frame(self, year: int | None = None, *, all_years: bool | None = None) -> pd.DataFrame:
        """:meth:`~riskcore.result.Scores.to_records` of ``year`` (default: every year;
        ``all_years=True``: every year anyway) as a pandas DataFrame indexed by
        ``(country, year)``, ``rank`` a nullable integer; :func:`riskcore.read_frame` reads it
        back (with ``skip_columns=["name", "band"]``)."""
        from riskcore.frames import records_frame

        scores: Any = self
        every = year is None if all_years is None else all_years
        records = scores.to_records(year, all_years=every)
        return records_frame(records, ["country", "year"], "Scores.to_frame", integers=["rank"])

    def to_xarray(self) -> xr.Dataset:
        """Every year as an xarray Dataset (:func:`riskcore.frames.scores_dataset`)."""
        from riskcore.frames import scores_dataset

        return scores_dataset(self)  # type: ignore[arg-type]

    def _repr_html_(self) -> str:
        return scores_html(self)  # type: ignore[arg-type]
