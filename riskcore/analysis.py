"""Comparing scores: trends between two years, and scenarios against a baseline.

:func:`trend` compares two years of one :class:`~riskcore.result.Scores`: each country's score and
rank change, and the change decomposed into the contributions of each indicator and node (the
difference of :meth:`~riskcore.result.Scores.explain` in the two years, which adds up exactly to
the score change).

:func:`run_scenario` applies shocks, declared in a TOML file, to the data or to the indicators
and re-scores: "diaspora_size times 2 in KAZ", "crackdown_propensity plus 20 % everywhere",
"drop indicator X"::

    [scenario]
    name = "Kazakhstan doubles, repression rises"

    [[scenario.shock]]
    indicator = "diaspora_size"   # or variable = "relocants": a data variable
    countries = ["KAZ"]           # default: every country
    years = [2023]                # default: every year
    multiply = 2                  # or add = 5, percent = 20, set = 10

    [[scenario.shock]]
    drop = "crackdown_propensity" # leave an indicator or node out (its weight becomes 0)

Shocks on indicators act on their values as computed, before imputation, treatment and
normalisation; shocks on variables act on the data before the indicators are computed.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from pydantic import Field, ValidationError, model_validator

from riskcore._strict import FileModel
from riskcore.engine import evaluate
from riskcore.errors import SpecError
from riskcore.files import first_error, read_toml, toml_document
from riskcore.integrity import IntegrityWarning, clipped_shocks, source_switches, with_warnings
from riskcore.labels import country_position, year_position
from riskcore.methods.base import json_int, json_number
from riskcore.outside import MARK, mark_of
from riskcore.result import Scores
from riskcore.text import number, span
from riskcore.treat import prepare
from riskcore.variants import drop

__all__ = [
    "Scenario",
    "ScenarioResult",
    "Shock",
    "Trend",
    "load_scenario",
    "parse_scenario",
    "run_scenario",
    "trend",
]

FloatArray = NDArray[np.float64]


# -- trends ----------------------------------------------------------------------------------


@dataclasses.dataclass
class Trend:
    """Score and rank changes between two years, decomposed by indicator and node.

    Attributes
    ----------
    index : str
    start, end : int
    rows : list of dict
        One per country, by change: scores, ranks, the change by indicator and node, and with
        intervals ``p_rise`` and ``p_fall`` (the shares of runs in which the score is higher,
        lower, in the second year; ties are neither), ``outside_from`` / ``outside_to`` (the
        score lies outside its own interval that year) and ``direction_disputed`` (more runs
        fall than rise while the nominal score rises, or the reverse).
    not_comparable : str, optional
        Why the two years are not scored on the same indicators (None when they are).
    level : float, optional
        The intervals' level.
    """

    index: str
    start: int
    end: int
    rows: list[dict[str, Any]]
    not_comparable: str | None = None
    level: float | None = None

    @staticmethod
    def drivers(row: dict[str, Any], n: int = 3) -> list[tuple[str, float]]:
        """The ``n`` indicators whose contributions changed most (by size) in a row of
        :attr:`rows`, with their change in points."""
        return sorted(row["indicators"].items(), key=lambda kv: -abs(kv[1]))[:n]

    def to_dict(self) -> dict[str, Any]:
        """The JSON of ``riskcore trend --format json``."""
        out: dict[str, Any] = {
            "index": self.index,
            "from": self.start,
            "to": self.end,
            "results": self.rows,
        }
        if self.level is not None:
            out["interval_level"] = self.level
        if self.not_comparable:
            out["not_comparable"] = self.not_comparable
        return out

    def __str__(self) -> str:
        rise = any("p_rise" in r for r in self.rows)
        lines = [f"{self.index}: change from {self.start} to {self.end}", ""]
        if self.not_comparable:
            lines += [f"Not comparable: {self.not_comparable}", ""]
        lines.append(
            f"{'Country':<24} {self.start:>6}  {self.end:>6}  {'change':>7} {'rank':>9}  "
            + (f"{'P(rise)':>8}  " if rise else "")
            + "largest contributions to the change"
        )
        for r in self.rows:
            ranks = (
                f"{r['rank_from']}->{r['rank_to']}"
                if r["rank_from"] is not None and r["rank_to"] is not None
                else "-"
            )
            top = self.drivers(r)
            why = (
                ", ".join(f"{k} {v:+.1f}" for k, v in top)
                if r["change"] is not None
                else (r.get("note", ""))
            )
            p = ""
            if rise:
                disputed = "!" if r.get("direction_disputed") else " "
                p = f"{number(r.get('p_rise'), 2):>7}{disputed}  "
            s0 = f"{number(r['score_from']):>6}{MARK if r.get('outside_from') else ' '}"
            s1 = f"{number(r['score_to']):>6}{MARK if r.get('outside_to') else ' '}"
            lines.append(
                f"{r['country'] + ' ' + r['name']:<24.24} {s0} {s1} "
                f"{number(r['change'], sign=True):>7} {ranks:>9}  {p}{why}"
            )
        lines += self._notes(rise)
        return "\n".join(lines)

    def _notes(self, rise: bool) -> list[str]:
        """The footnotes of the table, and the source changes of the period."""
        lines = []
        level = f"{100 * self.level:g}%" if self.level is not None else ""
        if any(r.get("outside_from") or r.get("outside_to") for r in self.rows):
            lines.append(
                f"\n{MARK} the score lies outside its own {level} interval that year (riskcore "
                "score --year explains why): the change between nominal scores may not be the "
                "change the runs see."
            )
        if rise:
            lines.append(
                f"\nP(rise): the share of the intervals' Monte Carlo runs in which the score is "
                f"higher in {self.end} than in {self.start} (the same draws for both years)."
            )
        disputed = [r["country"] for r in self.rows if r.get("direction_disputed")]
        if disputed:
            lines.append(
                f"! {', '.join(disputed)}: more runs move the score the other way than the "
                "nominal change's way; the direction is not established."
            )
        switched: dict[str, dict[str, list[str]]] = {}
        for r in self.rows:
            for w in r.get("source_switches", []):
                years = switched.setdefault(r["country"], {}).setdefault(w["variable"], [])
                years.append(str(w["year"]))
        if switched:
            where = "; ".join(
                f"{c} " + ", ".join(f"{v} ({', '.join(ys)})" for v, ys in by.items())
                for c, by in switched.items()
            )
            lines.append(
                f"\nSource changes in {self.start}-{self.end} (a change across them may come "
                f"from the switch of source; each with its sources: --format json): {where}."
            )
        return lines


def informative_years(scores: Scores) -> list[int]:
    """Years in which at least one country has a score other than the index's lowest value
    (:meth:`Scores.informative_years`)."""
    return scores.informative_years()


def trend(scores: Scores, start: int, end: int) -> Trend:
    """Compare two years: score and rank changes, and the change by indicator and node.

    With intervals (:mod:`riskcore.intervals`) each row also has ``p_rise``, the probability
    that the score rose: the share of the Monte Carlo runs scoring the country in both years
    with a higher score in ``end`` (the same draws for both years).

    The contributions of :meth:`Scores.explain` add up to ``score - low`` in each year, so their
    differences add up exactly to the score change; a country without a score in either year
    gets no decomposition.

    Parameters
    ----------
    scores : Scores
    start, end : int
        The two years.

    Returns
    -------
    Trend
    """
    from riskcore.intervals import p_rise

    t0, t1 = scores.year_index(start), scores.year_index(end)
    y0, y1 = scores.years[t0], scores.years[t1]
    joint = y0 in scores.runs and y1 in scores.runs
    found = (scores.intervals(y0), scores.intervals(y1)) if joint else (None, None)
    switches = [w for w in source_switches(scores) if w.year is not None and y0 < w.year <= y1]
    rows = []
    for r, country in enumerate(scores.countries):
        s0, s1 = float(scores.score[r, t0]), float(scores.score[r, t1])
        row: dict[str, Any] = {
            "country": country,
            "name": scores.panel.country_names.get(country, country),
            "score_from": json_number(s0),
            "score_to": json_number(s1),
            "change": json_number(s1 - s0),
            "rank_from": json_int(scores.rank[r, t0]),
            "rank_to": json_int(scores.rank[r, t1]),
            "indicators": {},
            "nodes": {},
        }
        if joint:  # the probability that the score rose, over the intervals' runs
            row["p_rise"] = up = p_rise(scores, r, y0, y1)
            row["p_fall"] = down = p_rise(scores, r, y1, y0)  # higher in the first year
            row["outside_from"], row["outside_to"] = (bool(mark_of(f, r)) for f in found)
            change = row["change"]
            row["direction_disputed"] = (
                up is not None
                and down is not None
                and change is not None
                and ((change > 0 and down > up) or (change < 0 and up > down))
            )
        switched = [w.to_dict() for w in switches if w.country == country]
        if switched:
            row["source_switches"] = switched
        if not (math.isnan(s0) or math.isnan(s1)):
            a, b = scores.explain(country, start), scores.explain(country, end)
            before = {c.code: c.contribution for c in a.contributions}
            row["indicators"] = {c.code: c.contribution - before[c.code] for c in b.contributions}
            row["nodes"] = {code: b.nodes[code] - a.nodes[code] for code in b.nodes}
            row["exact"] = a.exact and b.exact
        else:
            row["note"] = "no score in " + (str(start) if math.isnan(s0) else str(end))
        rows.append(row)
    rows.sort(key=lambda x: (x["change"] is None, -(x["change"] or 0.0), x["country"]))
    level = scores.interval_level if joint else None
    return Trend(scores.plan.name, y0, y1, rows, _not_comparable(scores, y0, y1), level)


def _not_comparable(scores: Scores, y0: int, y1: int) -> str | None:
    """Why two years are not scored on the same indicators, or None when they are."""
    a, b = scores.not_applicable(y0), scores.not_applicable(y1)
    if a == b:
        return None
    parts = []
    for year, absent, other in ((y0, a, b), (y1, b, a)):
        only = [code for code in absent if code not in other]
        if only:
            parts.append(f"in {year} {', '.join(only)} do not apply")
    same = scores.comparable_years()
    hint = f" (years scored on the same indicators: {span(same)})" if len(same) > 1 else ""
    return (
        f"{' and '.join(parts)}, so the change mixes a change of what the index measures with "
        f"a change of the countries{hint}."
    )


# -- scenarios -------------------------------------------------------------------------------


class Shock(FileModel):
    """One shock: what it targets, where, and how it changes it."""

    indicator: str | None = Field(None, description="an indicator of the index")
    variable: str | None = Field(None, description="or a data variable")
    drop: str | None = Field(None, description="or an indicator or node to leave out")
    countries: list[str] | None = Field(None, description="default: every country")
    years: list[int] | None = Field(None, description="default: every year")
    multiply: float | None = None
    add: float | None = None
    percent: float | None = Field(None, description="change by this many percent")
    set: float | None = Field(None, description="replace the value")

    @model_validator(mode="after")
    def _one_target_one_change(self) -> Shock:
        targets = [x for x in (self.indicator, self.variable, self.drop) if x is not None]
        if len(targets) != 1:
            raise ValueError("a shock names exactly one of indicator, variable or drop")
        changes = [x for x in (self.multiply, self.add, self.percent, self.set) if x is not None]
        if self.drop is not None and changes:
            raise ValueError("a drop takes no multiply/add/percent/set")
        if self.drop is None and len(changes) != 1:
            raise ValueError("a shock needs exactly one of multiply, add, percent or set")
        return self

    def apply(self, values: FloatArray) -> FloatArray:
        """The shocked values (the whole array; masking is the caller's)."""
        if self.multiply is not None:
            return values * self.multiply
        if self.add is not None:
            return values + self.add
        if self.percent is not None:
            return values * (1 + self.percent / 100.0)
        assert self.set is not None
        return np.full_like(values, self.set)


class Scenario(FileModel):
    """A named set of shocks."""

    name: str = "scenario"
    description: str | None = None
    shock: list[Shock] = Field(min_length=1)


def parse_scenario(text: str | dict[str, Any], *, path: str | None = None) -> Scenario:
    """Validate a scenario given as TOML text or a mapping (the ``[scenario]`` table)."""
    doc = toml_document(text, path)
    if "scenario" not in doc:
        raise SpecError("no [scenario] table", path=path, key="scenario")
    try:
        return Scenario.model_validate(doc["scenario"])
    except ValidationError as exc:
        raise first_error(exc, "scenario", path) from None


def load_scenario(path: str | Path) -> Scenario:
    """Read a scenario file."""
    text = read_toml(path, "a scenario file (TOML)")
    return parse_scenario(text, path=str(path))


@dataclasses.dataclass
class ScenarioResult:
    """Baseline and scenario scores, ranks and their differences."""

    scenario: Scenario
    baseline: Scores
    shocked: Scores
    year: int

    def to_records(self) -> list[dict[str, Any]]:
        """One dict per country, by scenario rank."""
        t = self.baseline.year_index(self.year)
        rows = []
        for r, c in enumerate(self.baseline.countries):
            b, s = float(self.baseline.score[r, t]), float(self.shocked.score[r, t])
            rb, rs = float(self.baseline.rank[r, t]), float(self.shocked.rank[r, t])
            rows.append(
                {
                    "country": c,
                    "name": self.baseline.panel.country_names.get(c, c),
                    "baseline": json_number(b),
                    "scenario": json_number(s),
                    "delta": json_number(s - b),
                    "rank_baseline": json_int(rb),
                    "rank_scenario": json_int(rs),
                    "band_baseline": self.baseline.band_of(b),
                    "band_scenario": self.shocked.band_of(s),
                }
            )
        rows.sort(key=lambda x: (x["rank_scenario"] is None, x["rank_scenario"] or 0, x["country"]))
        return rows

    @property
    def warnings(self) -> list[IntegrityWarning]:
        """Shocks that push a value past its goalpost, where normalisation clips it."""
        return clipped_shocks(self.baseline, self.shocked)

    def to_dict(self) -> dict[str, Any]:
        """The JSON of ``riskcore scenario --format json``."""
        out: dict[str, Any] = {
            "scenario": self.scenario.name,
            "index": self.baseline.plan.name,
            "year": self.year,
            "results": self.to_records(),
        }
        return with_warnings(out, self.warnings)

    def __str__(self) -> str:
        lines = [
            f"Scenario '{self.scenario.name}' on {self.baseline.plan.name}, {self.year}",
            "",
            f"{'Country':<24} {'baseline':>8} {'scenario':>8} {'delta':>7} {'rank':>9}",
        ]
        for r in self.to_records():
            ranks = (
                f"{r['rank_baseline'] or '-'}->{r['rank_scenario'] or '-'}"
                if r["rank_baseline"] or r["rank_scenario"]
                else "-"
            )
            lines.append(
                f"{r['country'] + ' ' + r['name']:<24.24} {number(r['baseline']):>8} "
                f"{number(r['scenario']):>8} {number(r['delta'], sign=True):>7} {ranks:>9}"
            )
        lines += [f"\nWarning: {w}" for w in self.warnings]
        return "\n".join(lines)


def _mask(shock: Shock, scores: Scores, where: str | None, key: str) -> NDArray[np.bool_]:
    """Where a shock applies: its countries x its years (every one when not given), each
    looked up by label like everywhere else."""
    rows = np.ones(len(scores.countries), dtype=bool)
    if shock.countries is not None:
        rows[:] = False
        rows[
            [country_position(scores.countries, c, path=where, key=key) for c in shock.countries]
        ] = True
    cols = np.ones(len(scores.years), dtype=bool)
    if shock.years is not None:
        cols[:] = False
        cols[[year_position(scores.years, y, path=where, key=key) for y in shock.years]] = True
    out: NDArray[np.bool_] = rows[:, None] & cols[None, :]
    return out


def run_scenario(
    baseline: Scores, scenario: Scenario, *, year: int | None = None, path: str | None = None
) -> ScenarioResult:
    """Apply a scenario's shocks and re-score.

    Parameters
    ----------
    baseline : Scores
        The index scored on the data as they are.
    scenario : Scenario
    year : int, optional
        The year reported (default: the latest in the data).
    path : str, optional
        The scenario file, for messages.

    Returns
    -------
    ScenarioResult
    """
    plan, panel = baseline.plan, baseline.panel
    values = np.array(panel.values)
    leaf_shocks: list[tuple[int, Shock, NDArray[np.bool_]]] = []
    weights: dict[str, NDArray[np.float64]] = {}  # only for nodes a drop changes
    for i, shock in enumerate(scenario.shock):
        key = f"scenario.shock.{i}"
        if shock.drop is not None:
            drop(plan, shock.drop, weights, path=path, key=f"{key}.drop")
            continue
        mask = _mask(shock, baseline, path, key)
        if shock.variable is not None:
            if shock.variable not in panel:
                raise SpecError(
                    f"variable '{shock.variable}' is not in the data",
                    path=path,
                    key=f"{key}.variable",
                )
            v = panel.variables.index(shock.variable)
            values[v] = np.where(mask, shock.apply(values[v]), values[v])
        else:
            if shock.indicator not in baseline.indicator_codes:
                raise SpecError(
                    f"'{shock.indicator}' is not an indicator of the index",
                    path=path,
                    key=f"{key}.indicator",
                )
            leaf_shocks.append((baseline.indicator_codes.index(shock.indicator), shock, mask))
    shocked_panel = dataclasses.replace(panel, values=values)

    def adjust(raw: FloatArray) -> FloatArray:
        out: FloatArray = raw.copy()
        for i, shock, mask in leaf_shocks:
            out[i] = np.where(mask, shock.apply(out[i]), out[i])
        return out

    prepared = prepare(plan, shocked_panel, adjust=adjust)
    ev = evaluate(plan, prepared.values, weights=weights)
    shocked = Scores(plan, shocked_panel, prepared, ev)
    t = baseline.year_index(year)
    return ScenarioResult(scenario, baseline, shocked, baseline.years[t])
