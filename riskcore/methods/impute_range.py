"""Imputation methods that give a range, registered as the plugin ``riskcore.impute_range``.

Each fills a missing value with a central value, like any imputer, and also says how far the
truth may lie from it: its ``spread(values, params, context=...)`` returns ``(filled, low,
high)``. The engine records the range of every value it filled, and the Monte Carlo of the
intervals (:mod:`riskcore.intervals`) draws the value uniformly in it, so that a country with an
imputed indicator gets a wider interval, never a silent central value.

- ``group_range``: the median of the country's group (a region, say) in the same year, within
  the group's range (lowest to highest value);
- ``neighbour_range``: the mean of the ``k`` countries most similar on the other indicators in
  the same year, within their range;
- ``panel_spread``: the country's own value of the nearest year, within the range of its own
  values over the years.

A range of one value (a group with one member, a country observed once) has no spread; combine
with ``[defaults.unranged] imputed`` to widen such values too.

References
----------
OECD/JRC (2008), *Handbook on Constructing Composite Indicators*, section 1.3 (imputation of
missing data: hot-deck and cold-deck imputation, and the uncertainty imputation adds).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import Any

import numpy as np
from numpy.typing import NDArray
from pydantic import Field

from riskcore.hookspecs import hookimpl
from riskcore.methods.base import MethodBase, MethodParams
from riskcore.methods.impute import GroupParams, ImputeContext, Imputer, group_rows, stat

__all__ = ["GroupRange", "NeighbourRange", "PanelSpread", "RangeImputer"]

FloatArray = NDArray[np.float64]
Spread = tuple[FloatArray, FloatArray, FloatArray]


class RangeImputer(MethodBase):
    """Base of the imputers that give a range: ``__call__`` is the central value of
    :meth:`spread`."""

    def spread(self, values: FloatArray, params: Any, *, context: ImputeContext) -> Spread:
        """``(filled, low, high)``, each of the shape of ``values``; observed values unchanged,
        ``low`` and ``high`` NaN where nothing was filled."""
        raise NotImplementedError

    def __call__(self, values: FloatArray, params: Any, *, context: ImputeContext) -> FloatArray:
        return self.spread(values, params, context=context)[0]


def _filled(values: FloatArray, center: FloatArray, low: FloatArray, high: FloatArray) -> Spread:
    missing = np.isnan(values) & ~np.isnan(center)
    nan = np.full(values.shape, np.nan)
    return (
        np.where(missing, center, values),
        np.where(missing, low, nan),
        np.where(missing, high, nan),
    )


class GroupRange(RangeImputer):
    """The group's median, within the group's range (in the same year unless ``per_year`` is
    false). Countries without a group label stay missing."""

    name = "group_range"
    description = "median of the country's group, drawn within the group's range"
    Params = GroupParams

    def spread(self, values: FloatArray, params: Any, *, context: ImputeContext) -> Spread:
        center, low, high = (np.full(values.shape, np.nan) for _ in range(3))
        for rows in group_rows(context, params.group, values.shape[0]):
            part = values[rows]
            center[rows] = stat(np.nanmedian, part, params.per_year)
            low[rows] = stat(np.nanmin, part, params.per_year)
            high[rows] = stat(np.nanmax, part, params.per_year)
        return _filled(values, center, low, high)


class NeighbourParams(MethodParams):
    k: int = Field(3, ge=1, description="how many of the most similar countries")


class NeighbourRange(RangeImputer):
    """The mean of the ``k`` countries most similar on the other indicators, within their range.

    Similarity in a year is the mean squared difference of the standardised values (z-scores
    over every country and year) of the indicators both countries have that year; only
    countries with a value of the imputed indicator that year are candidates. A country that
    shares no indicator with any candidate stays missing, and so does every country when the
    imputer is given no other indicators.
    """

    name = "neighbour_range"
    description = "mean of the k most similar countries, drawn within their range"
    Params = NeighbourParams

    def spread(self, values: FloatArray, params: Any, *, context: ImputeContext) -> Spread:
        nan = np.full(values.shape, np.nan)
        if context.indicators is None or context.position is None:  # nothing to compare on
            return values.copy(), nan, nan
        others = np.delete(context.indicators, context.position, axis=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            mean = np.nanmean(others, axis=(1, 2), keepdims=True)
            sd = np.nanstd(others, axis=(1, 2), keepdims=True)
            z = (others - mean) / np.where(sd > 0, sd, 1.0)
            # (indicators, countries, countries, years): differences of every pair
            diff = (z[:, :, None, :] - z[:, None, :, :]) ** 2
            distance = np.nanmean(diff, axis=0)  # (countries, candidates, years)
        candidate = ~np.isnan(values)[None, :, :] & ~np.isnan(distance)
        n_c = values.shape[0]
        candidate &= ~np.eye(n_c, dtype=bool)[:, :, None]
        distance = np.where(candidate, distance, np.inf)
        order = np.argsort(distance, axis=1, kind="stable")[:, : params.k, :]
        near = np.take_along_axis(candidate, order, axis=1)
        target = np.broadcast_to(values[None, :, :], distance.shape)
        picked = np.where(near, np.take_along_axis(target, order, axis=1), np.nan)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            center = np.nanmean(picked, axis=1)
            low, high = np.nanmin(picked, axis=1), np.nanmax(picked, axis=1)
        return _filled(values, center, low, high)


class PanelSpread(RangeImputer):
    """The country's own value of the nearest year with data (the earlier one on a tie), within
    the range of its own values over the years. A country without any value stays missing."""

    name = "panel_spread"
    per_country = True
    description = "the country's nearest year, drawn within its own range over the years"

    def spread(self, values: FloatArray, params: Any, *, context: ImputeContext) -> Spread:
        n_y = values.shape[-1]
        years = np.arange(n_y)
        have = ~np.isnan(values)
        # distance from each year to each observed year of the same country
        gap = np.abs(years[:, None] - years[None, :]).astype(np.float64)  # (year, source)
        gap = np.where(have[:, None, :], gap[None], np.inf)  # (country, year, source)
        nearest = np.argmin(gap, axis=-1)
        center = np.take_along_axis(values, nearest, axis=-1)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            low = np.broadcast_to(np.nanmin(values, axis=-1, keepdims=True), values.shape)
            high = np.broadcast_to(np.nanmax(values, axis=-1, keepdims=True), values.shape)
        return _filled(values, center, low, high)


BUILTIN_RANGE_IMPUTERS: tuple[Imputer, ...] = (GroupRange(), NeighbourRange(), PanelSpread())


@hookimpl
def riskcore_imputers() -> Iterable[Imputer]:
    """Provide the built-in imputation methods that give a range."""
    return BUILTIN_RANGE_IMPUTERS
