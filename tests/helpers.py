"""Small builders shared by the tests: a panel from arrays, an index over raw variables."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

import riskcore

ISO = ("ARM", "AZE", "GEO", "KAZ", "KGZ", "TJK", "TKM", "UZB", "RUS", "UKR", "MDA", "BLR")


def panel(values: np.ndarray, countries: Sequence[str] | None = None) -> riskcore.Panel:
    """A panel of variables v0, v1, ... from an array (variables, countries, years)."""
    v, c, y = values.shape
    return riskcore.Panel(
        values=values,
        variables=tuple(f"v{i}" for i in range(v)),
        countries=tuple(countries if countries is not None else ISO[:c]),
        years=tuple(range(2000, 2000 + y)),
    )


def flat_index(
    n: int,
    *,
    aggregation: str = '"arithmetic"',
    normalize: str = '{ method = "minmax" }',
    weights: Sequence[float] | None = None,
    lower_is_riskier: Sequence[int] = (),
    min_coverage: float = 0.5,
) -> riskcore.IndexSpec:
    """An index whose root aggregates raw variables v0..v{n-1}."""
    w = weights if weights is not None else [1.0] * n
    children = ", ".join(f"v{i} = {w[i]!r}" for i in range(n))
    text = (
        f'[index]\nname = "Test"\naggregation = {aggregation}\nchildren = {{ {children} }}\n'
        f"min_coverage = {min_coverage}\n[defaults]\nnormalize = {normalize}\n"
    )
    for i in range(n):
        direction = "lower_is_riskier" if i in lower_is_riskier else "higher_is_riskier"
        text += f'[indicator.v{i}]\ndirection = "{direction}"\n'
    return riskcore.parse_index(text, path="test.toml")


def score(spec: riskcore.IndexSpec, data: riskcore.Panel) -> riskcore.Scores:
    """Score with the built-in methods only."""
    return riskcore.score(spec, data, host=riskcore.PluginHost(autoload=False))


def assert_load_names_file_and_key(
    load: Callable[[Path], object], path: Path, text: str, key: str
) -> None:
    """Writing ``text`` to ``path`` and loading it fails with a SpecError naming the file and a
    key starting with ``key``."""
    path.write_text(text)
    with pytest.raises(riskcore.SpecError) as err:
        load(path)
    assert (err.value.key or "").startswith(key) and str(path) in str(err.value)


def load_script(path: Path, name: str) -> ModuleType:
    """Import a script that is not part of a package (an example's ``prepare.py``)."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the script runs
    spec.loader.exec_module(module)
    return module


def refused_by_score(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], index: str, data: str, key: str
) -> str:
    """``riskcore score`` on the index text ``index`` and the CSV text ``data`` exits 2 with one
    message naming the index file and ``key``, without a traceback; returns the message."""
    from riskcore.cli import main

    idx, csv = tmp_path / "bad.toml", tmp_path / "data.csv"
    idx.write_text(index)
    csv.write_text(data)
    code = main(["score", str(idx), "--data", str(csv)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert str(idx) in err and key in err and "Traceback" not in err, err
    return err
