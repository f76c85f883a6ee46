"""Conformance checks for plugins, in the spirit of scikit-learn's ``check_estimator``.

Each ``check_*`` function calls a plugin object on generated data (or data you pass) and raises
:class:`~riskcore.testing.ConformanceError` naming the first rule of the hook contract
(``docs/hooks.md``) it breaks; it returns None when every rule holds. Call them from your own
tests::

    from riskcore.testing import check_normalizer

    def test_my_normaliser_conforms():
        check_normalizer(MyNormaliser(), params={"scale": 2})

The rules are listed in :data:`riskcore.testing.RULES` and in ``docs/testing.md``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from riskcore.testing._rules import Checker, FloatArray, sample

if TYPE_CHECKING:
    from riskcore.indicators import Indicator
    from riskcore.methods.impute import ImputeContext
    from riskcore.methods.weighting import WeightContext
    from riskcore.panel import Panel

__all__ = [
    "check_aggregator",
    "check_imputer",
    "check_indicator",
    "check_normalizer",
    "check_treatment",
    "check_weighting",
]

_COUNTRIES = ("ARM", "AZE", "GEO", "KAZ", "KGZ", "TJK", "TKM", "UZB")
_PROTOCOLS = {
    "normalizer": ("riskcore.methods.base", "Normalizer"),
    "aggregator": ("riskcore.methods.base", "Aggregator"),
    "imputer": ("riskcore.methods.impute", "Imputer"),
    "treatment": ("riskcore.methods.outliers", "Treatment"),
    "weighting": ("riskcore.methods.weighting", "Weighting"),
}


def _method(kind: str, method: Any) -> Checker:
    import importlib

    module, protocol = _PROTOCOLS[kind]
    check = Checker(kind, getattr(method, "name", type(method).__name__))
    check.require(
        isinstance(method, getattr(importlib.import_module(module), protocol)),
        "protocol",
        f"{method!r} is not a {protocol}: it needs name, description, Params"
        + {"normalizer": ", center", "weighting": ", data_driven"}.get(kind, "")
        + " and __call__",
    )
    return check


def _permutation(rng: np.random.Generator, n: int) -> Any:
    perm = rng.permutation(n)
    return perm if n < 2 or np.any(perm != np.arange(n)) else perm[::-1]


def check_normalizer(
    method: Any, params: Any = None, *, values: FloatArray | None = None, seed: int = 0
) -> None:
    """Check a normalisation method against the ``Normalizer`` contract.

    Parameters
    ----------
    method : Normalizer
    params : mapping or MethodParams, optional
        Parameters as in an index file (default: none).
    values : ndarray, shape (batch, countries, years), optional
        Raw values to normalise (default: uniform on 1..100 with ties and 20 % missing).
    seed : int

    Raises
    ------
    ConformanceError
        Naming the first rule broken: protocol, params, center, shape, dtype, no-mutation,
        missing-stays-missing, rises-with-input, reflected-falls, batch-not-pooled, per-year,
        country-order.
    """
    from riskcore.engine import center_of

    check = _method("normalizer", method)
    p = check.params(method, params)
    rng = np.random.default_rng(seed)
    x = sample(rng, (3, 7, 4), 1.0, 100.0, 0.2) if values is None else np.asarray(values, float)
    center = center_of(method, p)
    check.require(bool(np.isfinite(center)), "center", f"center is {center!r}")
    perm = _permutation(rng, x.shape[1])
    for axis in ((1, 2), (1,)):
        before = x.copy()
        y = check.array(method(x, p, axis=axis), x.shape, f"the result for axis {axis}")
        check.unchanged(before, x, "values")
        lost = np.isnan(x) & ~np.isnan(y)
        check.nowhere(lost, "missing-stays-missing", "a missing value got a value", y)
        groups: list[tuple[int, Any]] = [(b, slice(None)) for b in range(x.shape[0])]
        if axis == (1,):
            groups = [(b, t) for b in range(x.shape[0]) for t in range(x.shape[2])]
        for b, part in groups:
            check.rising(x[b][:, part].ravel(), y[b][:, part].ravel(), "rises-with-input")
        reflected = getattr(method, "reflected", None)
        if reflected is not None:
            r = check.array(reflected(x, p, axis=axis), x.shape, "reflected()")
            for b, t in groups:
                check.rising(
                    x[b][:, t].ravel(), r[b][:, t].ravel(), "reflected-falls", falling=True
                )
        for b in range(x.shape[0]):
            alone = np.asarray(method(x[b : b + 1].copy(), p, axis=axis), dtype=float)
            check.same(alone, y[b : b + 1], "batch-not-pooled", f"batch member {b} alone")
        if axis == (1,):
            for year in range(x.shape[2]):
                one = slice(year, year + 1)
                alone = np.asarray(method(x[:, :, one].copy(), p, axis=axis), dtype=float)
                check.same(alone, y[:, :, one], "per-year", f"year {year} alone")
        moved = np.asarray(method(x[:, perm].copy(), p, axis=axis), dtype=float)
        check.same(moved, y[:, perm], "country-order", "countries reordered")


def _weights(rng: np.random.Generator, shape: tuple[int, ...]) -> FloatArray:
    """Random normalised weights with some children missing (weight 0), at least one per row."""
    w = rng.uniform(0.1, 1.0, shape) * (rng.random(shape) > 0.25)
    w[..., 0] = np.where(w.sum(axis=-1) == 0, 1.0, w[..., 0])
    out: FloatArray = w / w.sum(axis=-1, keepdims=True)
    return out


def check_aggregator(method: Any, params: Any = None, *, children: int = 4, seed: int = 0) -> None:
    """Check an aggregation method against the ``Aggregator`` contract.

    The values are normalised children on 0.05..1, shape ``(batch, countries, years, k)``; a
    missing child has weight 0 and the placeholder value 1, as riskcore passes them.

    Parameters
    ----------
    method : Aggregator
    params : mapping or MethodParams, optional
    children : int
        ``k``, the number of children.
    seed : int

    Raises
    ------
    ConformanceError
        Naming the first rule broken: protocol, params, check, shape, dtype, no-mutation,
        zero-weight-ignored, value-when-complete, rises-with-input, batch-not-pooled,
        with-weights, additive.
    """
    check = _method("aggregator", method)
    p = check.params(method, params)
    if hasattr(method, "check"):
        try:
            method.check(p, children)
        except ValueError as exc:
            raise check.fail("check", f"{children} children: {exc}") from None
    rng = np.random.default_rng(seed)
    shape = (3, 6, 4, children)
    w = _weights(rng, shape)
    x = np.where(w > 0, sample(rng, shape, 0.05, 1.0, 0.0), 1.0)
    xb, wb = x.copy(), w.copy()
    y = check.array(method(x, w, p), shape[:-1], "the result")
    check.unchanged(xb, x, "values")
    check.unchanged(wb, w, "weights")
    complete = np.all(w > 0, axis=-1)
    check.nowhere(complete & ~np.isfinite(y), "value-when-complete", "no finite value", y)
    other = np.where(w > 0, x, 0.5)
    check.same(np.asarray(method(other, w, p), float), y, "zero-weight-ignored", "placeholder 0.5")
    for b in range(shape[0]):
        alone = np.asarray(method(x[b : b + 1].copy(), w[b : b + 1].copy(), p), dtype=float)
        check.same(alone, y[b : b + 1], "batch-not-pooled", f"batch member {b} alone")
    for b, c, t in np.argwhere(np.isfinite(y))[:: max(1, int(np.isfinite(y).sum()) // 5)]:
        j = int(np.argmax(w[b, c, t]))
        raised = x.copy()
        raised[b, c, t, j] += (1.0 - raised[b, c, t, j]) / 2 + 0.01
        after = float(np.asarray(method(raised, w, p), float)[b, c, t])
        check.require(
            after >= y[b, c, t] - 1e-9,
            "rises-with-input",
            f"raising child {j} of {(b, c, t)} from {x[b, c, t, j]:.4g} to "
            f"{raised[b, c, t, j]:.4g} lowered the value from {y[b, c, t]:.6g} to {after:.6g}",
        )
    if hasattr(method, "with_weights"):
        value, chosen = method.with_weights(x, w, p)
        value = check.array(value, shape[:-1], "with_weights() values")
        chosen = check.array(chosen, shape, "with_weights() weights")
        check.same(value, y, "with-weights", "with_weights() against __call__()")
        check.same(np.sum(chosen * x, axis=-1), value, "with-weights", "sum(weights * values)")
    if getattr(method, "additive", False):
        check.same(y, np.sum(w * x, axis=-1), "additive", "sum(weights * values)")


def _context(
    groups: Mapping[str, Sequence[str | None]],
    indicators: FloatArray | None = None,
    position: int | None = None,
) -> ImputeContext:
    from riskcore.methods.impute import ImputeContext

    return ImputeContext(groups, indicators=indicators, position=position)


def check_imputer(
    method: Any,
    params: Any = None,
    *,
    context: ImputeContext | None = None,
    values: FloatArray | None = None,
    seed: int = 0,
) -> None:
    """Check an imputation method against the ``Imputer`` contract.

    Parameters
    ----------
    method : Imputer
    params : mapping or MethodParams, optional
    context : ImputeContext, optional
        Default: one group column, ``group``, with labels ``a``, ``b`` and one country without,
        and the values as indicator 0 of three (the others random, 10 % missing).
    values : ndarray, shape (countries, years), optional
        Default: 8 countries x 6 years on 1..100 with 30 % missing.
    seed : int

    Raises
    ------
    ConformanceError
        Naming the first rule broken: protocol, params, shape, dtype, no-mutation,
        observed-kept, finite, spread, country-order, per-country.
    """
    check = _method("imputer", method)
    p = check.params(method, params)
    rng = np.random.default_rng(seed)
    x = sample(rng, (8, 6), 1.0, 100.0, 0.3) if values is None else np.asarray(values, float)
    if context is None:
        labels = [("a", "b")[i % 2] for i in range(x.shape[0] - 1)] + [None]
        # the imputed indicator and two others, so that imputers that compare countries on
        # the other indicators can be checked too
        others = sample(rng, (2, *x.shape), 1.0, 100.0, 0.1)
        context = _context({"group": labels}, np.concatenate([x[np.newaxis], others]), 0)
    before = x.copy()
    y = check.array(method(x, p, context=context), x.shape, "the result")
    check.unchanged(before, x, "values")
    seen = ~np.isnan(x)
    check.same(np.where(seen, y, np.nan), np.where(seen, x, np.nan), "observed-kept", "observed")
    filled = ~seen & ~np.isnan(y)
    check.nowhere(filled & ~np.isfinite(y), "finite", "a filled value is not finite", y)
    if hasattr(method, "spread"):
        filled_, low, high = (
            check.array(a, x.shape, "spread()") for a in method.spread(x, p, context=context)
        )
        check.same(filled_, y, "spread", "spread()[0] against __call__()")
        inside = (low <= y + 1e-12) & (y <= high + 1e-12)
        check.nowhere(filled & ~inside, "spread", "a filled value outside its low..high", y)
        check.nowhere(seen & ~(np.isnan(low) & np.isnan(high)), "spread", "a range", low)
    perm = _permutation(rng, x.shape[0])
    moved = _context(
        {g: [labels[i] for i in perm] for g, labels in context.groups.items()},
        None if context.indicators is None else context.indicators[:, perm],
        context.position,
    )
    again = np.asarray(method(x[perm].copy(), p, context=moved), dtype=float)
    check.same(again, y[perm], "country-order", "countries reordered")
    if getattr(method, "per_country", False):  # each country on its own
        half = perm[: max(1, x.shape[0] // 2)]
        alone = _context(
            {g: [labels[i] for i in half] for g, labels in context.groups.items()},
            None if context.indicators is None else context.indicators[:, half],
            context.position,
        )
        got = np.asarray(method(x[half].copy(), p, context=alone), dtype=float)
        check.same(got, y[half], "per-country", "imputed on half the countries")


def check_treatment(
    method: Any, params: Any = None, *, values: FloatArray | None = None, seed: int = 0
) -> None:
    """Check an outlier treatment against the ``Treatment`` contract.

    Parameters
    ----------
    method : Treatment
    params : mapping or MethodParams, optional
    values : ndarray, shape (countries, years), optional
        Default: 12 countries x 4 years, log-normal (skewed, so that treatments act), 10 %
        missing.
    seed : int

    Raises
    ------
    ConformanceError
        Naming the first rule broken: protocol, params, returns-pair, shape, dtype,
        no-mutation, report-json, missing-stays-missing, keeps-order, country-order.
    """
    check = _method("treatment", method)
    p = check.params(method, params)
    rng = np.random.default_rng(seed)
    if values is None:
        x = np.where(rng.random((12, 4)) < 0.1, np.nan, rng.lognormal(0.0, 1.5, (12, 4)))
    else:
        x = np.asarray(values, dtype=float)
    before = x.copy()
    out = method(x, p)
    check.require(
        isinstance(out, tuple) and len(out) == 2 and isinstance(out[1], dict),
        "returns-pair",
        f"returned {type(out).__name__}",
    )
    y = check.array(out[0], x.shape, "the treated values")
    check.unchanged(before, x, "values")
    try:
        json.dumps(out[1], allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise check.fail("report-json", str(exc)) from None
    check.nowhere(
        np.isnan(x) & ~np.isnan(y), "missing-stays-missing", "a missing value got a value", y
    )
    for t in range(x.shape[1]):
        check.rising(x[:, t], y[:, t], "keeps-order")
    perm = _permutation(rng, x.shape[0])
    again = np.asarray(method(x[perm].copy(), p)[0], dtype=float)
    check.same(again, y[perm], "country-order", "countries reordered")


def check_weighting(
    method: Any,
    params: Any = None,
    *,
    given: Sequence[float] | None = None,
    context: WeightContext | None = None,
    seed: int = 0,
) -> None:
    """Check a weighting method against the ``Weighting`` contract.

    Parameters
    ----------
    method : Weighting
    params : mapping or MethodParams, optional
    given : sequence of float, optional
        The weights of the node's ``children`` table (default: four ones).
    context : WeightContext, optional
        Default: node ``node`` with children ``c0``, ``c1``, ...
    seed : int

    Raises
    ------
    ConformanceError
        Naming the first rule broken: protocol, params, data-driven, shape, dtype, no-mutation,
        non-negative, batch-not-pooled.
    """
    from riskcore.methods.weighting import WeightContext

    check = _method("weighting", method)
    p = check.params(method, params)
    g = np.asarray(given if given is not None else [1.0] * 4, dtype=np.float64)
    k = g.shape[0]
    if context is None:
        context = WeightContext("node", [f"c{i}" for i in range(k)])
    driven = method.data_driven
    check.require(isinstance(driven, bool), "data-driven", f"data_driven is {driven!r}")
    rng = np.random.default_rng(seed)
    x = sample(rng, (3, 8, 4, k), 0.0, 1.0, 0.1) if driven else np.empty((1, 0, 0, k))
    xb, gb = x.copy(), g.copy()
    try:
        result = method(x, g, p, context=context)
    except (ValueError, KeyError) as exc:  # riskcore reports these against the index key
        raise check.fail("params", f"{type(exc).__name__}: {exc}") from None
    w = check.array(result, (x.shape[0], k), "the weights")
    check.unchanged(xb, x, "children")
    check.unchanged(gb, g, "given")
    check.require(
        bool(np.all(np.isfinite(w)) and np.all(w >= 0) and np.all(w.sum(axis=-1) > 0)),
        "non-negative",
        f"weights {w.tolist()}",
    )
    for b in range(x.shape[0] if driven else 0):
        alone = np.asarray(method(x[b : b + 1].copy(), g, p, context=context), dtype=float)
        check.same(alone, w[b : b + 1], "batch-not-pooled", f"batch member {b} alone")


def _panel(variables: Sequence[str], rng: np.random.Generator) -> Panel:
    from riskcore.panel import Panel

    return Panel(
        values=sample(rng, (len(variables), len(_COUNTRIES), 5), 0.0, 100.0, 0.2),
        variables=tuple(variables),
        countries=_COUNTRIES,
        years=tuple(range(2019, 2024)),
    )


class _Only:
    """A panel view that raises KeyError for a variable the indicator did not declare."""

    def __init__(self, panel: Panel, allowed: Sequence[str]) -> None:
        self._panel = panel
        self._allowed = set(allowed)
        self.countries = panel.countries
        self.years = panel.years

    def __getitem__(self, variable: str) -> FloatArray:
        if variable not in self._allowed:
            raise KeyError(f"'{variable}' is not in requires")
        return self._panel[variable]

    def __contains__(self, variable: object) -> bool:
        return variable in self._allowed

    def __getattr__(self, name: str) -> Any:
        return getattr(self._panel, name)


def check_indicator(indicator: Indicator, data: Panel | None = None, *, seed: int = 0) -> None:
    """Check an indicator against the ``compute(data)`` contract.

    Parameters
    ----------
    indicator : Indicator
    data : Panel, optional
        Data to compute on (default: the variables of ``requires`` on 0..100 for eight
        countries and five years, 20 % missing). Give realistic data when the indicator has a
        narrower domain.
    seed : int

    Raises
    ------
    ConformanceError
        Naming the first rule broken: requires, shape, dtype, no-mutation,
        missing-stays-missing, deterministic, country-order, per-country.
    """
    check = Checker("indicator", indicator.code)
    rng = np.random.default_rng(seed)
    panel = data if data is not None else _panel(indicator.requires, rng)
    shape = (len(panel.countries), len(panel.years))
    before = panel.values.copy()

    def compute(p: Any) -> FloatArray:
        with np.errstate(divide="ignore", invalid="ignore"):
            try:
                out = indicator.compute(p)
            except KeyError as exc:
                raise check.fail("requires", f"compute(data) read {exc}") from None
        return check.array(out, shape, "compute(data)")

    y = compute(_Only(panel, indicator.requires))
    check.unchanged(before, panel.values, "the panel")
    inputs = [panel[v] for v in indicator.requires if v in panel]
    if inputs:
        none = np.all(np.isnan(np.stack(inputs)), axis=0)
        check.nowhere(
            none & np.isfinite(y), "missing-stays-missing", "every input missing, a value", y
        )
    check.same(compute(_Only(panel, indicator.requires)), y, "deterministic", "a second run")
    perm = _permutation(rng, shape[0])
    moved = panel.select(countries=[panel.countries[i] for i in perm])
    check.same(compute(_Only(moved, indicator.requires)), y[perm], "country-order", "reordered")
    if indicator.per_country:  # each country on its own: a part of the countries, same values
        part = [panel.countries[i] for i in perm[: max(1, shape[0] // 2)]]
        alone = panel.select(countries=part)
        with np.errstate(divide="ignore", invalid="ignore"):
            raw = indicator.compute(cast(Any, _Only(alone, indicator.requires)))
        got = check.array(raw, alone.shape[1:], "compute(data)")
        check.same(got, y[perm[: len(part)]], "per-country", "computed on half the countries")
        _side_by_side(check, indicator, panel, rng)


def _side_by_side(check: Checker, indicator: Indicator, panel: Panel, rng: Any) -> None:
    """Rule per-country in the layout the intervals use (:func:`riskcore.batched.prepare_runs`):
    three runs of the data (as given, and each variable's values shuffled twice) laid side by
    side as extra countries, every country code once per run, give each run the values it gets
    on its own panel."""
    import dataclasses

    from riskcore.batched import runs_as_countries

    flat = panel.values.reshape(len(panel.variables), -1)
    runs = np.stack(
        [panel.values, *(rng.permuted(flat, axis=1).reshape(panel.shape) for _ in range(2))]
    )
    wide = runs_as_countries(panel, runs)
    with np.errstate(divide="ignore", invalid="ignore"):
        raw = indicator.compute(cast(Any, _Only(wide, indicator.requires)))
    got = check.array(raw, wide.shape[1:], "compute(data) on runs side by side")
    n = len(panel.countries)
    for r, values in enumerate(runs):
        one = dataclasses.replace(panel, values=values)
        with np.errstate(divide="ignore", invalid="ignore"):
            own = check.array(
                indicator.compute(cast(Any, _Only(one, indicator.requires))),
                one.shape[1:],
                "compute(data)",
            )
        check.same(
            got[r * n : (r + 1) * n], own, "per-country",
            f"run {r} of {len(runs)} laid side by side as extra countries, each code once per "
            "run (riskcore.batched), against computed on its own",
        )  # fmt: skip
