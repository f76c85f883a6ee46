"""The report's sections for publication: the countries in the world, scores by year, data
vintages, limits and a suggested citation.

:func:`riskcore.report.build_report` adds them. Every section reads the public accessors of
:class:`~riskcore.result.Scores` and :class:`~riskcore.panel.Panel`; no file is named by its
machine path (:func:`relative`).
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from riskcore.outside import footnotes, mark_of
from riskcore.text import number

if TYPE_CHECKING:
    from riskcore.result import Scores
    from riskcore.world import Standing

__all__ = [
    "citation",
    "limits_section",
    "relative",
    "vintages_section",
    "world_section",
    "years_section",
]

#: Below this many countries a year, correlations and weights from the data are not stable.
SMALL_SAMPLE = 10


def _e(x: Any) -> str:
    return html.escape("" if x is None else str(x))


def relative(path: str | Path | None, base: str | Path | None) -> str:
    """A file named relative to the folder of ``base`` (the index file), never by its machine
    path: ``inputs.csv``, ``../data/x.csv``; the file name alone when there is no common
    folder; ``the data`` for None."""
    if path is None:
        return "the data"
    p = Path(path)
    if base is None:
        return p.name
    folder = Path(base).resolve().parent
    try:
        return p.resolve().relative_to(folder).as_posix()
    except ValueError:
        return p.name


def _table(head: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    out = ["<table><thead><tr>", *(f"<th>{_e(h)}</th>" for h in head), "</tr></thead><tbody>"]
    for row in rows:
        out.append("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _ordinal(p: float) -> str:
    n = round(p)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def world_section(scores: Scores, year: int, figure: Any = None) -> str:
    """Each country's percentile among all countries on every dimension it shares with the
    bundled global example (empty when it shares none).

    Parameters
    ----------
    scores : Scores
    year : int
    figure : callable, optional
        Turns a matplotlib figure into HTML (the report's embedding); no figure when None.
    """
    from riskcore.examples import example_path
    from riskcore.spec import load_index
    from riskcore.world import global_scores, world_standing

    spec = load_index(example_path("global") / "index.toml")
    codes = {spec.index.code, *spec.leaves()}
    if not codes & {*scores.node_codes, *scores.indicator_codes}:
        return ""
    rows = world_standing(scores, global_scores(), year)
    if not rows:
        return ""
    dims = list(dict.fromkeys((r.dimension, r.dimension_name) for r in rows))
    by_country: dict[str, dict[str, Standing]] = {}
    for r in rows:
        by_country.setdefault(r.country, {})[r.dimension] = r
    table = [
        [_e(f"{c} {next(iter(d.values())).name}")]
        + [
            f"{_ordinal(d[code].percentile)} ({number(d[code].value, 2)})" if code in d else "-"
            for code, _ in dims
        ]
        for c, d in sorted(by_country.items(), key=lambda kv: -kv[1][dims[0][0]].percentile)
    ]
    first = rows[0]
    when = (
        f"{first.world_year}"
        if first.world_year == year
        else f"{first.world_year} (the latest year of the world index up to {year})"
    )
    parts = [
        "<h2>The countries in the world</h2>",
        f"<p>Percentile of each country among the {first.countries} countries the world index "
        f"(the bundled <code>examples/global</code>: the same indicators and goalposts for every "
        f"country the WGI and Freedom House cover) scores in {_e(when)}; higher is riskier, so "
        "the 90th percentile is riskier than nine countries in ten. In brackets the value: a "
        "node on the index scale, an indicator normalised to 0..1.</p>",
        _table(["country", *[f"{name} ({code})" for code, name in dims]], table),
    ]
    if figure is not None:
        parts.append(figure(_world_figure(rows, dims)))
    return "".join(parts)


def _world_figure(rows: Sequence[Standing], dims: Sequence[tuple[str, str]]) -> Any:
    from riskcore.plots import _figure

    first = {r.country: r.percentile for r in rows if r.dimension == dims[0][0]}
    # the table's order, most fragile at the top
    countries = sorted({r.country for r in rows}, key=lambda c: first.get(c, -1.0))
    fig = _figure(7.5, 0.45 * len(countries) + 1.4)
    ax = fig.subplots()
    markers = "os^Dv"
    for k, (code, name) in enumerate(dims):
        got = {r.country: r.percentile for r in rows if r.dimension == code}
        ys = [i for i, c in enumerate(countries) if c in got]
        ax.scatter([got[countries[i]] for i in ys], ys, marker=markers[k % 5], label=name)
    ax.set_yticks(range(len(countries)), countries)
    ax.set_xlim(-2, 102)
    ax.set_xlabel("percentile among all countries (higher is riskier)")
    ax.axvline(50, color="#999", lw=0.8, ls=":")
    ax.set_title(
        f"Place among the {rows[0].countries} countries of the world, {rows[0].world_year}"
    )
    ax.legend(loc="lower right", fontsize=8)  # the least fragile (bottom) sit left
    fig.tight_layout()
    return fig


def years_section(scores: Scores) -> str:
    """Every country's score in every year, with its interval where runs are attached, and the
    years that rest on fewer indicators."""
    head = ["country", *map(str, scores.years)]
    found = {y: scores.intervals(y) for y in scores.years}
    rows = []
    for r in scores.ranked(scores.years[-1]):
        cells = [_e(f"{scores.countries[r]} {scores.panel.country_names.get(scores.countries[r])}")]
        for t, y in enumerate(scores.years):
            got = found[y]
            cell = number(float(scores.score[r, t])) + mark_of(got, r)
            if got is not None and not math.isnan(float(got["score_low"][r])):
                low, high = got["score_low"][r], got["score_high"][r]
                cell += f" [{number(float(low))}-{number(float(high))}]"
            cells.append(cell)
        rows.append(cells)
    notes = []
    levels = {f"{100 * got['level']:.0f} %" for got in found.values() if got is not None}
    if levels:
        notes.append(f"In brackets the {', '.join(sorted(levels))} interval where it was run.")
    for y, got in found.items():
        notes += footnotes(scores, y, got, label=f"{y} ")
    partial = [y for y in scores.years if scores.not_applicable(y)]
    if partial:
        codes = ", ".join(scores.not_applicable(partial[0]))
        notes.append(
            f"In {', '.join(map(str, partial))} {codes} do not apply: those scores rest on the "
            "other indicators and are not comparable with the other years."
        )
    return (
        "<h2>Scores by year</h2>"
        + _table(head, rows)
        + "".join(f'<p class="note">{_e(n)}</p>' for n in notes)
    )


def vintages_section(scores: Scores) -> str:
    """For every data variable the index reads: its sources and the years it covers."""
    panel = scores.panel
    rows = []
    for var in scores.plan.variables:
        if var not in panel:
            continue
        seen: dict[str, int] = {}
        years: set[int] = set()
        for _, _, y, _, source, _, _ in panel.observed({var}):
            seen[source or "(no source)"] = seen.get(source or "(no source)", 0) + 1
            years.add(y)
        if not years:
            continue
        span = f"{min(years)}-{max(years)}" if len(years) > 1 else str(min(years))
        listed = "; ".join(f"{_e(s)} ({n})" for s, n in sorted(seen.items())[:4])
        more = f"; and {len(seen) - 4} more" if len(seen) > 4 else ""
        rows.append([f"<code>{_e(var)}</code>", _e(panel.units.get(var)), span, listed + more])
    return (
        "<h2>Data vintages</h2>"
        '<p class="note">The release or publication of every input, as its rows name it '
        "(values per source in brackets).</p>"
        + _table(["variable", "unit", "years", "sources"], rows)
    )


def limits_section(scores: Scores, year: int) -> str:
    """What the numbers cannot carry, read off the data and the scores."""
    import numpy as np

    panel = scores.panel
    used = set(scores.plan.variables)
    items = []
    est = panel.estimates
    if est is not None:
        index = [i for i, v in enumerate(panel.variables) if v in used]
        held = ~np.isnan(panel.values[index])
        for kind in ("estimate", "imputed", "expert"):
            n = int((est.is_kind(kind)[index] & held).sum())
            if n:
                items.append(f"{n} input values are of kind '{kind}' (labelled so in the data).")
        ranged = int((est.ranged[index] & held).sum())
        if ranged:
            items.append(f"{ranged} input values carry a range or a standard error.")
    imputed = scores.treatment_report(year)["imputed"]
    if imputed:
        items.append(f"{len(imputed)} values of {year} are imputed by the index, not observed.")
    for y in scores.years:
        if scores.not_applicable(y):
            items.append(
                f"{y}: {', '.join(scores.not_applicable(y))} do not apply; the score rests on "
                "the other indicators."
            )
    t = scores.year_index(year)
    n = int((~np.isnan(scores.score[:, t])).sum())
    if n < SMALL_SAMPLE:
        items.append(
            f"{n} countries are scored in {year}: too few for correlations, principal components "
            "or data-driven weights to be stable; the weights state the argument."
        )
    unsourced = sum(1 for row in panel.observed(used) if not row[4])
    if unsourced:
        items.append(f"{unsourced} input values have no source.")
    items.append(
        "The index measures the conditions its tree names; it does not test whether they "
        "produce the outcome."
    )
    return "<h2>Limits</h2><ul>" + "".join(f"<li>{_e(x)}</li>" for x in items) + "</ul>"


def citation(scores: Scores) -> str:
    """A suggested citation of the scores, with the riskcore version."""
    from riskcore import __version__

    name, code = scores.plan.name, scores.plan.code
    index = relative(scores.plan.path, scores.plan.path)
    data = relative(scores.panel.path, scores.plan.path)
    span = f"{scores.years[0]}-{scores.years[-1]}"
    text = (
        f"{name} ({code}), scores {span}, computed with riskcore {__version__} from the index "
        f"file {index} and the data file {data}."
    )
    return f"<h2>Suggested citation</h2><p>{_e(text)}</p>"
