"""Conformance with COINr: the screening order, min-max to a chosen range, and the ASEM build
of COINr's ``build_example_coin()`` recomputed independently."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import riskcore
from riskcore.cli import main
from tests.helpers import panel, score
from tests.test_blocks import refused

NAN = np.nan
LEAVES = '[indicator.v0]\ndirection = "positive"\n[indicator.v1]\ndirection = "positive"\n'


def screened(order: str | None, impute: str) -> riskcore.Scores:
    # v0 = 1, 2, -, 4 and v1 = 1, 2, 3, -: GEO and KAZ have one leaf of two (50 %)
    x = np.array([[[1.0], [2.0], [NAN], [4.0]], [[1.0], [2.0], [3.0], [NAN]]])
    on = f'screen_on = "{order}"\n' if order else ""
    text = (
        f'[index]\nname = "T"\nchildren = ["v0", "v1"]\nscreen = 0.9\n{on}'
        f"[defaults]\nimpute = {impute}\n{LEAVES}"
    )
    return score(riskcore.parse_index(text, path="t.toml"), panel(x))


def test_screening_before_imputation_is_the_default() -> None:
    for s in (screened(None, '"mean"'), screened("observed", '"mean"')):
        assert s.excluded[:, 0].tolist() == [False, False, True, True]
        assert not s.imputed.any()
        assert "50% of indicators have data" in s.screening[0]["reason"]


def test_screening_after_imputation_keeps_what_imputation_filled() -> None:
    # COINr's order: the means take every country (v0: (1 + 2 + 4) / 3, v1: (1 + 2 + 3) / 3),
    # then every country has both leaves and none is screened out
    s = screened("imputed", '"mean"')
    assert not s.excluded.any() and s.screening == []
    assert s.values[0, 2, 0] == pytest.approx(7 / 3) and s.values[1, 3, 0] == pytest.approx(2.0)
    assert s.imputed[:, :, 0].tolist() == [[False, False, True, False], [False] * 3 + [True]]


def test_screening_after_imputation_drops_what_imputation_cannot_fill() -> None:
    # one year: locf has nothing to carry forward, so GEO and KAZ still lack a leaf
    s = screened("imputed", '"locf"')
    assert s.excluded[:, 0].tolist() == [False, False, True, True]
    assert [r["country"] for r in s.screening] == ["GEO", "KAZ"]
    assert "50% of indicators have a value after imputation" in s.screening[0]["reason"]


def test_screen_on_must_be_observed_or_imputed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = '[index]\nname = "T"\nchildren = ["v0", "v1"]\nscreen = 0.9\nscreen_on = "later"\n'
    err = refused(tmp_path, capsys, text + LEAVES, "index.screen_on")
    assert "observed" in err and "imputed" in err


# -- min-max and goalposts onto a chosen range --------------------------------------------------


def one_leaf(normalize: str, direction: str = "positive", scale: str = "[0, 100]") -> str:
    return (
        f'[index]\nname = "T"\nscale = {scale}\nchildren = ["v0"]\n'
        f'[indicator.v0]\ndirection = "{direction}"\nnormalize = {normalize}\n'
    )


def on_scale(text: str, values: list[float]) -> np.ndarray:
    x = np.array(values)[np.newaxis, :, np.newaxis]
    s = score(riskcore.parse_index(text, path="t.toml"), panel(x))
    lo, hi = s.plan.scale
    out: np.ndarray = lo + (hi - lo) * s.normalized[0, :, 0]
    np.testing.assert_allclose(s.score[:, 0], out)  # one leaf: the score is the leaf
    return out


def test_minmax_onto_a_range_of_the_scale() -> None:
    x = [1.0, 2.0, 2.0, 4.0, 11.0]  # (x - 1) / 10 = 0, 0.1, 0.1, 0.3, 1
    minmax = '{ method = "minmax", range = [1, 100] }'
    np.testing.assert_allclose(on_scale(one_leaf(minmax), x), [1, 10.9, 10.9, 30.7, 100])
    # direction first, then the range: the lowest value gets the top of the range
    low = on_scale(one_leaf(minmax, "negative"), x)
    np.testing.assert_allclose(low, [100, 90.1, 90.1, 70.3, 1])
    # on a 0..10 scale, range = [1, 10] is 1 + 9 y
    small = on_scale(one_leaf('{ method = "minmax", range = [1, 10] }', scale="[0, 10]"), x)
    np.testing.assert_allclose(small, [1, 1.9, 1.9, 3.7, 10])
    # the whole scale is the same as no range
    whole = on_scale(one_leaf('{ method = "minmax", range = [0, 100] }'), x)
    np.testing.assert_allclose(whole, on_scale(one_leaf('"minmax"'), x))


def test_goalposts_onto_a_range_of_the_scale() -> None:
    goalpost = '{ method = "goalpost", lower = 0, upper = 10, range = [20, 80] }'
    # 5 is half way (50); 11 is clipped to the upper goalpost (80); 0 is the lower one (20)
    np.testing.assert_allclose(on_scale(one_leaf(goalpost), [5.0, 11.0, 0.0]), [50, 80, 20])


def test_a_range_keeps_zeros_out_of_a_geometric_mean() -> None:
    # v0 = 1, 2, 3 and v1 = 3, 1, 2: min-max 0, 0.5, 1 and 1, 0, 0.5. Onto 0..100 every country
    # is at a minimum somewhere but ARM and AZE score 0; onto 1..100 the geometric means are
    # sqrt(1 * 100) = 10, sqrt(50.5 * 1) and sqrt(100 * 50.5)
    x = np.array([[[1.0], [2.0], [3.0]], [[3.0], [1.0], [2.0]]])

    def geometric(normalize: str) -> np.ndarray:
        text = (
            f'[index]\nname = "T"\naggregation = "geometric"\nchildren = ["v0", "v1"]\n'
            f"[defaults]\nnormalize = {normalize}\n{LEAVES}"
        )
        return score(riskcore.parse_index(text, path="t.toml"), panel(x)).score[:, 0]

    np.testing.assert_allclose(geometric('"minmax"'), [0, 0, 70.71067811865476])
    expected = [10.0, np.sqrt(50.5), np.sqrt(100 * 50.5)]
    np.testing.assert_allclose(geometric('{ method = "minmax", range = [1, 100] }'), expected)


@pytest.mark.parametrize(
    ("normalize", "key", "says"),
    [
        ('{ method = "minmax", range = [1, 200] }', "indicator.v0.normalize.range", "within"),
        ('{ method = "minmax", range = [-1, 100] }', "indicator.v0.normalize.range", "within"),
        ('{ method = "minmax", range = [50, 10] }', "indicator.v0.normalize.range", "low < high"),
        ('{ method = "minmax", range = [1] }', "indicator.v0.normalize.range", ""),
        (
            '{ method = "goalpost", lower = 0, upper = 1, range = [0, 101] }',
            "indicator.v0.normalize.range",
            "within",
        ),
    ],
)
def test_a_bad_range_is_refused_with_its_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], normalize: str, key: str, says: str
) -> None:
    err = refused(tmp_path, capsys, one_leaf(normalize), key)
    assert says in err


def test_a_bad_default_or_alternative_range_is_refused_with_its_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = '[index]\nname = "T"\nchildren = ["v0"]\n[indicator.v0]\ndirection = "positive"\n'
    default = '[defaults]\nnormalize = { method = "minmax", range = [0, 120] }\n'
    refused(tmp_path, capsys, text + default, "defaults.normalize.range")
    idx = tmp_path / "bad.toml"
    idx.write_text(
        text + "[uncertainty]\nsamples = 8\n[uncertainty.normalize]\n"
        'alternatives = ["minmax", { method = "minmax", range = [1, 101] }]\n'
    )
    data = tmp_path / "data.csv"
    assert main(["uncertainty", str(idx), "--data", str(data)]) == 2  # data.csv: as above
    err = capsys.readouterr().err
    assert "uncertainty.normalize.alternatives.1.range" in err and str(idx) in err


# -- the ASEM build of COINr's build_example_coin() ---------------------------------------------
#
# The expected values are recomputed here, independently of riskcore (numpy and the csv module
# only, straight from ASEM_iData.csv and ASEM_iMeta.csv), from COINr's algorithm as its R
# sources document it (bluefoxr/COINr, read with the search tool):
#
# - R/examples.R, build_example_coin(): new_coin -> Denominate(dset = "Raw") ->
#   Impute(f_i = "i_mean_grp", use_group = "EurAsia_group") -> Screen(dset = "Imputed",
#   dat_thresh = 0.9, unit_screen = "byNA") -> Treat(winmax = 5) -> Normalise(n_minmax,
#   c(0, 100)) -> Aggregate(f_ag = "a_amean");
# - Denominate: each indicator whose metadata names a Denominator is divided by that column;
# - i_mean_grp: a missing value takes the mean of the non-missing values of its group;
# - Screen.data.frame, get_data_avail: a unit is kept when 1 - (missing / indicators) >= 0.9;
# - R/treat.R: check_SkewKurt passes when |skew| < 2 or kurt < 3.5 (skew and kurt as
#   e1071 type 2); winsorise() loops while it fails and nwin < winmax, on the side of the
#   sign of the current skew (>= 0: high), setting every value equal to the extreme,
#   which(x == max(x)), to the largest of the others; nwin is the size of the last such set;
#   if it still fails, f2 = log_CT, log(x - min + 0.01 (max - min)), on the untreated x;
# - R/normalise.R: x * Direction, then n_minmax: (x - min) / (max - min) * (u - l) + l;
# - R/aggregate.R: a_amean, sum(w x) / sum(w) over the non-missing children, level by level,
#   with the metadata's weights;
# - ranks: rank(-Index, ties.method = "min").
#
# A second, fully external check: the first six rows of get_results(coin, dset =
# "Aggregated") that COINr's "Presenting Results" vignette prints (CRAN, rounded to 2 d.p.).

PUBLISHED_TOP6 = {  # uCode: (Rank, Index, Conn, Sust, Physical, ConEcFin, Political, Instit,
    #                 P2P, Environ, Social, SusEcFin)
    "CHE": (1, 68.38, 62.79, 73.98, 63.41, 32.87, 74.78, 85.94, 56.93, 77.21, 87.85, 56.88),
    "NLD": (2, 64.82, 61.94, 67.70, 64.87, 46.62, 84.55, 71.74, 41.92, 58.73, 86.58, 57.78),
    "DNK": (3, 64.80, 57.10, 72.51, 50.52, 30.43, 78.13, 75.35, 51.04, 69.83, 86.40, 61.29),
    "NOR": (4, 64.47, 57.44, 71.50, 58.18, 25.70, 80.03, 89.46, 33.80, 70.90, 87.00, 56.59),
    "BEL": (5, 63.54, 63.99, 63.09, 71.97, 48.22, 80.84, 75.60, 43.32, 53.01, 86.17, 50.09),
    "SWE": (6, 63.00, 53.87, 72.12, 51.51, 23.87, 80.98, 74.51, 38.50, 66.37, 87.74, 62.27),
}
PUBLISHED_COLUMNS = ("Index", "Conn", "Sust", "Physical", "ConEcFin", "Political", "Instit",
                     "P2P", "Environ", "Social", "SusEcFin")  # fmt: skip


def _cell(text: str) -> float:
    return float("nan") if text in ("", "NA") else float(text)


def _skew(x: np.ndarray) -> float:  # COINr's skew(): e1071 type 2
    n, d = x.size, x - x.mean()
    y = np.sqrt(n) * np.sum(d**3) / np.sum(d**2) ** 1.5
    return float(y * np.sqrt(n * (n - 1)) / (n - 2))


def _kurt(x: np.ndarray) -> float:  # COINr's kurt(): e1071 type 2
    n, d = x.size, x - x.mean()
    r = n * np.sum(d**4) / np.sum(d**2) ** 2
    return float(((n + 1) * (r - 3) + 6) * (n - 1) / ((n - 2) * (n - 3)))


def _passes(x: np.ndarray) -> bool:  # check_SkewKurt
    return abs(_skew(x)) < 2 or _kurt(x) < 3.5


def _coinr_treat(x: np.ndarray, winmax: int = 5) -> np.ndarray:
    """Treat.numeric with winsorise (f1) and log_CT (f2), combine_treat = FALSE."""
    if _passes(x):
        return x
    w, nwin = x.copy(), 0
    imax = imin = np.zeros(0, dtype=int)
    while not _passes(w) and nwin < winmax:
        if _skew(w) >= 0:
            imax = np.flatnonzero(w == w.max())
            w[imax] = np.delete(w, imax).max()
        else:
            imin = np.flatnonzero(w == w.min())
            w[imin] = np.delete(w, imin).min()
        nwin = imax.size + imin.size
    if _passes(w):
        return w
    return np.log(x - x.min() + 0.01 * (x.max() - x.min()))


def coinr_build(folder: Path) -> dict[str, object]:
    """The ASEM coin of build_example_coin(), recomputed from COINr's documented algorithm."""
    import csv

    with (folder / "ASEM_iData.csv").open() as f:
        rows = list(csv.DictReader(f))
    with (folder / "ASEM_iMeta.csv").open() as f:
        meta = list(csv.DictReader(f))
    ind = [m for m in meta if m["Type"] == "Indicator"]
    codes = [m["iCode"] for m in ind]
    x = np.array([[_cell(r[c]) for c in codes] for r in rows])  # units x indicators
    for j, m in enumerate(ind):  # Denominate
        if m["Denominator"] != "NA":
            x[:, j] = x[:, j] / np.array([_cell(r[m["Denominator"]]) for r in rows])
    group = np.array([r["EurAsia_group"] for r in rows])
    for g in np.unique(group):  # Impute: i_mean_grp
        mean = np.nanmean(x[group == g], axis=0)
        x[group == g] = np.where(np.isnan(x[group == g]), mean, x[group == g])
    kept = 1 - np.isnan(x).mean(axis=1) >= 0.9  # Screen on the imputed data
    units = [r["uCode"] for r, k in zip(rows, kept, strict=True) if k]
    x = x[kept]
    treated = np.column_stack([_coinr_treat(x[:, j]) for j in range(len(codes))])
    direction = np.array([float(m["Direction"]) for m in ind])
    y = treated * direction  # Normalise: direction, then n_minmax onto 0..100
    normalised = (y - y.min(axis=0)) / (y.max(axis=0) - y.min(axis=0)) * 100
    scores = dict(zip(codes, normalised.T, strict=True))
    weight = {
        m["iCode"]: float(m["Weight"]) for m in meta if m["Type"] in ("Indicator", "Aggregate")
    }
    for level in ("2", "3", "4"):  # Aggregate: a_amean, level by level
        for m in (m for m in meta if m["Level"] == level):
            kids = [k["iCode"] for k in meta if k["Parent"] == m["iCode"]]
            w = np.array([weight[k] for k in kids])
            scores[m["iCode"]] = np.column_stack([scores[k] for k in kids]) @ (w / w.sum())
    index = scores["Index"]
    rank = np.array([1 + np.sum(index > v) for v in index])  # rank(-x, ties = "min")
    return {"units": units, "codes": codes, "treated": treated, "normalised": normalised,
            "scores": scores, "rank": rank}  # fmt: skip


