"""Integrity warnings (riskcore.integrity), each kind with and without its condition, named by
variable, country and year, and carried to the command line, the JSON and the report."""

from __future__ import annotations

import html
import json
from pathlib import Path

import numpy as np
import pytest

import riskcore
from riskcore.analysis import parse_scenario, run_scenario, trend
from riskcore.audit import audit
from riskcore.cli import main
from riskcore.integrity import IntegrityWarning, data_warnings, source_switches
from tests.helpers import ISO, flat_index, panel

HOST = riskcore.PluginHost(autoload=False)
HEAD = "country,year,variable,value,low,high,kind,source\n"


def index_text(v0: str = "", v1: str = "") -> str:
    """An index over v0 and v1 (goalposts -5..15), with more keys for either indicator."""
    return (
        '[index]\nname = "T"\nchildren = ["v0", "v1"]\n'
        '[defaults]\nnormalize = { method = "goalpost", lower = -5, upper = 15 }\n'
        f'[indicator.v0]\ndirection = "higher_is_riskier"\n{v0}'
        f'[indicator.v1]\ndirection = "higher_is_riskier"\n{v1}'
    )


def files(tmp_path: Path, rows: str, v0: str = "", v1: str = "") -> tuple[Path, Path]:
    """The index file and a long CSV of ``rows``, written to ``tmp_path``."""
    index, data = tmp_path / "i.toml", tmp_path / "d.csv"
    index.write_text(index_text(v0, v1))
    data.write_text(HEAD + rows)
    return index, data


def scored(tmp_path: Path, rows: str, v0: str = "", v1: str = "") -> riskcore.Scores:
    """The index scored on long CSV rows, without intervals."""
    index, data = files(tmp_path, rows, v0, v1)
    return riskcore.score(index, data, host=HOST, intervals=False)


def where(warnings: list[IntegrityWarning], kind: str) -> list[tuple[str | None, ...]]:
    """(variable, country, year) of the warnings of one kind."""
    return [(w.variable, w.country, w.year) for w in warnings if w.kind == kind]


def names_its_place(w: IntegrityWarning) -> bool:
    """The message names the warning's variable, country and year (those it has)."""
    return all(str(x) in w.message for x in (w.variable, w.country, w.year) if x is not None)


# -- source changes ---------------------------------------------------------------------------
SWITCH = (  # ARM's v0 moves from an office to a survey in 2021; everything else keeps its source
    "ARM,2020,v0,1,,,,Statistics office\nARM,2021,v0,2,,,,Household survey\n"
    "ARM,2022,v0,2,,,,Household survey\n"
    "ARM,2020,v1,1,,,,Office\nARM,2021,v1,1,,,,Office\nARM,2022,v1,1,,,,Office\n"
    "GEO,2020,v0,1,,,,Statistics office\nGEO,2021,v0,1,,,,Statistics office\n"
    "GEO,2022,v0,1,,,,Statistics office\n"
    "GEO,2020,v1,1,,,,Office\nGEO,2021,v1,1,,,,Office\nGEO,2022,v1,1,,,,Office\n"
)


def test_a_change_of_source_names_variable_country_and_year(tmp_path: Path) -> None:
    found = data_warnings(scored(tmp_path, SWITCH))
    assert where(found, "source_change") == [("v0", "ARM", 2021)]
    (w,) = found
    assert names_its_place(w)
    assert "'Statistics office' up to 2020" in w.message and "'Household survey'" in w.message


