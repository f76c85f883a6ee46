"""The post-Soviet model: its indicators by hand from the inputs, and what the demo shows."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pytest

import riskcore


@pytest.fixture(scope="module")
def scores() -> riskcore.Scores:
    folder = riskcore.examples.example_path("post_soviet")
    return riskcore.score(folder / "index.toml", folder / "inputs.csv")


@pytest.fixture(scope="module")
def inputs() -> dict[tuple[str, int, str], float]:
    folder = riskcore.examples.example_path("post_soviet")
    with (folder / "inputs.csv").open() as f:
        return {
            (r["country"], int(r["year"]), r["variable"]): float(r["value"])
            if r["value"]
            else math.nan
            for r in csv.DictReader(f)
        }


def value(scores: riskcore.Scores, code: str, country: str, year: int) -> float:
    i = scores.indicator_codes.index(code)
    return float(scores.raw[i, scores.countries.index(country), scores.years.index(year)])


def test_five_indicators_over_five_years(scores: riskcore.Scores) -> None:
    assert len(scores.indicator_codes) >= 5
    assert scores.years == (2019, 2020, 2021, 2022, 2023)
    # the shift after 2022: no new diaspora before it, scores after it
    t21 = scores.years.index(2021)
    assert np.all(scores.score[~np.isnan(scores.score[:, t21]), t21] == 0)
    assert np.sum(~np.isnan(scores.score[:, -1])) >= 4


def test_moscow_leverage_by_hand(scores: riskcore.Scores, inputs: dict) -> None:
    def get(c: str, y: int, v: str) -> float:
        return inputs.get((c, y, v), math.nan)

    for c in scores.countries:
        parts = [
            (get(c, 2023, "csto_member") + get(c, 2023, "eaeu_member")) / 2,
            get(c, 2023, "russian_military_presence"),
            get(c, 2023, "russia_trade_share_pct") / 100,
            # np.minimum keeps NaN (the builtin min would not)
            float(
                np.minimum(
                    1.0, get(c, 2023, "remittances_from_russia_usd") / get(c, 2023, "gdp_usd")
                )
            ),
        ]
        known = [p for p in parts if not math.isnan(p)]
        assert value(scores, "moscow_leverage", c, 2023) == pytest.approx(np.mean(known))


def test_activism_stays_missing_where_not_documented(scores: riskcore.Scores, inputs: dict) -> None:
    documented = {(c, y) for (c, y, v) in inputs if v == "emigre_organisations"}
    assert documented == {("ARM", 2022), ("GEO", 2022), ("KAZ", 2022), ("KGZ", 2023)}
    for c in scores.countries:
        for y in scores.years:
            got = value(scores, "diaspora_activism", c, y)
            assert math.isnan(got) == ((c, y) not in documented)


def test_every_input_figure_has_a_source(scores: riskcore.Scores) -> None:
    for (var, _, _), (source, _, _) in scores.panel.provenance.items():
        assert source, var


def test_demo_shows_indicators_and_years(capsys: pytest.CaptureFixture[str]) -> None:
    from riskcore.cli import main

    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "Indicators, 2023" in out and "Scores by year" in out
    for code in ("diaspora_size", "diaspora_activism", "moscow_leverage"):
        assert code in out
    assert "2021" in out and "2022" in out and "2023" in out


def test_bands_classify_scores(scores: riskcore.Scores) -> None:
    for r in scores.to_records(2023):
        if r["score"] is None:
            assert r["band"] is None
            continue
        starts = [(name, lo) for name, lo in scores.plan.bands if r["score"] >= lo]
        assert r["band"] == starts[-1][0]
    assert Path(scores.plan.path or "").name == "index.toml"
