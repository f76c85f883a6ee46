"""The uncertainty of the inputs, cell by cell: what the Monte Carlo of the intervals draws.

Three sources, each turned into independent draws of single cells:

- the data's own estimates (:class:`~riskcore.estimates.Estimates`): a value with a range is
  drawn uniformly in it, a value with a standard error from a normal distribution;
- ``[defaults.unranged]``: a value with neither, of a kind or source given a relative
  uncertainty ``r``, is drawn uniformly in ``v (1 - r)`` to ``v (1 + r)``;
- imputation: a value an imputer filled with a range (``group_range`` ...) is drawn uniformly
  in that range, and one filled without a range by ``[defaults.unranged] imputed``.

Where every uncertain variable is itself a leaf of the index (a raw data variable, without a
denominator or outlier treatment), its draws are applied to the leaf values directly and a whole
batch of runs is normalised and aggregated at once (:attr:`InputNoise.direct`). Otherwise each
run perturbs the data and computes the indicators again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from riskcore.assumptions import DataNoise
from riskcore.engine import normalize_leaves
from riskcore.estimates import KINDS
from riskcore.panel import Panel
from riskcore.plan import Plan
from riskcore.treat import Prepared

if TYPE_CHECKING:
    from riskcore.variants import Batch

__all__ = ["CellNoise", "InputNoise", "input_noise", "run_generators"]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True)
class CellNoise:
    """Independent draws of some cells of an array: uniform in ``[low, high]`` or normal.

    Attributes
    ----------
    uniform_at, normal_at : ndarray of int
        Flat positions of the cells drawn uniformly and normally.
    low, high : ndarray
        The range of each uniform cell.
    mean, sd : ndarray
        Mean and standard deviation of each normal cell.
    """

    uniform_at: NDArray[np.intp]
    low: FloatArray
    high: FloatArray
    normal_at: NDArray[np.intp]
    mean: FloatArray
    sd: FloatArray

    @classmethod
    def of(
        cls,
        uniform: tuple[BoolArray, FloatArray, FloatArray],
        normal: tuple[BoolArray, FloatArray, FloatArray],
    ) -> CellNoise:
        """From masks over the array: ``(where, low, high)`` and ``(where, mean, sd)``; cells of
        zero width or zero SD are left out (they are exact)."""
        where, low, high = uniform
        where = where & (high > low)
        n_where, mean, sd = normal
        n_where = n_where & (sd > 0)
        return cls(
            np.flatnonzero(where), low[where], high[where],
            np.flatnonzero(n_where), mean[n_where], sd[n_where],
        )  # fmt: skip

    @property
    def empty(self) -> bool:
        """Whether no cell is uncertain."""
        return self.uniform_at.size == 0 and self.normal_at.size == 0

    def apply(self, values: FloatArray, rng: np.random.Generator) -> None:
        """Draw every uncertain cell of ``values`` (a contiguous array), in place."""
        self.apply_runs(values[np.newaxis], [rng])

    def apply_runs(self, values: FloatArray, rngs: list[np.random.Generator]) -> None:
        """Draw the cells of every run of ``values`` (runs first, contiguous), each run from
        its own generator (uniform draws first, then normal ones), in place."""
        flat = values.reshape(len(rngs), -1)
        if self.uniform_at.size:
            u = np.empty((len(rngs), self.uniform_at.size))
            for g, row in zip(rngs, u, strict=True):
                g.random(out=row)
            u *= self.high - self.low
            u += self.low
            flat[:, self.uniform_at] = u
        if self.normal_at.size:
            z = np.empty((len(rngs), self.normal_at.size))
            for g, row in zip(rngs, z, strict=True):
                g.standard_normal(out=row)
            z *= self.sd
            z += self.mean
            flat[:, self.normal_at] = z

    def merged(self, other: CellNoise) -> CellNoise:
        """Both sets of cells (``other`` wins where both draw a cell)."""
        keep_u = ~np.isin(self.uniform_at, np.concatenate([other.uniform_at, other.normal_at]))
        keep_n = ~np.isin(self.normal_at, np.concatenate([other.uniform_at, other.normal_at]))
        return CellNoise(
            np.concatenate([self.uniform_at[keep_u], other.uniform_at]),
            np.concatenate([self.low[keep_u], other.low]),
            np.concatenate([self.high[keep_u], other.high]),
            np.concatenate([self.normal_at[keep_n], other.normal_at]),
            np.concatenate([self.mean[keep_n], other.mean]),
            np.concatenate([self.sd[keep_n], other.sd]),
        )


@dataclass(frozen=True)
class InputNoise:
    """The uncertain inputs of an index on a panel.

    Attributes
    ----------
    variables : CellNoise
        Draws of the panel's values ``(variables, countries, years)`` (empty when ``direct``).
    leaves : CellNoise
        Draws of the treated leaf values ``(leaves, countries, years)``: imputed values, and
        the variables' draws when ``direct``.
    direct : bool
        Every uncertain variable is a leaf of its own, so runs need no recomputation of the
        indicators.
    uncertain : ndarray of bool, shape (leaves, countries, years)
        Where a leaf value is drawn (directly, through an uncertain input, or as imputed).
    """

    variables: CellNoise
    leaves: CellNoise
    direct: bool
    uncertain: BoolArray

    @property
    def empty(self) -> bool:
        """Whether nothing is uncertain."""
        return self.variables.empty and self.leaves.empty

    def leaf_runs(
        self, values: FloatArray, batch: Batch, seed: int, norm_plans: Sequence[Plan]
    ) -> FloatArray:
        """Runs whose uncertain inputs are leaves of their own (:attr:`direct`): draw each run's
        treated leaf values ``(runs, leaves, countries, years)`` in place, then normalise the
        whole batch at once per normalisation alternative (``norm_plans``)."""
        assert batch.seeds is not None
        self.leaves.apply_runs(values, run_generators(seed, batch.seeds))
        norm = np.empty_like(values)
        for n, plan in enumerate(norm_plans):
            rows = batch.normalization == n
            if rows.any():
                norm[rows] = normalize_leaves(plan, values[rows])
        return norm


def run_generators(seed: int, seeds: Any) -> list[np.random.Generator]:
    """Each run's own generator, ``numpy.random.default_rng([seed, run seed])``, built without
    ``default_rng``'s per-call overhead (the same streams: tested)."""
    pcg, sequence, generator = np.random.PCG64, np.random.SeedSequence, np.random.Generator
    return [generator(pcg(sequence([seed, int(s)]))) for s in seeds]


