"""Hypothesis properties of the methodology steps."""

from __future__ import annotations

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from riskcore.engine import round_half_away
from riskcore.methods import impute, outliers, weighting
from riskcore.methods.base import params_from

finite = st.floats(-1e6, 1e6, allow_nan=False)
with_gaps = st.one_of(finite, st.just(np.nan))


@settings(max_examples=150, deadline=None)
@given(
    arrays(np.float64, st.integers(4, 40), elements=finite | st.sampled_from([0.0, 1.0, 2.0])),
    st.integers(1, 3),
    st.integers(0, 6),
    st.floats(0.1, 3),
    st.floats(0, 5),
)
def test_winsorising_stays_in_range_and_keeps_order(
    x: np.ndarray, extremes: int, points: int, skew: float, kurt: float
) -> None:
    y = np.append(x, [1e7] * extremes)  # tied extreme values so that treatment often triggers
    p = params_from(outliers.Winsorise(), {"max_points": points, "skew": skew, "kurtosis": kurt})
    out, report = outliers.Winsorise()(y.reshape(-1, 1), p)
    out = out.ravel()
    order = np.argsort(y, kind="stable")
    assert np.all(np.diff(out[order]) >= -1e-9 * (1 + np.abs(out[order][1:])))
    if report.get("how") != "log":
        # winsorising clips: every value beyond the new extremes is set to them, ties included
        np.testing.assert_array_equal(out, np.clip(y, out.min(), out.max()))
        changed = out != y
        assert report.get("points", 0) == changed.sum()
        if changed.any():
            # the last step moved every value at one side's innermost changed level; before it,
            # fewer than max_points values had changed
            tied = [
                np.sum(y[changed & side] == edge(y[changed & side]))
                for side, edge in ((y > out.max(), np.min), (y < out.min(), np.max))
                if np.any(changed & side)
            ]
            assert changed.sum() - max(tied) < points
            if len(np.unique(y[changed])) == changed.sum():  # no ties moved: at most max_points
                assert changed.sum() <= points


@settings(max_examples=100, deadline=None)
@given(
    arrays(np.float64, st.tuples(st.integers(1, 8), st.integers(1, 6)), elements=with_gaps),
    st.sampled_from(["mean", "median", "group_mean", "group_median", "locf", "linear"]),
    st.data(),
)
def test_imputation_never_changes_observed_values(
    x: np.ndarray, name: str, data: st.DataObject
) -> None:
    method = {m.name: m for m in impute.BUILTIN_IMPUTERS}[name]
    labels = data.draw(st.lists(st.sampled_from(["a", "b", None]), min_size=x.shape[0],
                                max_size=x.shape[0]))  # fmt: skip
    params = {"group": "g"} if name.startswith("group") else {}
    out = method(x, params_from(method, params), context=impute.ImputeContext({"g": labels}))
    seen = ~np.isnan(x)
    np.testing.assert_array_equal(out[seen], x[seen])
    assert np.all(np.isnan(out) <= np.isnan(x))  # never un-fills


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 6), st.integers(0, 10_000), st.integers(0, 3))
def test_data_derived_weights_are_non_negative_and_sum_to_one(
    k: int, seed: int, components: int
) -> None:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(40, k)) @ rng.normal(size=(k, k))
    assume(np.all(np.std(x, axis=0) > 1e-9))
    params = weighting.PCAParams(components=components or None)
    w, _ = weighting.pca_weights(x, params)
    assert np.all(w >= 0)
    assert abs(w.sum() - 1) < 1e-9


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0.01, 100), min_size=2, max_size=6))
def test_ahp_weights_are_non_negative_and_sum_to_one(priorities: list[float]) -> None:
    p = np.array(priorities)
    w, _ = weighting.ahp_weights(p[:, None] / p[None, :])  # a consistent matrix
    np.testing.assert_allclose(w, p / p.sum(), rtol=1e-6)
    assert np.all(w >= 0) and abs(w.sum() - 1) < 1e-9


@settings(max_examples=200, deadline=None)
@given(arrays(np.float64, st.integers(1, 30), elements=finite), st.integers(0, 6))
def test_rounding_is_idempotent(x: np.ndarray, digits: int) -> None:
    once = round_half_away(x, digits)
    np.testing.assert_array_equal(round_half_away(once, digits), once)
    assert np.all(np.abs(once - x) <= 0.5 * 10.0**-digits * (1 + 1e-9) + 1e-9 * np.abs(x))
