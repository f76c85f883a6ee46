"""Normalisation and aggregation methods against values computed by hand."""

from __future__ import annotations

import numpy as np
import pytest

from riskcore.methods import aggregate, normalise
from riskcore.methods.base import params_from, rank_min

ALL = (1, 2)


def norm(method: object, values: list[float], **params: object) -> np.ndarray:
    x = np.array(values, dtype=float).reshape(1, -1, 1)
    return method(x, params_from(method, params), axis=ALL).ravel()  # type: ignore[operator]


def test_minmax() -> None:
    np.testing.assert_allclose(norm(normalise.MinMax(), [2, 4, 6, np.nan]), [0, 0.5, 1, np.nan])
    np.testing.assert_allclose(norm(normalise.MinMax(), [3, 3]), [0.5, 0.5])


def test_zscore_sample_and_population() -> None:
    x = [1.0, 2.0, 3.0, 6.0]
    sd1 = np.std(x, ddof=1)
    np.testing.assert_allclose(norm(normalise.ZScore(), x), (np.array(x) - 3) / sd1)
    np.testing.assert_allclose(norm(normalise.ZScore(), x, ddof=0), (np.array(x) - 3) / np.std(x))


def test_rank_and_percentile_ties_share_the_lowest_rank() -> None:
    x = [10.0, 20.0, 20.0, 40.0, np.nan]
    np.testing.assert_allclose(norm(normalise.Rank(), x), [0, 1 / 3, 1 / 3, 1, np.nan])
    np.testing.assert_allclose(norm(normalise.Percentile(), x), [1 / 4, 2 / 4, 2 / 4, 1, np.nan])


def test_goalpost_clip_and_transforms() -> None:
    g = normalise.Goalpost()
    np.testing.assert_allclose(norm(g, [-5, 0, 5, 10, 20], lower=0, upper=10), [0, 0, 0.5, 1, 1])
    np.testing.assert_allclose(norm(g, [-5, 20], lower=0, upper=10, clip=False), [-0.5, 2.0])
    np.testing.assert_allclose(
        norm(g, [10, 100], lower=1, upper=1000, transform="log10"), [1 / 3, 2 / 3]
    )
    np.testing.assert_allclose(
        norm(g, [np.e - 1], lower=0, upper=np.e**2 - 1, transform="log1p"), [0.5]
    )
    assert np.isnan(norm(g, [0.0], lower=1, upper=10, transform="log"))[0]


def test_goalpost_rejects_bad_goalposts() -> None:
    with pytest.raises(ValueError, match="below upper"):
        params_from(normalise.Goalpost(), {"lower": 3, "upper": 3})
    with pytest.raises(ValueError, match="domain"):
        params_from(normalise.Goalpost(), {"lower": 0, "upper": 3, "transform": "log"})


def test_per_year_statistics() -> None:
    x = np.array([[[1.0, 10.0], [3.0, 30.0]]])  # batch 1, 2 countries, 2 years
    pooled = normalise.MinMax()(x, None, axis=(1, 2))
    per_year = normalise.MinMax()(x, None, axis=(1,))
    np.testing.assert_allclose(per_year[0], [[0, 0], [1, 1]])
    np.testing.assert_allclose(pooled[0], [[0, 9 / 29], [2 / 29, 1]])


def agg(method: object, values: list[float], weights: list[float], **params: object) -> float:
    return float(method(np.array(values), np.array(weights), params_from(method, params)))  # type: ignore[operator]


def test_aggregations_by_hand() -> None:
    v, w = [0.2, 0.8], [0.25, 0.75]
    assert agg(aggregate.Arithmetic(), v, w) == pytest.approx(0.65)
    assert agg(aggregate.Geometric(), v, w) == pytest.approx(0.2**0.25 * 0.8**0.75)
    assert agg(aggregate.Harmonic(), v, w) == pytest.approx(1 / (0.25 / 0.2 + 0.75 / 0.8))
    assert agg(aggregate.PowerMean(), v, w, p=2) == pytest.approx(
        (0.25 * 0.04 + 0.75 * 0.64) ** 0.5
    )
    assert agg(aggregate.PowerMean(), v, w, p=0) == pytest.approx(agg(aggregate.Geometric(), v, w))
    assert agg(aggregate.Minimum(), v, w) == 0.2
    assert agg(aggregate.Maximum(), v, w) == 0.8


