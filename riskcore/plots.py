"""Figures of scores, uncertainty, contributions, trends, sensitivity and the index (matplotlib).

Install with ``pip install 'riskcore[plot]'``; matplotlib is imported only when a function here
runs. Every function builds and returns a :class:`matplotlib.figure.Figure` of its own, without
pyplot: riskcore never calls ``matplotlib.use`` nor changes the backend, nothing is left open in
pyplot's figure manager, and in a notebook the returned figure displays once, as the cell's
value (it has ``_repr_png_``). Users can restyle it, save it (``fig.savefig``) or add to it;
none calls ``show``.
"""

from __future__ import annotations

import io
import math
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from riskcore.analysis import Trend
    from riskcore.audit import Audit
    from riskcore.plan import Plan
    from riskcore.result import Scores
    from riskcore.spec import IndexSpec
    from riskcore.uncertainty import SensitivityResult, UncertaintyResult

__all__ = [
    "contributions",
    "correlation_heatmap",
    "index_tree",
    "node_heatmap",
    "rank_intervals",
    "rank_slope",
    "ranked_bars",
    "sensitivity_bars",
]


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    return buf.getvalue()


def _figure(width: float, height: float) -> Figure:
    """A new figure, not registered with pyplot, that notebooks display as a PNG."""
    try:
        from matplotlib.figure import Figure
    except ImportError:  # pragma: no cover - exercised without matplotlib
        raise ImportError("plots need matplotlib: pip install 'riskcore[plot]'") from None
    fig = Figure(figsize=(width, height))
    fig._repr_png_ = lambda: _png(fig)  # type: ignore[attr-defined]  # IPython's display hook
    return fig


def _cmap(name: str) -> Any:
    import matplotlib

    return matplotlib.colormaps[name]


def ranked_bars(
    scores: Scores, year: int | None = None, *, uncertainty: UncertaintyResult | None = None
) -> Figure:
    """Countries ranked by score, with the 5-95 % score interval as whiskers when given.

    When the analysis varies the normalisation, the runs' scores are on different scales and
    whiskers would mean nothing: each bar is labelled with its 5-95 % rank interval instead (see
    also :func:`rank_intervals`).

    Bars are coloured by risk band when the index declares bands. Countries without a score
    are listed with an empty bar and "no score".
    """
    t = scores.year_index(year)
    order = scores.ranked(scores.years[t])
    labels = [scores.countries[r] for r in order]
    values = np.array([scores.score[r, t] for r in order])
    fig = _figure(7, 0.35 * len(order) + 1.2)
    ax = fig.subplots()
    y = np.arange(len(order))[::-1]
    colours = _band_colours(scores, values)
    ax.barh(y, np.nan_to_num(values), color=colours)
    if uncertainty is not None and uncertainty.notes:
        # the runs' scores are on different scales (the normalisation varies): no score
        # whiskers, the rank interval of each country instead
        idx = [uncertainty.countries.index(c) for c in labels]
        for yi, v, i in zip(y, values, idx, strict=True):
            lo_r, hi_r = uncertainty.rank["p05"][i], uncertainty.rank["p95"][i]
            if not (math.isnan(v) or math.isnan(lo_r)):
                ax.text(v, yi, f" rank {lo_r:.0f}-{hi_r:.0f}", va="center", fontsize=8)
        ax.set_title("5-95 % rank interval over the runs (the normalisation varies)", fontsize=8)
    elif uncertainty is not None:
        idx = [uncertainty.countries.index(c) for c in labels]
        lo = np.array([uncertainty.score["p05"][i] for i in idx])
        hi = np.array([uncertainty.score["p95"][i] for i in idx])
        ok = ~np.isnan(values) & ~np.isnan(lo)
        # whiskers drawn from the interval's ends, not around the nominal score: a nominal
        # score can lie outside its own interval (an alternative method moves every run)
        mid = (lo[ok] + hi[ok]) / 2
        ax.errorbar(
            mid, y[ok], xerr=[mid - lo[ok], hi[ok] - mid],
            fmt="none", ecolor="black", capsize=3, label="5-95 % over the runs",
        )  # fmt: skip
        ax.legend(loc="lower right", fontsize=8)
    for yi, v in zip(y, values, strict=True):
        if math.isnan(v):
            ax.text(0.5, yi, "no score", va="center", fontsize=8, color="grey")
    ax.set_yticks(y, labels)
    lo_s, hi_s = scores.plan.scale
    ax.set_xlim(lo_s, hi_s)
    ax.set_xlabel(f"{scores.plan.name} ({lo_s:g}-{hi_s:g})")
    fig.suptitle(f"{scores.plan.name}, {scores.years[t]}")
    fig.tight_layout()
    return fig


