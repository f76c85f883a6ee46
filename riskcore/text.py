"""Plain-text presentation: the tables the command line prints and the results' ``str()``.

Every table here reads the public accessors of :class:`~riskcore.result.Scores`
(:meth:`~riskcore.result.Scores.ranked`, :meth:`~riskcore.result.Scores.band_of`,
:meth:`~riskcore.result.Scores.unscored`, :meth:`~riskcore.result.Scores.explain`), as the HTML
report and the figures do, and every number goes through :func:`number`, the one formatter of
the text outputs.
"""

from __future__ import annotations

import contextlib
import math
import os
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING, Any

from riskcore.outside import MARK, footnotes, mark_of, marked

if TYPE_CHECKING:
    from riskcore.integrity import IntegrityWarning
    from riskcore.plugins import PluginInfo
    from riskcore.result import Scores
    from riskcore.uncertainty import UncertaintyResult

__all__ = [
    "number",
    "render_indicators",
    "render_intervals",
    "render_plugins",
    "render_sources",
    "render_table",
    "render_warnings",
    "render_years",
    "runs_caveats",
    "span",
]


def number(value: float | None, digits: int = 1, *, sign: bool = False) -> str:
    """A number for a table: ``-`` for a missing value (None or NaN), else ``digits`` decimals.

    Parameters
    ----------
    value : float or None
    digits : int
        Decimals shown.
    sign : bool
        Show the sign of positive numbers too (``+1.5``), for changes.

    Returns
    -------
    str
    """
    if value is None or math.isnan(value):
        return "-"
    return f"{value:+.{digits}f}" if sign else f"{value:.{digits}f}"


def span(years: Sequence[int]) -> str:
    """``2019-2024``, or ``2023`` for a single year."""
    return f"{years[0]}" if years[0] == years[-1] else f"{years[0]}-{years[-1]}"


def render_table(scores: Scores, year: int | None) -> str:
    """The ranked table of one year, with the reasons countries were not scored."""
    t = scores.year_index(year)
    y = scores.years[t]
    lo, hi = scores.plan.scale
    nodes = scores.plan.nodes[:-1]
    root_kids = set(scores.plan.nodes[-1].children)
    n_leaves = len(scores.plan.leaves)
    top = [n for j, n in enumerate(nodes) if n_leaves + j in root_kids]
    names = [f"{c} {scores.panel.country_names.get(c, c)}" for c in scores.countries]
    width = max([len("Country"), *map(len, names)])
    bands = bool(scores.plan.bands)
    found = scores.intervals(y)
    chances = found["band_probabilities"] if found is not None else {}
    band_head = "Band (P)" if chances else "Band"
    longest = max((len(b) for b, _ in scores.plan.bands), default=0) + (5 if chances else 0)
    band_width = max(len(band_head), longest) if bands else 0
    runs = scores.runs.get(y)
    score_interval = found is not None and runs is not None and runs.comparable
    level = f"{100 * found['level']:g}%" if found is not None else ""
    mark = marked(found, scores.ranked(y))  # room for the marker only when a row has it
    head = ["Rank", "Country".ljust(width), "Score" + (" " if mark else "")]
    if found is not None:
        head += [f"{level} interval".rjust(13)] if score_interval else []
        head += ["Ranks".rjust(7), "Rel.".rjust(4)]
    head += [band_head.ljust(band_width)] if bands else []
    head += ["Coverage", *[n.name for n in top]]
    lines = [
        f"{scores.plan.name} ({scores.plan.code}), {y}: scores from {lo:g} to {hi:g}, "
        "rank 1 is the highest score",
        "",
        "  ".join(head),
    ]
    for r in scores.ranked(y):
        rank = scores.rank[r, t]
        cells = [
            ("-" if math.isnan(rank) else str(int(rank))).rjust(4),
            names[r].ljust(width),
            number(scores.score[r, t]).rjust(5) + ((mark_of(found, r) or " ") if mark else ""),
        ]
        if found is not None:
            cells += _interval_cells(found, r, score_interval)
        if bands:
            cells.append(
                _band_cell(scores.band_of(float(scores.score[r, t])), chances, r, band_width)
            )
        screened_out = bool(scores.excluded[r, t])
        cells += [("screened" if screened_out else f"{100 * scores.coverage[r, t]:.0f}%").rjust(8)]
        for n in top:
            j = scores.plan.nodes.index(n)
            cells.append(number(scores.nodes[j, r, t]).rjust(len(n.name)))
        lines.append("  ".join(cells).rstrip())
    if found is not None:
        lines += ["", *footnotes(scores, y, found), _interval_note(scores, y, level)]
        lines += _band_note(scores, y, chances)
    report = scores.treatment_report(y)
    if report["imputed"]:
        lines += ["", f"Imputed ({len(report['imputed'])} values, not counted as coverage):"]
        by_code: dict[str, list[str]] = {}
        for item in report["imputed"]:
            by_code.setdefault(item["indicator"], []).append(item["country"])
        for code, where in by_code.items():
            method = report["indicators"][code]["impute"]
            lines.append(f"  {code} ({method}): {', '.join(where)}")
    lines += _left_out(scores, y)
    if report["outliers"]:
        lines += ["", "Outliers treated:"]
        for code, rep in report["outliers"].items():
            how = rep.get("how", "treated")
            side = "both sides" if rep.get("side") == "both" else f"the {rep.get('side')} side"
            what = (
                f"{rep['points']} point(s) {how} on {side}"
                if how == ("winsorised")
                else f"{how} transform"
            )
            lines.append(f"  {code} ({rep['method']}): {what}")
    lines += _not_scored(scores, y)
    return "\n".join(lines)


