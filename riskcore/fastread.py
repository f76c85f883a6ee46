"""Vectorised reading of long data with pandas: the fast path of :func:`riskcore.read_data` and
:func:`riskcore.read_frame`.

A long table (``country,year,variable,value[,unit,source,note]``, no estimate, group or skipped
columns) is read with one ``pandas.read_csv`` and checked column by column: country codes,
years, numbers, empty variables, repeated ``(country, year, variable)``, one unit per variable,
rows with a missing field. When any check finds a bad row, or the table is of another layout,
the fast path gives up (returns None) and the row-by-row reader reads the table again: it
reports the first bad row with the file, the line and the same message as always. The two
readers build equal panels from good input (tests/test_fastread.py).
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from riskcore.countries import country_name

if TYPE_CHECKING:
    from riskcore.panel import Panel

__all__ = ["read_long"]

_COLUMNS = ("country", "year", "variable", "value", "unit", "source", "note")
_MISSING = ("", "na", "nan", "n/a")


def _iso_codes() -> set[str]:
    from riskcore.countries import _iso3_names

    return set(_iso3_names())


def read_long(
    source: str | Any,
    header: Sequence[str],
    *,
    path: str,
    extra_countries: Mapping[str, str] | None,
    first_line: int = 2,
) -> Panel | None:
    """The panel of a long table, or None when the fast path does not apply or a check fails.

    Parameters
    ----------
    source : str or pandas.DataFrame
        The CSV text after any comment lines before the header (header included), or a frame.
    header : sequence of str
        The normalised column names (as the row-by-row reader normalises them).
    path : str
        For the panel (and the messages of the row-by-row reader, which reports errors).
    extra_countries : mapping, optional
    first_line : int
        The file line of the first data row.
    """
    if not set(header) <= set(_COLUMNS) or not set(_COLUMNS[:4]) <= set(header):
        return None
    if len(set(header)) != len(header):
        return None
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - exercised without pandas
        return None
    if isinstance(source, str):
        if "\r" in source or "#" in source:  # comments between rows, old line ends: row by row
            return None
        text_columns = {name: str for name in header if name != "value"}
        try:
            frame = pd.read_csv(
                io.StringIO(source), dtype={**text_columns, "value": "float64"},
                keep_default_na=False, na_values={"value": [*_MISSING, "NA", "NaN", "N/A"]},
                skip_blank_lines=False, engine="c",
            )  # fmt: skip
        except (ValueError, pd.errors.ParserError):  # a cell that is not a number, say
            return None
        lines = source.count("\n") + (0 if source.endswith("\n") else 1)
        if lines != len(frame) + 1:  # quoted line breaks: line numbers would not be rows
            return None
        if not _fields_match(source, len(header)):  # pandas fills a short row with empty text
            return None
    else:
        frame = source
    if len(frame) == 0:
        return None
    # in a file, a missing text cell is a row with fields missing: the row-by-row reader says so
    strict = isinstance(source, str)
    return _build(frame.set_axis(list(header), axis=1), path, extra_countries, first_line, strict)


class _MissingCellError(Exception):
    """A text cell of a file is missing: its row is short."""


def _fields_match(source: str, n: int) -> bool:
    """Whether every line has ``n`` fields: ``n - 1`` commas outside quoted text."""
    import re

    text = re.sub(r'"(?:[^"]|"")*"', "", source) if '"' in source else source
    b = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
    ends = np.flatnonzero(b == ord("\n"))
    lines = len(ends) + (0 if text.endswith("\n") else 1)
    # the line of every comma: how many line ends come before it
    per_line = np.bincount(np.searchsorted(ends, np.flatnonzero(b == ord(","))), minlength=lines)
    return len(per_line) == lines and bool(np.all(per_line == n - 1))


def _clean(column: Any, strict: bool, fix: Any = str.strip) -> tuple[Any, list[Any]]:
    """Codes and cleaned distinct values of a column: text is stripped (and ``fix``ed) once
    per distinct value, not once per row; a missing cell is empty text (or, with ``strict``,
    raises :class:`_MissingCellError`)."""
    import pandas as pd

    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    cleaned = ["" if isinstance(u, float) and u != u else fix(str(u)) for u in uniques]
    if codes.min(initial=0) < 0:  # missing cells (NaN, None): empty text
        if strict:
            raise _MissingCellError
        codes = np.where(codes < 0, len(cleaned), codes)
        cleaned.append("")
    return codes, cleaned


def _positions(cleaned: Sequence[Any], order: Sequence[Any]) -> Any:
    """For each distinct value, its position in ``order``."""
    at = {v: i for i, v in enumerate(order)}
    return np.asarray([at[v] for v in cleaned], dtype=np.int64)


def _text(column: Any) -> Any:
    """A column as stripped text, missing cells (NaN, None) as empty text."""
    return column.astype(object).where(column.notna(), "").astype(str).str.strip()


def _build(
    frame: Any,
    path: str,
    extra_countries: Mapping[str, str] | None,
    first_line: int,
    strict: bool,
) -> Panel | None:
    try:
        return _checked(frame, path, extra_countries, first_line, strict)
    except _MissingCellError:
        return None


def _checked(
    frame: Any,
    path: str,
    extra_countries: Mapping[str, str] | None,
    first_line: int,
    strict: bool,
) -> Panel | None:
    import pandas as pd

    from riskcore.panel import Panel

    n = len(frame)
    extra = {k.upper(): v for k, v in (extra_countries or {}).items()}
    c_codes, c_names = _clean(frame["country"], strict, lambda t: t.strip().upper())
    if not set(c_names) <= _iso_codes() | set(extra):
        return None
    y_codes, y_text = _clean(frame["year"], strict)
    years = []
    for t in y_text:
        try:
            y = float(t)
        except ValueError:
            return None
        if not (y.is_integer() and 1000 <= y <= 9999) or "_" in t:
            return None
        years.append(int(y))
    v_codes, v_names = _clean(frame["variable"], strict)
    if "" in v_names or not all(v.isprintable() for v in v_names):  # empty, or invisible
        return None
    raw = frame["value"]
    if pd.api.types.is_bool_dtype(raw) or not pd.api.types.is_numeric_dtype(raw):
        return None  # a frame's text column: through the row-by-row reader's own rules
    value = np.asarray(raw, dtype=np.float64)
    if np.isinf(value).any():
        return None
    # the labels as the panel orders them: variables by first appearance, the rest sorted
    v_list = list(dict.fromkeys(v_names[k] for k in pd.unique(v_codes)))
    c_list, y_list = sorted(set(c_names)), sorted(set(years))
    vi = _positions(v_names, v_list)[v_codes]
    ci = _positions(c_names, c_list)[c_codes]
    yi = _positions(years, y_list)[y_codes]
    size = len(v_list) * len(c_list) * len(y_list)
    flat = (vi * len(c_list) + ci) * len(y_list) + yi
    if np.bincount(flat, minlength=size).max() > 1:  # a repeated (country, year, variable)
        return None
    units: dict[str, str | None] = dict.fromkeys(v_list)
    if "unit" in frame:
        u_codes, u_text = _clean(frame["unit"], strict)
        pairs = np.flatnonzero(np.bincount(vi * len(u_text) + u_codes))
        for v, u in zip(*np.divmod(pairs, len(u_text)), strict=True):
            if u_text[u]:
                if units[v_list[v]] is not None:
                    return None  # two units for one variable
                units[v_list[v]] = u_text[u]
    array = np.full((len(v_list), len(c_list), len(y_list)), np.nan)
    array.reshape(-1)[flat] = value
    texts = []
    for name in ("source", "note"):
        if name in frame:
            codes, cleaned = _clean(frame[name], strict)
            texts.append(np.asarray([t or None for t in cleaned], dtype=object)[codes].tolist())
        else:
            texts.append([None] * n)
    keys = zip(
        np.asarray(v_list, dtype=object)[vi].tolist(),
        np.asarray(c_list, dtype=object)[ci].tolist(),
        np.asarray(y_list, dtype=np.int64)[yi].tolist(),
        strict=True,
    )
    lines = range(first_line, first_line + n)
    provenance = dict(zip(keys, zip(texts[0], texts[1], lines, strict=True), strict=True))
    return Panel(
        values=array,
        variables=tuple(v_list),
        countries=tuple(c_list),
        years=tuple(y_list),
        units=units,
        provenance=provenance,
        path=path,
        country_names={c: country_name(c, extra) for c in c_list},
        estimates=None,  # no estimate columns on the fast path
    )
