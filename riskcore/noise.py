"""Data noise for uncertainty runs, drawn by position: counter-based random numbers.

A run's draw for one value of the panel depends only on the analysis seed, the run's own seed
(from its row of the design) and the value's position (variable, country, year). So a run can
draw the values its outputs depend on and no others (the analysed year, when no step of the
index pools years), any number of runs can draw at once as arrays, and the numbers are the same
whatever the chunk, the worker and the years drawn.

The generator is SplitMix64 (Steele, Lea and Flood 2014): the ``n``-th number of the stream with
state ``s`` is ``mix(s + n * 0x9E3779B97F4A7C15)``, so any position is computed directly. Each
run has its own stream, keyed by mixing the seed, the run's seed and the kind of draw. Normal
draws come in Box-Muller pairs, two neighbouring positions from one number (its top 32 bits
the radius, tails to 6.7 standard deviations; its low 24 bits the angle, whose cosine and sine
come from two small tables by the angle-sum formulas); uniform draws use the top 53 bits of one
number. Nothing per draw but the logarithm of the radius depends on the processor.
Positions run over countries fastest, then years, then variables.

References
----------
Steele, G. L., Lea, D. and Flood, C. H. (2014), "Fast splittable pseudorandom number
generators", *OOPSLA 2014*, 453-472.
"""

from __future__ import annotations

import math
from functools import cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

from riskcore.assumptions import DataNoise
from riskcore.plan import Plan

__all__ = ["perturb", "pooling_step"]

FloatArray = NDArray[np.float64]
UIntArray = NDArray[np.uint64]

_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_RELATIVE, _ERRORS, _RANGES = 1, 2, 3  # one stream per kind of draw


def _mix(z: UIntArray) -> UIntArray:
    """The SplitMix64 output function, in place (uint64 arithmetic wraps)."""
    z ^= z >> np.uint64(30)
    z *= _M1
    z ^= z >> np.uint64(27)
    z *= _M2
    z ^= z >> np.uint64(31)
    return z


def _stream(seed: int, runs: NDArray[np.int64], kind: int) -> UIntArray:
    """One stream state per run, for one kind of draw."""
    head = _mix(np.array([seed & 0xFFFFFFFFFFFFFFFF], dtype=np.uint64) + np.uint64(kind))
    return _mix(runs.astype(np.uint64) ^ head)


def _numbers(states: UIntArray, first: int, count: int) -> UIntArray:
    """Numbers ``first .. first + count - 1`` of every stream (runs,): shape (runs, count)."""
    steps = np.arange(first, first + count, dtype=np.uint64) * _GAMMA
    return _mix(states[:, np.newaxis] + steps[np.newaxis, :])


def _uniform(states: UIntArray, first: int, count: int) -> FloatArray:
    """Uniform draws in (0, 1) at positions ``first ..``: one number each (its top 53 bits)."""
    out: FloatArray = (_numbers(states, first, count) >> np.uint64(11)).astype(np.float64)
    out += 0.5
    out *= 2.0**-53
    return out


@cache
def _turns() -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Cosines and sines of the coarse angles ``2 pi i / 2**12`` and the fine angles
    ``2 pi i / 2**24`` (``i < 2**12``), from the C library's scalar ``cos`` and ``sin``."""
    coarse = [2.0 * math.pi * i / 2**12 for i in range(2**12)]
    fine = [2.0 * math.pi * i / 2**24 for i in range(2**12)]
    return (
        np.array([math.cos(a) for a in coarse]),
        np.array([math.sin(a) for a in coarse]),
        np.array([math.cos(a) for a in fine]),
        np.array([math.sin(a) for a in fine]),
    )


def _normal(states: UIntArray, first: int, count: int) -> FloatArray:
    """Standard normal draws at positions ``first ..``: positions ``2 j`` and ``2 j + 1`` are the
    Box-Muller pair of number ``j``, its top 32 bits the radius, its low 24 bits the angle.

    The angle ``2 pi k / 2**24`` is a coarse angle (the top 12 bits of ``k``) plus a fine one
    (the low 12), and its cosine and sine come from theirs (:func:`_turns`) by the angle-sum
    formulas: double precision, and nothing per draw but table look-ups, multiplications and
    additions, whose results IEEE arithmetic fixes on every processor (numpy's vectorised
    ``cos`` and ``sin`` may differ in the last bits from one processor to another, and are
    ten times slower here)."""
    lo, hi = first // 2, (first + count - 1) // 2
    z = _numbers(states, lo, hi - lo + 1)
    cos_coarse, sin_coarse, cos_fine, sin_fine = _turns()
    coarse = ((z >> np.uint64(12)) & np.uint64(0xFFF)).astype(np.intp)
    fine = (z & np.uint64(0xFFF)).astype(np.intp)
    z >>= np.uint64(32)
    radius = z.astype(np.float64)
    radius += 1.0
    radius *= 2.0**-32  # in (0, 1]
    np.log(radius, out=radius)
    radius *= -2.0
    np.sqrt(radius, out=radius)
    cc, sc = cos_coarse.take(coarse), sin_coarse.take(coarse)
    cf, sf = cos_fine.take(fine), sin_fine.take(fine)
    pairs = np.empty((len(states), 2 * z.shape[1]))
    cos, sin = pairs[:, 0::2], pairs[:, 1::2]
    np.multiply(cc, cf, out=cos)  # cos(a + b) = cos a cos b - sin a sin b
    np.multiply(sc, cf, out=sin)  # sin(a + b) = sin a cos b + cos a sin b
    sin += np.multiply(cc, sf, out=cc)
    cos -= np.multiply(sc, sf, out=sf)
    cos *= radius
    sin *= radius
    start = first - 2 * lo
    return pairs[:, start : start + count]


