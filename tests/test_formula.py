"""Derived variables: the formula language, and ``[variables.NAME]`` in an index file."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import riskcore
from riskcore.cli import main
from riskcore.formula import FormulaError, parse_formula
from tests.helpers import panel, refused_by_score, score

NAN = np.nan
YEARS = (2000, 2001, 2002, 2004)  # a gap: 2003 is not in the data


def run(text: str, **variables: list[float]) -> list[float]:
    """``text`` over one country's years."""
    arrays = {k: np.array([v], dtype=float) for k, v in variables.items()}
    values, undefined = parse_formula(text).evaluate(arrays.__getitem__, YEARS)
    assert not undefined.any()
    return [float(v) for v in np.broadcast_to(values, (1, len(YEARS)))[0]]


def same(got: list[float], expected: list[float]) -> bool:
    return all(
        (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, abs_tol=1e-12)
        for a, b in zip(got, expected, strict=True)
    )


X = [0.0, 1.0, NAN, 4.0]
Y = [1.0, 2.0, 3.0, 4.0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x + 2 * y", [2, 5, NAN, 12]),
        ("-x ^ 2", [0, -1, NAN, -16]),  # the power binds tighter than the sign
        ("2 ^ 3 ^ 2", [512] * 4),  # and is right-associative
        ("(x + y) / 2", [0.5, 1.5, NAN, 4]),
        ("min(x, y, 2)", [0, 1, NAN, 2]),
        ("max(x, y) >= 2", [0, 1, NAN, 1]),
        ("where(x == 0, 0, log(x))", [0, 0, NAN, math.log(4)]),  # IF(x = 0, 0, LN(x))
        (
            "log10(y * 25) + sqrt(y) + abs(-y)",
            [
                math.log10(25) + 1 + 1,
                math.log10(50) + math.sqrt(2) + 2,
                math.log10(75) + math.sqrt(3) + 3,
                2 + 2 + 4,
            ],
        ),
        ("isnan(x)", [0, 0, 1, 0]),  # the one way round a missing input
        ("where(isnan(x), y, x)", [0, 1, 3, 4]),
        ("lag(y, 1)", [NAN, 1, 2, NAN]),  # 2004 - 1 = 2003 is not in the data
        ("y - lag(y, 2)", [NAN, NAN, 2, 1]),
        ("y ** 2 != 4", [1, 0, 1, 1]),
    ],
)
def test_formulas_computed_by_hand(text: str, expected: list[float]) -> None:
    assert same(run(text, x=X, y=Y), expected), run(text, x=X, y=Y)


@pytest.mark.parametrize(
    ("text", "column", "message"),
    [
        ("x +", 4, "expected a number"),
        ("exp(x)", 1, "unknown function 'exp'"),
        ("__import__(os)", 1, "unknown function '__import__'"),
        ("__import__('os')", 12, "unexpected character"),  # no strings, no Python objects
        ("x.real", 2, "unexpected character '.'"),
        ("x $ y", 3, "unexpected character '$'"),
        ("log x", 1, "needs arguments"),
        ("min(x)", 1, "2 or more"),
        ("where(x, 1)", 1, "3 arguments"),
        ("lag(x, 1.5)", 8, "whole number"),
        ("1 < x < 2", 7, "do not chain"),
        ("(x + 1", 7, "expected ')'"),
        ("x y", 3, "unexpected 'y'"),
        ("", 1, "empty"),
    ],
)
def test_bad_formulas_name_the_column(text: str, column: int, message: str) -> None:
    with pytest.raises(FormulaError, match=f"^column {column}: .*{re.escape(message)}"):
        parse_formula(text)


# a reference evaluator over Python floats, for random formulas of + - * min max abs
leaf = st.one_of(st.sampled_from(["a", "b"]), st.integers(0, 9).map(str))
expression = st.recursive(
    leaf,
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["+", "-", "*"]), inner).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"
        ),
        st.tuples(st.sampled_from(["min", "max"]), inner, inner).map(
            lambda t: f"{t[0]}({t[1]}, {t[2]})"
        ),
        inner.map(lambda e: f"abs({e})"),
    ),
    max_leaves=8,
)


def reference(text: str, a: float, b: float) -> float:
    text = text.strip()
    for fn, op in (("min(", min), ("max(", max)):
        if text.startswith(fn):
            left, right = split(text[4:-1])
            return op(reference(left, a, b), reference(right, a, b))
    if text.startswith("abs("):
        return abs(reference(text[4:-1], a, b))
    if text.startswith("("):
        depth = 0
        for i, ch in enumerate(text[1:-1], 1):
            depth += ch == "("
            depth -= ch == ")"
            if depth == 0 and ch in "+-*" and text[i - 1] == " ":
                x, y = reference(text[1:i], a, b), reference(text[i + 1 : -1], a, b)
                return x + y if ch == "+" else x - y if ch == "-" else x * y
    return {"a": a, "b": b}[text] if text in ("a", "b") else float(text)


def split(args: str) -> tuple[str, str]:
    depth = 0
    for i, ch in enumerate(args):
        depth += ch == "("
        depth -= ch == ")"
        if ch == "," and depth == 0:
            return args[:i], args[i + 1 :]
    raise AssertionError(args)


@settings(max_examples=60, deadline=None)
@given(expression, st.floats(-5, 5), st.floats(-5, 5))
def test_random_formulas_agree_with_a_reference_evaluator(text: str, a: float, b: float) -> None:
    got = run(text, a=[a] * 4, b=[b] * 4)
    assert got[0] == pytest.approx(reference(text, a, b), rel=1e-9, abs=1e-9)


