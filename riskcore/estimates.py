"""Estimates as data: each value's range, standard error and kind.

A value in a data file is an observation, an estimate, an expert judgement or a value imputed by
its producer (its *kind*). It may carry a range (``low``, ``high``) or a standard error (``se``).
A value given only as a range takes the midpoint as its nominal value, and is flagged
(:attr:`Estimates.from_range`). :class:`Estimates` holds these per value, aligned with
:attr:`riskcore.Panel.values`; the readers (:func:`riskcore.read_data`,
:func:`riskcore.read_frame`) fill it from

- long files: optional columns ``low``, ``high``, ``se`` and ``kind`` beside ``value``;
- wide files and DataFrames: columns ``<variable>__low``, ``<variable>__high``,
  ``<variable>__se`` and ``<variable>__kind`` beside the variable's own column.

Bad estimates (``low > high``, a nominal value outside its own range, a negative SE, only one
end of a range, a range and an SE on one value, an unknown kind) are errors naming the file and
the line. The Monte Carlo of :mod:`riskcore.intervals` draws each ranged value uniformly in its
range and each value with an SE from a normal distribution.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from riskcore.errors import DataError

__all__ = [
    "ESTIMATE_COLUMNS",
    "KINDS",
    "WIDE_SEPARATOR",
    "EstimateCells",
    "Estimates",
    "wide_columns",
]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

KINDS: tuple[str, ...] = ("observed", "estimate", "expert", "imputed")
"""The kinds of value, in code order: ``Estimates.kind`` holds positions in this tuple."""

ESTIMATE_COLUMNS: tuple[str, ...] = ("low", "high", "se", "kind")
"""The optional per-value columns of a long file (suffixes ``__low`` ... of a wide file)."""

WIDE_SEPARATOR = "__"
"""Between a variable's name and the estimate column's name in a wide file: ``gdp__low``."""


@dataclass(frozen=True, eq=False)
class Estimates:
    """Per-value ranges, standard errors and kinds, aligned with a panel's values.

    Every array has the panel's shape ``(variables, countries, years)``.

    Parameters
    ----------
    low, high : ndarray of float
        The range of each value; NaN where the value has none.
    se : ndarray of float
        The standard error of each value; NaN where it has none.
    kind : ndarray of int8
        Position in :data:`KINDS` (0 ``observed`` where nothing is said).
    from_range : ndarray of bool
        True where the nominal value is the midpoint of a range (no likely value was stated).
    """

    low: FloatArray
    high: FloatArray
    se: FloatArray
    kind: NDArray[np.int8]
    from_range: BoolArray

    def __post_init__(self) -> None:
        arrays: dict[str, NDArray[Any]] = {
            "low": np.array(self.low, dtype=np.float64),
            "high": np.array(self.high, dtype=np.float64),
            "se": np.array(self.se, dtype=np.float64),
            "kind": np.array(self.kind, dtype=np.int8),
            "from_range": np.array(self.from_range, dtype=bool),
        }
        shape = arrays["low"].shape
        for name, arr in arrays.items():
            if arr.shape != shape:
                raise DataError(f"estimates: '{name}' has shape {arr.shape}, 'low' {shape}")
            arr.flags.writeable = False
            object.__setattr__(self, name, arr)
        if np.any(np.isnan(arrays["low"]) != np.isnan(arrays["high"])):
            raise DataError("estimates: a range needs both 'low' and 'high'")
        with np.errstate(invalid="ignore"):
            if np.any(arrays["low"] > arrays["high"]):
                raise DataError("estimates: 'low' is above 'high'")
            if np.any(arrays["se"] < 0):
                raise DataError("estimates: a standard error is negative")
        if np.any((arrays["kind"] < 0) | (arrays["kind"] >= len(KINDS))):
            raise DataError(f"estimates: 'kind' must be a position in {list(KINDS)}")

    @classmethod
    def empty(cls, shape: tuple[int, ...]) -> Estimates:
        """No range, no SE, every value observed."""
        nan = np.full(shape, np.nan)
        return cls(nan, nan, nan, np.zeros(shape, np.int8), np.zeros(shape, bool))

    @property
    def ranged(self) -> BoolArray:
        """Where a value has a range or a standard error."""
        out: BoolArray = ~np.isnan(self.low) | ~np.isnan(self.se)
        return out

    @property
    def shape(self) -> tuple[int, ...]:
        """The shape of every array, ``(variables, countries, years)``."""
        return tuple(self.low.shape)

    def repeated(self, times: int) -> Estimates:
        """These estimates with the countries repeated ``times`` times, in order: the layout of
        Monte Carlo runs side by side (:func:`riskcore.batched.runs_as_countries`). Each array
        is built when first read (a plugin rarely reads them, and they are large).

        Parameters
        ----------
        times : int

        Returns
        -------
        Estimates
        """
        return _Repeated(self, times)

    def is_kind(self, name: str) -> BoolArray:
        """Where the values are of kind ``name`` (one of :data:`KINDS`)."""
        out: BoolArray = self.kind == KINDS.index(name)
        return out

    def subset(self, countries: Sequence[int] | None, years: Sequence[int] | None) -> Estimates:
        """The estimates of some countries and years (positions), in the order given."""
        arrays: list[NDArray[Any]] = [self.low, self.high, self.se, self.kind, self.from_range]
        if countries is not None:
            arrays = [a[:, list(countries), :] for a in arrays]
        if years is not None:
            arrays = [a[:, :, list(years)] for a in arrays]
        return Estimates(*arrays)

    def describe(self, index: tuple[int, int, int]) -> dict[str, Any]:
        """One value's estimate as JSON: ``kind``, and ``low``/``high``/``se`` where given, and
        ``from_range`` when the nominal value is the range's midpoint."""
        out: dict[str, Any] = {"kind": KINDS[int(self.kind[index])]}
        if not math.isnan(self.low[index]):
            out["low"], out["high"] = float(self.low[index]), float(self.high[index])
        if not math.isnan(self.se[index]):
            out["se"] = float(self.se[index])
        if self.from_range[index]:
            out["from_range"] = True
        return out


