"""Built-in weighted aggregation methods, registered as the plugin ``riskcore.aggregate``.

Each reduces the last axis of ``values`` with weights that are non-negative and sum to one over
the children present (the engine gives missing children weight 0 and a placeholder value of 1,
which no method below lets through). All are non-decreasing in every child with a positive
weight.

References
----------
OECD/JRC (2008), *Handbook on Constructing Composite Indicators*, section 1.6 (aggregation).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
from numpy.typing import NDArray
from pydantic import Field

from riskcore.hookspecs import hookimpl
from riskcore.methods.base import Aggregator, MethodBase, MethodParams, sum_last
from riskcore.methods.frontier import BenefitOfTheDoubt
from riskcore.methods.outranking import Copeland, WeightedMedian

__all__ = [
    "Arithmetic",
    "Geometric",
    "GeometricParams",
    "Harmonic",
    "Maximum",
    "Minimum",
    "PowerMean",
    "Sum",
]

FloatArray = NDArray[np.float64]


class Arithmetic(MethodBase):
    r"""Weighted arithmetic mean, :math:`\sum_k w_k x_k`: fully compensatory."""

    name = "arithmetic"
    description = "weighted arithmetic mean, sum w x"
    additive = True  # the value is sum(w * x): explain is exact

    def __call__(self, values: FloatArray, weights: FloatArray, params: Any) -> FloatArray:
        out: FloatArray = sum_last(values, weights)
        return out


def _geometric(values: FloatArray, weights: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        if np.size(weights) < np.size(values) and bool(np.all(np.asarray(weights) > 0)):
            # weights shared across countries and all positive: no 0 * log(0) to mask
            out: FloatArray = np.exp(sum_last(np.log(values), weights))
            return out
        logs = np.where(weights > 0, weights * np.log(values), 0.0)
        out = np.exp(sum_last(logs))
    return out


class GeometricParams(MethodParams):
    reflect: bool = Field(
        False, description="the geometric mean of 1 - x, mapped back: high values dominate"
    )
    shift: float = Field(
        0.0, ge=0, allow_inf_nan=False, description="added before and taken away after the mean"
    )


class Geometric(MethodBase):
    r"""Weighted geometric mean, :math:`\prod_k x_k^{w_k}`: partly compensatory.

    A child at zero makes the node zero. Defined for non-negative values only; negative values
    (from z-scores, say) give NaN, which the engine reports.

    With ``shift = s`` the mean is taken of the shifted values and shifted back,
    :math:`G_s(x) = \prod_k (x_k + s)^{w_k} - s`, so that a child at zero no longer makes the
    node zero. With ``reflect = true`` it is the *reflected* (dual) geometric mean,

    .. math:: 1 - G_s(1 - x) = 1 + s - \prod_k (1 - x_k + s)^{w_k},

    for children on 0..1: the geometric mean of the distances to the top, mapped back, so that
    a high child dominates (a child at 1 makes the node 1 when ``s = 0``) as the plain mean lets
    a low one dominate. Risk indices use it so that one severe hazard is not averaged away.
    Both forms are non-decreasing in every child; on ``[0.2, 0.8]`` with equal weights the plain
    mean is 0.4 and the reflected one 0.6.

    References
    ----------
    Grabisch, M., Marichal, J.-L., Mesiar, R. and Pap, E. (2009), *Aggregation Functions*,
    Cambridge University Press, section 1.3 (the dual of an aggregation function,
    :math:`A^d(x) = 1 - A(1 - x)`).
    """

    name = "geometric"
    description = "weighted geometric mean, prod x^w (non-negative values); reflect, shift"
    Params = GeometricParams

    def __call__(self, values: FloatArray, weights: FloatArray, params: Any) -> FloatArray:
        # callers that pass no parameters (a method without Params) get the plain mean
        s = float(getattr(params, "shift", 0.0))
        if getattr(params, "reflect", False):
            return 1.0 - (_geometric(1.0 - values + s, weights) - s)
        if s:
            return _geometric(values + s, weights) - s
        return _geometric(values, weights)


def _power(values: FloatArray, weights: FloatArray, p: float) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        terms = np.where(weights > 0, weights * np.power(values, p), 0.0)
        out: FloatArray = np.power(sum_last(terms), 1.0 / p)
    if p < 0:
        # a child at zero dominates a mean of negative order: the node is zero
        zero = np.any((weights > 0) & (values == 0), axis=-1)
        out = np.where(zero, 0.0, out)
    return out


class Harmonic(MethodBase):
    r"""Weighted harmonic mean, :math:`1 / \sum_k (w_k / x_k)`: the least compensatory mean.

    A child at zero makes the node zero. Non-negative values only.
    """

    name = "harmonic"
    description = "weighted harmonic mean, 1 / sum(w / x) (non-negative values)"

    def __call__(self, values: FloatArray, weights: FloatArray, params: Any) -> FloatArray:
        return _power(values, weights, -1.0)


class PowerMeanParams(MethodParams):
    p: float = Field(description="the order of the mean; 1 arithmetic, 0 geometric, -1 harmonic")


class PowerMean(MethodBase):
    r"""Weighted power mean of order ``p``, :math:`(\sum_k w_k x_k^p)^{1/p}`.

    ``p = 1`` is the arithmetic, ``p = 0`` the geometric (the limit), ``p = -1`` the harmonic
    mean; lower orders compensate less. Non-negative values only.
    """

    name = "power_mean"
    description = "weighted power mean (sum w x^p)^(1/p); p = 0 is the geometric mean"
    Params = PowerMeanParams

    def __call__(self, values: FloatArray, weights: FloatArray, params: Any) -> FloatArray:
        if params.p == 0:
            return _geometric(values, weights)
        return _power(values, weights, float(params.p))


class Sum(Arithmetic):
    r"""Weighted sum, :math:`\sum_k w_k x_k`, with weights that are points, not shares.

    A leaf normalised onto 0..1 with weight 4 adds up to 4 points; a child that is itself a sum
    adds its points times its weight (weight 1: as they are). The node's value is a number of
    points and is reported on the index scale as it is (``score = points``), so the index scale
    follows the sum rather than mapping 0..1 onto ``[low, high]``.

    The engine passes the weights as given (``points = True``), not rescaled over the children
    present: a missing child adds no points. A ``sum`` node is therefore missing when a child
    is, unless the node sets its own ``min_coverage`` below 1 (then missing children count as
    zero points, and the node's coverage says how many points were present); fill children
    whose missing values mean zero with ``impute = { method = "constant", value = 0 }``.

    Examples
    --------
    Freedom in the World: 25 questions scored 0..4 and summed to a total out of 100.
    """

    name = "sum"
    description = "weighted sum, sum w x, weights are points (the scale follows the sum)"
    points = True  # weights as given, values in points: see riskcore.engine.aggregate
    additive = False  # sum(w * x) in points, not in shares of the normalised scale


class Minimum(MethodBase):
    """The smallest child with a positive weight (weights decide only which children count)."""

    name = "min"
    description = "the smallest child with a positive weight: non-compensatory"

    def __call__(self, values: FloatArray, weights: FloatArray, params: Any) -> FloatArray:
        out: FloatArray = np.min(np.where(weights > 0, values, np.inf), axis=-1)
        return out


class Maximum(MethodBase):
    """The largest child with a positive weight (weights decide only which children count)."""

    name = "max"
    description = "the largest child with a positive weight: the worst risk dominates"

    def __call__(self, values: FloatArray, weights: FloatArray, params: Any) -> FloatArray:
        out: FloatArray = np.max(np.where(weights > 0, values, -np.inf), axis=-1)
        return out


BUILTIN_AGGREGATORS: tuple[Aggregator, ...] = (
    Arithmetic(),
    Geometric(),
    Harmonic(),
    PowerMean(),
    Minimum(),
    Maximum(),
    Sum(),
    WeightedMedian(),
    Copeland(),
    BenefitOfTheDoubt(),
)


@hookimpl
def riskcore_aggregators() -> Iterable[Aggregator]:
    """The built-in aggregation methods."""
    return BUILTIN_AGGREGATORS
