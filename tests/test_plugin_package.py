"""End to end with real entry-point plugins: packages installed by pip, the CLI run as a process.

The example package ``examples/riskcore-plugin-example`` and two throwaway packages written here
(one whose module raises on import, one that provides ``diaspora_size`` a second time through a
``module:object`` entry point) are installed once per module with ``pip install --target`` into
separate folders. Each command then runs ``python -m riskcore.cli`` with some of those folders
prepended to ``PYTHONPATH``, so that ``importlib.metadata`` finds their entry points exactly as it
finds those of an installed distribution.
"""

from __future__ import annotations

import csv
import json
import math
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from riskcore._compat import tomllib

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "riskcore-plugin-example"
EXAMPLE_INDEX = EXAMPLE / "index.toml"
DATA = ROOT / "examples" / "post_soviet" / "inputs.csv"

PLUGIN = "russia_trade_dependence"  # entry-point name and indicator code of the example
STANDARD = {"diaspora_size", "institutional_sophistication", "crackdown_propensity"}


def pyproject(name: str, version: str, entry_point: str, module: str) -> str:
    """The pyproject.toml of a one-module package with one ``riskcore`` entry point."""
    return f"""\
[build-system]
requires = ["setuptools>=64"]
build-backend = "setuptools.build_meta"

[project]
name = "{name}"
version = "{version}"

[project.entry-points.riskcore]
{entry_point}

[tool.setuptools]
py-modules = ["{module}"]
"""


BROKEN_PYPROJECT = pyproject(
    "riskcore-broken-example", "9.9.9", 'broken_plugin = "riskcore_broken_example"',
    "riskcore_broken_example",
)  # fmt: skip

BROKEN_MODULE = """\
raise ImportError("riskcore_broken_example needs a library that is not installed")
"""

# an entry point may name an Indicator object directly
DUPLICATE_PYPROJECT = pyproject(
    "riskcore-duplicate-example", "1.2.3",
    'duplicate_diaspora = "riskcore_duplicate_example:diaspora_size"', "riskcore_duplicate_example",
)  # fmt: skip

DUPLICATE_MODULE = """\
import riskcore


@riskcore.indicator(
    code="diaspora_size",
    name="Another diaspora size",
    unit="persons",
    higher_is_riskier=True,
    requires=["relocants"],
)
def diaspora_size(data):
    return data["relocants"]
"""


METHOD_PYPROJECT = pyproject(
    "riskcore-method-example", "0.3.0", 'spread = "riskcore_method_example"',
    "riskcore_method_example",
)  # fmt: skip

METHOD_MODULE = """\
import numpy as np

import riskcore


class Spread:
    \"\"\"The gap between a node's riskiest and safest child: a third party's aggregation.\"\"\"

    name = "spread"
    description = "largest minus smallest child"
    Params = riskcore.methods.base.NoParams

    def __call__(self, values, weights, params):
        present = weights > 0
        hi = np.max(np.where(present, values, -np.inf), axis=-1)
        lo = np.min(np.where(present, values, np.inf), axis=-1)
        return hi - lo


@riskcore.hookimpl
def riskcore_aggregators():
    return [Spread()]
"""


@dataclass(frozen=True)
class Sites:
    """``--target`` folders of the installed packages."""

    example: Path
    broken: Path
    duplicate: Path
    method: Path


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


