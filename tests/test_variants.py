"""One compiler of variants (issue #10): the defects the three compilers caused, each fixed."""

from __future__ import annotations

from pathlib import Path

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
