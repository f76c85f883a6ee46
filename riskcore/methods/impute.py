"""Built-in imputation methods, registered as the plugin ``riskcore.impute``.

An imputer fills missing values of one indicator, an array ``(countries, years)``, and never
changes an observed value. The engine flags every value it filled, counts it apart in coverage
and reports it with the method's name.

Cross-sectional methods (``mean``, ``median``, ``group_mean``, ``group_median``) take their
statistic over the countries of each year, so that a country is filled from its peers in the
same year; ``per_year = false`` pools every year. Longitudinal methods (``locf``, ``linear``)
fill along the years of each country.

References
----------
OECD/JRC (2008), *Handbook on Constructing Composite Indicators*, section 1.3 (imputation of
missing data).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, ClassVar, Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray
from pydantic import Field, field_validator

from riskcore.hookspecs import hookimpl
from riskcore.methods.base import MethodBase, MethodParams, NamedMethod

__all__ = [
    "Constant",
    "GroupMean",
    "GroupMedian",
    "ImputeContext",
    "Imputer",
    "Linear",
    "Locf",
    "Mean",
    "Median",
    "NoImputation",
    "group_rows",
    "stat",
]

FloatArray = NDArray[np.float64]


class ImputeContext:
    """What an imputer may know beyond the values: the countries' group labels, and the other
    indicators.

    Parameters
    ----------
    groups : mapping of str to sequence of (str or None)
        Group column name to one label per country (None when a country has no label).
    indicators : ndarray, shape (leaves, countries, years), optional
        Every indicator's values before imputation (to find similar countries).
    position : int, optional
        The imputed indicator's position in ``indicators``.
    """

    def __init__(
        self,
        groups: Mapping[str, Sequence[str | None]] | None = None,
        *,
        indicators: FloatArray | None = None,
        position: int | None = None,
    ) -> None:
        self.groups = dict(groups or {})
        self.indicators = indicators
        self.position = position

    def labels(self, column: str) -> Sequence[str | None]:
        """The labels of a group column; KeyError naming the columns there are."""
        try:
            return self.groups[column]
        except KeyError:
            known = ", ".join(sorted(self.groups)) or "none"
            raise KeyError(
                f"group column '{column}' is not in the data (group columns: {known})"
            ) from None


@runtime_checkable
class Imputer(NamedMethod, Protocol):
    """An imputation method.

    Attributes
    ----------
    name : str
        The name an index file uses: ``impute = "<name>"`` or ``{ method = "<name>", ... }``.
    description : str
    Params : type of MethodParams
    per_country : bool, optional
        True for a method that fills a country's values from that country's own values alone
        (its other years: ``locf``, ``linear``, ``panel_spread``), never from other countries'.
        The intervals' Monte Carlo may then impute many runs in one call
        (:mod:`riskcore.batched`). Absent means false.
    """

    def __call__(self, values: FloatArray, params: Any, *, context: ImputeContext) -> FloatArray:
        """Return ``values`` (countries, years) with missing entries filled where possible."""
        ...


def _fill(values: FloatArray, filler: FloatArray) -> FloatArray:
    out: FloatArray = np.where(np.isnan(values), filler, values)
    return out


def stat(fn: Any, values: FloatArray, per_year: bool) -> FloatArray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        axis = 0 if per_year else None
        out: FloatArray = np.broadcast_to(fn(values, axis=axis, keepdims=True), values.shape)
    return out


class CrossSectionParams(MethodParams):
    per_year: bool = Field(True, description="statistic within each year (false: all years)")


class GroupParams(CrossSectionParams):
    group: str = Field(description="the data column that names each country's group")


class NoImputation(MethodBase):
    """Leave missing values missing (the default)."""

    name = "none"
    per_country = True
    description = "leave missing values missing"

    def __call__(self, values: FloatArray, params: Any, *, context: ImputeContext) -> FloatArray:
        return values


class ConstantParams(MethodParams):
    value: float = Field(description="the value every missing entry takes")

    @field_validator("value")
    @classmethod
    def _finite(cls, v: float) -> float:
        if not math.isfinite(v):
            raise ValueError(f"value must be a finite number, got {v}")
        return v


class Constant(MethodBase):
    """One stated value for every missing entry: ``{ method = "constant", value = 0 }``.

    For indicators whose missing values have a known meaning, such as a question a survey asks
    only of some countries and scores 0 for the rest (Freedom House's discretionary questions).
    The filled values are flagged as imputed like any other.
    """

    name = "constant"
    per_country = True
    description = "a stated value (value = ...) for every missing entry"
    Params = ConstantParams

    def __call__(self, values: FloatArray, params: Any, *, context: ImputeContext) -> FloatArray:
        return _fill(values, np.full_like(values, float(params.value)))


class _CrossSection(MethodBase):
    """Fill from a statistic of the other countries (of the same group, when ``group`` is set)."""

    statistic: ClassVar[Any] = staticmethod(np.nanmean)
    Params: ClassVar[type[MethodParams]] = CrossSectionParams

    def __call__(self, values: FloatArray, params: Any, *, context: ImputeContext) -> FloatArray:
        group = getattr(params, "group", None)
        if group is None:
            return _fill(values, stat(self.statistic, values, params.per_year))
        out: FloatArray = values.copy()
        for rows in group_rows(context, group, values.shape[0]):
            out[rows] = _fill(values[rows], stat(self.statistic, values[rows], params.per_year))
        return out


def group_rows(context: ImputeContext, group: str, n: int) -> list[NDArray[np.bool_]]:
    """One mask of countries per label of a group column (countries without a label in none)."""
    labels = np.array([str(g) if g is not None else "" for g in context.labels(group)])
    if labels.shape[0] != n:
        raise ValueError(f"group column '{group}' has {labels.shape[0]} labels")
    return [labels == label for label in np.unique(labels[labels != ""])]


class Mean(_CrossSection):
    """The mean of the other countries (in the same year)."""

    name = "mean"
    description = "mean of the countries with data, per year"


class Median(_CrossSection):
    """The median of the other countries (in the same year)."""

    name = "median"
    description = "median of the countries with data, per year"
    statistic = staticmethod(np.nanmedian)


class GroupMean(_CrossSection):
    """The mean of the countries of the same group (in the same year).

    Countries without a group label stay missing.
    """

    name = "group_mean"
    description = "mean of the countries of the same group, per year"
    Params = GroupParams


class GroupMedian(_CrossSection):
    """The median of the countries of the same group (in the same year)."""

    name = "group_median"
    description = "median of the countries of the same group, per year"
    Params = GroupParams
    statistic = staticmethod(np.nanmedian)


class Locf(MethodBase):
    """Last observation carried forward along the years of each country.

    Gaps before a country's first observation stay missing.
    """

    name = "locf"
    per_country = True
    description = "last observation carried forward, per country"

    def __call__(self, values: FloatArray, params: Any, *, context: ImputeContext) -> FloatArray:
        n_y = values.shape[-1]
        idx = np.where(~np.isnan(values), np.arange(n_y), -1)
        idx = np.maximum.accumulate(idx, axis=-1)
        filled = np.take_along_axis(values, np.maximum(idx, 0), axis=-1)
        out: FloatArray = np.where(idx >= 0, filled, np.nan)
        return out


class Linear(MethodBase):
    """Linear interpolation between a country's observations, by year.

    Only gaps between two observations are filled; no extrapolation beyond the first or last.
    """

    name = "linear"
    per_country = True
    description = "linear interpolation across years, interior gaps only"

    def __call__(self, values: FloatArray, params: Any, *, context: ImputeContext) -> FloatArray:
        n_y = values.shape[-1]
        pos = np.arange(n_y, dtype=np.float64)
        have = ~np.isnan(values)
        prev = np.maximum.accumulate(np.where(have, pos, -1.0), axis=-1)
        nxt = np.flip(
            np.minimum.accumulate(np.flip(np.where(have, pos, np.inf), axis=-1), axis=-1),
            axis=-1,
        )
        inside = (prev >= 0) & np.isfinite(nxt) & ~have
        p = np.clip(prev, 0, n_y - 1).astype(np.intp)
        q = np.clip(np.where(np.isfinite(nxt), nxt, 0), 0, n_y - 1).astype(np.intp)
        vp = np.take_along_axis(values, p, axis=-1)
        vq = np.take_along_axis(values, q, axis=-1)
        with np.errstate(invalid="ignore", divide="ignore"):
            t = (pos - prev) / (nxt - prev)
            interp = vp + t * (vq - vp)
        out: FloatArray = np.where(inside, interp, values)
        return out


BUILTIN_IMPUTERS: tuple[Imputer, ...] = (
    NoImputation(),
    Constant(),
    Mean(),
    Median(),
    GroupMean(),
    GroupMedian(),
    Locf(),
    Linear(),
)


@hookimpl
def riskcore_imputers() -> Iterable[Imputer]:
    """Provide the built-in imputation methods."""
    return BUILTIN_IMPUTERS
