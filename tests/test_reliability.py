"""The reliability grade: its formula as documented, data-imputed values, a monotony property."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import riskcore
import riskcore.reliability
from riskcore.estimates import KINDS, Estimates
from riskcore.reliability import WEIGHTS, grade, reliability
from tests.test_intervals import FAST, HOST, spec

ROOT = Path(__file__).resolve().parents[1]
IMPUTED = KINDS.index("imputed")


def formula(text: str) -> str:
    """The grade's formula in a text, as a Python expression: from ``grade =`` to its closing
    parenthesis, the implicit products (``0.5 (1 - coverage)``, ``0.1 estimated_share``) made
    explicit."""
    body = text[text.index("grade = 10") + len("grade =") :]
    depth = 0
    for end, ch in enumerate(body):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if ch == ")" and depth == 0:
            expression = " ".join(body[: end + 1].split())
            return re.sub(r"(\d)\s+(?=[a-z(])", r"\1 * ", expression)
    raise AssertionError("the formula's parentheses do not close")


COMPONENTS = st.fixed_dictionaries(
    {
        "coverage": st.floats(0, 1),
        "estimated_share": st.floats(0, 1),
        "unranged_share": st.floats(0, 1),
        "age_years": st.floats(0, 10),
        "source_changes": st.integers(0, 5).map(float),
        "interval_width": st.floats(0, 1),
    }
)


@pytest.mark.parametrize("where", ["docstring", "docs"])
@settings(max_examples=200, deadline=None)
@given(components=COMPONENTS)
def test_the_documented_formula_is_the_code(where: str, components: dict[str, Any]) -> None:
    if where == "docstring":
        text = riskcore.reliability.__doc__ or ""
    else:
        text = (ROOT / "docs" / "partial-data.md").read_text(encoding="utf-8")
    value = eval(formula(text), {"min": min, "max": max}, dict(components))
    assert grade(components) == pytest.approx(value, abs=0.05 + 1e-9)  # rounded to one decimal


def test_the_weights_add_up_to_one_and_coverage_weighs_most() -> None:
    assert sum(WEIGHTS.values()) == pytest.approx(1.0)
    assert WEIGHTS["coverage"] == max(WEIGHTS.values())


def test_a_value_imputed_in_the_data_is_not_coverage_by_hand(tmp_path: Path) -> None:
    # ARM's v0 is filled in by the data's builder (kind imputed), GEO's is an estimate; both
    # carry the same range, v1 is observed for both
    path = tmp_path / "d.csv"
    path.write_text(
        "country,year,variable,value,low,high,kind\n"
        "ARM,2020,v0,5,4,6,imputed\nARM,2020,v1,3,,,\n"
        "GEO,2020,v0,5,4,6,estimate\nGEO,2020,v1,3,,,\n"
    )
    s = riskcore.score(spec(), path, host=HOST, intervals=False)
    # Scores.coverage (and min_coverage) still count the data's imputed value
    assert s.coverage[:, 0].tolist() == [1.0, 1.0]
    arm, geo = reliability(s, 2020)
    assert arm is not None and geo is not None
    a, g = arm["components"], geo["components"]
    assert (a["coverage"], a["estimated_share"], a["unranged_share"]) == (0.5, 0.5, 0.0)
    assert (g["coverage"], g["estimated_share"], g["unranged_share"]) == (1.0, 0.5, 0.0)
    assert a["interval_width"] is None and a["age_years"] == 0.0 and a["source_changes"] == 0
    assert arm["grade"] == 7.0  # 10 (1 - 0.5 x 0.5 - 0.1 x 0.5)
    assert geo["grade"] == 9.5  # 10 (1 - 0.1 x 0.5)


def test_a_data_imputed_value_without_a_range_counts_as_unranged_too(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("country,year,variable,value,kind\nARM,2020,v0,5,imputed\nARM,2020,v1,3,\n")
    s = riskcore.score(spec(), path, host=HOST, intervals=False)
    (arm,) = reliability(s, 2020)
    assert arm is not None
    assert arm["components"]["unranged_share"] == 0.5
    assert arm["grade"] == 6.5  # 10 (1 - 0.5 x 0.5 - 0.1 x 0.5 - 0.1 x 0.5)


@st.composite
def estimated_panels(draw: st.DrawFn) -> tuple[riskcore.Panel, tuple[int, int, int]]:
    """A panel of v0, v1 for 3 countries and 2 years: values (some missing), ranges (some
    none), kinds other than imputed; and one observed value with a range or not."""
    shape = (2, 3, 2)
    n = int(np.prod(shape))
    value = st.one_of(st.floats(-5, 15), st.just(np.nan))
    values = np.array(draw(st.lists(value, min_size=n, max_size=n))).reshape(shape)
    half = np.array(draw(st.lists(st.sampled_from([0.0, 0.5, 2.0]), min_size=n, max_size=n)))
    half = half.reshape(shape)
    kinds = draw(st.lists(st.integers(0, IMPUTED - 1), min_size=n, max_size=n))
    kind = np.array(kinds, np.int8).reshape(shape)
    cell = (draw(st.integers(0, 1)), draw(st.integers(0, 2)), draw(st.integers(0, 1)))
    values[cell] = draw(st.floats(-5, 15))
    kind[cell] = KINDS.index("observed")
    ranged = (half > 0) & ~np.isnan(values)
    est = Estimates(
        np.where(ranged, values - half, np.nan),
        np.where(ranged, values + half, np.nan),
        np.full(shape, np.nan),
        kind,
        np.zeros(shape, bool),
    )
    panel = riskcore.Panel(
        values=values,
        variables=("v0", "v1"),
        countries=("ARM", "AZE", "GEO"),
        years=(2020, 2021),
        estimates=est,
    )
    return panel, cell


@settings(max_examples=25, deadline=None)
@given(case=estimated_panels())
def test_marking_an_observed_input_imputed_never_raises_a_grade(
    case: tuple[riskcore.Panel, tuple[int, int, int]],
) -> None:
    panel, cell = case
    est = panel.estimates
    assert est is not None
    kind = np.array(est.kind)
    kind[cell] = IMPUTED
    marked = Estimates(est.low, est.high, est.se, kind, est.from_range)
    before = riskcore.score(spec(), panel, host=HOST, intervals=FAST)
    after = riskcore.score(spec(), replace(panel, estimates=marked), host=HOST, intervals=FAST)
    for year in panel.years:
        b, a = before.intervals(year), after.intervals(year)
        old = b["reliability"] if b is not None else reliability(before, year)
        new = a["reliability"] if a is not None else reliability(after, year)
        for r_old, r_new in zip(old, new, strict=True):
            assert (r_old is None) == (r_new is None)
            if r_old is not None and r_new is not None:
                assert r_new["grade"] <= r_old["grade"]


def test_when_only_ranks_compare_the_rank_interval_is_the_width() -> None:
    from riskcore.runs import Runs

    panel = riskcore.Panel(
        values=np.array([[[1.0], [2.0], [3.0], [4.0], [5.0]], [[2.0], [1.0], [4.0], [3.0], [5.0]]]),
        variables=("v0", "v1"),
        countries=("ARM", "AZE", "GEO", "KAZ", "KGZ"),
        years=(2020,),
    )
    s = riskcore.score(spec(), panel, host=HOST, intervals=False)
    rank = np.array([[5.0, 4, 3, 2, 1], [1, 2, 3, 4, 5]] * 10)  # every rank from 1 to 5
    runs = Runs(year=2020, score=rank * 0.0, rank=rank, comparable=False)
    found = s.with_runs(runs).intervals(2020)
    assert found is not None and np.isnan(found["score_low"]).all()
    width = (found["rank_high"][0] - found["rank_low"][0]) / (5 - 1)  # by hand: 1 to 5 = 1.0
    assert width == 1.0
    assert found["reliability"][0]["components"]["interval_width"] == width
    assert found["reliability"][0]["grade"] == pytest.approx(10 * (1 - 0.15))
