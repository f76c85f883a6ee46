"""The global example: every country's host fragility, bands at the world quintiles, intervals
from the WGI standard errors, and percentiles of the post-Soviet hosts among all countries."""

from __future__ import annotations

import functools
import io
import json
import math
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import riskcore
from riskcore import world
from riskcore._compat import tomllib
from riskcore.cli import main
from riskcore.examples import example_path
from tests.helpers import load_script

FOLDER = Path(__file__).resolve().parents[1] / "examples" / "global"


def _prepare() -> ModuleType:
    return load_script(FOLDER / "prepare.py", "global_prepare")


@pytest.fixture(scope="module")
def scores() -> riskcore.Scores:
    return world.global_scores()


@pytest.fixture(scope="module")
def post_soviet_scores() -> riskcore.Scores:
    folder = example_path("post_soviet")
    return riskcore.score(folder / "index.toml", folder / "inputs.csv")


def test_committed_files_are_what_prepare_makes(tmp_path: Path) -> None:
    prepare = _prepare()
    source = prepare.find_source()
    if source is None:
        pytest.skip("the reference governance panel (shared/data/governance_global) is not here")
    data, index = prepare.build(source, tmp_path)
    assert (FOLDER / "inputs.csv").read_text() == data
    assert (FOLDER / "index.toml").read_text() == index


def test_freedom_house_rows_must_add_up() -> None:
    prepare = _prepare()
    row = {"country": "ARM", "year": "2022", "fh_pr": "22", "fh_cl": "33", "fh_total": "55"}
    row |= {"fh_d": "10", "fh_e": "8", "fh_f": "7", "fh_g": "8"}
    prepare.check_freedom_house(row, 7)
    with pytest.raises(ValueError, match=r"line 7 \(ARM 2022\): fh_cl = 33 but D \+ E"):
        prepare.check_freedom_house(row | {"fh_g": "9"}, 7)
    with pytest.raises(ValueError, match="fh_total is not"):
        prepare.check_freedom_house(row | {"fh_total": "56"}, 7)


def test_at_least_190_countries_scored_every_year(scores: riskcore.Scores) -> None:
    assert scores.years == tuple(range(2012, 2024))
    scored = (~np.isnan(scores.score)).sum(axis=0)
    assert scored.min() >= 190
    assert len(scores.countries) == 213


def test_bands_are_the_world_quintiles(scores: riskcore.Scores) -> None:
    pooled = scores.score[~np.isnan(scores.score)]
    bounds = [b for _, b in scores.plan.bands]
    assert bounds[0] == 0
    for q, bound in zip((0.2, 0.4, 0.6, 0.8), bounds[1:], strict=True):
        assert bound <= np.quantile(pooled, q) < bound + 0.1
    counts = np.histogram(pooled, bins=[*bounds, math.inf])[0] / pooled.size
    assert np.all(np.abs(counts - 0.2) < 0.01)


def test_same_indicators_and_goalposts_as_the_post_soviet_fragility() -> None:
    here = tomllib.loads((FOLDER / "index.toml").read_text())
    there = tomllib.loads((example_path("post_soviet") / "index.toml").read_text())
    assert here["index"]["code"] == "fragility"
    assert set(here["index"]["children"]) == set(there["node"]["fragility"]["children"])
    for code in here["index"]["children"]:
        assert here["indicator"][code]["normalize"] == there["indicator"][code]["normalize"]


def test_hosts_score_the_same_in_both_examples(
    scores: riskcore.Scores, post_soviet_scores: riskcore.Scores
) -> None:
    j = post_soviet_scores.node_codes.index("fragility")
    for c in world.HOSTS:
        for y in (2019, 2023):
            mine = post_soviet_scores.nodes[
                j, post_soviet_scores.country_index(c), post_soviet_scores.year_index(y)
            ]
            theirs = scores.score[scores.country_index(c), scores.year_index(y)]
            assert mine == pytest.approx(theirs, abs=1e-9)


def test_percentile_by_hand() -> None:
    assert world.percentile(2.0, [1.0, 2.0, 3.0, 4.0]) == 37.5
    assert world.percentile(5.0, [1.0, 2.0]) == 100.0
    assert world.percentile(0.0, [1.0, 2.0]) == 0.0
    with pytest.raises(ValueError, match="no world values"):
        world.percentile(1.0, [])


@given(
    st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=30),
    st.floats(-1e6, 1e6),
    st.floats(0, 1e6),
)
def test_percentile_is_bounded_and_monotone(values: list[float], v: float, step: float) -> None:
    p = world.percentile(v, values)
    assert 0.0 <= p <= 100.0
    assert world.percentile(v + step, values) >= p


def test_world_standing_of_the_hosts(
    scores: riskcore.Scores, post_soviet_scores: riskcore.Scores
) -> None:
    dims = world.shared_dimensions(post_soviet_scores, scores)
    assert [d for d, _ in dims] == [
        "fragility",
        "institutional_sophistication",
        "crackdown_propensity",
    ]
    rows = world.world_standing(post_soviet_scores, scores, 2023)
    assert {(r.country, r.dimension) for r in rows} == {
        (c, d) for c in world.HOSTS for d, _ in dims
    }
    tkm = next(r for r in rows if r.country == "TKM" and r.dimension == "fragility")
    values = scores.score[:, scores.year_index(2023)]
    values = values[~np.isnan(values)]
    by_hand = 100 * (np.sum(values < tkm.value) + np.sum(values == tkm.value) / 2) / values.size
    assert tkm.percentile == pytest.approx(by_hand)
    assert tkm.percentile > 95 and tkm.countries == values.size
    assert world.world_standing(post_soviet_scores, scores, 2011) == []


def test_global_demo_ranks_the_world_with_intervals(scores: riskcore.Scores) -> None:
    result, text = world.global_demo(scores, samples=32)
    # the runs draw the analysed year alone; its nominal scores are the whole panel's
    t = scores.year_index(2023)
    np.testing.assert_allclose(result.nominal_score, scores.score[:, t])
    records = [r for r in result.to_records() if r["rank"] is not None]
    assert len(records) >= 190
    for r in records:
        assert r["score_p05"] <= r["score_p95"] and r["rank_p05"] <= r["rank_p95"]
    assert sum(r["score_p95"] > r["score_p05"] for r in records) >= 190
    assert "World top 20" in text and "The eight hosts of the post-Soviet example" in text
    block = text.split("World top 20\n")[1].split("\n\n")[0].splitlines()
    assert len(block) == 21  # the header and twenty countries
    for code in world.HOSTS:
        assert f"\n{code} " in text


def test_cli_demo_global(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(world, "global_demo", functools.partial(world.global_demo, samples=32))
    assert main(["demo", "--global", "--format", "json", "--year", "2022"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["year"] == 2022 and out["runs"] == 32
    assert out["factors"] == ["WGI standard errors"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--year", "1990"], "inputs.csv: year 1990 is not in the data"),
        (["--format", "csv"], "not csv"),
    ],
)
def test_cli_demo_global_bad_input(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--global", *args]) == 2
    assert message in capsys.readouterr().err


def test_uncertainty_command_reads_the_shipped_table(capsys: pytest.CaptureFixture[str]) -> None:
    folder = example_path("global")
    args = ["uncertainty", str(folder / "index.toml"), "--data", str(folder / "inputs.csv")]
    code = main([*args, "--extra-country", "XKX=Kosovo", "--samples", "16", "--year", "2023"])
    assert code == 0
    out = io.StringIO(capsys.readouterr().out).read()
    assert "16 runs over 1 factor (WGI standard errors)" in out
