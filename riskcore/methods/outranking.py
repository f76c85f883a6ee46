"""Less compensatory aggregations: the weighted median and Copeland's outranking method.

Registered with the other aggregations under the plugin ``riskcore.aggregate``.

Copeland compares countries, not only a country's children: for every pair of countries in a
year, country ``a`` beats ``b`` when the children on which ``a`` is higher carry more than half of
the weight (ties count half). A country's Copeland score is its wins minus its losses, rescaled
from ``-(n - 1)..(n - 1)`` onto ``0..1``. A high value on one child cannot make up for low values
on the others, which is the point of a non-compensatory method. The cost grows with the square of
the number of countries.

References
----------
OECD/JRC (2008), *Handbook on Constructing Composite Indicators*, section 6.3 (non-compensatory
multi-criteria approach); Munda and Nardo (2009), "Noncompensatory/nonlinear composite
indicators for ranking countries: a defensible setting", *Applied Economics* 41(12).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from riskcore.methods.base import MethodBase

__all__ = ["Copeland", "WeightedMedian"]

FloatArray = NDArray[np.float64]


class WeightedMedian(MethodBase):
    r"""Weighted median of the children.

    The smallest child value at which the cumulated weight (children sorted by value) reaches
    one half; when it reaches exactly one half, the mean of that value and the next.
    """

    name = "median"
    description = "weighted median of the children"

    def __call__(self, values: FloatArray, weights: FloatArray, params: Any) -> FloatArray:
        w = np.broadcast_to(weights, values.shape)
        x = np.where(w > 0, values, np.inf)  # zero-weight children sort last
        order = np.argsort(x, axis=-1, kind="stable")
        xs = np.take_along_axis(x, order, axis=-1)
        ws = np.take_along_axis(w, order, axis=-1)
        cum = np.cumsum(ws, axis=-1)
        tol = 1e-12
        first = np.argmax(cum >= 0.5 - tol, axis=-1)[..., np.newaxis]
        at = np.take_along_axis(xs, first, axis=-1)[..., 0]
        exact = np.abs(np.take_along_axis(cum, first, axis=-1)[..., 0] - 0.5) <= tol
        nxt_idx = np.minimum(first + 1, xs.shape[-1] - 1)
        nxt = np.take_along_axis(xs, nxt_idx, axis=-1)[..., 0]
        out: FloatArray = np.where(exact & np.isfinite(nxt), (at + nxt) / 2.0, at)
        return out


class Copeland(MethodBase):
    """Copeland's outranking score of each country among the countries of the same year."""

    name = "copeland"
    description = "Copeland outranking: pairwise weighted majority wins minus losses, onto 0..1"

    def __call__(self, values: FloatArray, weights: FloatArray, params: Any) -> FloatArray:
        # values, weights: (batch, countries, years, k); weights are NaN for a country with no
        # child present and 0 for a missing child
        w = np.broadcast_to(weights, values.shape)
        have = np.isfinite(w) & (w > 0)
        wa = np.where(have, w, 0.0)
        xa = values[:, :, np.newaxis]  # a: (b, c, 1, y, k)
        xb = values[:, np.newaxis]  # b: (b, 1, c, y, k)
        both = have[:, :, np.newaxis] & have[:, np.newaxis]
        pair_w = np.where(both, (wa[:, :, np.newaxis] + wa[:, np.newaxis]) / 2.0, 0.0)
        total = pair_w.sum(axis=-1)
        with np.errstate(invalid="ignore", divide="ignore"):
            support = (
                np.sum(pair_w * ((xa > xb) + 0.5 * (xa == xb)), axis=-1) / total
            )  # (b, c, c, y)
        valid = total > 0
        wins = np.sum(valid & (support > 0.5), axis=2)
        losses = np.sum(valid & (support < 0.5), axis=2)
        present = np.any(have, axis=-1)  # (b, c, y)
        n = np.sum(present, axis=1, keepdims=True)  # (b, 1, y)
        with np.errstate(invalid="ignore", divide="ignore"):
            out = ((wins - losses) + (n - 1)) / (2.0 * (n - 1))
        out = np.where(n > 1, out, 0.5)
        result: FloatArray = np.where(present, out, np.nan)
        return result
