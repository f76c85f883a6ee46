"""Intervals by default: properties of the Monte Carlo, reliability by hand, the command line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import riskcore
from riskcore.estimates import Estimates
from riskcore.intervals import IntervalOptions, defer_intervals, interval_runs
from riskcore.reliability import grade

NAN = np.nan
HOST = riskcore.PluginHost(autoload=False)
FAST = IntervalOptions(draws=60, seed=3)


def spec(extra: str = "", impute: str | None = None) -> riskcore.IndexSpec:
    """Root arithmetic over v0 (weight 1) and v1 (weight 1), goalposts -5..15: linear."""
    text = (
        '[index]\nname = "T"\nchildren = ["v0", "v1"]\n'
        '[defaults]\nnormalize = { method = "goalpost", lower = -5, upper = 15 }\n'
        '[indicator.v0]\ndirection = "higher_is_riskier"\n'
        '[indicator.v1]\ndirection = "higher_is_riskier"\n'
    )
    if impute:
        text += f'impute = "{impute}"\n'
    return riskcore.parse_index(text + extra, path="t.toml")


def ranged_panel(values: np.ndarray, half: np.ndarray) -> riskcore.Panel:
    """Values (2 variables, countries, years) with ranges ``value +- half`` (0: exact)."""
    ranged = half > 0
    low = np.where(ranged, values - half, NAN)
    high = np.where(ranged, values + half, NAN)
    est = Estimates(low, high, np.full(values.shape, NAN), np.zeros(values.shape), ranged)
    _, c, y = values.shape
    return riskcore.Panel(
        values=values,
        variables=("v0", "v1"),
        countries=("ARM", "AZE", "GEO", "KAZ", "KGZ")[:c],
        years=tuple(range(2020, 2020 + y)),
        estimates=est,
    )


def scored(panel: riskcore.Panel, options: IntervalOptions = FAST, **kw: str) -> riskcore.Scores:
    return riskcore.score(spec(**kw), panel, host=HOST, intervals=options)


def interval(scores: riskcore.Scores, r: int = 0) -> tuple[float, float]:
    found = scores.intervals()
    assert found is not None
    return float(found["score_low"][r]), float(found["score_high"][r])


values_st = st.lists(st.floats(0, 10), min_size=6, max_size=6).map(
    lambda v: np.array(v).reshape(2, 3, 1)
)
half_st = st.lists(st.floats(0.01, 4), min_size=6, max_size=6).map(
    lambda v: np.array(v).reshape(2, 3, 1)
)


@settings(max_examples=4, deadline=None)
@given(values=values_st, half=half_st)
def test_interval_contains_the_nominal_score_of_range_centres(
    values: np.ndarray, half: np.ndarray
) -> None:
    s = scored(ranged_panel(values, half))
    for r in range(3):
        low, high = interval(s, r)
        assert low - 1e-9 <= s.score[r, 0] <= high + 1e-9


@settings(max_examples=4, deadline=None)
@given(values=values_st, half=st.floats(0.01, 3), more=st.floats(0.0, 3))
def test_widening_a_range_never_narrows_the_interval(
    values: np.ndarray, half: float, more: float
) -> None:
    narrow, wide = np.zeros(values.shape), np.zeros(values.shape)
    narrow[0, 0, 0], wide[0, 0, 0] = half, half + more
    a, b = (
        interval(scored(ranged_panel(values, narrow))),
        interval(scored(ranged_panel(values, wide))),
    )
    assert b[0] <= a[0] + 1e-9 and b[1] >= a[1] - 1e-9


@settings(max_examples=4, deadline=None)
@given(values=values_st, half=half_st)
def test_a_zero_width_range_reproduces_the_nominal_score_exactly(
    values: np.ndarray, half: np.ndarray
) -> None:
    half = half.copy()
    half[:, 0, :] = 0.0  # the first country exact, the others ranged
    s = scored(ranged_panel(values, half))
    runs = s.runs[2020].score[:, 0]
    assert np.all(runs == s.score[0, 0])


@settings(max_examples=4, deadline=None)
@given(values=values_st, half=half_st, chunk=st.integers(1, 64), seed=st.integers(0, 99))
def test_the_same_seed_gives_the_same_numbers_whatever_the_chunk(
    values: np.ndarray, half: np.ndarray, chunk: int, seed: int
) -> None:
    panel = ranged_panel(values, half)
    a = scored(panel, IntervalOptions(draws=50, seed=seed, chunk=chunk))
    b = scored(panel, IntervalOptions(draws=50, seed=seed, chunk=256))
    np.testing.assert_array_equal(a.runs[2020].score, b.runs[2020].score)
    np.testing.assert_array_equal(a.runs[2020].rank, b.runs[2020].rank)


BANDS = '[[bands]]\nname = "low"\nfrom = 0\n[[bands]]\nname = "high"\nfrom = 45\n'


@pytest.fixture(scope="module")
def clients() -> Iterator[dict[int, Any]]:
    """Clients of two local clusters, of one and of two workers (in-process workers: the runs
    still go through the scheduler as tasks)."""
    distributed = pytest.importorskip("dask.distributed")
    with ExitStack() as stack:
        out = {}
        for workers in (1, 2):
            cluster = stack.enter_context(
                distributed.LocalCluster(
                    n_workers=workers, threads_per_worker=1, processes=False, dashboard_address=":0"
                )
            )
            out[workers] = stack.enter_context(distributed.Client(cluster, set_as_default=False))
        yield out


def test_a_dask_cluster_gets_two_chunks_per_thread_by_default(clients: dict[int, Any]) -> None:
    from riskcore.distributed import threads

    assert threads(clients[2]) == 2
    values = np.array([[[4.0, 5.0], [6.0, 3.0]], [[5.0, 4.0], [3.0, 6.0]]])
    panel = ranged_panel(values, np.full(values.shape, 1.0))
    seen: list[int] = []
    options = IntervalOptions(draws=40, seed=3, backend="dask", client=clients[2])
    with pytest.MonkeyPatch.context() as mp:
        import riskcore.distributed as dist

        real = dist.map_chunks
        mp.setattr(
            dist,
            "map_chunks",
            lambda m, parts, **kw: seen.append(len(parts)) or real(m, parts, **kw),
        )
        remote = scored(panel, options)
        assert remote.runs
    assert seen == [4]
    local = scored(panel, IntervalOptions(draws=40, seed=3))
    np.testing.assert_array_equal(remote.runs[2020].score, local.runs[2020].score)


def test_summarised_runs_on_dask_give_the_local_numbers_pass_after_pass(
    clients: dict[int, Any],
) -> None:
    values = np.array([[[4.0, 5.0], [6.0, 3.0]], [[5.0, 4.0], [3.0, 6.0]]])
    panel = ranged_panel(values, np.full(values.shape, 1.0))
    local = scored(panel, IntervalOptions(draws=203, seed=3, keep_bytes=0)).to_dict()
    for _ in range(3):  # each scoring runs several passes, each scattering the model
        options = IntervalOptions(
            draws=203, seed=3, keep_bytes=0, backend="dask", client=clients[2]
        )
        assert scored(panel, options).to_dict() == local


def every_number(s: riskcore.Scores) -> list[np.ndarray]:
    """Every year's runs (scores, ranks), intervals and band probabilities."""
    out = []
    for year in s.years:
        runs, found = s.runs[year], s.intervals(year)
        assert found is not None and found["band_probabilities"]
        out += [runs.score, runs.rank, *(found[k] for k in ("score_low", "score_high"))]
        out += [found["rank_low"], found["rank_high"], *found["band_probabilities"].values()]
    return out


