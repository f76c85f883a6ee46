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


# -- the batched layout: real country codes, every field of the panel ----------------------------
TABLE = {"ARM": 2.0, "AZE": 3.0, "GEO": 5.0, "KAZ": 7.0}  # a constant per country, by ISO code


def _by_code(d):
    return d["a"] * np.array([TABLE.get(c, 1.0) for c in d.countries])[:, None]


def _by_name(d):
    return d["a"] + np.array([len(d.country_names[c]) for c in d.countries])[:, None]


def _by_group(d):
    return d["a"] * np.array([2.0 if g == "south" else 1.0 for g in d.groups["region"]])[:, None]


def _by_source(d):
    sourced = [[d.source_of("a", c, y).source == "census" for y in d.years] for c in d.countries]
    return np.where(sourced, d["a"], 2.0 * d["a"])


def _by_estimate(d):
    return d["a"] + np.nan_to_num(d.estimates.se[d.variables.index("a")])


LOOKUP = """
[index]
name = "Lookup"
children = ["looked_up", "b"]
[indicator.b]
direction = "higher_is_riskier"
impute = "locf"
[defaults]
normalize = "minmax"
"""


def _lookup_setup(compute):
    from riskcore.estimates import Estimates

    indicator = riskcore.Indicator(
        code="looked_up", name="Looked up", unit="-", higher_is_riskier=True,
        requires=("a", "b"), compute=compute, per_country=True,
    )  # fmt: skip
    host = PluginHost(autoload=False, plugins={"test-lookup": indicator})
    plan = compile_plan(riskcore.parse_index(LOOKUP), host=host)
    rng = np.random.default_rng(2)
    values = rng.uniform(1.0, 9.0, (2, 4, 3))
    values[1, 2, 1] = np.nan  # b: a gap for locf
    shape = values.shape
    se = np.where(rng.random(shape) < 0.5, rng.uniform(0.1, 1.0, shape), np.nan)
    nan = np.full(shape, np.nan)
    panel = riskcore.Panel(
        values=values, variables=("a", "b"), countries=COUNTRIES[:4], years=YEARS[:3],
        units={"a": "people", "b": "US$"}, path="lookup.csv",
        provenance={("a", c, y): ("census" if (i + y) % 2 else "survey", None, 2 + i)
                    for i, c in enumerate(COUNTRIES[:4]) for y in YEARS[:3]},
        country_names={"ARM": "Armenia", "AZE": "Azerbaijan", "GEO": "Georgia", "KAZ": "Qazaq"},
        groups={"region": ("south", "south", "south", "central")},
        estimates=Estimates(nan, nan, se, np.zeros(shape, np.int8), np.zeros(shape, bool)),
    )  # fmt: skip
    return plan, panel


@pytest.mark.parametrize("compute", [_by_code, _by_name, _by_group, _by_source, _by_estimate])
def test_a_per_country_plugin_reading_the_panel_gets_the_numbers_of_run_by_run(compute) -> None:
    """A per-country plugin that looks values up by the real country code, its name, group,
    provenance or estimate computes in the batched pass what it computes run by run."""
    plan, panel = _lookup_setup(compute)
    assert country_step(plan) is None  # the batched pass
    runs = _runs(panel, 5, 3)
    np.testing.assert_array_equal(prepare_runs(plan, panel, runs), _one_by_one(plan, panel, runs))
    check_indicator(plan.leaves[0].indicator, panel)  # and it conforms


def test_the_batched_panel_repeats_the_real_codes_once_per_run_and_keeps_every_field() -> None:
    from riskcore.batched import runs_as_countries

    _, panel = _lookup_setup(_by_code)
    runs = _runs(panel, 3, 0)
    wide = runs_as_countries(panel, runs)
    assert wide.countries == panel.countries * 3
    assert wide.groups == {"region": panel.groups["region"] * 3}
    assert wide.country_names == panel.country_names
    assert (wide.units, wide.provenance, wide.path) == (panel.units, panel.provenance, panel.path)
    assert wide.estimates is not None and panel.estimates is not None
    for name in ("low", "high", "se", "kind", "from_range"):  # built when first read
        tiled = np.tile(getattr(panel.estimates, name), (1, 3, 1))
        np.testing.assert_array_equal(getattr(wide.estimates, name), tiled)
    assert wide.source_of("a", "AZE", 2020) == panel.source_of("a", "AZE", 2020)
    np.testing.assert_array_equal(wide["a"][4:8], runs[1, 0])  # run 1's countries
    assert wide.cell_labels(5, 2) == ("AZE (run 1)", "2021")
    with pytest.raises(riskcore.DataError, match="once per run"):  # only that layout repeats
        dataclasses.replace(wide, countries=("AZE", "ARM", *wide.countries[2:]))
    with pytest.raises(riskcore.DataError, match="repeated country label"):
        dataclasses.replace(panel, countries=("ARM", "ARM", "GEO", "KAZ"))


def test_one_year_runs_name_the_year_and_the_run() -> None:
    """Runs of one year laid along the years: a message names the real year and the run, not
    the run as a year."""
    from riskcore.intervals import IntervalOptions

    spec = riskcore.parse_index(
        '[index]\nname = "R"\nchildren = ["root_a", "b"]\n'
        '[variables.root_a]\nformula = "sqrt(a - 1)"\n'
        '[indicator.root_a]\ndirection = "higher_is_riskier"\n'
        '[indicator.b]\ndirection = "higher_is_riskier"\n'
        '[defaults]\nnormalize = { method = "goalpost", lower = 0, upper = 2 }\n'
        "[uncertainty]\n[uncertainty.data]\nrelative = 0.9\n",
        path="r.toml",
    )
    panel = riskcore.Panel(
        values=np.random.default_rng(0).uniform(1.2, 1.5, (2, 4, 2)), variables=("a", "b"),
        countries=COUNTRIES[:4], years=(2020, 2021),
    )  # fmt: skip
    host = PluginHost(autoload=False)
    options = IntervalOptions(draws=50, one_year=True)
    one = riskcore.score(spec, panel, host=host, intervals=options)
    with pytest.raises(riskcore.SpecError, match=r"for [A-Z]{3} 2021 \(run \d+\) although"):
        one.runs  # noqa: B018
    every = riskcore.score(spec, panel, host=host, intervals=IntervalOptions(draws=50))
    with pytest.raises(riskcore.SpecError, match=r"for [A-Z]{3} \(run \d+\) 20(20|21) although"):
        every.runs  # noqa: B018


def _by_row_of_code(d):
    """Wrong with repeated codes: a dict from code to row keeps the last run's row."""
    rows = dict(zip(d.countries, d["a"], strict=True))
    return np.stack([rows[c] for c in d.countries]) / d["b"]


def test_the_per_country_rule_computes_runs_side_by_side() -> None:
    """A plugin right on any one panel (half of the countries included) but wrong where the
    codes repeat once per run breaks rule per-country, as the batched pass would show."""
    plan, panel = _lookup_setup(_by_row_of_code)
    runs = _runs(panel, 3, 1)
    assert not np.array_equal(prepare_runs(plan, panel, runs), _one_by_one(plan, panel, runs))
    with pytest.raises(ConformanceError, match=r"per-country.*laid side by side"):
        check_indicator(plan.leaves[0].indicator, panel)
