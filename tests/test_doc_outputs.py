"""The command-line output the docs show is what the commands print today.

Every ```console block of docs/*.md is read as ``$ riskcore ...`` commands followed by their
output. Commands whose file arguments exist in the repository are run from its root (through
``riskcore.cli.main``, standard output and standard error together), and every line the block
shows must appear in the real output, in order; a ``...`` line marks output left out.
"""

from __future__ import annotations

import contextlib
import io
import os
import shlex
from pathlib import Path

import pytest

from riskcore.cli import main

ROOT = Path(__file__).resolve().parents[1]


def blocks() -> list[tuple[str, int, str, list[str]]]:
    found = []
    for doc in sorted((ROOT / "docs").glob("*.md")):
        lines = doc.read_text(encoding="utf-8").splitlines()
        i = 0
        while i < len(lines):
            if lines[i].strip() == "```console":
                j = i + 1
                while j < len(lines) and lines[j].strip() != "```":
                    j += 1
                body = lines[i + 1 : j]
                k = 0
                while k < len(body):
                    if body[k].startswith("$ riskcore "):
                        out = []
                        m = k + 1
                        while m < len(body) and not body[m].startswith("$ "):
                            out.append(body[m])
                            m += 1
                        found.append((doc.name, i + 2 + k, body[k][2:], out))
                        k = m
                    else:
                        k += 1
                i = j
            i += 1
    return found


def runnable(command: str) -> bool:
    words = shlex.split(command)
    if any("|" in w or ">" in w for w in words) or {"plugins", "new-plugin"} & set(words[:2]):
        return False  # pipelines, listings that depend on what is installed, writing packages
    files = [w for w in words[1:] if "/" in w or w.endswith((".toml", ".csv"))]
    return all((ROOT / f).exists() for f in files)


CASES = [b for b in blocks() if runnable(b[2])]


def test_the_docs_show_commands() -> None:
    assert len(CASES) >= 5


@pytest.mark.parametrize(
    ("doc", "line", "command", "shown"), CASES, ids=[f"{d}:{n}" for d, n, _, _ in CASES]
)
def test_shown_output_is_real(
    doc: str, line: int, command: str, shown: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    for name in list(os.environ):
        if name.startswith("RISKCORE_"):
            monkeypatch.delenv(name)
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(buf):
        main(shlex.split(command)[1:])
    real = [ln.rstrip() for ln in buf.getvalue().splitlines()]
    position = 0
    for expected in (ln.rstrip() for ln in shown):
        if expected.strip() in ("...", "") or expected.startswith(("$ echo", "#")):
            continue
        try:
            position = real.index(expected, position) + 1
        except ValueError:
            pytest.fail(f"{doc}:{line}: `{command}` no longer prints:\n{expected}")