@settings(max_examples=3, deadline=None)
@given(chunk=st.integers(5, 120), seed=st.integers(0, 99))
def test_the_same_seed_gives_the_same_numbers_whatever_the_workers(
    clients: dict[int, Any], chunk: int, seed: int
) -> None:
    values = np.array([[[4.0, 5.0], [6.0, 3.0], [5.0, 5.5]], [[5.0, 4.0], [3.0, 6.0], [5.0, 4.5]]])
    panel = ranged_panel(values, np.full(values.shape, 3.0))  # scores on both sides of 45

    def numbers(**options: Any) -> list[np.ndarray]:
        intervals = IntervalOptions(draws=200, seed=seed, **options)
        return every_number(riskcore.score(spec(BANDS), panel, host=HOST, intervals=intervals))

    local = numbers(chunk=256)
    assert local[0].shape == (200, 3)
    spread = [numbers(chunk=chunk, backend="dask", client=c) for c in clients.values()]
    with clients[2].as_current():  # no client given: Dask's default one
        spread.append(numbers(chunk=chunk, backend="dask"))
    for remote in spread:
        assert len(remote) == len(local)
        assert all(np.array_equal(a, b, equal_nan=True) for a, b in zip(local, remote, strict=True))


@settings(max_examples=4, deadline=None)
@given(
    values=st.lists(st.floats(0, 10), min_size=12, max_size=12).map(
        lambda v: np.array(v).reshape(2, 2, 3)
    ),
    spread=st.floats(0.5, 5),
)
def test_imputing_a_missing_input_widens_the_interval(values: np.ndarray, spread: float) -> None:
    values = values.copy()
    values[1, 0, 0] = values[1, 0, 2] + spread  # the country's own years differ
    half = np.zeros(values.shape)
    half[0, 1, :] = 1.0  # some uncertainty elsewhere, so that there are runs at all
    observed = scored(ranged_panel(values, half), impute="panel_spread")
    gap = values.copy()
    gap[1, 0, 1] = NAN
    imputed = scored(ranged_panel(gap, half), impute="panel_spread")
    assert imputed.imputed[1, 0, 1]
    lo_o, hi_o = (float(x) for x in np.array(interval_at(observed, 2021)))
    lo_i, hi_i = (float(x) for x in np.array(interval_at(imputed, 2021)))
    assert hi_i - lo_i > hi_o - lo_o


