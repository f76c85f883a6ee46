"""The Freedom in the World totals, rebuilt from the 25 questions with ``sum`` and ``constant``.

``examples/freedom_house/index.toml`` uses no plugin: every question is a raw data variable.
The test compares every node against the totals Freedom House publishes in the same file
(``fh_total``, ``fh_pr``, ``fh_cl`` and the category subtotals), for every country-year.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pytest

import riskcore
from riskcore.examples import example_path

HERE = example_path("freedom_house")
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "governance_global"

# node code -> the published column it must reproduce
PUBLISHED = {
    "fiw_total": "fh_total",
    "political_rights": "fh_pr",
    "civil_liberties": "fh_cl",
    "electoral_process": "fh_a",
    "political_pluralism": "fh_b",
    "functioning_of_government": "fh_c",
    "freedom_of_expression": "fh_d",
    "associational_rights": "fh_e",
    "rule_of_law": "fh_f",
    "personal_autonomy": "fh_g",
}


def published_rows() -> list[dict[str, str]]:
    with (HERE / "fiw.csv").open(encoding="utf-8") as f:
        lines = [line for line in f if not line.startswith("#")]
    return list(csv.DictReader(lines))


@pytest.fixture(scope="module")
def scores() -> riskcore.Scores:
    return riskcore.score(
        HERE / "index.toml",
        HERE / "fiw.csv",
        host=riskcore.PluginHost(autoload=False),
        extra_countries={"XKX": "Kosovo"},
        skip_columns=["status"],
    )


def test_every_published_total_is_reproduced(scores: riskcore.Scores) -> None:
    rows = published_rows()
    assert len(rows) == 2535  # 195 countries, editions 2013-2025
    codes = scores.node_codes
    checked = 0
    for row in rows:
        c = scores.countries.index(row["country"])
        t = scores.years.index(int(row["year"]))
        assert scores.score[c, t] == pytest.approx(float(row["fh_total"]), abs=1e-9), row
        for node, column in PUBLISHED.items():
            got = float(scores.nodes[codes.index(node), c, t])
            assert got == pytest.approx(float(row[column]), abs=1e-9), (node, row["country"])
            checked += 1
    assert checked == 2535 * len(PUBLISHED)


def test_the_discretionary_questions_count(scores: riskcore.Scores) -> None:
    """Rows where question A adds points or question B subtracts them are among those checked,
    and some political rights scores fall below zero, as published."""
    rows = published_rows()
    added = [r for r in rows if r["fh_add_a"] not in ("", "0")]
    subtracted = [r for r in rows if r["fh_add_q"] != "0"]
    assert len(added) == 25 and len(subtracted) == 151
    negative = [r for r in rows if int(r["fh_pr"]) < 0]
    assert negative
    pr = scores.node_codes.index("political_rights")
    for r in negative:
        c, t = scores.countries.index(r["country"]), scores.years.index(int(r["year"]))
        assert scores.nodes[pr, c, t] == pytest.approx(int(r["fh_pr"]), abs=1e-9)


def test_a_question_not_asked_is_imputed_as_zero_and_flagged(scores: riskcore.Scores) -> None:
    i = scores.indicator_codes.index("fh_add_a")
    empty = np.isnan(scores.raw[i]) & ~np.isnan(scores.score)
    assert empty.sum() == 1560  # the README's count of empty cells
    assert np.all(scores.imputed[i][empty]) and np.all(scores.values[i][empty] == 0)
    # the imputed question carries 4 of the 105 points of the tree (12 + 16 + 12 for A, B, C,
    # 4 for question A, 1 for question B, 60 for civil liberties): coverage says so
    assert math.isclose(float(scores.coverage[empty].max()), 1 - 4 / 105, rel_tol=1e-12)


def test_the_example_data_is_the_shared_file() -> None:
    """fiw.csv is the shared data file, verbatim, under one comment line."""
    shared = SHARED / "fiw_2013_2025.csv"
    if not shared.exists():
        pytest.skip("the shared data folder is not next to this checkout")
    text = (HERE / "fiw.csv").read_text(encoding="utf-8")
    assert text.split("\n", 1)[1] == shared.read_text(encoding="utf-8")


def test_each_question_explains_its_own_points(scores: riskcore.Scores) -> None:
    """China 2020: political rights -2 (question B takes 3 points), total 9; every question
    contributes its score, question B its score with the sign reversed."""
    ex = scores.explain("CHN", 2020)
    assert ex.exact and ex.score == pytest.approx(9.0)
    c = scores.countries.index("CHN")
    t = scores.years.index(2020)
    for item in ex.contributions:
        raw = float(scores.values[scores.indicator_codes.index(item.code), c, t])
        sign = -1.0 if item.code == "fh_add_q" else 1.0
        assert item.contribution == pytest.approx(sign * raw, abs=1e-9), item.code
    assert ex.nodes["political_rights"] == pytest.approx(-2.0)