def test_editions_of_one_source_and_sources_of_other_series_are_no_switch(
    tmp_path: Path,
) -> None:
    rows = (
        # editions of one publication, and line lists of one evidence file
        "ARM,2020,v0,1,,,,Freedom in the World 2021\nARM,2021,v0,2,,,,Freedom in the World 2022\n"
        'ARM,2020,v1,1,,,,"evidence.csv lines 18, 19"\nARM,2021,v1,1,,,,evidence.csv lines 26\n'
        # another country and another variable have sources of their own; none is stated twice
        "GEO,2020,v0,1,,,,Statistics office\nGEO,2021,v0,1,,,,Statistics office\n"
        "GEO,2020,v1,1,,,,\nGEO,2021,v1,1,,,,\n"
        # a variable the index does not read changes its source
        "ARM,2020,v9,1,,,,One\nARM,2021,v9,1,,,,Another\n"
    )
    s = scored(tmp_path, rows)
    assert data_warnings(s) == [] and source_switches(s) == []


def test_the_trend_names_a_switch_between_its_two_years_only(tmp_path: Path) -> None:
    s = scored(tmp_path, SWITCH)
    (w,) = source_switches(s)
    rows = {r["country"]: r for r in trend(s, 2020, 2022).rows}
    assert rows["ARM"]["source_switches"] == [w.to_dict()]
    assert "source_switches" not in rows["GEO"]
    assert "Source changes in 2020-2022" in str(trend(s, 2020, 2022))
    assert "ARM v0 (2021)" in str(trend(s, 2020, 2022))
    later = {r["country"]: r for r in trend(s, 2021, 2022).rows}  # both years after the switch
    assert "source_switches" not in later["ARM"]


# -- nominal values at the edge of their range ------------------------------------------------
def test_a_stated_value_at_an_end_of_its_range_names_variable_country_and_year(
    tmp_path: Path,
) -> None:
    rows = (
        "ARM,2020,v0,4,4,6,estimate,\nARM,2020,v1,3,,,,\nGEO,2020,v0,5,,,,\nGEO,2020,v1,6,4,6,,\n"
    )
    found = data_warnings(scored(tmp_path, rows))
    assert where(found, "nominal_at_edge") == [("v0", "ARM", 2020), ("v1", "GEO", 2020)]
    assert all(names_its_place(w) for w in found)
    assert "low end of its own range [4, 6]" in found[0].message
    assert "high end" in found[1].message


def test_values_inside_their_range_only_ranged_or_exact_are_not_at_an_edge(
    tmp_path: Path,
) -> None:
    rows = (
        "ARM,2020,v0,5,4,6,estimate,\n"  # inside
        "ARM,2020,v1,,2,4,,\n"  # only a range: scored at its midpoint
        "GEO,2020,v0,5,5,5,,\n"  # a range of zero width is an exact value
        "GEO,2020,v1,3,,,,\n"
    )
    s = scored(tmp_path, rows)
    assert s.values[1, 0, 0] == 3.0
    assert data_warnings(s) == []


# -- audits -----------------------------------------------------------------------------------
def flat_scores(n: int, years: int = 1) -> riskcore.Scores:
    """The flat two-variable index on n countries (distinct values, no gaps)."""
    values = np.arange(2 * n * years, dtype=float).reshape(2, n, years) % 7 + np.arange(n)[:, None]
    return riskcore.score(flat_index(2), panel(values, ISO[:n]), host=HOST, intervals=False)


def test_an_audit_on_fewer_than_ten_observations_is_warned_with_its_year() -> None:
    report = audit(flat_scores(9))
    assert [(w.kind, w.year) for w in report.integrity] == [("small_audit", 2000)]
    message = report.integrity[0].message
    assert "of 2000" in message and "9 observations (fewer than 10)" in message
    assert message in report.warnings and message in str(report)
    pooled = audit(flat_scores(3, years=2), all_years=True)
    assert [(w.kind, w.year) for w in pooled.integrity] == [("small_audit", None)]
    assert "all years pooled rests on 6 observations" in pooled.integrity[0].message


def test_an_audit_on_ten_observations_is_not_warned() -> None:
    assert audit(flat_scores(10)).integrity == []
    assert audit(flat_scores(5, years=2), all_years=True).integrity == []  # 10 country-years


