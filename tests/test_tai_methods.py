"""The Handbook's TAI case for the methodology steps: weights from a file, from principal
components (Table 18), and the ranks they give (Table 23)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

import riskcore
from riskcore.engine import round_half_away
from tests.test_tai import (
    DATA,
    INDICATORS,
    INPUT_ROUNDING,
    ISO3,
    LOG_SUFFIX,
    RANKS,
    RAW_ROWS,
    WEIGHTS_GOALPOSTS,
    YEAR,
    score_tai,
    tai_index,
)
from tests.test_tai import tai_csv as tai_csv


def with_root(spec: riskcore.IndexSpec, **root: object) -> riskcore.IndexSpec:
    doc = spec.model_dump(exclude_none=True)
    doc["index"].update(root)
    # relative weight files are found next to the index file: put it in the data folder
    return riskcore.parse_index(doc, path=str(DATA / "tai.toml"))


@pytest.mark.parametrize(
    ("column", "ranks"), [("BAP_table22", "rank_BAP"), ("AHP_fig17_3dp_mapped", "rank_AHP")]
)
def test_budget_weights_read_from_the_weights_file_give_table23_ranks(
    tai_csv: Path, column: str, ranks: str
) -> None:
    spec = with_root(
        tai_index(None, log_in_riskcore=False),
        weighting={
            "method": "budget", "file": WEIGHTS_GOALPOSTS, "codes": "indicator", "column": column,
        },
    )  # fmt: skip
    scores = score_tai(tai_csv, spec)
    expected = {row["indicator"]: float(row[column]) for row in INDICATORS}
    total = sum(expected.values())
    for code, w in scores.weights["index"].items():
        assert w == pytest.approx(expected[code] / total)
    for country, row in RANKS.items():
        got = scores.rank[scores.countries.index(ISO3[country]), 0]
        assert got == int(row[ranks]), country


def test_principal_component_weights_reproduce_table18(tai_csv: Path) -> None:
    # the Handbook's factor analysis runs on the indicators as they are: without clipping at
    # the goalposts (Norway's electricity lies above its goalpost)
    spec = with_root(
        tai_index(None, log_in_riskcore=False, clip=False),
        weighting={"method": "pca", "components": 4},
    )
    scores = score_tai(tai_csv, spec)
    printed = {row["indicator"]: float(row["PC_table18"]) for row in INDICATORS}
    got = scores.weights["index"]
    for code, w in printed.items():
        # half a unit of the printed 2 decimals, plus the input-rounding allowance of
        # test_tai (Table A.2 prints the logs to 2 dp): patents comes out at 0.1649
        assert got[code] == pytest.approx(w, abs=0.005 + INPUT_ROUNDING), code
    assert sum(got.values()) == pytest.approx(1.0)
    assert YEAR in scores.years


def test_pca_retention_rules_keep_two_components_by_default() -> None:
    from riskcore.methods.weighting import pca_weights

    rng = np.random.default_rng(0)
    f = rng.normal(size=(200, 2))
    x = np.column_stack([f[:, 0], f[:, 0], f[:, 1], f[:, 1]]) + 0.3 * rng.normal(size=(200, 4))
    w, details = pca_weights(x)
    assert details["retained"] == 2
    np.testing.assert_allclose(w, 0.25, atol=0.03)


# Table 19 lists a benefit-of-the-doubt composite for every country, from min-max normalised
# indicators (Handbook section 6.3) and weight shares between 0.10 and 0.15 (what its printed
# weights imply: four at 0.10 and four at 0.15 of the total for every country below the
# frontier). With the inputs as Table A.2 prints them (the logs of telephones and electricity
# rounded to 2 dp) four composites land on the other side of a rounding boundary; all are within
# 0.0075. The unrounded counts (HDR 2001, annex table A2.1) are not in our data, so the four are
# named here rather than hidden behind a wider tolerance, and the next test shows that each of
# them is reached once the country's two logs may take any value their printed digits stand for.
BOD_SHARES = (0.10, 0.15)
BOD_ROUNDING_CASUALTIES = {"Japan", "United Kingdom", "Spain", "Slovenia"}
# a printed log10 value v stands for a true value in [v - 0.005, v + 0.005): stay just inside
LOG_PRINT_HALF_UNIT = 0.0049


def bod_composites(path: Path, shares: tuple[float, float] = BOD_SHARES) -> dict[str, float]:
    """Table 19's composite for every country of the data file at ``path``."""
    pytest.importorskip("scipy")
    doc = tai_index(None, log_in_riskcore=False, clip=False).model_dump(exclude_none=True)
    for section in doc["indicator"].values():
        section["normalize"] = {"method": "minmax"}
    lower, upper = shares
    doc["index"]["aggregation"] = {"method": "bod", "lower_share": lower, "upper_share": upper}
    scores = score_tai(path, riskcore.parse_index(doc))
    return {c: float(scores.score[scores.countries.index(ISO3[c]), 0]) for c in RANKS}