def _not_scored(scores: Scores, year: int, shown: Collection[str] | None = None) -> list[str]:
    """Why each country (of ``shown``, default every one) has no score in a year: the lines
    "Screened out:" and "Not scored (missing data stays missing):" with a reason each."""
    report = scores.treatment_report(year)
    screened = {
        r["country"]: r["reason"]
        for r in report["screened"]
        if shown is None or r["country"] in shown
    }
    lines = []
    if screened:
        lines += ["", "Screened out:"]
        lines += [f"  {c}: {why}" for c, why in screened.items()]
    unscored = {
        c: why
        for c, why in scores.unscored(year).items()
        if c not in screened and (shown is None or c in shown)
    }
    if unscored:
        lines += ["", "Not scored (missing data stays missing):"]
        lines += [f"  {c}: {why}" for c, why in unscored.items()]
    return lines


def _left_out(scores: Scores, year: int) -> list[str]:
    """The inputs of scored countries that stay missing (unknown, not imputed): each node
    scores them from its other children, so their weight rests on those."""
    t = scores.year_index(year)
    by_code: dict[str, list[str]] = {}
    for r in scores.ranked(year):
        if math.isnan(scores.score[r, t]):
            continue
        for i, leaf in enumerate(scores.plan.leaves):
            if leaf.missing == "unknown" and math.isnan(scores.values[i, r, t]):
                by_code.setdefault(leaf.code, []).append(scores.countries[r])
    if not by_code:
        return []
    lines = [
        "",
        "Missing and not imputed (each node rests on its children with a value, or is missing"
        " itself when too few have one; see Coverage):",
    ]
    return lines + [f"  {code}: {', '.join(where)}" for code, where in by_code.items()]


def _band_cell(band: str | None, chances: dict[str, Any], r: int, width: int) -> str:
    """The band of a score and, with intervals, the share of runs in it."""
    if band is None:
        return "-".ljust(width)
    p = chances.get(band)
    share = "" if p is None or math.isnan(p[r]) else f" {100 * p[r]:.0f}%"
    return f"{band}{share}".ljust(width)


def _band_note(scores: Scores, year: int, chances: dict[str, Any]) -> list[str]:
    """What the band's share means, and the countries the most runs place in another band."""
    if not chances:
        return []
    t = scores.year_index(year)
    elsewhere = []
    for r in scores.ranked(year):
        band = scores.band_of(float(scores.score[r, t]))
        shares = {name: float(p[r]) for name, p in chances.items() if not math.isnan(p[r])}
        if band is None or not shares:
            continue
        likely = max(shares, key=lambda name: shares[name])
        if likely != band and shares[likely] > shares.get(band, 0.0):
            elsewhere.append(f"{scores.countries[r]} in {likely} ({100 * shares[likely]:.0f}%)")
    text = "Band (P): the band of the score, and the share of runs that fall in it."
    if elsewhere:
        text += (
            f" The largest share of runs places {', '.join(elsewhere)}: another band than the "
            "score's."
        )
    return [text]


