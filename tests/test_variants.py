"""One compiler of variants (issue #10): the defects the three compilers caused, each fixed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import riskcore
from riskcore.assumptions import Assumptions
from riskcore.cli import main

INDEX_WITH_ASSUMPTIONS = """
[index]
name = "Test"
children = ["v0", "v1"]
[indicator.v0]
direction = "higher_is_riskier"
[indicator.v1]
direction = "higher_is_riskier"
[uncertainty]
samples = 16
seed = 3
[[uncertainty.weights]]
relative = 0.2
"""

DATA = "country,year,v0,v1\nARM,2020,1,2\nAZE,2020,3,1\nGEO,2020,2,5\n"


def test_the_uncertainty_table_is_parsed_once_into_the_index_spec(tmp_path: Path) -> None:
    spec = riskcore.parse_index(INDEX_WITH_ASSUMPTIONS, path="i.toml")
    assert isinstance(spec.uncertainty, Assumptions)
    assert spec.uncertainty.samples == 16 and spec.uncertainty.path == "i.toml"
    plan = riskcore.compile_plan(
        spec, host=riskcore.PluginHost(autoload=False), variables={"v0", "v1"}
    )
    assert plan.assumptions is spec.uncertainty


def test_the_command_line_uses_the_parsed_table_and_does_not_read_the_file_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    index, data = tmp_path / "i.toml", tmp_path / "d.csv"
    index.write_text(INDEX_WITH_ASSUMPTIONS)
    data.write_text(DATA)
    import riskcore.assumptions as assumptions

    def refuse(path: object) -> None:
        raise AssertionError("the index file was read a second time")

    monkeypatch.setattr(assumptions, "load_assumptions", refuse)
    assert main(["uncertainty", str(index), "--data", str(data), "--format", "json"]) == 0
    assert '"runs": 16' in capsys.readouterr().out


def test_an_index_without_the_table_is_refused_naming_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    index, data = tmp_path / "i.toml", tmp_path / "d.csv"
    index.write_text(INDEX_WITH_ASSUMPTIONS.split("[uncertainty]")[0])
    data.write_text(DATA)
    assert main(["uncertainty", str(index), "--data", str(data)]) == 2
    err = capsys.readouterr().err
    assert str(index) in err and "no [uncertainty] table" in err


def test_a_bad_uncertainty_table_in_the_index_names_its_key() -> None:
    with pytest.raises(riskcore.SpecError) as err:
        riskcore.parse_index(INDEX_WITH_ASSUMPTIONS.replace("0.2", "2.0"), path="i.toml")
    assert err.value.key == "uncertainty.weights.0.relative"


def test_a_year_not_in_the_data_is_one_error_with_one_message_everywhere(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from riskcore.analysis import parse_scenario, run_scenario
    from riskcore.assumptions import parse_assumptions
    from riskcore.uncertainty import IndexModel

    index, data = tmp_path / "i.toml", tmp_path / "d.csv"
    index.write_text(INDEX_WITH_ASSUMPTIONS)
    data.write_text(DATA)
    s = riskcore.score(index, data, host=riskcore.PluginHost(autoload=False))
    expected = "year 1999 is not in the data (years: 2020)"
    raised = []
    for call in (
        lambda: s.year_index(1999),
        lambda: s.explain("ARM", 1999),
        lambda: s.panel.select(years=[1999]),
        lambda: IndexModel(s.plan, s.panel, parse_assumptions(INDEX_WITH_ASSUMPTIONS), year=1999),
        lambda: run_scenario(
            s,
            parse_scenario(
                "[scenario]\n[[scenario.shock]]\nvariable = 'v0'\nyears = [1999]\nadd = 1\n"
            ),
        ),
    ):
        with pytest.raises(riskcore.LabelError) as err:
            call()
        assert isinstance(err.value, KeyError) and isinstance(err.value, riskcore.SpecError)
        raised.append(str(err.value))
    assert all(text.endswith(expected) for text in raised), raised
    assert raised[0] == expected  # from Python, no file to name
    for argv in (
        ["score", str(index), "--data", str(data), "--year", "1999"],
        ["uncertainty", str(index), "--data", str(data), "--year", "1999"],
        ["trend", str(index), "--data", str(data), "--from", "1999"],
    ):
        assert main(argv) == 2
        assert capsys.readouterr().err.strip().endswith(f"{data}: {expected}")


def test_a_country_not_in_the_data_is_the_same_error(tmp_path: Path) -> None:
    data = tmp_path / "d.csv"
    data.write_text(DATA)
    spec = riskcore.parse_index(INDEX_WITH_ASSUMPTIONS)
    s = riskcore.score(spec, data, host=riskcore.PluginHost(autoload=False))
    with pytest.raises(riskcore.LabelError, match=r"^country 'XYZ' is not in the data$"):
        s.explain("XYZ")


THREE = """
[index]
name = "Three"
children = { v0 = 1, v1 = 1, v2 = 1 }
[indicator.v0]
direction = "higher_is_riskier"
[indicator.v1]
direction = "higher_is_riskier"
[indicator.v2]
direction = "higher_is_riskier"
"""


def _three(tmp_path: Path, extra: str = "", rows: str = "") -> riskcore.Scores:
    data = tmp_path / "d.csv"
    data.write_text(
        "country,year,v0,v1,v2\nARM,2020,1,2,\nAZE,2020,3,1,4\nGEO,2020,2,5,1\nKAZ,2020,4,3,2\n"
        + rows
    )
    return riskcore.score(
        riskcore.parse_index(THREE + extra, path="three.toml"),
        data,
        host=riskcore.PluginHost(autoload=False),
    )


def test_coverage_after_a_drop_counts_the_weights_that_remain(tmp_path: Path) -> None:
    from riskcore.analysis import parse_scenario, run_scenario

    s = _three(tmp_path)
    arm = s.country_index("ARM")
    assert s.coverage[arm, 0] == pytest.approx(2 / 3)  # v2 is not published for ARM
    out = run_scenario(s, parse_scenario("[scenario]\n[[scenario.shock]]\ndrop = 'v2'\n"))
    # with v2 left out, everything the index still uses is observed for ARM
    assert out.shocked.coverage[arm, 0] == pytest.approx(1.0)
    assert out.shocked.coverage[s.country_index("AZE"), 0] == pytest.approx(1.0)


def test_a_normalisation_alternative_takes_every_option_the_index_takes(tmp_path: Path) -> None:
    from riskcore.assumptions import parse_assumptions
    from riskcore.uncertainty import IndexModel

    rows = "ARM,2021,2,2,1\nAZE,2021,1,4,2\nGEO,2021,8,5,3\nKAZ,2021,4,1,2\n"
    s = _three(tmp_path, rows=rows)
    text = (
        "[uncertainty]\n[uncertainty.normalize]\n"
        'alternatives = ["minmax", { method = "minmax", per_year = true }]\n'
    )
    model = IndexModel(s.plan, s.panel, parse_assumptions(text, path="u.toml"), year=2021)
    score, _ = model([[0.99]])  # the second alternative
    per_year = _three(
        tmp_path, '[defaults]\nnormalize = { method = "minmax", per_year = true }\n', rows
    )
    np.testing.assert_allclose(score[0], per_year.score[:, 1])
    assert not np.allclose(per_year.score[:, 1], s.score[:, 1])  # the option matters here


@pytest.mark.parametrize(
    ("table", "key", "words"),
    [
        ("[uncertainty.outliers]\nmax_points = [1, 3]\n", "uncertainty.outliers", "no indicator"),
        (
            "[[uncertainty.weights]]\nlevels = [2]\nrelative = 0.2\n",
            "uncertainty.weights.0.levels",
            "no node lies at level 2",
        ),
        (
            "[uncertainty.exclusion]\ncandidates = ['v9']\n",
            "uncertainty.exclusion.candidates",
            "'v9' is not an indicator or node",
        ),
    ],
)
def test_a_factor_that_cannot_change_anything_is_refused_with_its_key(
    tmp_path: Path, table: str, key: str, words: str
) -> None:
    from riskcore.assumptions import parse_assumptions
    from riskcore.uncertainty import IndexModel

    s = _three(tmp_path)
    with pytest.raises(riskcore.SpecError) as err:
        IndexModel(s.plan, s.panel, parse_assumptions("[uncertainty]\n" + table, path="u.toml"))
    assert err.value.key == key and words in str(err.value) and "u.toml" in str(err.value)


def test_the_treated_data_of_the_index_are_reused_not_recomputed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import riskcore.uncertainty as uncertainty
    from riskcore.assumptions import parse_assumptions

    s = _three(tmp_path, '[defaults]\noutliers = { method = "winsorise", max_points = 2 }\n')
    calls = []
    real = uncertainty.prepare

    def counting(plan: riskcore.Plan, panel: riskcore.Panel) -> riskcore.Prepared:
        calls.append(plan)
        return real(plan, panel)

    monkeypatch.setattr(uncertainty, "prepare", counting)
    text = "[uncertainty]\nsamples = 8\n[uncertainty.outliers]\nmax_points = [0, 3]\n"
    out = uncertainty.uncertainty_analysis(s, parse_assumptions(text))
    # four limits, one of them (2) the index's own: three treatments, none for the nominal run
    assert len(calls) == 3
    np.testing.assert_allclose(out.nominal_score, s.score[:, 0])


def test_evaluate_validates_replacement_weights(tmp_path: Path) -> None:
    s = _three(tmp_path)
    for weights, words in (
        ({"nope": np.ones(3)}, "'nope' is not a node"),
        ({"index": np.array([1.0, -1.0, 1.0])}, "must be >= 0"),
        ({"index": np.zeros(3)}, "all zero"),
        ({"index": np.ones(2)}, "expected 3 weights"),
        ({"index": np.array([1.0, np.nan, 1.0])}, "finite"),
    ):
        with pytest.raises(ValueError, match=words):
            riskcore.evaluate(s.plan, s.values, weights=weights)
    ev = riskcore.evaluate(s.plan, s.values, weights={"index": np.array([[1.0, 1.0, 0.0]])})
    np.testing.assert_allclose(ev.leaf_weights, [[0.5, 0.5, 0.0]])


def test_a_scenario_country_is_looked_up_like_everywhere_else(tmp_path: Path) -> None:
    from riskcore.analysis import parse_scenario, run_scenario

    s = _three(tmp_path)
    text = "[scenario]\n[[scenario.shock]]\nvariable = 'v0'\ncountries = [' kaz']\nadd = 1\n"
    out = run_scenario(s, parse_scenario(text))
    k = s.country_index("KAZ")
    assert out.shocked.panel["v0"][k, 0] == s.panel["v0"][k, 0] + 1
    changed = np.flatnonzero(out.shocked.panel["v0"][:, 0] != s.panel["v0"][:, 0])
    assert changed.tolist() == [k]


def test_an_alternative_takes_per_year_as_the_index_would_for_that_method(tmp_path: Path) -> None:
    from riskcore.assumptions import parse_assumptions
    from riskcore.uncertainty import IndexModel

    rows = "ARM,2021,2,2,1\nAZE,2021,1,4,2\nGEO,2021,8,5,3\nKAZ,2021,4,1,2\n"
    defaults = '[defaults]\nnormalize = { method = "minmax", per_year = true }\n'
    s = _three(tmp_path, defaults, rows)
    text = '[uncertainty]\n[uncertainty.normalize]\nalternatives = ["minmax", "zscore"]\n'
    model = IndexModel(s.plan, s.panel, parse_assumptions(text), year=2021)
    assert [leaf.per_year for leaf in model.variants.norm_plans[1].leaves] == [False] * 3
    zscore = _three(tmp_path, '[defaults]\nnormalize = "zscore"\n', rows)
    np.testing.assert_allclose(model([[0.99]])[0][0], zscore.score[:, 1])


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ("[[uncertainty.weights]]\nnodes = []\nrelative = 0.2\n", "uncertainty.weights.0.nodes"),
        ("[uncertainty.exclusion]\ncandidates = []\n", "uncertainty.exclusion.candidates"),
        (
            "[uncertainty.aggregation]\nalternatives = ['geometric']\nnodes = []\n",
            "uncertainty.aggregation.nodes",
        ),
        ("[uncertainty.outliers]\nmax_points = [2, 2]\n", "uncertainty.outliers.max_points"),
    ],
)
def test_empty_or_idle_factors_are_refused(tmp_path: Path, table: str, key: str) -> None:
    from riskcore.assumptions import parse_assumptions
    from riskcore.uncertainty import IndexModel

    s = _three(tmp_path, '[defaults]\noutliers = { method = "winsorise", max_points = 2 }\n')
    with pytest.raises(riskcore.SpecError) as err:
        IndexModel(s.plan, s.panel, parse_assumptions("[uncertainty]\n" + table, path="u.toml"))
    assert err.value.key == key


def test_weight_noise_leaves_weights_taken_from_the_data_alone(tmp_path: Path) -> None:
    from riskcore.assumptions import parse_assumptions
    from riskcore.uncertainty import IndexModel

    s = _three(tmp_path, rows="ARM,2021,2,2,1\nAZE,2021,1,4,2\nGEO,2021,8,5,3\nKAZ,2021,4,1,2\n")
    pca = riskcore.parse_index(
        THREE.replace(
            "children = { v0 = 1, v1 = 1, v2 = 1 }",
            'children = ["v0", "v1", "v2"]\nweighting = "pca"',
        ),
        path="three.toml",
    )
    scored = riskcore.score(pca, s.panel, host=riskcore.PluginHost(autoload=False))
    text = "[uncertainty]\n[[uncertainty.weights]]\nnodes = ['index']\nrelative = 0.2\n"
    with pytest.raises(riskcore.SpecError, match="takes its weights from the data") as err:
        IndexModel(scored.plan, scored.panel, parse_assumptions(text, path="u.toml"))
    assert err.value.key == "uncertainty.weights.0.nodes"
