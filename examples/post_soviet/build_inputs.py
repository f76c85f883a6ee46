"""Build the post-Soviet example's inputs: the curated rows plus the estimates derived here.

    python examples/post_soviet/build_inputs.py

reads ``curated.csv`` (the curated figures of the reference data, one sourced figure per row)
and the evidence tables in ``evidence/``, and writes ``inputs.csv``: the curated rows unchanged,
then one row per derived value. Nothing derived is typed by hand: every derived value is
arithmetic on evidence rows, and its ``source`` names the file and the lines it comes from.
``inputs.csv`` is committed; a test checks that it is what this script makes.

The derivations (``docs/walkthrough.md`` gives the reasoning, ``DATA.md`` the rows):

``diaspora_stock`` (with ``_low`` and ``_high``), persons, 2022 and 2023
    Russians who arrived after 24 February 2022 and were still in the host, an *estimate*
    with a range. Candidates, each a range:

    1. every published host stock of new arrivals (the evidence rows in :data:`STOCKS`);
    2. a share of the published totals who left Russia: the host's first-destination share
       (RANEPA survey) times each published total for the year, times the share who stayed
       (one minus the published return shares, :data:`RETURN_SHARES`, 8 % to 45 %);
    3. a flow times the stay share: persons reported as arrived or registered
       (:data:`PERSON_FLOWS`) times one minus the return shares;
    4. excess entries times a calibrated stay ratio: the host's 2022 entries above the 2021
       level (from the FSB's growth rate of trips, ``1 - 1 / (1 + g)``) times the ratio of
       stayers to excess entries observed where both are published (Georgia and Kazakhstan
       2022, :data:`CALIBRATION`). For 2023 the 2022 range times the stay share.

    The range is the hull of the host's candidates (sources that disagree are spanned); the
    value is its midpoint (no source says which figure is likelier). Method 4 is used only
    where 1-3 give nothing. Turkmenistan publishes no entries and no stock: its value is
    *imputed*: the median per-capita estimate of the other hosts that year, with the range 0 to
    their largest per-capita upper bound, times its population.

``emigrant_incidents`` (with ``_high``), incidents, 2022 and 2023
    Documented incidents against Russian emigrants (detentions, deportations, extraditions,
    forced returns, entry bans of émigré journalists and activists), from the evidence rows
    in :data:`INCIDENTS`. Rows that may count the same people form a group and count as the
    group's largest figure; groups add up. A *lower bound*: a host-year without a documented
    incident gets 0 (at least none), never a missing value, so documenting an incident can
    only raise its score. The upper end of the range adds the largest count documented in any
    host that year (what reporting of similar intensity could have missed).

``emigre_organisations_documented`` (with ``_high``), organisations, 2022 and 2023
    The curated ``emigre_organisations`` rows, carried forward from the year first documented
    (an organisation documented in 2022 is counted in 2023 too) and 0 where none is
    documented; a lower bound with the same upper end as the incidents.

``remittances_from_russia_usd``, US$, three host-years curated.csv lacks
    Georgia 2023 (National Bank of Georgia, money transfers from Russia, as published) and
    Kyrgyzstan 2021 and 2022 (National Bank of the Kyrgyz Republic, January-November only): a
    part year is scaled to twelve months, the value the midpoint between the eleven-month
    figure and eleven-month figure x 12/11, labelled an estimate.

``russian_minority_pct`` (with ``_low`` and ``_high``), % of population, 2019-2023
    The ethnic Russian share of the population by census or official estimate
    (:data:`MINORITY`; counts in persons divided by the population of the nearest model year),
    one range per host carried to every year 2019-2023 (a slow-moving stock): it spans every
    figure found, so where sources or years disagree (Kazakhstan 2021 and 2024, Kyrgyzstan 2021
    and 2025, Turkmenistan's leaked 2012 census against NGO and media counts) the range covers
    them; the value is the midpoint.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
HOSTS = ("ARM", "AZE", "GEO", "KAZ", "KGZ", "TJK", "TKM", "UZB")
DIASPORA_YEARS = (2022, 2023)
YEARS = (2019, 2020, 2021, 2022, 2023)
DIASPORA = "evidence/diaspora_figures.csv"
LEVERAGE = "evidence/leverage_figures.csv"

#: Published stocks of new arrivals, by host and year: evidence variables (persons).
STOCKS = {
    ("ARM", 2022): (
        "russian_citizens_present_in_armenia_sep2022",
        "russians_present_end2022_ministry_of_economy",
        "russians_settled_estimate_the_bell",
        "russians_remained_migration_service_rbc",
    ),
    ("ARM", 2023): (
        "new_russian_diaspora_size_estimate_zois",
        "russians_settled_in_armenia_estimate",
    ),
    ("GEO", 2022): (
        "russians_arrived_and_stayed_jan_sep",
        "russians_remaining_net_of_2022_entries_exits_mia",
        "russians_settled_estimate_the_bell",
        "russians_stayed_estimate_president",
    ),
    ("GEO", 2023): (
        "new_russian_diaspora_size_estimate_zois",
        "russians_entered_minus_left_feb24_2022_to_feb20_2023",
    ),
    ("KAZ", 2022): (
        "russians_settled_estimate_the_bell",
        "russians_stayed_after_mobilisation",
        "russians_stayed_after_mobilisation_estimate_meduza",
        "russians_entered_after_mobilisation_stayed_over_month_bumaga",
    ),
    ("KAZ", 2023): (
        "new_russian_diaspora_size_estimate_zois",
        "mobilisation_wave_russians_remaining_end2023",
    ),
    ("KGZ", 2023): ("new_russian_diaspora_size_estimate_zois",),
}

#: Totals who left Russia (all destinations), by year: evidence variables of country ALL.
TOTALS = {
    2022: (
        "total_left_in_2022_bloomberg",
        "total_left_in_2022_official_izvestia",
        "total_emigration_wave_demographers_florinskaya_raksha",
    ),
    2023: (
        "total_emigrated_ranepa_estimate",
        "total_left_russia_after_feb2022_rerussia",
        "total_left_since_feb2022_raksha",
    ),
}

#: The first-destination share of leavers (RANEPA), a 2023 row per host.
DESTINATION_SHARE = "ranepa_share_of_leavers_first_destination"

#: Shares of leavers who returned to Russia (country ALL): the stay share is one minus them.
RETURN_SHARES = (
    (2023, "share_returned_eui_panel_ft"),
    (2023, "share_returned_finion_clients_izvestia"),
    (2023, "share_returned_headhunter_izvestia"),
    (2024, "share_2022_leavers_returned_finion_bloomberg"),
    (2024, "share_returned_ranepa_survey"),
    (2024, "share_returned_to_russia_outrush_summer2023_summer2024"),
)

#: Persons reported as arrived to stay or registered, by host (2022 rows).
PERSON_FLOWS = {
    "KGZ": ("russians_arrived_reportedly_relocated", "russians_registered_late_sep_early_oct"),
}

#: The FSB growth of trips 2022 on 2021 (percent), and the host's 2022 entries it applies to.
GROWTH = "fsb_departures_from_russia_growth_vs_2021_pct"
ENTRIES = {
    "GEO": ("russian_border_crossings_into_georgia",),
    "KAZ": ("fsb_departures_from_russia",),
    "UZB": ("russian_arrivals_tourism_purpose_statagency",),
    "AZE": ("russian_arrivals_mar_dec_statcom", "russian_passport_arrivals_feb_dec"),
    "TJK": ("fsb_russian_citizens_entered_tajikistan",),
}

#: Hosts whose 2022 stock and excess entries give the stay ratio of method 4.
CALIBRATION = ("GEO", "KAZ")

#: Incidents against emigrants: host, year, groups of evidence lines that may overlap.
INCIDENTS: dict[tuple[str, int], tuple[tuple[str, ...], ...]] = {
    ("ARM", 2022): (("antiwar_protesters_detained_yerevan_aug24",),),
    ("ARM", 2023): (("russian_antiwar_fugitives_detained_on_russian_warrants",),),
    ("GEO", 2022): (
        ("russian_journalists_denied_entry_named_mar2022",),
        ("russian_journalists_activists_denied_entry_two_weeks_nov",),
    ),
    ("GEO", 2023): (("russian_activists_denied_reentry_named_feb2023",),),
    ("KAZ", 2022): (
        ("russian_citizens_deported_sep21_oct4",),
        ("russian_mobilisation_evaders_deported_to_russia",),
    ),
    ("KGZ", 2023): (
        (
            "russian_political_activists_detained_in_bishkek_may_jun",
            "russian_political_activists_extradited_to_russia",
            "russian_political_activists_forcibly_returned_to_russia",
        ),
    ),
}

#: Transfers from Russia by central-bank money-transfer definition, not in curated.csv: host,
#: year, evidence variable, and the months it covers (12: taken as it is; 11: scaled to a year).
REMITTANCES = (
    ("GEO", 2023, "remittances_from_russia_usd", 12),
    ("KGZ", 2021, "remittances_from_russia_usd_jan_nov", 11),
    ("KGZ", 2022, "remittances_from_russia_usd_jan_nov", 11),
)

#: Ethnic Russian share of the population (percent): the evidence rows of each host.
MINORITY = {
    "ARM": ("ethnic_russians_share_pct",),
    "AZE": ("ethnic_russians_share_pct",),
    "GEO": ("ethnic_russians_share_pct",),
    "KAZ": ("ethnic_russians_share_pct",),
    "KGZ": ("ethnic_russians_share_pct",),
    "TJK": ("ethnic_russians_share_pct",),
    "TKM": ("ethnic_russians_share_pct", "ethnic_russians_count", "ethnic_russians_count_alt"),
    "UZB": ("ethnic_russians_share_pct",),
}


@dataclass(frozen=True)
class Row:
    """One evidence row: where it is and its figures (``low``/``high`` default to ``value``)."""

    file: str
    line: int
    country: str
    year: int | None
    variable: str
    value: float | None
    low: float | None
    high: float | None

    @property
    def span(self) -> tuple[float, float]:
        """The row's range: its own low and high, or its value at both ends."""
        figures = [f for f in (self.value, self.low, self.high) if f is not None]
        if not figures:
            raise ValueError(f"{self.file}, line {self.line}: no figure")
        return min(figures), max(figures)


