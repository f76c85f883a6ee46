"""Runs summarised in passes (riskcore.streaming): the same numbers as kept runs, in memory that
does not grow with the number of draws."""

from __future__ import annotations

import tracemalloc
import warnings
from collections.abc import Iterator

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import riskcore
from riskcore.intervals import IntervalOptions, p_rise
from riskcore.runs import SummarisedRuns
from riskcore.streaming import Extent, exact_percentiles
from tests.test_intervals import BANDS, ranged_panel, spec

HOST = riskcore.PluginHost(autoload=False)


@settings(max_examples=40, deadline=None)
@given(
    runs=st.integers(1, 400),
    columns=st.integers(1, 6),
    step=st.integers(1, 97),
    collect=st.integers(1, 3000),
    seed=st.integers(0, 2**16),
    ties=st.booleans(),
    level=st.floats(0.01, 0.99),
)
def test_exact_percentiles_equal_numpy_nanpercentile(
    runs: int, columns: int, step: int, collect: int, seed: int, ties: bool, level: float
) -> None:
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(runs, columns)) * 10.0 ** rng.integers(-3, 4)
    if ties:
        a = np.round(a)
    a[rng.random(a.shape) < 0.3] = np.nan
    a[:, 0] = np.nan if seed % 5 == 0 else a[:, 0]  # a column no run scores

    def passes() -> Iterator[np.ndarray]:
        return (a[i : i + step] for i in range(0, runs, step))

    extent = Extent(columns)
    for block in passes():
        extent.add(block)
    q = [50 * (1 - level), 50 * (1 + level), 0.0, 100.0, 50.0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        expected = np.nanpercentile(a, q, axis=0)
    got = exact_percentiles(passes, q, extent, collect=collect)
    np.testing.assert_array_equal(got, expected)


def scored(keep_bytes: int, draws: int = 300, chunk: int | None = None) -> riskcore.Scores:
    values = np.array([[[4.0, 5.0, 6.0], [6.0, 3.0, 2.0], [5.0, 5.5, 7.0]]] * 2)
    values[1] += np.array([[1.0, -1.0, 0.5]])
    panel = ranged_panel(values, np.full(values.shape, 3.0))  # scores on both sides of 45
    options = IntervalOptions(draws=draws, seed=7, keep_bytes=keep_bytes, chunk=chunk)
    return riskcore.score(spec(BANDS), panel, host=HOST, intervals=options)


@pytest.mark.parametrize("chunk", [None, 17])
def test_summarised_runs_give_the_numbers_of_kept_runs(chunk: int | None) -> None:
    kept, summarised = scored(2**28), scored(0, chunk=chunk)
    assert not isinstance(kept.runs[2020], SummarisedRuns)
    assert all(isinstance(r, SummarisedRuns) for r in summarised.runs.values())
    assert summarised.to_dict() == kept.to_dict()
    for year in kept.years:
        a, b = kept.intervals(year), summarised.intervals(year)
        assert a is not None and b is not None
        for key in ("score_low", "score_high", "rank_low", "rank_high"):
            np.testing.assert_array_equal(a[key], b[key])
        for band, p in a["band_probabilities"].items():
            np.testing.assert_array_equal(p, b["band_probabilities"][band])
    for r in range(len(kept.countries)):
        for y0, y1 in [(2020, 2022), (2022, 2020), (2021, 2022)]:
            assert p_rise(summarised, r, y0, y1) == p_rise(kept, r, y0, y1)
    assert p_rise(kept, 0, 2020, 2022) is not None


def test_summarised_runs_refuse_what_they_did_not_keep() -> None:
    runs = scored(0).runs[2021]
    assert isinstance(runs, SummarisedRuns) and runs.n == 300 and runs.n_countries == 3
    with pytest.raises(ValueError, match=r"summarised at level 0\.9.*keep_bytes"):
        runs.interval(0.5)
    with pytest.raises(ValueError, match="summarised"):
        runs.summary("score")
    with pytest.raises(ValueError, match="summarised"):
        runs.percentile("score", 50)
    with pytest.raises(ValueError, match="other bands"):
        runs.band_probabilities([("all", 0.0)])
    np.testing.assert_array_equal(runs.percentile("rank", 95), runs.interval(0.9)["rank_high"])


def peak(draws: int) -> int:
    tracemalloc.start()
    try:
        scored(0, draws=draws, chunk=256).intervals()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_summarised_memory_does_not_grow_with_the_draws(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("riskcore.streaming.COLLECT", 2**10)  # the candidates gathered at once
    small, large = peak(1024), peak(8192)
    # kept, 8,192 draws would hold 8,192 x 9 x 12 = 0.9 MB of runs; summarised only the
    # design (8 bytes per draw and factor) and the draws' row numbers grow with them
    assert large < small + 8192 * 8 * 4, (small, large)


def test_infinite_values_are_refused_by_name_not_by_a_failing_histogram() -> None:
    from riskcore.intervals import _Summary

    block = np.array([[1.0, np.inf], [2.0, 3.0], [np.nan, 4.0]])
    extent = Extent(2)
    extent.add(block)
    with pytest.raises(ValueError, match="column 1 has an infinite one"):
        exact_percentiles(lambda: iter([block]), [5, 95], extent)
    score = np.array([[[50.0, 60.0], [40.0, np.inf]]])  # one run, 2 countries x 2 years
    rank = np.array([[[1.0, 1.0], [2.0, 2.0]]])
    summary = _Summary((1, 2, 2), (), 0.9, ("ARM", "GEO"))
    with pytest.raises(ValueError, match="a run scores GEO in 2021 as infinite"):
        summary.runs(lambda: iter([(0, score.reshape(1, 1, 4), rank.reshape(1, 1, 4))]),
                     [2020, 2021], ("weights",), True, None)  # fmt: skip
