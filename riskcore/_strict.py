"""Numbers stay numbers: a base for the models of the files users write.

pydantic's lax mode turns ``"0.5"`` into 0.5 and ``true`` into 1.0; its strict mode also refuses
lists for tuples, tuples for lists and numpy integers. :class:`NoTextNumbers` keeps lax mode and
refuses only text and booleans where a number is expected (and text where true/false is), so
that a mistyped value is an error naming its key, as the docs say.
"""

from __future__ import annotations

import types
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator

__all__ = ["FileModel", "NoTextNumbers"]


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
        return "Input should be a valid number" if numeric else "Input should be true or false"
    if isinstance(value, bool) and bool not in kinds and numeric:
        return "Input should be a valid number, not true or false"
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
