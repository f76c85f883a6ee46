"""The readers of data files and DataFrames into a :class:`~riskcore.panel.Panel`.

A :class:`Panel` is a labelled float array ``variables x countries x years`` that keeps the unit
of each variable, the source and note of each value and each value's estimate (range, standard
error, kind: :mod:`riskcore.estimates`). Readers validate everything once, and report every
problem with the file, the line and what was expected; nothing downstream re-validates.
``Panel`` and ``Provenance`` live in :mod:`riskcore.panel` and are importable from here too.
"""

from __future__ import annotations

import csv
import io
import math
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from riskcore._text import csv_error, decode_csv, finite_number, separator_hint, shown
from riskcore.countries import country_name, is_iso3
from riskcore.errors import DataError, read_input
from riskcore.estimates import ESTIMATE_COLUMNS, EstimateCells, wide_columns
from riskcore.panel import Panel, Provenance

__all__ = ["Panel", "Provenance", "read_data", "read_frame"]

_LONG_REQUIRED = ("country", "year", "variable", "value")
_LONG_OPTIONAL = ("unit", "source", "note", *ESTIMATE_COLUMNS)
_MISSING = {"", "na", "nan", "n/a"}


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------
class _Builder:
    """Collects validated values, then builds a :class:`Panel`."""

    def __init__(self, path: str, extra_countries: Mapping[str, str] | None) -> None:
        self.path = path
        self.extra = {k.upper(): v for k, v in (extra_countries or {}).items()}
        self.cells: dict[tuple[str, str, int], tuple[float, int]] = {}
        self.units: dict[str, str | None] = {}
        self.unit_lines: dict[str, int] = {}
        self.provenance: dict[tuple[str, str, int], tuple[str | None, str | None, int | None]] = {}
        self.groups: dict[str, dict[str, tuple[str, int]]] = {}
        self.estimates = EstimateCells(self.fail, self.number)

    def group(self, column: str, country: str, label: str | None, line: int) -> None:
        if label is None:
            return
        seen = self.groups.setdefault(column, {})
        if country in seen and seen[country][0] != label:
            first, first_line = seen[country]
            raise self.fail(
                f"country {country} is in group '{label}' of column '{column}' here but in "
                f"'{first}' on line {first_line}; a country has one group per column",
                line,
            )
        seen.setdefault(country, (label, line))

    def fail(self, message: str, line: int | None) -> DataError:
        return DataError(message, path=self.path, line=line)

    def country(self, raw: str, line: int) -> str:
        code = raw.strip().upper()
        if not code:
            raise self.fail("country is empty; expected an ISO 3166-1 alpha-3 code", line)
        if code in self.extra or is_iso3(code):
            return code
        hint = ""
        if len(code) != 3:
            hint = " (ISO 3166-1 alpha-3 codes have three letters, such as KAZ)"
        elif code == "XKX":
            hint = " (Kosovo's user-assigned code)"
        raise self.fail(
            f"country {shown(raw.strip())} is not an ISO 3166-1 alpha-3 code{hint}; "
            "declare user-assigned codes with extra_countries / --extra-country CODE=NAME",
            line,
        )

    def year(self, raw: Any, line: int) -> int:
        text = str(raw).strip()
        try:
            value = int(text)
        except ValueError:
            try:
                as_float = float(text)
            except ValueError:
                as_float = math.nan
            if not as_float.is_integer():
                raise self.fail(f"year '{text}' is not an integer", line) from None
            value = int(as_float)
        if not 1000 <= value <= 9999:
            raise self.fail(f"year {value} is outside 1000..9999", line)
        return value

    def number(self, raw: Any, line: int, variable: str) -> float:
        if raw is None:
            return math.nan
        if isinstance(raw, str) and raw.strip().lower() in _MISSING:
            return math.nan
        try:
            return finite_number(raw)
        except ValueError as exc:
            raise self.fail(
                f"value {shown(raw.strip() if isinstance(raw, str) else raw)} of variable "
                f"'{variable}' {exc} (expected a number, or an empty cell for missing)",
                line,
            ) from None

    def add(
        self,
        *,
        country: str,
        year: int,
        variable: str,
        value: float,
        unit: str | None,
        source: str | None,
        note: str | None,
        line: int,
        estimate: Mapping[str, Any] | None = None,
    ) -> None:
        if not variable:
            raise self.fail("variable is empty", line)
        if variable not in self.units and not variable.isprintable():  # once per variable
            raise self.fail(
                f"variable {shown(variable)} holds an invisible character; remove it (copied "
                "text often brings one along)",
                line,
            )
        key = (variable, country, year)
        if key in self.cells:
            first = self.cells[key][1]
            raise self.fail(
                f"repeated value for country {country}, year {year}, variable '{variable}' "
                f"(first given on line {first}); each (country, year, variable) may appear once",
                line,
            )
        if estimate:
            value = self.estimates.add(key, value, estimate, line)
        self.cells[key] = (value, line)
        if unit:
            known = self.units.get(variable)
            if known and known != unit:
                raise self.fail(
                    f"variable '{variable}' has unit '{unit}' here but '{known}' on line "
                    f"{self.unit_lines[variable]}; a variable has one unit",
                    line,
                )
            self.units[variable] = unit
            self.unit_lines.setdefault(variable, line)
        else:
            self.units.setdefault(variable, None)
        self.provenance[key] = (source or None, note or None, line)

    def build(self) -> Panel:
        if not self.cells:
            raise self.fail("no data rows", None)
        variables: dict[str, None] = {}
        countries: set[str] = set()
        years: set[int] = set()
        for var, country, year in self.cells:
            variables.setdefault(var, None)
            countries.add(country)
            years.add(year)
        var_list = list(variables)
        country_list = sorted(countries)
        year_list = sorted(years)
        vi = {v: i for i, v in enumerate(var_list)}
        ci = {c: i for i, c in enumerate(country_list)}
        yi = {y: i for i, y in enumerate(year_list)}
        n = len(self.cells)
        idx_v = np.empty(n, dtype=np.intp)
        idx_c = np.empty(n, dtype=np.intp)
        idx_y = np.empty(n, dtype=np.intp)
        vals = np.empty(n, dtype=np.float64)
        for k, ((var, country, year), (value, _)) in enumerate(self.cells.items()):
            idx_v[k], idx_c[k], idx_y[k], vals[k] = vi[var], ci[country], yi[year], value
        array = np.full((len(var_list), len(country_list), len(year_list)), np.nan)
        array[idx_v, idx_c, idx_y] = vals
        return Panel(
            values=array,
            variables=tuple(var_list),
            countries=tuple(country_list),
            years=tuple(year_list),
            units={v: self.units.get(v) for v in var_list},
            provenance=self.provenance,
            path=self.path,
            country_names={c: country_name(c, self.extra) for c in country_list},
            groups={
                g: tuple(labels[c][0] if c in labels else None for c in country_list)
                for g, labels in self.groups.items()
            },
            estimates=self.estimates.build(array.shape, lambda k: (vi[k[0]], ci[k[1]], yi[k[2]])),
        )


