"""Estimates as data: ranges, standard errors and kinds per value, in long and wide files and
DataFrames; every malformed estimate is a DataError naming the file and the line."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

import riskcore
from riskcore import DataError, read_data
from riskcore.estimates import KINDS, Estimates

LONG = """country,year,variable,value,low,high,se,kind,source
ARM,2022,x,5,4,6,,estimate,A
ARM,2023,x,,4,8,,,A
GEO,2022,x,3,,,0.5,,B
GEO,2023,x,2,,,,expert,B
"""

WIDE = """country,year,x,x__low,x__high,x__se,x__kind,y
ARM,2022,5,4,6,,estimate,1
ARM,2023,,4,8,,,2
GEO,2022,3,,,0.5,,3
GEO,2023,2,,,,expert,
"""


def write(tmp_path: Path, text: str, name: str = "data.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def check_example(panel: riskcore.Panel) -> None:
    est = panel.estimates
    assert est is not None
    x = panel.variables.index("x")
    np.testing.assert_array_equal(panel["x"], [[5.0, 6.0], [3.0, 2.0]])  # 6: the midpoint
    np.testing.assert_array_equal(est.low[x], [[4.0, 4.0], [np.nan, np.nan]])
    np.testing.assert_array_equal(est.high[x], [[6.0, 8.0], [np.nan, np.nan]])
    np.testing.assert_array_equal(est.se[x], [[np.nan, np.nan], [0.5, np.nan]])
    assert [[KINDS[k] for k in row] for row in est.kind[x]] == [
        ["estimate", "observed"],
        ["observed", "expert"],
    ]
    np.testing.assert_array_equal(est.from_range[x], [[False, True], [False, False]])
    assert not est.from_range[x].any() or est.ranged[x].any()


def test_long_file_carries_ranges_ses_and_kinds(tmp_path: Path) -> None:
    panel = read_data(write(tmp_path, LONG))
    check_example(panel)
    prov = panel.source_of("x", "ARM", 2023).to_dict()
    assert prov["estimate"] == {"kind": "observed", "low": 4.0, "high": 8.0, "from_range": True}
    assert panel.source_of("x", "GEO", 2022).to_dict()["estimate"] == {
        "kind": "observed",
        "se": 0.5,
    }


def test_wide_file_and_frame_use_double_underscore_columns(tmp_path: Path) -> None:
    panel = read_data(write(tmp_path, WIDE))
    assert panel.variables == ("x", "y")  # the estimate columns are not variables
    check_example(panel)
    pd = pytest.importorskip("pandas")
    frame = pd.read_csv(write(tmp_path, WIDE))
    check_example(riskcore.read_frame(frame))
    check_example(riskcore.read_frame(pd.read_csv(write(tmp_path, LONG, "long.csv"))))


def test_data_without_estimates_have_none_and_unchanged_provenance(tmp_path: Path) -> None:
    panel = read_data(write(tmp_path, "country,year,variable,value\nARM,2022,x,1\n"))
    assert panel.estimates is None
    assert "estimate" not in panel.source_of("x", "ARM", 2022).to_dict()


def test_select_keeps_the_estimates_of_the_rows_chosen(tmp_path: Path) -> None:
    panel = read_data(write(tmp_path, LONG)).select(countries=["GEO"], years=[2022])
    assert panel.estimates is not None
    assert panel.estimates.se[0, 0, 0] == 0.5
    assert panel.source_of("x", "GEO", 2022).estimate == {"kind": "observed", "se": 0.5}


BAD = [
    ("ARM,2022,x,7,4,6,,", "value 7 for variable 'x' is outside its own range [4, 6]"),
    ("ARM,2022,x,5,6,4,,", "low 6 is above high 4 for variable 'x'"),
    ("ARM,2022,x,5,,,-1,", "standard error -1 for variable 'x' is negative"),
    ("ARM,2022,x,5,4,,,", "low is given for variable 'x' but high is not"),
    ("ARM,2022,x,5,,6,,", "high is given for variable 'x' but low is not"),
    ("ARM,2022,x,5,4,6,1,", "both a range and a standard error"),
    ("ARM,2022,x,,,,1,", "a standard error is given for variable 'x' but no value"),
    ("ARM,2022,x,5,a,6,,", "value 'a' of variable 'x' column 'low' is not a number"),
    ("ARM,2022,x,5,,,,guess", "kind 'guess' for variable 'x' is not one of observed, estimate"),
]


@pytest.mark.parametrize(("row", "message"), BAD)
def test_bad_estimates_name_the_file_and_line(tmp_path: Path, row: str, message: str) -> None:
    path = write(
        tmp_path, f"country,year,variable,value,low,high,se,kind\nARM,2021,x,1,,,,\n{row}\n"
    )
    with pytest.raises(DataError) as err:
        read_data(path)
    assert message in str(err.value)
    assert f"{path}, line 3" in str(err.value)


def test_a_wide_estimate_column_needs_its_variable(tmp_path: Path) -> None:
    path = write(tmp_path, "country,year,x__low,x__high\nARM,2022,1,2\n")
    with pytest.raises(DataError, match="line 1: column 'x__low' is an estimate column"):
        read_data(path)


def test_bad_wide_range_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "country,year,x,x__low,x__high\nARM,2022,1,0,2\nARM,2023,3,4,5\n")
    with pytest.raises(DataError, match=r"line 3: value 3 for variable 'x' is outside"):
        read_data(path)


def test_a_kind_alone_on_a_missing_value_is_harmless(tmp_path: Path) -> None:
    panel = read_data(write(tmp_path, "country,year,variable,value,kind\nARM,2022,x,,estimate\n"))
    assert math.isnan(float(panel["x"][0, 0]))


def test_estimates_built_directly_are_validated() -> None:
    nan = np.full((1, 1, 1), np.nan)
    with pytest.raises(DataError, match="needs both"):
        Estimates(np.ones((1, 1, 1)), nan, nan, np.zeros((1, 1, 1)), np.zeros((1, 1, 1)))
    with pytest.raises(DataError, match="above"):
        Estimates(
            np.full((1, 1, 1), 2.0), np.ones((1, 1, 1)), nan, np.zeros((1, 1, 1)),
            np.zeros((1, 1, 1)),
        )  # fmt: skip
    with pytest.raises(DataError, match="shape"):
        riskcore.Panel(
            values=np.ones((1, 1, 1)), variables=("x",), countries=("ARM",), years=(2020,),
            estimates=Estimates.empty((1, 2, 1)),
        )  # fmt: skip
