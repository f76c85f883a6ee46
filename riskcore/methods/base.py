"""The shape every method follows, and the helpers they share.

A method is a small object with a ``name`` (how an index file selects it), a ``description``, an
optional pydantic ``Params`` model for its parameters, and ``__call__``. Built-in methods are
registered through the same hooks as third-party ones (see :mod:`riskcore.hookspecs`).

Arrays carry a leading batch axis: normalisers get ``(batch, countries, years)`` and aggregators
``(batch, countries, years, children)``, so a nominal score (batch of 1) and 10,000 Monte Carlo
replications run through the same code.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, ClassVar, Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

from riskcore._strict import FileModel

__all__ = [
    "Aggregator",
    "MethodParams",
    "NamedMethod",
    "Normalizer",
    "json_int",
    "json_number",
    "rank_min",
]

FloatArray = NDArray[np.float64]


def json_number(x: float) -> float | None:
    """``x`` as a JSON number: a float, or None for NaN."""
    x = float(x)
    return None if math.isnan(x) else x


def json_int(x: float) -> int | None:
    """``x`` as a JSON integer, or None for NaN (ranks)."""
    return None if math.isnan(float(x)) else int(x)


class MethodParams(FileModel):
    """Base of the parameter models of methods: frozen, unknown keys are errors, and a number
    written as text or as true/false is an error (:class:`riskcore._strict.FileModel`)."""


@runtime_checkable
class NamedMethod(Protocol):
    """What every method has: the name an index file selects it by, a one-line description for
    ``riskcore plugins`` and the docs, and the pydantic model of its parameters."""

    @property
    def name(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def Params(self) -> type[MethodParams]: ...  # noqa: N802


@runtime_checkable
class Normalizer(NamedMethod, Protocol):
    """A normalisation method.

    Attributes
    ----------
    name : str
        The name an index file uses: ``normalize = { method = "<name>", ... }``.
    description : str
        One line for ``riskcore plugins`` and the docs.
    center : float
        Values of a lower-is-riskier indicator are reflected about this point once normalised,
        ``y' = 2 * center - y``, so that high values are risky (0.5 for methods onto 0..1, 0 for
        z-scores). Direction is handled here, once, for every method. Two optional hooks
        refine it: ``center_for(params)`` when the centre depends on the parameters (a rescaled
        z-score), and ``reflected(values, params, axis)`` for methods whose reflection is not a
        mirror image (ranks and percentiles rank the negated values instead, so that ties keep
        the lowest rank and the scale stays the same).
    Params : type of MethodParams
        The parameters the method accepts (besides ``method`` and ``per_year``). When they
        have a ``range`` (``[low, high]`` on the index scale, as
        :class:`riskcore.methods.normalise.RangeParams`), the engine maps the method's 0..1,
        direction applied, onto that part of the scale.
    pointwise : bool, optional
        True for a method whose value for one entry depends on that entry alone (fixed
        goalposts), so that ``axis`` does not matter: data noise then need not be drawn for the
        years an analysis does not show (:func:`riskcore.noise.pooling_step`). Absent means
        false.
    """

    @property
    def center(self) -> float: ...

    def __call__(self, values: FloatArray, params: Any, *, axis: tuple[int, ...]) -> FloatArray:
        """Normalise ``values`` (batch, countries, years), rising with the input.

        Parameters
        ----------
        values : ndarray
            Raw values, NaN for missing; shape ``(batch, countries, years)``.
        params : MethodParams
            An instance of ``Params``.
        axis : tuple of int
            The axes statistics are taken over: ``(1, 2)`` over all countries and years,
            ``(1,)`` within each year. The batch axis is never pooled.

        Returns
        -------
        ndarray
            Same shape; NaN where the input is NaN.
        """
        ...


@runtime_checkable
class Aggregator(NamedMethod, Protocol):
    """A weighted aggregation method.

    Attributes
    ----------
    name : str
        The name an index file uses: ``aggregation = "<name>"``.
    description : str
        One line for ``riskcore plugins`` and the docs.
    Params : type of MethodParams
        The parameters the method accepts.
    """

    def __call__(self, values: FloatArray, weights: FloatArray, params: Any) -> FloatArray:
        """Reduce the last axis of ``values`` with ``weights``.

        Parameters
        ----------
        values : ndarray, shape (..., k)
            Children values. Missing children have weight 0 and a finite placeholder value.
        weights : ndarray, broadcastable to ``values``
            Non-negative, summing to 1 over the last axis.
        params : MethodParams
            An instance of ``Params``.

        Returns
        -------
        ndarray, shape (...)

        Notes
        -----
        A method that chooses its own weights for every country (benefit of the doubt) may also
        define ``with_weights(values, weights, params)``, returning the node values and the
        weights it chose, of the same shape as ``values``, such that each value is
        ``sum(chosen * values)`` over the last axis. riskcore scores with it, reports
        those weights (:attr:`riskcore.Scores.country_weights`) and explains the node exactly.
        A method whose value is ``sum(weights * values)`` may set ``additive = True`` (the
        built-in ``arithmetic`` does); :meth:`riskcore.Scores.explain` is then exact at its
        nodes. A method may also define ``check(params, n_children)``, raising ValueError when its
        parameters cannot hold for a node with that many children; the index file is then
        rejected with the node's key.
        """
        ...


class NoParams(MethodParams):
    """A method without parameters."""


class MethodBase:
    """Convenience base for method classes: no parameters, name and description as class
    attributes."""

    name: ClassVar[str]
    description: ClassVar[str]
    Params: ClassVar[type[MethodParams]] = NoParams

    def __repr__(self) -> str:
        return f"<{type(self).__name__} '{self.name}'>"


def params_from(method: Any, raw: Mapping[str, Any]) -> MethodParams:
    """Validate ``raw`` parameters with the method's ``Params`` model."""
    model: type[MethodParams] = getattr(method, "Params", NoParams)
    return model.model_validate(dict(raw))


