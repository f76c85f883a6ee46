"""Built-in normalisation methods, registered as the plugin ``riskcore.normalize``.

Every method maps raw values to values that rise with the input; the engine then reflects
lower-is-riskier indicators about the method's ``center``. Data-driven methods take their
statistics over the axes they are given: all countries and years (default), or each year.

References
----------
OECD/JRC (2008), *Handbook on Constructing Composite Indicators: Methodology and User Guide*,
section 1.5 and Table 15. Paris: OECD Publishing.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable
from typing import Annotated, Any, Literal

import numpy as np
from numpy.typing import NDArray
from pydantic import BeforeValidator, Field, ValidationInfo, field_validator, model_validator

from riskcore.hookspecs import hookimpl
from riskcore.methods.base import MethodBase, MethodParams, Normalizer, rank_min

__all__ = ["Goalpost", "MinMax", "Percentile", "PowerTransform", "RangeParams", "Rank", "ZScore"]

FloatArray = NDArray[np.float64]


def _pooled(fn: Any, values: FloatArray, axis: tuple[int, ...]) -> FloatArray:
    """Apply a nan-aware reduction over ``axis``, keeping dims, quiet on all-missing slices."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        out: FloatArray = fn(values, axis=axis, keepdims=True)
    return out


def _pooled_ranks(values: FloatArray, axis: tuple[int, ...]) -> tuple[FloatArray, FloatArray]:
    """Ascending min-tie ranks pooled over ``axis`` and the count of non-missing values."""
    keep = [a for a in range(values.ndim) if a not in axis]
    moved = np.transpose(values, keep + list(axis))
    lead = moved.shape[: len(keep)]
    flat = moved.reshape(*lead, -1)
    ranks = rank_min(flat, axis=-1).reshape(moved.shape)
    inverse = np.argsort(keep + list(axis))
    ranks = np.transpose(ranks, inverse)
    n = np.sum(~np.isnan(values), axis=axis, keepdims=True).astype(np.float64)
    return ranks, n


class _RankBased(MethodBase):
    """Methods on ranks: a lower-is-riskier indicator is ranked on its negated values."""

    def __call__(self, values: FloatArray, params: Any, *, axis: tuple[int, ...]) -> FloatArray:
        raise NotImplementedError

    def reflected(self, values: FloatArray, params: Any, *, axis: tuple[int, ...]) -> FloatArray:
        """For a lower-is-riskier indicator: the ranks of the negated values, so that the
        lowest value ranks highest, ties share the lowest rank and the scale stays the same."""
        return self(-values, params, axis=axis)


class RangeParams(MethodParams):
    """Parameters of a method onto 0..1 that may be mapped onto part of the index scale."""

    range: tuple[float, float] | None = Field(
        None,
        description="[low, high] on the index scale that the method's 0..1 maps onto (COINr's "
        "min-max to [1, 100] keeps zeros out of geometric means); within the scale",
    )

    @field_validator("range")
    @classmethod
    def _range(cls, v: tuple[float, float] | None) -> tuple[float, float] | None:
        if v is not None and not (math.isfinite(v[0]) and math.isfinite(v[1]) and v[0] < v[1]):
            raise ValueError(f"range must be [low, high] with low < high, got {list(v)}")
        return v


