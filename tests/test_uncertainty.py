"""Uncertainty and sensitivity analysis of an index: assumptions, determinism, backends."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import riskcore
from riskcore.assumptions import load_assumptions, parse_assumptions
from riskcore.cli import main
from riskcore.sensitivity import saltelli_design
from riskcore.uncertainty import IndexModel, sensitivity_analysis, uncertainty_analysis
from tests.helpers import assert_load_names_file_and_key, flat_index, panel, score

pytest.importorskip("scipy")

ASEM = Path(__file__).resolve().parents[1] / "examples" / "asem"
ASSUMPTIONS = """
[uncertainty]
samples = 64
seed = 7
[[uncertainty.weights]]
name = "weights"
levels = [0, 1]
relative = 0.25
[uncertainty.normalize]
alternatives = ["minmax", { method = "zscore", mean = 10, sd = 2 }]
[uncertainty.aggregation]
alternatives = ["arithmetic", "geometric"]
[uncertainty.outliers]
max_points = [1, 5]
"""


@pytest.fixture(scope="module")
def asem() -> riskcore.Scores:
    return riskcore.score(
        ASEM / "index.toml", ASEM / "asem.csv", host=riskcore.PluginHost(autoload=False)
    )


def test_the_model_reproduces_the_nominal_scores(asem: riskcore.Scores) -> None:
    model = IndexModel(asem.plan, asem.panel, parse_assumptions(ASSUMPTIONS))
    score, rank = model.nominal()
    np.testing.assert_allclose(score, asem.score[:, 0])
    np.testing.assert_array_equal(rank, asem.rank[:, 0])
    assert model.names == ["weights", "normalisation", "aggregation", "winsorising points"]
    assert model.dims[1:] == [1, 1, 1]


def test_a_run_at_the_nominal_choices_is_the_nominal_index(asem: riskcore.Scores) -> None:
    model = IndexModel(asem.plan, asem.panel, parse_assumptions(ASSUMPTIONS))
    # weights noise at the centre (u = 0.5), minmax, arithmetic, 5 points (the index's own)
    x = np.concatenate([np.full(model.dims[0], 0.5), [0.0, 0.0, 0.99]])[np.newaxis]
    score, _ = model(x)
    np.testing.assert_allclose(score[0], asem.score[:, 0])


def test_each_factor_is_applied_as_declared() -> None:
    data = panel(np.array([[[0.0], [0.5], [1.0]], [[1.0], [0.5], [0.0]]]))
    spec = flat_index(2, normalize='{ method = "goalpost", lower = 0, upper = 1 }')
    s = score(spec, data)
    a = parse_assumptions(
        "[uncertainty]\n[uncertainty.exclusion]\n[[uncertainty.weights]]\nrelative = 0.5\n"
    )
    model = IndexModel(s.plan, s.panel, a)
    assert model.names == ["weights 1", "exclusion"]
    # exclusion choices: none, v0, v1; weights at their extremes
    x = np.array([[0.5, 0.5, 0.0], [0.5, 0.5, 0.5], [0.5, 0.5, 0.9], [0.0, 1.0, 0.0]])
    sc, _ = model(x)
    np.testing.assert_allclose(sc[0], [50, 50, 50])
    np.testing.assert_allclose(sc[1], [100, 50, 0])  # v0 left out: v1 alone
    np.testing.assert_allclose(sc[2], [0, 50, 100])  # v1 left out
    np.testing.assert_allclose(sc[3], [75, 50, 25])  # weights 0.5 and 1.5


def test_same_seed_same_numbers_whatever_the_chunk_size(asem: riskcore.Scores) -> None:
    a = parse_assumptions(ASSUMPTIONS)
    one = sensitivity_analysis(asem, a, chunk=10_000, bootstrap=20)
    many = sensitivity_analysis(asem, a, chunk=37, bootstrap=20)
    np.testing.assert_array_equal(one.summary.first, many.summary.first)
    np.testing.assert_array_equal(one.per_country.total, many.per_country.total)
    other = sensitivity_analysis(asem, a, seed=8, bootstrap=20)
    assert not np.array_equal(one.summary.first, other.summary.first)
    u1 = uncertainty_analysis(asem, a, chunk=5)
    u2 = uncertainty_analysis(asem, a, chunk=1000)
    np.testing.assert_array_equal(u1.rank["p95"], u2.rank["p95"])


def test_uncertainty_intervals_contain_the_median(asem: riskcore.Scores) -> None:
    u = uncertainty_analysis(asem, parse_assumptions(ASSUMPTIONS), samples=128)
    ok = ~np.isnan(u.nominal_rank)
    assert np.all(u.rank["p05"][ok] <= u.rank["median"][ok])
    assert np.all(u.rank["median"][ok] <= u.rank["p95"][ok])
    records = u.to_records()
    assert records[0]["rank"] == 1 and {"rank_p05", "rank_p95", "score_mean"} <= set(records[0])
    assert len(records) == 51


def test_sensitivity_finds_the_factor_that_matters() -> None:
    rng = np.random.default_rng(0)
    data = panel(rng.random((2, 10, 1)), countries=[f"{c}" for c in (
        "ARM", "AZE", "GEO", "KAZ", "KGZ", "TJK", "TKM", "UZB", "RUS", "UKR")])  # fmt: skip
    s = score(flat_index(2), data)
    a = parse_assumptions(
        "[uncertainty]\nsamples = 256\n[[uncertainty.weights]]\nrelative = 0.01\n"
        '[uncertainty.aggregation]\nalternatives = ["arithmetic", "min"]\n'
    )
    res = sensitivity_analysis(s, a, bootstrap=50)
    weights, agg = res.summary.total
    assert agg > 0.5 > weights


def test_data_uncertainty_from_standard_errors_and_ranges(post_soviet: Path) -> None:
    s = riskcore.score(post_soviet / "index.toml", post_soviet / "inputs.csv")
    head = "[uncertainty]\nsamples = 32\n[uncertainty.data]\n"
    # the example's estimates are the midpoints of their ranges; a range from the nominal
    # value up (Armenia) only raises the score, one from below up to it (Kazakhstan) only
    # lowers it
    ranges = parse_assumptions(
        head + 'ranges = { diaspora_stock = ["diaspora_stock", "diaspora_stock_high"] }'
    )
    u = uncertainty_analysis(s, ranges, year=2022)
    below = parse_assumptions(
        head + 'ranges = { diaspora_stock = ["diaspora_stock_low", "diaspora_stock"] }'
    )
    w = uncertainty_analysis(s, below, year=2022)
    arm, kaz = s.countries.index("ARM"), s.countries.index("KAZ")
    assert u.score["p05"][arm] >= u.nominal_score[arm] - 1e-9
    assert u.score["p95"][arm] > u.nominal_score[arm] + 1.0
    assert w.score["p95"][kaz] <= w.nominal_score[kaz] + 1e-9
    assert w.score["p05"][kaz] < w.nominal_score[kaz] - 1.0
    errors = parse_assumptions(
        head + 'standard_errors = { wgi_ge_est = "wgi_ge_se", wgi_rl_est = "wgi_rl_se" }'
    )
    v = uncertainty_analysis(s, errors, year=2022)
    assert v.score["p05"][kaz] < v.nominal_score[kaz] < v.score["p95"][kaz]
    again = uncertainty_analysis(s, errors, year=2022, chunk=3)
    np.testing.assert_array_equal(v.score["mean"], again.score["mean"])


@pytest.mark.parametrize(
    ("text", "key"),
    [
        (
            "[uncertainty]\n[[uncertainty.weights]]\nrelative = 2\n",
            "uncertainty.weights.0.relative",
        ),
        ("[uncertainty]\ncolour = 1\n", "uncertainty.colour"),
        ("[uncertainty]\n[uncertainty.outliers]\nmax_points = [5, 1]\n", "uncertainty.outliers"),
        ("[uncertainty]\n[uncertainty.normalize]\nalternatives = []\n", "uncertainty.normalize"),
        ('[uncertainty]\n[uncertainty.data]\nrelative = "0.1"\n', "uncertainty.data.relative"),
        ('[uncertainty]\n[uncertainty.outliers]\nmax_points = [1, "5"]\n', "uncertainty.outliers"),
    ],
)
def test_malformed_assumptions_name_file_and_key(tmp_path: Path, text: str, key: str) -> None:
    assert_load_names_file_and_key(load_assumptions, tmp_path / "a.toml", text, key)


def test_assumptions_that_do_not_fit_the_index(asem: riskcore.Scores) -> None:
    for text, key in (
        ('[uncertainty]\n[[uncertainty.weights]]\nnodes = ["Nope"]\nrelative = 0.1\n',
         "uncertainty.weights.0.nodes"),
        ('[uncertainty]\n[uncertainty.aggregation]\nalternatives = ["min"]\nnodes = ["Nope"]\n',
         "uncertainty.aggregation.nodes"),
        ('[uncertainty]\n[uncertainty.normalize]\nalternatives = ["rank"]\nindicators = ["Nope"]\n',
         "uncertainty.normalize.indicators"),
        ('[uncertainty]\n[uncertainty.normalize]\nalternatives = ["rank"]\nnodes = ["Conn"]\n',
         "uncertainty.normalize.nodes"),
        ('[uncertainty]\n[uncertainty.exclusion]\ncandidates = ["Nope"]\n',
         "uncertainty.exclusion.candidates"),
        ('[uncertainty]\n[uncertainty.aggregation]\nalternatives = ["mystery"]\n',
         "uncertainty.aggregation.alternatives.0"),
        ('[uncertainty]\n[uncertainty.aggregation]\n'
         'alternatives = ["arithmetic", { method = "bod", upper_share = 0.01 }]\n',
         "uncertainty.aggregation.alternatives.1"),  # no weights keep such shares
        ("[uncertainty]\nsamples = 16\n", "uncertainty"),
    ):  # fmt: skip
        with pytest.raises(riskcore.SpecError) as err:
            IndexModel(asem.plan, asem.panel, parse_assumptions(text, path="a.toml"))
        assert err.value.key == key


def test_dask_backend_gives_identical_results(asem: riskcore.Scores) -> None:
    distributed = pytest.importorskip("dask.distributed")
    a = parse_assumptions(ASSUMPTIONS)
    local = sensitivity_analysis(asem, a, chunk=100, bootstrap=20)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        remote = sensitivity_analysis(
            asem, a, chunk=100, bootstrap=20, backend="dask", client=client
        )
    np.testing.assert_array_equal(local.summary.first, remote.summary.first)
    np.testing.assert_array_equal(local.per_country.total, remote.per_country.total)


def test_design_rows_are_the_runs() -> None:
    x = saltelli_design([3, 1], 16, seed=0)
    assert x.shape == (16 * 4, 4) and np.all((x >= 0) & (x < 1))


def test_cli_uncertainty_and_sensitivity(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "a.toml"
    path.write_text(ASSUMPTIONS)
    args = [str(ASEM / "index.toml"), "--data", str(ASEM / "asem.csv"), "--assumptions", str(path)]
    assert main(["uncertainty", *args, "--samples", "32", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["runs"] == 32 and len(doc["results"]) == 51
    assert main(["sensitivity", *args, "--samples", "32", "--seed", "2"]) == 0
    out = capsys.readouterr().out
    assert "first" in out and "winsorising points" in out
    assert main(["sensitivity", str(ASEM / "index.toml"), "--data", str(ASEM / "asem.csv")]) == 2
    assert "no [uncertainty] table" in capsys.readouterr().err


def test_excluding_a_child_of_a_benefit_of_the_doubt_node() -> None:
    rng = np.random.default_rng(6)
    x = rng.random((3, 6, 1))
    goal = '{ method = "goalpost", lower = 0, upper = 1 }'
    exclude_v2 = parse_assumptions('[uncertainty]\n[uncertainty.exclusion]\ncandidates = ["v2"]\n')
    bod = '{ method = "bod", lower_share = 0.2, upper_share = 0.6 }'
    s = score(flat_index(3, aggregation=bod, normalize=goal), panel(x))
    model = IndexModel(s.plan, s.panel, exclude_v2)
    runs, _ = model(np.array([[0.25], [0.75]]))  # nothing excluded, then v2 excluded
    alone = score(flat_index(2, aggregation=bod, normalize=goal), panel(x[:2]))
    np.testing.assert_allclose(runs[0], s.score[:, 0])
    np.testing.assert_allclose(runs[1], alone.score[:, 0])  # solved again without v2
    # shares that two children cannot keep: the assumption is refused, not scored as zeros
    tight = '{ method = "bod", upper_share = 0.4 }'
    s = score(flat_index(3, aggregation=tight, normalize=goal), panel(x))
    with pytest.raises(riskcore.SpecError) as err:
        IndexModel(s.plan, s.panel, exclude_v2)
    assert err.value.key == "uncertainty.exclusion.candidates"
    assert "without 'v2'" in str(err.value)


def test_runs_keep_a_data_driven_weighting_that_no_factor_changes() -> None:
    # a factor that changes nothing (the one aggregation the index already uses) must give the
    # nominal scores, PCA weights included (runs used to replace them with the file's weights)
    rng = np.random.default_rng(8)
    x = rng.random((3, 8, 2))
    doc = flat_index(3, aggregation='"arithmetic"').model_dump(exclude_none=True)
    doc["index"]["weighting"] = {"method": "pca", "components": 1}
    s = score(riskcore.parse_index(doc), panel(x))
    noop = parse_assumptions(
        '[uncertainty]\n[uncertainty.aggregation]\nalternatives = ["arithmetic"]\n'
    )
    runs, _ = IndexModel(s.plan, s.panel, noop)(np.array([[0.1], [0.9]]))
    np.testing.assert_allclose(runs, np.tile(s.score[:, -1], (2, 1)))


def test_a_bad_alternative_is_named_like_a_bad_index_method(asem: riskcore.Scores) -> None:
    text = (
        '[uncertainty]\n[uncertainty.normalize]\nalternatives = [{ method = "zscore", sd = -1 }]\n'
    )
    with pytest.raises(riskcore.SpecError) as err:
        IndexModel(asem.plan, asem.panel, parse_assumptions(text, path="u.toml"))
    assert err.value.key == "uncertainty.normalize.alternatives.0.sd"
    assert "must be above 0, got -1" in str(err.value) and "pydantic" not in str(err.value)


def test_both_analyses_from_one_set_of_runs_equal_the_two_apart(asem: riskcore.Scores) -> None:
    from riskcore.uncertainty import uncertainty_and_sensitivity

    a = parse_assumptions(ASSUMPTIONS)
    u, s = uncertainty_and_sensitivity(asem, a, bootstrap=20, country_bootstrap=5)
    u_alone = uncertainty_analysis(asem, a)
    s_alone = sensitivity_analysis(asem, a, bootstrap=20, country_bootstrap=5)
    assert json.dumps(u.to_dict()) == json.dumps(u_alone.to_dict())
    assert json.dumps(s.to_dict()) == json.dumps(s_alone.to_dict())


DERIVED_INDEX = """
[index]
name = "Derived"
children = ["scaled", "v"]
[variables.ratio]
formula = "a / b"
[variables.scaled]
formula = "ratio * c"
[variables.total]
formula = "d + e"
[variables.unused]
formula = "f * 2"
[defaults]
normalize = { method = "goalpost", lower = 0, upper = 40 }
[indicator.scaled]
direction = "higher_is_riskier"
[indicator.v]
direction = "higher_is_riskier"
denominator = "total"
[uncertainty]
[uncertainty.data]
relative = 0.2
"""


def test_one_year_data_noise_draws_the_inputs_of_derived_variables() -> None:
    """A leaf on a derived variable (of a derived variable), a derived denominator and a derived
    variable no leaf uses: the one-year path draws every data variable they rest on, and gives
    the numbers of that year of the every-year path (the draws are by position)."""
    from riskcore.intervals import IntervalOptions

    host = riskcore.PluginHost(autoload=False)
    spec = riskcore.parse_index(DERIVED_INDEX, path="derived.toml")
    rng = np.random.default_rng(5)
    data = riskcore.Panel(
        values=rng.uniform(1.0, 5.0, (7, 4, 3)),
        variables=("v", "a", "b", "c", "d", "e", "f"),
        countries=("ARM", "AZE", "GEO", "KAZ"),
        years=(2019, 2020, 2021),
    )
    every = riskcore.score(spec, data, host=host, intervals=IntervalOptions(draws=24, seed=4))
    for year in (2020, 2021):
        options = IntervalOptions(draws=24, seed=4, one_year=True, year=year)
        one = riskcore.score(spec, data, host=host, intervals=options)
        assert set(one.runs) == {year}
        np.testing.assert_array_equal(one.runs[year].score, every.runs[year].score)
        np.testing.assert_array_equal(one.runs[year].rank, every.runs[year].rank)
    assert np.ptp(every.runs[2021].score, axis=0).min() > 0  # the data noise is drawn