def _interval_cells(found: dict[str, Any], r: int, score_interval: bool) -> list[str]:
    """The interval, rank range and reliability grade of one row."""
    cells = []
    if score_interval:
        low, high = found["score_low"][r], found["score_high"][r]
        cells.append(("-" if math.isnan(low) else f"{number(low)}-{number(high)}").rjust(13))
    r_low, r_high = found["rank_low"][r], found["rank_high"][r]
    ranks = "-" if math.isnan(r_low) else f"{r_low:.0f}-{r_high:.0f}"
    if ranks != "-" and round(r_low) == round(r_high):
        ranks = f"{r_low:.0f}"
    grade = found["reliability"][r]
    cells += [ranks.rjust(7), (number(grade["grade"]) if grade else "-").rjust(4)]
    return cells


def _interval_note(scores: Scores, year: int, level: str) -> str:
    """What the interval columns mean, and what is uncertain."""
    runs = scores.runs[year]
    text = (
        f"Intervals: the central {level} of {runs.n} Monte Carlo runs over "
        f"{', '.join(runs.factors)}; Ranks: the {level} range of the rank; Rel.: reliability "
        "grade 0-10 (docs/partial-data.md)."
    )
    if not runs.comparable:
        text += " The normalisation varies across runs, so only rank ranges are shown."
    if runs.one_by_one:
        text += f" The runs' data were treated one run at a time ({runs.one_by_one}): slower."
    return text + runs_caveats(scores, year)


def runs_caveats(scores: Scores, year: int, rows: Collection[int] | None = None) -> str:
    """What limits the intervals of a year's runs, each sentence after a space (empty when
    nothing does): the countries scored in fewer runs than the others (of ``rows``, default
    every country), and runs too few for steady ends."""
    runs = scores.runs[year]
    t = scores.year_index(year)
    counts = runs.scored_runs()
    shown = scores.ranked(year) if rows is None else [r for r in scores.ranked(year) if r in rows]
    fewer = [
        f"{scores.countries[r]} in {counts[r]}"
        for r in shown
        if not math.isnan(scores.score[r, t]) and counts[r] < runs.n
    ]
    text = ""
    if fewer:
        text += (
            " Scored in fewer runs (the others leave it unscored, as min_coverage or screening "
            f"decide): {', '.join(fewer)} of {runs.n}; the intervals and band shares of those "
            "countries rest on the runs that score them."
        )
    if runs.n < 100:
        text += f" Only {runs.n} runs: the interval's ends are unsteady (1,000 is the default)."
    return text


def render_years(scores: Scores) -> str:
    """Scores of every country in every year: how the index moved."""
    years = scores.years
    found = [scores.intervals(y) if y in scores.runs else None for y in years]
    mark = any(marked(f, range(len(scores.countries))) for f in found)
    head = "".join(f"{y:>7} " if mark else f"{y:>8}" for y in years).rstrip()
    lines = ["Scores by year", "", "Country".ljust(20) + head]
    for r in scores.ranked(years[-1]):
        cells = "".join(
            f"{number(scores.score[r, t]):>7}{mark_of(found[t], r) or ' '}"
            if mark
            else f"{number(scores.score[r, t]):>8}"
            for t in range(len(years))
        )
        name = f"{scores.countries[r]} {scores.panel.country_names.get(scores.countries[r], '')}"
        lines.append(f"{name:<20.20}{cells}".rstrip())
    if mark:
        level = next(f"{100 * f['level']:g}%" for f in found if f is not None)
        with_runs = [y for y, f in zip(years, found, strict=True) if f is not None]
        where = "" if len(with_runs) == len(years) else f"; intervals of {span(with_runs)} only"
        lines += ["", f"{MARK} outside its own {level} interval that year{where}."]
    informative = scores.informative_years()
    partial = [y for y in years if scores.not_applicable(y)]
    if partial:
        lines += [
            "",
            f"In {span(partial)} {', '.join(scores.not_applicable(partial[0]))} do not apply: "
            "those scores rest on the other indicators and are not comparable with later years "
            "(riskcore trend compares years scored on the same indicators).",
        ]
    flat = [
        y
        for t, y in enumerate(years)
        if y not in informative and not all(math.isnan(v) for v in scores.score[:, t])
    ]
    if flat:
        low = number(scores.plan.scale[0])
        lines += [
            "",
            f"In {', '.join(map(str, flat))} every score is {low}, the bottom of the scale: the"
            " index does not tell the countries apart "
            + ("that year." if len(flat) == 1 else "in those years."),
        ]
    return "\n".join(lines)


