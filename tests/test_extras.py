"""A feature whose optional extra is missing is a set-up step to finish, not a fault: exit 2
with the pip command, from every command that needs it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import riskcore
from riskcore.cli import main

ASEM = Path(__file__).resolve().parents[1] / "examples" / "asem"


@pytest.mark.parametrize("command", ["uncertainty", "sensitivity"])
def test_an_analysis_without_scipy_says_how_to_install_it(
    command: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "scipy.stats", None)  # import fails as if not installed
    argv = [command, str(ASEM / "index.toml"), "--data", str(ASEM / "asem.csv")]
    argv += ["--assumptions", str(ASEM / "uncertainty.toml"), "--samples", "8"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "pip install 'riskcore[scipy]'" in err and "unexpected fault" not in err


def test_the_error_is_an_import_error_too(monkeypatch: pytest.MonkeyPatch) -> None:
    from riskcore.sensitivity import saltelli_design

    monkeypatch.setitem(sys.modules, "scipy.stats", None)
    with pytest.raises(ImportError) as err:
        saltelli_design([1, 1], 8, 0)
    assert isinstance(err.value, riskcore.ExtraError)