def _pip_install(source: Path, target: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--disable-pip-version-check",
            "--target",
            str(target),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, f"pip install {source} failed:\n{proc.stdout}\n{proc.stderr}"


def _write_package(folder: Path, pyproject: str, module_name: str, module: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    (folder / f"{module_name}.py").write_text(module, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Sites:
    """Install the three packages once; pip builds in a copy so the repository stays clean."""
    base = tmp_path_factory.mktemp("plugin_packages")
    source = base / "src"
    example = shutil.copytree(
        EXAMPLE,
        source / "riskcore-plugin-example",
        ignore=shutil.ignore_patterns("build", "dist", "*.egg-info", "__pycache__"),
    )
    broken = _write_package(
        source / "broken", BROKEN_PYPROJECT, "riskcore_broken_example", BROKEN_MODULE
    )
    duplicate = _write_package(
        source / "duplicate", DUPLICATE_PYPROJECT, "riskcore_duplicate_example", DUPLICATE_MODULE
    )
    method = _write_package(
        source / "method", METHOD_PYPROJECT, "riskcore_method_example", METHOD_MODULE
    )
    found = Sites(
        base / "site_example", base / "site_broken", base / "site_duplicate", base / "site_method"
    )
    _pip_install(method, found.method)
    _pip_install(example, found.example)
    _pip_install(broken, found.broken)
    _pip_install(duplicate, found.duplicate)
    return found


def cli(*args: str, sites: Iterable[Path] = (), env: Mapping[str, str] | None = None) -> Run:
    """Run ``python -m riskcore.cli ARGS`` with ``sites`` first on the import path."""
    environ = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("RISKCORE_") and k != "PYTHONWARNINGS"
    }
    path = [str(s) for s in sites]
    if environ.get("PYTHONPATH"):
        path.append(environ["PYTHONPATH"])
    environ["PYTHONPATH"] = os.pathsep.join(path)
    environ.update(env or {})
    proc = subprocess.run(
        [sys.executable, "-m", "riskcore.cli", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=environ,
        timeout=120,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


def by_name(listing: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {p["name"]: p for p in listing}


def trade_shares(year: int) -> dict[str, float]:
    """``russia_trade_share_pct`` of one year, read from the CSV without riskcore."""
    with DATA.open(newline="", encoding="utf-8") as fh:
        return {
            row["country"]: float(row["value"])
            for row in csv.DictReader(fh)
            if row["variable"] == "russia_trade_share_pct"
            and int(row["year"]) == year
            and row["value"].strip()
        }


def goalposts() -> tuple[float, float]:
    """The goalposts the example index sets for the new indicator."""
    spec = tomllib.loads(EXAMPLE_INDEX.read_text(encoding="utf-8"))
    normalize = spec["indicator"][PLUGIN]["normalize"]
    assert normalize["method"] == "goalpost"
    return float(normalize["lower"]), float(normalize["upper"])


# -- (a) the listing -------------------------------------------------------------------------
def test_installed_plugin_is_listed_as_loaded(sites: Sites) -> None:
    run = cli("plugins", "--format", "json", sites=[sites.example])
    assert run.code == 0, run.err
    assert "Traceback" not in run.err
    listing = by_name(run.json())
    meta = tomllib.loads((EXAMPLE / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    mine = listing[PLUGIN]
    assert mine["status"] == "loaded"
    assert mine["distribution"] == meta["name"] == "riskcore-plugin-example"
    assert mine["version"] == meta["version"]
    assert mine["indicators"] == [PLUGIN]
    assert "riskcore_indicators" in mine["hooks"]
    assert mine["error"] is None
    for name in STANDARD:
        assert listing[name]["status"] == "loaded"
        assert listing[name]["distribution"] == "riskcore"

    table = cli("plugins", sites=[sites.example])
    assert table.code == 0
    row = next(line for line in table.out.splitlines() if line.startswith(PLUGIN))
    assert "riskcore-plugin-example" in row and "loaded" in row


def test_without_the_package_the_plugin_is_absent(sites: Sites) -> None:
    run = cli("plugins", "--format", "json")
    assert run.code == 0, run.err
    assert PLUGIN not in by_name(run.json())


# -- (b) scoring -----------------------------------------------------------------------------
@pytest.mark.parametrize("year", [2023, 2019])
def test_scoring_uses_the_plugin_indicator(sites: Sites, year: int) -> None:
    args = ["--format", "json", "--year", str(year)]
    run = cli("score", str(EXAMPLE_INDEX), "--data", str(DATA), *args, sites=[sites.example])
    assert run.code == 0, run.err
    doc = run.json()
    assert doc["index"]["code"] == "leverage"
    assert doc["year"] == year
    shares = trade_shares(year)
    assert shares, "the data must hold russia_trade_share_pct for this year"
    lower, upper = goalposts()
    seen = set()
    for row in doc["results"]:
        cell = row["indicators"][PLUGIN]
        expected = shares.get(row["country"])
        if expected is None:
            assert (cell["raw"], cell["normalized"]) == (None, None)
            continue
        seen.add(row["country"])
        # formula: the share itself where 0 <= share <= 100
        assert 0 <= expected <= 100
        assert cell["raw"] == pytest.approx(expected, rel=1e-12)
        norm = min(max((expected - lower) / (upper - lower), 0.0), 1.0)
        assert cell["normalized"] == pytest.approx(norm, rel=1e-12)
        assert "levers" in row["nodes"]
    assert seen == set(shares)


def test_plugin_indicator_moves_the_score(sites: Sites) -> None:
    """Armenia's levers are the mean of its two normalised levers, the trade one included."""
    run = cli(
        "score", str(EXAMPLE_INDEX), "--data", str(DATA), "--format", "json", sites=[sites.example]
    )
    assert run.code == 0, run.err
    arm = next(r for r in run.json()["results"] if r["country"] == "ARM")
    trade = arm["indicators"][PLUGIN]["normalized"]
    diaspora = arm["indicators"]["diaspora_size"]["normalized"]
    assert arm["nodes"]["levers"] == pytest.approx(100 * (trade + diaspora) / 2)
    assert math.isfinite(arm["score"])


# -- (c) turning plugins off -----------------------------------------------------------------
def test_autoload_off_loads_no_entry_points(sites: Sites) -> None:
    run = cli(
        "plugins",
        "--format",
        "json",
        sites=[sites.example],
        env={"RISKCORE_DISABLE_PLUGIN_AUTOLOAD": "1"},
    )
    assert run.code == 0, run.err
    listing = run.json()
    assert listing, "the built-in methods are still listed"
    assert {p["status"] for p in listing} == {"builtin"}
    names = set(by_name(listing))
    assert PLUGIN not in names
    assert not names & STANDARD


def test_disabled_plugin_is_listed_and_its_index_fails(sites: Sites) -> None:
    env = {"RISKCORE_DISABLED_PLUGINS": PLUGIN}
    run = cli("plugins", "--format", "json", sites=[sites.example], env=env)
    assert run.code == 0, run.err
    listing = by_name(run.json())
    assert listing[PLUGIN]["status"] == "disabled"
    assert listing[PLUGIN]["distribution"] == "riskcore-plugin-example"
    assert listing[PLUGIN]["indicators"] == []
    for name in STANDARD:
        assert listing[name]["status"] == "loaded"

    score = cli("score", str(EXAMPLE_INDEX), "--data", str(DATA), sites=[sites.example], env=env)
    assert score.code == 2
    assert PLUGIN in score.err
    assert "index.toml" in score.err
    assert "Traceback" not in score.err
    assert score.out == ""


# -- (d) a plugin that fails to import -------------------------------------------------------
def test_broken_plugin_is_reported_and_the_rest_loads(sites: Sites) -> None:
    run = cli("plugins", "--format", "json", sites=[sites.example, sites.broken])
    assert run.code == 0, run.err
    listing = by_name(run.json())
    broken = listing["broken_plugin"]
    assert broken["status"] == "failed"
    assert broken["distribution"] == "riskcore-broken-example"
    assert broken["version"] == "9.9.9"
    assert "ImportError" in broken["error"]
    assert broken["indicators"] == []
    others = {n: p["status"] for n, p in listing.items() if n != "broken_plugin"}
    assert set(others.values()) <= {"builtin", "loaded"}
    assert {PLUGIN, *STANDARD} <= {n for n, s in others.items() if s == "loaded"}
    warning = [line for line in run.err.splitlines() if "broken_plugin" in line]
    assert warning, run.err
    assert "riskcore-broken-example" in warning[0]
    assert "warning" in warning[0].lower()
    assert "Traceback" not in run.err


def test_broken_plugin_does_not_stop_the_demo(sites: Sites) -> None:
    run = cli("demo", sites=[sites.example, sites.broken])
    assert run.code == 0, run.err
    assert "Diaspora Instability Index" in run.out
    assert "broken_plugin" in run.err and "riskcore-broken-example" in run.err
    assert "Traceback" not in run.err


@pytest.mark.parametrize("command", [["plugins"], ["demo"]])
def test_strict_mode_refuses_a_broken_plugin(sites: Sites, command: list[str]) -> None:
    run = cli(*command, sites=[sites.example, sites.broken], env={"RISKCORE_STRICT_PLUGINS": "1"})
    assert run.code == 1, run.err  # a plugin's fault: the one plugin-fault code
    assert "plugin fault" in run.err
    error = [line for line in run.err.splitlines() if "plugin fault" in line]
    assert error, run.err
    assert "broken_plugin" in error[0] and "riskcore-broken-example" in error[0]
    assert "ImportError" in error[0]
    assert "Traceback" not in run.err
    assert "Diaspora Instability Index" not in run.out


# -- (e) one indicator code from two plugins -------------------------------------------------
def test_duplicate_indicator_is_reported_with_both_providers(sites: Sites) -> None:
    run = cli("plugins", "--format", "json", sites=[sites.duplicate])
    assert run.code == 0, run.err
    listing = by_name(run.json())
    dup = listing["duplicate_diaspora"]
    # the entry point names an Indicator object (module:object): it is a plugin of its own
    assert dup["status"] == "loaded"
    assert dup["distribution"] == "riskcore-duplicate-example"
    assert dup["indicators"] == ["diaspora_size"]
    assert dup["hooks"] == ["riskcore_indicators"]
    assert listing["diaspora_size"]["indicators"] == ["diaspora_size"]
    warning = [line for line in run.err.splitlines() if "'diaspora_size'" in line]
    assert warning, run.err
    for who in ("diaspora_size", "riskcore", "duplicate_diaspora", "riskcore-duplicate-example"):
        assert who in warning[0]


def test_duplicate_indicator_cannot_be_scored_until_one_is_disabled(sites: Sites) -> None:
    run = cli("demo", sites=[sites.duplicate])
    assert run.code == 2
    error = [line for line in run.err.splitlines() if "error" in line]
    assert error, run.err
    assert "diaspora_size" in error[0]
    assert "duplicate_diaspora" in error[0] and "riskcore-duplicate-example" in error[0]
    assert "Traceback" not in run.err

    fixed = cli(
        "demo", sites=[sites.duplicate], env={"RISKCORE_DISABLED_PLUGINS": "duplicate_diaspora"}
    )
    assert fixed.code == 0, fixed.err
    assert "Diaspora Instability Index" in fixed.out


def test_a_third_party_aggregation_is_listed_and_used_by_name(sites: Sites, tmp_path: Path) -> None:
    listing = by_name(cli("plugins", "--format", "json", sites=[sites.method]).json())
    assert listing["spread"]["aggregators"] == ["spread"]
    assert listing["spread"]["distribution"] == "riskcore-method-example"
    index = tmp_path / "spread.toml"
    index.write_text(
        '[index]\nname = "Gap between fragility and leverage"\naggregation = "spread"\n'
        'children = ["crackdown_propensity", "moscow_leverage"]\n'
        "[indicator.crackdown_propensity]\n"
        'normalize = { method = "goalpost", lower = 0, upper = 100 }\n'
        '[indicator.moscow_leverage]\nnormalize = { method = "goalpost", lower = 0, upper = 1 }\n'
    )
    run = cli("score", str(index), "--data", str(DATA), "--format", "json", sites=[sites.method])
    assert run.code == 0, run.err
    for row in run.json()["results"]:
        a = row["indicators"]["crackdown_propensity"]["normalized"]
        b = row["indicators"]["moscow_leverage"]["normalized"]
        assert row["score"] == pytest.approx(100 * abs(a - b))
    assert cli("score", str(index), "--data", str(DATA)).code == 2  # without the package