def printed(country: str) -> float:
    return float(RANKS[country]["bod_composite_table19"])


def two_dp(value: float) -> float:
    """``value`` as Table 19 prints it (half away from zero, like a spreadsheet)."""
    return float(round_half_away(np.asarray(value), 2))


def test_benefit_of_the_doubt_reproduces_table19(tai_csv: Path) -> None:
    got = bod_composites(tai_csv)
    matched = set()
    for country, value in got.items():
        assert value == pytest.approx(printed(country), abs=0.0075), country
        if two_dp(value) == printed(country):
            matched.add(country)
    assert set(RANKS) - matched == BOD_ROUNDING_CASUALTIES
    on_frontier = {c for c, value in got.items() if value == 1.0}
    assert all(value <= 1.0 for value in got.values())
    assert on_frontier == {"Finland", "United States", "Sweden"}


def with_own_logs_moved(folder: Path, country: str, shift: float) -> Path:
    """Table A.2 with ``country``'s two printed logs moved by ``shift``."""
    names = [row["indicator"] for row in INDICATORS]
    path = folder / f"tai_{ISO3[country]}_{shift:+.4f}.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["country", "year", *names])
        for row in RAW_ROWS:
            own = shift if row["country"] == country else 0.0
            values = [float(row[n]) + own if n.endswith(LOG_SUFFIX) else row[n] for n in names]
            writer.writerow([ISO3[row["country"]], YEAR, *values])
    return path


def reachable(folder: Path, shares: tuple[float, float]) -> dict[str, tuple[float, float]]:
    """For every country, the composites at its two logs moved down and up by just under half a
    unit of their printed last digit: every value in between is the composite of some inputs
    that Table A.2 prints as it does (the composite is continuous in the inputs)."""
    out = {}
    for country in RANKS:
        low, high = (
            bod_composites(with_own_logs_moved(folder, country, d), shares)[country]
            for d in (-LOG_PRINT_HALF_UNIT, LOG_PRINT_HALF_UNIT)
        )
        out[country] = (min(low, high), max(low, high))
    return out


def prints_as(span: tuple[float, float], value: float) -> bool:
    """Whether some number in ``span`` prints as ``value`` at 2 dp (half away from zero)."""
    return span[0] < value + 0.005 and span[1] >= value - 0.005


def test_table19_is_reached_within_the_printed_precision_of_table_a2(tmp_path: Path) -> None:
    spans = reachable(tmp_path, BOD_SHARES)
    # every printed composite, the four rounding casualties included, is the composite of inputs
    # that differ from Table A.2 only by less than its printed precision ...
    assert {c for c, span in spans.items() if prints_as(span, printed(c))} == set(RANKS)
    # ... and the spans are narrow: most printed values one unit off (+-0.01) are not reached
    # (11 of 46), so the check tells the published table from its neighbours ...
    off = [prints_as(spans[c], printed(c) + d) for c in RANKS for d in (-0.01, 0.01)]
    assert sum(off) < len(off) / 3
    # ... and from a slightly different method: with shares of 0.09 to 0.16 most printed
    # composites are out of reach (18 of 23)
    wider = reachable(tmp_path, (0.09, 0.16))
    assert sum(prints_as(wider[c], printed(c)) for c in RANKS) < len(RANKS) / 2
