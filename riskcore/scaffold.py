"""``riskcore new-plugin``: write a pip-installable plugin package to start from.

The package has a ``pyproject.toml`` declaring the ``riskcore`` entry point, one module under
``src/``, a test that runs :mod:`riskcore.testing` on the plugin, and a README saying how to
install and test it. Its tests pass as written; edit the module from there.

An ``indicator`` package provides one indicator (the base-10 logarithm of a variable of the
data, ``population`` until you change it); a ``method`` package provides one normalisation
method (a logistic curve of z-scores, taken over the axes riskcore asks for).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from riskcore.errors import RiskcoreError

__all__ = ["KINDS", "ScaffoldError", "add_command", "new_plugin", "next_steps"]

#: What ``--kind`` accepts.
KINDS = ("indicator", "method")

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class ScaffoldError(RiskcoreError):
    """The plugin package cannot be written (a bad name, or the folder exists)."""


_PYPROJECT = """\
[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "{dist}"
version = "0.1.0"
description = "{summary}"
readme = "README.md"
requires-python = ">=3.10"
dependencies = ["riskcore>={riskcore_version}"]

[project.optional-dependencies]
test = ["pytest>=7.4", "hypothesis>=6.90"]

# riskcore finds the plugin through this entry point; the name on the left is the plugin name
# (what `riskcore plugins` lists and RISKCORE_DISABLED_PLUGINS blocks).
[project.entry-points.riskcore]
{name} = "{name}"

[tool.setuptools]
package-dir = {{ "" = "src" }}
packages = ["{name}"]
"""

_INDICATOR = '''\
"""{title}: a riskcore indicator plugin.

Definition
    The base-10 logarithm of the ``{variable}`` variable of the data.
Formula
    ``log10({variable})`` for positive values; missing otherwise.
Direction
    Higher is riskier.
Requires
    ``{variable}``.
Unit
    log10 of the variable's unit.
Sources
    Those of the data file.

Change the formula, the metadata of ``@riskcore.indicator`` and this docstring to your
indicator's; ``riskcore.testing.check_indicator`` in ``tests/`` checks the contract.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
from numpy.typing import NDArray

import riskcore

__all__ = ["{name}", "riskcore_indicators"]


@riskcore.indicator(
    code="{name}",
    name="{title}",
    unit="log10 of {variable}",
    higher_is_riskier=True,
    requires=["{variable}"],
    per_country=True,  # each country's values from its own inputs alone: faster intervals
)
def {name}(data: Any) -> NDArray[np.float64]:
    """The base-10 logarithm of {variable}; missing where it is missing or not positive."""
    x = np.asarray(data["{variable}"], dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x > 0, np.log10(x), np.nan)


@riskcore.hookimpl
def riskcore_indicators() -> Iterable[riskcore.Indicator]:
    """Provide the indicator."""
    return [{name}]
'''

_INDICATOR_TEST = '''\
"""The plugin keeps riskcore's indicator contract and is found through its entry point."""

import numpy as np

import riskcore
import riskcore.testing
from {name} import {name}


def test_the_indicator_keeps_the_contract():
    riskcore.testing.check_indicator({name})


def test_values():
    data = riskcore.Panel(
        values=[[[1000.0, np.nan], [-5.0, 10.0]]],
        variables=["{variable}"],
        countries=["ARM", "GEO"],
        years=[2022, 2023],
    )
    np.testing.assert_allclose(
        {name}.compute(data), [[3.0, np.nan], [np.nan, 1.0]], equal_nan=True
    )


def test_riskcore_finds_the_installed_plugin():
    host = riskcore.PluginHost()
    assert host.indicators()["{name}"].plugin == "{name}"
'''

_METHOD = '''\
"""{title}: a riskcore method plugin, the normalisation method ``{name}``.

A logistic curve of z-scores, onto 0..1::

    y = 1 / (1 + exp(-(x - mean) / (scale * sd)))

with the mean and standard deviation taken over the axes riskcore passes (all countries and
years, or each year with ``per_year = true``), never over the batch axis. Select it in an
index file with ``normalize = {{ method = "{name}", scale = 1.0 }}``.

Change the formula and ``Params`` to your method's; ``riskcore.testing.check_normalizer`` in
``tests/`` checks the contract.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import Any

import numpy as np
from numpy.typing import NDArray
from pydantic import Field

import riskcore
from riskcore.methods.base import MethodParams

__all__ = ["{cls}", "{cls}Params", "riskcore_normalizers"]


class {cls}Params(MethodParams):
    """The parameters an index file may give."""

    scale: float = Field(1.0, gt=0, description="standard deviations per logistic unit")


class {cls}:
    """Logistic curve of z-scores, onto 0..1."""

    name = "{name}"
    description = "1 / (1 + exp(-z / scale)) of z-scores, onto 0..1"
    center = 0.5
    Params = {cls}Params

    def __call__(
        self, values: NDArray[np.float64], params: Any, *, axis: tuple[int, ...]
    ) -> NDArray[np.float64]:
        with warnings.catch_warnings():  # an all-missing slice gives NaN, as it should
            warnings.simplefilter("ignore", RuntimeWarning)
            mean = np.nanmean(values, axis=axis, keepdims=True)
            sd = np.nanstd(values, axis=axis, keepdims=True)
        z = (values - mean) / np.where(sd > 0, sd, 1.0)
        out: NDArray[np.float64] = 1.0 / (1.0 + np.exp(-z / params.scale))
        return out


@riskcore.hookimpl
def riskcore_normalizers() -> Iterable[{cls}]:
    """Provide the normalisation method."""
    return [{cls}()]
'''

_METHOD_TEST = '''\
"""The plugin keeps riskcore's normaliser contract and is found through its entry point."""

import numpy as np

import riskcore
import riskcore.testing
from {name} import {cls}


def test_the_method_keeps_the_contract():
    riskcore.testing.check_normalizer({cls}())
    riskcore.testing.check_normalizer({cls}(), params={{"scale": 2.5}})


def test_values():
    x = np.array([[[1.0], [2.0], [3.0], [np.nan]]])
    y = {cls}()(x, {cls}().Params(), axis=(1, 2))
    assert y[0, 1, 0] == 0.5 and y[0, 0, 0] < 0.5 < y[0, 2, 0] and np.isnan(y[0, 3, 0])


def test_riskcore_finds_the_installed_plugin():
    assert "{name}" in riskcore.PluginHost().normalizers()
'''

_README = """\
# {dist}

{summary}

A [riskcore](https://pypi.org/project/riskcore/) plugin made with `riskcore new-plugin`.

## Install and test

```sh
pip install -e ".[test]"
python -m pytest
riskcore plugins          # lists {name}
```

The tests run riskcore's conformance checks (`riskcore.testing`) on the plugin, so they keep
passing only while it keeps the contract of riskcore's hook reference.

## Use

{use}
"""

_USE = {
    "indicator": (
        "Name the indicator in an index file, as a child of a node:\n\n"
        '```toml\n[index]\nname = "My index"\nchildren = ["{name}", "other_indicator"]\n```'
    ),
    "method": (
        "Select the method in an index file:\n\n"
        '```toml\n[defaults]\nnormalize = {{ method = "{name}", scale = 1.0 }}\n```'
    ),
}


def new_plugin(
    name: str, *, kind: str = "indicator", directory: str | Path = ".", variable: str = "population"
) -> Path:
    """Write a plugin package and return its folder.

    Parameters
    ----------
    name : str
        snake_case: the module, the entry point (plugin name) and the indicator code or method
        name. The distribution is ``riskcore-<name with hyphens>`` in that folder.
    kind : {"indicator", "method"}
    directory : str or Path
        Where to create the package folder.
    variable : str
        For an indicator: the data variable it reads.

    Returns
    -------
    Path
        The package folder.

    Raises
    ------
    ScaffoldError
        When ``name`` is not snake_case, ``kind`` is unknown, or the folder exists.
    """
    from riskcore import __version__

    if not _NAME.match(name):
        raise ScaffoldError(
            f"plugin name '{name}' is not snake_case (lower-case letters, digits and "
            "underscores, starting with a letter)"
        )
    if kind not in KINDS:
        raise ScaffoldError(f"unknown kind '{kind}' (known: {', '.join(KINDS)})")
    dist = "riskcore-" + name.replace("_", "-")
    root = Path(directory) / dist
    if root.exists():
        raise ScaffoldError(f"{root}: already exists; choose another name or folder")
    title = name.replace("_", " ").capitalize()
    fields = {
        "name": name,
        "dist": dist,
        "title": title,
        "cls": "".join(part.capitalize() for part in name.split("_")),
        "variable": variable,
        "riskcore_version": __version__,
        "summary": f"{title}: a riskcore {kind} plugin.",
    }
    module, test = (_INDICATOR, _INDICATOR_TEST) if kind == "indicator" else (_METHOD, _METHOD_TEST)
    files = {
        "pyproject.toml": _PYPROJECT,
        "README.md": _README.replace("{use}", _USE[kind]),
        f"src/{name}/__init__.py": module,
        f"tests/test_{name}.py": test,
    }
    for relative, template in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(template.format(**fields), encoding="utf-8")
    return root


def next_steps(root: Path, kind: str, name: str) -> str:
    """What the command line says after writing a package: where it is and what to run."""
    article = "an" if kind == "indicator" else "a"
    return (
        f"Wrote {root}: {article} {kind} plugin package. Next:\n"
        f"  cd {root} && pip install -e '.[test]' && python -m pytest\n"
        f"  riskcore plugins    # lists {name}"
    )


def add_command(sub: Any, write: Callable[[str, str | None, TextIO], None]) -> None:
    """Register ``riskcore new-plugin`` with the command line's subparsers; ``write`` is the
    command line's own output function (the library writes nothing itself)."""
    new = sub.add_parser("new-plugin", help="write a plugin package, with tests, to start from")
    new.add_argument("name", help="snake_case: the module, plugin and indicator or method name")
    new.add_argument("--kind", choices=KINDS, default="indicator")
    new.add_argument("--directory", "-d", default=".", help="where to write it (default: .)")

    def run(args: Any, stdout: TextIO) -> None:
        root = new_plugin(args.name, kind=args.kind, directory=args.directory)
        write(next_steps(root, args.kind, args.name), None, stdout)

    new.set_defaults(func=run)
