"""pandas and xarray exports shared by the results and the panel (optional extras).

pandas and xarray are imported only when one of these runs, with a message naming the extra to
install when they are missing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd
    import xarray as xr

    from riskcore.result import Scores

__all__ = ["records_frame", "require", "scores_dataset"]


def require(module: str, extra: str, what: str) -> Any:
    """Import ``module`` for ``what``, or ImportError naming ``pip install 'riskcore[extra]'``."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:  # pragma: no cover - exercised without the extra
        raise ImportError(f"{what} needs {module}: pip install 'riskcore[{extra}]'") from None


def records_frame(
    records: Sequence[dict[str, Any]],
    index: Sequence[str],
    what: str,
    *,
    integers: Sequence[str] = (),
) -> pd.DataFrame:
    """A DataFrame of ``records`` indexed by the ``index`` columns; the ``integers`` columns
    (ranks) as pandas' nullable ``Int64``, so that a missing rank stays missing."""
    pandas = require("pandas", "pandas", what)
    frame: pd.DataFrame = pandas.DataFrame.from_records(list(records))
    for column in integers:
        if column in frame:
            frame[column] = frame[column].astype("Int64")
    if len(frame):
        frame = frame.set_index(list(index))
    return frame


def scores_dataset(scores: Scores) -> xr.Dataset:
    """Every year of ``scores`` as an xarray Dataset (needs ``pip install riskcore[xarray]``).

    Returns
    -------
    xarray.Dataset
        ``score``, ``rank`` and ``coverage`` over ``(country, year)``; ``nodes`` over
        ``(node, country, year)``; ``raw`` and ``normalized`` over ``(indicator, country, year)``.
    """
    xa = require("xarray", "xarray", "Scores.to_xarray")
    cy = ("country", "year")
    data: xr.Dataset = xa.Dataset(
        {
            "score": (cy, scores.score),
            "rank": (cy, scores.rank),
            "coverage": (cy, scores.coverage),
            "nodes": (("node", *cy), scores.nodes),
            "raw": (("indicator", *cy), scores.raw),
            "normalized": (("indicator", *cy), scores.normalized),
        },
        coords={
            "country": list(scores.countries),
            "year": list(scores.years),
            "node": scores.node_codes,
            "indicator": list(scores.indicator_codes),
        },
        attrs={
            "index": scores.plan.name,
            "code": scores.plan.code,
            "scale": list(scores.plan.scale),
        },
    )
    return data