@settings(max_examples=30, deadline=None)
@given(expression)
def test_a_missing_input_makes_the_result_missing(text: str) -> None:
    got = run(text, a=[NAN, 1, 1, 1], b=[1, NAN, 1, 1])
    reads = parse_formula(text).names
    assert math.isnan(got[0]) == ("a" in reads)
    assert math.isnan(got[1]) == ("b" in reads)


# -- [variables.NAME] in an index file ---------------------------------------------------------

DERIVED = """[index]
name = "Derived"
children = ["ratio", "growth"]
[variables.ratio]
formula = "where(v1 == 0, 0, v0 / v1)"
unit = "ratio"
[variables.growth]
formula = "ratio - lag(ratio, 1)"
[defaults]
normalize = "none"
[indicator.ratio]
direction = "positive"
[indicator.growth]
direction = "positive"
"""


def two_years() -> riskcore.Panel:
    # v0 and v1 of ARM, AZE, GEO in 2000 and 2001
    vals = np.array([[[1.0, 2.0], [2.0, 6.0], [3.0, NAN]], [[4.0, 4.0], [0.0, 3.0], [1.0, 1.0]]])
    return panel(vals, countries=["ARM", "AZE", "GEO"])


def test_derived_variables_feed_leaves_and_keep_their_inputs_provenance() -> None:
    s = score(riskcore.parse_index(DERIVED, path="d.toml"), two_years())
    # ratio: ARM 1/4, 2/4; AZE 0 (v1 = 0), 6/3; GEO 3/1, missing (v0 missing)
    assert s.derived["ratio"].ravel().tolist() == pytest.approx(
        [0.25, 0.5, 0, 2, 3, NAN], nan_ok=True
    )
    # growth rests on ratio: 2001 minus 2000; nothing before 2000
    assert s.derived["growth"][:, 1].tolist() == pytest.approx([0.25, 2, NAN], nan_ok=True)
    # the mean of both leaves, times 100: ARM 2001 (0.5 + 0.25) / 2, AZE 2001 (2 + 2) / 2
    assert s.score[:2, 1] == pytest.approx([37.5, 200])
    sources = {p.variable for p in s.provenance("AZE", 2001)["growth"]}
    assert sources == {"v0", "v1"}  # a derived value's provenance is its inputs
    doc = s.to_dict(2001)
    assert doc["variables"]["growth"] == {
        "formula": "ratio - lag(ratio, 1)",
        "unit": None,
        "inputs": ["v1", "v0"],
    }
    aze = next(r for r in doc["results"] if r["country"] == "AZE")
    assert aze["variables"] == {"ratio": 2.0, "growth": 2.0}


def test_score_json_lists_the_derived_variables(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "d.toml").write_text(DERIVED)
    (tmp_path / "d.csv").write_text("country,year,v0,v1\nARM,2000,1,4\nARM,2001,2,4\n")
    code = main(
        ["score", str(tmp_path / "d.toml"), "--data", str(tmp_path / "d.csv"), "--format", "json"]
    )
    doc = json.loads(capsys.readouterr().out)
    assert code == 0
    assert set(doc["variables"]) == {"ratio", "growth"}
    assert doc["results"][0]["variables"] == {"ratio": 0.5, "growth": 0.25}
    assert [i["variable"] for i in doc["results"][0]["indicators"]["growth"]["inputs"]] == [
        "v1",
        "v0",
    ]


@pytest.mark.parametrize(
    ("old", "new", "key", "message"),
    [
        (
            "v0 / v1)",
            "v0 / v1 + exp(v0))",
            "variables.ratio.formula",
            "column 29: unknown function 'exp'",
        ),
        ("v0 / v1)", "v0 / v9)", "variables.ratio.formula", "column 24: 'v9' is not a variable"),
        (
            '"ratio - lag(ratio, 1)"',
            '"ratio - lag(ratio, 1) + bad"',
            "variables.growth.formula",
            "'bad'",
        ),
        (
            "where(v1 == 0, 0, v0 / v1)",
            "v0 / v1",
            "variables.ratio.formula",
            "no finite value for AZE",
        ),
        (
            "where(v1 == 0, 0, v0 / v1)",
            "growth + v0",
            "variables.ratio.formula",
            "cycle: ratio -> growth -> ratio",
        ),
        (
            "[variables.growth]",
            '[variables.v0]\nformula = "v1"\n[variables.growth]',
            "variables.v0",
            "already have",
        ),
        (
            "[variables.growth]",
            '[variables.log]\nformula = "v1"\n[variables.growth]',
            "variables",
            "function",
        ),
        (
            'unit = "ratio"',
            'unit = "ratio"\nformula_ = 1',
            "variables.ratio.formula_",
            "unknown key",
        ),
    ],
)
def test_bad_derived_variables_are_refused_with_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, key: str, message: str
) -> None:
    data = "country,year,v0,v1\nARM,2000,1,4\nAZE,2000,2,0\n"
    err = refused_by_score(tmp_path, capsys, DERIVED.replace(old, new, 1), data, f"'{key}")
    assert message in err, err


def test_a_lag_makes_a_year_depend_on_earlier_years() -> None:
    """Uncertainty runs that draw data for the analysed year alone must not do so when a
    derived variable reads earlier years."""
    from riskcore.noise import pooling_step

    host = riskcore.PluginHost(autoload=False)
    plan = riskcore.compile_plan(riskcore.parse_index(DERIVED, path="d.toml"), host=host)
    assert parse_formula("ratio - lag(ratio, 1)").calls == ("lag",)
    assert pooling_step(plan) == "derived variable 'growth' reads earlier years (lag)"
    without = DERIVED.replace("ratio - lag(ratio, 1)", "2 * ratio")
    plan = riskcore.compile_plan(riskcore.parse_index(without, path="d.toml"), host=host)
    assert pooling_step(plan) is None