@pytest.fixture(scope="module")
def coinr_way() -> tuple[riskcore.Scores, dict[str, object]]:
    """riskcore's build of ASEM set as build_example_coin(), and COINr's recomputed."""
    folder = Path(__file__).resolve().parents[1] / "examples" / "asem"
    text = (folder / "index.toml").read_text()
    for old, new in (
        ('\nscreen_on = "observed"\n', '\nscreen_on = "imputed"\n'),
        ('\nnormalize = "minmax"\n', '\nnormalize = { method = "minmax", range = [0, 100] }\n'),
        ('\noutliers = "winsorise"\n', '\noutliers = { method = "winsorise", max_points = 5 }\n'),
    ):
        assert text.count(old) == 1
        text = text.replace(old, new)
    spec = riskcore.parse_index(text, path=str(folder / "index.toml"))
    return score(spec, riskcore.read_data(folder / "asem.csv", group_columns=["EurAsia_group"])), (
        coinr_build(folder)
    )


def test_asem_as_coinr_builds_it(coinr_way: tuple[riskcore.Scores, dict[str, object]]) -> None:
    s, ref = coinr_way
    units, codes = ref["units"], ref["codes"]
    assert isinstance(units, list) and isinstance(codes, list)
    assert len(units) == 51 and not s.screening  # imputed first, no country is screened out
    rows = [s.countries.index(u) for u in units]
    leaves = [s.indicator_codes.index(c) for c in codes]
    close = {"rtol": 1e-9, "atol": 1e-9}
    treated, normalised = s.values[leaves][:, rows, 0].T, 100 * s.normalized[leaves][:, rows, 0].T
    np.testing.assert_allclose(treated, ref["treated"], **close)  # type: ignore[arg-type]
    np.testing.assert_allclose(normalised, ref["normalised"], **close)  # type: ignore[arg-type]
    scores = ref["scores"]
    assert isinstance(scores, dict)
    for j, code in enumerate(s.node_codes):
        np.testing.assert_allclose(s.nodes[j, rows, 0], scores[code], **close, err_msg=code)
    np.testing.assert_allclose(s.score[rows, 0], scores["Index"], **close)
    np.testing.assert_array_equal(s.rank[rows, 0], ref["rank"])
    # every indicator the JRC rule treats is winsorised, none logged, as in COINr's build
    assert {r["how"] for r in s.treatments.values()} == {"winsorised"} and len(s.treatments) == 15


def test_asem_as_coinr_publishes_it(coinr_way: tuple[riskcore.Scores, dict[str, object]]) -> None:
    # riskcore's build and the recomputed one both print as COINr's vignette does
    s, ref = coinr_way
    units, scores = ref["units"], ref["scores"]
    assert isinstance(units, list) and isinstance(scores, dict)
    for unit, (rank, *values) in PUBLISHED_TOP6.items():
        c, u = s.countries.index(unit), units.index(unit)
        assert s.rank[c, 0] == rank and ref["rank"][u] == rank  # type: ignore[index]
        for code, value in zip(PUBLISHED_COLUMNS, values, strict=True):
            got = s.nodes[s.node_codes.index(code), c, 0]
            assert abs(got - value) <= 0.005 + 1e-9, (unit, code, got, value)
            assert abs(scores[code][u] - value) <= 0.005 + 1e-9, (unit, code)
