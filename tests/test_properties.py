"""Hypothesis properties: the invariants a user would state about any index."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import riskcore
from riskcore.methods import normalise
from riskcore.methods.base import params_from
from tests.helpers import flat_index, panel, score

AGGREGATIONS = [
    '"arithmetic"',
    '"geometric"',
    '"harmonic"',
    '{ method = "power_mean", p = 2 }',
    '{ method = "power_mean", p = -0.5 }',
    '"min"',
    '"max"',
    '"median"',
    '"copeland"',
]
try:  # benefit of the doubt solves linear programmes with scipy
    import scipy  # noqa: F401

    AGGREGATIONS.append('{ method = "bod", lower_share = 0.1 }')
except ImportError:  # pragma: no cover
    pass
NORMALIZERS = [
    '"minmax"',
    '"rank"',
    '"percentile"',
    '{ method = "goalpost", lower = 0, upper = 1 }',
]

values = st.floats(0, 1, allow_nan=False, width=32)


@st.composite
def cases(draw: st.DrawFn, missing: bool = True) -> tuple[np.ndarray, list[float], str, str]:
    n_ind = draw(st.integers(1, 4))
    n_c = draw(st.integers(2, 8))
    n_y = draw(st.integers(1, 3))
    elements = st.one_of(values, st.just(np.nan)) if missing else values
    x = draw(arrays(np.float64, (n_ind, n_c, n_y), elements=elements))
    w = draw(st.lists(st.floats(0.1, 10), min_size=n_ind, max_size=n_ind))
    return x, w, draw(st.sampled_from(AGGREGATIONS)), draw(st.sampled_from(NORMALIZERS))


def same(a: np.ndarray, b: np.ndarray) -> None:
    np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-9, equal_nan=True)


@settings(max_examples=60, deadline=None)
@given(cases(), st.randoms(use_true_random=False))
def test_order_of_countries_changes_nothing(case: tuple, rnd: object) -> None:
    x, w, agg, norm = case
    spec = flat_index(x.shape[0], aggregation=agg, normalize=norm, weights=w)
    perm = np.arange(x.shape[1])
    rnd.shuffle(perm)  # type: ignore[attr-defined]
    a = score(spec, panel(x))
    b = score(spec, panel(x[:, perm], countries=[a.countries[i] for i in perm]))
    same(a.score[perm], b.score)
    same(a.rank[perm], b.rank)
    same(a.coverage[perm], b.coverage)


@settings(max_examples=80, deadline=None)
@given(cases(missing=False), st.data())
def test_raising_a_risky_indicator_never_lowers_the_score(case: tuple, data: st.DataObject) -> None:
    x, w, agg, _ = case
    goal = '{ method = "goalpost", lower = 0, upper = 1 }'  # fixed goalposts: others unchanged
    spec = flat_index(x.shape[0], aggregation=agg, normalize=goal, weights=w)
    i = data.draw(st.integers(0, x.shape[0] - 1))
    c = data.draw(st.integers(0, x.shape[1] - 1))
    bump = data.draw(st.floats(0, 1))
    y = x.copy()
    y[i, c, :] = np.minimum(y[i, c, :] + bump, 1.0)
    before, after = score(spec, panel(x)), score(spec, panel(y))
    assert np.all(after.score[c] >= before.score[c] - 1e-9)


@settings(max_examples=60, deadline=None)
@given(cases(), st.tuples(st.floats(-50, 50), st.floats(1, 500)))
def test_scores_stay_inside_the_scale(case: tuple, scale: tuple[float, float]) -> None:
    x, w, agg, norm = case
    lo, width = scale
    spec = flat_index(x.shape[0], aggregation=agg, normalize=norm, weights=w)
    text = spec.model_dump()
    text["index"]["scale"] = [lo, lo + width]
    scaled = riskcore.parse_index(text)
    s = score(scaled, panel(x))
    ok = s.score[~np.isnan(s.score)]
    assert np.all(ok >= lo - 1e-9 * width) and np.all(ok <= lo + width + 1e-9 * width)


@settings(max_examples=60, deadline=None)
@given(cases(), st.floats(0.01, 100))
def test_scaling_sibling_weights_changes_nothing(case: tuple, k: float) -> None:
    x, w, agg, norm = case
    a = score(flat_index(x.shape[0], aggregation=agg, normalize=norm, weights=w), panel(x))
    kw = [k * v for v in w]
    b = score(flat_index(x.shape[0], aggregation=agg, normalize=norm, weights=kw), panel(x))
    same(a.score, b.score)
    same(a.coverage, b.coverage)


@settings(max_examples=100, deadline=None)
@given(
    arrays(np.float64, st.integers(1, 20), elements=st.floats(-1e6, 1e6)),
    st.floats(-1e3, 1e3),
    st.floats(0.001, 1e3),
)
def test_goalposts_clip(x: np.ndarray, lower: float, width: float) -> None:
    g = normalise.Goalpost()
    params = params_from(g, {"lower": lower, "upper": lower + width})
    y = g(x.reshape(1, -1, 1), params, axis=(1, 2)).ravel()
    assert np.all((y >= 0) & (y <= 1))
    assert np.all(y[x <= lower] == 0) and np.all(y[x >= lower + width] == 1)


@settings(max_examples=60, deadline=None)
@given(cases(), st.data())
def test_identical_countries_get_identical_scores_and_ranks(
    case: tuple, data: st.DataObject
) -> None:
    x, w, agg, norm = case
    a = data.draw(st.integers(0, x.shape[1] - 1))
    b = data.draw(st.integers(0, x.shape[1] - 1))
    x = x.copy()
    x[:, b] = x[:, a]
    s = score(flat_index(x.shape[0], aggregation=agg, normalize=norm, weights=w), panel(x))
    same(s.score[a], s.score[b])
    same(s.rank[a], s.rank[b])


@settings(max_examples=40, deadline=None)
@given(cases())
def test_ranks_are_dense_from_one_with_ties_at_the_lowest(case: tuple) -> None:
    x, w, agg, norm = case
    s = score(flat_index(x.shape[0], aggregation=agg, normalize=norm, weights=w), panel(x))
    for t in range(x.shape[2]):
        sc, rk = s.score[:, t], s.rank[:, t]
        ok = ~np.isnan(sc)
        assert np.array_equal(ok, ~np.isnan(rk))
        for i in np.flatnonzero(ok):
            assert rk[i] == 1 + np.sum(sc[ok] > sc[i])


@settings(max_examples=40, deadline=None)
@given(cases(), st.floats(0.0, 0.2), st.floats(0.3, 1.0))
def test_benefit_of_the_doubt_is_its_own_weights_sum_and_explains_exactly(
    case: tuple, lower: float, upper: float
) -> None:
    if not any("bod" in a for a in AGGREGATIONS):  # pragma: no cover - without scipy
        return
    x, w, _, norm = case
    assume(lower * x.shape[0] <= 1 <= upper * x.shape[0])  # other bounds are rejected
    bod = f'{{ method = "bod", lower_share = {lower!r}, upper_share = {upper!r} }}'
    s = score(flat_index(x.shape[0], aggregation=bod, normalize=norm, weights=w), panel(x))
    chosen = s.country_weights["index"]  # (countries, years, children)
    for r, country in enumerate(s.countries):
        for t, year in enumerate(s.years):
            if np.isnan(s.score[r, t]):
                continue
            # children that no country has this year take no part, with weight 0
            active = ~np.all(np.isnan(s.normalized[:, :, t]), axis=1)
            assert np.all(chosen[r, t, ~active] == 0)
            k = chosen[r, t, active]
            if k.sum() == 0:  # every child at 0: no weights lift it, and it scores 0
                assert s.score[r, t] == pytest.approx(0.0, abs=1e-9)
            else:
                shares = k / k.sum()
                assert np.all(shares >= lower - 1e-6) and np.all(shares <= upper + 1e-6)
            value = np.sum(k * s.normalized[active, r, t]) * 100
            assert value == pytest.approx(s.score[r, t])
            e = s.explain(country, year)
            assert e.exact
            total = sum(c.contribution for c in e.contributions)
            assert total == pytest.approx(s.score[r, t], abs=1e-6)
