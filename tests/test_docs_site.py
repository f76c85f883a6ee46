"""The documentation site's sources: every public name is in the API reference and has a
docstring, and every page is in the navigation (mkdocs itself checks links, in strict mode, in
.ci/run)."""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import riskcore
from riskcore._compat import tomllib

ROOT = Path(__file__).resolve().parents[1]
API = ROOT / "docs" / "api"


def _targets() -> set[str]:
    found: set[str] = set()
    for page in API.glob("*.md"):
        found.update(re.findall(r"^::: ([\w.]+)$", page.read_text(encoding="utf-8"), re.M))
    return found


def test_every_public_name_is_in_the_api_reference_with_a_docstring() -> None:
    targets = _targets()
    for target in targets:  # every directive names something that exists
        module, _, name = target.rpartition(".")
        try:
            importlib.import_module(target)
        except ModuleNotFoundError:
            assert hasattr(importlib.import_module(module), name), target
    for name in riskcore.__all__:
        if name.startswith("_"):
            continue
        obj = getattr(riskcore, name)
        if not (inspect.isclass(obj) or inspect.isfunction(obj)):
            continue  # the hook markers: pluggy's objects, documented in riskcore.hookspecs
        home = obj.__module__
        assert f"{home}.{name}" in targets or home in targets, f"riskcore.{name} ({home})"
        assert inspect.getdoc(obj), f"riskcore.{name} has no docstring"
        for attr, member in vars(obj).items() if inspect.isclass(obj) else ():
            if not attr.startswith("_") and inspect.isfunction(member):
                assert inspect.getdoc(member), f"riskcore.{name}.{attr} has no docstring"


def test_every_page_is_in_the_navigation() -> None:
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    listed = set(re.findall(r":\s*([\w/-]+\.md)\s*$", text, re.M))
    pages = {p.relative_to(ROOT / "docs").as_posix() for p in (ROOT / "docs").rglob("*.md")}
    assert pages == listed, (pages - listed, listed - pages)


def test_the_docs_extra_has_the_site_tools() -> None:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    docs = " ".join(meta["project"]["optional-dependencies"]["docs"])
    assert "mkdocs" in docs and "mkdocs-material" in docs and "mkdocstrings[python]" in docs