class MinMax(MethodBase):
    r"""Min-max rescaling onto 0..1, or onto a chosen ``range`` of the index scale.

    .. math:: y = \frac{x - \min x}{\max x - \min x}

    A constant indicator (max = min) cannot tell countries apart and maps to 0.5. With
    ``range = [a, b]`` the engine maps ``y`` onto ``a + (b - a) y`` on the index scale, after
    reflecting a lower-is-riskier indicator (COINr's ``n_minmax`` with ``l_u = c(a, b)``).
    """

    name = "minmax"
    description = "(x - min) / (max - min), onto 0..1 or onto range = [low, high]"
    center = 0.5
    Params = RangeParams

    def __call__(self, values: FloatArray, params: Any, *, axis: tuple[int, ...]) -> FloatArray:
        # in halves: the same ratio (halving is exact), and max - min cannot overflow when the
        # values span more than the range of numbers (-1e308 and 1.7e308)
        lo = _pooled(np.nanmin, values, axis) / 2.0
        hi = _pooled(np.nanmax, values, axis) / 2.0
        span = hi - lo
        if bool(np.all(span > 0)):  # the common case: no constant slice, NaN stays NaN
            fast: FloatArray = values / 2.0
            fast -= lo
            fast /= span
            return fast
        with np.errstate(invalid="ignore", divide="ignore"):
            out = np.where(span > 0, (values / 2.0 - lo) / np.where(span > 0, span, 1.0), 0.5)
        return np.where(np.isnan(values), np.nan, out)


class ZScoreParams(MethodParams):
    ddof: Literal[0, 1] = Field(
        1, description="delta degrees of freedom of the standard deviation (1: sample)"
    )
    mean: float = Field(0.0, description="rescale: the mean of the result")
    sd: float = Field(1.0, gt=0, description="rescale: the standard deviation of the result")


class ZScore(MethodBase):
    r"""Standardisation: distance to the mean in standard deviations.

    .. math:: y = \frac{x - \bar x}{s}

    ``s`` is the sample standard deviation (``ddof = 1``, as in the Handbook's Table 15) unless
    ``ddof = 0``. Values are not bounded to 0..1; lower-is-riskier values are negated.
    ``mean`` and ``sd`` rescale the result to ``mean + sd * y`` (COINr's ``mean = 10, sd = 2``
    keeps values positive for geometric means); lower-is-riskier values are then reflected
    about ``mean``.
    """

    name = "zscore"
    description = "(x - mean) / standard deviation (sample, ddof = 1)"
    center = 0.0
    Params = ZScoreParams

    def __call__(self, values: FloatArray, params: Any, *, axis: tuple[int, ...]) -> FloatArray:
        mean = _pooled(np.nanmean, values, axis)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            sd = np.nanstd(values, axis=axis, keepdims=True, ddof=params.ddof)
        with np.errstate(invalid="ignore", divide="ignore"):
            out = np.where(sd > 0, (values - mean) / np.where(sd > 0, sd, 1.0), 0.0)
        out = params.mean + params.sd * out
        return np.where(np.isnan(values), np.nan, out)

    def center_for(self, params: Any) -> float:
        """Lower-is-riskier values are reflected about the rescaled mean."""
        return float(params.mean)


class Rank(_RankBased):
    r"""Ranks rescaled onto 0..1.

    .. math:: y = \frac{r - 1}{n - 1}

    ``r`` is the ascending rank with ties sharing the lowest rank (Table 15 of the Handbook)
    among the ``n`` non-missing values; a single value maps to 0.5.
    """

    name = "rank"
    description = "(rank - 1) / (n - 1), ties sharing the lowest rank"
    center = 0.5

    def __call__(self, values: FloatArray, params: Any, *, axis: tuple[int, ...]) -> FloatArray:
        r, n = _pooled_ranks(values, axis)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(n > 1, (r - 1.0) / np.where(n > 1, n - 1.0, 1.0), 0.5 + 0 * r)


class Percentile(_RankBased):
    r"""Percentile ranks on 0..1.

    .. math:: y = r / n

    with ``r`` the ascending rank (ties sharing the lowest rank) among ``n`` non-missing values,
    as in Table 15 of the Handbook (which prints ``100 r / n``).
    """

    name = "percentile"
    description = "rank / n, ties sharing the lowest rank"
    center = 0.5

    def __call__(self, values: FloatArray, params: Any, *, axis: tuple[int, ...]) -> FloatArray:
        r, n = _pooled_ranks(values, axis)
        with np.errstate(invalid="ignore", divide="ignore"):
            return r / n


_TRANSFORMS = {"log": np.log, "log10": np.log10, "log1p": np.log1p}


