"""What the first screen says: scores outside their own interval marked and explained, and the
integrity warnings as one compact line per kind, every detail behind ``--warnings``."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import riskcore
from riskcore.cli import main
from riskcore.estimates import Estimates
from riskcore.integrity import IntegrityWarning, data_warnings
from riskcore.intervals import IntervalOptions
from riskcore.outside import MARK, Placement
from riskcore.text import WARNING_WIDTH, render_table, render_warnings

HOST = riskcore.PluginHost(autoload=False)
FAST = IntervalOptions(draws=200, seed=1)
INDEX = (
    '[index]\nname = "T"\nchildren = ["v0", "v1"]\n'
    '[defaults]\nnormalize = { method = "goalpost", lower = -5, upper = 15 }\n'
    '[indicator.v0]\ndirection = "higher_is_riskier"\n'
    '[indicator.v1]\ndirection = "higher_is_riskier"\n'
)


def data_file(tmp_path: Path, arm_v0: str) -> Path:
    """ARM's v0 as ``value,low,high`` (with a source change of v1 in 2021); GEO exact."""
    path = tmp_path / "d.csv"
    path.write_text(
        "country,year,variable,value,low,high,source\n"
        f"ARM,2020,v0,{arm_v0},A\nARM,2020,v1,3,,,Office\n"
        f"ARM,2021,v0,{arm_v0},A\nARM,2021,v1,3,,,Survey\n"
        "GEO,2020,v0,5,,,A\nGEO,2020,v1,3,,,Office\n"
        "GEO,2021,v0,5,,,A\nGEO,2021,v1,3,,,Office\n"
    )
    return path


def scored(tmp_path: Path, arm_v0: str) -> riskcore.Scores:
    index = tmp_path / "i.toml"
    index.write_text(INDEX)
    return riskcore.score(index, data_file(tmp_path, arm_v0), host=HOST, intervals=FAST)


def rows(table: str) -> dict[str, str]:
    return {line.split()[1]: line for line in table.splitlines() if line[:4].strip().isdigit()}


# -- scores outside their own interval --------------------------------------------------------
def test_a_lower_bound_puts_the_score_below_its_interval_marked_and_explained(
    tmp_path: Path,
) -> None:
    s = scored(tmp_path, "0,0,10")  # ARM's v0: the stated 0 is the low end of [0, 10]
    found = s.intervals()
    assert found is not None
    arm, geo = found["outside"]
    assert s.score[0, -1] < found["score_low"][0]  # the numbers: below its own interval
    assert arm == Placement("below", 0.9, {"v0": "low"})
    assert geo == Placement(None, 0.9)  # exact inputs: the interval is the score itself
    table = render_table(s, None)
    assert f"{s.score[0, -1]:.1f}{MARK}" in rows(table)["ARM"]
    assert MARK not in rows(table)["GEO"]
    assert (
        f"{MARK} ARM: the score lies below its own 90% interval. As published it rests on a value "
        "stated at the low end of its range (a lower bound: v0); the interval draws within the "
        "ranges, above the stated values." in table.splitlines()
    )
    by = {r["country"]: r for r in s.to_dict()["results"]}
    record, other = by["ARM"], by["GEO"]
    assert record["score_outside_interval"] is True
    assert record["score_outside_note"].startswith("the score lies below its own 90% interval: ")
    assert "(a lower bound: v0)" in record["score_outside_note"]
    assert other["score_outside_interval"] is False and other["score_outside_note"] is None
    flat = {r["country"]: r for r in s.to_records()}["ARM"]
    assert flat["score_outside_interval"] is True and "v0" in flat["score_outside_note"]


def test_an_upper_bound_puts_it_above(tmp_path: Path) -> None:
    s = scored(tmp_path, "10,0,10")
    found = s.intervals()
    assert found is not None and s.score[0, -1] > found["score_high"][0]
    place = found["outside"][0]
    assert place == Placement("above", 0.9, {"v0": "high"})
    assert place.note() == (
        "the score lies above its own 90% interval: as published it rests on a value stated at "
        "the high end of its range (an upper bound: v0); the interval draws within the ranges, "
        "below the stated values"
    )


def test_no_mark_when_the_score_lies_inside(tmp_path: Path) -> None:
    s = scored(tmp_path, "5,0,10")  # the centre of its range
    found = s.intervals()
    assert found is not None
    assert found["score_low"][0] <= s.score[0, -1] <= found["score_high"][0]
    table = render_table(s, None)
    assert MARK not in table
    assert "  Score  " in table.splitlines()[2]  # no room kept for a mark nobody has
    assert all(r["score_outside_interval"] is False for r in s.to_dict()["results"])
    assert all(r["score_outside_note"] is None for r in s.to_records())


