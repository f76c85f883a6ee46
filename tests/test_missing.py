"""What missing means per indicator (unknown, not_applicable, structural_zero), the default
uncertainty of unranged values, and the imputers that give a range; computed by hand."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import riskcore
from riskcore.methods.impute import ImputeContext
from riskcore.methods.impute_range import GroupRange, NeighbourRange, PanelSpread
from tests.helpers import assert_load_names_file_and_key, panel, score

NAN = np.nan


def index(missing_b: str | None, *, extra: str = "", nested: bool = False) -> riskcore.IndexSpec:
    """Root arithmetic over a (weight 1), b (1) and c (2), goalposts 0..10."""
    children = "{ v0 = 1, n = 1, v2 = 2 }" if nested else "{ v0 = 1, v1 = 1, v2 = 2 }"
    text = f'[index]\nname = "T"\nchildren = {children}\n'
    if nested:
        text += '[node.n]\nchildren = ["v1"]\n'
    text += '[defaults]\nnormalize = { method = "goalpost", lower = 0, upper = 10 }\n'
    for i in range(3):
        text += f'[indicator.v{i}]\ndirection = "higher_is_riskier"\n'
        if i == 1 and missing_b:
            text += f'missing = "{missing_b}"\n'
    return riskcore.parse_index(text + extra, path="t.toml")


DATA = panel(np.array([[[5.0], [5.0]], [[NAN], [4.0]], [[10.0], [10.0]]]))


def test_not_applicable_child_is_left_out_with_its_weight_rescaled() -> None:
    s = score(index("not_applicable"), DATA)
    # (1 * 0.5 + 2 * 1.0) / 3 on 0..100; b's weight goes to a and c, coverage stays whole
    assert s.score[0, 0] == pytest.approx(100 * 2.5 / 3)
    assert s.coverage[0, 0] == pytest.approx(1.0)
    assert s.score[1, 0] == pytest.approx(100 * (0.5 + 0.4 + 2.0) / 4)  # b present: counted


def test_unknown_child_is_missing_and_counts_against_coverage() -> None:
    s = score(index(None), DATA)
    assert s.score[0, 0] == pytest.approx(100 * 2.5 / 3)  # present children rescaled
    assert s.coverage[0, 0] == pytest.approx(0.75)


def test_structural_zero_counts_as_zero_and_as_data() -> None:
    s = score(index("structural_zero"), DATA)
    assert s.score[0, 0] == pytest.approx(100 * 2.5 / 4)
    assert s.raw[1, 0, 0] == 0.0
    assert s.coverage[0, 0] == pytest.approx(1.0)


def test_a_structural_zero_alone_does_not_score_a_country_without_data() -> None:
    values = np.array([[[NAN], [5.0]], [[NAN], [1.0]], [[NAN], [10.0]]])
    s = score(index("structural_zero"), panel(values))
    assert np.isnan(s.score[0, 0]) and np.isnan(s.raw[1, 0, 0])


def test_a_node_whose_only_child_is_not_applicable_is_not_applicable() -> None:
    s = score(index("not_applicable", nested=True), DATA)
    assert s.score[0, 0] == pytest.approx(100 * 2.5 / 3)
    assert np.isnan(s.nodes[0, 0, 0])


def test_not_applicable_is_not_imputed_and_not_screened_against() -> None:
    spec = riskcore.parse_index(
        '[index]\nname = "T"\nscreen = 1.0\nchildren = { v0 = 1, v1 = 1, v2 = 2 }\n'
        '[defaults]\nnormalize = { method = "goalpost", lower = 0, upper = 10 }\n'
        'impute = "mean"\nmissing = "not_applicable"\n'
        + "".join(f'[indicator.v{i}]\ndirection = "higher_is_riskier"\n' for i in range(3)),
        path="t.toml",
    )
    s = score(spec, DATA)
    assert not s.imputed.any() and not s.excluded.any()
    assert s.score[0, 0] == pytest.approx(100 * 2.5 / 3)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('[indicator.v1]\nmissing = "zero"\n', "indicator.v1.missing"),
        ('[defaults]\nmissing = "absent"\n', "defaults.missing"),
        ("[defaults.unranged]\nestimate = 1.5\n", "defaults.unranged.estimate"),
        ("[defaults.unranged]\nguess = 0.1\n", "defaults.unranged.guess"),
        ("[defaults.unranged]\nsources = { A = -0.1 }\n", "defaults.unranged.sources"),
        ('[defaults.unranged]\nestimate = "0.3"\n', "defaults.unranged.estimate"),
    ],
)
def test_bad_missing_and_unranged_keys_name_file_and_key(
    tmp_path: Path, text: str, key: str
) -> None:
    head = '[index]\nname = "T"\nchildren = ["v0", "v1"]\n'
    if not text.startswith("[indicator.v1]"):
        text += '[indicator.v1]\ndirection = "higher_is_riskier"\n'
    assert_load_names_file_and_key(riskcore.load_index, tmp_path / "i.toml", head + text, key)


def test_unranged_defaults_reach_the_plan() -> None:
    spec = index(None, extra="[defaults.unranged]\nestimate = 0.3\nsources = { A = 0.1 }\n")
    plan = riskcore.compile_plan(spec, host=riskcore.PluginHost(autoload=False), variables=DATA)
    assert plan.unranged is not None
    assert (plan.unranged.estimate, plan.unranged.sources) == (0.3, {"A": 0.1})
    assert (
        riskcore.compile_plan(
            index(None), host=riskcore.PluginHost(autoload=False), variables=DATA
        ).unranged
        is None
    )


# -- imputers that give a range -------------------------------------------------------------
def test_group_range_gives_the_group_median_within_its_range() -> None:
    values = np.array([[1.0], [3.0], [10.0], [NAN], [7.0], [NAN]])
    context = ImputeContext({"region": ["a", "a", "a", "a", "b", None]})
    params = GroupRange.Params.model_validate({"group": "region"})
    filled, low, high = GroupRange().spread(values, params, context=context)
    assert (filled[3, 0], low[3, 0], high[3, 0]) == (3.0, 1.0, 10.0)
    assert np.isnan(filled[5, 0])  # no label: stays missing
    assert np.isnan(low[0, 0])  # observed values have no imputation range
    np.testing.assert_array_equal(filled[:3], values[:3])


def test_neighbour_range_takes_the_most_similar_countries() -> None:
    # indicator 0 is imputed; indicator 1 says countries 0 and 1 are alike, 2 and 3 far off
    ind = np.array(
        [
            [[NAN], [2.0], [8.0], [9.0]],
            [[0.0], [0.1], [5.0], [5.2]],
        ]
    )
    params = NeighbourRange.Params.model_validate({"k": 2})
    context = ImputeContext(indicators=ind, position=0)
    filled, low, high = NeighbourRange().spread(ind[0], params, context=context)
    # the two nearest on indicator 1: country 1 (2.0) and country 2 (8.0)
    assert (filled[0, 0], low[0, 0], high[0, 0]) == (5.0, 2.0, 8.0)
    k1 = NeighbourRange.Params.model_validate({"k": 1})
    assert NeighbourRange().spread(ind[0], k1, context=context)[0][0, 0] == 2.0


def test_panel_spread_takes_the_nearest_year_within_the_countrys_range() -> None:
    values = np.array([[1.0, NAN, NAN, 4.0, NAN], [NAN, NAN, NAN, NAN, NAN]])
    filled, low, high = PanelSpread().spread(values, None, context=ImputeContext())
    np.testing.assert_array_equal(filled[0], [1.0, 1.0, 4.0, 4.0, 4.0])
    np.testing.assert_array_equal(low[0], [NAN, 1.0, 1.0, NAN, 1.0])
    np.testing.assert_array_equal(high[0], [NAN, 4.0, 4.0, NAN, 4.0])
    assert np.isnan(filled[1]).all()


def test_a_range_imputer_in_an_index_records_its_range() -> None:
    spec = index(None, extra='[indicator.v1.impute]\nmethod = "panel_spread"\n')
    values = np.array([[[5.0, 5.0, 5.0]], [[2.0, NAN, 6.0]], [[10.0, 10.0, 10.0]]])
    s = score(spec, panel(values))
    assert s.imputed[1, 0, 1]
    prepared = riskcore.prepare(s.plan, s.panel)
    assert prepared.impute_low is not None and prepared.impute_high is not None
    assert (prepared.impute_low[1, 0, 1], prepared.impute_high[1, 0, 1]) == (2.0, 6.0)
    assert np.isnan(prepared.impute_low[1, 0, 0])
