"""The command line as a filter: ``python -m riskcore``, ``--data -`` and ``--output -``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from riskcore.examples import example_path

INDEX = example_path("post_soviet") / "index.toml"
DATA = example_path("post_soviet") / "inputs.csv"


def _riskcore(
    *args: str, stdin: bytes = b"", cwd: Path | None = None
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "riskcore", *args], input=stdin, capture_output=True,
        cwd=cwd, check=False,
    )  # fmt: skip


def test_python_dash_m_riskcore_is_the_command_line() -> None:
    run = _riskcore("--version")
    assert run.returncode == 0 and run.stdout.decode().startswith("riskcore ")
    assert _riskcore("no-such-command").returncode == 2


def test_data_from_standard_input_and_output_to_standard_output(tmp_path: Path) -> None:
    from_file = _riskcore("score", str(INDEX), "--data", str(DATA), "--format", "json")
    piped = _riskcore(
        "score", str(INDEX), "--data", "-", "--format", "json", "--output", "-",
        stdin=DATA.read_bytes(), cwd=tmp_path,
    )  # fmt: skip
    assert piped.returncode == 0, piped.stderr
    assert json.loads(piped.stdout)["results"] == json.loads(from_file.stdout)["results"]
    assert not (tmp_path / "-").exists()  # "-" is no file name


def test_bad_data_on_standard_input_names_stdin_and_the_line() -> None:
    run = _riskcore("score", str(INDEX), "--data", "-", stdin=b"country,year,v\nARM,20x,1\n")
    assert run.returncode == 2
    assert "<stdin>, line 2: year '20x' is not an integer" in run.stderr.decode()
    assert b"Traceback" not in run.stderr
