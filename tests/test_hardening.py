"""The guards behind the corpus: atomic writes, non-finite numbers, option ranges, plain words."""

from __future__ import annotations

import argparse
import errno
import math
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import riskcore
from riskcore._args import fraction, whole
from riskcore._atomic import write_atomic
from riskcore._strict import non_finite, parse_float
from riskcore.cli import main

CORPUS = Path(__file__).resolve().parent / "corpus"


# -- atomic writes ------------------------------------------------------------------------------
def test_a_write_that_fails_half_way_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out.json"
    target.write_text("old")

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OSError):
        write_atomic(target, "new" * 1000)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]  # no temporary file left


def test_the_command_line_reports_a_failed_write_and_keeps_the_old_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.txt"
    out.write_text("old")

    def refuse(src: Any, dst: Any) -> None:
        raise OSError(errno.EFBIG, "File too large")

    monkeypatch.setattr(os, "replace", refuse)
    code = main(
        ["score", str(CORPUS / "index.toml"), "--data", str(CORPUS / "data.csv"), "-o", str(out)]
    )
    err = capsys.readouterr().err
    assert code == 2 and str(out) in err and "File too large" in err
    assert out.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]


def test_an_atomic_write_keeps_permissions_and_writes_through_a_link(tmp_path: Path) -> None:
    target = tmp_path / "real.txt"
    target.write_text("old")
    target.chmod(0o640)
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    write_atomic(link, "new")
    assert link.is_symlink() and target.read_text() == "new"
    assert target.stat().st_mode & 0o777 == 0o640


@settings(max_examples=25, deadline=None)
@given(st.one_of(st.text(), st.binary()))
def test_an_atomic_write_writes_exactly_the_data(tmp_path_factory: Any, data: str | bytes) -> None:
    target = tmp_path_factory.mktemp("atomic") / "f"
    write_atomic(target, data)
    assert target.read_bytes() == (data.encode("utf-8") if isinstance(data, str) else data)


# -- non-finite numbers anywhere in a document --------------------------------------------------
_leaf = st.one_of(st.integers(), st.floats(allow_nan=False, allow_infinity=False), st.text())
_doc = st.recursive(
    _leaf,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(min_size=1), inner, max_size=3)
    ),
    max_leaves=12,
)


@settings(max_examples=25, deadline=None)
@given(st.dictionaries(st.text(min_size=1, max_size=5), _doc, max_size=4))
def test_a_document_of_finite_numbers_passes(doc: dict[str, Any]) -> None:
    assert non_finite(doc) is None


@settings(max_examples=25, deadline=None)
@given(
    st.dictionaries(st.text(min_size=1, max_size=5), _doc, max_size=4),
    st.lists(st.text(alphabet="abc", min_size=1, max_size=3), min_size=1, max_size=4),
    st.booleans(),
    st.sampled_from(["inf", "-inf", "nan", "1e400", "-1e999"]),
)
def test_a_non_finite_number_is_found_with_its_key(
    doc: dict[str, Any], keys: list[str], in_list: bool, written: str
) -> None:
    value = parse_float(written)
    node: Any = [1.0, value] if in_list else value
    for k in reversed(keys):
        node = {k: node}
    doc = {**doc, "target": node}
    expected = ".".join(["target", *keys, *(["1"] if in_list else [])])
    assert non_finite(doc) == (expected, written)


def test_a_deep_document_is_walked_without_recursion() -> None:
    doc: dict[str, Any] = {}
    node = doc
    for _ in range(20000):
        node["a"] = {}
        node = node["a"]
    node["x"] = math.inf
    key, _ = non_finite(doc) or ("", "")
    assert key.endswith(".a.x") and key.count(".") == 20000


def test_non_finite_numbers_from_python_are_refused_with_their_key() -> None:
    doc = {
        "index": {"name": "T", "children": ["x"]},
        "indicator": {"x": {"direction": "higher_is_riskier", "multiplier": math.nan}},
    }
    with pytest.raises(riskcore.SpecError) as err:
        riskcore.parse_index(doc)
    assert err.value.key == "indicator.x.multiplier"


# -- command-line numbers ----------------------------------------------------------------------
@given(st.integers(min_value=-(10**6), max_value=10**6))
def test_a_whole_number_option_accepts_exactly_its_range(n: int) -> None:
    parse = whole(1, 1024)
    if 1 <= n <= 1024:
        assert parse(str(n)) == n
    else:
        with pytest.raises(argparse.ArgumentTypeError, match="from 1 to 1024"):
            parse(str(n))


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_a_fraction_option_accepts_exactly_finite_numbers_in_range(x: float) -> None:
    parse = fraction(0, 1, open_ends=True)
    if 0 < x < 1:
        assert parse(repr(x)) == x
    else:
        with pytest.raises(argparse.ArgumentTypeError, match="strictly between 0 and 1"):
            parse(repr(x))


def test_library_options_out_of_range_are_option_errors() -> None:
    from riskcore.assumptions import load_assumptions
    from riskcore.uncertainty import uncertainty_analysis

    scores = riskcore.score(CORPUS / "index.toml", CORPUS / "data.csv")
    assumptions = load_assumptions(CORPUS / "index.toml")
    for options in ({"samples": 0}, {"samples": 3}, {"seed": -1}, {"chunk": 0}):
        with pytest.raises(riskcore.OptionError, match=next(iter(options))):
            uncertainty_analysis(scores, assumptions, **options)  # type: ignore[arg-type]


# -- messages in plain words --------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        'index = "x"\n',
        '[index]\nname = 3\nchildren = ["a"]\n',
        '[index]\nname = "T"\nchildren = ["a"]\nround = 1.5\n',
        '[index]\nname = "T"\nchildren = ["a"]\nscale = "wide"\n',
        '[index]\nname = "T"\nchildren = ["a"]\n[uncertainty.normalize]\nalternatives = []\n',
        '[index]\nname = "T"\nchildren = ["a"]\n[indicator.a]\ndirection = "up"\n',
        '[index]\nname = "T"\nchildren = ["a"]\n[[bands]]\nname = "x"\n',
        '[index]\nname = "T"\nchildren = ["a"]\ncode = "a b"\n',
    ],
)
def test_no_pydantic_phrasing_reaches_the_user(text: str) -> None:
    with pytest.raises(riskcore.SpecError) as err:
        riskcore.parse_index(text, path="t.toml")
    message = str(err.value)
    for phrase in ("Input should", "instance of", "after validation", "IndexSection", "pydantic"):
        assert phrase not in message, message
    assert "t.toml: key '" in message