def structural_scores(tmp_path: Path, missing: str = "structural_zero") -> riskcore.Scores:
    """Six countries over two years; GEO's v1 is missing in 2020 (a structural zero)."""
    rows = "".join(
        f"{c},{y},v{v},{(i + v + y) % 5},,,,\n"
        for i, c in enumerate(ISO[:6])
        for y in (2020, 2021)
        for v in (0, 1)
        if (c, y, v) != ("GEO", 2020, 1)
    )
    return scored(tmp_path, rows, v1=f'missing = "{missing}"\n')


def test_a_pooled_audit_over_structural_zeros_names_them(tmp_path: Path) -> None:
    s = structural_scores(tmp_path)
    assert s.values[1, ISO.index("GEO"), 0] == 0.0
    found = audit(s, all_years=True).integrity
    assert where(found, "structural_zero_pooled") == [("v1", "GEO", 2020)]
    (w,) = [w for w in found if w.kind == "structural_zero_pooled"]
    assert names_its_place(w) and "GEO 2020" in w.message


def test_an_audit_of_one_year_or_without_structural_zeros_is_not_warned_about_them(
    tmp_path: Path,
) -> None:
    assert where(audit(structural_scores(tmp_path), 2020).integrity, "structural_zero_pooled") == []
    unknown = structural_scores(tmp_path, missing="unknown")
    assert where(audit(unknown, all_years=True).integrity, "structural_zero_pooled") == []


# -- scenario shocks --------------------------------------------------------------------------
BASE = "ARM,2020,v0,10,,,,\nARM,2020,v1,3,,,,\nGEO,2020,v0,5,,,,\nGEO,2020,v1,-2,,,,\n"


def shocked(s: riskcore.Scores, *shocks: str) -> list[IntegrityWarning]:
    text = '[scenario]\nname = "S"\n' + "".join(f"[[scenario.shock]]\n{x}\n" for x in shocks)
    return run_scenario(s, parse_scenario(text)).warnings


def test_a_shock_pushing_a_value_past_a_goalpost_names_variable_country_and_year(
    tmp_path: Path,
) -> None:
    s = scored(tmp_path, BASE)
    found = shocked(
        s, 'indicator = "v0"\ncountries = ["ARM"]\nset = 20', 'variable = "v1"\nadd = -4'
    )
    assert where(found, "clipped_shock") == [("v0", "ARM", 2020), ("v1", "GEO", 2020)]
    assert all(names_its_place(w) for w in found)
    assert "past the upper goalpost 15" in found[0].message
    assert "past the lower goalpost -5" in found[1].message


def test_a_shock_within_the_goalposts_or_unclipped_is_not_warned(tmp_path: Path) -> None:
    s = scored(tmp_path, BASE)
    assert shocked(s, 'indicator = "v0"\nmultiply = 1.5') == []  # 15 and 7.5: within
    assert shocked(s, 'indicator = "v1"\ncountries = ["GEO"]\nadd = -3') == []  # onto -5
    free = 'normalize = { method = "goalpost", lower = -5, upper = 15, clip = false }\n'
    assert shocked(scored(tmp_path, BASE, v0=free), 'indicator = "v0"\nset = 20') == []
    minmax = scored(tmp_path, BASE, v1='normalize = { method = "minmax" }\n')
    assert shocked(minmax, 'indicator = "v1"\nset = 100') == []


def test_a_shock_onto_the_goalpost_up_to_rounding_is_not_clipped(tmp_path: Path) -> None:
    # 83.33... x 1.2 is 100.00000000000001 in floating point: on the goalpost, not past it
    rows = "ARM,2020,v0,83.33333333333334,,,,\nARM,2020,v1,3,,,,\n"
    s = scored(tmp_path, rows, v0='normalize = { method = "goalpost", lower = 0, upper = 100 }\n')
    assert 83.33333333333334 * 1.2 > 100
    assert shocked(s, 'indicator = "v0"\npercent = 20') == []
    assert where(shocked(s, 'indicator = "v0"\npercent = 21'), "clipped_shock") == [
        ("v0", "ARM", 2020)
    ]