def interval_at(scores: riskcore.Scores, year: int) -> tuple[float, float]:
    found = scores.intervals(year)
    assert found is not None
    return found["score_low"][0], found["score_high"][0]


# -- by hand ----------------------------------------------------------------------------------
def test_a_country_given_only_ranges_is_scored_at_the_centre(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text(
        "country,year,variable,value,low,high\n"
        "ARM,2020,v0,,0,10\nARM,2020,v1,,2,4\nGEO,2020,v0,5,,\nGEO,2020,v1,3,,\n"
    )
    s = riskcore.score(spec(), path, host=HOST, intervals=FAST)
    # centres 5 and 3 on goalposts -5..15: (0.5 + 0.4) / 2 on 0..100
    assert s.score[0, 0] == pytest.approx(45.0)
    assert s.score[1, 0] == pytest.approx(45.0)
    low, high = interval(s)
    assert low < 45.0 < high
    assert interval(s, 1) == (pytest.approx(45.0), pytest.approx(45.0))  # exact inputs


def test_nothing_uncertain_gives_no_intervals_and_the_old_json() -> None:
    values = np.array([[[1.0], [2.0]], [[3.0], [4.0]]])
    s = scored(ranged_panel(values, np.zeros(values.shape)))
    assert s.intervals() is None
    assert "score_low" not in s.to_dict()["results"][0]
    assert interval_runs(s, FAST) == ({}, 0.9)


def test_unranged_defaults_and_sources_widen_the_interval() -> None:
    values = np.array([[[4.0], [2.0]], [[3.0], [6.0]]])
    panel = ranged_panel(values, np.zeros(values.shape))
    s = scored(panel, extra="[defaults.unranged]\nobserved = 0.5\n")
    low, high = interval(s)
    assert low < s.score[0, 0] < high
    record = s.to_dict()["results"][0]
    assert set(record) >= {"score_low", "score_high", "rank_low", "rank_high", "reliability"}
    assert record["interval_level"] == 0.9


def test_reliability_components_by_hand(tmp_path: Path) -> None:
    # ARM: v0 an estimate with a range, v1 observed; 2021 switches v1's source; GEO 2021 lacks
    # v1, imputed from its own 2020 value (panel_spread) a year earlier
    path = tmp_path / "d.csv"
    path.write_text(
        "country,year,variable,value,low,high,kind,source\n"
        "ARM,2020,v0,5,4,6,estimate,A\nARM,2020,v1,3,,,,Office\n"
        "ARM,2021,v0,5,4,6,estimate,A\nARM,2021,v1,3,,,,Survey\n"
        "GEO,2020,v0,2,,,,A\nGEO,2020,v1,1,,,,Office\n"
        "GEO,2021,v0,2,,,,A\nGEO,2021,v1,,,,,\n"
    )
    s = riskcore.score(spec(impute="panel_spread"), path, host=HOST, intervals=FAST)
    found = s.intervals(2021)
    assert found is not None
    arm, geo = found["reliability"]
    c = arm["components"]
    assert (c["coverage"], c["estimated_share"], c["unranged_share"]) == (1.0, 0.5, 0.0)
    assert (c["age_years"], c["source_changes"]) == (0.0, 1.0)
    width = (found["score_high"][0] - found["score_low"][0]) / 100
    assert c["interval_width"] == pytest.approx(width)
    # estimates 0.1 x 0.5, one source change 0.05 x 1/2, the interval 0.15 x width / 0.5
    expected = 10 * (1 - 0.1 * 0.5 - 0.05 * 0.5 - 0.15 * min(width / 0.5, 1))
    assert arm["grade"] == round(expected, 1)
    g = geo["components"]
    # v1 imputed (not coverage), a year old, without a spread (one observation): unranged
    assert (g["coverage"], g["estimated_share"], g["unranged_share"]) == (0.5, 0.5, 0.5)
    assert (g["age_years"], g["source_changes"]) == (pytest.approx(0.5), 0.0)
    geo_width = (found["score_high"][1] - found["score_low"][1]) / 100
    assert g["interval_width"] == pytest.approx(geo_width)
    # coverage 0.5 x 0.5, estimates and unranged 0.1 x 0.5 each, age 0.1 x 0.5 / 5
    expected = 10 * (1 - 0.25 - 0.05 - 0.05 - 0.01 - 0.15 * min(geo_width / 0.5, 1))
    assert geo["grade"] == round(expected, 1)


def test_grade_formula_ends() -> None:
    perfect = {
        "coverage": 1.0, "estimated_share": 0.0, "unranged_share": 0.0, "age_years": 0.0,
        "source_changes": 0.0, "interval_width": 0.0,
    }  # fmt: skip
    assert grade(perfect) == 10.0
    worst = {**perfect, "coverage": 0.0, "estimated_share": 1.0, "unranged_share": 1.0}
    worst |= {"age_years": 9.0, "source_changes": 5.0, "interval_width": 1.0}
    assert grade(worst) == 0.0


def test_deferred_intervals_run_once_on_first_use() -> None:
    values = np.array([[[4.0], [2.0]], [[3.0], [6.0]]])
    half = np.full(values.shape, 1.0)
    s = riskcore.score(spec(), ranged_panel(values, half), host=HOST, intervals=False)
    assert s.intervals() is None
    later = defer_intervals(s, FAST)
    assert later.pending_runs is not None
    assert later.intervals() is not None and later.pending_runs is None


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"draws": 1}, "draws"),
        ({"level": 1.0}, "level"),
        ({"level": 0}, "level"),
        ({"chunk": 0}, "chunk"),
        ({"seed": 1.5}, "seed"),
        ({"backend": "threads"}, "backend"),
        ({"client": object()}, "client"),
        ({"keep_bytes": -1}, "keep_bytes"),
        ({"keep_bytes": 2.5}, "keep_bytes"),
    ],
)
def test_bad_interval_options_name_the_option(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        IntervalOptions(**options)  # type: ignore[arg-type]


# -- command line -----------------------------------------------------------------------------
def files(tmp_path: Path) -> tuple[Path, Path]:
    index = tmp_path / "i.toml"
    index.write_text(
        '[index]\nname = "T"\nchildren = ["v0", "v1"]\n'
        '[defaults]\nnormalize = { method = "goalpost", lower = -5, upper = 15 }\n'
        '[indicator.v0]\ndirection = "higher_is_riskier"\n'
        '[indicator.v1]\ndirection = "higher_is_riskier"\n'
        '[[bands]]\nname = "low"\nfrom = 0\n[[bands]]\nname = "high"\nfrom = 45\n'
    )
    data = tmp_path / "d.csv"
    data.write_text(
        "country,year,variable,value,low,high\n"
        "ARM,2020,v0,,0,10\nARM,2020,v1,,2,4\nGEO,2020,v0,5,,\nGEO,2020,v1,3.2,,\n"
        "ARM,2021,v0,6,,\nARM,2021,v1,3,,\nGEO,2021,v0,5,,\nGEO,2021,v1,3,,\n"
    )
    return index, data


def test_score_json_has_intervals_and_no_intervals_removes_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    index, data = files(tmp_path)
    args = ["score", str(index), "--data", str(data), "--year", "2020", "--format", "json"]
    assert riskcore.cli.main([*args, "--draws", "100", "--level", "0.8", "--seed", "4"]) == 0
    record = json.loads(capsys.readouterr().out)["results"][0]
    assert record["interval_level"] == 0.8
    assert set(record["band_probabilities"]) == {"low", "high"}
    assert sum(record["band_probabilities"].values()) == pytest.approx(1.0)
    assert 0 <= record["reliability"]["grade"] <= 10
    assert riskcore.cli.main([*args, "--no-intervals"]) == 0
    assert "score_low" not in json.loads(capsys.readouterr().out)["results"][0]


def test_score_table_and_trend_show_intervals(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    index, data = files(tmp_path)
    assert riskcore.cli.main(["score", str(index), "--data", str(data), "--year", "2020"]) == 0
    out = capsys.readouterr().out
    assert "90% interval" in out and "Rel." in out and "Monte Carlo runs" in out
    assert riskcore.cli.main(["trend", str(index), "--data", str(data), "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)["results"]
    assert all(0.0 <= row["p_rise"] <= 1.0 for row in rows)


@pytest.mark.parametrize(
    "option", [["--draws", "1"], ["--draws", "x"], ["--level", "1"], ["--level", "-0.1"]]
)
def test_bad_interval_options_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: list[str]
) -> None:
    index, data = files(tmp_path)
    assert riskcore.cli.main(["score", str(index), "--data", str(data), *option]) == 2
    assert option[0] in capsys.readouterr().err


def test_one_year_intervals_equal_that_year_of_every_year() -> None:
    values = np.array([[[4.0, 5.0], [2.0, 3.0]], [[3.0, 1.0], [6.0, 2.0]]])
    panel = ranged_panel(values, np.full(values.shape, 1.0))
    every = scored(panel)
    one = scored(panel, IntervalOptions(draws=60, seed=3, one_year=True, year=2020))
    assert set(one.runs) == {2020}
    np.testing.assert_array_equal(one.runs[2020].score, every.runs[2020].score)


@settings(max_examples=200, deadline=None)
@given(st.integers(2, 200_000), st.integers(1, 10**7), st.integers(1, 64), st.integers(1, 200))
def test_default_chunks_are_equal_and_hold_about_chunk_values(
    draws: int, per_run: int, tasks: int, nodes: int
) -> None:
    from riskcore.chunks import CHUNK_VALUES, NODE_VALUES, default_chunk

    chunk = default_chunk(draws, per_run, tasks, nodes)
    assert 1 <= chunk <= draws
    n_chunks = -(-draws // chunk)
    budget = max(CHUNK_VALUES, nodes * NODE_VALUES)
    assert (chunk - 1) * per_run <= budget  # at most one run over the budget
    assert n_chunks >= min(tasks, draws)  # every thread of a cluster has work
    if tasks == 1:
        assert n_chunks * chunk - draws < n_chunks  # the chunks differ by at most one run
        assert chunk * per_run >= min(budget, draws * per_run) // 2  # not needlessly small


def test_the_default_chunk_gives_the_numbers_of_any_other() -> None:
    values = np.arange(1.0, 13.0).reshape(2, 3, 2)
    panel = ranged_panel(values, np.full(values.shape, 0.5))
    a = scored(panel, IntervalOptions(draws=40, seed=3))
    b = scored(panel, IntervalOptions(draws=40, seed=3, chunk=7))
    for y in a.runs:
        assert np.array_equal(a.runs[y].score, b.runs[y].score, equal_nan=True)
        assert np.array_equal(a.runs[y].rank, b.runs[y].rank, equal_nan=True)


def test_runs_treated_one_at_a_time_are_said_to_be() -> None:
    from riskcore.text import render_table

    values = np.array([[[4.0, 5.0], [2.0, 3.0], [3.0, 3.5]], [[3.0, 1.0], [6.0, NAN], [5, 4]]])
    panel = ranged_panel(values, np.zeros(values.shape))
    noise = "[uncertainty]\n[uncertainty.data]\nrelative = 0.1\n"  # drawn on the data
    slow = scored(panel, impute="median", extra=noise)
    assert slow.runs[2021].one_by_one == "indicator 'v1' is imputed from other countries"
    assert "treated one run at a time (indicator 'v1' is imputed from other countries)" in (
        render_table(slow, 2021)
    )
    fast = scored(panel, impute="locf", extra=noise)  # country by country: runs together
    assert fast.runs[2021].one_by_one is None
    assert "one run at a time" not in render_table(fast, 2021)
