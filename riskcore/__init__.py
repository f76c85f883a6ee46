"""riskcore: country risk scoring in which every indicator is a plugin.

Combine indicator plugins into per-country composite scores the JRC/OECD way: normalise,
weight, aggregate up a tree of any depth, and keep the provenance of every number.

>>> import riskcore
>>> spec = riskcore.load_index("examples/post_soviet/index.toml")    # doctest: +SKIP
>>> panel = riskcore.read_data("examples/post_soviet/inputs.csv")    # doctest: +SKIP
>>> riskcore.score(spec, panel).to_records()                         # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from riskcore.api import score
    from riskcore.data import Panel, Provenance, read_data, read_frame
    from riskcore.engine import Evaluation, evaluate
    from riskcore.errors import (
        DataError,
        ExtraError,
        IndicatorError,
        LabelError,
        MethodError,
        OptionError,
        PluginError,
        PluginLoadError,
        RiskcoreError,
        SpecError,
    )
    from riskcore.hookspecs import hookimpl, hookspec
    from riskcore.indicators import Indicator, indicator
    from riskcore.plan import Plan, compile_plan
    from riskcore.plugins import PluginHost, PluginInfo, PluginWarning, get_host, reset_host
    from riskcore.result import Contribution, Explanation, Scores
    from riskcore.spec import IndexSpec, index_schema, load_index, parse_index
    from riskcore.treat import Prepared, compute_indicators, prepare

# Public names are imported on first use (PEP 562), so that ``riskcore --help`` and the other
# quick commands do not pay for numpy, pydantic models and every method module up front.
_HOME = {
    "score": "api",
    **dict.fromkeys(("Panel", "Provenance", "read_data", "read_frame"), "data"),
    **dict.fromkeys(("Evaluation", "evaluate"), "engine"),
    **dict.fromkeys(
        (
            "DataError",
            "ExtraError",
            "IndicatorError",
            "LabelError",
            "MethodError",
            "OptionError",
            "PluginError",
            "PluginLoadError",
            "RiskcoreError",
            "SpecError",
        ),
        "errors",
    ),
    **dict.fromkeys(("hookimpl", "hookspec"), "hookspecs"),
    **dict.fromkeys(("Indicator", "indicator"), "indicators"),
    **dict.fromkeys(("Plan", "compile_plan"), "plan"),
    **dict.fromkeys(
        ("PluginHost", "PluginInfo", "PluginWarning", "get_host", "reset_host"), "plugins"
    ),
    **dict.fromkeys(("Contribution", "Explanation", "Scores"), "result"),
    **dict.fromkeys(("IndexSpec", "index_schema", "load_index", "parse_index"), "spec"),
    **dict.fromkeys(("Prepared", "compute_indicators", "prepare"), "treat"),
}


def __getattr__(name: str) -> Any:
    module = _HOME.get(name)
    if module is not None:
        value = getattr(importlib.import_module(f"riskcore.{module}"), name)
    else:
        try:  # a submodule, such as riskcore.examples
            value = importlib.import_module(f"riskcore.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"riskcore.{name}":
                raise  # the submodule exists but needs something missing: say so
            raise AttributeError(f"module 'riskcore' has no attribute {name!r}") from None
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOME})


__version__ = "0.1.0"

__all__ = [
    "Contribution",
    "DataError",
    "Evaluation",
    "Explanation",
    "ExtraError",
    "IndexSpec",
    "Indicator",
    "IndicatorError",
    "LabelError",
    "MethodError",
    "OptionError",
    "Panel",
    "Plan",
    "PluginError",
    "PluginHost",
    "PluginInfo",
    "PluginLoadError",
    "PluginWarning",
    "Prepared",
    "Provenance",
    "RiskcoreError",
    "Scores",
    "SpecError",
    "__version__",
    "compile_plan",
    "compute_indicators",
    "evaluate",
    "get_host",
    "hookimpl",
    "hookspec",
    "index_schema",
    "indicator",
    "load_index",
    "parse_index",
    "prepare",
    "read_data",
    "read_frame",
    "reset_host",
    "score",
]
