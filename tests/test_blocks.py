"""The building blocks of published indices: ``sum``, the constant imputer, and the rest.

Each block has a result computed by hand and a bad input that the command line refuses with
exit code 2 and a message naming the file and the key.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import riskcore
from riskcore.cli import main
from tests.helpers import panel, refused_by_score, score

NAN = np.nan
DATA = "country,year,v0,v1,v2\nARM,2020,1,4,2\nAZE,2020,2,,3\nGEO,2020,3,0,\n"


def refused(tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, key: str) -> str:
    """:func:`refused_by_score` on the data ``DATA``."""
    return refused_by_score(tmp_path, capsys, text, DATA, key)


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


# -- required children -------------------------------------------------------------------------

REQUIRED = """[index]
name = "Required"
children = ["v0", "v1", "v2"]
required = ["v1"]
min_coverage = 0
[defaults]
normalize = "none"
"""


def test_a_node_is_missing_when_a_required_child_is() -> None:
    data = values([1, 2, 3], [4, NAN, 0], [2, 3, NAN])
    s = score(index(REQUIRED), data)
    # ARM (1 + 4 + 2) / 3, GEO (3 + 0) / 2 without its v2; AZE has no v1: missing
    assert s.score[:, 0] == pytest.approx([700 / 3, NAN, 150], nan_ok=True)
    # without `required`, AZE is the mean of v0 and v2: (2 + 3) / 2
    free = score(index(REQUIRED.replace('required = ["v1"]\n', "")), data)
    assert free.score[1, 0] == pytest.approx(250)


def test_required_must_name_children(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = refused(
        tmp_path, capsys, index_text(REQUIRED.replace('["v1"]', '["v1", "v9"]')), "index.required.1"
    )
    assert "'v9'" in err


def test_an_uncertainty_exclusion_of_a_required_child_is_refused() -> None:
    spec = index(REQUIRED)
    plan = riskcore.compile_plan(spec, host=riskcore.PluginHost(autoload=False))
    from riskcore.plan import check_left_out

    with pytest.raises(riskcore.SpecError, match="required child") as err:
        check_left_out(plan.nodes[-1], 1, "v1", path="blocks.toml", key="uncertainty.exclusion")
    assert err.value.key == "uncertainty.exclusion"


# -- rounding by default, floor and ceiling ----------------------------------------------------

ROUNDED = """[index]
name = "Rounded"
scale = [0, 10]
children = ["a"]
[node.a]
children = ["v0", "v1"]
floor = 0.1
ceiling = 9.9
[defaults]
round = 1
normalize = { method = "goalpost", lower = 0, upper = 10 }
"""


def test_default_rounding_then_floor_and_ceiling() -> None:
    # node a on 0..10: means 0.04, 2.28 and 9.98 round to 0.0, 2.3 and 10.0; the floor lifts
    # 0.0 to 0.1 and the ceiling lowers 10.0 to 9.9 (INFORM's IF(ROUND(x, 1) = 0, 0.1, ...))
    data = values([0.04, 2.26, 9.97], [0.04, 2.3, 9.99], [0, 0, 0])
    s = score(index(ROUNDED, "v0 v1"), data)
    a = s.node_codes.index("a")
    assert s.nodes[a, :, 0] == pytest.approx([0.1, 2.3, 9.9])
    assert s.score[:, 0] == pytest.approx([0.1, 2.3, 9.9])
    # a node's own round wins over the default: the root rounds a's 0.1, 2.3, 9.9 to 0, 2, 10
    own = score(
        index(ROUNDED.replace('children = ["a"]', 'children = ["a"]\nround = 0'), "v0 v1"), data
    )
    assert own.score[:, 0] == pytest.approx([0, 2, 10])
    # without the bounds, the rounded values as they are
    bare = ROUNDED.replace("floor = 0.1\nceiling = 9.9\n", "")
    assert score(index(bare, "v0 v1"), data).score[:, 0] == pytest.approx([0, 2.3, 10])


def test_a_bounded_node_is_explained_by_allocation() -> None:
    data = values([0.04, 2.26, 9.97], [0.04, 2.3, 9.99], [0, 0, 0])
    ex = score(index(ROUNDED, "v0 v1"), data).explain("ARM", 2000)
    assert not ex.exact
    assert sum(c.contribution for c in ex.contributions) == pytest.approx(0.1)


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ("ceiling = 9.9", "ceiling = 0.05", "node.a.ceiling"),
        ("floor = 0.1", 'floor = "low"', "node.a.floor"),
        ("floor = 0.1", "floor = inf", "node.a.floor"),
        ("round = 1", "round = -1", "defaults.round"),
        ("round = 1", "round = 1.5", "defaults.round"),
    ],
)
def test_bad_rounding_and_bounds_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, key: str
) -> None:
    refused(tmp_path, capsys, index_text(ROUNDED.replace(old, new), "v0 v1"), key)


# -- a leaf that names its variable ------------------------------------------------------------

NAMED = """[index]
name = "Named"
children = ["share", "ranked"]
[indicator.share]
variable = "v0"
direction = "positive"
normalize = { method = "goalpost", lower = 0, upper = 10 }
[indicator.ranked]
variable = "v0"
direction = "positive"
normalize = "rank"
"""


def test_one_variable_feeds_two_leaves_with_their_own_normalisations() -> None:
    s = score(index(NAMED, ""), values([1, 2, 3], [9, 9, 9], [9, 9, 9]))
    assert s.indicator_codes == ["share", "ranked"]
    # goalpost 0..10: 0.1, 0.2, 0.3; rank: 0, 0.5, 1; their mean times 100
    assert s.normalized[:, :, 0].ravel() == pytest.approx([0.1, 0.2, 0.3, 0, 0.5, 1])
    assert s.score[:, 0] == pytest.approx([5, 35, 65])
    assert [p.variable for p in s.provenance("ARM", 2000)["share"]] == ["v0"]


@pytest.mark.parametrize(("variable", "message"), [('"nope"', "'nope'"), ('"1x"', "'1x'")])
def test_a_named_variable_must_be_in_the_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], variable: str, message: str
) -> None:
    err = refused(
        tmp_path,
        capsys,
        NAMED.replace('variable = "v0"', f"variable = {variable}", 1),
        "indicator.share.variable",
    )
    assert message in err


# -- the reflected geometric mean --------------------------------------------------------------

REFLECTED = """[index]
name = "Reflected"
children = ["v0", "v1"]
aggregation = { method = "geometric", reflect = true }
[defaults]
normalize = "none"
"""


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        ('"geometric"', 40.0),  # sqrt(0.2 * 0.8) = 0.4
        ('{ method = "geometric", reflect = true }', 60.0),  # 1 - sqrt(0.8 * 0.2)
        ('{ method = "geometric", shift = 0.1 }', 100 * (math.sqrt(0.3 * 0.9) - 0.1)),
        (
            '{ method = "geometric", reflect = true, shift = 0.1 }',
            100 * (1.1 - math.sqrt(0.9 * 0.3)),
        ),
    ],
)
def test_geometric_means_by_hand(choice: str, expected: float) -> None:
    text = REFLECTED.replace('{ method = "geometric", reflect = true }', choice)
    s = score(index(text, "v0 v1"), values([0.2, 0.2, 0.2], [0.8, 0.8, 0.8], [0, 0, 0]))
    assert s.score[0, 0] == pytest.approx(expected, rel=1e-12)


def test_in_a_reflected_mean_the_highest_child_dominates() -> None:
    # one child at the top of the scale makes the node the top, whatever the other (ARM, AZE);
    # the plain geometric mean lets a child at 0 make it 0 instead (GEO)
    data = values([1.0, 1.0, 0.0], [0.0, 0.5, 0.9], [0, 0, 0])
    reflected = score(index(REFLECTED, "v0 v1"), data).score[:, 0]
    assert reflected[:2] == pytest.approx([100, 100])
    assert reflected[2] == pytest.approx(100 * (1 - math.sqrt(0.1)))
    plain = score(
        index(
            REFLECTED.replace('{ method = "geometric", reflect = true }', '"geometric"'), "v0 v1"
        ),
        data,
    )
    assert plain.score[2, 0] == pytest.approx(0.0)


@settings(max_examples=30, deadline=None)
@given(st.floats(0, 1), st.floats(0, 1), st.floats(0, 1), st.floats(0, 0.5))
def test_the_reflected_mean_is_the_dual_of_the_mean(
    a: float, b: float, bump: float, s: float
) -> None:
    from riskcore.methods.aggregate import Geometric, GeometricParams

    g, w = Geometric(), np.array([0.3, 0.7])
    plain, reflected = GeometricParams(shift=s), GeometricParams(reflect=True, shift=s)
    x = np.array([a, b])
    assert g(x, w, reflected) == pytest.approx(1 - g(1 - x, w, plain), abs=1e-12)
    higher = np.array([min(1.0, a + bump), b])  # more risk never lowers the node
    assert g(higher, w, reflected) >= g(x, w, reflected) - 1e-12


@pytest.mark.parametrize(
    ("choice", "key"),
    [
        ('{ method = "geometric", reflect = true, shift = -1 }', "index.aggregation.shift"),
        ('{ method = "geometric", reflect = "yes" }', "index.aggregation.reflect"),
        ('{ method = "geometric", reflects = true }', "index.aggregation.reflects"),
    ],
)
def test_bad_geometric_parameters_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], choice: str, key: str
) -> None:
    text = REFLECTED.replace('{ method = "geometric", reflect = true }', choice)
    refused(tmp_path, capsys, index_text(text, "v0 v1"), key)


# -- transforms and goalposts in transformed units ---------------------------------------------

TRANSFORMED = """[index]
name = "Transformed"
children = ["v0"]
[indicator.v0]
direction = "positive"
normalize = NORMALIZE
"""


def normalised(choice: str, v0: list[float]) -> list[float]:
    s = score(index(TRANSFORMED.replace("NORMALIZE", choice), "v0"), values(v0, [0] * 3, [0] * 3))
    return [float(x) for x in s.normalized[0, :, 0]]


@pytest.mark.parametrize(
    ("choice", "v0", "expected"),
    [
        # IF(x = 0, 0, (LOG10(x) - LOG10(1)) / (LOG10(100) - LOG10(1)))
        ('{ method = "goalpost", lower = 1, upper = 100, transform = "log10", zero = 0 }',
         [0, 10, 100], [0, 0.5, 1]),
        ('{ method = "goalpost", lower = 1, upper = 100, transform = "log10", zero = 0.25 }',
         [0, 10, 100], [0.25, 0.5, 1]),
        # the same goalposts in transformed units: log10(1) = 0, log10(100) = 2
        ('{ method = "goalpost", lower_transformed = 0, upper_transformed = 2, '
         'transform = "log10", zero = 0 }',
         [0, 10, 100], [0, 0.5, 1]),
        # a power: (5^2 - 0) / (10^2 - 0) = 0.25
        ('{ method = "goalpost", lower = 0, upper = 10, transform = { power = 2 } }',
         [0, 5, 10], [0, 0.25, 1]),
        # a square root with an upper goalpost of sqrt(16) = 4 given in transformed units
        ('{ method = "goalpost", lower = 0, upper_transformed = 4, transform = { power = 0.5 } }',
         [0, 4, 16], [0, 0.5, 1]),
    ],
)  # fmt: skip
def test_transforms_by_hand(choice: str, v0: list[float], expected: list[float]) -> None:
    assert normalised(choice, v0) == pytest.approx(expected)


def test_without_zero_a_log_of_zero_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    choice = '{ method = "goalpost", lower = 1, upper = 100, transform = "log10" }'
    text = TRANSFORMED.replace("NORMALIZE", choice)
    idx, data = tmp_path / "bad.toml", tmp_path / "zero.csv"
    idx.write_text(text)
    data.write_text("country,year,v0\nARM,2000,0\nAZE,2000,10\n")
    assert main(["score", str(idx), "--data", str(data)]) == 2
    assert "indicator.v0.normalize" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("params", "key", "message"),
    [
        ("lower = 0, upper = 10, transform = { power = 0 }", "normalize.transform", "power 0"),
        ('lower = 0, upper = 10, transform = { power = "2" }', "normalize.transform", "'2'"),
        ("lower = 0, upper = 10, transform = { pow = 2 }", "normalize.transform", "pow"),
        ("lower = 0, upper = 10, transform = 3", "normalize.transform", "got 3"),
        ('lower = 0, upper = 10, transform = "sqrt"', "normalize.transform", "'sqrt'"),
        (
            'lower = 1, lower_transformed = 0, upper = 9, transform = "log"',
            "normalize.lower",
            "not both",
        ),
        ("lower_transformed = 0, upper = 10", "normalize", "needs a transform"),
        ("lower = 0, upper = 10, zero = 0", "normalize", "zero is for a log"),
        ('lower_transformed = 2, upper_transformed = 1, transform = "log"', "normalize", "below"),
    ],
)
def test_bad_transforms_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], params: str, key: str, message: str
) -> None:
    choice = f'{{ method = "goalpost", {params} }}'
    err = refused(tmp_path, capsys, TRANSFORMED.replace("NORMALIZE", choice), f"indicator.v0.{key}")
    assert message in err


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.floats(0, 10), min_size=6, max_size=6),
    st.floats(0, 5),
    st.floats(5, 10),
    st.integers(0, 2),
)
def test_a_bounded_node_stays_within_its_bounds(
    x: list[float], floor: float, ceiling: float, digits: int
) -> None:
    text = ROUNDED.replace("floor = 0.1", f"floor = {floor!r}")
    text = text.replace("ceiling = 9.9", f"ceiling = {ceiling!r}").replace(
        "round = 1", f"round = {digits}"
    )
    s = score(index(text, "v0 v1"), values(x[:3], x[3:], [0, 0, 0]))
    a = s.nodes[s.node_codes.index("a"), :, 0]
    assert np.all(a >= floor - 1e-9) and np.all(a <= ceiling + 1e-9)


def test_a_sum_is_explained_exactly_in_points() -> None:
    # ARM: v0 = 1, v1 = 4, v2 = 2 points (each question scored 0..4, worth 4 points)
    ex = score(index(SUM), values([1, 2, 3], [4, NAN, 0], [2, 3, 0])).explain("ARM", 2000)
    assert ex.exact
    assert {c.code: c.contribution for c in ex.contributions} == pytest.approx(
        {"v0": 1.0, "v1": 4.0, "v2": 2.0}
    )
    assert ex.nodes["a"] == pytest.approx(5.0)