def render_indicators(scores: Scores, year: int | None) -> str:
    """Every indicator's value for every country in one year, with units."""
    t = scores.year_index(year)
    leaves = scores.plan.leaves
    lines = [f"Indicators, {scores.years[t]} (raw values; - not published)", ""]
    width = max(len(leaf.code) for leaf in leaves)
    lines.append(" " * (width + 2) + "".join(f"{c:>8}" for c in scores.countries))
    for i, leaf in enumerate(leaves):
        cells = "".join(
            f"{number(scores.raw[i, r, t], 2):>8}" for r in range(len(scores.countries))
        )
        lines.append(f"{leaf.code:<{width}}  {cells}   {leaf.unit or ''}")
    return "\n".join(lines)


def render_sources(scores: Scores) -> str:
    """One line on where the data come from."""
    used = scores.plan.variables
    present = [row[4] for row in scores.panel.observed(set(used))]
    n_values = len(present)
    n_sourced = sum(1 for source in present if source)
    cites = sorted(
        {
            leaf.indicator.source
            for leaf in scores.plan.leaves
            if leaf.indicator and leaf.indicator.source
        }
    )
    where = scores.panel.path or "the data"
    with contextlib.suppress(ValueError):  # ValueError: another drive on Windows
        relative = os.path.relpath(where)
        where = where if relative.startswith("..") else relative
    text = (
        f"Data: {where}: {n_values} values of {len(used)} variables, {span(scores.years)}, "
        f"{n_sourced} with a source"
    )
    if cites:
        text += f" ({'; '.join(cites)})"
    return text + (
        ". Every value's source: --format json (indicators -> inputs), or Scores.provenance()."
    )


def render_plugins(infos: Sequence[PluginInfo]) -> str:
    """The table of ``riskcore plugins``: name, version, distribution, status and what each
    plugin provides, then why any failed and what conflicts."""
    rows = [("Name", "Version", "Distribution", "Status", "Provides")]
    for i in infos:
        provides = ", ".join(i.provides()) or "-"
        rows.append((i.name, i.version or "-", i.distribution or "-", i.status, provides))
    widths = [max(len(r[k]) for r in rows) for k in range(4)]
    lines = ["  ".join([*(r[k].ljust(widths[k]) for k in range(4)), r[4]]).rstrip() for r in rows]
    for i in infos:
        if i.error:
            lines.append(f"\n{i.name} {i.status}: {i.error}")
        if i.conflicts:
            lines.append(
                f"\n{i.name}: also provided by another plugin, unusable until one is disabled: "
                + ", ".join(i.conflicts)
            )
    return "\n".join(lines)