class PowerTransform(MethodParams):
    """``transform = { power = p }``: values and goalposts raised to the power ``p``."""

    power: float = Field(allow_inf_nan=False, description="the exponent p of x^p (not 0)")


def _transform(value: Any) -> Any:
    """A transform's name, or ``{ power = p }`` checked here (one message, no union noise)."""
    if isinstance(value, str) and value not in _TRANSFORMS:
        raise ValueError(
            f"unknown transform {value!r}: one of {', '.join(_TRANSFORMS)}, or {{ power = p }}"
        )
    if isinstance(value, dict):
        p = value.get("power")
        if set(value) != {"power"}:
            raise ValueError(f"a power transform is {{ power = p }}, got keys {sorted(value)}")
        if isinstance(p, bool) or not isinstance(p, (int, float)) or not math.isfinite(p):
            raise ValueError(f"power must be a finite number, got {p!r}")
        if p == 0:
            raise ValueError("power 0 maps every value to 1; choose another exponent")
        return PowerTransform(power=float(p))
    if not isinstance(value, (str, PowerTransform)):
        raise ValueError(
            f"transform is one of {', '.join(_TRANSFORMS)} or {{ power = p }}, got {value!r}"
        )
    return value


Transform = Annotated[str | PowerTransform, BeforeValidator(_transform)]


def _apply(transform: str | PowerTransform, x: Any) -> Any:
    if isinstance(transform, PowerTransform):
        return np.power(x, transform.power)
    return _TRANSFORMS[transform](x)


class GoalpostParams(RangeParams):
    # the transformed forms come first, so that lower and upper are checked against them
    lower_transformed: float | None = Field(
        None, description="the goalpost mapped to 0, in transformed units (instead of lower)"
    )
    upper_transformed: float | None = Field(
        None, description="the goalpost mapped to 1, in transformed units (instead of upper)"
    )
    lower: float | None = Field(
        None, validate_default=True, description="the goalpost mapped to 0, in raw units"
    )
    upper: float | None = Field(
        None, validate_default=True, description="the goalpost mapped to 1, in raw units"
    )
    clip: bool = Field(True, description="clip values outside the goalposts to 0 and 1")
    transform: Transform | None = Field(
        None,
        description="log, log10, log1p or { power = p }, applied to values and goalposts alike "
        "before rescaling",
    )
    zero: float | None = Field(
        None,
        description="under a log or log10 transform, the normalised value (0..1) of a value of "
        "exactly 0, as published indices write IF(x = 0, 0, ...)",
    )

    @field_validator("lower", "upper")
    @classmethod
    def _one_form(cls, v: float | None, info: ValidationInfo) -> float | None:
        given = info.data.get(f"{info.field_name}_transformed")
        if v is None and given is None:
            raise ValueError(
                f"required parameter is missing: {info.field_name} (or "
                f"{info.field_name}_transformed, in transformed units)"
            )
        if v is not None and given is not None:
            raise ValueError(f"give {info.field_name} or {info.field_name}_transformed, not both")
        return v

    def goalposts(self) -> tuple[float, float]:
        """The goalposts in transformed units (raw units without a transform)."""
        out = []
        for raw, given in (
            (self.lower, self.lower_transformed),
            (self.upper, self.upper_transformed),
        ):
            if given is not None:
                out.append(float(given))
            else:
                with np.errstate(all="ignore"):
                    t = raw if self.transform is None else _apply(self.transform, raw)
                out.append(float(t))  # type: ignore[arg-type]
        return out[0], out[1]

    @model_validator(mode="after")
    def _check(self) -> GoalpostParams:
        for side in ("lower", "upper"):
            if getattr(self, f"{side}_transformed") is not None and self.transform is None:
                raise ValueError(f"{side}_transformed needs a transform")
        if self.zero is not None and self.transform not in ("log", "log10"):
            raise ValueError("zero is for a log or log10 transform, where log(0) has no value")
        lo, hi = self.goalposts()
        if not (np.isfinite(lo) and np.isfinite(hi)):
            raise ValueError(
                f"goalposts {self.lower}, {self.upper} are outside the domain of the transform"
            )
        if not lo < hi:
            if self.transform is None:
                raise ValueError(f"lower ({self.lower}) must be below upper ({self.upper})")
            raise ValueError(
                f"the lower goalpost must be below the upper one, in transformed units: {lo:g} "
                f"and {hi:g}"
            )
        return self


