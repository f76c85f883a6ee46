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