@dataclass(frozen=True)
class Estimate:
    """A derived range, its nominal value, and the evidence lines it rests on."""

    low: float
    high: float
    lines: tuple[tuple[str, int], ...]
    how: str

    @property
    def value(self) -> float:
        """The midpoint: no source says which end is likelier."""
        return (self.low + self.high) / 2.0


def _number(cell: str | None) -> float | None:
    """A figure, or None for an empty cell or a text one (the rows picked must have figures)."""
    try:
        return float(cell) if cell else None
    except ValueError:
        return None


def read_evidence(name: str, folder: Path = HERE) -> list[Row]:
    """Every row of an evidence table, with its line number."""
    with (folder / name).open(newline="", encoding="utf-8") as handle:
        return [
            Row(
                name, line, r["country"], int(r["year"]) if r["year"].isdigit() else None,
                r["variable"], _number(r["value"]),
                _number(r.get("low")), _number(r.get("high")),
            )
            for line, r in enumerate(csv.DictReader(handle), start=2)
        ]  # fmt: skip


class Evidence:
    """The evidence rows by (country, variable), each variable's rows looked up by year."""

    def __init__(self, rows: Iterable[Row]) -> None:
        self.rows = list(rows)

    def find(self, country: str, variable: str, year: int | None = None) -> list[Row]:
        """Rows of a variable for a country (and year); an unknown name is an error."""
        out = [r for r in self.rows if r.country == country and r.variable == variable]
        if not out:
            raise KeyError(f"no evidence row {country} {variable}")
        return [r for r in out if year is None or r.year == year]


