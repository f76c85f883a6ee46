"""One call from files (or objects) to :class:`~riskcore.result.Scores`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from riskcore.data import Panel, read_data, read_frame
from riskcore.engine import evaluate
from riskcore.intervals import IntervalOptions, defer_intervals
from riskcore.plan import compile_plan
from riskcore.plugins import PluginHost
from riskcore.result import Scores
from riskcore.spec import IndexSpec, load_index
from riskcore.treat import prepare

__all__ = ["score"]


def _as_panel(
    data: Any,
    extra_countries: Mapping[str, str] | None,
    skip_columns: Sequence[str],
    group_columns: Sequence[str],
) -> Panel:
    if isinstance(data, Panel):
        return data
    kw: dict[str, Any] = {
        "extra_countries": extra_countries,
        "skip_columns": skip_columns,
        "group_columns": group_columns,
    }
    if isinstance(data, (str, Path)):
        return read_data(data, **kw)
    return read_frame(data, **kw)


def score(
    index: IndexSpec | str | Path,
    data: Panel | str | Path | Any,
    *,
    host: PluginHost | None = None,
    extra_countries: Mapping[str, str] | None = None,
    skip_columns: Sequence[str] = (),
    intervals: IntervalOptions | bool = True,
) -> Scores:
    """Score an index on a data panel.

    When the data or the index carry uncertainty (estimates with ranges or standard errors,
    ``[defaults.unranged]``, imputation ranges, an ``[uncertainty]`` table), the scores come
    with intervals: a Monte Carlo of 1,000 draws (see :mod:`riskcore.intervals`), run on first
    use of :attr:`Scores.runs` (the exports and tables use them).

    Parameters
    ----------
    index : IndexSpec, str or Path
        The index, or the path of its TOML file.
    data : Panel, str, Path or pandas.DataFrame
        The data, or the path of a CSV file.
    host : PluginHost, optional
        Which plugins to use (default: the entry points, configured from the environment).
    extra_countries : mapping, optional
        User-assigned country codes to accept when reading data, with names.
    skip_columns : sequence of str, optional
        Columns of a data file to leave out on purpose (see :func:`~riskcore.data.read_data`).
    intervals : IntervalOptions or bool, optional
        True (default) for intervals with the default options, an
        :class:`~riskcore.intervals.IntervalOptions` to set draws, level and seed, False for
        the nominal scores alone.

    Returns
    -------
    Scores

    Examples
    --------
    >>> import riskcore
    >>> from riskcore.examples import example_path
    >>> folder = example_path("post_soviet")
    >>> scores = riskcore.score(folder / "index.toml", folder / "inputs.csv")
    >>> scores.to_records()[0]["rank"]
    1
    """
    spec = index if isinstance(index, IndexSpec) else load_index(index)
    panel = _as_panel(data, extra_countries, skip_columns, spec.group_columns())
    plan = compile_plan(spec, host=host, variables=panel)
    prepared = prepare(plan, panel)
    scores = Scores(plan, panel, prepared, evaluate(plan, prepared.values))
    if intervals is False:
        return scores
    return defer_intervals(scores, None if intervals is True else intervals)
