"""A plugin whose methods and indicators fail in every way a plugin can (tests/test_corpus.py).

Installed for a case as the entry point ``corpus_faults`` of the distribution
``riskcore-corpus-faults``; each method's name says how it fails.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import riskcore
from riskcore.methods.base import MethodBase

FAILURES = ("raises", "shape", "text", "complex", "inf", "nan")


def _fail(how: str, good: Any) -> Any:
    """``good`` (the right answer) broken in the way ``how`` names."""
    good = np.asarray(good, dtype=np.float64)
    if how == "raises":
        raise ZeroDivisionError("the plugin divided by zero")
    if how == "shape":
        return good.ravel()[:1]
    if how == "text":
        return np.full(good.shape, "high", dtype=object)
    if how == "complex":
        return good + 1j
    if how == "warns":  # a right answer, with a numpy warning on the way
        with np.errstate(over="warn"):
            np.float64(1e308) * np.float64(10.0)
        return good
    if how == "inf":
        return np.where(np.isnan(good), good, np.inf)
    return np.full(good.shape, np.nan)  # "nan"


class _Normalizer(MethodBase):
    center = 0.5

    def __init__(self, how: str) -> None:
        self.how, self.name, self.description = how, f"norm_{how}", f"a normaliser that {how}"

    def __call__(self, values: Any, params: Any, *, axis: tuple[int, ...]) -> Any:
        return _fail(self.how, values * 0.0)


class _Aggregator(MethodBase):
    def __init__(self, how: str) -> None:
        self.how, self.name, self.description = how, f"agg_{how}", f"an aggregator that {how}"

    def __call__(self, values: Any, weights: Any, params: Any) -> Any:
        return _fail(self.how, np.sum(values * weights, axis=-1))


class _Imputer(MethodBase):
    def __init__(self, how: str) -> None:
        self.how, self.name, self.description = how, f"impute_{how}", f"an imputer that {how}"

    def __call__(self, values: Any, params: Any, *, context: Any) -> Any:
        return _fail(self.how, values)


class _Treatment(MethodBase):
    def __init__(self, how: str) -> None:
        self.how, self.name, self.description = how, f"treat_{how}", f"a treatment that {how}"

    def __call__(self, values: Any, params: Any) -> Any:
        if self.how == "pair":
            return values
        return _fail(self.how, values), {"treated": True}


class _Weighting(MethodBase):
    data_driven = False

    def __init__(self, how: str) -> None:
        self.how, self.name, self.description = how, f"weight_{how}", f"a weighting that {how}"

    def __call__(self, children: Any, given: Any, params: Any, *, context: Any) -> Any:
        if self.how == "negative":
            return -np.ones((1, len(given)))
        return _fail(self.how, np.ones((1, len(given))) / len(given))


@riskcore.hookimpl
def riskcore_normalizers() -> list[Any]:
    return [_Normalizer(how) for how in (*FAILURES, "warns")]


@riskcore.hookimpl
def riskcore_aggregators() -> list[Any]:
    return [_Aggregator(how) for how in FAILURES]


@riskcore.hookimpl
def riskcore_imputers() -> list[Any]:
    return [_Imputer(how) for how in FAILURES]


@riskcore.hookimpl
def riskcore_treatments() -> list[Any]:
    return [_Treatment(how) for how in (*FAILURES, "pair")]


@riskcore.hookimpl
def riskcore_weightings() -> list[Any]:
    return [_Weighting(how) for how in (*FAILURES, "negative")]


def _indicator(how: str) -> riskcore.Indicator:
    def compute(data: Any) -> Any:
        return _fail(how, data["a"])

    return riskcore.Indicator(
        code=f"ind_{how}",
        name=f"An indicator that {how}",
        unit="points",
        description=f"Fails: {how}.",
        higher_is_riskier=True,
        requires=("a",),
        compute=compute,
    )


@riskcore.hookimpl
def riskcore_indicators() -> list[Any]:
    return [_indicator(how) for how in FAILURES]
