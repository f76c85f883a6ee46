"""Scores with a run axis (issue #10): runs attached to the nominal scores, seen through the
same exports, with intervals and band probabilities."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import riskcore
from riskcore.runs import Runs
from tests.helpers import flat_index, panel, score

BANDS = (("low", 0.0), ("medium", 40.0), ("high", 70.0))

run_scores = arrays(
    np.float64,
    st.tuples(st.integers(1, 40), st.integers(1, 6)),
    elements=st.one_of(st.floats(0, 100), st.just(np.nan)),
)


@settings(max_examples=60, deadline=None)
@given(run_scores)
def test_band_probabilities_of_a_scored_country_add_up_to_one(values: np.ndarray) -> None:
    runs = Runs(2020, values, values)
    probs = runs.band_probabilities(BANDS)
    total = sum(probs.values())
    scored = ~np.all(np.isnan(values), axis=0)
    np.testing.assert_allclose(total[scored], 1.0)
    assert np.all(np.isnan(total[~scored]))


@settings(max_examples=60, deadline=None)
@given(run_scores, st.floats(0.05, 0.9), st.floats(0.01, 0.09))
def test_a_wider_level_never_gives_a_narrower_interval(
    values: np.ndarray, level: float, more: float
) -> None:
    runs = Runs(2020, values, values)
    a, b = runs.interval(level), runs.interval(level + more)
    ok = ~np.all(np.isnan(values), axis=0)
    assert np.all(b["score_low"][ok] <= a["score_low"][ok] + 1e-12)
    assert np.all(b["score_high"][ok] >= a["score_high"][ok] - 1e-12)
    assert np.all(a["score_low"][ok] <= a["score_high"][ok])


def test_a_band_probability_counts_a_score_at_the_start_of_a_band_in_that_band() -> None:
    runs = Runs(2020, np.array([[40.0], [39.9], [70.0], [100.0]]), np.ones((4, 1)))
    probs = runs.band_probabilities(BANDS)
    assert {k: float(v[0]) for k, v in probs.items()} == {"low": 0.25, "medium": 0.25, "high": 0.5}


def test_the_level_must_lie_between_zero_and_one() -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        Runs(2020, np.ones((3, 2)), np.ones((3, 2))).interval(1.0)


def test_runs_attached_to_scores_appear_in_every_export_and_leave_the_original_alone() -> None:
    s = score(flat_index(2), panel(np.arange(12.0).reshape(2, 3, 2)))
    rng = np.random.default_rng(1)
    values = s.score[:, 1] + rng.normal(0, 5, (200, 3))
    runs = Runs(2001, values, np.argsort(np.argsort(-values, axis=1), axis=1) + 1.0)
    with_runs = s.with_runs(runs, level=0.8)
    assert s.runs == {} and s.intervals(2001) is None
    assert "score_low" not in s.to_dict(2001)["results"][0]
    record = with_runs.to_dict(2001)["results"][0]
    r = s.country_index(record["country"])
    assert record["interval_level"] == 0.8
    assert record["score_low"] == pytest.approx(np.percentile(values[:, r], 10))
    assert record["score_high"] == pytest.approx(np.percentile(values[:, r], 90))
    assert 1 <= record["rank_low"] <= record["rank_high"] <= 3
    flat = with_runs.to_records(2001)[0]
    assert flat["score_low"] == record["score_low"]
    # the other year has no runs: its records are as before
    assert with_runs.to_records(2000) == s.to_records(2000)
    json.dumps(with_runs.to_dict(2001))  # JSON-ready


def test_an_uncertainty_analysis_is_the_scores_with_runs() -> None:
    pytest.importorskip("scipy")
    from riskcore.assumptions import parse_assumptions
    from riskcore.uncertainty import uncertainty_analysis

    s = score(flat_index(3), panel(np.random.default_rng(0).random((3, 6, 2))))
    text = "[uncertainty]\nsamples = 64\n[[uncertainty.weights]]\nrelative = 0.5\n"
    out = uncertainty_analysis(s, parse_assumptions(text))
    assert out.scores is not None
    found = out.scores.intervals(out.year)
    assert found is not None and found["runs"] == 64
    np.testing.assert_allclose(found["score_low"], out.score["p05"])
    np.testing.assert_allclose(found["rank_high"], out.rank["p95"])
    assert isinstance(out.scores, riskcore.Scores)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**32), st.integers(1, 60), st.floats(0, 1))
def test_run_summaries_equal_the_nan_functions(seed: int, n: int, holes: float) -> None:
    """Countries without a missing run go at once; the numbers are numpy's nan-functions'."""
    rng = np.random.default_rng(seed)
    v = np.round(rng.random((n, 7)) * 20) if seed % 2 else rng.random((n, 7))
    v[rng.random(v.shape) < holes * 0.3] = np.nan
    v[:, 0] = np.nan  # a country never scored
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        expected = {
            "mean": np.nanmean(v, axis=0),
            "median": np.nanmedian(v, axis=0),
            "p05": np.nanpercentile(v, 5, axis=0),
            "p95": np.nanpercentile(v, 95, axis=0),
        }
        interval = np.nanpercentile(v, [10, 90], axis=0)
    runs = Runs(2020, v, v)
    got = runs.summary("score")
    for name, value in expected.items():
        np.testing.assert_array_equal(got[name], value, err_msg=name)
    np.testing.assert_array_equal(runs.percentile("rank", [10, 90]), interval)
    single = v.astype(np.float32)  # ranks are kept in single precision
    wide = single.astype(np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        np.testing.assert_array_equal(Runs(2020, v, single).summary("rank")["mean"],
                                      np.nanmean(wide, axis=0))  # fmt: skip
        np.testing.assert_array_equal(Runs(2020, v, single).summary("rank")["median"],
                                      np.nanmedian(wide, axis=0))  # fmt: skip


def test_runs_on_different_scales_give_rank_intervals_only_and_csv_takes_every_year() -> None:
    s = score(flat_index(2), panel(np.arange(12.0).reshape(2, 3, 2)))
    values = np.array([[10.0, 20.0, 30.0], [900.0, 5.0, 40.0]])
    runs = Runs(2001, values, np.array([[3.0, 2.0, 1.0], [1.0, 3.0, 2.0]]), comparable=False)
    with_runs = s.with_runs(runs)
    record = with_runs.to_dict(2001)["results"][0]
    assert record["score_low"] is None and record["score_high"] is None
    assert record["rank_low"] is not None and "band_probabilities" not in record
    text = with_runs.to_csv(all_years=True)
    header = text.splitlines()[0].split(",")
    assert {"score_low", "rank_high"} <= set(header) and len(text.splitlines()) == 7
    with pytest.raises(ValueError, match="between 0 and 1"):
        s.with_runs(runs, level=1.5)
