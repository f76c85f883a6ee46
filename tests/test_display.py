"""At home in a notebook: rich and short reprs, pandas and xarray exports, figures that leave the
backend alone."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import riskcore
from riskcore.examples import example_path

FOLDER = example_path("post_soviet")


@pytest.fixture(scope="module")
def scores() -> riskcore.Scores:
    return riskcore.score(FOLDER / "index.toml", FOLDER / "inputs.csv")


def test_reprs_are_short_and_html_is_a_ranked_table(scores: riskcore.Scores) -> None:
    spec = riskcore.load_index(FOLDER / "index.toml")
    explanation = scores.explain("ARM", 2023)
    for obj in (scores, spec, scores.panel, explanation):
        text = repr(obj)
        assert "\n" not in text and len(text) < 120, text
    page = scores._repr_html_()
    assert page.startswith("<table") and "Kyrgyzstan" in page and "Coverage" in page
    # ranked: the first body row is rank 1
    first = page.split("<tbody>")[1].split("</tr>")[0]
    top = scores.to_records(2023)[0]
    assert ">1<" in first and top["country"] in first
    assert top["band"] and f">{top['band']}</span>" in page  # the bands
    tree = spec._repr_html_()
    node = next(iter(spec.node))  # a node is listed before its children
    child = next(iter(spec.node_children(node)))
    assert tree.index(spec.node[node].name or node) < tree.index(f"<code>{child}</code>")
    assert "diaspora_size" in explanation._repr_html_()
    assert f"{len(scores.panel.variables)} variables" in scores.panel._repr_html_()


def test_html_is_escaped() -> None:
    spec = riskcore.parse_index(
        '[index]\nname = "<script>alert(1)</script>"\nchildren = ["v0"]\n'
        '[indicator.v0]\ndirection = "higher_is_riskier"\n'
    )
    assert "<script>" not in spec._repr_html_() and "&lt;script&gt;" in spec._repr_html_()


def test_to_frame_honours_the_year_and_ranks_are_nullable_integers(
    scores: riskcore.Scores,
) -> None:
    one = scores.to_frame(2023)
    assert set(one.index.get_level_values("year")) == {2023}
    assert len(one) == len(scores.countries)
    every = scores.to_frame()
    assert set(every.index.get_level_values("year")) == set(scores.years)
    assert str(every["rank"].dtype) == "Int64"
    unscored = every["score"].isna()
    assert every["rank"][unscored].isna().all()
    assert len(scores.to_frame(2023, all_years=True)) == len(every)


def test_read_frame_reads_back_what_to_frame_writes(scores: riskcore.Scores) -> None:
    panel = scores.panel
    back = riskcore.read_frame(panel.to_frame())
    assert back.variables == panel.variables and back.countries == panel.countries
    np.testing.assert_array_equal(back.values, panel.values)
    frame = scores.to_frame()
    text = ["name", "band", "score_outside_interval", "score_outside_note"]  # not numbers
    read = riskcore.read_frame(frame, skip_columns=text)
    r = read.variables.index("score")
    np.testing.assert_array_equal(read.values[r], scores.score)  # NaN ranks came back missing
    assert np.isnan(read["rank"]).sum() == np.isnan(scores.rank).sum()


def test_every_result_has_to_frame(scores: riskcore.Scores) -> None:
    from riskcore.assumptions import parse_assumptions
    from riskcore.uncertainty import uncertainty_analysis

    assert list(scores.explain("ARM", 2023).to_frame().columns)[:2] == ["name", "path"]
    assumptions = parse_assumptions(
        "[uncertainty]\n[[uncertainty.weights]]\nlevels = [0]\nrelative = 0.25\n"
    )
    result = uncertainty_analysis(scores, assumptions, samples=32, seed=1)
    frame = result.to_frame()
    assert set(frame.index) == set(scores.countries) and str(frame["rank"].dtype) == "Int64"
    assert result._repr_html_().startswith("<table") and "\n" not in repr(result)


def test_to_xarray(scores: riskcore.Scores) -> None:
    pytest.importorskip("xarray")
    data = scores.to_xarray()
    assert data["score"].dims == ("country", "year")
    assert float(data["score"].sel(country="ARM", year=2023)) == pytest.approx(
        scores.score[scores.country_index("ARM"), scores.year_index(2023)]
    )
    assert data["normalized"].shape == (len(scores.plan.leaves), 8, 5)
    array = scores.panel.to_xarray()
    assert array.dims == ("variable", "country", "year") and array.shape == scores.panel.shape


def test_figures_are_figure_objects_and_leave_the_backend_alone() -> None:
    code = f"""
import sys, matplotlib
# the backend as set, not resolved: get_backend() would itself import pyplot
before = dict.__getitem__(matplotlib.rcParams, "backend")
import riskcore
from riskcore import plots
from riskcore.audit import audit
from matplotlib.figure import Figure
s = riskcore.score({str(FOLDER / "index.toml")!r}, {str(FOLDER / "inputs.csv")!r})
figs = [plots.ranked_bars(s), plots.node_heatmap(s), plots.contributions(s, "ARM"),
        plots.index_tree(s), plots.correlation_heatmap(audit(s))]
assert all(isinstance(f, Figure) for f in figs)
assert all(f._repr_png_()[:4] == b"\\x89PNG" for f in figs)
assert "matplotlib.pyplot" not in sys.modules, "riskcore imported pyplot"
assert dict.__getitem__(matplotlib.rcParams, "backend") == before
print("ok")
"""
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert run.returncode == 0 and run.stdout.strip() == "ok", run.stderr[-2000:]
    assert "matplotlib.use(" not in (Path(riskcore.__file__).parent / "plots.py").read_text()


def test_varied_normalisation_draws_rank_intervals_not_score_whiskers(
    scores: riskcore.Scores,
) -> None:
    pytest.importorskip("matplotlib")
    from riskcore import plots
    from riskcore.uncertainty import UncertaintyResult

    def result(notes: list[str]) -> UncertaintyResult:
        n = len(scores.countries)
        t = scores.year_index(2023)
        nominal, rank = scores.score[:, t], scores.rank[:, t]
        stats = {"p05": nominal - 5, "median": nominal, "p95": nominal + 5}
        ranks = {"p05": np.maximum(rank - 1, 1), "median": rank, "p95": np.minimum(rank + 2, n)}
        return UncertaintyResult(
            index="DII", year=2023, countries=scores.countries, names={}, factors=["f"],
            runs=10, nominal_score=nominal, nominal_rank=rank, score=stats, rank=ranks,
            notes=notes,
        )  # fmt: skip

    with_scale = plots.ranked_bars(scores, 2023, uncertainty=result([]))
    assert len(with_scale.axes[0].containers) == 2  # the bars and the whiskers
    varied = plots.ranked_bars(scores, 2023, uncertainty=result(["normalisation varies"]))
    axis = varied.axes[0]
    assert len(axis.containers) == 1  # the bars only
    assert any(t.get_text().startswith(" rank ") for t in axis.texts)
    intervals = plots.rank_intervals(result(["normalisation varies"]))
    ranked = int((~np.isnan(scores.rank[:, scores.year_index(2023)])).sum())
    assert len(intervals.axes[0].lines) == ranked + 2  # one interval each, medians, nominals
