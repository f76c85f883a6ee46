"""The index file: valid forms, and every error naming the file and the key path."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import riskcore
from riskcore import SpecError, load_index, parse_index

DATA = "country,year,x,y,z\nARM,2020,1,5,2\nGEO,2020,2,4,2\nKAZ,2020,3,3,1\nUZB,2020,4,2,\n"

pytestmark = pytest.mark.filterwarnings("ignore:.*is not in the index tree")

HEAD = '[index]\nname = "Test index"\n'
XY = (
    '[indicator.x]\ndirection = "higher_is_riskier"\n'
    '[indicator.y]\ndirection = "lower_is_riskier"\n'
    '[indicator.z]\ndirection = "higher_is_riskier"\n'
)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    path = tmp_path / "data.csv"
    path.write_text(DATA)
    return path


def score_text(tmp_path: Path, data: Path, text: str, **kw: object) -> riskcore.Scores:
    path = tmp_path / "index.toml"
    path.write_text(text)
    return riskcore.score(path, data, host=riskcore.PluginHost(autoload=False), **kw)  # type: ignore[arg-type]


def test_minimal_index_and_defaults() -> None:
    spec = parse_index(HEAD + 'children = ["x"]\n')
    assert spec.index.code == "index"
    assert tuple(spec.index.scale) == (0.0, 100.0)
    assert spec.defaults.min_coverage == 0.5
    assert spec.leaves() == ["x"]


def test_weights_as_list_or_table_give_the_same_scores(tmp_path: Path, data: Path) -> None:
    listed = score_text(tmp_path, data, HEAD + 'children = ["x", "y"]\n' + XY)
    table = score_text(tmp_path, data, HEAD + "children = { x = 2, y = 2 }\n" + XY)
    np.testing.assert_allclose(listed.score, table.score)


def test_nested_tree_of_any_depth(tmp_path: Path, data: Path) -> None:
    text = (
        HEAD
        + 'children = ["a"]\n[node.a]\nname = "A"\nchildren = ["b"]\n'
        + '[node.b]\nname = "B"\nchildren = ["c", "z"]\n[node.c]\nname = "C"\n'
        + 'children = { x = 1, y = 3 }\naggregation = { method = "power_mean", p = 2 }\n'
        + XY
    )
    scores = score_text(tmp_path, data, text)
    assert scores.node_codes == ["c", "b", "a", "index"]
    flat = score_text(
        tmp_path,
        data,
        HEAD + 'children = ["c", "z"]\n[node.c]\nname = "C"\nchildren = { x = 1, y = 3 }\n'
        'aggregation = { method = "power_mean", p = 2 }\n' + XY,
    )
    np.testing.assert_allclose(scores.score, flat.score)


def test_load_index_reads_the_bundled_example(post_soviet: Path) -> None:
    spec = load_index(post_soviet / "index.toml")
    assert spec.index.code == "instability"
    assert set(spec.leaves()) == {
        "diaspora_size",
        "diaspora_activism",
        "institutional_sophistication",
        "crackdown_propensity",
        "emigrant_incidents",
        "structural_ties",
        "remittance_dependence",
        "trade_dependence",
        "russian_minority",
    }


ERRORS = [
    ('[index]\nchildren = ["x"]\n', "index.name", "required"),
    (HEAD + 'children = ["x"]\ncolour = "red"\n', "index.colour", "unknown key"),
    (HEAD + 'children = ["x"]\n[nodes.a]\nname = "A"\n', "nodes", "unknown key"),
    (HEAD + "children = []\n", "index.children", "at least one child"),
    (HEAD + 'children = ["x", "x"]\n', "index.children", "listed twice"),
    (HEAD + "children = { x = -1, y = 1 }\n", "index.children", "negative"),
    (HEAD + "children = { x = 0, y = 0 }\n", "index.children", "all weights are zero"),
    (HEAD + 'children = ["index"]\n', "index.children", "cycle"),
    (
        HEAD + 'children = ["x"]\n[node.a]\nname = "A"\nchildren = ["b"]\n'
        '[node.b]\nname = "B"\nchildren = ["a"]\n',
        "children",
        "cycle",
    ),
    (
        HEAD + 'children = ["a", "b"]\n[node.a]\nname = "A"\nchildren = ["x"]\n'
        '[node.b]\nname = "B"\nchildren = ["a"]\n',
        "node.b.children",
        "used twice",
    ),
    (HEAD + 'children = ["x"]\nscale = [100, 0]\n', "index.scale", "low < high"),
    (
        HEAD + 'children = ["x"]\nmin_coverage = 1.5\n',
        "index.min_coverage",
        "must be at most 1, got 1.5",
    ),
    (
        HEAD + 'children = ["x"]\n[indicator.x]\ndirection = "up"\n',
        "indicator.x.direction",
        "higher_is_riskier",
    ),
    (
        HEAD + 'children = ["x"]\n[indicator.x]\nnormalize = { lower = 1 }\n',
        "indicator.x.normalize",
        "method",
    ),
    (HEAD + 'children = ["x"]\n[index.extra]\n', "index.extra", "unknown key"),
    # a number written as text, or true/false, is an error rather than quietly converted
    (HEAD + 'children = ["x"]\nmin_coverage = "0.5"\n', "index.min_coverage", "expected a number"),
    (HEAD + 'children = ["x"]\nmin_coverage = true\n', "index.min_coverage", "expected a number"),
    (HEAD + 'children = ["x"]\nscale = [0, "100"]\n', "index.scale", "expected a number"),
    ("[index\n", "", "invalid TOML"),
]


@pytest.mark.parametrize(("text", "key", "message"), ERRORS)
def test_malformed_index_names_file_and_key(
    tmp_path: Path, text: str, key: str, message: str
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(SpecError) as err:
        load_index(path)
    assert err.value.path == str(path)
    assert key in (err.value.key or "")
    assert message in str(err.value)
    assert str(path) in str(err.value)


COMPILE_ERRORS = [
    (HEAD + 'children = ["nothing"]\n', "index.children", "not a node"),
    (HEAD + 'children = ["x"]\n', "indicator.x.direction", "direction must be given"),
    (HEAD + 'children = ["x"]\naggregation = "mystery"\n' + XY, "index.aggregation", "mystery"),
    (
        HEAD + 'children = ["x"]\naggregation = { method = "power_mean", q = 1 }\n' + XY,
        "index.aggregation",
        "unknown parameter",
    ),
    (
        HEAD + 'children = ["x", "y"]\n[indicator.x]\ndirection = "higher_is_riskier"\n'
        'normalize = "nope"\n[indicator.y]\ndirection = "lower_is_riskier"\n',
        "indicator.x.normalize",
        "unknown normalization method 'nope'",
    ),
    (
        HEAD + 'children = ["x", "y"]\n[indicator.x]\ndirection = "higher_is_riskier"\n'
        'normalize = { method = "goalpost", lower = 5, upper = 1 }\n'
        '[indicator.y]\ndirection = "lower_is_riskier"\n',
        "indicator.x.normalize",
        "below upper",
    ),
    (
        HEAD + 'children = ["x"]\n[defaults]\nnormalize = "zzz"\n' + XY,
        "defaults.normalize",
        "zzz",
    ),
    (
        HEAD + 'children = ["x", "y"]\n[indicator.x]\ndirection = "higher_is_riskier"\n'
        'normalize = { method = "goalpost", lower = -1, upper = 9, transform = "log" }\n'
        '[indicator.y]\ndirection = "lower_is_riskier"\n',
        "indicator.x.normalize",
        "",
    ),
    (
        HEAD
        + 'children = ["x", "y"]\naggregation = { method = "bod", lower_share = "0.1" }\n'
        + XY,
        "index.aggregation.lower_share",
        "expected a number",
    ),
    (
        HEAD + 'children = ["x", "y"]\naggregation = { method = "power_mean", p = true }\n' + XY,
        "index.aggregation.p",
        "expected a number",
    ),
    (  # a child with weight 0 takes no part: two children remain, and 0.4 cannot hold
        HEAD + "children = { x = 1, y = 0, z = 1 }\n"
        'aggregation = { method = "bod", upper_share = 0.4 }\n' + XY,
        "index.aggregation",
        "upper_share = 0.4 cannot hold for 2 children",
    ),
    (  # benefit of the doubt: shares that no weights of two children can keep
        HEAD + 'children = ["x", "y"]\naggregation = { method = "bod", upper_share = 0.4 }\n' + XY,
        "index.aggregation",
        "upper_share = 0.4 cannot hold for 2 children",
    ),
    (
        HEAD + 'children = ["x", "y"]\naggregation = { method = "bod", lower_share = 0.6 }\n' + XY,
        "index.aggregation",
        "lower_share = 0.6 cannot hold for 2 children",
    ),
]


@pytest.mark.parametrize(("text", "key", "message"), COMPILE_ERRORS)
def test_index_not_fitting_data_or_plugins_names_the_key(
    tmp_path: Path, data: Path, text: str, key: str, message: str
) -> None:
    with pytest.raises(SpecError) as err:
        score_text(tmp_path, data, text)
    assert key in (err.value.key or ""), str(err.value)
    assert message in str(err.value)
    assert str(tmp_path / "index.toml") in str(err.value)


def test_unused_sections_warn(tmp_path: Path) -> None:
    text = HEAD + 'children = ["x"]\n[node.a]\nname = "A"\nchildren = ["y"]\n[indicator.q]\n'
    with pytest.warns(UserWarning, match=r"node\.a") as record:
        parse_index(text, path="w.toml")
    assert any("indicator.q" in str(w.message) for w in record)


def test_published_schema_validates_keys(tmp_path: Path) -> None:
    schema = riskcore.index_schema()
    assert schema["required"] == ["index"]
    assert "children" in json.dumps(schema)
    assert schema["additionalProperties"] is False


def test_every_example_index_file_validates_against_the_published_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    from riskcore._compat import tomllib  # tomli on Python 3.10

    root = Path(__file__).resolve().parents[1]
    schema = json.loads((root / "docs" / "index-schema.json").read_text())
    files = sorted(root.glob("examples/**/index.toml"))
    assert len(files) >= 3
    for path in files:
        jsonschema.validate(tomllib.loads(path.read_text()), schema)
    bad = tomllib.loads((root / "examples/post_soviet/index.toml").read_text())
    bad["index"]["colour"] = "red"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)
    bad = tomllib.loads((root / "examples/post_soviet/index.toml").read_text())
    bad["indicator"]["diaspora_size"]["normalize"] = 3
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


def test_python_values_are_taken_as_python_callers_write_them() -> None:
    # refusing text for numbers must not refuse tuples, numpy integers or numpy booleans
    from riskcore.analysis import Shock
    from riskcore.methods.normalise import GoalpostParams

    doc = {
        "index": {"name": "T", "children": ("x", "y"), "round": np.int64(2), "scale": [0, 1]},
        "indicator": {c: {"direction": "higher_is_riskier"} for c in ("x", "y")},
    }
    spec = parse_index(doc)
    assert spec.index.children == ["x", "y"] and spec.index.round == 2
    shock = Shock(indicator="x", years=(np.int64(2022), 2023), countries=("ARM",), add=1)
    assert shock.years == [2022, 2023] and shock.countries == ["ARM"]
    assert GoalpostParams(lower=np.int64(0), upper=1.0, clip=np.bool_(False)).clip is False
    with pytest.raises(ValueError, match="true or false"):
        GoalpostParams.model_validate({"lower": 0, "upper": 1, "clip": "no"})