def test_outside_without_an_input_at_its_end_gets_the_side_and_no_cause(tmp_path: Path) -> None:
    s = scored(tmp_path, "1,0.9,10")  # near the low end, not at it: no nominal_at_edge
    found = s.intervals()
    assert found is not None
    assert not [w for w in data_warnings(s) if w.kind == "nominal_at_edge"]
    assert found["outside"][0] == Placement("below", 0.9, {})
    by = {r["country"]: r for r in s.to_dict()["results"]}
    assert by["ARM"]["score_outside_note"] == "the score lies below its own 90% interval"
    assert f"{MARK} ARM: the score lies below its own 90% interval." in render_table(s, None)


def test_without_intervals_the_records_have_no_such_keys() -> None:
    s = riskcore.score(riskcore.parse_index(INDEX), _panel(np.array([[[1.0]], [[2.0]]])), host=HOST)
    assert s.intervals() is None and "score_outside_interval" not in s.to_dict()["results"][0]


def test_mixed_ends_name_each() -> None:
    place = Placement("below", 0.8, {"a": "low", "b": "high"})
    assert place.note() == (
        "the score lies below its own 80% interval: as published it rests on values stated at "
        "an end of their ranges (a at its low end, b at its high end); the interval draws within "
        "the ranges"
    )
    assert Placement(None, 0.9, {"a": "low"}).note() is None


def _panel(values: np.ndarray, low: np.ndarray | None = None) -> riskcore.Panel:
    """Values (2 variables, countries, 1 year); with ``low``, ranges ``[low, low + 4]``."""
    est = None
    if low is not None:
        nan = np.full(values.shape, np.nan)
        est = Estimates(low, low + 4, nan, np.zeros(values.shape), np.zeros(values.shape, bool))
    return riskcore.Panel(
        values=values,
        variables=("v0", "v1"),
        countries=("ARM", "AZE", "GEO")[: values.shape[1]],
        years=(2020,),
        estimates=est,
    )


@settings(max_examples=5, deadline=None)
@given(st.lists(st.floats(-4, 10), min_size=6, max_size=6).map(lambda v: np.reshape(v, (2, 3, 1))))
def test_values_at_the_low_end_of_their_ranges_never_put_a_score_above(values: np.ndarray) -> None:
    # every stated value the low end of its range, both indicators higher-is-riskier and the
    # aggregation monotone: no run scores below the nominal score, so no score lies above its
    # interval, and a score below it names both inputs, at their low end
    s = riskcore.score(
        riskcore.parse_index(INDEX), _panel(values, values), host=HOST, intervals=FAST
    )
    found = s.intervals()
    assert found is not None
    for r, place in enumerate(found["outside"]):
        assert place is not None and place.side != "above"
        assert (place.side == "below") == (s.score[r, 0] < found["score_low"][r] - 1e-9)
        if place.outside:
            assert place.ends == {"v0": "low", "v1": "low"}


# -- the compact warnings ---------------------------------------------------------------------
def _run(*argv: str) -> tuple[int, str, str, str]:
    """Exit code, standard output, standard error, and both as a terminal shows them."""
    out, err, both = io.StringIO(), io.StringIO(), io.StringIO()

    class Tee(io.StringIO):
        def __init__(self, own: io.StringIO) -> None:
            super().__init__()
            self.own = own

        def write(self, text: str) -> int:
            self.own.write(text)
            return both.write(text)

    with contextlib.redirect_stdout(Tee(out)), contextlib.redirect_stderr(Tee(err)):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue(), both.getvalue()


def test_score_prints_one_line_per_kind_after_the_table(tmp_path: Path) -> None:
    index = tmp_path / "i.toml"
    index.write_text(INDEX)
    data = data_file(tmp_path, "0,0,10")
    code, out, err, both = _run("score", str(index), "--data", str(data))
    assert code == 0
    assert err.splitlines() == [
        "riskcore: warning: 1 source change inside a series: v1 (1)",
        "riskcore: warning: 2 values at an end of their range: v0 (2)",
        'riskcore: every warning with its country and year: --warnings, or "warnings" in '
        "--format json",
    ]
    assert both.startswith(out)  # the table first, the warnings after it
    code, _, details, _ = _run("score", str(index), "--data", str(data), "--warnings")
    assert code == 0
    messages = [w.message for w in data_warnings(scored(tmp_path, "0,0,10"))]
    assert details.splitlines() == [f"riskcore: warning: {m}" for m in messages]
    assert any("'v0' of ARM in 2021" in line for line in details.splitlines())
    code, out, _, _ = _run("score", str(index), "--data", str(data), "--format", "json")
    assert [w["message"] for w in json.loads(out)["warnings"]] == messages