def hull(parts: Sequence[Estimate], how: str) -> Estimate:
    """The smallest range holding every part."""
    lines = tuple(dict.fromkeys(line for p in parts for line in p.lines))
    return Estimate(min(p.low for p in parts), max(p.high for p in parts), lines, how)


def from_rows(rows: Sequence[Row], how: str) -> Estimate:
    """The hull of rows' own ranges."""
    parts = [Estimate(*r.span, ((r.file, r.line),), how) for r in rows]
    return hull(parts, how)


def scaled(e: Estimate, factor: Estimate, how: str) -> Estimate:
    """A range times a positive range: ends times ends."""
    return Estimate(e.low * factor.low, e.high * factor.high, e.lines + factor.lines, how)


def stay_share(ev: Evidence) -> Estimate:
    """One minus the published return shares: the range of the share who stayed."""
    rows = [r for y, v in RETURN_SHARES for r in ev.find("ALL", v, y)]
    returned = from_rows(rows, "return shares")
    return Estimate(1 - returned.high / 100, 1 - returned.low / 100, returned.lines, "stay share")


def excess_entries(ev: Evidence, host: str) -> Estimate:
    """2022 entries above the 2021 level, from the FSB growth rate: ``e (1 - 1 / (1 + g))``."""
    (growth,) = ev.find(host, GROWTH, 2022)
    assert growth.value is not None
    excess = 1 - 1 / (1 + growth.value / 100)
    entries = from_rows([r for v in ENTRIES[host] for r in ev.find(host, v, 2022)], "entries")
    lines = (*entries.lines, (growth.file, growth.line))
    return Estimate(entries.low * excess, entries.high * excess, lines, "excess entries")


