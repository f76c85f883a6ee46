"""The Python examples the docs show print what the docs say they print.

In each page below, the ```python blocks run in order in one namespace, from a folder that holds
the repository's ``examples`` and the ``toy.toml`` / ``toy.csv`` of docs/index-file.md. A python
block followed directly by a ```text block is an example with its output: what it prints (or,
like an interactive session, the value of its last expression) must be that text, line by line
up to trailing spaces. Other python blocks are context or sketches and may fail.
"""

from __future__ import annotations

import ast
import contextlib
import io
import os
import re
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ("getting-started.md", "explain.md", "architecture.md")


def fenced(path: Path) -> list[tuple[str, str, int, bool]]:
    """(language, body, line of the opening fence, whether only blank lines separate it from
    the block before) of every fenced block of a page."""
    lines = path.read_text(encoding="utf-8").splitlines()
    out: list[tuple[str, str, int, bool]] = []
    i, end = 0, -1
    while i < len(lines):
        m = re.match(r"^```(\w*)\s*$", lines[i])
        if m:
            adjacent = end >= 0 and all(not line.strip() for line in lines[end + 1 : i])
            j = i + 1
            while j < len(lines) and not lines[j].startswith("```"):
                j += 1
            out.append((m.group(1), "\n".join(lines[i + 1 : j]), i + 1, adjacent))
            i = end = j
        i += 1
    return out


def block_after(path: Path, phrase: str, language: str) -> str:
    """The first ``language`` block after the line containing ``phrase``."""
    text = path.read_text(encoding="utf-8")
    start = text.index(phrase)
    body = re.search(rf"^```{language}\n(.*?)^```", text[start:], re.S | re.M)
    assert body is not None, f"no {language} block after {phrase!r}"
    return body.group(1)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("docs")
    (folder / "examples").symlink_to(ROOT / "examples", target_is_directory=True)
    index_md = ROOT / "docs" / "index-file.md"
    (folder / "toy.toml").write_text(block_after(index_md, "has only such leaves", "toml"))
    (folder / "toy.csv").write_text(block_after(index_md, "with this wide data file", "text"))
    return folder


def run(code: str, namespace: dict[str, Any]) -> str:
    """Run ``code`` like an interactive session: its output, and its last expression's value."""
    tree = ast.parse(code)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(tree, "<doc>", "exec"), namespace)
        if last is not None:
            value = eval(compile(ast.Expression(last.value), "<doc>", "eval"), namespace)
            if value is not None:
                print(value if hasattr(value, "to_string") else repr(value))
    return out.getvalue()


def lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.rstrip().splitlines()]


@pytest.mark.parametrize("page", DOCS)
def test_python_examples_print_what_the_docs_show(
    page: str, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if page == "getting-started.md":
        pytest.importorskip("pandas")  # it shows a DataFrame
    monkeypatch.chdir(workdir)
    namespace: dict[str, Any] = {}
    blocks = fenced(ROOT / "docs" / page)
    checked, failed = 0, []
    for n, (language, body, line, _) in enumerate(blocks):
        if language != "python":
            continue
        after = blocks[n + 1] if n + 1 < len(blocks) else None
        if after is None or after[0] != "text" or not after[3]:
            try:  # a sketch, or context for the examples after it
                run(body, namespace)
            except Exception as exc:
                failed.append(f"line {line}: {type(exc).__name__}: {exc}")
            continue
        got = run(body, namespace)
        context = f"docs/{page}, line {line} (blocks without output that failed: {failed})"
        assert lines(got) == lines(after[1]), context
        checked += 1
    assert checked, f"docs/{page} has no example with its output"
    assert os.getcwd() == str(workdir)


def test_the_complete_example_of_the_index_file_page_is_the_bundled_index() -> None:
    from riskcore._compat import tomllib

    shown = block_after(ROOT / "docs" / "index-file.md", "The bundled example", "toml")
    bundled = (ROOT / "examples" / "post_soviet" / "index.toml").read_text(encoding="utf-8")
    assert tomllib.loads(shown) == tomllib.loads(bundled)
