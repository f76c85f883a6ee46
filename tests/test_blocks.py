"""The building blocks of published indices: ``sum``, the constant imputer, and the rest.

Each block has a result computed by hand and a bad input that the command line refuses with
exit code 2 and a message naming the file and the key.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import riskcore
from riskcore.cli import main
from tests.helpers import panel, score

NAN = np.nan
DATA = "country,year,v0,v1,v2\nARM,2020,1,4,2\nAZE,2020,2,,3\nGEO,2020,3,0,\n"


def index_text(body: str, leaves: str = "v0 v1 v2") -> str:
    """``body`` with a higher-is-riskier ``[indicator.v]`` for each of ``leaves`` it lacks."""
    return body + "".join(
        f'\n[indicator.{v}]\ndirection = "positive"\n'
        for v in leaves.split()
        if f"[indicator.{v}]" not in body
    )


def index(body: str, leaves: str = "v0 v1 v2") -> riskcore.IndexSpec:
    """The index of :func:`index_text`."""
    return riskcore.parse_index(index_text(body, leaves), path="blocks.toml")


def values(*rows: list[float]) -> riskcore.Panel:
    """A one-year panel of v0, v1, v2 for ARM, AZE, GEO: one row per variable."""
    return panel(np.array(rows, dtype=float)[:, :, np.newaxis])


def refused(tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, key: str) -> str:
    """``riskcore score`` on ``text`` exits 2 with one message naming the file and ``key``."""
    idx, data = tmp_path / "bad.toml", tmp_path / "data.csv"
    idx.write_text(text)
    data.write_text(DATA)
    code = main(["score", str(idx), "--data", str(data)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert str(idx) in err and key in err and "Traceback" not in err
    return err


# -- sum ---------------------------------------------------------------------------------------

SUM = """[index]
name = "Points"
aggregation = "sum"
children = { a = 1, v2 = 4 }
[node.a]
aggregation = "sum"
children = { v0 = 4, v1 = 4 }
[defaults]
normalize = { method = "goalpost", lower = 0, upper = 4 }
"""


def test_sum_adds_points_and_the_scale_follows_the_sum() -> None:
    # v0, v1, v2 scored 0..4, each worth 4 points: ARM 1 + 4 + 2 = 7, GEO 3 + 0 + 0 = 3
    s = score(index(SUM), values([1, 2, 3], [4, NAN, 0], [2, 3, 0]))
    assert s.score[:, 0] == pytest.approx([7, NAN, 3], nan_ok=True)
    a = s.node_codes.index("a")
    assert s.nodes[a, :, 0] == pytest.approx([5, NAN, 3], nan_ok=True)  # points, not 0..100
    # a sum is missing when a child is: AZE has no v1, so no 'a' and no score
    assert np.isnan(s.score[1, 0]) and s.weights["a"] == {"v0": 0.5, "v1": 0.5}


def test_a_sum_with_its_own_min_coverage_counts_a_missing_child_as_no_points() -> None:
    text = SUM.replace(
        "children = { v0 = 4, v1 = 4 }", "children = { v0 = 4, v1 = 4 }\nmin_coverage = 0.5"
    )
    s = score(index(text), values([1, 2, 3], [4, NAN, 0], [2, 3, 0]))
    # AZE: v0 = 2 gives 2 points, v1 missing gives none, v2 = 3 gives 3: 5
    assert s.score[:, 0] == pytest.approx([7, 5, 3])
    assert s.node_coverage[0, 1, 0] == pytest.approx(0.5)


def test_sum_weights_are_points_not_shares() -> None:
    # the same tree with every weight doubled doubles every score (a mean would not move)
    doubled = SUM.replace("a = 1, v2 = 4", "a = 2, v2 = 8")
    data = values([1, 2, 3], [4, 1, 0], [2, 3, 0])
    assert score(index(doubled), data).score[:, 0] == pytest.approx(
        2 * score(index(SUM), data).score[:, 0]
    )


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.floats(0, 4), min_size=3, max_size=3),
    st.lists(st.floats(0, 10), min_size=3, max_size=3).filter(lambda w: sum(w) > 0),
)
def test_sum_is_the_weighted_sum_of_the_leaves(x: list[float], w: list[float]) -> None:
    text = (
        '[index]\nname = "P"\naggregation = "sum"\n'
        f"children = {{ v0 = {w[0]!r}, v1 = {w[1]!r}, v2 = {w[2]!r} }}\n"
        '[defaults]\nnormalize = "none"\n'
    )
    s = score(index(text), values([x[0]] * 3, [x[1]] * 3, [x[2]] * 3))
    expected = sum(a * b for a, b in zip(x, w, strict=True))
    assert s.score[0, 0] == pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_sum_refuses_a_weighting_that_would_rescale_its_points(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = SUM.replace(
        'aggregation = "sum"\nchildren = { a',
        'aggregation = "sum"\nweighting = "equal"\nchildren = { a',
    )
    refused(tmp_path, capsys, index_text(text), "index.weighting")


# -- constant imputation -----------------------------------------------------------------------

CONSTANT = """[index]
name = "Filled"
children = ["v0", "v1"]
[defaults]
normalize = "none"
[indicator.v1]
direction = "positive"
impute = { method = "constant", value = 2.5 }
"""


def test_constant_fills_every_missing_value_and_flags_it() -> None:
    s = score(index(CONSTANT, "v0"), values([1, 2, 3], [4, NAN, NAN], [0, 0, 0]))
    assert s.values[1, :, 0].tolist() == [4.0, 2.5, 2.5]
    assert s.imputed[1, :, 0].tolist() == [False, True, True]
    # the mean of v0 and v1 on the "none" scale, times 100: (2 + 2.5) / 2 = 2.25 -> 225
    assert s.score[1, 0] == pytest.approx(225.0)
    assert s.coverage[:, 0] == pytest.approx([1.0, 0.5, 0.5])


@pytest.mark.parametrize(
    ("choice", "key"),
    [
        ('{ method = "constant" }', "indicator.v1.impute.value"),
        ('{ method = "constant", value = "zero" }', "indicator.v1.impute.value"),
        ('{ method = "constant", value = nan }', "indicator.v1.impute.value"),
    ],
)
def test_constant_needs_a_finite_value(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], choice: str, key: str
) -> None:
    text = CONSTANT.replace('{ method = "constant", value = 2.5 }', choice)
    refused(tmp_path, capsys, index_text(text, "v0"), key)
