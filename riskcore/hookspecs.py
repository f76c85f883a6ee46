"""The plugin contract: one documented function per hook.

Every hook here is a *collection* hook: each registered plugin may implement it and returns an
iterable of objects. riskcore calls the implementations one at a time, so that every object knows
the plugin (and distribution) it came from and a failing plugin is reported by name.

Hooks take no arguments, so their implementations are called the same way on pluggy 1.5 to 1.7.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from riskcore.indicators import Indicator
    from riskcore.methods.base import Aggregator, Normalizer

__all__ = [
    "hookimpl",
    "hookspec",
    "riskcore_aggregators",
    "riskcore_indicators",
    "riskcore_normalizers",
]

PROJECT_NAME = "riskcore"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec
def riskcore_indicators() -> Iterable[Indicator]:
    """Return the indicators this plugin provides.

    Returns
    -------
    Iterable[Indicator]
        :class:`riskcore.Indicator` objects, usually made with :func:`riskcore.indicator`.
        Codes must be unique across all plugins; a code provided twice is reported with every
        provider and cannot be used in an index until one provider is disabled.
    """


@hookspec
def riskcore_normalizers() -> Iterable[Normalizer]:
    """Return the normalisation methods this plugin provides.

    Returns
    -------
    Iterable[Normalizer]
        Objects following :class:`riskcore.methods.Normalizer`: a ``name`` selectable in an
        index file as ``normalize = { method = "<name>", ... }``, a ``description``, a
        ``center`` about which lower-is-riskier values are reflected, and
        ``__call__(values, params, axis)`` returning values that rise with the input.
    """


@hookspec
def riskcore_aggregators() -> Iterable[Aggregator]:
    """Return the aggregation methods this plugin provides.

    Returns
    -------
    Iterable[Aggregator]
        Objects following :class:`riskcore.methods.Aggregator`: a ``name`` selectable in an
        index file as ``aggregation = "<name>"`` or ``{ method = "<name>", ... }``, a
        ``description`` and ``__call__(values, weights, params)`` that reduces the last axis.
    """