def band_colour(scores: Scores, band: str | None) -> str:
    """The colour of a risk band (light to dark red, lowest to highest), as ``#rrggbb``."""
    from matplotlib.colors import to_hex

    bands = [name for name, _ in scores.plan.bands]
    if band is None or band not in bands:
        return "#d0d0d0"
    cmap = _cmap("YlOrRd")
    out: str = to_hex(cmap(0.2 + 0.8 * bands.index(band) / max(1, len(bands) - 1)))
    return out


def _band_colours(scores: Scores, values: np.ndarray) -> list[str]:
    return [band_colour(scores, scores.band_of(float(v))) for v in values]


def node_heatmap(scores: Scores, year: int | None = None) -> Figure:
    """Countries by nodes (dimensions and the index): the score of each, in colour and figures."""
    t = scores.year_index(year)
    order = scores.ranked(scores.years[t])
    codes = scores.node_codes
    data = np.array([[scores.nodes[j, r, t] for j in range(len(codes))] for r in order])
    fig = _figure(1.1 * len(codes) + 2.5, 0.35 * len(order) + 1.5)
    ax = fig.subplots()
    lo, hi = scores.plan.scale
    im = ax.imshow(np.ma.masked_invalid(data), cmap="YlOrRd", vmin=lo, vmax=hi, aspect="auto")
    names = [n.name for n in scores.plan.nodes]
    ax.set_xticks(range(len(codes)), names, rotation=30, ha="right")
    ax.set_yticks(range(len(order)), [scores.countries[r] for r in order])
    for i in range(data.shape[0]):
        for j in range(data.shape[1]):
            v = data[i, j]
            dark = not math.isnan(v) and (v - lo) / (hi - lo) > 0.6
            ax.text(j, i, "-" if math.isnan(v) else f"{v:.0f}", ha="center", va="center",
                    fontsize=8, color="white" if dark else "black")  # fmt: skip
    fig.colorbar(im, ax=ax, fraction=0.04)
    ax.set_title(f"Node scores, {scores.years[t]}")
    fig.tight_layout()
    return fig


def contributions(scores: Scores, country: str, year: int | None = None) -> Figure:
    """Each indicator's contribution to one country's score (:meth:`Scores.explain`)."""
    ex = scores.explain(country, year)
    items = sorted(ex.contributions, key=lambda c: c.contribution)
    fig = _figure(7, 0.4 * len(items) + 1.3)
    ax = fig.subplots()
    ax.barh([c.code for c in items], [c.contribution for c in items], color="#c0392b")
    ax.set_xlabel("points of the index")
    score = "no score" if ex.score is None else f"score {ex.score:.1f}"
    exact = "exact" if ex.exact else "shared in proportion below non-arithmetic nodes"
    ax.set_title(f"{ex.country} {ex.year}: {score} ({exact})", fontsize=10)
    fig.tight_layout()
    return fig


def rank_slope(trend: Trend) -> Figure:
    """Ranks in two years joined by lines: who moved up and who down."""
    fig = _figure(5, 5)
    ax = fig.subplots()
    for row in trend.rows:
        a, b = row["rank_from"], row["rank_to"]
        if a is None or b is None:
            continue
        colour = "#c0392b" if b < a else ("#2471a3" if b > a else "grey")
        ax.plot([0, 1], [a, b], marker="o", color=colour)
        ax.text(-0.05, a, row["country"], ha="right", va="center", fontsize=9)
        ax.text(1.05, b, row["country"], ha="left", va="center", fontsize=9)
    from matplotlib.ticker import MaxNLocator

    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.invert_yaxis()
    ax.set_xticks([0, 1], [str(trend.start), str(trend.end)])
    ax.set_xlim(-0.4, 1.4)
    ax.set_ylabel("rank (1 = highest score)")
    ax.set_title(f"Rank changes, {trend.start} to {trend.end}")
    fig.tight_layout()
    return fig


