"""One call from files (or objects) to :class:`~riskcore.result.Scores`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from riskcore.data import Panel, read_data, read_frame
from riskcore.engine import evaluate
from riskcore.errors import SpecError
from riskcore.plan import Plan, compile_plan
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


def _check_domain(plan: Plan, raw: np.ndarray, scores: Scores) -> None:
    """Values a method cannot take (log of zero, geometric mean of negatives) are errors."""
    for i, leaf in enumerate(plan.leaves):
        bad = ~np.isnan(raw[i]) & np.isnan(scores.normalized[i])
        if bad.any():
            c, t = (int(a[0]) for a in np.nonzero(bad))
            where = f"{scores.countries[c]}, {scores.years[t]}"
            raise SpecError(
                f"normalisation '{leaf.normalize_method}' cannot take the value "
                f"{float(raw[i, c, t])!r} of '{leaf.code}' ({where}); "
                "choose another transform or method",
                path=plan.path,
                key=f"indicator.{leaf.code}.normalize",
            )
    slots = np.concatenate([scores.normalized, scores._node_values])
    for j, node in enumerate(plan.nodes):
        kids = list(node.children)
        values = slots[kids]
        bad = np.all(~np.isnan(values), axis=0) & np.isnan(scores._node_values[j])
        if bad.any():
            c, t = (int(a[0]) for a in np.nonzero(bad))
            key = "index" if j == len(plan.nodes) - 1 else f"node.{node.code}"
            raise SpecError(
                f"aggregation '{node.aggregate_method}' of '{node.code}' gives no value for "
                f"{scores.countries[c]} {scores.years[t]} although every child has one "
                "(negative values under a geometric or harmonic mean? use a method onto 0..1)",
                path=plan.path,
                key=f"{key}.aggregation",
            )


def score(
    index: IndexSpec | str | Path,
    data: Panel | str | Path | Any,
    *,
    host: PluginHost | None = None,
    extra_countries: Mapping[str, str] | None = None,
    skip_columns: Sequence[str] = (),
) -> Scores:
    """Score an index on a data panel.

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
    result = Scores(plan, panel, prepared, evaluate(plan, prepared.values))
    _check_domain(plan, prepared.values, result)
    return result