def test_no_warnings_print_nothing_on_stderr(tmp_path: Path) -> None:
    index = tmp_path / "i.toml"
    index.write_text(INDEX)
    data = tmp_path / "d.csv"
    data.write_text("country,year,variable,value\nARM,2020,v0,1\nARM,2020,v1,2\n")
    code, _, err, _ = _run("score", str(index), "--data", str(data), "--warnings")
    assert (code, err) == (0, "")


def test_bad_input_still_exits_2_with_the_flag(tmp_path: Path) -> None:
    index = tmp_path / "i.toml"
    index.write_text(INDEX)
    code, _, err, _ = _run("score", str(index), "--data", str(tmp_path / "none.csv"), "--warnings")
    assert code == 2 and "none.csv" in err


def test_demo_first_screen_is_the_table_and_the_counts_match_the_json() -> None:
    code, out, err, both = _run("demo", "--no-intervals")
    assert code == 0
    assert both.splitlines()[0].startswith("Diaspora Instability Index")
    lines = err.splitlines()
    assert lines[-1].startswith("riskcore: every warning with its country and year: --warnings")
    assert all(len(line) <= WARNING_WIDTH for line in lines)
    code, out, _, _ = _run("demo", "--no-intervals", "--format", "json")
    kinds: dict[str, int] = {}
    for w in json.loads(out)["warnings"]:
        kinds[w["kind"]] = kinds.get(w["kind"], 0) + 1
    assert len(lines) == len(kinds) + 1  # one line per kind, and how to see each
    counts = [int(line.split()[2]) for line in lines[:-1]]
    assert counts == list(kinds.values())
    code, _, every, _ = _run("demo", "--no-intervals", "--warnings")
    assert code == 0 and len(every.splitlines()) == sum(kinds.values())


def test_a_long_list_of_variables_is_cut_to_the_width_with_how_many_more() -> None:
    found = [
        IntegrityWarning("source_change", f"a_rather_long_variable_name_{i}", "ARM", 2020, "m")
        for i in range(10)
    ]
    first, hint = render_warnings(found)
    assert len(first) <= WARNING_WIDTH and hint.startswith("riskcore: every warning")
    shown = first.count("a_rather_long_variable_name_")
    assert 1 <= shown < 10 and first.endswith(f", and {10 - shown} more")
    lone = [IntegrityWarning("nominal_at_edge", "x" * 200, "ARM", 2020, "m")]
    assert ("x" * 200 + " (1)") in render_warnings(lone)[0]  # one is always named
    assert render_warnings([]) == []
    assert render_warnings(found, every=True) == ["riskcore: warning: m"] * 10


