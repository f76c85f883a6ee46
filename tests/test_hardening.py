"""The guards behind the corpus: atomic writes, non-finite numbers, option ranges, plain words."""

from __future__ import annotations

import argparse
import errno
import json
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


# -- plugins that fail at import, indicators that return what they should not -----------------
def test_a_plugin_that_raises_systemexit_or_a_baseexception_at_import_is_listed_as_failed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.test_corpus import install

    install(("corpus_exits", "corpus_interrupts"), tmp_path, monkeypatch)
    assert main(["plugins", "--format", "json"]) == 0
    out, err = capsys.readouterr()
    listing = {p["name"]: p for p in json.loads(out)}
    for name, what in (("corpus_exits", "SystemExit"), ("corpus_interrupts", "Interrupted")):
        assert listing[name]["status"] == "failed"
        assert name in err and what in err
    run = ["score", str(CORPUS / "index.toml"), "--data", str(CORPUS / "data.csv")]
    assert main(run) == 0  # and the other plugins carry on


@pytest.mark.parametrize(
    ("how", "words"),
    [("inf", "infinite or NaN values"), ("nan", "NaN values"), ("complex", "complex values")],
)
def test_an_indicator_returning_non_finite_or_complex_values_is_named_in_a_warning(
    how: str,
    words: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from tests.test_corpus import install

    install(("corpus_faults",), tmp_path, monkeypatch)
    index = tmp_path / "index.toml"
    index.write_text(
        (CORPUS / "index.toml").read_text().replace('children = ["c"]', f'children = ["ind_{how}"]')
    )
    code = main(["score", str(index), "--data", str(CORPUS / "data.csv"), "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    warning = [line for line in err.splitlines() if f"ind_{how}" in line]
    assert warning and "plugin 'corpus_faults'" in warning[0] and words in warning[0], err

    raw = [r["indicators"][f"ind_{how}"]["raw"] for r in json.loads(out)["results"]]
    # every value is infinite, NaN or has an imaginary part of 1: none is used, none invented
    assert raw == [None] * len(raw)


# -- depth --------------------------------------------------------------------------------------
def test_a_tree_a_thousand_levels_deep_is_scored_like_the_flat_tree(tmp_path: Path) -> None:
    depth = 1000
    lines = ['[index]\nname = "Deep"\nchildren = ["n0"]']
    for i in range(depth):
        below = f'"n{i + 1}"' if i < depth - 1 else '"a", "b"'
        lines.append(f"[node.n{i}]\nchildren = [{below}]")
    raw = (
        '[indicator.a]\ndirection = "higher_is_riskier"\n'
        '[indicator.b]\ndirection = "lower_is_riskier"'
    )
    (tmp_path / "deep.toml").write_text("\n".join([*lines, raw]) + "\n")
    (tmp_path / "flat.toml").write_text(f'[index]\nname = "Flat"\nchildren = ["a", "b"]\n{raw}\n')
    (tmp_path / "data.csv").write_text(
        "country,year,a,b\nARM,2020,1,2\nAZE,2020,3,1\nGEO,2020,2,5\n"
    )
    deep = riskcore.score(tmp_path / "deep.toml", tmp_path / "data.csv")
    flat = riskcore.score(tmp_path / "flat.toml", tmp_path / "data.csv")
    assert deep.score.tolist() == flat.score.tolist()
    assert len(deep.plan.nodes) == depth + 1


def test_a_numpy_warning_inside_a_plugin_method_names_the_method_and_its_plugin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.test_corpus import install

    install(("corpus_faults",), tmp_path, monkeypatch)
    index = tmp_path / "index.toml"
    text = (CORPUS / "index.toml").read_text()
    index.write_text(text.replace("[indicator.b]\n", '[indicator.b]\nnormalize = "norm_warns"\n'))
    assert main(["score", str(index), "--data", str(CORPUS / "data.csv")]) == 0
    err = capsys.readouterr().err
    assert (
        "normalization method 'norm_warns' (plugin 'corpus_faults', distribution "
        "riskcore-corpus-faults): overflow encountered" in err
    ), err


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=2, max_size=12))
def test_minmax_takes_any_finite_values_onto_0_1_without_a_numpy_warning(xs: list[float]) -> None:
    import warnings

    import numpy as np

    from riskcore.methods.base import NoParams
    from riskcore.methods.normalise import MinMax

    values = np.array(xs, dtype=np.float64).reshape(1, -1, 1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow in max - min would raise here
        out = MinMax()(values, NoParams(), axis=(1, 2))
    assert np.all((out >= 0) & (out <= 1))
    if values.max() > values.min():
        assert out.ravel()[int(np.argmax(values))] == 1.0
        assert out.ravel()[int(np.argmin(values))] == 0.0
