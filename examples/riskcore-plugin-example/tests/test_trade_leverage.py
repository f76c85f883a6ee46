"""Tests of the example plugin: run with ``python -m pytest`` from the package folder."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from riskcore_trade_leverage import russia_trade_dependence

import riskcore
from riskcore.examples import example_path

INDEX = Path(__file__).resolve().parents[1] / "index.toml"


def test_compute_keeps_shares_and_leaves_the_rest_missing() -> None:
    shares = [[37.18, np.nan, 120.0], [8.52, -1.0, 0.0]]  # 2 countries x 3 years
    data = riskcore.Panel(
        values=[shares],
        variables=["russia_trade_share_pct"],
        countries=["ARM", "AZE"],
        years=[2021, 2022, 2023],
    )
    out = russia_trade_dependence.compute(data)
    assert out.shape == (2, 3)
    np.testing.assert_array_equal(out, [[37.18, np.nan, np.nan], [8.52, np.nan, 0.0]])


def test_the_entry_point_registers_the_indicator() -> None:
    host = riskcore.PluginHost(strict=True)
    found = host.indicator("russia_trade_dependence")
    assert found is not None
    assert found.obj is russia_trade_dependence
    assert found.distribution == "riskcore-plugin-example"


def test_the_index_scores_with_the_plugin() -> None:
    data = example_path("post_soviet") / "inputs.csv"
    result = riskcore.score(INDEX, data).to_dict(2023)
    rows = {r["country"]: r for r in result["results"]}
    assert rows["ARM"]["indicators"]["russia_trade_dependence"]["raw"] == pytest.approx(37.18)
    assert rows["ARM"]["rank"] is not None
    # Turkmenistan publishes no trade figures: its levers rest on the diaspora estimate alone
    assert rows["TKM"]["indicators"]["russia_trade_dependence"]["raw"] is None
    assert rows["TKM"]["coverage"] == pytest.approx(0.75)


@pytest.mark.parametrize("share", [0.0, 50.0, 100.0])
def test_the_share_is_returned_as_is(share: float) -> None:
    data = riskcore.Panel(
        values=[[[share]]], variables=["russia_trade_share_pct"], countries=["UZB"], years=[2023]
    )
    assert russia_trade_dependence.compute(data)[0, 0] == share
