"""The rules the conformance checks verify, and the error that names a broken one.

Each rule has a short identifier (shown in the error and in ``docs/testing.md``) and one
sentence saying what a plugin must do. The sentences restate the contract of the hook
reference (``docs/hooks.md``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray
from pydantic import ValidationError

__all__ = ["RULES", "ConformanceError"]

FloatArray = NDArray[np.float64]

_COMMON = {
    "protocol": "has every attribute of its protocol (name, description, Params, ...)",
    "params": "its Params model accepts the parameters given (or none)",
    "shape": "returns an array of the documented shape",
    "dtype": "returns floating-point numbers",
    "no-mutation": "leaves its input arrays unchanged",
}

#: Rule identifiers per kind of plugin, each with what it requires.
RULES: Mapping[str, Mapping[str, str]] = {
    "indicator": {
        "shape": "compute(data) returns one value per country and year, (countries, years)",
        "dtype": "compute(data) returns numbers",
        "requires": "compute(data) reads only the variables listed in requires",
        "missing-stays-missing": "a country-year whose inputs are all missing gets no value",
        "country-order": "reordering the countries reorders the values and changes nothing else",
        "deterministic": "the same data give the same values",
        "per-country": "per_country = True only when a country's values do not depend on other "
        "countries: computed on some of the countries, or on several runs of the data laid side "
        "by side as the intervals lay them (each country code once per run), each keeps its "
        "values",
        "no-mutation": "compute(data) leaves the panel unchanged",
    },
    "normalizer": {
        **_COMMON,
        "center": "center (or center_for(params)) is a finite number",
        "missing-stays-missing": "NaN in, NaN out",
        "rises-with-input": "within what is pooled, a higher value never normalises lower, and "
        "equal values normalise equal",
        "reflected-falls": "reflected(values, ...), when defined, falls as the input rises",
        "batch-not-pooled": "each batch member normalises as it would on its own",
        "per-year": "with axis (1,), each year normalises as it would on its own",
        "country-order": "reordering the countries reorders the values and changes nothing else",
    },
    "aggregator": {
        **_COMMON,
        "check": "check(params, k), when defined, accepts the parameters for k children",
        "zero-weight-ignored": "a child of weight 0 (a missing child) does not change the value",
        "rises-with-input": "raising a weighted child never lowers the node's value",
        "value-when-complete": "a country with every child present gets a finite value",
        "batch-not-pooled": "each batch member aggregates as it would on its own",
        "with-weights": "with_weights, when defined, returns the same values as __call__ and "
        "weights whose weighted sum of the children is that value",
        "additive": "additive = True only when the value is sum(weights * values)",
    },
    "imputer": {
        **_COMMON,
        "observed-kept": "observed values are returned unchanged",
        "finite": "every filled value is a finite number",
        "spread": "spread(), when defined, gives (filled, low, high): the values of __call__, "
        "each filled value within its low..high, no range for an observed value",
        "country-order": "reordering the countries (and their group labels) reorders the values "
        "and changes nothing else",
        "per-country": "per_country = True only when a country's values do not depend on other "
        "countries: imputed on some of the countries, each keeps its values",
    },
    "treatment": {
        **_COMMON,
        "returns-pair": "returns (values, report) with report a dict",
        "report-json": "the report is JSON-ready (no NaN, no numpy types)",
        "missing-stays-missing": "NaN in, NaN out",
        "keeps-order": "within each year, a higher value is never treated lower",
        "country-order": "reordering the countries reorders the values and changes nothing else",
    },
    "weighting": {
        **_COMMON,
        "data-driven": "data_driven is True or False",
        "non-negative": "weights are finite, non-negative and have a positive sum per member",
        "batch-not-pooled": "each batch member gets the weights it would get on its own",
    },
}


class ConformanceError(AssertionError):
    """A plugin breaks a rule of its hook's contract.

    Attributes
    ----------
    kind : str
        ``indicator``, ``normalizer``, ``aggregator``, ``imputer``, ``treatment`` or
        ``weighting``.
    name : str
        The indicator's code or the method's name.
    rule : str
        The identifier of the broken rule (a key of :data:`RULES`).
    """

    def __init__(self, kind: str, name: str, rule: str, detail: str) -> None:
        self.kind = kind
        self.name = name
        self.rule = rule
        self.detail = detail
        super().__init__(f"{kind} '{name}' breaks rule '{rule}' ({RULES[kind][rule]}): {detail}")


class Checker:
    """Raises :class:`ConformanceError` for one plugin under test."""

    def __init__(self, kind: str, name: Any) -> None:
        self.kind = kind
        self.name = str(name)

    def fail(self, rule: str, detail: str) -> ConformanceError:
        """The error for ``rule``, to raise."""
        return ConformanceError(self.kind, self.name, rule, detail)

    def require(self, ok: bool, rule: str, detail: str) -> None:
        """Raise the error for ``rule`` unless ``ok``."""
        if not ok:
            raise self.fail(rule, detail)

    def params(self, method: Any, params: Any) -> Any:
        """``params`` validated by the method's model (a dict, an instance, or None)."""
        model = getattr(method, "Params", None)
        if model is None or (params is not None and isinstance(params, model)):
            return params
        try:
            return model.model_validate(dict(params or {}))
        except ValidationError as exc:
            raise self.fail(
                "params", f"{exc.errors()[0]['msg']}; pass params= with valid parameters"
            ) from None

    def array(self, result: Any, shape: tuple[int, ...], what: str) -> FloatArray:
        """``result`` as a float array of ``shape``, or the error for rules shape/dtype."""
        arr = np.asarray(result)
        self.require(arr.shape == shape, "shape", f"{what} has shape {arr.shape}, expected {shape}")
        self.require(
            np.issubdtype(arr.dtype, np.floating) or np.issubdtype(arr.dtype, np.integer),
            "dtype",
            f"{what} has dtype {arr.dtype}",
        )
        return arr.astype(np.float64)

    def nowhere(self, bad: Any, rule: str, what: str, values: FloatArray) -> None:
        """Raise the error for ``rule`` when the boolean array ``bad`` holds anywhere, naming
        the first such position and its value in ``values``."""
        if np.any(bad):
            where = tuple(int(i) for i in np.argwhere(bad)[0])
            raise self.fail(rule, f"{what} at {where}: {float(values[where]):.6g}")

    def same(self, a: FloatArray, b: FloatArray, rule: str, detail: str) -> None:
        """Raise the error for ``rule`` unless ``a`` and ``b`` agree (NaN equal to NaN)."""
        close = np.isclose(a, b, rtol=1e-9, atol=1e-12, equal_nan=True)
        if not np.all(close):
            where = tuple(int(i) for i in np.argwhere(~close)[0])
            raise self.fail(
                rule, f"{detail}: at {where}, {float(a[where]):.6g} against {float(b[where]):.6g}"
            )

    def unchanged(self, before: FloatArray, after: Any, what: str) -> None:
        """Raise the error for rule no-mutation when ``after`` differs from ``before``."""
        if not np.array_equal(before, np.asarray(after), equal_nan=True):
            raise self.fail("no-mutation", f"{what} was changed in place")

    def rising(self, x: FloatArray, y: FloatArray, rule: str, *, falling: bool = False) -> None:
        """Raise the error for ``rule`` unless ``y`` rises (or falls) with ``x`` (1-D, where
        both are finite); equal ``x`` must give equal ``y``."""
        ok = np.isfinite(x) & np.isfinite(y)
        xs, ys = x[ok], (-y[ok] if falling else y[ok])
        order = np.lexsort((ys, xs))
        xs, ys = xs[order], ys[order]
        dx, dy = np.diff(xs), np.diff(ys)
        tol = 1e-9 * max(1.0, float(np.max(np.abs(ys), initial=0.0)))
        bad = np.flatnonzero(((dx > 0) & (dy < -tol)) | ((dx == 0) & (np.abs(dy) > tol)))
        if bad.size:
            i = int(bad[0])
            sign = -1 if falling else 1
            raise self.fail(
                rule,
                f"input {xs[i]:.6g} gives {sign * ys[i]:.6g} but input {xs[i + 1]:.6g} gives "
                f"{sign * ys[i + 1]:.6g}",
            )


def sample(
    rng: np.random.Generator, shape: tuple[int, ...], low: float, high: float, missing: float
) -> FloatArray:
    """Uniform values on ``[low, high]`` with ties and a share ``missing`` of NaN."""
    x = rng.uniform(low, high, shape)
    x = np.where(rng.random(shape) < 0.15, np.round(x, 0 if high - low > 10 else 1), x)
    x = np.clip(x, low, high)
    out: FloatArray = np.where(rng.random(shape) < missing, np.nan, x)
    return out
