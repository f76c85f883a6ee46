"""Each methodology step against values computed by hand on small inputs."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

import riskcore
from riskcore.engine import round_half_away
from riskcore.methods import impute, outliers, outranking, weighting
from riskcore.methods.base import params_from
from tests.helpers import panel

NAN = np.nan


def imp(method: object, values: list[list[float]], groups: dict | None = None, **p: object):
    ctx = impute.ImputeContext(groups)
    x = np.array(values, dtype=float)
    return method(x, params_from(method, p), context=ctx)  # type: ignore[operator]


def test_mean_and_median_fill_from_the_same_year() -> None:
    x = [[1.0, NAN], [3.0, 4.0], [NAN, 8.0], [10.0, 9.0]]
    np.testing.assert_allclose(imp(impute.Mean(), x), [[1, 7], [3, 4], [14 / 3, 8], [10, 9]])
    np.testing.assert_allclose(imp(impute.Median(), x), [[1, 8], [3, 4], [3, 8], [10, 9]])
    pooled = imp(impute.Mean(), x, per_year=False)
    assert pooled[0, 1] == pytest.approx(np.mean([1, 3, 4, 8, 10, 9]))


def test_group_mean_uses_the_countrys_group_and_leaves_unlabelled_missing() -> None:
    x = [[1.0], [3.0], [NAN], [10.0], [NAN], [NAN]]
    groups = {"region": ["A", "A", "A", "B", "B", None]}
    out = imp(impute.GroupMean(), x, groups, group="region")
    np.testing.assert_allclose(out[:, 0], [1, 3, 2, 10, 10, NAN])
    with pytest.raises(KeyError, match="group columns: region"):
        imp(impute.GroupMean(), x, groups, group="income")


def test_locf_and_linear_along_years() -> None:
    x = [[NAN, 1.0, NAN, NAN, 4.0, NAN]]
    np.testing.assert_allclose(imp(impute.Locf(), x), [[NAN, 1, 1, 1, 4, 4]])
    np.testing.assert_allclose(imp(impute.Linear(), x), [[NAN, 1, 2, 3, 4, NAN]])


def test_skewness_and_kurtosis_are_the_spreadsheet_statistics() -> None:
    x = np.array([1.0, 2.0, 2.0, 3.0, 7.0, 11.0, NAN])
    v = x[~np.isnan(x)]
    n, m, s = v.size, v.mean(), v.std(ddof=1)
    z = (v - m) / s
    skew = n / ((n - 1) * (n - 2)) * np.sum(z**3)
    kurt = n * (n + 1) / ((n - 1) * (n - 2) * (n - 3)) * np.sum(z**4) - 3 * (n - 1) ** 2 / (
        (n - 2) * (n - 3)
    )
    assert outliers.skewness(x) == pytest.approx(skew)
    assert outliers.kurtosis(x) == pytest.approx(kurt)
    stats = pytest.importorskip("scipy.stats")
    assert outliers.skewness(x) == pytest.approx(stats.skew(v, bias=False))
    assert outliers.kurtosis(x) == pytest.approx(stats.kurtosis(v, bias=False))


def test_winsorise_one_point_from_the_skewed_side() -> None:
    x = np.append(np.arange(1.0, 21.0), 1000.0).reshape(-1, 1)
    out, report = outliers.Winsorise()(x, params_from(outliers.Winsorise(), {}))
    assert report["treated"] and report["how"] == "winsorised"
    assert (report["side"], report["points"]) == ("high", 1)
    np.testing.assert_array_equal(out[:-1], x[:-1])
    assert out[-1, 0] == 20.0
    assert report["skew"] > 2 and report["kurtosis"] > 3.5


def test_winsorise_negative_skew_and_no_treatment_needed() -> None:
    x = np.append(-np.arange(1.0, 21.0), -1000.0).reshape(-1, 1)
    out, report = outliers.Winsorise()(x, params_from(outliers.Winsorise(), {}))
    assert (report["side"], report["points"], out[-1, 0]) == ("low", 1, -20.0)
    calm = np.arange(10.0).reshape(-1, 1)
    same, report = outliers.Winsorise()(calm, params_from(outliers.Winsorise(), {}))
    assert not report["treated"]
    np.testing.assert_array_equal(same, calm)


def winsorised(values: list[float], **p: object) -> tuple[np.ndarray, dict]:
    x = np.array(values).reshape(-1, 1)
    out, report = outliers.Winsorise()(x, params_from(outliers.Winsorise(), p))
    return out.ravel(), report


def test_winsorise_moves_tied_extremes_together() -> None:
    # 1..20, 500, 1000: skew 3.63, kurtosis 13.37. Step 1 sets 1000 to 500; the two 500s still
    # fail (skew 3.05, kurtosis 8.05), so step 2 sets both to 20 (skew -0.09, kurtosis -1.29).
    # Moving one point per step (the old rule) never got past the tie and ended in the log.
    base = list(np.arange(1.0, 21.0))
    out, report = winsorised([*base, 500.0, 1000.0])
    assert (report["how"], report["side"], report["points"]) == ("winsorised", "high", 2)
    np.testing.assert_array_equal(out, [*base, 20.0, 20.0])
    assert report["skew_after"] == pytest.approx(-0.09449573196380331)
    assert report["kurtosis_after"] == pytest.approx(-1.2937726367728537)


def test_winsorise_counts_values_changed_and_a_tie_may_pass_max_points() -> None:
    # two tied 1000s: one step moves both, so two values change although max_points = 1 (the
    # step starts with none changed, fewer than 1), as COINr counts them
    base = list(np.arange(1.0, 21.0))
    out, report = winsorised([*base, 1000.0, 1000.0], max_points=1)
    assert (report["how"], report["points"]) == ("winsorised", 2)
    np.testing.assert_array_equal(out, [*base, 20.0, 20.0])
    # with max_points = 0 no step is taken: the log transform
    _, report = winsorised([*base, 1000.0, 1000.0], max_points=0)
    assert (report["how"], report["points"]) == ("log", 0)
    # 1..20, 500, 1000 needs two values changed: max_points = 1 stops after the first step
    _, report = winsorised([*base, 500.0, 1000.0], max_points=1)
    assert report["how"] == "log"


def test_log_when_winsorising_is_not_enough() -> None:
    x = np.append(np.arange(1.0, 21.0), 1000.0).reshape(-1, 1)
    out, report = outliers.Winsorise()(x, params_from(outliers.Winsorise(), {"max_points": 0}))
    assert report["how"] == "log"
    np.testing.assert_allclose(out, np.log(x - 1.0 + 1.0))


def test_weighted_median_by_hand() -> None:
    med = outranking.WeightedMedian()
    v = np.array([3.0, 1.0, 2.0])
    assert med(v, np.array([0.5, 0.2, 0.3]), None) == pytest.approx(2.5)
    assert med(v, np.array([0.4, 0.2, 0.4]), None) == pytest.approx(2.0)
    assert med(v, np.array([0.0, 0.2, 0.8]), None) == pytest.approx(2.0)


def test_copeland_by_hand() -> None:
    # A = (3, 3), B = (2, 2), C = (1, 4): A beats B; A-C and B-C split the weight evenly
    values = np.array([[3.0, 3.0], [2.0, 2.0], [1.0, 4.0]]).reshape(1, 3, 1, 2)
    w = np.full(values.shape, 0.5)
    out = outranking.Copeland()(values, w, None)
    np.testing.assert_allclose(out[0, :, 0], [0.75, 0.25, 0.5])
    w2 = np.broadcast_to(np.array([0.8, 0.2]), values.shape)  # first child decides
    np.testing.assert_allclose(outranking.Copeland()(values, w2, None)[0, :, 0], [1, 0.5, 0])


def test_ahp_weights_from_a_consistent_matrix() -> None:
    a = np.array([[1, 2, 4], [0.5, 1, 2], [0.25, 0.5, 1]])
    w, cr = weighting.ahp_weights(a)
    np.testing.assert_allclose(w, [4 / 7, 2 / 7, 1 / 7])
    assert abs(cr) < 1e-9


def test_budget_weights_from_a_file(tmp_path: Path) -> None:
    (tmp_path / "w.csv").write_text("# points of expert 1\ncode,points\nv0,30\nv1,70\n")
    ctx = weighting.WeightContext("index", ["v1", "v0"], tmp_path)
    p = params_from(weighting.Budget(), {"file": "w.csv"})
    np.testing.assert_allclose(
        weighting.Budget()(np.empty(0), np.ones(2), p, context=ctx), [[0.7, 0.3]]
    )
    bad = params_from(weighting.Budget(), {"file": "w.csv", "column": "expert2"})
    with pytest.raises(ValueError, match="expert2"):
        weighting.Budget()(np.empty(0), np.ones(2), bad, context=ctx)


def test_rounding_half_away_from_zero() -> None:
    x = np.array([2.5, -2.5, 0.5, 1.5, 2.675, 1.005, -0.125])
    np.testing.assert_array_equal(round_half_away(x[:4], 0), [3, -3, 1, 2])
    np.testing.assert_allclose(round_half_away(x[4:], 2), [2.68, 1.01, -0.13])


# -- through the index file ---------------------------------------------------------------


def run(text: str, values: np.ndarray, **kw: object) -> riskcore.Scores:
    head = '[index]\nname = "T"\n'
    data = kw.pop("data", None) or panel(values)
    return riskcore.score(
        riskcore.parse_index(head + text), data, host=riskcore.PluginHost(autoload=False)
    )


DIR = (
    '[indicator.v0]\ndirection = "higher_is_riskier"\n'
    '[indicator.v1]\ndirection = "higher_is_riskier"\n'
)


def test_denominator_and_multiplier() -> None:
    x = np.array([[[10.0], [30.0]], [[1000.0], [2000.0]]])
    s = run(
        'children = ["v0"]\n[indicator.v0]\ndirection = "higher_is_riskier"\n'
        'denominator = "v1"\nmultiplier = 1000\n',
        x,
    )
    np.testing.assert_allclose(s.raw[0, :, 0], [10.0, 15.0])


def test_imputed_values_are_flagged_and_not_counted_as_coverage() -> None:
    x = np.array([[[1.0], [2.0], [NAN]], [[1.0], [2.0], [3.0]]])
    s = run('children = ["v0", "v1"]\n[defaults]\nimpute = "mean"\n' + DIR, x)
    assert s.imputed[0, 2, 0] and s.imputed.sum() == 1
    assert s.values[0, 2, 0] == pytest.approx(1.5) and math.isnan(s.raw[0, 2, 0])
    assert s.coverage[2, 0] == pytest.approx(0.5) and s.imputed_share[2, 0] == pytest.approx(0.5)
    assert s.coverage[0, 0] == 1.0 and s.imputed_share[0, 0] == 0.0


def test_screening_drops_country_years_and_says_why() -> None:
    x = np.array([[[1.0], [2.0], [NAN], [4.0]], [[1.0], [2.0], [3.0], [NAN]]])
    s = run('children = ["v0", "v1"]\nscreen = 0.9\n[defaults]\nimpute = "mean"\n' + DIR, x)
    assert s.excluded[:, 0].tolist() == [False, False, True, True]
    assert np.isnan(s.score[2:, 0]).all() and not s.imputed.any()
    assert [r["country"] for r in s.screening] == ["GEO", "KAZ"]
    assert "50%" in s.screening[0]["reason"]


def test_outlier_treatment_is_reported_and_can_be_opted_out() -> None:
    v0 = np.append(np.arange(1.0, 12.0), 1000.0)
    x = np.stack([v0, v0]).reshape(2, -1, 1)
    text = (
        'children = ["v0", "v1"]\n[defaults]\noutliers = true\n'
        '[indicator.v0]\ndirection = "higher_is_riskier"\n'
        '[indicator.v1]\ndirection = "higher_is_riskier"\noutliers = false\n'
    )
    s = run(text, x, data=panel(x, countries=riskcore_countries(12)))
    assert set(s.treatments) == {"v0"}
    assert s.treatments["v0"]["points"] == 1 and s.treatments["v0"]["method"] == "winsorise"
    assert s.values[0, -1, 0] == 11.0 and s.raw[0, -1, 0] == 1000.0
    assert s.values[1, -1, 0] == 1000.0


def riskcore_countries(n: int) -> list[str]:
    import pycountry

    return sorted(c.alpha_3 for c in pycountry.countries)[:n]


def test_weighting_methods_in_the_index_file(tmp_path: Path) -> None:
    x = np.array([[[0.0], [1.0]], [[1.0], [0.0]]])
    eq = run('children = { v0 = 9, v1 = 1 }\nweighting = "equal"\n' + DIR, x)
    np.testing.assert_allclose(eq.score[:, 0], [50, 50])
    ahp = run(
        'children = ["v0", "v1"]\n'
        'weighting = { method = "ahp", matrix = [[1, 3], [0.3333333333, 1]] }\n' + DIR,
        x,
    )
    np.testing.assert_allclose(ahp.score[:, 0], [25, 75], rtol=1e-6)
    with pytest.raises(riskcore.SpecError) as err:
        run('children = ["v0", "v1"]\nweighting = { method = "ahp", matrix = [[1]] }\n' + DIR, x)
    assert err.value.key == "index.weighting"


def test_rounding_at_nodes_and_leaves() -> None:
    x = np.array([[[0.12345], [0.5]], [[0.2], [0.9]]])
    text = (
        'children = ["v0", "v1"]\nround = 1\n'
        '[defaults]\nnormalize = { method = "goalpost", lower = 0, upper = 1 }\n'
        '[indicator.v0]\ndirection = "higher_is_riskier"\nround = 0\n'
        '[indicator.v1]\ndirection = "higher_is_riskier"\n'
    )
    s = run(text, x)
    np.testing.assert_allclose(s.normalized[0, :, 0], [0.12, 0.5])
    np.testing.assert_allclose(s.score[:, 0], [16.0, 70.0])


def test_winsorise_reads_the_side_again_at_each_step() -> None:
    # 1..10 twice, 60 and -20: skew 2.87, kurtosis 13.49, so the high side goes first (60 -> 10);
    # then skew -3.06, kurtosis 11.96: the low side follows (-20 -> 1), as COINr re-reads the sign
    base = [float(v) for v in np.tile(np.arange(1.0, 11.0), 2)]
    x = [*base, 60.0, -20.0]
    out, report = winsorised(x)
    assert (report["how"], report["side"], report["points"]) == ("winsorised", "both", 2)
    np.testing.assert_array_equal(out, [*base, 10.0, 1.0])
