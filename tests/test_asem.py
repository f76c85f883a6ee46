"""The four-level ASEM index built step by step, each step recomputed by hand from the CSVs."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pytest

import riskcore
from tests.helpers import load_script

FOLDER = Path(__file__).resolve().parents[1] / "examples" / "asem"


def _prepare_module():  # type: ignore[no-untyped-def]
    return load_script(FOLDER / "prepare.py", "asem_prepare")


@pytest.fixture(scope="module")
def scores() -> riskcore.Scores:
    return riskcore.score(
        FOLDER / "index.toml", FOLDER / "asem.csv", host=riskcore.PluginHost(autoload=False)
    )


@pytest.fixture(scope="module")
def table() -> dict[str, dict[str, str]]:
    with (FOLDER / "ASEM_iData.csv").open() as f:
        return {row["uCode"]: row for row in csv.DictReader(f)}


@pytest.fixture(scope="module")
def meta() -> dict[str, dict[str, str]]:
    with (FOLDER / "ASEM_iMeta.csv").open() as f:
        return {row["iCode"]: row for row in csv.DictReader(f)}


def num(cell: str) -> float:
    return math.nan if cell in ("", "NA") else float(cell)


def test_committed_inputs_are_what_prepare_makes() -> None:
    prepare = _prepare_module()
    assert (FOLDER / "asem.csv").read_text() == prepare.make_data(prepare.read("ASEM_iData.csv"))
    assert (FOLDER / "index.toml").read_text() == prepare.make_index(prepare.read("ASEM_iMeta.csv"))


def test_tree_has_four_levels_and_49_indicators(scores: riskcore.Scores) -> None:
    assert len(scores.plan.leaves) == 49
    assert scores.node_codes[-1] == "Index"
    assert {"Conn", "Sust"} <= set(scores.node_codes)
    assert len(scores.plan.nodes) == 8 + 2 + 1


def test_denominators(scores: riskcore.Scores, table: dict, meta: dict) -> None:
    for code in ("Flights", "Goods", "Bord"):
        i = scores.indicator_codes.index(code)
        den = meta[code]["Denominator"]
        for c, country in enumerate(scores.countries):
            expected = num(table[country][code]) / num(table[country][den])
            got = scores.raw[i, c, 0]
            assert (math.isnan(got) and math.isnan(expected)) or got == pytest.approx(expected)


def test_screening_at_90_percent(scores: riskcore.Scores, table: dict, meta: dict) -> None:
    indicators = [k for k, m in meta.items() if m["Type"] == "Indicator"]

    def available(row: dict[str, str], code: str) -> bool:
        # an indicator divided by a missing denominator is missing too
        den = meta[code]["Denominator"]
        ok = not math.isnan(num(row[code]))
        return ok and (den == "NA" or not math.isnan(num(row[den])))

    share = {c: np.mean([available(r, k) for k in indicators]) for c, r in table.items()}
    expected = sorted(c for c, s in share.items() if s < 0.9)
    assert [r["country"] for r in scores.screening] == expected
    assert expected == ["BGD", "BRN", "KHM", "LAO", "MMR"]
    for r in scores.screening:
        assert r["share"] == pytest.approx(share[r["country"]])
        assert math.isnan(scores.score[scores.countries.index(r["country"]), 0])


def test_group_mean_imputation(scores: riskcore.Scores, table: dict) -> None:
    kept = [c for c in scores.countries if c not in {r["country"] for r in scores.screening}]
    i = scores.indicator_codes.index("Poverty")
    filled = [c for c in kept if scores.imputed[i, scores.countries.index(c), 0]]
    assert filled == ["ITA", "JPN", "MYS", "NZL", "SGP"]
    for country in filled:
        group = table[country]["EurAsia_group"]
        peers = [
            num(table[c]["Poverty"])
            for c in kept
            if table[c]["EurAsia_group"] == group and not math.isnan(num(table[c]["Poverty"]))
        ]
        # Poverty has no denominator: the imputed value is the plain group mean of the raw
        # values (the outlier treatment afterwards moves only the single highest value)
        value = scores.values[i, scores.countries.index(country), 0]
        assert value == pytest.approx(np.mean(peers))


def test_outliers_winsorised_one_point(scores: riskcore.Scores) -> None:
    i = scores.indicator_codes.index("Flights")
    report = scores.treatments["Flights"]
    assert (report["how"], report["side"], report["points"]) == ("winsorised", "high", 1)
    raw = scores.raw[i, :, 0][~scores.excluded[:, 0]]
    treated = scores.values[i, :, 0][~scores.excluded[:, 0]]
    top, second = np.sort(raw)[-1], np.sort(raw)[-2]
    assert treated.max() == second and top > second
    assert np.sum(treated != raw) == 1


def test_outliers_needing_several_points_are_winsorised_not_logged(
    scores: riskcore.Scores,
) -> None:
    # Services needs four points: its four highest values end at the fifth highest. Before
    # tied extremes moved together, the second step changed nothing and it was logged.
    assert {r["how"] for r in scores.treatments.values()} == {"winsorised"}
    i = scores.indicator_codes.index("Services")
    assert (scores.treatments["Services"]["points"], scores.treatments["Services"]["side"]) == (
        4,
        "high",
    )
    ok = ~scores.excluded[:, 0]
    before = scores.raw[i, ok, 0]
    filled = np.where(np.isnan(before), scores.values[i, ok, 0], before)
    fifth = np.sort(filled)[-5]
    np.testing.assert_array_equal(scores.values[i, ok, 0], np.minimum(filled, fifth))


def test_minmax_onto_0_100_and_arithmetic_means_up_the_tree(scores: riskcore.Scores) -> None:
    ok = ~scores.excluded[:, 0]
    for i, leaf in enumerate(scores.plan.leaves):
        v = scores.values[i, ok, 0]
        y = (v - v.min()) / (v.max() - v.min())
        if not leaf.higher_is_riskier:
            y = 1 - y
        np.testing.assert_allclose(scores.normalized[i, ok, 0], y, atol=1e-12)
    slots = np.concatenate([100 * scores.normalized, scores.nodes])[:, ok, 0]
    for j, node in enumerate(scores.plan.nodes):
        expected = slots[list(node.children)].mean(axis=0)
        np.testing.assert_allclose(scores.nodes[j, ok, 0], expected, atol=1e-9)
    np.testing.assert_allclose(scores.score[ok, 0], scores.nodes[-1, ok, 0])


def test_audit_runs_on_the_full_build(scores: riskcore.Scores) -> None:
    from riskcore.audit import audit

    report = audit(scores)
    assert report.observations == 46
    conn = next(n for n in report.nodes if n.code == "Conn")
    assert set(conn.children) == {"Physical", "ConEcFin", "Political", "Instit", "P2P"}
    assert all(abs(sum(n.effective_weights.values()) - 1) < 1e-9 for n in report.nodes)
