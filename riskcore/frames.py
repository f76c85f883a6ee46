"""pandas and xarray exports shared by the results and the panel (optional extras).

pandas and xarray are imported only when one of these runs, with a message naming the extra to
install when they are missing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["records_frame", "require"]


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
