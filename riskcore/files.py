"""The files users write, before any one format: reading TOML, choosing a method by name, and
turning a validation error into a message that names the file and the key.

The index file (:mod:`riskcore.spec`), the uncertain assumptions (:mod:`riskcore.assumptions`)
and scenarios (:mod:`riskcore.analysis`) build on these.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

from pydantic import BeforeValidator, ConfigDict, Field, ValidationError

from riskcore._compat import tomllib
from riskcore._strict import FileModel, non_finite, parse_float, plain
from riskcore._text import not_utf8, shown
from riskcore.errors import SpecError, read_input

__all__ = [
    "Method",
    "MethodChoice",
    "first_error",
    "key_of",
    "method_choice",
    "read_toml",
    "toml_document",
]


class MethodChoice(FileModel):
    """A method chosen by name, with its parameters.

    In the file either a bare name, ``"geometric"``, or a table with ``method`` and the method's
    parameters side by side, ``{ method = "goalpost", lower = 0, upper = 50 }``. The parameters
    are checked against the method when the index is compiled.
    """

    model_config = ConfigDict(extra="allow", frozen=True)

    method: str = Field(description="the method's registered name")

    @property
    def params(self) -> dict[str, Any]:
        """The parameters, without ``method``."""
        return dict(self.model_extra or {})


def method_choice(value: Any) -> Any:
    """A method given by name alone (``"geometric"``) as the table ``{method = ...}``."""
    if isinstance(value, str):
        return {"method": value}
    return value


Method = Annotated[MethodChoice, BeforeValidator(method_choice)]


def key_of(loc: tuple[int | str, ...]) -> str:
    """A pydantic error location as a dotted key path, without pydantic's own union labels."""
    parts = [str(p) for p in loc if not str(p).startswith("function-")]
    # pydantic names union branches ("list[str]", "dict[str,float]"); drop them
    parts = [p for p in parts if not p.startswith(("list[", "dict[", "tuple["))]
    return ".".join(parts)


def read_toml(path: str | Path, what: str) -> str:
    """The text of a TOML input file; :class:`SpecError` naming the file when it cannot be read."""
    raw = read_input(path, SpecError, what)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, problem = not_utf8(raw, exc)
        raise SpecError(
            f"line {line}: {problem}; save it as UTF-8 (most editors offer it under Save As)",
            path=str(path),
        ) from None


def toml_document(data: Mapping[str, Any] | str, path: str | None) -> dict[str, Any]:
    """TOML text parsed (or a mapping taken as it is); :class:`SpecError` for bad TOML, for a
    document nested too deeply to read, and for a number that is not finite (``inf``, ``nan``,
    ``1e400``) anywhere in it, naming its key."""
    if not isinstance(data, str):
        doc = dict(data)
    else:
        try:
            doc = tomllib.loads(data, parse_float=parse_float)
        except tomllib.TOMLDecodeError as exc:
            raise SpecError(f"invalid TOML: {exc}", path=path) from None
        except RecursionError:
            raise SpecError(
                "invalid TOML: arrays or tables nested too deeply to read", path=path
            ) from None
    bad = non_finite(doc)
    if bad is not None:
        key, written = bad
        raise SpecError(
            f"{shown(written)} is not a finite number; infinite and not-a-number values are not "
            "accepted (write the number itself)",
            path=path,
            key=key,
        )
    return doc


def first_error(exc: ValidationError, table: str, path: str | None) -> SpecError:
    """The first problem of a validation error, as a :class:`SpecError` under ``[table]``."""
    errors = exc.errors()
    err = errors[0]
    key = ".".join([table, *filter(None, [key_of(tuple(err["loc"]))])])
    message = plain(err)
    if len(errors) > 1:
        message += f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
    return SpecError(message, path=path, key=key)
