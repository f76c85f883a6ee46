"""The vectorised reader (riskcore.fastread) builds the same panel as the row-by-row reader, and
on bad input the same message names the same line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import riskcore
from riskcore import fastread

pd = pytest.importorskip("pandas")

COUNTRIES = ["ARM", "geo", " KAZ", "XKX", "ABC", ""]
YEARS = ["2020", "2021", "2021.0", " 2022", "20x", "999", ""]
VALUES = ["1.5", "", "na", "N/A", "1e3", " 2.5 ", "-0", "abc", "inf", "1_000", "7"]
VARIABLES = ["gdp", "debt", " debt", ""]
UNITS = ["", "usd", "pct"]
SOURCES = ["", "World Bank", "IMF"]


def _same(a: riskcore.Panel, b: riskcore.Panel) -> None:
    assert (a.variables, a.countries, a.years) == (b.variables, b.countries, b.years)
    np.testing.assert_array_equal(a.values, b.values)
    assert dict(a.units) == dict(b.units)
    assert dict(a.provenance) == dict(b.provenance)
    assert dict(a.country_names) == dict(b.country_names)


def _read(read: Any, *args: Any, slow: bool, **kw: Any) -> riskcore.Panel | str:
    real = fastread.read_long
    if slow:
        fastread.read_long = lambda *a, **k: None  # type: ignore[assignment]
    try:
        return read(*args, **kw)
    except riskcore.DataError as exc:
        return str(exc)
    finally:
        fastread.read_long = real  # type: ignore[assignment]


@st.composite
def long_files(draw: st.DrawFn) -> str:
    columns = ["country", "year", "variable", "value"]
    columns += [c for c in ("unit", "source", "note") if draw(st.booleans())]
    rows = draw(
        st.lists(st.tuples(*(st.integers(0, 20) for _ in columns)), min_size=1, max_size=12)
    )
    pools = {"country": COUNTRIES, "year": YEARS, "variable": VARIABLES, "value": VALUES,
             "unit": UNITS, "source": SOURCES, "note": SOURCES}  # fmt: skip
    lines = [",".join(columns)]
    for row in rows:
        lines.append(
            ",".join(pools[c][k % len(pools[c])] for c, k in zip(columns, row, strict=True))
        )
    return "\n".join(lines) + "\n"


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(long_files())
def test_both_readers_agree_on_panels_and_on_messages(tmp_path: Path, text: str) -> None:
    path = tmp_path / "data.csv"
    path.write_text(text, encoding="utf-8")
    kw = {"extra_countries": {"XKX": "Kosovo"}}
    fast = _read(riskcore.read_data, path, slow=False, **kw)
    slow = _read(riskcore.read_data, path, slow=True, **kw)
    if isinstance(slow, str):
        assert fast == slow  # the same file, line and message
    else:
        assert not isinstance(fast, str), fast
        _same(fast, slow)


def test_a_clean_long_file_takes_the_vectorised_path(tmp_path: Path) -> None:
    text = (
        "country,year,variable,value,unit,source\nARM,2020,gdp,1.5,usd,WB\nGEO,2020,gdp,,usd,WB\n"
    )
    header = text.split("\n", 1)[0].split(",")
    panel = fastread.read_long(text, header, path="x.csv", extra_countries=None)
    assert panel is not None and panel.countries == ("ARM", "GEO")
    assert panel.provenance[("gdp", "GEO", 2020)] == ("WB", None, 3)
    # a repeated value, two units, a comment: left to the row-by-row reader, which says why
    for bad in (text + "ARM,2020,gdp,2,usd,WB\n", text + "ARM,2021,gdp,2,pct,WB\n",
                "# a comment\n" + text):  # fmt: skip
        assert fastread.read_long(bad, header, path="x.csv", extra_countries=None) is None


def test_data_frames_take_the_same_path() -> None:
    frame = pd.DataFrame(
        {"country": ["ARM", "GEO", "ARM"], "year": [2020, 2020, 2021],
         "variable": ["gdp", "gdp", "gdp"], "value": [1.5, np.nan, 3.0]}
    )  # fmt: skip
    fast = _read(riskcore.read_frame, frame, slow=False)
    slow = _read(riskcore.read_frame, frame, slow=True)
    assert not isinstance(fast, str) and not isinstance(slow, str)
    _same(fast, slow)
    assert fastread.read_long(frame, list(frame.columns), path="f", extra_countries=None)


@pytest.mark.parametrize(
    "row", ["ARM,2021,gdp,2", "ARM,2021,gdp,2,usd,WB,extra", "", 'ARM,2021,gdp,"2,5",usd,WB']
)
def test_rows_of_the_wrong_width_are_read_row_by_row(tmp_path: Path, row: str) -> None:
    path = tmp_path / "data.csv"
    path.write_text(f"country,year,variable,value,unit,source\nARM,2020,gdp,1,usd,WB\n{row}\n")
    fast = _read(riskcore.read_data, path, slow=False)
    assert fast == _read(riskcore.read_data, path, slow=True) or not isinstance(fast, str)
    if row.count(",") != 5:
        header = ["country", "year", "variable", "value", "unit", "source"]
        assert fastread.read_long(path.read_text(), header, path="p", extra_countries=None) is None
