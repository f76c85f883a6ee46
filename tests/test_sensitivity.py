"""The Sobol' estimator against analytic indices (data: tests/data/sobol, see its README)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from riskcore.sensitivity import saltelli_design, sobol_estimates, sobol_indices

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