def stay_ratio(ev: Evidence) -> Estimate:
    """Stayers per excess entry where both are published (the hosts in CALIBRATION)."""
    parts = []
    for host in CALIBRATION:
        stock = published_stock(ev, host, 2022)
        assert stock is not None
        entries = excess_entries(ev, host)
        ratio = (stock.low / entries.high, stock.high / entries.low)
        parts.append(Estimate(*ratio, stock.lines + entries.lines, "stay ratio"))
    return hull(parts, "stayers per excess entry")


def published_stock(ev: Evidence, host: str, year: int) -> Estimate | None:
    """Method 1: the hull of the host's published stocks that year."""
    names = STOCKS.get((host, year))
    if not names:
        return None
    return from_rows([r for v in names for r in ev.find(host, v, year)], "published stocks")


def share_of_total(ev: Evidence, host: str, year: int) -> Estimate | None:
    """Method 2: destination share times the totals who left, times the stay share."""
    try:
        share = from_rows(ev.find(host, DESTINATION_SHARE), "destination share")
    except KeyError:
        return None
    totals = from_rows([r for v in TOTALS[year] for r in ev.find("ALL", v, year)], "totals")
    arrivals = scaled(totals, Estimate(share.low / 100, share.high / 100, share.lines, ""), "")
    return scaled(arrivals, stay_share(ev), "share of the totals who left")


def person_flow(ev: Evidence, host: str) -> Estimate | None:
    """Method 3: persons reported as arrived or registered (2022), times the stay share."""
    names = PERSON_FLOWS.get(host)
    if not names:
        return None
    flow = from_rows([r for v in names for r in ev.find(host, v, 2022)], "person flows")
    return scaled(flow, stay_share(ev), "flow times the stay share")


def diaspora_stock(ev: Evidence, host: str, year: int) -> Estimate | None:
    """The host's estimate for the year (None: no method applies, Turkmenistan)."""
    parts = [
        e
        for e in (
            published_stock(ev, host, year),
            share_of_total(ev, host, year),
            person_flow(ev, host),
        )
        if e is not None
    ]
    if parts:
        return hull(parts, "; ".join(dict.fromkeys(p.how for p in parts)))
    if host not in ENTRIES:
        return None
    first = scaled(excess_entries(ev, host), stay_ratio(ev), "excess entries times the stay ratio")
    if year == 2022:
        return first
    return scaled(first, stay_share(ev), "2022 estimate times the stay share")