def test_zero_weight_children_are_ignored_and_zero_values_dominate() -> None:
    assert agg(aggregate.Minimum(), [0.1, 0.9], [0.0, 1.0]) == 0.9
    assert agg(aggregate.Geometric(), [0.0, 0.9], [0.5, 0.5]) == 0.0
    assert agg(aggregate.Harmonic(), [0.0, 0.9], [0.5, 0.5]) == 0.0
    assert agg(aggregate.Geometric(), [0.0, 0.9], [0.0, 1.0]) == pytest.approx(0.9)


def test_rank_min_descending_ties() -> None:
    scores = np.array([5.0, 7.0, 7.0, 1.0, np.nan])
    np.testing.assert_array_equal(rank_min(-scores), [3, 1, 1, 4, np.nan])


def test_benefit_of_the_doubt_reports_each_countrys_weights_and_explains_exactly() -> None:
    pytest.importorskip("scipy")
    from tests.helpers import flat_index, panel, score

    # the three countries of docs/methods.md, already on 0..1 (goalposts 0 and 1)
    x = np.array([[0.9, 0.5, 0.1], [0.1, 0.5, 0.9], [0.5, 0.5, 0.6]]).reshape(3, 3, 1)
    spec = flat_index(
        3,
        aggregation='{ method = "bod", lower_share = 0.2, upper_share = 0.5 }',
        normalize='{ method = "goalpost", lower = 0, upper = 1 }',
        weights=[0.5, 0.25, 0.25],
    )
    s = score(spec, panel(x))
    value = s.score[:, 0] / 100  # the index scale is 0..100; the composite lives on 0..1
    np.testing.assert_allclose(value, [1, 0.98, 1], atol=5e-4)
    # the two on the frontier sit exactly at the top of the scale, tied at rank 1, whatever
    # the solver's tolerance
    assert s.score[0, 0] == s.score[2, 0] == 100.0
    assert s.rank[0, 0] == s.rank[2, 0] == 1
    chosen = s.country_weights["index"][:, 0]  # (countries, children)
    assert chosen.shape == (3, 3)
    # the composite is the chosen weights' sum, and each share keeps to its bounds
    np.testing.assert_allclose(np.sum(chosen * s.normalized[:, :, 0].T, axis=1), value)
    shares = chosen / chosen.sum(axis=1, keepdims=True)
    assert np.all(shares >= 0.2 - 1e-9) and np.all(shares <= 0.5 + 1e-9)
    # no country scores above 1 under any country's weights, its own included
    assert np.all(chosen @ s.normalized[:, :, 0] <= 1 + 1e-9)
    # AZE (0.5 everywhere) is explained by its own weights, exactly
    e = s.explain("AZE")
    assert e.exact
    assert sum(c.contribution for c in e.contributions) == pytest.approx(s.score[1, 0])
    by_code = {c.code: c for c in e.contributions}
    for k, code in enumerate(("v0", "v1", "v2")):
        assert by_code[code].weight == pytest.approx(shares[1, k])
        assert by_code[code].contribution == pytest.approx(100 * chosen[1, k] * 0.5)
    # and the JSON carries them; an index that does not choose weights has no such key
    record = next(r for r in s.to_dict()["results"] if r["country"] == "AZE")
    assert record["weights"]["index"] == pytest.approx(
        dict(zip(("v0", "v1", "v2"), chosen[1], strict=True))
    )
    plain = score(flat_index(3), panel(x)).to_dict()["results"][0]
    assert "weights" not in plain