def sum_last(values: FloatArray, weights: FloatArray | None = None) -> FloatArray:
    """The sum over the last axis of ``values`` (times ``weights`` when given).

    Always equal to ``np.sum(values * weights, axis=-1)`` (``np.sum(values, axis=-1)``
    without weights), with its shape and dtype. On the aggregators' usual case, float64 values
    and weights whose broadcast last axis has from 1 to 7 terms, it adds the terms one child at
    a time instead, which avoids the slow reduction numpy makes over a short last axis (a
    node's few children); that gives the same bits as ``np.sum`` in the numpy versions tested
    (numpy adds so few terms in order, starting from 0.0), checked by a property test over
    shapes, dtypes and memory layouts (tests/test_engine.py). Anything else goes to
    ``np.sum`` itself: other dtypes, no terms or eight and more (numpy's pairwise sum), a
    0-d result of broadcasting.

    Parameters
    ----------
    values : ndarray, shape (..., k)
    weights : ndarray or float, optional
        Broadcastable to ``values`` (a scalar, a last axis of 1 or of ``k``; a last axis of
        ``k`` against values whose last axis is 1).

    Returns
    -------
    ndarray, shape (...)
        The broadcast shape of ``values`` and ``weights`` without its last axis.
    """
    v = np.asarray(values)
    w = None if weights is None else np.asarray(weights)
    shape = v.shape if w is None else np.broadcast_shapes(v.shape, w.shape)
    k = shape[-1] if shape else 0
    usual = v.dtype == np.float64 and (w is None or w.dtype == np.float64)
    if not usual or not 0 < k < 8:
        out: FloatArray = np.sum(v if w is None else v * w, axis=-1)
        return out
    # numpy's sum starts from +0.0 (so that -0.0 terms sum to 0.0), then adds in order
    if w is None:
        out = v[..., 0] + 0.0
        for j in range(1, k):
            out += v[..., j]
        return out
    v, w = np.broadcast_to(v, shape), np.broadcast_to(w, shape)
    out = np.zeros(shape[:-1])
    term = np.empty(shape[:-1])
    for j in range(k):
        np.multiply(v[..., j], w[..., j], out=term)
        out += term
    return out


def rank_min(values: FloatArray, axis: int = -1) -> FloatArray:
    """Ascending ranks along one axis, ties sharing the lowest rank; NaN stays NaN.

    ``[3, 1, 3, 2]`` ranks as ``[3, 1, 3, 2]``; ``[1, 2, 2, 4]`` as ``[1, 2, 2, 4]``. Rank 1 is the
    smallest value. Vectorised over every other axis (a sort, no Python loop).

    Parameters
    ----------
    values : ndarray
    axis : int

    Returns
    -------
    ndarray of float
        Ranks ``1..n`` where ``n`` counts the non-missing values along the axis.
    """
    x = np.moveaxis(np.asarray(values, dtype=np.float64), axis, -1)
    n = x.shape[-1]
    if n == 0:
        return np.moveaxis(x.copy(), -1, axis)
    # NaN sorts last; tied values share the lowest rank whatever their order, so the sort
    # need not be stable
    order = np.argsort(x, axis=-1)
    s = np.take_along_axis(x, order, axis=-1)
    pos = np.broadcast_to(np.arange(n), s.shape)
    new_group = np.ones(s.shape, dtype=bool)
    new_group[..., 1:] = s[..., 1:] != s[..., :-1]
    start = np.where(new_group, pos, 0)
    start = np.maximum.accumulate(start, axis=-1)
    ranks_sorted = (start + 1).astype(np.float64)
    ranks_sorted[np.isnan(s)] = np.nan
    ranks = np.empty_like(ranks_sorted)
    np.put_along_axis(ranks, order, ranks_sorted, axis=-1)
    return np.moveaxis(ranks, -1, axis)