class Goalpost(MethodBase):
    r"""Rescaling between fixed goalposts, clipped by default.

    .. math:: y = \mathrm{clip}\left(\frac{t(x) - t(L)}{t(U) - t(L)}, 0, 1\right)

    ``L`` and ``U`` are the goalposts and ``t`` the optional transform (``log``, ``log10``,
    ``log1p``, or a power ``{ power = p }``, :math:`t(x) = x^p`), applied to values and
    goalposts alike; ``lower_transformed`` and ``upper_transformed`` give :math:`t(L)` and
    :math:`t(U)` directly instead. Values outside the transform's domain (``log`` of zero, say)
    are reported as an error by the engine, unless ``zero`` says what a value of exactly 0
    normalises to under a log transform (``IF(x = 0, 0, ...)``: ``zero = 0``). ``range = [a, b]``
    maps the result onto ``a + (b - a) y`` on the index scale, as for :class:`MinMax`.

    References
    ----------
    UNDP (2001), Human Development Report, technical note on the Technology Achievement Index;
    Saisana, Saltelli and Tarantola (2005), JRSS A 168(2), Table 1.
    """

    name = "goalpost"
    description = "(x - lower) / (upper - lower), clipped; optional log/log10/log1p/power transform"
    center = 0.5
    pointwise = True  # each value against the fixed goalposts: no statistic over the data
    Params = GoalpostParams

    def __call__(self, values: FloatArray, params: Any, *, axis: tuple[int, ...]) -> FloatArray:
        lo, hi = params.goalposts()
        x = values
        if params.transform is not None:
            with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
                x = _apply(params.transform, values)
                x = np.where(np.isfinite(x) | np.isnan(values), x, np.nan)
        out = (x - lo) / (hi - lo)
        if params.clip:
            out = np.clip(out, 0.0, 1.0)
        if params.zero is not None:
            out = np.where(values == 0, params.zero, out)
        return np.asarray(out, dtype=np.float64)


Reference = Literal["mean", "median", "max", "min"] | float


def _reference(values: FloatArray, ref: Reference, axis: tuple[int, ...]) -> FloatArray | float:
    if isinstance(ref, str):
        fn = {"mean": np.nanmean, "median": np.nanmedian, "max": np.nanmax, "min": np.nanmin}
        return _pooled(fn[ref], values, axis)
    return float(ref)


class RatioParams(MethodParams):
    reference: Reference = Field(
        "mean", description="mean, median, max, min of the data, or a target value"
    )


class Ratio(MethodBase):
    r"""Ratio to a reference: :math:`y = x / r`.

    ``r`` is the mean, median, maximum or minimum of the data (the Handbook's "ratio to the
    mean", "to the best", "to the worst") or a fixed target. Unbounded; 1 at the reference.
    """

    name = "ratio"
    description = "x / reference (mean, median, max, min, or a target)"
    center = 1.0
    Params = RatioParams

    @staticmethod
    def relate(values: FloatArray, ref: FloatArray | float) -> FloatArray:
        """The value relative to the reference."""
        out: FloatArray = values / ref
        return out

    def __call__(self, values: FloatArray, params: Any, *, axis: tuple[int, ...]) -> FloatArray:
        ref = _reference(values, params.reference, axis)
        with np.errstate(invalid="ignore", divide="ignore"):
            out: FloatArray = np.where(ref != 0, self.relate(values, ref), np.nan)
        return out


