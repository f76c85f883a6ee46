"""Data treatment of many Monte Carlo runs at once (riskcore.batched): the same numbers as run by
run, and the run-by-run pass wherever a step mixes countries."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import riskcore
from riskcore.batched import as_is_rows, country_step, prepare_runs
from riskcore.plan import compile_plan
from riskcore.plugins import PluginHost
from riskcore.testing import ConformanceError, check_imputer, check_indicator
from riskcore.treat import prepare

UNDECLARED = "indicator 'ratio' does not declare per_country"
IMPUTERS = st.sampled_from(["panel_spread", "locf", "linear"])
COUNTRIES = ("ARM", "AZE", "GEO", "KAZ", "KGZ")
YEARS = (2019, 2020, 2021, 2022)


def _ratio(per_country: bool) -> riskcore.Indicator:
    return riskcore.Indicator(
        code="ratio", name="Ratio", unit="-", higher_is_riskier=True, requires=("a", "b"),
        compute=lambda d: d["a"] / d["b"], per_country=per_country,
    )  # fmt: skip


def _share_of_total() -> riskcore.Indicator:
    """Mixes countries: each country's share of the year's total."""
    return riskcore.Indicator(
        code="ratio", name="Share", unit="-", higher_is_riskier=True, requires=("a", "b"),
        compute=lambda d: d["a"] / np.nansum(d["a"], axis=0), per_country=False,
    )  # fmt: skip


INDEX = """
[index]
name = "Batched"
children = {{ ratio = 1, c = 1, d = 1, z = 1, growth = 1 }}
screen = 0.5
[variables.growth]
formula = "a / lag(a, 1)"
[indicator.growth]
direction = "higher_is_riskier"
[indicator.c]
direction = "higher_is_riskier"
impute = "{imputer}"
[indicator.d]
direction = "higher_is_riskier"
denominator = "b"
[indicator.z]
direction = "higher_is_riskier"
missing = "structural_zero"
[defaults]
normalize = "minmax"
"""


def _setup(indicator: riskcore.Indicator, imputer: str = "panel_spread", rng_seed: int = 0):
    host = PluginHost(autoload=False, plugins={"test-ratio": indicator})
    spec = riskcore.parse_index(INDEX.format(imputer=imputer))
    plan = compile_plan(spec, host=host)
    rng = np.random.default_rng(rng_seed)
    values = rng.uniform(1.0, 10.0, (5, len(COUNTRIES), len(YEARS)))
    values[2, 1, 2] = values[2, 3, 0] = np.nan  # c: gaps to impute
    values[4, :2, :2] = np.nan  # z: structural zeros where the country-year has other data
    values[:, 4, 0] = np.nan  # KGZ 2019: nothing, screened out
    panel = riskcore.Panel(
        values=values, variables=("a", "b", "c", "d", "z"), countries=COUNTRIES, years=YEARS
    )
    return plan, panel


def _runs(panel: riskcore.Panel, n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    noise = rng.uniform(0.8, 1.2, (n, *panel.values.shape))
    return np.asarray(panel.values) * noise


def _one_by_one(plan, panel, runs):
    return np.stack([prepare(plan, dataclasses.replace(panel, values=r)).values for r in runs])


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**16), st.integers(1, 7), IMPUTERS)
def test_runs_as_countries_match_run_by_run(seed: int, n: int, imputer: str) -> None:
    plan, panel = _setup(_ratio(per_country=True), imputer, seed)
    assert country_step(plan) is None
    runs = _runs(panel, n, seed)
    np.testing.assert_array_equal(prepare_runs(plan, panel, runs), _one_by_one(plan, panel, runs))


@pytest.mark.parametrize(
    ("indicator", "imputer", "why"),
    [
        (_ratio(per_country=False), "panel_spread", UNDECLARED),
        (_share_of_total(), "panel_spread", UNDECLARED),
        (_ratio(per_country=True), "median", "indicator 'c' is imputed from other countries"),
    ],
)
def test_steps_that_mix_countries_go_run_by_run(indicator, imputer, why) -> None:
    plan, panel = _setup(indicator, imputer)
    assert country_step(plan) == why
    runs = _runs(panel, 3, 1)
    np.testing.assert_array_equal(prepare_runs(plan, panel, runs), _one_by_one(plan, panel, runs))


def test_an_outlier_treatment_goes_run_by_run() -> None:
    spec = riskcore.parse_index(
        '[index]\nname = "T"\nchildren = ["a", "b"]\n'
        '[defaults]\noutliers = "winsorise"\n'
        '[indicator.a]\ndirection = "higher_is_riskier"\n'
        '[indicator.b]\ndirection = "higher_is_riskier"\n'
    )
    plan = compile_plan(spec)
    assert country_step(plan) == "indicator 'a' has an outlier treatment"


def test_a_warning_names_the_country_and_the_run() -> None:
    plan, panel = _setup(_ratio(per_country=True))
    runs = _runs(panel, 2, 0)
    runs[1, 1, 2, 3] = 0.0  # b = 0 for GEO 2022 in the second run: a / 0 is infinite
    with pytest.warns(riskcore.PluginWarning, match=r"GEO \(run 1\) 2022"):
        prepare_runs(plan, panel, runs)


def test_the_example_plugins_declare_per_country_truthfully() -> None:
    host = riskcore.get_host()
    declared = [p.obj for p in host.indicators().values() if p.obj.per_country]
    assert len(declared) >= 10
    for indicator in declared:
        check_indicator(indicator)


def test_a_false_per_country_claim_is_caught() -> None:
    liar = dataclasses.replace(_share_of_total(), per_country=True)
    with pytest.raises(ConformanceError, match="per-country"):
        check_indicator(liar)


def test_imputers_that_declare_per_country_conform() -> None:
    host = riskcore.get_host()
    for name in ("none", "constant", "locf", "linear", "panel_spread"):
        method = host.imputer(name)
        assert method.per_country
        check_imputer(method, {"value": 0.0} if name == "constant" else None)


def test_a_false_imputer_claim_is_caught() -> None:
    from riskcore.methods.base import MethodBase

    class Liar(MethodBase):
        name = "liar"
        description = "the mean of every country, claiming per_country"
        per_country = True

        def __call__(self, values, params, *, context):
            return np.where(np.isnan(values), np.nanmean(values), values)

    with pytest.raises(ConformanceError, match="per-country"):
        check_imputer(Liar())


AS_IS = """
[index]
name = "As is"
children = ["a", "b"]
[defaults]
normalize = "minmax"
[indicator.a]
direction = "higher_is_riskier"
[indicator.b]
direction = "higher_is_riskier"
"""


@pytest.mark.parametrize(
    ("section_b", "index_key", "as_is"),
    [
        ("", "", True),
        ('missing = "structural_zero"\n', "", False),
        ('impute = "locf"\n', "", False),
        ('denominator = "c"\n', "", False),
        ("multiplier = 100\n", "", False),
        ('outliers = "winsorise"\n', "", False),
        ("", "screen = 0.5\n", False),
    ],
)
def test_variables_taken_as_they_are_need_no_treatment(
    section_b: str, index_key: str, as_is: bool
) -> None:
    text = AS_IS.replace("[indicator.b]\n", "[indicator.b]\n" + section_b)
    text = text.replace('children = ["a", "b"]\n', 'children = ["a", "b"]\n' + index_key)
    plan = compile_plan(riskcore.parse_index(text), host=PluginHost(autoload=False))
    variables = ("c", "b", "a")
    rows = as_is_rows(plan, variables)
    assert (rows is not None) == as_is
    if rows is not None:
        assert rows == [2, 1]
        values = np.random.default_rng(0).uniform(1, 9, (3, 4, 2))
        values[0, 1, 1] = values[2, 0, 0] = np.nan
        panel = riskcore.Panel(
            values=values, variables=variables, countries=COUNTRIES[:4], years=YEARS[:2]
        )
        np.testing.assert_array_equal(values[rows], prepare(plan, panel).values)


@pytest.mark.parametrize("requires", [(), ("a", "c")])
def test_a_leaf_that_reads_no_variable_or_several_is_not_as_is(requires: tuple[str, ...]) -> None:
    """A leaf built by hand with no variable (or several) is not a variable as it is: None,
    never an IndexError from reading its first variable."""
    plan = compile_plan(riskcore.parse_index(AS_IS), host=PluginHost(autoload=False))
    leaves = (dataclasses.replace(plan.leaves[0], requires=requires), plan.leaves[1])
    assert as_is_rows(dataclasses.replace(plan, leaves=leaves), ("c", "b", "a")) is None
