"""The distribution: the sdist and the wheel ``python -m build`` makes, the wheel installed in a
fresh virtual environment outside the checkout, and the public API.

The build runs once per module (``--no-isolation``: with the setuptools of this environment, so
that it needs no network). The fresh environment has no pip and no riskcore of its own: the
wheel is installed into it with this environment's pip, and its ``deps.pth`` lends it this
environment's third-party packages (numpy, pydantic, ...), as a plain path, so that the
editable riskcore of a development install is not on it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import venv
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

import riskcore

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Built:
    sdist: Path
    wheel: Path
    log: str


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    pytest.importorskip("build", reason="python -m build needs the build package (test extra)")
    out = tmp_path_factory.mktemp("dist")
    # a copy of the checkout, so that the build's egg-info never lands in the checkout (where
    # its entry points would shadow those of the development install)
    source = tmp_path_factory.mktemp("source") / "riskcore"
    junk = (".git", ".venv", "*.egg-info", "build", "dist", "site", "__pycache__", ".*_cache")
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*junk, ".hypothesis"))
    # build the sdist, then the wheel from the unpacked sdist: the sdist must be complete
    run = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(source)],
        capture_output=True, text=True, cwd=out, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    (sdist,) = out.glob("riskcore-*.tar.gz")
    (wheel,) = out.glob("riskcore-*.whl")
    return Built(sdist, wheel, run.stdout + run.stderr)


@pytest.fixture(scope="module")
def wheel(built: Built) -> zipfile.ZipFile:
    return zipfile.ZipFile(built.wheel)


@pytest.mark.packaging
def test_build_gives_no_deprecation_warning(built: Built) -> None:
    flagged = [line for line in built.log.splitlines() if "deprecat" in line.lower()]
    assert not flagged, "\n".join(flagged)


@pytest.mark.packaging
def test_licence_metadata_follows_pep_639(wheel: zipfile.ZipFile) -> None:
    (meta,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
    text = wheel.read(meta).decode()
    assert "License-Expression: MIT" in text and "License-File: LICENSE" in text
    assert "Classifier: License ::" not in text  # PEP 639: the expression replaces them
    for version in ("3.10", "3.11", "3.12", "3.13"):
        assert f"Classifier: Programming Language :: Python :: {version}" in text
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in wheel.namelist())
    assert "MIT License" in (ROOT / "LICENSE").read_text()


@pytest.mark.packaging
def test_sdist_carries_what_its_tests_and_docs_need(built: Built) -> None:
    tracked = subprocess.run(
        ["git", "ls-files", "docs", "examples", "tests", "benchmarks", ".ci",
         "CHANGELOG.md", "LICENSE", "README.md", "MANIFEST.in", "pyproject.toml", "mkdocs.yml"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if tracked.returncode != 0 or not tracked.stdout:
        pytest.skip("not a git checkout: the tracked files are unknown")
    with tarfile.open(built.sdist) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
    missing = [f for f in tracked.stdout.split() if f not in names]
    assert not missing, missing


def _fresh_venv(folder: Path, wheel: Path) -> Path:
    """A virtual environment with the wheel installed and this environment's libraries lent;
    returns its bin folder."""
    venv.create(folder, with_pip=False)
    bin_dir = folder / ("Scripts" if os.name == "nt" else "bin")
    python = bin_dir / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    lent = [p for p in sys.path if p.endswith(("site-packages", "dist-packages"))]
    Path(site, "deps.pth").write_text("\n".join(lent) + "\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
         "--no-index", "--no-deps", "--no-build-isolation", str(wheel)],
        check=True, capture_output=True,
    )  # fmt: skip
    return bin_dir


@pytest.mark.packaging
def test_the_wheel_in_a_fresh_venv_runs_the_demo_and_scaffolds_a_plugin(
    built: Built, tmp_path: Path
) -> None:
    bin_dir = _fresh_venv(tmp_path / "venv", built.wheel)
    work = tmp_path / "work"  # outside the checkout
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}

    def run(*args: str, cwd: Path = work) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            list(args), cwd=cwd, env=env, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, f"{args}: {done.stdout[-2000:]}{done.stderr[-2000:]}"
        return done

    where = run(str(bin_dir / "python"), "-c", "import riskcore; print(riskcore.__file__)")
    assert Path(where.stdout.strip()).is_relative_to(tmp_path / "venv")
    demo = run(str(bin_dir / "riskcore"), "demo")
    assert "Kyrgyzstan" in demo.stdout and "Armenia" in demo.stdout
    # the tutorial's first step, for a user with riskcore from a wheel and no checkout
    run(str(bin_dir / "riskcore"), "new-plugin", "demo_ind")
    package = work / "riskcore-demo-ind"
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(bin_dir / "python"), "install", "--quiet",
         "--no-index", "--no-deps", "--no-build-isolation", str(package)],
        check=True, capture_output=True,
    )  # fmt: skip
    tests = run(
        str(bin_dir / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider", cwd=package
    )
    assert "3 passed" in tests.stdout
    listing = run(str(bin_dir / "riskcore"), "plugins", "--format", "json")
    plugins = {p["name"]: p for p in json.loads(listing.stdout)}
    assert plugins["demo_ind"]["status"] == "loaded"
    assert plugins["demo_ind"]["distribution"] == "riskcore-demo-ind"
    assert plugins["diaspora_size"]["status"] == "loaded"


@pytest.mark.packaging
def test_wheel_has_no_bare_plugins_package(wheel: zipfile.ZipFile) -> None:
    tops = {name.split("/")[0] for name in wheel.namelist()}
    assert "plugins" not in tops and "examples" not in tops and "tests" not in tops
    assert {"riskcore", "riskcore_plugins", "riskcore_examples"} <= tops


@pytest.mark.packaging
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