def perturb(
    values: FloatArray,
    variables: tuple[str, ...],
    noise: DataNoise,
    *,
    seed: int,
    runs: NDArray[np.int64],
    years: NDArray[np.intp],
    n_years: int,
    keep: list[int] | None = None,
) -> FloatArray:
    """The panel's values as each run draws them, for some of its years.

    Parameters
    ----------
    values : ndarray, shape (variables, countries, len(years))
        The panel's values in those years.
    variables : tuple of str
        The panel's variables, in order.
    noise : DataNoise
        What varies: every value by a relative factor ``U(1 - r, 1 + r)``, a variable by its
        standard error (``value + se * N(0, 1)``, a missing error drawing nothing), a variable
        uniformly between two others.
    seed : int
        The analysis seed.
    runs : ndarray of int64, shape (runs,)
        Each run's seed.
    years : ndarray of int, shape (len(years),)
        The positions of those years in the panel, which with ``n_years`` (the panel's number
        of years) place each value in its stream.
    keep : list of int, optional
        The variables to return (default: all); the others are not drawn.

    Returns
    -------
    ndarray, shape (runs, len(keep), countries, len(years))
    """
    n_var, n_c, n_y = values.shape
    rows = list(range(n_var)) if keep is None else list(keep)
    where = {variables[v]: k for k, v in enumerate(rows)}
    out: FloatArray = np.broadcast_to(values[rows], (len(runs), len(rows), n_c, n_y)).copy()

    def draw(kind: int, var: int, sample: Any) -> FloatArray:
        """Draws for variable ``var`` (its panel position) in the years: (runs, countries, y)."""
        states = _stream(seed, runs, kind)
        cols = [sample(states, (var * n_years + int(y)) * n_c, n_c) for y in years]
        return np.stack(cols, axis=-1)

    if noise.relative is not None:
        for k, v in enumerate(rows):
            u = draw(_RELATIVE, v, _uniform)
            out[:, k] *= 1.0 + noise.relative * (2.0 * u - 1.0)
    index = {v: i for i, v in enumerate(variables)}
    for var, se_var in noise.standard_errors.items():
        if var in where:
            se = np.nan_to_num(values[index[se_var]], nan=0.0)
            out[:, where[var]] += se * draw(_ERRORS, index[var], _normal)
    for var, (low, high) in noise.ranges.items():
        if var in where:
            lo, hi = values[index[low]], values[index[high]]
            between = lo + (hi - lo) * draw(_RANGES, index[var], _uniform)
            out[:, where[var]] = np.where(np.isnan(between), out[:, where[var]], between)
    return out


def pooling_step(plan: Plan) -> str | None:
    """The first step of a plan that makes a leaf's value in one year depend on other years
    (or on what a plugin may read), or None when every step works year by year.

    When none does, the outputs of a year depend on that year's data alone, and data noise
    needs drawing for that year only. Steps that pool years: an indicator plugin (it may read
    any year), an imputation, an outlier treatment, a normalisation over the whole panel by a
    method that is not ``pointwise`` (the fixed goalposts and ``none`` are), a data-driven
    weighting, a derived variable that uses ``lag``.
    """
    for derived in plan.derived:
        if "lag" in derived.formula.calls:
            return f"derived variable '{derived.name}' reads earlier years (lag)"
    for leaf in plan.leaves:
        if leaf.indicator is not None:
            return f"indicator '{leaf.code}' is computed by a plugin"
        imputed = leaf.imputer is not None and leaf.impute_method != "none"
        if imputed and leaf.missing != "not_applicable":
            return f"indicator '{leaf.code}' is imputed"
        if leaf.treatment is not None and leaf.treat_method != "none":
            return f"indicator '{leaf.code}' has an outlier treatment"
        if not leaf.per_year and not getattr(leaf.normalizer, "pointwise", False):
            return f"indicator '{leaf.code}' is normalised over every year"
    for node in plan.nodes:
        if node.weighting is not None:
            return f"node '{node.code}' derives its weights from the data"
    return None
