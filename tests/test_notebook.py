"""A notebook executed headless (nbclient): it scores the example, shows the Scores as HTML and a
figure once, and leaves matplotlib's backend as it was."""

from __future__ import annotations

import pytest

CELLS = [
    """\
import matplotlib
# the backend as set, not resolved (get_backend() would itself import pyplot)
backend = dict.__getitem__(matplotlib.rcParams, "backend")
import riskcore
from riskcore import plots
from riskcore.examples import example_path
folder = example_path("post_soviet")
scores = riskcore.score(folder / "index.toml", folder / "inputs.csv")""",
    "scores",
    "plots.ranked_bars(scores, 2023)",
    """\
import sys
assert dict.__getitem__(matplotlib.rcParams, "backend") == backend
print("backend unchanged; pyplot imported:", "matplotlib.pyplot" in sys.modules)""",
]


def test_a_notebook_scores_shows_html_and_one_figure_and_keeps_the_backend() -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in CELLS]
    client = nbclient.NotebookClient(notebook, kernel_name="python3", timeout=180)
    client.execute()
    _, shown, figure, check = (cell.outputs for cell in notebook.cells)
    assert len(shown) == 1 and "text/html" in shown[0]["data"]
    html = shown[0]["data"]["text/html"]
    assert html.startswith("<table") and "Kyrgyzstan" in html
    assert shown[0]["data"]["text/plain"].startswith("<Scores 'instability'")
    # the figure displays once, as the cell's value, as a PNG
    images = [o for o in figure if "image/png" in o.get("data", {})]
    assert len(figure) == 1 and len(images) == 1
    assert check[0]["text"].startswith("backend unchanged; pyplot imported: False")