def test_the_report_marks_and_explains_it_in_results_and_years(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    from riskcore.report import build_report

    s = scored(tmp_path, "0,0,10")
    html = build_report(s, 2021)
    assert f"{s.score[0, 1]:.1f}{MARK}</td>" in html  # the results table
    assert f"{s.score[0, 0]:.1f}{MARK} [" in html  # scores by year, 2020 with its interval
    assert f"{MARK} ARM: the score lies below its own 90% interval. As published" in html
    assert f"{MARK} 2020 ARM: the score lies below" in html
    inside = build_report(scored(tmp_path, "5,0,10"), 2021)
    assert f"{MARK} ARM" not in inside and f"{MARK}</td>" not in inside


def test_the_band_column_gives_the_share_of_runs_in_it_and_names_the_likelier_band(
    post_soviet: Path,
) -> None:
    s = riskcore.score(post_soviet / "index.toml", post_soviet / "inputs.csv", intervals=FAST)
    found = s.intervals(2023)
    assert found is not None
    table = render_table(s, 2023)
    lines = table.splitlines()
    assert "Band (P)" in lines[2]
    elsewhere = []
    for r in s.ranked(2023):
        band = s.band_of(float(s.score[r, s.year_index(2023)]))
        shares = {k: float(v[r]) for k, v in found["band_probabilities"].items()}
        row = next(line for line in lines if f" {s.countries[r]} " in line)
        assert f"{band} {100 * shares[band]:.0f}%" in row
        likely = max(shares, key=lambda k: shares[k])
        if likely != band:
            elsewhere.append(f"{s.countries[r]} in {likely} ({100 * shares[likely]:.0f}%)")
    assert elsewhere  # the example's lower bounds put some hosts in another band
    note = next(line for line in lines if line.startswith("Band (P):"))
    assert f"The largest share of runs places {', '.join(elsewhere)}: another band" in note


def test_the_interval_note_names_countries_scored_in_fewer_runs_and_too_few_runs() -> None:
    from riskcore.runs import Runs

    values = np.array([[[4.0], [6.0]], [[5.0], [3.0]]])
    s = riskcore.score(riskcore.parse_index(INDEX), riskcore.Panel(
        values=values, variables=("v0", "v1"), countries=("ARM", "GEO"), years=(2020,)
    ), host=HOST, intervals=False)  # fmt: skip
    score = np.array([[40.0, 50.0]] * 30)
    score[:6, 1] = np.nan  # GEO unscored in 6 of 30 runs
    s = s.with_runs(Runs(year=2020, score=score, rank=np.ones((30, 2))))
    table = render_table(s, 2020)
    assert (
        "GEO in 24 of 30; the intervals and band shares of those countries rest on the runs"
        in table
    )
    assert "Only 30 runs: the interval's ends are unsteady" in table
    assert "ARM in" not in table


def test_scores_by_year_mark_each_score_outside_its_interval(post_soviet: Path) -> None:
    from riskcore.outside import mark_of
    from riskcore.text import render_years

    s = riskcore.score(post_soviet / "index.toml", post_soviet / "inputs.csv", intervals=FAST)
    lines = render_years(s).splitlines()
    found = {y: s.intervals(y) for y in s.years}
    assert any(mark_of(found[2022], r) for r in range(len(s.countries)))  # KGZ 2022, say
    for r in s.ranked(s.years[-1]):
        row = next(line for line in lines if line.startswith(s.countries[r] + " "))
        marks = [cell.endswith(MARK) for cell in row[20:].split()]
        assert marks == [bool(mark_of(found[y], r)) for y in s.years]
    assert "* outside its own 90% interval that year." in lines


def test_inputs_left_missing_are_listed_with_their_countries(post_soviet: Path) -> None:
    s = riskcore.score(post_soviet / "index.toml", post_soviet / "inputs.csv", intervals=False)
    lines = render_table(s, 2023).splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Missing and not imputed"))
    listed = {}
    for line in lines[start + 1 :]:
        if not line.startswith("  "):
            break
        code, countries = line.strip().split(": ")
        listed[code] = countries.split(", ")
    t = s.year_index(2023)
    expected: dict[str, list[str]] = {}
    for r in s.ranked(2023):
        for i, leaf in enumerate(s.plan.leaves):
            if leaf.missing == "unknown" and np.isnan(s.values[i, r, t]):
                expected.setdefault(leaf.code, []).append(s.countries[r])
    assert listed == expected and "TJK" in listed["remittance_dependence"]


def test_the_uncertainty_table_names_countries_scored_in_fewer_runs(post_soviet: Path) -> None:
    from riskcore.uncertainty import uncertainty_analysis

    s = riskcore.score(post_soviet / "index.toml", post_soviet / "inputs.csv", intervals=False)
    spec = riskcore.load_index(post_soviet / "index.toml")
    assert spec.uncertainty is not None
    result = uncertainty_analysis(s, spec.uncertainty, samples=50)
    assert result.scores is not None
    counts = result.scores.runs[result.year].scored_runs()
    fewer = [c for c, n in zip(result.countries, counts, strict=True) if n < 50]
    assert fewer == ["TKM"]  # its leverage's weight falls under min_coverage in some runs
    n = int(counts[result.countries.index("TKM")])
    text = result.table()
    assert f"decide): TKM in {n} of 50; the intervals and band shares" in text
    assert "Only 50 runs: the interval's ends are unsteady" in text
    assert "TKM in" not in result.table(["ARM", "KAZ"])  # only the countries shown


def test_the_uncertainty_table_says_why_a_country_it_shows_is_not_scored() -> None:
    from riskcore.assumptions import parse_assumptions
    from riskcore.uncertainty import uncertainty_analysis

    text = INDEX.replace('children = ["v0", "v1"]', 'children = ["v0", "v1"]\nmin_coverage = 1.0')
    values = np.array([[[4.0], [6.0], [2.0]], [[5.0], [np.nan], [1.0]]])  # GEO lacks v1
    s = riskcore.score(riskcore.parse_index(text), riskcore.Panel(
        values=values, variables=("v0", "v1"), countries=("ARM", "GEO", "KAZ"), years=(2020,)
    ), host=HOST, intervals=False)  # fmt: skip
    a = parse_assumptions("[uncertainty]\nsamples = 64\n[[uncertainty.weights]]\nrelative = 0.5\n")
    table = uncertainty_analysis(s, a, host=HOST).table()
    assert "Not scored (missing data stays missing):\n  GEO: no v1 (v1): no data on v1" in table
    assert "GEO" not in uncertainty_analysis(s, a, host=HOST).table(["ARM", "KAZ"])