def test_goalposts_in_transformed_units_clip_too(tmp_path: Path) -> None:
    log = 'normalize = { method = "goalpost", lower = 1, upper_transformed = 2, '
    log += 'transform = "log10" }\n'
    s = scored(tmp_path, "ARM,2020,v0,10,,,,\nARM,2020,v1,3,,,,\n", v0=log)
    assert shocked(s, 'indicator = "v0"\nset = 99') == []  # log10 99 < 2
    (w,) = shocked(s, 'indicator = "v0"\nset = 1000')
    assert (w.variable, w.country, w.year) == ("v0", "ARM", 2020)
    assert "past the upper goalpost 2 (in transformed units)" in w.message


# -- the command line, the JSON and the report ------------------------------------------------
EDGE_AND_SWITCH = SWITCH.replace("GEO,2022,v1,1,,,,Office", "GEO,2022,v1,1,1,3,estimate,Office")


def test_score_names_each_warning_on_stderr_and_in_its_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    index, data = files(tmp_path, EDGE_AND_SWITCH)
    args = ["score", str(index), "--data", str(data), "--format", "json", "--no-intervals"]
    assert main(args) == 0
    out, err = capsys.readouterr()
    found = json.loads(out)["warnings"]
    assert [(w["kind"], w["variable"], w["country"], w["year"]) for w in found] == [
        ("source_change", "v0", "ARM", 2021),
        ("nominal_at_edge", "v1", "GEO", 2022),
    ]
    assert all(set(w) == {"kind", "variable", "country", "year", "message"} for w in found)
    # standard error: one line per kind naming its variables; --warnings: each in full
    lines = [ln for ln in err.splitlines() if ln.startswith("riskcore: warning:")]
    assert any("v0" in ln for ln in lines) and any("v1" in ln for ln in lines), err
    assert main([*args, "--warnings"]) == 0
    lines = [ln for ln in capsys.readouterr().err.splitlines() if "warning:" in ln]
    for variable, country, year in (("v0", "ARM", "2021"), ("v1", "GEO", "2022")):
        assert any(variable in ln and country in ln and year in ln for ln in lines), lines


def test_score_json_has_no_warnings_when_nothing_calls_for_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    index, data = files(tmp_path, BASE)
    assert main(["score", str(index), "--data", str(data), "--format", "json"]) == 0
    out, err = capsys.readouterr()
    assert "warnings" not in json.loads(out) and "riskcore: warning" not in err


def test_the_report_lists_each_warning(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    from riskcore.report import build_report

    s = scored(tmp_path, EDGE_AND_SWITCH)
    page = build_report(s)
    assert "<h2>Integrity warnings</h2>" in page
    for w in data_warnings(s):
        assert f"<li>{html.escape(w.message)}</li>" in page
    assert "Integrity warnings" not in build_report(scored(tmp_path, BASE))


def test_audit_and_scenario_commands_carry_their_warnings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    index, data = files(tmp_path, BASE)
    common = [str(index), "--data", str(data)]
    assert main(["audit", *common, "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert any("audit of 2020 rests on 2 observations" in w for w in report["warnings"])
    assert main(["audit", *common]) == 0
    assert "audit of 2020 rests on 2 observations" in capsys.readouterr().out
    scenario = tmp_path / "s.toml"
    scenario.write_text(
        '[scenario]\nname = "S"\n[[scenario.shock]]\nindicator = "v0"\ncountries = ["ARM"]\n'
        "set = 20\n"
    )
    assert main(["scenario", *common, "--scenario", str(scenario), "--format", "json"]) == 0
    (w,) = json.loads(capsys.readouterr().out)["warnings"]
    assert (w["kind"], w["variable"], w["country"], w["year"]) == (
        "clipped_shock",
        "v0",
        "ARM",
        2020,
    )
    assert main(["scenario", *common, "--scenario", str(scenario)]) == 0
    assert f"Warning: {w['message']}" in capsys.readouterr().out
