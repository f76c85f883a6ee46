"""Reading data files and frames into a panel; every malformed file is a DataError."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

import riskcore
from riskcore import DataError, read_data


def write(tmp_path: Path, text: str, name: str = "data.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


LONG = """country,year,variable,value,unit,source,note
arm,2020,x,1.5,kg,Office A,first
GEO,2020,x,,kg,Office B,
ARM,2021,x,2,kg,Office A,
GEO,2021,y,7,,Survey,
"""


def test_long_format_labels_values_units_and_sources(tmp_path: Path) -> None:
    panel = read_data(write(tmp_path, LONG))
    assert panel.countries == ("ARM", "GEO")
    assert panel.years == (2020, 2021)
    assert panel.variables == ("x", "y")
    assert panel.shape == (2, 2, 2)
    np.testing.assert_array_equal(panel["x"], [[1.5, 2.0], [np.nan, np.nan]])
    assert panel.units == {"x": "kg", "y": None}
    prov = panel.source_of("x", "ARM", 2020)
    assert (prov.source, prov.note, prov.line, prov.unit) == ("Office A", "first", 2, "kg")
    assert panel.source_of("x", "GEO", 2020).source == "Office B"  # sources belong to values
    assert panel.country_names["GEO"] == "Georgia"
    assert not panel["x"].flags.writeable


def test_missing_cell_and_missing_row_are_both_nan(tmp_path: Path) -> None:
    panel = read_data(write(tmp_path, LONG))
    assert math.isnan(panel["x"][1, 0])  # empty cell
    assert math.isnan(panel["y"][0, 0])  # no row at all


def test_wide_format(tmp_path: Path) -> None:
    panel = read_data(write(tmp_path, "country,year,a,b\nKAZ,2019,1,\nUZB,2019,3,4\n"))
    assert panel.variables == ("a", "b")
    np.testing.assert_array_equal(panel["b"][:, 0], [np.nan, 4.0])


def test_comment_lines_are_skipped_and_lines_still_counted(tmp_path: Path) -> None:
    path = write(tmp_path, "# source: test\ncountry,year,a\nKAZ,2019,1\n# note\nUZB,2019,x\n")
    with pytest.raises(DataError) as err:
        read_data(path)
    assert err.value.line == 5


def test_declared_user_assigned_code_is_accepted(tmp_path: Path) -> None:
    path = write(tmp_path, "country,year,a\nXKX,2020,1\nSRB,2020,2\n")
    panel = read_data(path, extra_countries={"XKX": "Kosovo"})
    assert panel.country_names["XKX"] == "Kosovo"


def test_skip_columns_leaves_a_text_column_out(tmp_path: Path) -> None:
    path = write(tmp_path, "country,year,score,status\nKAZ,2020,23,NF\n")
    with pytest.raises(DataError, match="'NF'"):
        read_data(path)
    assert read_data(path, skip_columns=["status"]).variables == ("score",)


def test_select_keeps_labels_in_order(tmp_path: Path) -> None:
    panel = read_data(write(tmp_path, LONG)).select(countries=["GEO", "ARM"], years=[2021])
    assert panel.countries == ("GEO", "ARM") and panel.years == (2021,)
    np.testing.assert_array_equal(panel["x"][:, 0], [np.nan, 2.0])


@pytest.mark.parametrize(
    ("text", "line", "expected"),
    [
        ("", 1, "empty"),
        ("country,value\nARM,1\n", 1, "no 'year' column"),
        ("country,year,variable\nARM,2020,x\n", 1, "missing ['value']"),
        ("country,year,variable,value,colour\nARM,2020,x,1,red\n", 1, "unexpected columns"),
        ("country,year,a,a\nARM,2020,1,2\n", 1, "appears twice"),
        ("country,year,a\nARM,2020,1\nZZZ,2020,2\n", 3, "'ZZZ' is not an ISO 3166-1"),
        ("country,year,a\nXKX,2020,1\n", 2, "declare"),
        ("country,year,a\nArmenia,2020,1\n", 2, "three letters"),
        ("country,year,a\n,2020,1\n", 2, "country is empty"),
        ("country,year,a\nARM,20x0,1\n", 2, "year '20x0' is not an integer"),
        ("country,year,a\nARM,2020.5,1\n", 2, "not an integer"),
        ("country,year,a\nARM,20,1\n", 2, "outside"),
        ("country,year,a\nARM,2020,1;5\n", 2, "value '1;5' of variable 'a' is not a number"),
        ("country,year,a\nARM,2020,1_000\n", 2, "not a number"),
        ("country,year,a\nARM,2020,inf\n", 2, "infinite"),
        ("country,year,a\nARM,2020,1,2\n", 2, "row has 4 fields, the header has 3"),
        ("country,year,a\nARM,2020,1\narm,2020,2\n", 3, "repeated value"),
        ("country,year,variable,value\nARM,2020,,1\n", 2, "variable is empty"),
        (
            "country,year,variable,value,unit\nARM,2020,a,1,kg\nGEO,2020,a,1,t\n",
            3,
            "unit 't' here but 'kg' on line 2",
        ),
        ('country,year,a\nARM,2020,"1\n', 2, "malformed"),
        ("country,year,a\n", None, "no data rows"),
    ],
)
def test_malformed_files_name_file_line_and_expectation(
    tmp_path: Path, text: str, line: int | None, expected: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(DataError) as err:
        read_data(path)
    assert err.value.path == str(path)
    assert err.value.line == line
    assert expected in str(err.value)
    assert str(err.value).startswith(str(path))


def test_not_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("country,year,a\nARM,2020,1\nGEO,2020,\xe9\n".encode("latin-1"))
    with pytest.raises(DataError, match="UTF-8") as err:
        read_data(path)
    assert err.value.line == 3


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="file not found"):
        read_data(tmp_path / "none.csv")
    with pytest.raises(DataError, match="directory"):
        read_data(tmp_path)


def test_data_error_is_a_value_error() -> None:
    assert issubclass(DataError, ValueError) and issubclass(DataError, riskcore.RiskcoreError)


def test_unknown_variable_lists_what_is_there(tmp_path: Path) -> None:
    panel = read_data(write(tmp_path, LONG))
    with pytest.raises(KeyError, match="x, y"):
        panel["z"]


def test_dataframe_long_and_wide(tmp_path: Path) -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(
        {"country": ["ARM", "GEO"], "year": [2020, 2020], "a": [1.0, float("nan")]}
    )
    panel = riskcore.read_frame(frame)
    np.testing.assert_array_equal(panel["a"][:, 0], [1.0, np.nan])
    from_file = read_data(write(tmp_path, LONG))
    long = pd.read_csv(tmp_path / "data.csv", keep_default_na=False)
    from_frame = riskcore.read_frame(long)
    np.testing.assert_array_equal(from_frame.values, from_file.values)
    assert from_frame.source_of("x", "GEO", 2020).source == "Office B"
    bad = pd.DataFrame({"country": ["ARM", "QQQ"], "year": [2020, 2020], "a": [1, 2]})
    with pytest.raises(DataError) as err:
        riskcore.read_frame(bad)
    assert err.value.line == 3 and err.value.path == "<DataFrame>"


def test_bundled_inputs_read_cleanly(post_soviet: Path) -> None:
    panel = read_data(post_soviet / "inputs.csv")
    assert len(panel.countries) == 8 and panel.years == (2019, 2020, 2021, 2022, 2023)
    assert all(source for source, _, _ in panel.provenance.values())
    assert int(np.sum(~np.isnan(panel["relocants"]))) == 15


def test_observed_yields_the_values_held_with_their_provenance(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text(
        "country,year,variable,value,unit,source,note\n"
        "KAZ,2022,gdp,10,USD,World Bank,\n"
        "ARM,2022,gdp,,USD,World Bank,not published\n"
        "ARM,2022,pop,3,persons,,\n"
    )
    panel = riskcore.read_data(path)
    assert list(panel.observed({"gdp"})) == [("gdp", "KAZ", 2022, 10.0, "World Bank", None, 2)]
    assert [row[:4] for row in panel.observed({"gdp", "pop"})][-1] == ("pop", "ARM", 2022, 3.0)
