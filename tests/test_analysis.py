"""Trends, scenarios and bands, checked by hand on small indices."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import riskcore
from riskcore.analysis import load_scenario, parse_scenario, run_scenario, trend
from riskcore.cli import main
from tests.helpers import assert_load_names_file_and_key, flat_index, panel, score

GOAL = '{ method = "goalpost", lower = 0, upper = 10 }'


def test_trend_contributions_add_up_to_the_change_by_hand() -> None:
    # two indicators, weights 1 and 3, goalposts 0..10, two years
    x = np.array([[[2.0, 4.0], [5.0, 5.0]], [[6.0, 2.0], [1.0, 9.0]]])
    s = score(flat_index(2, normalize=GOAL, weights=[1, 3]), panel(x))
    tr = trend(s, 2000, 2001)
    arm = next(r for r in tr.rows if r["country"] == "ARM")
    # by hand: score = 100 * (0.25 * v0 + 0.75 * v1) / 10
    assert arm["score_from"] == pytest.approx(10 * (0.25 * 2 + 0.75 * 6))
    assert arm["score_to"] == pytest.approx(10 * (0.25 * 4 + 0.75 * 2))
    assert arm["indicators"]["v0"] == pytest.approx(10 * 0.25 * (4 - 2))
    assert arm["indicators"]["v1"] == pytest.approx(10 * 0.75 * (2 - 6))
    assert sum(arm["indicators"].values()) == pytest.approx(arm["change"])
    assert arm["exact"]
    assert (arm["rank_from"], arm["rank_to"]) == (1, 2)


def test_trend_contributions_add_up_under_any_aggregation(post_soviet: Path) -> None:
    s = riskcore.score(post_soviet / "index.toml", post_soviet / "inputs.csv")
    tr = trend(s, 2022, 2023)
    for row in tr.rows:
        if row["change"] is not None:
            assert sum(row["indicators"].values()) == pytest.approx(row["change"])
        else:
            assert row["indicators"] == {} and "no score" in row["note"]


def test_scenario_by_hand() -> None:
    x = np.array([[[2.0], [5.0]], [[6.0], [1.0]]])
    s = score(flat_index(2, normalize=GOAL, weights=[1, 3]), panel(x))
    scn = parse_scenario(
        "[scenario]\nname = 't'\n"
        "[[scenario.shock]]\nindicator = 'v0'\ncountries = ['ARM']\nmultiply = 2\n"
        "[[scenario.shock]]\nindicator = 'v1'\npercent = 50\n"
    )
    res = run_scenario(s, scn)
    got = {r["country"]: r for r in res.to_records()}
    # ARM: v0 2 -> 4, v1 6 -> 9; AZE: v0 5, v1 1 -> 1.5
    assert got["ARM"]["scenario"] == pytest.approx(10 * (0.25 * 4 + 0.75 * 9))
    assert got["AZE"]["scenario"] == pytest.approx(10 * (0.25 * 5 + 0.75 * 1.5))
    assert got["ARM"]["delta"] == pytest.approx(got["ARM"]["scenario"] - got["ARM"]["baseline"])
    dropped = run_scenario(s, parse_scenario("[scenario]\n[[scenario.shock]]\ndrop = 'v1'\n"))
    np.testing.assert_allclose(dropped.shocked.score[:, 0], [20.0, 50.0])


def test_scenario_on_a_data_variable_recomputes_the_indicator(post_soviet: Path) -> None:
    s = riskcore.score(post_soviet / "index.toml", post_soviet / "inputs.csv")
    scn = parse_scenario(
        "[scenario]\n[[scenario.shock]]\nvariable = 'diaspora_stock'\ncountries = ['KAZ']\n"
        "years = [2023]\nmultiply = 2\n"
    )
    res = run_scenario(s, scn, year=2023)
    i, c, t = s.indicator_codes.index("diaspora_size"), s.countries.index("KAZ"), -1
    assert res.shocked.raw[i, c, t] == pytest.approx(2 * s.raw[i, c, t])
    assert res.shocked.raw[i, c, t - 1] == pytest.approx(s.raw[i, c, t - 1])


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("[scenario]\n[[scenario.shock]]\nindicator = 'v0'\n", "scenario.shock.0"),
        ("[scenario]\n[[scenario.shock]]\nindicator = 'v0'\nadd = 1\nset = 2\n", "scenario.shock"),
        ("[scenario]\n[[scenario.shock]]\ndrop = 'v0'\ncolour = 1\n", "scenario.shock.0.colour"),
        (
            "[scenario]\n[[scenario.shock]]\nindicator = 'v0'\nmultiply = '2'\n",
            "scenario.shock.0.multiply",
        ),
        ("[nothing]\n", "scenario"),
    ],
)
def test_malformed_scenarios_name_the_key(tmp_path: Path, text: str, key: str) -> None:
    assert_load_names_file_and_key(load_scenario, tmp_path / "s.toml", text, key)


def test_dropping_a_child_of_a_benefit_of_the_doubt_node() -> None:
    pytest.importorskip("scipy")
    rng = np.random.default_rng(5)
    x = rng.random((3, 6, 1))
    bod = '{ method = "bod", lower_share = 0.2, upper_share = 0.6 }'
    s = score(flat_index(3, aggregation=bod, normalize=GOAL), panel(x))
    # the node is solved again on the two children left: the same as an index without v2
    dropped = run_scenario(s, parse_scenario("[scenario]\n[[scenario.shock]]\ndrop = 'v2'\n"))
    alone = score(flat_index(2, aggregation=bod, normalize=GOAL), panel(x[:2]))
    np.testing.assert_allclose(dropped.shocked.score, alone.score)
    assert np.all(np.isfinite(dropped.shocked.score))
    # with shares that two children cannot keep the scenario is refused, naming the shock
    tight = '{ method = "bod", upper_share = 0.4 }'
    s = score(flat_index(3, aggregation=tight, normalize=GOAL), panel(x))
    with pytest.raises(riskcore.SpecError) as err:
        run_scenario(s, parse_scenario("[scenario]\n[[scenario.shock]]\ndrop = 'v2'\n"))
    assert err.value.key == "scenario.shock.0.drop"
    assert "without 'v2'" in str(err.value) and "upper_share" in str(err.value)


def test_scenario_targets_must_exist() -> None:
    s = score(flat_index(2), panel(np.ones((2, 2, 1))))
    for text, key in (
        ("indicator = 'zz'\nadd = 1", "scenario.shock.0.indicator"),
        ("variable = 'zz'\nadd = 1", "scenario.shock.0.variable"),
        ("drop = 'zz'", "scenario.shock.0.drop"),
        ("indicator = 'v0'\ncountries = ['FRA']\nadd = 1", "scenario.shock.0"),
    ):
        with pytest.raises(riskcore.SpecError) as err:
            run_scenario(s, parse_scenario(f"[scenario]\n[[scenario.shock]]\n{text}\n"))
        assert err.value.key == key


def test_cli_trend_and_scenario(
    capsys: pytest.CaptureFixture[str], post_soviet: Path, tmp_path: Path
) -> None:
    args = [str(post_soviet / "index.toml"), "--data", str(post_soviet / "inputs.csv")]
    assert main(["trend", *args, "--from", "2022", "--to", "2023"]) == 0
    assert "change from 2022 to 2023" in capsys.readouterr().out
    path = tmp_path / "s.toml"
    # dropping both economic items leaves the node economic_dependence without children
    path.write_text(
        "[scenario]\nname = 'x'\n[[scenario.shock]]\ndrop = 'remittance_dependence'\n"
        "[[scenario.shock]]\ndrop = 'trade_dependence'\n"
    )
    assert main(["scenario", *args, "--scenario", str(path), "--format", "json"]) == 2
    assert "without children" in capsys.readouterr().err
    path.write_text("[scenario]\nname = 'x'\n[[scenario.shock]]\nindicator = 'structural_ties'\n"
                    "multiply = 0.5\n")  # fmt: skip
    assert main(["scenario", *args, "--scenario", str(path)]) == 0
    assert "Scenario 'x'" in capsys.readouterr().out


def test_a_scenario_that_leaves_a_methods_domain_is_an_error_not_a_missing_score() -> None:
    log = '{ method = "goalpost", lower = 1, upper = 10, transform = "log" }'
    s = score(flat_index(2, normalize=log), panel(np.full((2, 2, 1), 5.0)))
    shock = "[scenario]\n[[scenario.shock]]\nindicator = 'v0'\nmultiply = 0\n"
    with pytest.raises(riskcore.SpecError, match=r"cannot take the value 0\.0 of 'v0'"):
        run_scenario(s, parse_scenario(shock))


def test_a_trend_across_years_not_scored_on_the_same_indicators_says_so(post_soviet: Path) -> None:
    s = riskcore.score(post_soviet / "index.toml", post_soviet / "inputs.csv", intervals=False)
    across = trend(s, 2019, 2023)
    assert across.not_comparable is not None
    assert across.not_comparable.startswith("in 2019 diaspora_size, diaspora_activism")
    assert "years scored on the same indicators: 2022-2023" in across.not_comparable
    assert str(across).splitlines()[2].startswith("Not comparable: in 2019")
    assert across.to_dict()["not_comparable"] == across.not_comparable
    same = trend(s, 2022, 2023)
    assert same.not_comparable is None and "not_comparable" not in same.to_dict()


def test_a_trend_flags_a_direction_the_runs_dispute_and_scores_outside_their_interval() -> None:
    from riskcore.runs import Runs

    x = np.array([[[2.0, 4.0], [5.0, 5.0]], [[6.0, 2.0], [1.0, 9.0]]])
    s = score(flat_index(2, normalize=GOAL, weights=[1, 3]), panel(x))
    # ARM falls from 50 to 25 nominally (by hand); in the runs it rises, from about 40 to 45
    runs0 = np.array([[40.0, 50.0]] * 10) + np.arange(10)[:, None] * 0.1
    runs1 = np.array([[45.0, 30.0]] * 10) + np.arange(10)[:, None] * 0.1
    rank = np.ones((10, 2))
    for year, runs in ((2000, runs0), (2001, runs1)):
        s = s.with_runs(Runs(year=year, score=runs, rank=rank))
    tr = trend(s, 2000, 2001)
    arm = next(r for r in tr.rows if r["country"] == "ARM")
    assert arm["change"] < 0 and arm["p_rise"] == 1.0 and arm["direction_disputed"]
    assert arm["outside_from"] and arm["outside_to"]  # 50 above 40-41, 25 below 45-46
    text = str(tr)
    assert "1.00!" in text and "! AZE, ARM: more runs move the score the other way" in text
    assert arm["p_fall"] == 0.0 and tr.to_dict()["interval_level"] == 0.9
    assert "* the score lies outside its own 90% interval" in text


def test_ties_in_the_runs_do_not_dispute_a_direction() -> None:
    from riskcore.runs import Runs

    x = np.array([[[2.0, 4.0], [5.0, 5.0]], [[6.0, 2.0], [1.0, 9.0]]])
    s = score(flat_index(2, normalize=GOAL, weights=[1, 3]), panel(x))
    # ARM falls nominally; in the runs it ties 7 times in 10, falls 3 times, never rises
    runs0 = np.array([[40.0, 50.0]] * 10)
    runs1 = np.array([[40.0, 60.0]] * 7 + [[39.0, 60.0]] * 3)
    for year, runs in ((2000, runs0), (2001, runs1)):
        s = s.with_runs(Runs(year=year, score=runs, rank=np.ones((10, 2))))
    arm = next(r for r in trend(s, 2000, 2001).rows if r["country"] == "ARM")
    assert (arm["p_rise"], arm["p_fall"]) == (0.0, 0.3)
    assert not arm["direction_disputed"]