_ARRAYS = ("low", "high", "se", "kind", "from_range")


class _Repeated(Estimates):
    """:meth:`Estimates.repeated`: each array tiled from the base estimates when first read
    (they were validated there)."""

    def __init__(self, base: Estimates, times: int) -> None:  # not the dataclass's: no arrays
        object.__setattr__(self, "_base", base)
        object.__setattr__(self, "_times", int(times))

    @property
    def shape(self) -> tuple[int, ...]:
        v, c, y = self.__dict__["_base"].shape
        return (v, c * self.__dict__["_times"], y)

    def __getattr__(self, name: str) -> Any:  # only for what is not set yet: the arrays
        if name not in _ARRAYS or "_base" not in self.__dict__:
            raise AttributeError(name)
        array = np.tile(getattr(self.__dict__["_base"], name), (1, self.__dict__["_times"], 1))
        array.flags.writeable = False
        object.__setattr__(self, name, array)
        return array


class EstimateCells:
    """Validates the estimate columns of each row while a file is read, then builds
    :class:`Estimates`.

    Parameters
    ----------
    fail : callable
        ``fail(message, line) -> DataError`` naming the file.
    number : callable
        ``number(raw, line, what) -> float`` (NaN for an empty cell), the reader's own parser.
    """

    def __init__(
        self,
        fail: Callable[[str, int | None], DataError],
        number: Callable[[Any, int, str], float],
    ) -> None:
        self.fail, self.number = fail, number
        self.cells: dict[tuple[str, str, int], tuple[float, float, float, int, bool]] = {}

    def add(
        self,
        key: tuple[str, str, int],
        value: float,
        raw: Mapping[str, Any],
        line: int,
    ) -> float:
        """Check one value's estimate columns (``raw``: column name to cell) and keep them.

        Returns
        -------
        float
            The nominal value: ``value``, or the midpoint of the range when no value is given.
        """
        variable = key[0]
        if not any(_given(v) for v in raw.values()):
            return value
        what = f"for variable '{variable}'"
        low, high, se = (
            self.number(raw.get(name), line, f"{variable}' column '{name}")
            for name in ("low", "high", "se")
        )
        kind_text = raw.get("kind")
        kind = 0
        if _given(kind_text):
            name = str(kind_text).strip().lower()
            if name not in KINDS:
                raise self.fail(
                    f"kind '{str(kind_text).strip()}' {what} is not one of {', '.join(KINDS)}",
                    line,
                )
            kind = KINDS.index(name)
        if math.isnan(low) != math.isnan(high):
            given, absent = ("low", "high") if math.isnan(high) else ("high", "low")
            raise self.fail(
                f"{given} is given {what} but {absent} is not; a range needs both", line
            )
        ranged = not math.isnan(low)
        if ranged and low > high:
            raise self.fail(f"low {low:g} is above high {high:g} {what}", line)
        if not math.isnan(se):
            if se < 0:
                raise self.fail(f"standard error {se:g} {what} is negative", line)
            if ranged:
                raise self.fail(
                    f"both a range and a standard error are given {what}; give one of them",
                    line,
                )
            if math.isnan(value):
                raise self.fail(f"a standard error is given {what} but no value", line)
        from_range = False
        if math.isnan(value):
            if not ranged:  # a kind alone on a missing value says nothing
                return value
            value, from_range = (low + high) / 2.0, True
        elif ranged and not low <= value <= high:
            raise self.fail(
                f"value {value:g} {what} is outside its own range [{low:g}, {high:g}]", line
            )
        self.cells[key] = (low, high, se, kind, from_range)
        return value

    def build(
        self,
        shape: tuple[int, int, int],
        position: Callable[[tuple[str, str, int]], tuple[int, int, int]],
    ) -> Estimates | None:
        """The estimates of the panel (None when no value had any), ``position`` mapping a
        ``(variable, country, year)`` key to its place in the array."""
        if not self.cells:
            return None
        low, high, se = (np.full(shape, np.nan) for _ in range(3))
        kind = np.zeros(shape, np.int8)
        from_range = np.zeros(shape, bool)
        for key, (lo, hi, s, k, mid) in self.cells.items():
            at = position(key)
            low[at], high[at], se[at], kind[at], from_range[at] = lo, hi, s, k, mid
        return Estimates(low, high, se, kind, from_range)


def _given(cell: Any) -> bool:
    if cell is None or (isinstance(cell, float) and math.isnan(cell)):
        return False
    return str(cell).strip().lower() not in ("", "na", "nan", "n/a")


def wide_columns(
    header: Sequence[str], skip: set[str], fail: Callable[[str, int | None], DataError]
) -> tuple[list[str], dict[str, dict[str, str]]]:
    """Split a wide header into variable columns and each variable's estimate columns.

    Returns
    -------
    (variables, estimates)
        The variable columns, and ``variable -> {"low": column, ...}``.
    """
    estimates: dict[str, dict[str, str]] = {}
    variables = []
    names = set(header)
    for column in header:
        if column in ("country", "year") or column in skip:
            continue
        base, sep, suffix = column.rpartition(WIDE_SEPARATOR)
        if sep and suffix.lower() in ESTIMATE_COLUMNS:
            if base not in names:
                raise fail(
                    f"column '{column}' is an estimate column ('{suffix}') of variable '{base}', "
                    "which has no column of its own",
                    1,
                )
            estimates.setdefault(base, {})[suffix.lower()] = column
        else:
            variables.append(column)
    return variables, estimates