def sensitivity_bars(result: SensitivityResult) -> Figure:
    """First- and total-order Sobol' indices of each assumption, with their intervals."""
    s = result.summary
    x = np.arange(len(s.names))
    fig = _figure(1.4 * len(s.names) + 2, 3.5)
    ax = fig.subplots()
    for offset, values, ci, label in (
        (-0.2, s.first, s.first_ci, "first order"),
        (0.2, s.total, s.total_ci, "total order"),
    ):
        err = np.abs(np.vstack([values - ci[0], ci[1] - values]))
        ax.bar(x + offset, values, 0.4, yerr=np.nan_to_num(err), capsize=3, label=label)
    ax.set_xticks(x, s.names, rotation=20, ha="right")
    ax.set_ylabel("Sobol' index")
    ax.set_title("What moves the ranks")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def rank_intervals(result: UncertaintyResult) -> Figure:
    """Each country's nominal rank, median rank and 5-95 % rank interval over the runs.

    Ranks stay comparable when scores do not (a varied normalisation), so this is the figure
    of an uncertainty analysis that always means something (Saltelli et al. 2008, the JRC's
    audits).
    """
    records = [r for r in result.to_records() if r["rank"] is not None]
    fig = _figure(7, 0.35 * len(records) + 1.4)
    ax = fig.subplots()
    y = np.arange(len(records))[::-1]
    for yi, r in zip(y, records, strict=True):
        ax.plot([r["rank_p05"], r["rank_p95"]], [yi, yi], color="#7f8c8d", linewidth=3)
    ax.plot([r["rank_median"] for r in records], y, "o", color="#2471a3", label="median")
    ax.plot([r["rank"] for r in records], y, "D", color="#c0392b", label="nominal")
    ax.set_yticks(y, [r["country"] for r in records])
    ax.invert_xaxis()
    ax.set_xlabel("rank (1 = highest score); bar: 5-95 % over the runs")
    ax.set_title(f"{result.index}, {result.year}: ranks over {result.runs} runs", fontsize=10)
    ax.legend(fontsize=8, loc="lower left")
    fig.tight_layout()
    return fig


def correlation_heatmap(result: Audit, node: str | None = None) -> Figure:
    """The correlations among a node's children, from :func:`riskcore.audit.audit` (default:
    the index's own children)."""
    audits = {n.code: n for n in result.nodes}
    found = audits[node] if node is not None else result.nodes[-1]
    r = np.array(found.correlations, dtype=np.float64)
    k = len(found.children)
    fig = _figure(0.7 * k + 2.5, 0.6 * k + 1.8)
    ax = fig.subplots()
    im = ax.imshow(np.ma.masked_invalid(r), cmap=_cmap("RdBu_r"), vmin=-1, vmax=1)
    ax.set_xticks(range(k), found.children, rotation=35, ha="right")
    ax.set_yticks(range(k), found.children)
    for i in range(k):
        for j in range(k):
            v = r[i, j]
            ax.text(j, i, "-" if math.isnan(v) else f"{v:.2f}", ha="center", va="center",
                    fontsize=8, color="white" if abs(v) > 0.6 else "black")  # fmt: skip
    fig.colorbar(im, ax=ax, fraction=0.04)
    year = "all years" if result.year is None else str(result.year)
    ax.set_title(f"{found.name}: {result.method} correlations, {year}", fontsize=10)
    fig.tight_layout()
    return fig


def index_tree(index: IndexSpec | Plan | Scores) -> Figure:
    """The framework: the index, its nodes and indicators as a tree, with each child's share of
    its parent's weight and each node's aggregation."""
    from riskcore.display import tree_rows

    rows = tree_rows(index)
    fig = _figure(8, 0.32 * len(rows) + 0.8)
    ax = fig.subplots()
    ax.set_axis_off()
    n = len(rows)
    last_at: dict[int, int] = {}
    for i, row in enumerate(rows):
        y = n - i
        x = row.depth * 0.6
        if row.depth > 0:  # the elbow from the parent
            parent_y = n - last_at[row.depth - 1]
            ax.plot([x - 0.45, x - 0.45, x - 0.05], [parent_y - 0.3, y, y], color="#95a5a6", lw=1)
        last_at[row.depth] = i
        weight = "" if row.share is None else f"{row.share:.0%}  "
        detail = f"  ({row.method})" if row.method else ""
        ax.text(x, y, f"{weight}{row.name}{detail}", va="center", fontsize=9,
                fontweight="bold" if row.is_node else "normal")  # fmt: skip
    ax.set_xlim(-0.2, 6)
    ax.set_ylim(0.3, n + 0.7)
    fig.tight_layout()
    return fig
