"""The Sobol' estimator against analytic indices (data: tests/data/sobol, see its README)."""

from __future__ import annotations

import csv
import itertools
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskcore.sensitivity import (
    SobolSums,
    bootstrap_counts,
    saltelli_design,
    sobol_estimates,
    sobol_indices,
)

pytest.importorskip("scipy")

DATA = Path(__file__).resolve().parent / "data" / "sobol"
N = 2**13


def rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open() as f:
        return list(csv.DictReader(line for line in f if not line.startswith("#")))


def ishigami(x: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    z = -np.pi + 2 * np.pi * x
    return np.sin(z[:, 0]) + a * np.sin(z[:, 1]) ** 2 + b * z[:, 2] ** 4 * np.sin(z[:, 0])


def test_ishigami_within_002_of_the_analytic_indices() -> None:
    ref = {(r["quantity"], r["variable"]): float(r["value_analytic"]) for r in rows(
        "ishigami_sobol_analytic.csv")}  # fmt: skip
    res = sobol_indices(ishigami, 3, N, seed=1, bootstrap=200)
    for i, var in enumerate(("x1", "x2", "x3")):
        assert res.first[i] == pytest.approx(ref[("S1", var)], abs=0.02), var
        assert res.total[i] == pytest.approx(ref[("ST", var)], abs=0.02), var
        assert res.first_ci[0, i] <= res.first_ci[1, i]


@pytest.mark.parametrize("case", ["salib_default", "salib_test_sobol_G_using_sobol"])
def test_sobol_g_within_002_of_the_analytic_indices(case: str) -> None:
    table = [r for r in rows("sobol_g_analytic.csv") if r["case"] == case]
    a = np.array([float(r["a_i"]) for r in table])

    def g(x: np.ndarray) -> np.ndarray:
        return np.prod((np.abs(4 * x - 2) + a) / (1 + a), axis=1)

    res = sobol_indices(g, len(a), N, seed=2, bootstrap=0)
    np.testing.assert_allclose(res.first, [float(r["S1_analytic"]) for r in table], atol=0.02)
    np.testing.assert_allclose(res.total, [float(r["ST_analytic"]) for r in table], atol=0.02)


def test_design_is_deterministic_and_groups_swap_together() -> None:
    x = saltelli_design([2, 1], 64, seed=5)
    assert x.shape == (64 * 4, 3)
    np.testing.assert_array_equal(x, saltelli_design([2, 1], 64, seed=5))
    a, b, ab1, ab2 = np.split(x, 4)
    np.testing.assert_array_equal(ab1[:, :2], b[:, :2])
    np.testing.assert_array_equal(ab1[:, 2], a[:, 2])
    np.testing.assert_array_equal(ab2[:, 2], b[:, 2])
    assert not np.array_equal(saltelli_design([2, 1], 64, seed=6), x)


def test_group_indices_of_an_additive_model() -> None:
    # y = x1 + x2 + x3 with x1, x2 one group: S(group) = 2/3, S(x3) = 1/3
    res = sobol_indices(lambda x: x.sum(axis=1), [2, 1], 4096, bootstrap=0)
    np.testing.assert_allclose(res.first, [2 / 3, 1 / 3], atol=0.01)
    np.testing.assert_allclose(res.total, [2 / 3, 1 / 3], atol=0.01)


def test_several_outputs_at_once_and_bad_shapes() -> None:
    res = sobol_indices(lambda x: np.column_stack([x[:, 0], x[:, 1]]), 2, 1024, bootstrap=50)
    np.testing.assert_allclose(res.first, [[1, 0], [0, 1]], atol=0.02)
    assert res.first_ci.shape == (2, 2, 2)
    with pytest.raises(ValueError, match="do not fit"):
        sobol_estimates(np.zeros(10), 2)


def _loop_bootstrap(y: np.ndarray, k: int, resamples: int, seed: int) -> np.ndarray:
    """The bootstrap written out: one fancy-indexed resample at a time (the reference)."""
    n = y.shape[0] // (k + 2)
    blocks = y.reshape(k + 2, n, *y.shape[1:])
    rng = np.random.default_rng(seed)
    draws = []
    for _ in range(resamples):
        idx = rng.integers(0, n, n)
        a, b, ab = blocks[0][idx], blocks[1][idx], blocks[2:][:, idx]
        var = np.var(np.concatenate([a, b]), axis=0)
        draws.append(np.mean(b * (ab - a), axis=1) / var)
    return np.quantile(np.stack(draws), [0.025, 0.975], axis=0)


def test_count_matrix_bootstrap_equals_resampling_rows() -> None:
    rng = np.random.default_rng(0)
    y = 40 + 5 * rng.standard_normal((300 * 5, 4))
    res = sobol_estimates(y, 3, bootstrap=60, seed=11)
    np.testing.assert_allclose(res.first_ci, _loop_bootstrap(y, 3, 60, 11), rtol=0, atol=1e-12)


def test_bootstrap_counts_are_the_draws_of_each_resample() -> None:
    counts = bootstrap_counts(50, 4, seed=3)
    rng = np.random.default_rng(3)
    for row in counts:
        np.testing.assert_array_equal(row, np.bincount(rng.integers(0, 50, 50), minlength=50))
    assert counts.dtype == np.uint8 and counts.sum() == 200


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(1, 900), min_size=1, max_size=6))
def test_sums_do_not_depend_on_how_the_rows_arrive(cuts: list[int]) -> None:
    n, k = 2500, 2
    y = np.random.default_rng(1).standard_normal((k + 2, n, 3))
    whole = SobolSums(n, k, bootstrap_counts(n, 5, seed=2))
    whole.add(y)
    parts = SobolSums(n, k, bootstrap_counts(n, 5, seed=2))
    edges = sorted({0, n, *np.cumsum(cuts).clip(max=n).tolist()})
    for lo, hi in itertools.pairwise(edges):
        parts.add(y[:, lo:hi])
    one, two = whole.result(), parts.result()
    for name in ("first", "total", "first_ci", "total_ci", "variance"):
        np.testing.assert_array_equal(getattr(one, name), getattr(two, name))


def test_sums_refuse_the_wrong_rows() -> None:
    sums = SobolSums(10, 2)
    with pytest.raises(ValueError, match="expected 4 blocks"):
        sums.add(np.zeros((3, 10)))
    sums.add(np.zeros((4, 6)))
    with pytest.raises(ValueError, match="6 of the 10 rows"):
        sums.result()
    with pytest.raises(ValueError, match="more than the 10 rows"):
        sums.add(np.zeros((4, 5)))
