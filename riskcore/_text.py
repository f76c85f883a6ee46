"""How messages show what a user's file holds: quoted values, encodings, separators, quotes.

Standard library only, so that the data readers need nothing more to explain a bad file.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping, Sequence
from typing import Any

from riskcore.errors import DataError

__all__ = ["csv_error", "decode_csv", "finite_number", "not_utf8", "separator_hint", "shown"]


def shown(value: Any) -> str:
    """A value as a message quotes it: text in quotes with invisible characters escaped
    (``'1\\u200b0'``), true/false as in TOML, other values as Python writes them."""
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Mapping):
        return "a table"
    return repr(value)


def not_utf8(raw: bytes, exc: UnicodeDecodeError) -> tuple[int, str]:
    """The line (1-based) and the words for the first byte of ``raw`` that is not UTF-8."""
    byte = raw[exc.start : exc.start + 1].hex()
    return raw[: exc.start].count(
        b"\n"
    ) + 1, f"the file is not UTF-8 text (byte 0x{byte} cannot be read)"


def decode_csv(raw: bytes, path: str) -> str:
    """The text of a CSV file; for one that is not UTF-8, a :class:`DataError` naming the line
    and the byte, and saying how to export the file as UTF-8."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, what = not_utf8(raw, exc)
        raise DataError(
            f'{what}; save it again as "CSV UTF-8" (in Excel: File > Save As > CSV UTF-8), '
            "or convert it to UTF-8",
            path=path,
            line=line,
        ) from None


def finite_number(raw: Any) -> float:
    """A cell as a finite float; ``ValueError`` saying what is wrong ("is not a number", "is
    infinite or too large") otherwise. Text with ``_`` (``1_000``) is refused, although Python's
    ``float`` reads it; booleans are not numbers."""
    if isinstance(raw, bool):
        raise ValueError("is not a number")
    if isinstance(raw, str):
        if "_" in raw:
            raise ValueError("is not a number")
        try:
            value = float(raw)
        except ValueError:
            raise ValueError("is not a number") from None
    else:
        try:
            value = float(raw)
        except (TypeError, ValueError):
            raise ValueError("is not a number") from None
    if math.isinf(value):
        raise ValueError("is infinite or too large (beyond about 1.8e308)")
    return value


_SEPARATORS = {";": "semicolons", "\t": "tabs", "|": "vertical bars"}


def separator_hint(header: Sequence[str]) -> str:
    """``"; the file seems to be separated by semicolons ..."`` when a header that has no
    ``country`` column is one field holding another separator; else ``""``."""
    if len(header) != 1:
        return ""
    for sep, name in _SEPARATORS.items():
        if sep in header[0] and "country" in header[0].lower():
            return (
                f"; the header {shown(header[0])} seems to be separated by {name} ({sep!r}), "
                "but riskcore reads comma-separated files: export the file as CSV with commas "
                '("CSV UTF-8" in Excel)'
            )
    return ""


def csv_error(exc: csv.Error, path: str, start: int, line: int) -> DataError:
    """A :class:`DataError` for what Python's CSV reader refused: a quote that never closes
    is reported at the line where it opened."""
    text = str(exc)
    if "end of data" in text or "EOF inside string" in text:
        return DataError(
            'a quoted field opens on this line and never closes (a " without its closing "); '
            f"the file ends inside it, on line {line}",
            path=path,
            line=start,
        )
    return DataError(f"malformed CSV ({text})", path=path, line=line)
