"""The plugin-author kit: every standard plugin and built-in method passes the conformance
checks, and each rule catches a plugin that breaks it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import riskcore
from riskcore.methods.base import MethodBase
from riskcore.testing import (
    RULES,
    ConformanceError,
    check_aggregator,
    check_imputer,
    check_indicator,
    check_normalizer,
    check_treatment,
    check_weighting,
)
from riskcore.testing.strategies import index_trees, panels

AHP = [[1, 2, 3, 4], [1 / 2, 1, 2, 3], [1 / 3, 1 / 2, 1, 2], [1 / 4, 1 / 3, 1 / 2, 1]]
PARAMS: dict[str, dict[str, Any]] = {
    "goalpost": {"lower": 0, "upper": 100},
    "power_mean": {"p": 2},
    "group_mean": {"group": "group"},
    "group_median": {"group": "group"},
    "group_range": {"group": "group"},
    "ahp": {"matrix": AHP},
    "constant": {"value": 0},
}
CHECKS: dict[str, Callable[..., None]] = {
    "riskcore_normalizers": check_normalizer,
    "riskcore_aggregators": check_aggregator,
    "riskcore_imputers": check_imputer,
    "riskcore_treatments": check_treatment,
    "riskcore_weightings": check_weighting,
}
HOST = riskcore.PluginHost(autoload=False)
BUILTIN = [
    pytest.param(hook, name, id=f"{hook.removeprefix('riskcore_')}:{name}")
    for hook in CHECKS
    for name in HOST._collect()[hook]
]


@pytest.mark.parametrize(("hook", "name"), BUILTIN)
def test_every_builtin_method_conforms(hook: str, name: str, tmp_path: Path) -> None:
    method = HOST._collect()[hook][name][0].obj
    if name == "budget":
        (tmp_path / "points.csv").write_text("code,points\nc0,40\nc1,30\nc2,20\nc3,10\n")
        from riskcore.methods.weighting import WeightContext

        context = WeightContext("node", ["c0", "c1", "c2", "c3"], tmp_path)
        check_weighting(method, {"file": "points.csv"}, context=context)
        return
    CHECKS[hook](method, PARAMS.get(name))


def test_every_standard_indicator_conforms() -> None:
    indicators = riskcore.PluginHost().indicators()
    assert {"diaspora_size", "moscow_leverage", "crackdown_propensity"} <= set(indicators)
    for provided in indicators.values():
        check_indicator(provided.obj)


# -- each rule catches a plugin that breaks it --------------------------------------------


class Norm(MethodBase):
    name = "broken"
    description = "a normaliser under test"
    center = 0.5

    def __init__(self, fn: Callable[[np.ndarray, tuple[int, ...]], Any]) -> None:
        self.fn = fn

    def __call__(self, values: np.ndarray, params: Any, *, axis: tuple[int, ...]) -> Any:
        return self.fn(values, axis)


class Agg(MethodBase):
    name = "broken"
    description = "an aggregator under test"

    def __init__(self, fn: Callable[[np.ndarray, np.ndarray], Any], additive: bool = False):
        self.fn = fn
        self.additive = additive

    def __call__(self, values: np.ndarray, weights: np.ndarray, params: Any) -> Any:
        return self.fn(values, weights)


class Imp(MethodBase):
    name = "broken"
    description = "an imputer under test"

    def __init__(self, fn: Callable[[np.ndarray], Any]) -> None:
        self.fn = fn

    def __call__(self, values: np.ndarray, params: Any, *, context: Any) -> Any:
        return self.fn(values)


class NarrowRange(MethodBase):
    """Fills with 1 but says the range is 2..3."""

    name = "broken"
    description = "a range imputer under test"

    def spread(self, values: np.ndarray, params: Any, *, context: Any) -> Any:
        nan = np.isnan(values)
        return np.where(nan, 1.0, values), np.where(nan, 2.0, np.nan), np.where(nan, 3.0, np.nan)

    def __call__(self, values: np.ndarray, params: Any, *, context: Any) -> Any:
        return self.spread(values, params, context=context)[0]


class Treat(MethodBase):
    name = "broken"
    description = "a treatment under test"

    def __init__(self, fn: Callable[[np.ndarray], Any]) -> None:
        self.fn = fn

    def __call__(self, values: np.ndarray, params: Any) -> Any:
        return self.fn(values)


class Weigh(MethodBase):
    name = "broken"
    description = "a weighting under test"

    def __init__(self, fn: Callable[[np.ndarray, np.ndarray], Any], data_driven: Any = True):
        self.fn = fn
        self.data_driven = data_driven

    def __call__(
        self, children: np.ndarray, given: np.ndarray, params: Any, *, context: Any
    ) -> Any:
        return self.fn(children, given)


def _halve_in_place(x: np.ndarray, axis: tuple[int, ...]) -> np.ndarray:
    x /= 2
    return x


def _by_first_countries(x: np.ndarray, axis: tuple[int, ...]) -> np.ndarray:
    return x / np.nanmean(x[:, :2], axis=axis, keepdims=True)


def _one(x: np.ndarray) -> np.ndarray:
    return np.where(np.isnan(x), 1.0, x)


def _mean(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    return np.sum(w * x, axis=-1)


def _by_row(x: np.ndarray) -> np.ndarray:  # fills from the country's position
    return np.where(np.isnan(x), np.arange(x.shape[0])[:, None], x)


def _pooled_weights(c: np.ndarray, g: np.ndarray) -> np.ndarray:
    return np.broadcast_to(np.nanmean(c, axis=(0, 1, 2)), (c.shape[0], g.size))


BROKEN: list[Any] = [
    (check_normalizer, object(), "protocol"),
    (check_normalizer, Norm(lambda x, a: x[..., 0]), "shape"),
    (check_normalizer, Norm(lambda x, a: np.full(x.shape, "a")), "dtype"),
    (check_normalizer, Norm(_halve_in_place), "no-mutation"),
    (check_normalizer, Norm(lambda x, a: np.nan_to_num(x)), "missing-stays-missing"),
    (check_normalizer, Norm(lambda x, a: -x), "rises-with-input"),
    (check_normalizer, Norm(lambda x, a: x / np.nanmax(x)), "batch-not-pooled"),
    (check_normalizer, Norm(lambda x, a: x / np.nanmax(x, axis=(1, 2), keepdims=True)), "per-year"),
    (check_normalizer, Norm(_by_first_countries), "country-order"),
    (check_aggregator, Agg(lambda x, w: np.sum(w * x, axis=-1)[..., 0]), "shape"),
    (check_aggregator, Agg(lambda x, w: np.mean(x, axis=-1)), "zero-weight-ignored"),
    (check_aggregator, Agg(lambda x, w: 1 - np.sum(w * x, axis=-1)), "rises-with-input"),
    (check_aggregator, Agg(lambda x, w: _mean(x, w) * np.mean(_mean(x, w))), "batch-not-pooled"),
    (check_aggregator, Agg(lambda x, w: np.prod(x**w, axis=-1), additive=True), "additive"),
    (check_aggregator, Agg(lambda x, w: np.where(x[..., 0] > .5, np.nan, 0 * x[..., 0])),
     "value-when-complete"),
    (check_imputer, Imp(lambda x: np.full(x.shape, 3.0)), "observed-kept"),
    (check_imputer, Imp(lambda x: np.where(np.isnan(x), np.inf, x)), "finite"),
    (check_imputer, Imp(_by_row), "country-order"),
    (check_imputer, NarrowRange(), "spread"),
    (check_treatment, Treat(lambda x: x), "returns-pair"),
    (check_treatment, Treat(lambda x: (x, {"skew": float("nan")})), "report-json"),
    (check_treatment, Treat(lambda x: (_one(x), {})), "missing-stays-missing"),
    (check_treatment, Treat(lambda x: (-x, {})), "keeps-order"),
    (check_weighting, Weigh(lambda c, g: -np.ones((c.shape[0], g.size))), "non-negative"),
    (check_weighting, Weigh(lambda c, g: np.ones((1, g.size)), data_driven="yes"), "data-driven"),
    (check_weighting, Weigh(lambda c, g: np.ones((c.shape[0], g.size + 1))), "shape"),
    (check_weighting, Weigh(_pooled_weights), "batch-not-pooled"),
]  # fmt: skip


@pytest.mark.parametrize(("check", "plugin", "rule"), BROKEN, ids=[b[2] for b in BROKEN])
def test_a_broken_method_is_caught_by_its_rule(check: Any, plugin: Any, rule: str) -> None:
    with pytest.raises(ConformanceError) as err:
        check(plugin)
    assert err.value.rule == rule, str(err.value)
    assert rule in RULES[err.value.kind]
    assert f"breaks rule '{rule}'" in str(err.value)


def _indicator(fn: Callable[[Any], Any], requires: tuple[str, ...] = ("a", "b")) -> Any:
    return riskcore.Indicator(
        code="under_test", name="Under test", unit="-", higher_is_riskier=True,
        requires=requires, compute=fn,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("fn", "rule"),
    [
        (lambda d: d["a"] + d["undeclared"], "requires"),
        (lambda d: d["a"][:, 0], "shape"),
        (lambda d: np.nan_to_num(d["a"] + d["b"]), "missing-stays-missing"),
        (lambda d: d["a"] + np.random.default_rng().random(d["a"].shape), "deterministic"),
        (lambda d: np.nancumsum(d["a"], axis=0) + d["b"] * 0, "country-order"),
    ],
    ids=["requires", "shape", "missing", "deterministic", "country-order"],
)
def test_a_broken_indicator_is_caught_by_its_rule(fn: Callable[[Any], Any], rule: str) -> None:
    with pytest.raises(ConformanceError) as err:
        check_indicator(_indicator(fn))
    assert err.value.rule == rule and err.value.name == "under_test", str(err.value)


def test_params_a_method_cannot_take_are_reported() -> None:
    goalpost = riskcore.PluginHost(autoload=False).normalizer("goalpost")
    with pytest.raises(ConformanceError, match=r"breaks rule 'params'.*pass params="):
        check_normalizer(goalpost)  # lower and upper are required
    with pytest.raises(ConformanceError, match="rule 'check'"):
        check_aggregator(HOST.aggregator("bod"), {"lower_share": 0.5})  # 4 x 0.5 > 1


# -- the public strategies ---------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_generated_indexes_score_generated_panels_inside_the_scale(data: st.DataObject) -> None:
    spec = data.draw(index_trees(["gdp", "debt", "inflation", "reserves"]))
    panel = data.draw(panels(["gdp", "debt", "inflation", "reserves"]))
    scores = riskcore.score(spec, panel, host=HOST)
    finite = scores.score[~np.isnan(scores.score)]
    assert np.all((finite >= -1e-9) & (finite <= 100 + 1e-9))
    assert sorted(spec.leaves()) == ["debt", "gdp", "inflation", "reserves"]


def test_every_rule_is_documented() -> None:
    text = (Path(__file__).resolve().parents[1] / "docs" / "testing.md").read_text()
    for kind, rules in RULES.items():
        section = text.split(f"### `check_{kind}`", 1)[1].split("###", 1)[0]
        for rule, meaning in rules.items():
            assert f"| `{rule}` | {meaning} |" in section, (kind, rule)
