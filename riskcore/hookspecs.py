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
    from riskcore.methods.impute import Imputer
    from riskcore.methods.outliers import Treatment
    from riskcore.methods.weighting import Weighting

__all__ = [
    "hookimpl",
    "hookspec",
    "riskcore_aggregators",
    "riskcore_imputers",
    "riskcore_indicators",
    "riskcore_normalizers",
    "riskcore_treatments",
    "riskcore_weightings",
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


@hookspec
def riskcore_imputers() -> Iterable[Imputer]:
    """Return the imputation methods this plugin provides.

    Returns
    -------
    Iterable[Imputer]
        Objects following :class:`riskcore.methods.impute.Imputer`: a ``name`` selectable as
        ``impute = "<name>"`` or ``{ method = "<name>", ... }``, a ``description``, ``Params``
        and ``__call__(values, params, context)`` that fills missing values of one indicator
        ``(countries, years)`` and never changes an observed one.
    """


@hookspec
def riskcore_treatments() -> Iterable[Treatment]:
    """Return the outlier treatments this plugin provides.

    Returns
    -------
    Iterable[Treatment]
        Objects following :class:`riskcore.methods.outliers.Treatment`: a ``name`` selectable
        as ``outliers = "<name>"`` or ``{ method = "<name>", ... }``, a ``description``,
        ``Params`` and ``__call__(values, params)`` returning the treated values of one
        indicator and a JSON-ready report of what was done.
    """


@hookspec
def riskcore_weightings() -> Iterable[Weighting]:
    """Return the weighting methods this plugin provides.

    Returns
    -------
    Iterable[Weighting]
        Objects following :class:`riskcore.methods.weighting.Weighting`: a ``name`` selectable
        as ``weighting = "<name>"`` or ``{ method = "<name>", ... }``, a ``description``,
        ``Params``, ``data_driven`` and ``__call__(children, given, params, context)``
        returning one weight set per batch member.
    """