def perturbs(data: DataNoise | None) -> bool:
    """Whether an ``[uncertainty.data]`` factor itself perturbs the data."""
    return data is not None and bool(data.relative or data.standard_errors or data.ranges)


def _relative(values: FloatArray, r: FloatArray) -> tuple[FloatArray, FloatArray]:
    a, b = values * (1.0 - r), values * (1.0 + r)
    return np.minimum(a, b), np.maximum(a, b)


def _variable_ranges(plan: Plan, panel: Panel) -> tuple[BoolArray, FloatArray, FloatArray, Any]:
    """Uniform ranges and normal SDs of the panel's values, by the estimates and the unranged
    defaults; ``(ranged, low, high, (normal, mean, sd))`` over the whole panel."""
    shape = panel.values.shape
    values = np.asarray(panel.values)
    est = panel.estimates
    low = np.array(est.low) if est is not None else np.full(shape, np.nan)
    high = np.array(est.high) if est is not None else np.full(shape, np.nan)
    se = np.array(est.se) if est is not None else np.full(shape, np.nan)
    used = np.zeros(shape, bool)
    index = {v: i for i, v in enumerate(panel.variables)}
    for v in plan.variables:
        if v in index:
            used[index[v]] = True
    unranged = plan.unranged
    if unranged is not None:
        kind = np.array(est.kind) if est is not None else np.zeros(shape, np.int8)
        r = np.zeros(shape)
        for k, name in enumerate(KINDS):
            r[kind == k] = getattr(unranged, name)
        if unranged.sources:
            countries = {c: j for j, c in enumerate(panel.countries)}
            years = {y: t for t, y in enumerate(panel.years)}
            for (var, c, y), (source, _, _) in panel.provenance.items():
                if source in unranged.sources and var in index:
                    r[index[var], countries[c], years[y]] = unranged.sources[source]
        bare = np.isnan(low) & np.isnan(se) & ~np.isnan(values) & (r > 0)
        lo, hi = _relative(values, r)
        low, high = np.where(bare, lo, low), np.where(bare, hi, high)
    ranged = used & ~np.isnan(low) & ~np.isnan(values)
    normal = used & ~np.isnan(se) & ~np.isnan(values)
    return ranged, low, high, (normal, values, np.nan_to_num(se))


