"""One seed decides every draw: the same --seed gives byte-identical output for every analysis,
data noise included, whatever the file's seed, the chunk size and the number of workers."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from riskcore.cli import main

CORPUS = Path(__file__).resolve().parent / "corpus"


def analysis(folder: Path, command: str, file_seed: int, *options: str) -> bytes:
    """Run ``command`` on the corpus index (data noise and weight noise) with the file's seed
    set to ``file_seed``; the bytes of its output file."""
    for name in ("index.toml", "data.csv"):
        shutil.copy(CORPUS / name, folder / name)
    index = folder / "index.toml"
    index.write_text(index.read_text().replace("seed = 1", f"seed = {file_seed}"))
    out = folder / "out"
    fmt = [] if command == "report" else ["--format", "json"]
    argv = [command, str(index), "--data", str(folder / "data.csv"), *fmt, "-o", str(out)]
    assert main([*argv, *options]) == 0
    return out.read_bytes()


@pytest.mark.parametrize("command", ["uncertainty", "sensitivity"])
def test_the_same_seed_gives_the_same_bytes_whatever_the_file_seed_and_chunk(
    command: str, tmp_path: Path
) -> None:
    runs = {
        analysis(tmp_path, command, file_seed, "--seed", "7", "--samples", "8", "--chunk", chunk)
        for file_seed, chunk in ((1, "2048"), (99, "3"), (2**40, "5"))
    }
    assert len(runs) == 1
    other = analysis(tmp_path, command, 1, "--seed", "8", "--samples", "8")
    assert other not in runs  # the seed does decide the draws
    # without --seed, the file's seed decides
    assert analysis(tmp_path, command, 7, "--samples", "8") in runs


def test_the_same_seed_gives_the_same_report(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    assumptions = [
        "--assumptions",
        str(tmp_path / "index.toml"),
        "--samples",
        "8",
        "--no-intervals",
    ]
    first = analysis(tmp_path, "report", 1, *assumptions, "--seed", "3")
    assert analysis(tmp_path, "report", 42, *assumptions, "--seed", "3") == first


def test_the_same_seed_gives_the_same_bytes_on_two_workers(tmp_path: Path) -> None:
    distributed = pytest.importorskip("dask.distributed")
    local = analysis(tmp_path, "uncertainty", 1, "--seed", "7", "--samples", "8")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        spread = analysis(
            tmp_path,
            "uncertainty",
            5,
            "--seed",
            "7",
            "--samples",
            "8",
            "--chunk",
            "4",
            "--scheduler",
            cluster.scheduler_address,
        )
        distributed.default_client().close()  # the command leaves a scheduler's client open
    assert spread == local


def test_the_same_seed_gives_the_same_score_intervals_whatever_the_file_seed(
    tmp_path: Path,
) -> None:
    runs = {analysis(tmp_path, "score", seed, "--seed", "7", "--draws", "50") for seed in (1, 99)}
    assert len(runs) == 1
    assert b'"score_low"' in next(iter(runs))  # the intervals are there, drawn
    assert analysis(tmp_path, "score", 1, "--seed", "8", "--draws", "50") not in runs
