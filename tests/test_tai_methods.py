"""The Handbook's TAI case for the methodology steps: weights from a file, from principal
components (Table 18), and the ranks they give (Table 23)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import riskcore
from tests.test_tai import (
    DATA,
    INDICATORS,
    INPUT_ROUNDING,
    ISO3,
    RANKS,
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
# 0.0075. Recomputing the logs from unrounded counts matches all 23, but those counts are not in
# our data, so the four are named here rather than hidden behind a wider tolerance.
BOD_ROUNDING_CASUALTIES = {"Japan", "United Kingdom", "Spain", "Slovenia"}


def test_benefit_of_the_doubt_reproduces_table19(tai_csv: Path) -> None:
    pytest.importorskip("scipy")
    doc = tai_index(None, log_in_riskcore=False, clip=False).model_dump(exclude_none=True)
    for section in doc["indicator"].values():
        section["normalize"] = {"method": "minmax"}
    doc["index"]["aggregation"] = {"method": "bod", "lower_share": 0.10, "upper_share": 0.15}
    scores = score_tai(tai_csv, riskcore.parse_index(doc))
    matched = set()
    for country, row in RANKS.items():
        got = float(scores.score[scores.countries.index(ISO3[country]), 0])
        published = float(row["bod_composite_table19"])
        assert got == pytest.approx(published, abs=0.0075), country
        if round(got + 1e-12, 2) == published:
            matched.add(country)
    assert set(RANKS) - matched == BOD_ROUNDING_CASUALTIES
    on_frontier = {c for c in RANKS if scores.score[scores.countries.index(ISO3[c]), 0] > 1 - 1e-9}
    assert on_frontier == {"Finland", "United States", "Sweden"}
