"""Shared fixtures: the bundled example, a plugin host without entry points, small panels."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

import riskcore
from riskcore.examples import example_path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(autouse=True)
def _clean_plugin_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test starts with the default plugin settings and a fresh host."""
    for name in list(os.environ):
        if name.startswith("RISKCORE_"):
            monkeypatch.delenv(name)
    riskcore.reset_host()
    yield
    riskcore.reset_host()


@pytest.fixture
def post_soviet() -> Path:
    """Folder of the bundled post-Soviet example."""
    return example_path("post_soviet")


@pytest.fixture
def bare_host() -> riskcore.PluginHost:
    """A host with the built-in methods only: no entry points."""
    return riskcore.PluginHost(autoload=False)
