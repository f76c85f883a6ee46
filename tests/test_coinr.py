"""Conformance with COINr: the screening order, min-max to a chosen range, and the ASEM build
of COINr's ``build_example_coin()`` recomputed independently."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import riskcore
from riskcore.cli import main
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


# -- min-max and goalposts onto a chosen range --------------------------------------------------


def one_leaf(normalize: str, direction: str = "positive", scale: str = "[0, 100]") -> str:
    return (
        f'[index]\nname = "T"\nscale = {scale}\nchildren = ["v0"]\n'
        f'[indicator.v0]\ndirection = "{direction}"\nnormalize = {normalize}\n'
    )


def on_scale(text: str, values: list[float]) -> np.ndarray:
    x = np.array(values)[np.newaxis, :, np.newaxis]
    s = score(riskcore.parse_index(text, path="t.toml"), panel(x))
    lo, hi = s.plan.scale
    out: np.ndarray = lo + (hi - lo) * s.normalized[0, :, 0]
    np.testing.assert_allclose(s.score[:, 0], out)  # one leaf: the score is the leaf
    return out


def test_minmax_onto_a_range_of_the_scale() -> None:
    x = [1.0, 2.0, 2.0, 4.0, 11.0]  # (x - 1) / 10 = 0, 0.1, 0.1, 0.3, 1
    minmax = '{ method = "minmax", range = [1, 100] }'
    np.testing.assert_allclose(on_scale(one_leaf(minmax), x), [1, 10.9, 10.9, 30.7, 100])
    # direction first, then the range: the lowest value gets the top of the range
    low = on_scale(one_leaf(minmax, "negative"), x)
    np.testing.assert_allclose(low, [100, 90.1, 90.1, 70.3, 1])
    # on a 0..10 scale, range = [1, 10] is 1 + 9 y
    small = on_scale(one_leaf('{ method = "minmax", range = [1, 10] }', scale="[0, 10]"), x)
    np.testing.assert_allclose(small, [1, 1.9, 1.9, 3.7, 10])
    # the whole scale is the same as no range
    whole = on_scale(one_leaf('{ method = "minmax", range = [0, 100] }'), x)
    np.testing.assert_allclose(whole, on_scale(one_leaf('"minmax"'), x))


def test_goalposts_onto_a_range_of_the_scale() -> None:
    goalpost = '{ method = "goalpost", lower = 0, upper = 10, range = [20, 80] }'
    # 5 is half way (50); 11 is clipped to the upper goalpost (80); 0 is the lower one (20)
    np.testing.assert_allclose(on_scale(one_leaf(goalpost), [5.0, 11.0, 0.0]), [50, 80, 20])


def test_a_range_keeps_zeros_out_of_a_geometric_mean() -> None:
    # v0 = 1, 2, 3 and v1 = 3, 1, 2: min-max 0, 0.5, 1 and 1, 0, 0.5. Onto 0..100 every country
    # is at a minimum somewhere but ARM and AZE score 0; onto 1..100 the geometric means are
    # sqrt(1 * 100) = 10, sqrt(50.5 * 1) and sqrt(100 * 50.5)
    x = np.array([[[1.0], [2.0], [3.0]], [[3.0], [1.0], [2.0]]])

    def geometric(normalize: str) -> np.ndarray:
        text = (
            f'[index]\nname = "T"\naggregation = "geometric"\nchildren = ["v0", "v1"]\n'
            f"[defaults]\nnormalize = {normalize}\n{LEAVES}"
        )
        return score(riskcore.parse_index(text, path="t.toml"), panel(x)).score[:, 0]

    np.testing.assert_allclose(geometric('"minmax"'), [0, 0, 70.71067811865476])
    expected = [10.0, np.sqrt(50.5), np.sqrt(100 * 50.5)]
    np.testing.assert_allclose(geometric('{ method = "minmax", range = [1, 100] }'), expected)


@pytest.mark.parametrize(
    ("normalize", "key", "says"),
    [
        ('{ method = "minmax", range = [1, 200] }', "indicator.v0.normalize.range", "within"),
        ('{ method = "minmax", range = [-1, 100] }', "indicator.v0.normalize.range", "within"),
        ('{ method = "minmax", range = [50, 10] }', "indicator.v0.normalize.range", "low < high"),
        ('{ method = "minmax", range = [1] }', "indicator.v0.normalize.range", ""),
        (
            '{ method = "goalpost", lower = 0, upper = 1, range = [0, 101] }',
            "indicator.v0.normalize.range",
            "within",
        ),
    ],
)
def test_a_bad_range_is_refused_with_its_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], normalize: str, key: str, says: str
) -> None:
    err = refused(tmp_path, capsys, one_leaf(normalize), key)
    assert says in err


def test_a_bad_default_or_alternative_range_is_refused_with_its_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = '[index]\nname = "T"\nchildren = ["v0"]\n[indicator.v0]\ndirection = "positive"\n'
    default = '[defaults]\nnormalize = { method = "minmax", range = [0, 120] }\n'
    refused(tmp_path, capsys, text + default, "defaults.normalize.range")
    idx = tmp_path / "bad.toml"
    idx.write_text(
        text + "[uncertainty]\nsamples = 8\n[uncertainty.normalize]\n"
        'alternatives = ["minmax", { method = "minmax", range = [1, 101] }]\n'
    )
    data = tmp_path / "data.csv"
    assert main(["uncertainty", str(idx), "--data", str(data)]) == 2  # data.csv: as above
    err = capsys.readouterr().err
    assert "uncertainty.normalize.alternatives.1.range" in err and str(idx) in err
