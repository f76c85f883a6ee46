"""The distribution: what the wheel installs, and the public API."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import riskcore

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("wheel")
    build = tmp_path_factory.mktemp("build")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--quiet", "-w", str(out), str(ROOT)],
        check=True, capture_output=True, cwd=build,
    )  # fmt: skip
    (path,) = out.glob("riskcore-*.whl")
    return zipfile.ZipFile(path)


def test_wheel_has_no_bare_plugins_package(wheel: zipfile.ZipFile) -> None:
    tops = {name.split("/")[0] for name in wheel.namelist()}
    assert "plugins" not in tops and "examples" not in tops and "tests" not in tops
    assert {"riskcore", "riskcore_plugins", "riskcore_examples"} <= tops


def test_wheel_ships_types_example_data_and_entry_points(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    assert "riskcore/py.typed" in names
    for f in ("index.toml", "inputs.csv", "DATA.md"):
        assert f"riskcore_examples/post_soviet/{f}" in names
    (ep,) = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
    text = wheel.read(ep).decode()
    assert "[riskcore]" in text
    for name in (
        "diaspora_size",
        "diaspora_activism",
        "institutional_sophistication",
        "crackdown_propensity",
        "moscow_leverage",
    ):
        assert f"{name} = riskcore_plugins.{name}:{name}" in text
    assert "riskcore = riskcore.cli:main" in text


def test_public_names_are_exported_and_documented() -> None:
    for name in riskcore.__all__:
        obj = getattr(riskcore, name)
        if name != "__version__":
            assert obj.__doc__, f"riskcore.{name} has no docstring"


def test_standard_plugins_document_their_definition() -> None:
    import importlib
    import pkgutil

    import riskcore_plugins

    names = [m.name for m in pkgutil.iter_modules(riskcore_plugins.__path__)]
    assert len(names) >= 5
    for name in names:
        module = importlib.import_module(f"riskcore_plugins.{name}")
        doc = module.__doc__ or ""
        for section in ("Definition", "Formula", "Direction", "Requires", "Unit", "Sources"):
            assert section in doc, f"{module.__name__} docstring lacks {section}"


def test_import_is_light() -> None:
    code = (
        "import sys, riskcore; "
        "heavy = [m for m in ('pandas', 'scipy', 'matplotlib', 'dask') if m in sys.modules]; "
        "sys.exit(1 if heavy else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_the_command_line_starts_without_numpy_or_pydantic() -> None:
    # riskcore's public names are imported on first use: --help, --version and usage errors
    # answer before any scientific library loads
    code = (
        "import sys, riskcore, riskcore.cli; "
        "loaded = [m for m in ('numpy', 'pydantic', 'pluggy') if m in sys.modules]; "
        "print(loaded); sys.exit(1 if loaded else 0)"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stdout
    assert callable(__import__("riskcore").score)  # and the names are still there when used
