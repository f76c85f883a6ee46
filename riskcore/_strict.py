"""Numbers stay numbers: a base for the models of the files users write.

pydantic's lax mode turns ``"0.5"`` into 0.5 and ``true`` into 1.0; its strict mode also refuses
lists for tuples, tuples for lists and numpy integers. :class:`NoTextNumbers` keeps lax mode and
refuses only text and booleans where a number is expected (and text where true/false is), so
that a mistyped value is an error naming its key, as the docs say.

Two more guards for every file users write: :func:`non_finite` finds ``inf``, ``nan`` (and
``1e400``, which overflows to infinity) anywhere in a parsed document, so that none of them
reaches a goalpost, a weight or a shock; and :func:`plain` turns a pydantic error into words a
non-programmer can act on, quoting the offending value.
"""

from __future__ import annotations

import math
import types
from collections.abc import Mapping
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator
from pydantic_core import ErrorDetails

from riskcore._text import shown

__all__ = ["FileModel", "NoTextNumbers", "non_finite", "parse_float", "plain"]


Kinds = tuple[set[Any], set[str]]


def _union(args: Any, of: Any) -> Kinds:
    kinds: set[Any] = set()
    words: set[str] = set()
    for arg in args:
        k, w = of(arg)
        kinds |= k
        words |= w
    return kinds, words


def _scalars(annotation: Any) -> Kinds:
    """The scalar types an annotation admits (``object`` for anything else) and its literal
    strings, looking through ``Annotated``, ``Optional`` and unions."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _scalars(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return _union(get_args(annotation), _scalars)
    if origin is Literal:
        values = get_args(annotation)
        return {type(v) for v in values} - {str}, {v for v in values if isinstance(v, str)}
    if annotation is type(None):
        return set(), set()
    if annotation in (float, int, bool, str):
        return {annotation}, set()
    return {object}, set()


def _items(annotation: Any) -> Kinds:
    """The same for the items of a list or tuple annotation (nothing for other annotations)."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _items(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return _union(get_args(annotation), _items)
    if origin in (list, tuple):
        return _union([a for a in get_args(annotation) if a is not Ellipsis], _scalars)
    return set(), set()


def _wrong(value: Any, kinds: set[Any], words: set[str]) -> str | None:
    """What is wrong with ``value`` for a field admitting ``kinds`` and ``words``, if anything."""
    if not kinds or object in kinds or str in kinds:
        return None
    numeric = bool(kinds & {float, int})
    if isinstance(value, str) and value not in words:
        wanted = "a number" if numeric else "true or false"
        return f"expected {wanted} (without quotes), got {shown(value)}"
    if isinstance(value, bool) and bool not in kinds and numeric:
        return f"expected a number, got {shown(value)}"
    return None


class NoTextNumbers(BaseModel):
    """A model whose number (and true/false) fields refuse text, and numbers refuse booleans."""

    @field_validator("*", mode="before")
    @classmethod
    def _no_text_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        if info.field_name is None:
            return value
        annotation = cls.model_fields[info.field_name].annotation
        problem = _wrong(value, *_scalars(annotation))
        if problem is None and isinstance(value, (list, tuple)):
            kinds, words = _items(annotation)
            problem = next((p for v in value if (p := _wrong(v, kinds, words))), None)
        if problem is not None:
            raise ValueError(problem)
        return value


class FileModel(NoTextNumbers):
    """A table of a file users write: frozen, unknown keys are errors, numbers stay numbers."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class _Written(float):
    """A float that is not finite, with the text it was written as (``1e400``, ``-inf``)."""

    text: str


def parse_float(text: str) -> float:
    """``float(text)`` for ``tomllib.loads(parse_float=...)``, remembering how a non-finite
    number was written so that the message can quote it."""
    value = float(text)
    if math.isfinite(value):
        return value
    out = _Written(value)
    out.text = text
    return out


def non_finite(doc: Mapping[str, Any]) -> tuple[str, str] | None:
    """The dotted key and the written form of the first number in ``doc`` that is infinite or
    not a number, or None. Walks without recursion, so any nesting depth is fine."""
    stack: list[tuple[str, Any]] = [("", doc)]
    while stack:
        key, value = stack.pop()
        if isinstance(value, float) and not math.isfinite(value):
            return key, getattr(value, "text", repr(value))
        items: Any = ()
        if isinstance(value, Mapping):
            items = value.items()
        elif isinstance(value, (list, tuple)):
            items = enumerate(value)
        stack.extend(reversed([(f"{key}.{k}" if key else str(k), v) for k, v in items]))
    return None


_KIND = {
    "dict_type": "a table, such as [name] or { key = value }",
    "model_type": "a table, such as [name] or { key = value }",
    "model_attributes_type": "a table, such as [name] or { key = value }",
    "list_type": "a list in brackets, such as [1, 2]",
    "tuple_type": "a list in brackets, such as [1, 2]",
    "string_type": "text in quotes",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
}
_BOUND = {
    "greater_than": ("above", "gt"),
    "greater_than_equal": ("at least", "ge"),
    "less_than": ("below", "lt"),
    "less_than_equal": ("at most", "le"),
}


def plain(err: ErrorDetails) -> str:
    """One pydantic error in plain words, quoting the value found (no class or type names)."""
    kind, ctx = err["type"], err.get("ctx") or {}
    got = f", got {shown(err['input'])}" if "input" in err else ""
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "missing":
        where = err["loc"][-1] if err["loc"] else None
        if isinstance(where, int):  # a position of a fixed-length list, such as [low, high]
            return f"item {where + 1} of the list is missing"
        return "required key is missing"
    if kind in _KIND:
        return f"expected {_KIND[kind]}{got}"
    if kind in _BOUND:
        word, bound = _BOUND[kind]
        limit = ctx[bound]
        return (
            f"must be {word} {limit:g}{got}"
            if isinstance(limit, float)
            else f"must be {word} {limit}{got}"
        )
    if kind in ("too_short", "too_long"):
        word, n = (
            ("at least", ctx["min_length"])
            if kind == "too_short"
            else ("at most", ctx["max_length"])
        )
        return f"needs {word} {n} item{'s' if n != 1 else ''}, got {ctx['actual_length']}"
    if kind == "literal_error":
        return f"expected {ctx['expected']}{got}"
    if kind == "string_pattern_mismatch":
        return f"is not a valid code (a letter, then letters, digits, _ or -){got}"
    return str(err["msg"]).removeprefix("Value error, ").replace("Input should be", "expected")