def _normalise_header(header: Sequence[str]) -> list[str]:
    """Reserved column names in any case; variable names exactly as written."""
    reserved = set(_LONG_REQUIRED + _LONG_OPTIONAL)
    out = []
    for h in header:
        name = h.strip().lstrip("\ufeff").strip()
        out.append(name.lower() if name.lower() in reserved else name)
    return out


def _read_rows(
    rows: Iterable[tuple[int, Sequence[Any]]],
    header: list[str],
    builder: _Builder,
    skip_columns: Sequence[str],
    group_columns: Sequence[str] = (),
) -> Panel:
    if not header or header == [""]:
        raise builder.fail("the file is empty; expected a header row", 1)
    seen: set[str] = set()
    for name in header:
        if name in seen:
            raise builder.fail(f"column '{name}' appears twice in the header", 1)
        seen.add(name)
    for name in ("country", "year"):
        if name not in header:
            raise builder.fail(
                f"header has no '{name}' column; expected long format "
                "'country,year,variable,value[,unit,source,note]' "
                "or wide format 'country,year,<variable>,...'" + separator_hint(header),
                1,
            )
    skip = set(skip_columns)
    unknown_skip = skip - set(header)
    if unknown_skip:
        raise builder.fail(f"columns to skip not in the header: {sorted(unknown_skip)}", 1)
    groups = list(group_columns)
    unknown_groups = sorted(set(groups) - set(header))
    if unknown_groups:
        raise builder.fail(
            f"group columns not in the header: {unknown_groups} (columns: {', '.join(header)})", 1
        )
    skip |= set(groups)
    long = "variable" in header or "value" in header
    col = {name: i for i, name in enumerate(header)}
    if long:
        missing = [c for c in _LONG_REQUIRED if c not in header]
        if missing:
            raise builder.fail(
                f"long format needs columns {list(_LONG_REQUIRED)}; missing {missing}", 1
            )
        extra = [c for c in header if c not in _LONG_REQUIRED + _LONG_OPTIONAL and c not in skip]
        if extra:
            raise builder.fail(
                f"unexpected columns {extra} in long format; allowed extra columns are "
                f"{list(_LONG_OPTIONAL)} (or skip them with skip_columns / --skip-column)",
                1,
            )
    else:
        value_cols, wide_estimates = wide_columns(header, skip, builder.fail)
        if not value_cols:
            raise builder.fail("wide format needs at least one variable column", 1)

    def cell(row: Sequence[Any], name: str) -> Any:
        i = col.get(name)
        return row[i] if i is not None and i < len(row) else None

    def text(row: Sequence[Any], name: str) -> str | None:
        v = cell(row, name)
        if v is None or (isinstance(v, float) and math.isnan(v)):
            return None
        s = str(v).strip()
        return s or None

    for line, row in rows:
        if len(row) == 0 or all(str(x).strip() == "" for x in row):
            continue
        if len(row) != len(header):
            raise builder.fail(f"row has {len(row)} fields, the header has {len(header)}", line)
        country = builder.country(str(cell(row, "country") or ""), line)
        year = builder.year(cell(row, "year"), line)
        for g in groups:
            builder.group(g, country, text(row, g), line)
        if long:
            variable = (text(row, "variable") or "").strip()
            builder.add(
                country=country,
                year=year,
                variable=variable,
                value=builder.number(cell(row, "value"), line, variable),
                unit=text(row, "unit"),
                source=text(row, "source"),
                note=text(row, "note"),
                line=line,
                estimate={c: cell(row, c) for c in ESTIMATE_COLUMNS if c in col},
            )
        else:
            for name in value_cols:
                builder.add(
                    country=country,
                    year=year,
                    variable=name,
                    value=builder.number(cell(row, name), line, name),
                    unit=None,
                    source=None,
                    note=None,
                    line=line,
                    estimate={k: cell(row, c) for k, c in wide_estimates.get(name, {}).items()},
                )
    return builder.build()


