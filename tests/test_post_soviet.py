"""The post-Soviet model: its indicators by hand from the inputs, and what the demo shows."""

from __future__ import annotations

import csv
import functools
import math
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import riskcore
from tests.helpers import load_script

FOLDER = Path(__file__).resolve().parents[1] / "examples" / "post_soviet"
HOSTS = ("ARM", "AZE", "GEO", "KAZ", "KGZ", "TJK", "TKM", "UZB")


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


def test_model_over_five_years(scores: riskcore.Scores) -> None:
    assert scores.years == (2019, 2020, 2021, 2022, 2023)
    structural = scores.nodes[scores.node_codes.index("structural")]
    # the structural risk (fragility, leverage) is scored for every host and year
    assert not np.isnan(structural).any()
    # the new diaspora is not applicable before 2022 (never a 0 that drives the index to 0):
    # the index is then the structural risk alone, full coverage; from 2022 all three
    # conditions, every host scored
    diaspora = scores.nodes[scores.node_codes.index("diaspora")]
    for t, y in enumerate(scores.years):
        assert np.isnan(diaspora[:, t]).all() == (y < 2022)
        assert not np.isnan(scores.score[:, t]).any()
        if y < 2022:
            np.testing.assert_allclose(scores.score[:, t], structural[:, t])
            # the weight of what does not apply is not missing: Armenia, with every input
            # observed, is fully covered
            assert scores.coverage[scores.country_index("ARM"), t] == 1.0
        else:
            d, s = diaspora[:, t] / 100, structural[:, t] / 100
            np.testing.assert_allclose(scores.score[:, t], 100 * d ** (1 / 3) * s ** (2 / 3))
        # no year in which every host scores the same value
        assert len(set(np.round(scores.score[:, t], 6))) == 8


@functools.cache
def evidence() -> ModuleType:
    return load_script(FOLDER / "build_inputs.py", "post_soviet_build")


def test_committed_inputs_are_what_build_inputs_makes() -> None:
    assert (FOLDER / "inputs.csv").read_text() == evidence().build()


def test_stock_from_a_flow_and_a_return_share_range_by_hand(inputs: dict) -> None:
    build = evidence()
    ev = build.Evidence(build.read_evidence(build.DIASPORA) + build.read_evidence(build.LEVERAGE))
    # return shares published for the whole emigration: 8 % (OutRush) to 45 % (Finion)
    stay = build.stay_share(ev)
    assert (stay.low, stay.high) == pytest.approx((0.55, 0.92))
    # Kyrgyzstan 2022: 30,000 reported relocated and 20,000 registrations, nothing published
    # on who stayed: 20,000 x 0.55 to 30,000 x 0.92
    assert inputs["KGZ", 2022, "diaspora_stock_low"] == pytest.approx(11_000)
    assert inputs["KGZ", 2022, "diaspora_stock_high"] == pytest.approx(27_600)
    assert inputs["KGZ", 2022, "diaspora_stock"] == pytest.approx((11_000 + 27_600) / 2)
    # 2023: the survey's 170,000 disagrees with the flows; the range spans both
    assert inputs["KGZ", 2023, "diaspora_stock_low"] == pytest.approx(11_000)
    assert inputs["KGZ", 2023, "diaspora_stock_high"] == pytest.approx(170_000)
    # Uzbekistan 2022 from excess entries: 567,725 arrivals, trips up 99 % on 2021, times the
    # stayers per excess entry of Georgia (60,000-112,733 of 1,459,541 x 475/575) and
    # Kazakhstan (50,000-100,000 of 2,700,000 x 234/334)
    geo = 1_459_541 * (1 - 1 / 5.75)
    kaz = 2_700_000 * (1 - 1 / 3.34)
    ratio = (min(60_000 / geo, 50_000 / kaz), max(112_733 / geo, 100_000 / kaz))
    excess = 567_725 * (1 - 1 / 1.99)
    assert inputs["UZB", 2022, "diaspora_stock_low"] == pytest.approx(excess * ratio[0], rel=1e-5)
    assert inputs["UZB", 2022, "diaspora_stock_high"] == pytest.approx(excess * ratio[1], rel=1e-5)
    # Turkmenistan: no entries, no stock: imputed, from 0, labelled so
    assert inputs["TKM", 2023, "diaspora_stock_low"] == 0


def test_every_estimate_cites_evidence_lines(scores: riskcore.Scores) -> None:
    for c in scores.countries:
        for y in (2022, 2023):
            p = scores.panel.source_of("diaspora_stock", c, y)
            assert p.source and "build_inputs.py" in p.source
            assert p.note and ("estimate" in p.note or "imputed" in p.note)
            if c != "TKM":
                assert "lines" in p.source


