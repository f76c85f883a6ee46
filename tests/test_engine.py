"""The engine: direction, missing children, coverage, ranks, batches, explain."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import riskcore
from riskcore.engine import aggregate, evaluate, normalize_leaves, root_scores
from riskcore.plan import compile_plan
from tests.helpers import flat_index, panel, score

NAN = np.nan


def test_direction_is_applied_once() -> None:
    data = panel(np.array([[[1.0], [2.0], [3.0]], [[1.0], [2.0], [3.0]]]))
    up = score(flat_index(1), data)
    down = score(flat_index(1, lower_is_riskier=[0]), data)
    np.testing.assert_allclose(up.score[:, 0], [0, 50, 100])
    np.testing.assert_allclose(down.score[:, 0], [100, 50, 0])
    z = score(flat_index(1, normalize='"zscore"', lower_is_riskier=[0]), data)
    np.testing.assert_allclose(z.normalized[0, :, 0], [1, 0, -1])


def test_missing_children_rescale_weights_and_min_coverage() -> None:
    x = np.array([[[0.0], [1.0], [0.5]], [[0.0], [NAN], [1.0]], [[0.0], [NAN], [NAN]]])
    data = panel(x)
    goal = '{ method = "goalpost", lower = 0, upper = 1 }'
    s = score(flat_index(3, normalize=goal, weights=[1, 1, 2]), data)
    # country 1: only v0 (weight 1 of 4) present: below min_coverage 0.5
    assert np.isnan(s.score[1, 0]) and np.isnan(s.rank[1, 0])
    # country 2: v0 and v1 present (weights 1 and 1 of 4 = 0.5): rescaled to 1/2 each
    assert s.score[2, 0] == pytest.approx(100 * (0.5 + 1.0) / 2)
    assert s.coverage[2, 0] == pytest.approx(0.5)
    strict = score(flat_index(3, normalize=goal, weights=[1, 1, 2], min_coverage=1.0), data)
    assert np.isnan(strict.score[2, 0]) and strict.score[0, 0] == 0


def test_ranks_ties_share_the_lowest_and_unscored_come_last() -> None:
    data = panel(np.array([[[2.0], [5.0], [5.0], [1.0], [NAN]]]))
    s = score(flat_index(1), data)
    np.testing.assert_array_equal(s.rank[:, 0], [3, 1, 1, 4, NAN])
    records = s.to_records()
    assert [r["rank"] for r in records] == [1, 1, 3, 4, None]
    assert records[-1]["score"] is None


def test_batch_axis_gives_the_same_scores_as_single_runs() -> None:
    rng = np.random.default_rng(1)
    data = panel(rng.random((3, 6, 2)))
    spec = flat_index(3, aggregation='"geometric"')
    plan = compile_plan(spec, host=riskcore.PluginHost(autoload=False), variables=data)
    raw = np.stack([data.values, 2 * data.values, data.values + 1])
    batched = evaluate(plan, raw)
    for b in range(3):
        single = evaluate(plan, raw[b])
        np.testing.assert_allclose(batched.score[b], single.score[0])
        np.testing.assert_array_equal(batched.rank[b], single.rank[0])


def test_weights_per_batch_member() -> None:
    data = panel(np.array([[[0.0], [1.0]], [[1.0], [0.0]]]))
    spec = flat_index(2)
    plan = compile_plan(spec, host=riskcore.PluginHost(autoload=False), variables=data)
    raw = np.stack([data.values, data.values])
    w = np.array([[1.0, 0.0], [0.0, 1.0]])
    ev = evaluate(plan, raw, weights={"index": w})
    np.testing.assert_allclose(ev.score[:, :, 0], [[0, 100], [100, 0]])


def test_explain_is_exact_for_arithmetic_nodes() -> None:
    rng = np.random.default_rng(2)
    data = panel(rng.random((3, 5, 1)))
    s = score(flat_index(3, weights=[1, 2, 3]), data)
    for c in s.countries:
        ex = s.explain(c)
        assert ex.exact
        assert sum(x.contribution for x in ex.contributions) == pytest.approx(ex.score)
        for x in ex.contributions:
            assert x.contribution == pytest.approx(100 * x.weight * x.normalized)


def test_explain_of_a_rounded_node_adds_up_and_says_it_is_an_allocation() -> None:
    rng = np.random.default_rng(3)
    data = panel(rng.random((3, 5, 1)))
    doc = flat_index(3, weights=[1, 2, 3]).model_dump(exclude_none=True)
    doc["index"]["round"] = 0  # the root rounded to whole points of the 0..100 scale
    s = score(riskcore.parse_index(doc), data)
    for c in s.countries:
        ex = s.explain(c)
        assert ex.score is not None and float(ex.score).is_integer()
        assert not ex.exact  # the rounded value is not the sum of the children's terms
        assert sum(x.contribution for x in ex.contributions) == pytest.approx(ex.score)


def test_explain_adds_up_for_other_aggregations(post_soviet: object) -> None:
    folder = riskcore.examples.example_path("post_soviet")
    s = riskcore.score(folder / "index.toml", folder / "inputs.csv")
    ex = s.explain("ARM", 2023)
    assert not ex.exact
    assert sum(x.contribution for x in ex.contributions) == pytest.approx(ex.score)
    assert {x.code for x in ex.contributions} == set(s.indicator_codes)
    prov = s.provenance("ARM", 2023)
    assert prov["diaspora_size"][0].variable == "diaspora_stock"
    assert prov["diaspora_size"][0].source
    # the new model's economic items are unknown where not published, and say so
    assert s.missing_inputs("AZE", 2023) == {
        "remittance_dependence": ["remittances_from_russia_usd"],
    }


def test_domain_errors_name_the_key() -> None:
    data = panel(np.array([[[0.0], [1.0]]]))
    spec = flat_index(
        1, normalize='{ method = "goalpost", lower = 1, upper = 10, transform = "log" }'
    )
    with pytest.raises(riskcore.SpecError, match=r"cannot take the value 0\.0") as err:
        score(spec, data)
    assert err.value.key == "indicator.v0.normalize"
    neg = flat_index(2, normalize='"zscore"', aggregation='"geometric"')
    with pytest.raises(riskcore.SpecError) as err:
        score(neg, panel(np.array([[[0.0], [1.0]], [[1.0], [0.0]]])))
    assert err.value.key == "index.aggregation"


def test_failing_indicator_names_code_and_plugin() -> None:
    @riskcore.indicator(code="boom", name="Boom", unit="-", higher_is_riskier=True, requires=["v0"])
    def boom(data: object) -> np.ndarray:
        raise ZeroDivisionError("no")

    @riskcore.indicator(
        code="short", name="Short", unit="-", higher_is_riskier=True, requires=["v0"]
    )
    def short(data: object) -> np.ndarray:
        return np.zeros(3)

    host = riskcore.PluginHost(autoload=False, plugins={"mine": boom, "other": short})
    data = panel(np.ones((1, 2, 1)))
    for code, plugin, what in (("boom", "mine", "ZeroDivisionError"), ("short", "other", "shape")):
        spec = riskcore.parse_index(f'[index]\nname = "T"\nchildren = ["{code}"]\n')
        with pytest.raises(riskcore.IndicatorError, match=what) as err:
            riskcore.score(spec, data, host=host)
        assert (err.value.code, err.value.plugin) == (code, plugin)


@pytest.mark.parametrize(
    ("change", "error", "match"),
    [({"code": "Bad-Code"}, ValueError, "snake_case"), ({"requires": "v0"}, TypeError, "requires")],
)
def test_indicator_object_validates_itself(
    change: dict[str, object], error: type[Exception], match: str
) -> None:
    fields: dict[str, object] = {
        "code": "ok", "name": "x", "unit": "x", "higher_is_riskier": True, "requires": (),
        "compute": lambda d: d,
    }  # fmt: skip
    with pytest.raises(error, match=match):
        riskcore.Indicator(**{**fields, **change})  # type: ignore[arg-type]


def test_scores_exports(post_soviet: object) -> None:
    folder = riskcore.examples.example_path("post_soviet")
    s = riskcore.score(folder / "index.toml", folder / "inputs.csv")
    assert len(s.to_records(all_years=True)) == 8 * 5
    assert s.to_csv(2022).splitlines()[0].startswith("country,name,year,score,rank,coverage")
    pd = pytest.importorskip("pandas")
    frame = s.to_frame()
    assert isinstance(frame, pd.DataFrame) and frame.shape[0] == 40
    assert frame.loc[("ARM", 2023), "score"] == pytest.approx(s.score[0, -1])


def test_the_decorator_refuses_a_bare_string_for_requires() -> None:
    with pytest.raises(TypeError, match="requires must be a list"):
        riskcore.indicator(code="g", name="g", unit="-", higher_is_riskier=True, requires="gdp")(
            lambda d: d["gdp"]
        )


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(0, 1), min_size=1, max_size=12),
    st.integers(0, 2**31),
    st.sampled_from(["none", "per run", "the same in every run"]),
    st.booleans(),
)
def test_root_scores_equal_aggregate_per_run(
    picks: list[int], seed: int, holes: str, per_run_weights: bool
) -> None:
    """Grouping runs by aggregation choice, leaves last, and masking missing children once
    when every run misses the same ones under the same weights, do not change a run's
    numbers."""
    rng = np.random.default_rng(seed)
    data = panel(rng.random((3, 5, 2)))
    plan = compile_plan(flat_index(3), host=riskcore.PluginHost(autoload=False), variables=data)
    runs = len(picks)
    norm = normalize_leaves(plan, np.broadcast_to(data.values, (runs, 3, 5, 2)).copy())
    norm *= 0.5 + rng.random((runs, 1, 1, 1))  # the runs differ
    if holes == "per run":
        norm[rng.random(norm.shape) < 0.2] = np.nan
    elif holes == "the same in every run":
        norm[:, rng.random(norm.shape[1:]) < 0.2] = np.nan
    host = riskcore.PluginHost(autoload=False)
    alternatives = [(host.aggregator("arithmetic"), None), (host.aggregator("geometric"), None)]
    pick = np.array(picks, dtype=np.intp)
    w = 0.5 + rng.random((runs, 3)) if per_run_weights else None
    score, rank = root_scores(
        plan, norm, weights=None if w is None else {"index": w},
        choices={"index": (alternatives, pick)},
    )  # fmt: skip
    for r in range(runs):
        one = aggregate(plan, norm[r : r + 1], weights=None if w is None else {"index": w[r]},
                        choices={"index": (alternatives, pick[r : r + 1])})  # fmt: skip
        np.testing.assert_array_equal(score[r], one.score[0])
        np.testing.assert_array_equal(rank[r], one.rank[0])


@settings(max_examples=60, deadline=None)
@given(
    st.integers(0, 12),
    st.integers(0, 2**16),
    st.sampled_from(["none", "shared", "per-run", "full"]),
)
def test_sum_last_is_numpys_sum_bit_for_bit(k: int, seed: int, weights: str) -> None:
    """The aggregators' sum over a node's children gives np.sum's numbers exactly, NaN and
    negative zero included, with and without weights of every shape the engine passes."""
    from riskcore.methods.base import sum_last

    rng = np.random.default_rng(seed)
    x = rng.normal(size=(3, 4, 5, k)) * 10.0 ** rng.integers(-3, 4, size=(3, 4, 5, k))
    x[rng.random(x.shape) < 0.1] = np.nan
    x[rng.random(x.shape) < 0.05] = -0.0
    shapes = {"shared": (k,), "per-run": (3, 1, 1, k), "full": x.shape}
    if weights == "none":
        expected, got = np.sum(x, axis=-1), sum_last(x)
    else:
        w = rng.random(shapes[weights])
        expected, got = np.sum(x * w, axis=-1), sum_last(x, w)
    assert got.shape == expected.shape
    assert np.array_equal(got, expected, equal_nan=True)
    assert np.array_equal(np.signbit(got), np.signbit(expected))


@st.composite
def broadcast_shapes(draw: st.DrawFn) -> tuple[tuple[int, ...], tuple[int, ...] | None]:
    """A shape of values and one of weights (None: no weights, (): a scalar) that broadcast
    together: any axis of either may be 1, either may leave out leading axes."""
    full = [*draw(st.lists(st.integers(1, 4), max_size=3)), draw(st.integers(0, 10))]
    start = draw(st.integers(0, len(full) - 1))
    values = tuple(n if draw(st.booleans()) else 1 for n in full[start:])
    kind = draw(st.sampled_from(["none", "scalar", "shaped"]))
    if kind != "shaped":
        return values, None if kind == "none" else ()
    lead = draw(st.integers(0, len(full) - 1))
    return values, tuple(n if draw(st.booleans()) else 1 for n in full[lead:])


DTYPES = st.sampled_from([np.float64, np.float32, np.float16, np.int64, np.int32, np.bool_])


@settings(max_examples=300, deadline=None)
@given(broadcast_shapes(), DTYPES, DTYPES, st.integers(0, 2**16), st.booleans())
def test_sum_last_is_numpys_sum_for_any_shapes_and_dtypes(
    shapes: tuple[tuple[int, ...], tuple[int, ...] | None],
    v_dtype: type,
    w_dtype: type,
    seed: int,
    strided: bool,
) -> None:
    """Whatever the shapes (broadcast, a last axis of 1 against k weights, scalar weights), the
    dtypes and the memory layout: np.sum(values * weights, axis=-1), its bits and its dtype."""
    from riskcore.methods.base import sum_last

    rng = np.random.default_rng(seed)

    def sample(shape: tuple[int, ...], dtype: type) -> np.ndarray:
        x = np.array(rng.normal(size=shape) * 10.0 ** rng.integers(-3, 4, size=shape))
        x[rng.random(shape) < 0.1] = np.nan
        x[rng.random(shape) < 0.05] = -0.0
        if np.dtype(dtype).kind != "f":
            x = np.nan_to_num(x) * 10
        return x.astype(dtype)

    v_shape, w_shape = shapes
    values = sample(v_shape, v_dtype)
    if strided and values.ndim > 1:  # the last axis not contiguous in memory
        values = np.ascontiguousarray(np.swapaxes(values, 0, -1)).swapaxes(0, -1)
    with np.errstate(all="ignore"):  # float16 products overflow: the same in both
        if w_shape is None:
            expected, got = np.sum(values, axis=-1), sum_last(values)
        else:
            weights = sample(w_shape, w_dtype)
            expected, got = np.sum(values * weights, axis=-1), sum_last(values, weights)
    assert got.dtype == expected.dtype
    assert got.shape == expected.shape
    assert np.array_equal(got, expected, equal_nan=got.dtype.kind == "f")
    if got.dtype.kind == "f":
        assert np.array_equal(np.signbit(got), np.signbit(expected))


def test_a_method_cannot_change_the_weights_the_others_share() -> None:
    """The normalised weights go to every alternative of a choice (and every run, when
    broadcast) as one read-only array: a method that writes to them fails at once instead of
    changing the other alternatives' numbers."""

    class Editing:
        name, description = "editing", "writes to its weights"

        def __call__(self, values: np.ndarray, weights: np.ndarray, params: object) -> np.ndarray:
            weights *= 2.0
            return np.sum(values * weights, axis=-1)

    rng = np.random.default_rng(3)
    data = panel(rng.random((3, 5, 2)))
    plan = compile_plan(flat_index(3), host=riskcore.PluginHost(autoload=False), variables=data)
    norm = normalize_leaves(plan, np.broadcast_to(data.values, (4, 3, 5, 2)).copy())
    norm[:, 0, 1] = np.nan  # the same hole in every run: the weights are shared by all
    arithmetic = riskcore.PluginHost(autoload=False).aggregator("arithmetic")
    choice = ([(arithmetic, None), (Editing(), None)], np.array([0, 0, 1, 1], dtype=np.intp))
    with pytest.raises(ValueError, match="read-only"):
        root_scores(plan, norm, choices={"index": choice})