def render_intervals(
    result: UncertaintyResult, countries: Sequence[str] | None = None, bands: Scores | None = None
) -> str:
    """The table of an uncertainty analysis: nominal score and rank, the score's 5-95 % (when
    the runs share one scale), the rank's median and 5-95 % and the reliability grade (when
    the result carries its scores: :attr:`UncertaintyResult.scores`), for ``countries`` in the
    order given (default: every country by nominal rank); with ``bands``, each country's band."""
    comparable = not result.notes  # the scores of all runs are on one scale
    score_head = f" {'5%':>6} {'95%':>6}" if comparable else ""
    band_head = "  Band" if bands is not None else ""
    records = {r["country"]: r for r in result.to_records()}
    codes = list(records) if countries is None else list(countries)
    scores = result.scores
    found = scores.intervals(result.year) if scores is not None else None
    where = {c: i for i, c in enumerate(result.countries)}
    rows = [where[c] for c in codes]
    mark = marked(found, rows)
    rel_head = "  Rel." if found is not None else ""
    lines = [
        f"{'Country':<28} {'Score':>6}{' ' if mark else ''}{score_head}  {'Rank':>4} "
        f"{'median':>6} {'5%-95%':>7}{rel_head}{band_head}"
    ]
    for code, i in zip(codes, rows, strict=True):
        r = records[code]
        ranks = f"{r['rank_p05']:.0f}-{r['rank_p95']:.0f}" if r["rank_p05"] is not None else "-"
        spread = f" {number(r['score_p05']):>6} {number(r['score_p95']):>6}" if comparable else ""
        score = f"{number(r['score']):>6}" + ((mark_of(found, i) or " ") if mark else "")
        grade = found["reliability"][i] if found is not None else None
        rel = f"  {number(grade['grade']) if grade else '-':>4}" if found is not None else ""
        band = f"  {bands.band(code, result.year) or '-':<10}" if bands is not None else ""
        rank = f"{number(r['rank'], 0):>4} {number(r['rank_median'], 0):>6} {ranks:>7}"
        name = f"{r['country'] + ' ' + r['name']:<28.28}"
        lines.append(f"{name} {score}{spread}  {rank}{rel}{band}".rstrip())
    if scores is not None and mark:
        lines += ["", *footnotes(scores, result.year, found, rows=set(rows))]
    caveats = runs_caveats(scores, result.year, set(rows)) if scores is not None else ""
    if caveats:
        lines += ["", caveats.strip()]
    if scores is not None:
        lines += _not_scored(scores, result.year, set(codes))
    return "\n".join(lines)


#: A compact warning line names its variables up to about this width, then how many more.
WARNING_WIDTH = 120

#: Each kind of integrity warning in a compact line: (one, several).
_KINDS = {
    "source_change": ("source change inside a series", "source changes inside a series"),
    "nominal_at_edge": ("value at an end of its range", "values at an end of their range"),
    "small_audit": ("audit on fewer than 10 observations", "audits on fewer than 10 observations"),
    "structural_zero_pooled": (
        "indicator pooled over years in which it is a structural zero",
        "indicators pooled over years in which they are a structural zero",
    ),
    "clipped_shock": ("shock clipped at a goalpost", "shocks clipped at a goalpost"),
}


def render_warnings(warnings: Sequence[IntegrityWarning], *, every: bool = False) -> list[str]:
    """The integrity warnings as the command line prints them on standard error.

    Parameters
    ----------
    warnings : sequence of IntegrityWarning
        :func:`riskcore.integrity.data_warnings` of a score, for instance.
    every : bool
        Every warning on a line of its own, with its country, year and details (``--warnings``);
        otherwise one short line per kind, with how many there are and of which variables, and
        a last line on how to see each.

    Returns
    -------
    list of str
        Lines starting ``riskcore: warning:`` (none without warnings).
    """
    prefix = "riskcore: warning: "
    if every:
        return [prefix + w.message for w in warnings]
    kinds: dict[str, dict[str | None, int]] = {}
    for w in warnings:
        counts = kinds.setdefault(w.kind, {})
        counts[w.variable] = counts.get(w.variable, 0) + 1
    lines = []
    for kind, counts in kinds.items():
        n = sum(counts.values())
        one, several = _KINDS.get(kind, (kind, kind))
        head = f"{prefix}{n} {one if n == 1 else several}"
        named = sorted(((v, k) for v, k in counts.items() if v), key=lambda vk: -vk[1])
        lines.append(head + _listed([f"{v} ({k})" for v, k in named], len(head)))
    if lines:
        lines.append(
            'riskcore: every warning with its country and year: --warnings, or "warnings" in '
            "--format json"
        )
    return lines


def _listed(items: Sequence[str], used: int) -> str:
    """``: a, b, c`` within :data:`WARNING_WIDTH` after ``used`` characters, else as many as
    fit (at least one) and ``and N more``; empty without items."""
    for k in range(len(items), 0, -1):
        rest = len(items) - k
        text = ": " + ", ".join(items[:k]) + (f", and {rest} more" if rest else "")
        if used + len(text) <= WARNING_WIDTH or k == 1:
            return text
    return ""