def test_leverage_of_two_hosts_from_their_items(scores: riskcore.Scores, inputs: dict) -> None:
    def item(c: str, v: str) -> float:
        return inputs.get((c, 2023, v), math.nan)

    j = scores.node_codes.index("leverage")
    t = scores.years.index(2023)
    # Armenia: CSTO and EAEU member, the 102nd base; remittances and trade published
    ties = (item("ARM", "csto_member") + item("ARM", "eaeu_member")) / 4 + 1 / 2
    assert ties == 1.0 and value(scores, "structural_ties", "ARM", 2023) == 1.0
    remit = 100 * item("ARM", "remittances_from_russia_usd") / item("ARM", "gdp_usd")
    trade = item("ARM", "russia_trade_share_pct")
    minority = item("ARM", "russian_minority_pct")
    assert value(scores, "remittance_dependence", "ARM", 2023) == pytest.approx(remit)
    economic = (remit / 25 + trade / 50) / 2
    by_hand = 100 * (ties + economic + minority / 20) / 3
    assert scores.nodes[j, scores.country_index("ARM"), t] == pytest.approx(by_hand)
    # Georgia: no bloc, Russian troops in its occupied regions (half the structural ties);
    # the National Bank's $1.5bn from Russia in 2023, GDP from the World Bank
    assert item("GEO", "russian_troops_in_occupied_territory") == 1
    assert item("GEO", "csto_member") == item("GEO", "eaeu_member") == 0
    assert value(scores, "structural_ties", "GEO", 2023) == 0.5
    assert item("GEO", "remittances_from_russia_usd") == 1.5e9
    remit = 100 * 1.5e9 / item("GEO", "gdp_usd")
    trade = item("GEO", "russia_trade_share_pct")
    economic = (remit / 25 + trade / 50) / 2
    by_hand = 100 * (0.5 + economic + item("GEO", "russian_minority_pct") / 20) / 3
    assert scores.nodes[j, scores.country_index("GEO"), t] == pytest.approx(by_hand)


def test_lower_bounds_are_present_for_every_host(scores: riskcore.Scores) -> None:
    for code in ("diaspora_activism", "emigrant_incidents"):
        for c in scores.countries:
            for y in (2022, 2023):
                assert value(scores, code, c, y) >= 0
            assert math.isnan(value(scores, code, c, 2021))


@settings(max_examples=20, deadline=None)
@given(
    st.sampled_from(["emigrant_incidents", "emigre_organisations_documented"]),
    st.sampled_from(HOSTS),
    st.sampled_from([2022, 2023]),
    st.floats(0, 40),
)
def test_documenting_activism_or_an_incident_never_lowers_a_score(
    scores: riskcore.Scores, variable: str, host: str, year: int, extra: float
) -> None:
    from riskcore.analysis import parse_scenario, run_scenario

    now = scores.panel[variable][scores.country_index(host), scores.year_index(year)]
    shock = (
        f"[scenario]\n[[scenario.shock]]\nvariable = '{variable}'\ncountries = ['{host}']\n"
        f"years = [{year}]\nset = {now + extra}\n"
    )
    res = run_scenario(scores, parse_scenario(shock), year=year)
    t = scores.year_index(year)
    before, after = scores.score[:, t], res.shocked.score[:, t]
    c = scores.country_index(host)
    assert after[c] >= before[c] - 1e-12
    others = np.arange(len(scores.countries)) != c
    np.testing.assert_allclose(after[others], before[others])


def test_every_input_figure_has_a_source(scores: riskcore.Scores) -> None:
    for (var, _, _), (source, _, _) in scores.panel.provenance.items():
        assert source, var


def test_demo_shows_indicators_and_years(capsys: pytest.CaptureFixture[str]) -> None:
    from riskcore.cli import main

    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "Indicators, 2023" in out and "Scores by year" in out
    for code in ("diaspora_size", "diaspora_activism", "emigrant_incidents", "structural_ties"):
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


def test_build_inputs_refuses_rows_it_cannot_use() -> None:
    build = evidence()
    ev = build.Evidence(build.read_evidence(build.DIASPORA))
    with pytest.raises(KeyError, match="no evidence row KGZ no_such_variable"):
        ev.find("KGZ", "no_such_variable")
    empty = build.Row("diaspora_figures.csv", 7, "ARM", 2022, "x", None, None, None)
    with pytest.raises(ValueError, match=r"diaspora_figures.csv, line 7: no figure"):
        assert empty.span


ranges = st.tuples(st.floats(0, 1e6), st.floats(0, 1e6)).map(sorted)


@given(st.lists(ranges, min_size=1, max_size=6), ranges)
def test_a_derived_range_spans_every_candidate(
    parts: list[list[float]], factor: list[float]
) -> None:
    build = evidence()
    candidates = [build.Estimate(lo, hi, (("f", i),), "x") for i, (lo, hi) in enumerate(parts)]
    h = build.hull(candidates, "hull")
    for c in candidates:
        assert h.low <= c.low <= c.high <= h.high
    assert h.low <= h.value <= h.high
    f = build.Estimate(factor[0], factor[1], (), "factor")
    s = build.scaled(h, f, "scaled")
    assert s.low <= h.low * factor[0] + 1e-6 and s.high >= h.high * factor[1] - 1e-6
    assert s.low <= s.high