class Distance(Ratio):
    r"""Relative distance to a reference or target: :math:`y = (x - r) / |r|`.

    The Handbook's "relative difference to the mean" (or to the best, the worst) and "distance
    to a target"; 0 at the reference.
    """

    name = "distance"
    description = "(x - reference) / |reference| (mean, median, max, min, or a target)"
    center = 0.0

    @staticmethod
    def relate(values: FloatArray, ref: FloatArray | float) -> FloatArray:
        """The difference to the reference, relative to its size."""
        out: FloatArray = (values - ref) / np.abs(ref)
        return out


class ThresholdParams(MethodParams):
    band: float = Field(0.2, ge=0, description="relative band around the mean")


class Threshold(MethodBase):
    r"""Above or below the mean: 1 above ``(1 + band) * mean``, -1 below ``(1 - band) * mean``,
    0 in between (the Handbook's "indicators above or below the mean")."""

    name = "threshold"
    description = "1 above (1 + band) mean, -1 below (1 - band) mean, else 0"
    center = 0.0
    Params = ThresholdParams

    def __call__(self, values: FloatArray, params: Any, *, axis: tuple[int, ...]) -> FloatArray:
        mean = _pooled(np.nanmean, values, axis)
        with np.errstate(invalid="ignore", divide="ignore"):
            rel = values / mean - 1.0
        out: FloatArray = np.where(rel > params.band, 1.0, np.where(rel < -params.band, -1.0, 0.0))
        return np.where(np.isnan(values), np.nan, out)


class CategoricalParams(MethodParams):
    cuts: list[float] = Field(
        [0.05, 0.15, 0.35, 0.65, 0.85, 0.95],
        description="ascending percentile cut points (0..1) between the categories",
    )
    scores: list[float] = Field(
        [0.0, 0.2, 0.4, 0.5, 0.6, 0.8, 1.0],
        description="the value of each category, one more than the cuts",
    )

    @model_validator(mode="after")
    def _check(self) -> CategoricalParams:
        if len(self.scores) != len(self.cuts) + 1:
            raise ValueError("scores needs one value more than cuts")
        if sorted(self.cuts) != list(self.cuts):
            raise ValueError("cuts must be ascending")
        if sorted(self.scores) != list(self.scores):
            raise ValueError("scores must be ascending, so that the scale rises with the input")
        return self


class Categorical(_RankBased):
    r"""Categorical scale by percentile: each value gets the score of its percentile band.

    The percentile is :math:`r / n` as in :class:`Percentile`; a value whose percentile is
    above a cut moves to the next category. The default reproduces the Handbook's Table 15:
    top 5 % score 100, 85-95 % 80, 65-85 % 60, 35-65 % 50, 15-35 % 40, 5-15 % 20, bottom 5 % 0
    (as fractions of one).
    """

    name = "categorical"
    description = "score of the value's percentile band (default: Handbook Table 15)"
    center = 0.5
    Params = CategoricalParams

    def __call__(self, values: FloatArray, params: Any, *, axis: tuple[int, ...]) -> FloatArray:
        r, n = _pooled_ranks(values, axis)
        with np.errstate(invalid="ignore", divide="ignore"):
            pct = r / n
        band = np.searchsorted(np.asarray(params.cuts), np.where(np.isnan(pct), 0, pct), "left")
        out: FloatArray = np.asarray(params.scores)[band]
        return np.where(np.isnan(values), np.nan, out)


class Identity(MethodBase):
    """No normalisation: the values as they are (already on a common scale)."""

    name = "none"
    description = "the values as they are"
    center = 0.0
    pointwise = True

    def __call__(self, values: FloatArray, params: Any, *, axis: tuple[int, ...]) -> FloatArray:
        return values


BUILTIN_NORMALIZERS: tuple[Normalizer, ...] = (
    MinMax(),
    ZScore(),
    Rank(),
    Percentile(),
    Goalpost(),
    Ratio(),
    Distance(),
    Threshold(),
    Categorical(),
    Identity(),
)


@hookimpl
def riskcore_normalizers() -> Iterable[Normalizer]:
    """The built-in normalisation methods."""
    return BUILTIN_NORMALIZERS