def input_noise(plan: Plan, panel: Panel, prepared: Prepared) -> InputNoise | None:
    """The uncertain inputs of ``plan`` on ``panel`` (None when every input is exact).

    Parameters
    ----------
    plan : Plan
    panel : Panel
    prepared : Prepared
        The nominal data treatment (:func:`riskcore.treat.prepare`), for imputed values.

    Returns
    -------
    InputNoise or None
    """
    ranged, low, high, (normal, mean, sd) = _variable_ranges(plan, panel)
    index = {v: i for i, v in enumerate(panel.variables)}
    noisy = {v for v in plan.variables if v in index and (ranged | normal)[index[v]].any()}
    direct = all(
        leaf.indicator is None and leaf.denominator is None and leaf.treat_method == "none"
        for leaf in plan.leaves
        if noisy & set(leaf.inputs)
    )
    shape = prepared.values.shape
    uncertain = np.zeros(shape, bool)
    u_where, u_low, u_high = np.zeros(shape, bool), np.full(shape, np.nan), np.full(shape, np.nan)
    n_where, n_mean, n_sd = np.zeros(shape, bool), np.full(shape, np.nan), np.zeros(shape)
    for i, leaf in enumerate(plan.leaves):
        hit = [index[v] for v in leaf.inputs if v in noisy]
        if not hit:
            continue
        uncertain[i] = np.any(ranged[hit] | normal[hit], axis=0) & prepared.observed[i]
        if direct:
            v, m = hit[0], leaf.multiplier
            keep = prepared.observed[i] & ~prepared.excluded
            lo, hi = np.minimum(low[v] * m, high[v] * m), np.maximum(low[v] * m, high[v] * m)
            u_where[i], u_low[i], u_high[i] = ranged[v] & keep, lo, hi
            n_where[i], n_mean[i], n_sd[i] = normal[v] & keep, mean[v] * m, sd[v] * abs(m)
    # imputed values: the imputer's range, else the unranged default for imputed values
    imputed = prepared.imputed
    spread_low = prepared.impute_low if prepared.impute_low is not None else np.full(shape, np.nan)
    spread_high = (
        prepared.impute_high if prepared.impute_high is not None else np.full(shape, np.nan)
    )
    r_imputed = plan.unranged.imputed if plan.unranged is not None else 0.0
    rel_lo, rel_hi = _relative(prepared.values, np.full(shape, r_imputed))
    has_spread = imputed & ~np.isnan(spread_low)
    i_low = np.where(has_spread, spread_low, rel_lo)
    i_high = np.where(has_spread, spread_high, rel_hi)
    i_where = imputed & (i_high > i_low)
    uncertain |= i_where
    imputation = CellNoise.of((i_where, i_low, i_high), (np.zeros(shape, bool), i_low, i_low))
    if direct:
        leaves = CellNoise.of((u_where, u_low, u_high), (n_where, n_mean, n_sd)).merged(imputation)
        variables = CellNoise.of(
            (np.zeros(low.shape, bool), low, high), (np.zeros(low.shape, bool), low, low)
        )
    else:
        leaves = imputation
        variables = CellNoise.of((ranged, low, high), (normal, mean, sd))
    out = InputNoise(variables, leaves, direct, uncertain)
    return None if out.empty else out
