"""The corpus of malformed and hostile inputs (tests/corpus_cases.py), through the command line.

For every case: the exit code is 2 (or 1, the plugin-fault code), the message names the file
and the line or key (or the option), there is no traceback, and an existing output file is
left exactly as it was.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from riskcore.cli import main
from tests.corpus_cases import CASES, SCORE, Case

CORPUS = Path(__file__).resolve().parent / "corpus"
OLD_OUTPUT = "the output of an earlier run\n"


def test_the_corpus_is_large_and_every_case_is_named_once() -> None:
    ids = [c.id for c in CASES]
    assert len(ids) >= 150
    assert len(set(ids)) == len(ids), [i for i in ids if ids.count(i) > 1]


def prepare(case: Case, folder: Path) -> None:
    """The corpus files in ``folder``, with the case's edits, and an existing output file."""
    for source in CORPUS.glob("*.*"):
        if source.suffix in (".csv", ".toml"):
            shutil.copy(source, folder / source.name)
    for name, edit in case.files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        content = edit(target.read_text() if target.exists() else "") if callable(edit) else edit
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content)
    (folder / "out.txt").write_text(OLD_OUTPUT)


def files_of(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def install(plugins: tuple[str, ...], site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Put the corpus plugin modules on the path as entry points of their own distributions,
    as ``pip install`` would (a ``.dist-info`` folder with ``entry_points.txt``)."""
    for name in plugins:
        shutil.copy(CORPUS / "plugins" / f"{name}.py", site / f"{name}.py")
        dist = site / f"riskcore_{name}-0.1.dist-info"
        dist.mkdir()
        distribution = f"riskcore-{name.replace('_', '-')}"
        (dist / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {distribution}\nVersion: 0.1\n"
        )
        (dist / "entry_points.txt").write_text(f"[riskcore]\n{name} = {name}\n")
    monkeypatch.syspath_prepend(str(site))


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_a_malformed_input_is_a_clean_error(
    case: Case,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    run, site = tmp_path / "run", tmp_path / "site"
    run.mkdir()
    site.mkdir()
    install(case.plugins, site, monkeypatch)
    prepare(case, run)
    before = files_of(run)
    monkeypatch.chdir(run)
    argv = [*case.argv, *(["--output", "out.txt"] if case.output else [])]
    code = main(argv)
    err = capsys.readouterr().err
    assert code == case.code, err
    assert "Traceback" not in err and "unexpected fault" not in err, err
    # plain words: no pydantic phrasing, no Python argument names
    for word in ("Input should", "instance of", "after validation", "extra_countries", "skip_"):
        assert word not in err, err
    for name in case.names:
        assert name in err, f"{name!r} not in: {err}"
    # nothing written, nothing overwritten, no temporary file left behind
    assert files_of(run) == before


# -- a few cases in a real process: the exit code and stderr as a shell sees them ----------------
SUBPROCESS = [c for c in CASES if c.id in ("cli-samples-below-file-minimum", "output-is-data")]


def riskcore_process(argv: list[str], cwd: Path, limit: int | None = None) -> Any:
    """``python -m riskcore.cli ARGV`` in ``cwd``, with a file size limit when given."""

    def set_limit() -> None:
        if limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.run(
        [sys.executable, "-m", "riskcore.cli", *argv],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=set_limit,
        env={**os.environ, "RISKCORE_DISABLE_PLUGIN_AUTOLOAD": "1"},
    )


@pytest.mark.parametrize("case", SUBPROCESS, ids=[c.id for c in SUBPROCESS])
def test_a_malformed_input_in_a_real_process(case: Case, tmp_path: Path) -> None:
    prepare(case, tmp_path)
    before = files_of(tmp_path)
    run = riskcore_process(
        [*case.argv, *(["--output", "out.txt"] if case.output else [])], tmp_path
    )
    assert run.returncode == case.code, run.stderr
    assert "Traceback" not in run.stderr
    assert all(name in run.stderr for name in case.names), run.stderr
    assert files_of(tmp_path) == before


def test_a_file_size_limit_keeps_the_old_output(tmp_path: Path) -> None:
    prepare(Case("size-limit", SCORE, ()), tmp_path)
    before = files_of(tmp_path)
    # the table is far longer than 64 bytes: the write fails half-way (EFBIG)
    run = riskcore_process([*SCORE, "--output", "out.txt"], tmp_path, limit=64)
    assert run.returncode == 2, run.stderr
    assert "out.txt" in run.stderr and "cannot write" in run.stderr
    assert "Traceback" not in run.stderr
    assert files_of(tmp_path) == before  # the old output, and no temporary file left
