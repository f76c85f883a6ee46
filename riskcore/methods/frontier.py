"""Benefit of the doubt: a data-envelopment weight set per country, as an aggregation.

Registered with the other aggregations under the plugin ``riskcore.aggregate`` (name ``bod``).
Needs scipy (``pip install 'riskcore[scipy]'``), imported only when the method runs.

For each country ``c`` (and year, and batch member) the weights are the ones most favourable to
``c``, found by the linear programme

.. math::

    \\mathrm{CI}_c = \\max_{w \\ge 0} \\sum_q w_q y_{cq}
    \\quad \\text{s.t.} \\quad \\sum_q w_q y_{kq} \\le 1 \\;\\; \\text{for every country } k,
    \\qquad l \\sum_q w_q \\le w_q \\le u \\sum_q w_q,

so the best performers under their own weights score 1 and no country scores above 1. The
bounds ``l`` (``lower_share``) and ``u`` (``upper_share``) keep each child's share of the total
weight within limits; without them a country can put all its weight on its single best child.
The node's own weights are not used (each country gets its own); children should be normalised
onto a common 0..1 scale (min-max, as in the Handbook).

References
----------
OECD/JRC (2008), *Handbook on Constructing Composite Indicators*, section 6.3 and Table 19
(the TAI case, with shares between 0.10 and 0.15); Cherchye, Moesen, Rogge and Van Puyenbroeck
(2007), "An introduction to 'benefit of the doubt' composite indicators", *Social Indicators
Research* 82.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray
from pydantic import Field, model_validator

from riskcore.errors import ExtraError
from riskcore.methods.base import MethodBase, MethodParams

__all__ = ["BenefitOfTheDoubt", "BoDParams", "bod_weights", "check_shares"]

FloatArray = NDArray[np.float64]

_FRONTIER_TOL = 1e-7  # the solver's feasibility tolerance: this close to 1 is on the frontier


class BoDParams(MethodParams):
    lower_share: float = Field(0.0, ge=0, le=1, description="least share of a child's weight")
    upper_share: float = Field(1.0, gt=0, le=1, description="largest share of a child's weight")

    @model_validator(mode="after")
    def _check(self) -> BoDParams:
        if self.lower_share > self.upper_share:
            raise ValueError("lower_share must not exceed upper_share")
        return self


def check_shares(params: BoDParams, k: int) -> None:
    """Raise ValueError when no weights of ``k`` children keep to the share bounds.

    Shares sum to one, so ``k * lower_share`` must not exceed 1 and ``k * upper_share`` must
    reach it; otherwise the only weights left are zeros and every country would score 0.
    """
    if k < 1:
        raise ValueError("no children to weigh")
    if params.lower_share * k > 1 + 1e-12:
        raise ValueError(
            f"lower_share = {params.lower_share} cannot hold for {k} children: "
            f"{k} x {params.lower_share} exceeds 1 (use at most {math.floor(1e4 / k) / 1e4:g})"
        )
    if params.upper_share * k < 1 - 1e-12:
        raise ValueError(
            f"upper_share = {params.upper_share} cannot hold for {k} children: "
            f"{k} x {params.upper_share} is below 1 (use at least {math.ceil(1e4 / k) / 1e4:g})"
        )


def bod_weights(y: FloatArray, params: BoDParams | None = None) -> tuple[FloatArray, FloatArray]:
    """Solve the benefit-of-the-doubt programme for every country of one table.

    Parameters
    ----------
    y : ndarray, shape (countries, k)
        Normalised children values; rows with a missing value are left out (NaN result).
    params : BoDParams, optional

    Returns
    -------
    ci : ndarray, shape (countries,)
        The composite of each country under its own most favourable weights.
    weights : ndarray, shape (countries, k)
        Those weights (not normalised: they carry the scale of the composite).
    """
    try:
        from scipy.optimize import linprog
    except ImportError:  # pragma: no cover - exercised without scipy
        raise ExtraError(
            "the 'bod' aggregation needs scipy: pip install 'riskcore[scipy]'"
        ) from None
    p = params or BoDParams()
    n, k = y.shape
    ok = ~np.any(np.isnan(y), axis=1)
    ci = np.full(n, np.nan)
    weights = np.full((n, k), np.nan)
    check_shares(p, k)
    # the composite does not change when every value is scaled alike (the weights take the
    # inverse scale), so the programme is solved on values scaled to a largest of 1: tiny
    # values would otherwise need weights far beyond the solver's tolerances
    top = float(np.max(np.abs(y[ok]))) if ok.any() else 0.0
    scale = top if top > 0 else 1.0
    frontier = y[ok] / scale
    ones = np.ones((k, k))
    eye = np.eye(k)
    a_ub = np.vstack([frontier, p.lower_share * ones - eye, eye - p.upper_share * ones])
    b_ub = np.concatenate([np.ones(frontier.shape[0]), np.zeros(2 * k)])
    for c in np.flatnonzero(ok):
        res = linprog(-y[c] / scale, A_ub=a_ub, b_ub=b_ub, bounds=[(0, None)] * k, method="highs")
        if res.status == 0:
            ci[c] = -res.fun
            weights[c] = res.x / scale
    # the solver's tolerance leaves countries on the frontier a few ulps off 1 (above the scale,
    # or below it so that their tie is ranked by noise): put them on it, with their weights
    near = ci >= 1.0 - _FRONTIER_TOL  # nothing scores above 1: a higher value is solver error
    weights[near] /= np.sum(weights[near] * y[near], axis=1, keepdims=True)
    ci[near] = 1.0
    return ci, weights


class BenefitOfTheDoubt(MethodBase):
    """Benefit of the doubt: each country scored under its own most favourable weights."""

    name = "bod"
    description = "benefit of the doubt: per-country DEA weights by linear programming (scipy)"
    Params = BoDParams

    def __call__(self, values: FloatArray, weights: FloatArray, params: Any) -> FloatArray:
        return self.with_weights(values, weights, params)[0]

    def check(self, params: Any, n_children: int) -> None:
        """Raise ValueError when the share bounds cannot hold for ``n_children``."""
        check_shares(params, n_children)

    def with_weights(
        self, values: FloatArray, weights: FloatArray, params: Any
    ) -> tuple[FloatArray, FloatArray]:
        """The composites and each country's own weights (see :func:`bod_weights`).

        Parameters
        ----------
        values : ndarray, shape (batch, countries, years, k)
        weights : ndarray, broadcastable to ``values``
            Only which children are present (weight above 0) counts.
        params : BoDParams

        Returns
        -------
        composite : ndarray, shape (batch, countries, years)
        chosen : ndarray, shape (batch, countries, years, k)
            The weights of each country's linear programme: ``composite = sum(chosen * values)``.
        """
        p = params or BoDParams()
        w = np.broadcast_to(weights, values.shape)
        present = np.isfinite(w) & (w > 0)
        y = np.where(present, values, np.nan)
        out = np.full(values.shape[:-1], np.nan)
        chosen = np.full(values.shape, np.nan)
        # runs that differ only in weights, or elsewhere in the tree, give this node the same
        # table: each distinct table is solved once
        solved: dict[bytes, tuple[FloatArray, FloatArray] | None] = {}
        for b in range(values.shape[0]):
            for t in range(values.shape[2]):
                table = y[b, :, t]
                key = table.tobytes()
                if key not in solved:
                    solved[key] = self._solve(table, p)
                result = solved[key]
                if result is not None:
                    out[b, :, t], chosen[b, :, t] = result
        return out, chosen

    @staticmethod
    def _solve(table: FloatArray, p: BoDParams) -> tuple[FloatArray, FloatArray] | None:
        """One table (countries, k): composites and weights, None when the node has no value.

        A child no country has (excluded, dropped, or no data that year) takes no part; with
        too few children left for the share bounds the node has no value.
        """
        active = np.any(~np.isnan(table), axis=0)
        try:
            check_shares(p, int(active.sum()))
        except ValueError:
            return None
        ci, w_active = bod_weights(table[:, active], p)
        block = np.zeros((ci.size, active.size))
        block[:, active] = w_active
        return ci, np.where(np.isnan(ci)[:, None], np.nan, block)
