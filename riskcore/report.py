"""One self-contained HTML report of a scored index: method, results, provenance.

``riskcore report INDEX --data DATA -o report.html`` writes it; :func:`build_report` returns the
text. Figures are PNG images embedded as data URIs, the style sheet is inline, and nothing is
loaded from elsewhere, so the file can be mailed or archived as it is. Sections: the method (the
tree, its methods and every indicator's definition and source), the ranked results with risk
bands, node scores, each country's contributions, the trend between the first and the last
scored years, the uncertainty and sensitivity analyses when asked, what data treatment did, and
the provenance of every input figure.
"""

from __future__ import annotations

import base64
import html
import io
import math
from typing import TYPE_CHECKING, Any

from riskcore.outside import footnotes, mark_of
from riskcore.publication import relative
from riskcore.result import Scores
from riskcore.text import number

if TYPE_CHECKING:
    from riskcore.uncertainty import SensitivityResult, UncertaintyResult

__all__ = ["build_report"]

_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
       color: #222; line-height: 1.45; }
h1 { font-size: 1.6rem; } h2 { border-bottom: 1px solid #ccc; margin-top: 2.2rem; }
table { border-collapse: collapse; margin: 0.8rem 0; font-size: 0.88rem; }
th, td { border: 1px solid #ddd; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.note { color: #555; font-size: 0.9rem; } img { max-width: 100%; }
details { margin: 0.6rem 0; } code { background: #f5f5f5; padding: 0 0.2rem; }
"""


def _e(x: Any) -> str:
    return html.escape("" if x is None else str(x))


def _figure(fig: Any) -> str:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return f'<img alt="figure" src="data:image/png;base64,{data}">'


def _table(head: list[str], rows: list[list[str]], numeric: set[int] | None = None) -> str:
    numeric = numeric or set()
    out = ["<table><thead><tr>", *(f"<th>{_e(h)}</th>" for h in head), "</tr></thead><tbody>"]
    for row in rows:
        out.append("<tr>")
        for i, cell in enumerate(row):
            cls = ' class="num"' if i in numeric else ""
            out.append(f"<td{cls}>{cell}</td>")
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _method(scores: Scores) -> str:
    plan = scores.plan
    parts = ["<h2>Method</h2>"]
    lo, hi = plan.scale
    parts.append(
        f"<p>The index runs from {lo:g} to {hi:g}; rank 1 is the highest score. Nodes, from the "
        "top:</p>"
    )
    rows = []
    for node in reversed(plan.nodes):
        weights = scores.weights.get(node.code, {})
        kids = ", ".join(f"{_e(c)} ({weights.get(c, 0):.2f})" for c in node.child_codes)
        rows.append([_e(node.name), _e(node.aggregate_method), kids, number(node.min_coverage, 2)])
    parts.append(_table(["node", "aggregation", "children (weight)", "min coverage"], rows))
    rows = []
    for leaf in plan.leaves:
        ind = leaf.indicator
        rows.append(
            [
                f"<b>{_e(leaf.name)}</b><br><code>{_e(leaf.code)}</code>",
                _e(ind.description if ind else "a data variable"),
                _e(leaf.unit),
                "higher is riskier" if leaf.higher_is_riskier else "lower is riskier",
                _e(leaf.normalize_method),
                _e(ind.source if ind and ind.source else "see the data's source column"),
            ]
        )
    parts.append("<p>Indicators:</p>")
    parts.append(
        _table(["indicator", "definition", "unit", "direction", "normalisation", "sources"], rows)
    )
    if plan.bands:
        bands = ", ".join(f"{_e(n)} from {s:g}" for n, s in plan.bands)
        parts.append(f"<p>Risk bands: {bands}.</p>")
    return "".join(parts)


def _chip(colour: str) -> str:
    """Inline style of a band label: the band's colour, white text on dark colours."""
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    text = "white" if 0.299 * r + 0.587 * g + 0.114 * b < 0.55 else "black"
    return f' style="background: {colour}; color: {text}; padding: 0 0.3rem"'


def _results(scores: Scores, t: int, uncertainty: UncertaintyResult | None) -> str:
    from riskcore import plots

    year = scores.years[t]
    node_cols = [n for n in scores.plan.nodes[:-1] if n.code in scores.plan.nodes[-1].child_codes]
    found = scores.intervals(year)
    extra = ["score interval", "rank range", "reliability"] if found is not None else []
    head = ["rank", "country", "score", *extra, "band", "coverage", *[n.name for n in node_cols]]
    rows = []
    for r in scores.ranked(scores.years[t]):
        band = scores.band_of(float(scores.score[r, t]))
        cls = _chip(plots.band_colour(scores, band)) if band else ""
        rank = scores.rank[r, t]
        cells = []
        if found is not None:
            rel = found["reliability"][r]
            cells = [
                f"{number(found['score_low'][r])} to {number(found['score_high'][r])}",
                f"{number(found['rank_low'][r], 0)} to {number(found['rank_high'][r], 0)}",
                number(rel["grade"]) if rel else "-",
            ]
        rows.append(
            [
                "-" if math.isnan(rank) else str(int(rank)),
                _e(f"{scores.countries[r]} {scores.panel.country_names.get(scores.countries[r])}"),
                number(float(scores.score[r, t])) + mark_of(found, r),
                *cells,
                f"<span{cls}>{_e(band or '-')}</span>",
                f"{100 * scores.coverage[r, t]:.0f}%",
                *[number(float(scores.nodes[scores.plan.nodes.index(n), r, t])) for n in node_cols],
            ]
        )
    k = len(extra)
    parts = [
        f"<h2>Results, {year}</h2>",
        _table(
            head,
            rows,
            numeric={0, 2, *range(3, 3 + k), 4 + k, *range(5 + k, 5 + k + len(node_cols))},
        ),
    ]
    parts += [f'<p class="note">{_e(n)}</p>' for n in footnotes(scores, year, found)]
    if found is not None:
        parts.append(
            f'<p class="note">Intervals: the central {100 * found["level"]:g}% of '
            f"{found['runs']} Monte Carlo runs; reliability: a grade from 0 to 10 "
            "(coverage, estimated and unranged inputs, age, source changes, interval width; "
            "docs/partial-data.md).</p>"
        )
    gaps = [f"<li>{_e(c)}: {_e(why)}</li>" for c, why in scores.unscored(year).items()]
    if gaps:
        parts.append("<p>Not scored (missing data stays missing):</p><ul>" + "".join(gaps))
        parts.append("</ul>")
    parts.append(_figure(plots.ranked_bars(scores, year, uncertainty=uncertainty)))
    parts.append(_figure(plots.node_heatmap(scores, year)))
    return "".join(parts)


def _contributions(scores: Scores, t: int) -> str:
    from riskcore import plots

    year = scores.years[t]
    scored = [r for r in scores.ranked(scores.years[t]) if not math.isnan(scores.score[r, t])]
    if not scored:
        return ""
    codes = scores.indicator_codes
    rows = []
    for r in scored:
        ex = scores.explain(scores.countries[r], year)
        got = {c.code: (c.contribution if c.normalized is not None else None)
               for c in ex.contributions}  # fmt: skip
        rows.append([_e(ex.country), *[number(got[c]) for c in codes], number(ex.score)])
    parts = [
        "<h2>Contributions</h2>",
        "<p>Points each indicator adds to the score (they sum to the score; exact below "
        "arithmetic nodes, shared in proportion below the others; see docs/explain.md).</p>",
        _table(["country", *codes, "score"], rows, numeric=set(range(1, len(codes) + 2))),
        _figure(plots.contributions(scores, scores.countries[scored[0]], year)),
    ]
    return "".join(parts)


def _trend(scores: Scores) -> str:
    from riskcore import plots
    from riskcore.analysis import informative_years, trend

    informative = scores.comparable_years() or informative_years(scores)
    if len(informative) < 2:
        return ""
    start, end = informative[0], informative[-1]
    tr = trend(scores, start, end)
    rows = []
    for row in tr.rows:
        top = tr.drivers(row)
        rows.append(
            [
                _e(row["country"]),
                number(row["score_from"]),
                number(row["score_to"]),
                number(row["change"]),
                _e(f"{row['rank_from'] or '-'} to {row['rank_to'] or '-'}"),
                _e(", ".join(f"{k} {v:+.1f}" for k, v in top) or row.get("note", "")),
            ]
        )
    return "".join(
        [
            f"<h2>Trend, {start} to {end}</h2>",
            "<p>Score change and the indicators that drove it (their contributions' change, "
            "which adds up to the score change).</p>",
            _table(
                ["country", str(start), str(end), "change", "rank", "largest contributions"],
                rows,
                numeric={1, 2, 3},
            ),
            _figure(plots.rank_slope(tr)),
        ]
    )


def _uncertainty(
    uncertainty: UncertaintyResult | None, sensitivity: SensitivityResult | None
) -> str:
    from riskcore import plots

    parts = []
    if uncertainty is not None:
        rows = [
            [
                _e(r["country"]),
                number(r["score"]),
                number(r["rank"], 0),
                number(r["rank_median"], 0),
                f"{number(r['rank_p05'], 0)}-{number(r['rank_p95'], 0)}",
            ]
            for r in uncertainty.to_records()
        ]
        parts += [
            f"<h2>Uncertainty, {uncertainty.year}</h2>",
            f"<p>{uncertainty.runs} runs over: {_e(', '.join(uncertainty.factors))}.</p>",
            _table(["country", "score", "rank", "median rank", "5-95 % ranks"], rows, {1, 2, 3}),
            *[f'<p class="note">{_e(n)}</p>' for n in uncertainty.notes],
        ]
    if sensitivity is not None:
        parts += [
            "<h2>Sensitivity</h2>",
            f"<p>Sobol' indices of the mean absolute rank shift, {sensitivity.runs} runs.</p>",
            _figure(plots.sensitivity_bars(sensitivity)),
        ]
    return "".join(parts)


def _warnings(scores: Scores) -> str:
    from riskcore.integrity import data_warnings

    found = data_warnings(scores)
    if not found:
        return ""
    items = "".join(f"<li>{_e(w)}</li>" for w in found)
    return f"<h2>Integrity warnings</h2><ul>{items}</ul>"


def _treatment(scores: Scores) -> str:
    report = scores.treatment_report()
    items = []
    for i in report["imputed"]:
        items.append(f"imputed {i['indicator']} for {i['country']} {i['year']}")
    for code, r in report["outliers"].items():
        items.append(f"{code}: outliers {r.get('how', 'treated')}")
    for s in report["screened"]:
        items.append(f"{s['country']} {s['year']} screened out: {s['reason']}")
    if not items:
        items = ["no value was imputed, treated or screened out"]
    return "<h2>Data treatment</h2><ul>" + "".join(f"<li>{_e(x)}</li>" for x in items) + "</ul>"


def _provenance(scores: Scores) -> str:
    panel = scores.panel
    rows = []
    for var, c, y, v, source, note, line in panel.observed(set(scores.plan.variables)):
        rows.append(
            [
                _e(var),
                _e(c),
                str(y),
                f"{v:g}",
                _e(panel.units.get(var)),
                _e(source),
                _e(note),
                str(line or ""),
            ]
        )
    missing = sum(1 for r in rows if not r[5])
    summary = (
        f"{len(rows)} input figures, {len(rows) - missing} with a source"
        + (f", {missing} without" if missing else "")
        + f", from {_e(relative(panel.path, scores.plan.path))}."
    )
    return (
        "<h2>Provenance of every input</h2>"
        f"<p>{summary}</p><details><summary>Show the table</summary>"
        + _table(
            ["variable", "country", "year", "value", "unit", "source", "note", "line"],
            rows,
            {2, 3, 7},
        )
        + "</details>"
    )


def build_report(
    scores: Scores,
    year: int | None = None,
    *,
    uncertainty: UncertaintyResult | None = None,
    sensitivity: SensitivityResult | None = None,
) -> str:
    """The HTML report of a scored index (needs matplotlib for the figures).

    Parameters
    ----------
    scores : Scores
    year : int, optional
        The year of the results (default: the latest in the data).
    uncertainty, sensitivity : optional
        Results of :mod:`riskcore.uncertainty` to include.

    Returns
    -------
    str
        A complete HTML document.
    """
    from riskcore import __version__, publication

    t = scores.year_index(year)
    title = f"{scores.plan.name}, {scores.years[t]}"
    index, data = (
        publication.relative(p, scores.plan.path) for p in (scores.plan.path, scores.panel.path)
    )
    body = [
        f"<h1>{_e(title)}</h1>",
        f'<p class="note">riskcore {__version__}; index file {_e(index)}; data '
        f"{_e(data)}; {len(scores.countries)} countries, "
        f"{scores.years[0]}-{scores.years[-1]}.</p>",
        _results(scores, t, uncertainty),
        publication.years_section(
            uncertainty.scores if uncertainty and uncertainty.scores else scores
        ),
        _contributions(scores, t),
        _trend(scores),
        publication.world_section(scores, scores.years[t], figure=_figure),
        _uncertainty(uncertainty, sensitivity),
        _warnings(scores),
        _method(scores),
        _treatment(scores),
        publication.limits_section(scores, scores.years[t]),
        publication.vintages_section(scores),
        _provenance(scores),
        publication.citation(scores),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{_e(title)}</title><style>{_STYLE}</style></head><body>"
        + "".join(body)
        + "</body></html>\n"
    )
