"""Figures of scores, uncertainty, contributions, trends and sensitivity (matplotlib).

Install with ``pip install 'riskcore[plot]'``; matplotlib is imported only when a function here
runs, with the non-interactive ``Agg`` backend unless one is already chosen. Every function
returns the :class:`matplotlib.figure.Figure`, so that users can restyle it, save it or add to
it; none calls ``show``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from riskcore.analysis import Trend
    from riskcore.result import Scores
    from riskcore.uncertainty import SensitivityResult, UncertaintyResult

__all__ = [
    "contributions",
    "node_heatmap",
    "rank_slope",
    "ranked_bars",
    "sensitivity_bars",
]


def _pyplot() -> Any:
    try:
        import matplotlib
    except ImportError:  # pragma: no cover - exercised without matplotlib
        raise ImportError("plots need matplotlib: pip install 'riskcore[plot]'") from None
    if matplotlib.get_backend().lower() not in ("agg", "pdf", "svg", "ps", "cairo"):
        import sys

        if "matplotlib.pyplot" not in sys.modules:
            matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def ranked_bars(
    scores: Scores, year: int | None = None, *, uncertainty: UncertaintyResult | None = None
) -> Any:
    """Countries ranked by score, with the 5-95 % score interval as whiskers when given.

    Bars are coloured by risk band when the index declares bands. Countries without a score
    are listed with an empty bar and "no score".
    """
    plt = _pyplot()
    t = scores.year_index(year)
    order = scores.ranked(scores.years[t])
    labels = [scores.countries[r] for r in order]
    values = np.array([scores.score[r, t] for r in order])
    fig, ax = plt.subplots(figsize=(7, 0.35 * len(order) + 1.2))
    y = np.arange(len(order))[::-1]
    colours = _band_colours(scores, values)
    ax.barh(y, np.nan_to_num(values), color=colours)
    if uncertainty is not None:
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
    ax.set_title(f"{scores.plan.name}, {scores.years[t]}")
    fig.tight_layout()
    return fig


def band_colour(scores: Scores, band: str | None) -> str:
    """The colour of a risk band (light to dark red, lowest to highest), as ``#rrggbb``."""
    plt = _pyplot()
    from matplotlib.colors import to_hex

    bands = [name for name, _ in scores.plan.bands]
    if band is None or band not in bands:
        return "#d0d0d0"
    cmap = plt.get_cmap("YlOrRd")
    out: str = to_hex(cmap(0.2 + 0.8 * bands.index(band) / max(1, len(bands) - 1)))
    return out


def _band_colours(scores: Scores, values: np.ndarray) -> list[str]:
    return [band_colour(scores, scores.band_of(float(v))) for v in values]


def node_heatmap(scores: Scores, year: int | None = None) -> Any:
    """Countries by nodes (dimensions and the index): the score of each, in colour and figures."""
    plt = _pyplot()
    t = scores.year_index(year)
    order = scores.ranked(scores.years[t])
    codes = scores.node_codes
    data = np.array([[scores.nodes[j, r, t] for j in range(len(codes))] for r in order])
    fig, ax = plt.subplots(figsize=(1.1 * len(codes) + 2.5, 0.35 * len(order) + 1.5))
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


def contributions(scores: Scores, country: str, year: int | None = None) -> Any:
    """Each indicator's contribution to one country's score (:meth:`Scores.explain`)."""
    plt = _pyplot()
    ex = scores.explain(country, year)
    items = sorted(ex.contributions, key=lambda c: c.contribution)
    fig, ax = plt.subplots(figsize=(7, 0.4 * len(items) + 1.3))
    ax.barh([c.code for c in items], [c.contribution for c in items], color="#c0392b")
    ax.set_xlabel("points of the index")
    score = "no score" if ex.score is None else f"score {ex.score:.1f}"
    exact = "exact" if ex.exact else "shared in proportion below non-arithmetic nodes"
    ax.set_title(f"{ex.country} {ex.year}: {score} ({exact})", fontsize=10)
    fig.tight_layout()
    return fig


def rank_slope(trend: Trend) -> Any:
    """Ranks in two years joined by lines: who moved up and who down."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5, 5))
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


def sensitivity_bars(result: SensitivityResult) -> Any:
    """First- and total-order Sobol' indices of each assumption, with their intervals."""
    plt = _pyplot()
    s = result.summary
    x = np.arange(len(s.names))
    fig, ax = plt.subplots(figsize=(1.4 * len(s.names) + 2, 3.5))
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