def read_data(
    path: str | Path,
    *,
    extra_countries: Mapping[str, str] | None = None,
    skip_columns: Sequence[str] = (),
    group_columns: Sequence[str] = (),
) -> Panel:
    """Read a long or wide CSV file into a :class:`Panel`.

    Long format has the header ``country,year,variable,value`` and optional ``unit``, ``source``
    and ``note`` columns, one value per row. Wide format has ``country,year`` and one column per
    variable. ``country`` is an ISO 3166-1 alpha-3 code in any case; ``year`` an integer;
    ``value`` a number or empty for missing. Lines whose first cell starts with ``#`` are
    comments (before the header and between rows); line numbers in messages count them.

    Parameters
    ----------
    path : str or Path
        The CSV file; ``"-"`` reads standard input (messages then name ``<stdin>``).
    extra_countries : mapping, optional
        User-assigned codes to accept, with their names, such as ``{"XKX": "Kosovo"}``.
    skip_columns : sequence of str, optional
        Columns to leave out on purpose (text columns of a wide file, say).
    group_columns : sequence of str, optional
        Text columns that give each country's group (a region, an income group), kept as
        :attr:`Panel.groups` for group imputation; one label per country.

    Returns
    -------
    Panel

    Raises
    ------
    DataError
        For any malformed content, naming the file, the line and what was expected.
    """
    name = "<stdin>" if str(path) == "-" else str(path)
    text = decode_csv(read_input(path, DataError, "a CSV file"), name)
    if not skip_columns and not group_columns:  # long tables: vectorised (riskcore.fastread)
        from riskcore.fastread import read_long

        head = next(csv.reader([text[: text.find("\n")] if "\n" in text else text]), [])
        fast = read_long(text, _normalise_header(head), path=name, extra_countries=extra_countries)
        if fast is not None:
            return fast
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    builder = _Builder(name, extra_countries)
    start = 1  # the line where the record being read begins
    try:
        first = next(reader, [])
        while first and first[0].lstrip().startswith("#"):  # comment lines before the header
            start = reader.line_num + 1
            first = next(reader, [])
        header = _normalise_header(first)
        start = reader.line_num + 1

        def rows() -> Iterator[tuple[int, list[str]]]:
            nonlocal start
            for row in reader:
                if not (row and row[0].lstrip().startswith("#")):
                    yield reader.line_num, row
                start = reader.line_num + 1

        return _read_rows(rows(), header, builder, skip_columns, group_columns)
    except csv.Error as exc:
        raise csv_error(exc, name, start, reader.line_num) from None


