"""Runs chunk by chunk: summed as they arrive, the same numbers as the whole set of outputs."""

from __future__ import annotations

import os
import weakref
from pathlib import Path

import numpy as np
import pytest

import riskcore
from riskcore.assumptions import load_assumptions
from riskcore.chunks import collect, each_chunk
from riskcore.sensitivity import saltelli_design, sobol_estimates
from riskcore.uncertainty import IndexModel, uncertainty_and_sensitivity

pytest.importorskip("scipy")

ASEM = Path(__file__).resolve().parents[1] / "examples" / "asem"


@pytest.fixture(scope="module")
def asem() -> riskcore.Scores:
    return riskcore.score(
        ASEM / "index.toml", ASEM / "asem.csv", host=riskcore.PluginHost(autoload=False)
    )


def test_streamed_indices_equal_those_of_every_output(asem: riskcore.Scores) -> None:
    a = load_assumptions(ASEM / "uncertainty.toml")
    u, s = uncertainty_and_sensitivity(asem, a, samples=64, chunk=50, country_bootstrap=30)
    model = IndexModel(asem.plan, asem.panel, a)
    x = saltelli_design(model.dims, 64, a.seed)
    scores, ranks = model(x)
    whole = sobol_estimates(scores, len(model.factors), bootstrap=30, seed=a.seed)
    for name in ("first", "total", "first_ci", "total_ci"):
        got, want = getattr(s.per_country, name), getattr(whole, name)
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-12, err_msg=name)
    assert s.runs == len(x) == 64 * 6
    kept = u.scores.runs[u.year]
    np.testing.assert_array_equal(kept.score, scores[:64])
    assert kept.rank.dtype == np.float32  # whole numbers and NaN: exact in 4 bytes
    np.testing.assert_array_equal(kept.rank, ranks[:64])


def test_chunks_hold_the_same_base_rows_of_every_block() -> None:
    x = np.arange(30, dtype=np.float64)[:, np.newaxis]  # 3 blocks of 10 rows

    def model(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return np.repeat(rows, 2, axis=1), rows

    seen = []
    done = []
    for start, scores, ranks in each_chunk(
        model, x, 3, chunk=9, progress=lambda d, t: done.append((d, t))
    ):
        assert scores.shape == (3, len(ranks[0]), 2)
        np.testing.assert_array_equal(scores[:, :, 0], ranks[:, :, 0])
        np.testing.assert_array_equal(ranks[1, :, 0], ranks[0, :, 0] + 10)  # B beside A
        seen.extend(ranks[0, :, 0].tolist())
        assert start == ranks[0, 0, 0]
    assert seen == list(range(10)) and done[-1] == (30, 30)
    kept = collect(each_chunk(model, x[:10], 1, chunk=4), 10, 1, 2, keep=True)
    assert kept.scores is not None
    np.testing.assert_array_equal(kept.scores[:, 1], np.arange(10))
    with pytest.raises(ValueError, match="backend"):
        next(each_chunk(model, x, 3, chunk=4, backend="threads"))


def test_a_kept_chunk_is_released_before_the_next_is_evaluated() -> None:
    x = np.arange(10, dtype=np.float64)[:, np.newaxis]
    returned: list[weakref.ref[np.ndarray]] = []

    def model(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        assert all(ref() is None for ref in returned), "an earlier chunk is still held"
        scores, ranks = np.repeat(rows, 2, axis=1), np.repeat(rows, 2, axis=1)
        returned.extend((weakref.ref(scores), weakref.ref(ranks)))
        return scores, ranks

    kept = collect(each_chunk(model, x, 1, chunk=3), 10, 1, 2, keep=True)
    assert len(returned) == 8  # four chunks
    assert kept.scores is not None and kept.ranks is not None
    np.testing.assert_array_equal(kept.scores[:, 0], np.arange(10))
    np.testing.assert_array_equal(kept.ranks[:, 1], np.arange(10))


def test_riskcore_clusters_start_their_workers_without_the_trim_threshold() -> None:
    distributed = pytest.importorskip("dask.distributed")
    from riskcore.distributed import local_client

    assert distributed
    client = local_client(1)
    try:
        env = client.run(lambda: os.environ.get("MALLOC_TRIM_THRESHOLD_"))
        assert list(env.values()) == [os.environ.get("MALLOC_TRIM_THRESHOLD_")]
    finally:
        client.close()
        client.cluster.close()