def incidents(ev: Evidence, host: str, year: int) -> tuple[float, list[tuple[str, int]]]:
    """Documented incidents (a lower bound): the sum over groups of each group's largest row."""
    total, lines = 0.0, []
    for group in INCIDENTS.get((host, year), ()):
        rows = [r for v in group for r in ev.find(host, v, year)]
        total += max(r.span[1] for r in rows)
        lines += [(r.file, r.line) for r in rows]
    return total, lines


def _cite(lines: Iterable[tuple[str, int]]) -> str:
    by_file: dict[str, list[int]] = {}
    for file, line in lines:
        by_file.setdefault(file, []).append(line)
    return "; ".join(f"{f} lines {', '.join(map(str, sorted(set(n))))}" for f, n in by_file.items())


def _g(x: float) -> str:
    return f"{x:.6g}" if abs(x) < 1e6 else f"{x:.0f}"


def derived_rows(curated: Sequence[dict[str, str]], ev: Evidence) -> list[tuple[str, ...]]:
    """The derived rows of ``inputs.csv``."""
    population = {
        (r["country"], int(r["year"])): float(r["value"])
        for r in curated
        if r["variable"] == "population"
    }
    out: list[tuple[str, ...]] = []

    def add(
        c: str, y: int, var: str, x: float, unit: str, source: str, note: str,
        *, low: float | None = None, high: float | None = None, kind: str = "",
        pair: str | None = "_low",
    ) -> None:  # fmt: skip
        """A value row; with a range, its ``low``/``high`` columns and the range variables the
        index's ``[uncertainty.data]`` table draws from: ``<var><pair>`` for the low end (none
        when ``pair`` is empty: the value is the low end) and ``<var>_high``; none at all when
        ``pair`` is None."""
        ends = ("", "") if low is None or high is None else (_g(low), _g(high))
        out.append((c, str(y), var, _g(x), *ends, "", kind, unit, source, note))
        if low is not None and high is not None and pair is not None:
            if pair:
                out.append(
                    (c, str(y), var + pair, _g(low), "", "", "", "", unit, source, "low end")
                )
            out.append(
                (c, str(y), var + "_high", _g(high), "", "", "", "", unit, source, "high end")
            )

    persons = "persons (estimate)"
    for y in DIASPORA_YEARS:
        found = {h: diaspora_stock(ev, h, y) for h in HOSTS}
        known = {h: e for h, e in found.items() if e is not None}
        top = max(e.high / population[h, y] for h, e in known.items())
        middle = sorted(e.value / population[h, y] for h, e in known.items())
        median = (middle[(len(middle) - 1) // 2] + middle[len(middle) // 2]) / 2
        for h in HOSTS:
            e = found[h]
            if e is None:
                e = Estimate(0.0, top * population[h, y], (), "imputed")
                src = "build_inputs.py: imputed, no entry or stock data for this host"
                note = (
                    "imputed: unknown; value = the median per-capita estimate of the other "
                    "hosts, range 0 to their largest per-capita upper bound, times the population"
                )
                nominal = median * population[h, y]
            else:
                src = f"build_inputs.py from {_cite(e.lines)}"
                note = f"estimate ({e.how}); value = midpoint of the range"
                nominal = e.value
            kind = "estimate" if e.lines else "imputed"
            add(
                h,
                y,
                "diaspora_stock",
                nominal,
                persons,
                src,
                note,
                low=e.low,
                high=e.high,
                kind=kind,
            )

    organisations: dict[str, float] = {}
    for y in DIASPORA_YEARS:
        counts = {h: incidents(ev, h, y) for h in HOSTS}
        for r in curated:
            if r["variable"] == "emigre_organisations" and int(r["year"]) == y:
                organisations[r["country"]] = max(
                    organisations.get(r["country"], 0.0), float(r["value"])
                )
        top_incidents = max(n for n, _ in counts.values())
        top_orgs = max(organisations.values(), default=0.0)
        for h in HOSTS:
            n, lines = counts[h]
            src = (
                f"build_inputs.py from {_cite(lines)}"
                if lines
                else "build_inputs.py: none found in the evidence"
            )
            note = "lower bound: documented incidents (detentions, removals, entry bans)"
            note += "; upper end: plus the most documented in any host this year"
            add(h, y, "emigrant_incidents", n, "incidents (lower bound)", src, note,
                low=n, high=n + top_incidents, kind="observed", pair="")  # fmt: skip
            k = organisations.get(h, 0.0)
            src = (
                "build_inputs.py from curated.csv emigre_organisations"
                if k
                else "build_inputs.py: none documented"
            )
            note = (
                "lower bound: documented since 2022, carried forward; upper end: plus the most "
                "documented in any host"
            )
            add(h, y, "emigre_organisations_documented", k, "organisations (lower bound)", src,
                note, low=k, high=k + top_orgs, kind="observed", pair="")  # fmt: skip

    for h, y, variable, months in REMITTANCES:
        (r,) = ev.find(h, variable, y)
        assert r.value is not None
        src = f"build_inputs.py from {_cite([(r.file, r.line)])}"
        if months == 12:
            add(h, y, "remittances_from_russia_usd", r.value, "US$", src, "as published")
        else:
            full = r.value * (1 + 12 / months) / 2
            note = f"estimate: {months} months scaled to a year, midpoint of x1 and x12/{months}"
            add(h, y, "remittances_from_russia_usd", full, "US$", src, note,
                low=r.value, high=r.value * 12 / months, kind="estimate", pair=None)  # fmt: skip

    for h in HOSTS:
        rows = [r for v in MINORITY[h] for r in ev.find(h, v)]
        parts = []
        for r in rows:
            lo, hi = r.span
            if r.variable.startswith("ethnic_russians_count"):  # persons: a share of the population
                pop = population[h, min(max(r.year or YEARS[-1], YEARS[0]), YEARS[-1])]
                lo, hi = 100 * lo / pop, 100 * hi / pop
            parts.append(Estimate(lo, hi, ((r.file, r.line),), "census or estimate"))
        e = hull(parts, "census or official estimate")
        src = f"build_inputs.py from {_cite(e.lines)}"
        for y in YEARS:
            add(h, y, "russian_minority_pct", e.value, "% of population", src,
                "every census or official estimate found, carried to every year",
                low=e.low, high=e.high, kind="estimate")  # fmt: skip
    return out


HEADER = (
    "country",
    "year",
    "variable",
    "value",
    "low",
    "high",
    "se",
    "kind",
    "unit",
    "source",
    "note",
)


def curated_rows(curated: Sequence[dict[str, str]]) -> list[tuple[str, ...]]:
    """The curated rows in the columns of ``inputs.csv``; a WGI estimate gets its published
    standard error (the row ``wgi_*_se`` of the same country and year) in its ``se`` column."""
    se = {(r["country"], r["year"], r["variable"]): r["value"] for r in curated}
    out = []
    for r in curated:
        v = r["variable"]
        error = se.get((r["country"], r["year"], v[:-4] + "_se"), "") if v.endswith("_est") else ""
        out.append((r["country"], r["year"], v, r["value"], "", "", error if r["value"] else "",
                    "", r["unit"], r["source"], r["note"]))  # fmt: skip
    return out


def build(folder: Path = HERE) -> str:
    """The text of ``inputs.csv``: the curated rows, then the derived rows."""
    with (folder / "curated.csv").open(newline="", encoding="utf-8") as handle:
        curated = list(csv.DictReader(handle))
    ev = Evidence(read_evidence(DIASPORA, folder) + read_evidence(LEVERAGE, folder))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(curated_rows(curated))
    writer.writerows(derived_rows(curated, ev))
    return buffer.getvalue()


if __name__ == "__main__":
    (HERE / "inputs.csv").write_text(build(), encoding="utf-8", newline="")