def read_frame(
    frame: Any,
    *,
    extra_countries: Mapping[str, str] | None = None,
    skip_columns: Sequence[str] = (),
    group_columns: Sequence[str] = (),
    name: str = "<DataFrame>",
) -> Panel:
    """Read a pandas DataFrame in long or wide layout into a :class:`Panel`.

    The columns follow the CSV formats of :func:`read_data`. Error messages name the row by its
    position, counted as a file line would be (the header is line 1, the first row line 2). A
    ``(country, year)`` index, as :meth:`Panel.to_frame` and :meth:`Scores.to_frame` write
    it, is read as those two columns.

    Parameters
    ----------
    frame : pandas.DataFrame
    extra_countries, skip_columns, group_columns
        As for :func:`read_data`.
    name : str
        What to call the frame in messages.

    Returns
    -------
    Panel
    """
    columns = getattr(frame, "columns", None)
    if columns is None or not hasattr(frame, "itertuples"):
        raise DataError("expected a pandas DataFrame", path=name)
    labels = [n for n in getattr(frame.index, "names", []) if n is not None]
    if {"country", "year"} <= {str(n).lower() for n in labels}:
        frame = frame.reset_index()  # as to_frame() writes it: a (country, year) index
        columns = frame.columns
    header = _normalise_header([str(c) for c in columns])
    if not skip_columns and not group_columns:
        from riskcore.fastread import read_long

        fast = read_long(frame, header, path=name, extra_countries=extra_countries)
        if fast is not None:
            return fast
    builder = _Builder(name, extra_countries)
    na = getattr(sys.modules.get("pandas"), "NA", None)  # nullable columns' missing value
    rows = (
        (i + 2, [None if v is na and na is not None else v for v in row])
        for i, row in enumerate(frame.itertuples(index=False, name=None))
    )
    return _read_rows(rows, header, builder, skip_columns, group_columns)