def test_benefit_of_the_doubt_leaves_out_a_child_no_country_has() -> None:
    pytest.importorskip("scipy")
    from riskcore.methods.frontier import BenefitOfTheDoubt, BoDParams, bod_weights

    rng = np.random.default_rng(4)
    y = rng.random((1, 5, 1, 4))  # (batch, countries, years, children)
    w = np.full(4, 0.25)
    w_out = np.array([1 / 3, 1 / 3, 0.0, 1 / 3])  # child 2 excluded for every country
    p = BoDParams(lower_share=0.1, upper_share=0.5)
    value, chosen = BenefitOfTheDoubt().with_weights(y, w_out, p)
    expected, w3 = bod_weights(y[0, :, 0][:, [0, 1, 3]], p)
    np.testing.assert_allclose(value[0, :, 0], expected)
    np.testing.assert_allclose(chosen[0, :, 0][:, [0, 1, 3]], w3)
    assert np.all(chosen[0, :, 0, 2] == 0)
    # a child one country lacks still costs that country its value, not the others theirs
    w_gap = np.broadcast_to(w, y.shape).copy()
    w_gap[0, 3, 0, 1] = 0.0
    value, _ = BenefitOfTheDoubt().with_weights(y, w_gap, p)
    assert np.isnan(value[0, 3, 0]) and np.all(np.isfinite(np.delete(value[0, :, 0], 3)))
    # too few children left for the share bounds: no value, rather than zeros
    value, chosen = BenefitOfTheDoubt().with_weights(y, w_out, BoDParams(upper_share=0.3))
    assert np.all(np.isnan(value)) and np.all(np.isnan(chosen))


@pytest.mark.parametrize("k", range(1, 10))
def test_benefit_of_the_doubt_share_bound_hints_can_be_followed(k: int) -> None:
    import re

    from riskcore.methods.frontier import BoDParams, check_shares

    for field, bad in (("upper_share", 0.99 / k), ("lower_share", min(1.0, 1.01 / k))):
        if field == "lower_share" and k == 1:
            continue  # a single child always takes the whole weight
        with pytest.raises(ValueError) as err:
            check_shares(BoDParams(**{field: bad}), k)
        hint = float(re.search(r"use at (?:least|most) ([0-9.]+)", str(err.value)).group(1))
        check_shares(BoDParams(**{field: hint}), k)  # the suggested value is accepted


def test_benefit_of_the_doubt_never_scores_above_one_on_tiny_values() -> None:
    # values far below the solver's tolerances: solved as they came, these gave composites of
    # 5.5 and 5.0; the programme is scale-free, so riskcore solves it on values scaled to 1
    pytest.importorskip("scipy")
    from riskcore.methods.frontier import BoDParams, bod_weights

    p = BoDParams(lower_share=0.1)
    y = np.array([[2e-9, 1e-9], [1e-9, 1e-9]])
    ci, w = bod_weights(y, p)
    # by hand: the second country's best shares are (0.1, 0.9): 1e-9 / (0.1 * 2e-9 + 0.9 * 1e-9)
    np.testing.assert_allclose(ci, [1.0, 1 / 1.1], rtol=1e-6)
    np.testing.assert_allclose(np.sum(w * y, axis=1), ci, rtol=1e-9)
    assert np.all(ci <= 1.0)
    raised, _ = bod_weights(np.array([[2e-9, 1e-9], [1e-9, 3e-9]]), p)
    assert raised[1] >= ci[1] and np.all(raised <= 1.0)


def test_benefit_of_the_doubt_solves_each_distinct_table_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pytest.importorskip("scipy")
    from riskcore.methods import frontier

    calls = []
    real = frontier.bod_weights
    monkeypatch.setattr(frontier, "bod_weights", lambda y, p: calls.append(1) or real(y, p))
    rng = np.random.default_rng(9)
    one = rng.random((1, 6, 1, 3))
    values = np.broadcast_to(one, (8, 6, 1, 3))
    weights = rng.dirichlet([1, 1, 1], size=8)[:, None, None, :]  # weight noise: same table
    out, _ = frontier.BenefitOfTheDoubt().with_weights(values, weights, frontier.BoDParams())
    assert len(calls) == 1
    np.testing.assert_array_equal(out, np.broadcast_to(out[:1], out.shape))
