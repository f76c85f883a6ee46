"""Conformance with COINr: the screening order, min-max to a chosen range, and the ASEM build
of COINr's ``build_example_coin()`` recomputed independently."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import riskcore
from tests.helpers import panel, score
from tests.test_blocks import refused

NAN = np.nan
LEAVES = '[indicator.v0]\ndirection = "positive"\n[indicator.v1]\ndirection = "positive"\n'


def screened(order: str | None, impute: str) -> riskcore.Scores:
    # v0 = 1, 2, -, 4 and v1 = 1, 2, 3, -: GEO and KAZ have one leaf of two (50 %)
    x = np.array([[[1.0], [2.0], [NAN], [4.0]], [[1.0], [2.0], [3.0], [NAN]]])
    on = f'screen_on = "{order}"\n' if order else ""
    text = (
        f'[index]\nname = "T"\nchildren = ["v0", "v1"]\nscreen = 0.9\n{on}'
        f"[defaults]\nimpute = {impute}\n{LEAVES}"
    )
    return score(riskcore.parse_index(text, path="t.toml"), panel(x))


def test_screening_before_imputation_is_the_default() -> None:
    for s in (screened(None, '"mean"'), screened("observed", '"mean"')):
        assert s.excluded[:, 0].tolist() == [False, False, True, True]
        assert not s.imputed.any()
        assert "50% of indicators have data" in s.screening[0]["reason"]


def test_screening_after_imputation_keeps_what_imputation_filled() -> None:
    # COINr's order: the means take every country (v0: (1 + 2 + 4) / 3, v1: (1 + 2 + 3) / 3),
    # then every country has both leaves and none is screened out
    s = screened("imputed", '"mean"')
    assert not s.excluded.any() and s.screening == []
    assert s.values[0, 2, 0] == pytest.approx(7 / 3) and s.values[1, 3, 0] == pytest.approx(2.0)
    assert s.imputed[:, :, 0].tolist() == [[False, False, True, False], [False] * 3 + [True]]


def test_screening_after_imputation_drops_what_imputation_cannot_fill() -> None:
    # one year: locf has nothing to carry forward, so GEO and KAZ still lack a leaf
    s = screened("imputed", '"locf"')
    assert s.excluded[:, 0].tolist() == [False, False, True, True]
    assert [r["country"] for r in s.screening] == ["GEO", "KAZ"]
    assert "50% of indicators have a value after imputation" in s.screening[0]["reason"]


def test_screen_on_must_be_observed_or_imputed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = '[index]\nname = "T"\nchildren = ["v0", "v1"]\nscreen = 0.9\nscreen_on = "later"\n'
    err = refused(tmp_path, capsys, text + LEAVES, "index.screen_on")
    assert "observed" in err and "imputed" in err
