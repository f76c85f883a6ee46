"""Plots return figures; the HTML report renders in headless Chromium with every country."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import riskcore
from riskcore.analysis import trend
from riskcore.assumptions import parse_assumptions
from riskcore.cli import main
from riskcore.uncertainty import sensitivity_analysis, uncertainty_analysis

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

ASSUMPTIONS = """
[uncertainty]
samples = 32
[[uncertainty.weights]]
levels = [0]
relative = 0.25
[uncertainty.aggregation]
nodes = ["instability"]
alternatives = ["geometric", "arithmetic"]
"""


@pytest.fixture(scope="module")
def scores() -> riskcore.Scores:
    folder = riskcore.examples.example_path("post_soviet")
    return riskcore.score(folder / "index.toml", folder / "inputs.csv")


def test_every_plot_returns_its_figure(scores: riskcore.Scores) -> None:
    from matplotlib.figure import Figure

    from riskcore import plots

    a = parse_assumptions(ASSUMPTIONS)
    figures = [
        plots.ranked_bars(scores, uncertainty=uncertainty_analysis(scores, a)),
        plots.ranked_bars(scores, 2022),
        plots.node_heatmap(scores),
        plots.contributions(scores, "ARM"),
        plots.rank_slope(trend(scores, 2022, 2023)),
        plots.sensitivity_bars(sensitivity_analysis(scores, a, bootstrap=20)),
    ]
    for fig in figures:
        assert isinstance(fig, Figure) and fig.axes
    labels = [t.get_text() for t in figures[0].axes[0].get_yticklabels()]
    assert labels[0] == "KGZ" and set(labels) == set(scores.countries)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory, scores: riskcore.Scores) -> Path:
    folder = riskcore.examples.example_path("post_soviet")
    assumptions = tmp_path_factory.mktemp("a") / "a.toml"
    assumptions.write_text(ASSUMPTIONS)
    out = tmp_path_factory.mktemp("report") / "report.html"
    code = main([
        "report", str(folder / "index.toml"), "--data", str(folder / "inputs.csv"),
        "-o", str(out), "--assumptions", str(assumptions),
    ])  # fmt: skip
    assert code == 0
    return out


def test_report_is_self_contained_and_complete(report: Path, scores: riskcore.Scores) -> None:
    text = report.read_text()
    assert text.startswith("<!DOCTYPE html>")
    assert not re.search(r'(src|href)="(https?:)?//', text)  # nothing loaded from elsewhere
    assert text.count("data:image/png;base64,") >= 5  # bars, heatmap, contributions, slope, Sobol
    sections = ["Results, 2023", "Contributions", "Trend, 2022 to 2023", "Uncertainty"]
    sections += ["Sensitivity", "Method", "Data treatment", "Provenance of every input"]
    for section in sections:
        assert section in text, section
    for country in scores.countries:
        assert country in text
    for leaf in scores.plan.leaves:
        assert html.escape(leaf.name) in text
    # every input figure in the provenance table has a source
    assert "without" not in text.split("Provenance of every input")[1].split("</p>")[0]


def test_report_is_fit_to_publish(report: Path, scores: riskcore.Scores) -> None:
    text = report.read_text()
    for section in ["Scores by year", "The countries in the world", "Limits", "Data vintages"]:
        assert f"<h2>{section}</h2>" in text, section
    # no machine path: files are named relative to the index file
    assert str(Path(scores.plan.path or "").parent) not in text
    assert "index file index.toml; data inputs.csv" in text
    cite = text.split("<h2>Suggested citation</h2>")[1]
    assert f"riskcore {riskcore.__version__}" in cite and "Diaspora Instability Index" in cite
    # the analysed year's interval is in the scores-by-year table; the years before 2022 are
    # said to rest on fewer indicators
    years = text.split("<h2>Scores by year</h2>")[1].split("<h2>")[0]
    assert re.search(r"\d+\.\d \[\d+\.\d-\d+\.\d\]", years)
    assert "2019, 2020, 2021 diaspora_size" in years
    limits = text.split("<h2>Limits</h2>")[1].split("</ul>")[0]
    assert "of kind &#x27;estimate&#x27;" in limits and "8 countries are scored" in limits


def test_relative_names_never_print_machine_paths(tmp_path: Path) -> None:
    from riskcore.publication import relative

    index = tmp_path / "a" / "index.toml"
    assert relative(tmp_path / "a" / "data" / "x.csv", index) == "data/x.csv"
    assert relative(tmp_path / "b" / "y.csv", index) == "y.csv"
    assert relative(None, index) == "the data"
    assert relative(tmp_path / "z.csv", None) == "z.csv"


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--enable-logging=stderr", "--v=0",
]  # fmt: skip


def test_report_renders_in_headless_chromium(
    report: Path, scores: riskcore.Scores, tmp_path: Path
) -> None:
    browser = _chromium()
    if browser is None:
        pytest.skip(
            "Chromium is not installed (Debian package 'chromium'; .ci/run installs it): "
            "the report's rendering is not checked here"
        )
    proc = subprocess.run(
        [browser, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom",
         report.as_uri()],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    dom = proc.stdout
    assert "<table" in dom and "Results, 2023" in dom
    # the world context: each host's percentile among all countries, a table and a figure
    world = dom[dom.index("The countries in the world") :]
    assert "195 countries" in world and "<img" in world.split("<h2>")[0]
    for country in scores.countries:
        name = scores.panel.country_names[country]
        assert f"{country} {name}" in html.unescape(dom), country
    console = [ln for ln in proc.stderr.splitlines() if "CONSOLE" in ln or "Uncaught" in ln]
    assert console == [], console
    shot = tmp_path / "first-screen.png"
    proc = subprocess.run(
        [browser, *FLAGS, f"--user-data-dir={tmp_path / 'profile2'}",
         "--window-size=1200,1600", f"--screenshot={shot}", report.as_uri()],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 0 and shot.stat().st_size > 10_000


def test_bars_draw_an_interval_that_leaves_out_the_nominal_score() -> None:
    # the arithmetic root of the example lifts Uzbekistan in every run: its nominal score lies
    # below its own interval, and the figure still draws the whiskers
    from riskcore import plots

    folder = riskcore.examples.example_path("post_soviet")
    scores = riskcore.score(folder / "index.toml", folder / "inputs.csv")
    a = parse_assumptions(
        "[uncertainty]\nsamples = 16\n[uncertainty.aggregation]\nnodes = ['instability']\n"
        "alternatives = ['arithmetic']\n"
    )
    u = uncertainty_analysis(scores, a, year=2023)
    uzb = scores.country_index("UZB")
    assert u.score["p05"][uzb] > u.nominal_score[uzb]
    fig = plots.ranked_bars(scores, 2023, uncertainty=u)
    assert fig.axes[0].get_legend() is not None
