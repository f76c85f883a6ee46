"""``riskcore new-plugin``: the packages it writes install with pip and pass their own tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from riskcore.cli import main
from riskcore.scaffold import ScaffoldError, new_plugin


def _run(args: list[str], cwd: Path, site: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(site)}
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )


def test_generated_packages_install_and_pass_their_own_tests(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["new-plugin", "demo_ind", "--directory", str(tmp_path)]) == 0
    assert "pip install" in capsys.readouterr().out
    assert main(["new-plugin", "demo_norm", "--kind", "method", "-d", str(tmp_path)]) == 0
    packages = [tmp_path / "riskcore-demo-ind", tmp_path / "riskcore-demo-norm"]
    for package in packages:
        names = {p.relative_to(package).as_posix() for p in package.rglob("*") if p.is_file()}
        assert {"pyproject.toml", "README.md"} <= names
        assert any(n.startswith("tests/") for n in names) and any(
            n.startswith("src/") for n in names
        )
    site = tmp_path / "site"
    pip = [
        "-m", "pip", "install", "--quiet", "--no-index", "--no-deps", "--no-build-isolation",
        "--target", str(site), *map(str, packages),
    ]  # fmt: skip
    installed = _run(pip, tmp_path, site)
    assert installed.returncode == 0, installed.stderr
    tests = _run(
        ["-m", "pytest", "-q", "-p", "no:cacheprovider", *(str(p / "tests") for p in packages)],
        tmp_path,
        site,
    )
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "6 passed" in tests.stdout
    listing = _run(["-m", "riskcore.cli", "plugins", "--format", "json"], tmp_path, site)
    plugins = {p["name"]: p for p in json.loads(listing.stdout)}
    assert plugins["demo_ind"]["status"] == "loaded"
    assert plugins["demo_ind"]["indicators"] == ["demo_ind"]
    assert plugins["demo_ind"]["distribution"] == "riskcore-demo-ind"
    assert plugins["demo_norm"]["normalizers"] == ["demo_norm"]


@pytest.mark.parametrize(
    ("name", "kind", "message"),
    [
        ("DemoInd", "indicator", "not snake_case"),
        ("demo-ind", "indicator", "not snake_case"),
        ("demo", "aggregator", "unknown kind 'aggregator'"),
    ],
)
def test_bad_names_and_kinds_are_refused(
    name: str, kind: str, message: str, tmp_path: Path
) -> None:
    with pytest.raises(ScaffoldError, match=message):
        new_plugin(name, kind=kind, directory=tmp_path)
    assert not any(tmp_path.iterdir())


def test_an_existing_folder_is_never_overwritten(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "riskcore-demo").mkdir()
    (tmp_path / "riskcore-demo" / "mine.txt").write_text("keep")
    assert main(["new-plugin", "demo", "-d", str(tmp_path)]) == 2
    assert "riskcore-demo: already exists" in capsys.readouterr().err
    assert [p.name for p in (tmp_path / "riskcore-demo").iterdir()] == ["mine.txt"]
