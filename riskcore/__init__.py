"""riskcore: country risk scoring in which every indicator is a plugin.

Combine indicator plugins into per-country composite scores the JRC/OECD way: normalise,
weight, aggregate up a tree of any depth, and keep the provenance of every number.

>>> import riskcore
>>> spec = riskcore.load_index("examples/post_soviet/index.toml")    # doctest: +SKIP
>>> panel = riskcore.read_data("examples/post_soviet/inputs.csv")    # doctest: +SKIP
>>> riskcore.score(spec, panel).to_records()                         # doctest: +SKIP
"""

from riskcore.api import score
from riskcore.data import Panel, Provenance, read_data, read_frame
from riskcore.engine import Evaluation, evaluate
from riskcore.errors import DataError, IndicatorError, PluginLoadError, RiskcoreError, SpecError
from riskcore.hookspecs import hookimpl, hookspec
from riskcore.indicators import Indicator, indicator
from riskcore.plan import Plan, compile_plan
from riskcore.plugins import PluginHost, PluginInfo, PluginWarning, get_host, reset_host
from riskcore.result import Contribution, Explanation, Scores
from riskcore.spec import IndexSpec, index_schema, load_index, parse_index
from riskcore.treat import Prepared, compute_indicators, prepare

__version__ = "0.1.0"

__all__ = [
    "Contribution",
    "DataError",
    "Evaluation",
    "Explanation",
    "IndexSpec",
    "Indicator",
    "IndicatorError",
    "Panel",
    "Plan",
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
