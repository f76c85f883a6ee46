"""Data noise drawn by position, and the year-by-year fast path of data uncertainty."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import riskcore
from riskcore.assumptions import DataNoise, parse_assumptions
from riskcore.noise import perturb, pooling_step
from riskcore.plan import compile_plan
from riskcore.uncertainty import IndexModel, uncertainty_analysis
from tests.helpers import flat_index, panel, score

NOISE = DataNoise(relative=0.1, standard_errors={"v0": "v2"}, ranges={"v1": ("v2", "v3")})


def values(seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).random((4, 6, 5)) + 1.0


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(0, 2**53), min_size=1, max_size=8, unique=True), st.integers(0, 4))
def test_a_years_draws_do_not_depend_on_the_years_or_runs_drawn_with_it(
    seeds: list[int], year: int
) -> None:
    v = values()
    runs = np.array(seeds, dtype=np.int64)
    every = perturb(v, ("v0", "v1", "v2", "v3"), NOISE, seed=3, runs=runs,
                    years=np.arange(5), n_years=5)  # fmt: skip
    one = perturb(v[:, :, year : year + 1], ("v0", "v1", "v2", "v3"), NOISE, seed=3,
                  runs=runs[::-1].copy(), years=np.array([year]), n_years=5)  # fmt: skip
    np.testing.assert_array_equal(every[::-1, :, :, year : year + 1], one)


def test_draws_have_the_declared_distributions() -> None:
    v = np.zeros((2, 1, 1))
    v[1] = 2.0  # the standard error of v0
    runs = np.arange(40_000, dtype=np.int64)
    noise = DataNoise(standard_errors={"v0": "v1"})
    z = perturb(v, ("v0", "v1"), noise, seed=1, runs=runs, years=np.array([0]), n_years=1)
    draws = z[:, 0, 0, 0] / 2.0
    assert abs(draws.mean()) < 0.02 and abs(draws.std() - 1.0) < 0.02
    assert abs(np.mean(np.abs(draws) < 1.959964) - 0.95) < 0.005
    assert np.all(z[:, 1] == 2.0)  # the error itself is not drawn
    other = perturb(v, ("v0", "v1"), noise, seed=2, runs=runs, years=np.array([0]), n_years=1)
    assert abs(np.corrcoef(draws, other[:, 0, 0, 0])[0, 1]) < 0.02  # another seed, other draws
    missing = v.copy()
    missing[0] = np.nan
    kept = perturb(missing, ("v0", "v1"), noise, seed=1, runs=runs[:5], years=np.array([0]),
                   n_years=1)  # fmt: skip
    assert np.isnan(kept[:, 0]).all()  # a missing value stays missing


def _plan(normalize: str, **kwargs: str) -> riskcore.Plan:
    data = panel(values())
    spec = flat_index(2, normalize=normalize, **kwargs)
    return compile_plan(spec, host=riskcore.PluginHost(autoload=False), variables=data)


@pytest.mark.parametrize(
    ("normalize", "pooled"),
    [
        ('{ method = "goalpost", lower = 0, upper = 3 }', None),
        ('{ method = "minmax", per_year = true }', None),
        ('{ method = "minmax", per_year = false }', "normalised over every year"),
        ('{ method = "zscore", per_year = false }', "normalised over every year"),
    ],
)
def test_pooling_steps_are_read_from_the_plan(normalize: str, pooled: str | None) -> None:
    why = pooling_step(_plan(normalize))
    assert why == pooled if pooled is None else pooled in str(why)


def test_imputation_and_indicator_plugins_pool_years() -> None:
    spec = riskcore.load_index("examples/post_soviet/index.toml")
    plan = compile_plan(spec, variables=riskcore.read_data("examples/post_soviet/inputs.csv"))
    assert "computed by a plugin" in str(pooling_step(plan))


def test_the_year_by_year_path_gives_the_numbers_of_the_whole_panel_path() -> None:
    data = panel(values(4))
    spec = flat_index(2, normalize='{ method = "minmax", per_year = true }')
    s = score(spec, data)
    a = parse_assumptions(
        "[uncertainty]\nsamples = 16\nseed = 5\n[uncertainty.data]\nrelative = 0.2\n"
        'standard_errors = { v0 = "v2" }\nranges = { v1 = ["v2", "v3"] }\n'
        '[uncertainty.normalize]\nalternatives = [{ method = "minmax", per_year = true }, '
        '{ method = "goalpost", lower = 0, upper = 4 }]\n'
    )
    fast = IndexModel(s.plan, s.panel, a, year=2002)
    slow = IndexModel(s.plan, s.panel, a, year=2002)
    assert fast.pooled is None
    slow.pooled = "forced"  # every year drawn, one run at a time
    x = np.random.default_rng(0).random((9, len(fast.dims)))
    for one, other in zip(fast(x), slow(x), strict=True):
        np.testing.assert_allclose(one, other, rtol=0, atol=1e-12)
    again = uncertainty_analysis(s, a, year=2002, chunk=4)
    np.testing.assert_array_equal(uncertainty_analysis(s, a, year=2002).rank["p95"],
                                  again.rank["p95"])  # fmt: skip


def test_groups_of_noisy_runs_do_not_change_a_run(monkeypatch: pytest.MonkeyPatch) -> None:
    import riskcore.uncertainty as uncertainty

    data = panel(values(2))
    s = score(flat_index(2, normalize='{ method = "minmax", per_year = true }'), data)
    a = parse_assumptions(
        '[uncertainty]\nsamples = 16\n[uncertainty.data]\nstandard_errors = { v0 = "v2" }\n'
    )
    whole = uncertainty_analysis(s, a)
    monkeypatch.setattr(uncertainty, "NOISY_VALUES", 13)  # a few runs at a time
    grouped = uncertainty_analysis(s, a)
    np.testing.assert_array_equal(whole.scores.runs[whole.year].score,
                                  grouped.scores.runs[grouped.year].score)  # fmt: skip


def test_run_generators_are_default_rng_of_the_seed_and_run_seed() -> None:
    from riskcore.estimate_noise import run_generators

    seeds = np.array([0, 1, 7, 2**40, 12345])
    for g, s in zip(run_generators(3, seeds), seeds, strict=True):
        expected = np.random.default_rng([3, int(s)])
        np.testing.assert_array_equal(g.random(4), expected.random(4))
        np.testing.assert_array_equal(g.standard_normal(3), expected.standard_normal(3))


def test_normal_draws_are_box_muller_pairs_in_double_precision() -> None:
    from riskcore import noise

    states = noise._stream(5, np.arange(300, dtype=np.int64), 2)
    z = noise._numbers(states, 0, 700)
    angle = (z & np.uint64(0xFFFFFF)).astype(np.float64) * (2 * np.pi * 2.0**-24)
    radius = np.sqrt(-2 * np.log(((z >> np.uint64(32)).astype(np.float64) + 1) * 2.0**-32))
    got = noise._normal(states, 0, 1400)
    np.testing.assert_allclose(got[:, 0::2], radius * np.cos(angle), rtol=0, atol=1e-14)
    np.testing.assert_allclose(got[:, 1::2], radius * np.sin(angle), rtol=0, atol=1e-14)
    np.testing.assert_array_equal(noise._normal(states, 3, 9), got[:, 3:12])  # any position


def test_normal_draws_hardly_depend_on_the_processors_vector_instructions(tmp_path: Path) -> None:
    """Only the radius's logarithm is numpy's vectorised code: without AVX2 and AVX-512 at most
    a few draws in a thousand change, in their last bit."""
    script = (
        "import sys, numpy as np\nfrom riskcore import noise\n"
        "s = noise._stream(11, np.arange(2000, dtype=np.int64), 2)\n"
        "np.save(sys.argv[1], noise._normal(s, 0, 1000))\n"
    )
    runs = {}
    for name, env in (("native", {}), ("baseline", {"NPY_DISABLE_CPU_FEATURES": "X86_V3,X86_V4"})):
        out = tmp_path / f"{name}.npy"
        done = subprocess.run([sys.executable, "-c", script, str(out)],
                              env={**os.environ, **env}, capture_output=True)  # fmt: skip
        if done.returncode and env:  # a processor without them: nothing to compare
            pytest.skip(f"numpy refuses {env}: {done.stderr.decode()[-200:]}")
        assert done.returncode == 0, done.stderr.decode()
        runs[name] = np.load(out)
    a, b = runs["native"], runs["baseline"]
    assert np.mean(a != b) < 0.005
    np.testing.assert_allclose(a, b, rtol=0, atol=4 * np.finfo(float).eps * 7)
