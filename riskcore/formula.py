"""Formulas of derived variables: a small whitelisted language parsed into numpy operations.

``[variables.NAME] formula = "..."`` in an index file defines a variable from others, as
published indices define theirs in spreadsheets. The language has numbers, variable names,
``+ - * /``, powers (``^`` or ``**``), comparisons (``< <= > >= == !=``, giving 1 or 0),
parentheses, and the functions

``min(a, b, ...)``, ``max(a, b, ...)``, ``where(c, a, b)``, ``log(x)``, ``log10(x)``,
``sqrt(x)``, ``abs(x)``, ``isnan(x)`` and ``lag(x, k)`` (the value ``k`` years earlier).

A formula is parsed once, by a recursive-descent parser over its own tokens: nothing is passed
to ``eval``, no Python object is reached, and every error gives the column where it was found.
Evaluation is elementwise over a ``(countries, years)`` array. A missing input makes the result
missing (``isnan`` and the branch ``where`` does not take are the only ways around it); a result
that is not finite where every input it used is present (a division by zero, the log of a
negative number) is reported as an error, never turned into a missing value.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["Formula", "FormulaError", "parse_formula"]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

_TOKEN = re.compile(
    r"\s*(?:(?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op>\*\*|<=|>=|==|!=|[-+*/^(),<>]))"
)
_UNARY: dict[str, Callable[[Any], Any]] = {
    "log": np.log,
    "log10": np.log10,
    "sqrt": np.sqrt,
    "abs": np.abs,
}
_BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "+": np.add,
    "-": np.subtract,
    "*": np.multiply,
    "/": np.divide,
    "^": np.power,
    "<": np.less,
    "<=": np.less_equal,
    ">": np.greater,
    ">=": np.greater_equal,
    "==": np.equal,
    "!=": np.not_equal,
}
_ARITY = {**dict.fromkeys(_UNARY, 1), "isnan": 1, "where": 3, "lag": 2, "min": -1, "max": -1}
FUNCTIONS = tuple(_ARITY)
"""The functions a formula may call."""


class FormulaError(ValueError):
    """A formula that cannot be parsed, with the 1-based ``column`` of the problem."""

    def __init__(self, message: str, column: int) -> None:
        super().__init__(f"column {column}: {message}")
        self.column = column


@dataclass(frozen=True)
class _Node:
    kind: str  # num, var, op, call
    column: int
    value: float = 0.0
    name: str = ""
    args: tuple[_Node, ...] = ()


class _Parser:
    """Recursive descent: comparison > sum > product > sign > power > atom."""

    def __init__(self, text: str) -> None:
        self.tokens: list[tuple[str, str, int]] = []
        pos = 0
        while pos < len(text):
            m = _TOKEN.match(text, pos)
            if m is None or m.end() == pos:
                if text[pos:].strip() == "":
                    break
                col = pos + len(text[pos:]) - len(text[pos:].lstrip()) + 1
                raise FormulaError(f"unexpected character {text[col - 1]!r}", col)
            kind = m.lastgroup or "op"
            self.tokens.append((kind, m.group(kind), m.start(kind) + 1))
            pos = m.end()
        self.tokens.append(("end", "", len(text) + 1))
        self.i = 0

    def peek(self) -> tuple[str, str, int]:
        return self.tokens[self.i]

    def take(self, *ops: str) -> tuple[str, str, int] | None:
        kind, text, col = self.tokens[self.i]
        if kind == "op" and text in ops:
            self.i += 1
            return kind, text, col
        return None

    def expect(self, op: str) -> None:
        if self.take(op) is None:
            kind, text, col = self.peek()
            found = "the end of the formula" if kind == "end" else repr(text)
            raise FormulaError(f"expected {op!r}, found {found}", col)

    def formula(self) -> _Node:
        node = self.comparison()
        kind, text, col = self.peek()
        if kind != "end":
            raise FormulaError(f"unexpected {text!r} after a complete expression", col)
        return node

    def comparison(self) -> _Node:
        left = self.sum()
        tok = self.take("<", "<=", ">", ">=", "==", "!=")
        if tok is None:
            return left
        node = _Node("op", tok[2], name=tok[1], args=(left, self.sum()))
        again = self.take("<", "<=", ">", ">=", "==", "!=")
        if again is not None:
            raise FormulaError("comparisons do not chain; write min/max or where", again[2])
        return node

    def sum(self) -> _Node:
        node = self.product()
        while (tok := self.take("+", "-")) is not None:
            node = _Node("op", tok[2], name=tok[1], args=(node, self.product()))
        return node

    def product(self) -> _Node:
        node = self.sign()
        while (tok := self.take("*", "/")) is not None:
            node = _Node("op", tok[2], name=tok[1], args=(node, self.sign()))
        return node

    def sign(self) -> _Node:
        tok = self.take("-", "+")
        if tok is None:
            return self.power()
        inner = self.sign()
        if tok[1] == "+":
            return inner
        return _Node("op", tok[2], name="-", args=(_Node("num", tok[2]), inner))

    def power(self) -> _Node:
        base = self.atom()
        tok = self.take("^", "**")
        if tok is None:
            return base
        return _Node("op", tok[2], name="^", args=(base, self.sign()))  # right-associative

    def atom(self) -> _Node:
        kind, text, col = self.peek()
        if kind == "number":
            self.i += 1
            return _Node("num", col, value=float(text))
        if kind == "name":
            self.i += 1
            if self.take("(") is None:
                if text in _ARITY:
                    raise FormulaError(f"function '{text}' needs arguments: {text}(...)", col)
                return _Node("var", col, name=text)
            if text not in _ARITY:
                allowed = ", ".join(FUNCTIONS)
                raise FormulaError(f"unknown function '{text}' (functions: {allowed})", col)
            args: list[_Node] = []
            if self.take(")") is None:
                args.append(self.comparison())
                while self.take(",") is not None:
                    args.append(self.comparison())
                self.expect(")")
            return self.call(text, col, args)
        if self.take("(") is not None:
            node = self.comparison()
            self.expect(")")
            return node
        found = "the end of the formula" if kind == "end" else repr(text)
        raise FormulaError(f"expected a number, a variable or '(', found {found}", col)

    def call(self, name: str, col: int, args: list[_Node]) -> _Node:
        arity = _ARITY[name]
        if (arity >= 0 and len(args) != arity) or (arity < 0 and len(args) < 2):
            want = f"{arity} argument{'s' if arity != 1 else ''}" if arity >= 0 else "2 or more"
            raise FormulaError(f"{name}() takes {want}, got {len(args)}", col)
        if name == "lag":
            k = args[1]
            if k.kind != "num" or k.value != int(k.value) or k.value < 0:
                raise FormulaError("lag(x, k) needs k as a whole number of years >= 0", k.column)
        return _Node("call", col, name=name, args=tuple(args))


@dataclass(frozen=True)
class Formula:
    """A parsed formula.

    Attributes
    ----------
    text : str
        The formula as written.
    names : tuple of str
        The variables it reads, in order of first appearance.
    calls : tuple of str
        The functions it calls (``lag`` makes a year's value depend on earlier years).
    """

    text: str
    names: tuple[str, ...]
    _root: _Node
    calls: tuple[str, ...] = ()

    def column_of(self, name: str) -> int:
        """The 1-based column where ``name`` first appears."""

        def find(node: _Node) -> int | None:
            if node.kind == "var" and node.name == name:
                return node.column
            for arg in node.args:
                found = find(arg)
                if found is not None:
                    return found
            return None

        return find(self._root) or 1

    def evaluate(
        self, lookup: Callable[[str], FloatArray], years: Sequence[int]
    ) -> tuple[FloatArray, BoolArray]:
        """The formula over ``(countries, years)`` arrays.

        Parameters
        ----------
        lookup : callable
            ``lookup(name)`` gives a variable's values, NaN for missing.
        years : sequence of int
            The years of the last axis, for ``lag``.

        Returns
        -------
        values : ndarray
            NaN where an input the formula uses is missing.
        undefined : ndarray of bool
            Where every input is present but the result is not finite (division by zero, log
            of a non-positive number): the caller reports these.
        """
        index = {int(y): t for t, y in enumerate(years)}
        value, missing = _evaluate(self._root, lookup, index)
        with np.errstate(invalid="ignore"):
            value = np.asarray(value, dtype=np.float64)
        shape = np.broadcast_shapes(np.shape(value), np.shape(missing))
        value, missing = np.broadcast_to(value, shape), np.broadcast_to(missing, shape)
        undefined = ~missing & ~np.isfinite(value)
        out: FloatArray = np.where(missing | undefined, np.nan, value)
        return out, np.asarray(undefined)


def _evaluate(node: _Node, lookup: Callable[[str], FloatArray], index: dict[int, int]) -> Any:
    """(value, missing) of a node; scalars stay scalars until they meet an array."""
    if node.kind == "num":
        return np.float64(node.value), np.False_
    if node.kind == "var":
        x = np.asarray(lookup(node.name), dtype=np.float64)
        return x, np.isnan(x)
    parts = [_evaluate(a, lookup, index) for a in node.args]
    with np.errstate(all="ignore"):
        if node.kind == "op":
            (a, ma), (b, mb) = parts
            return _BINARY[node.name](a, b) * 1.0, ma | mb
        name = node.name
        if name in _UNARY:
            a, ma = parts[0]
            return _UNARY[name](a), ma
        if name == "isnan":
            return parts[0][1] * 1.0, np.False_
        if name == "where":
            (c, mc), (a, ma), (b, mb) = parts
            take = c != 0
            return np.where(take, a, b), mc | np.where(take, ma, mb)
        if name in ("min", "max"):
            reduce = np.minimum if name == "min" else np.maximum
            value, missing = parts[0]
            for v, m in parts[1:]:
                value, missing = reduce(value, v), missing | m
            return value, missing
    # lag(x, k): the value k years earlier; missing where that year is not in the data
    (x, mx), (k, _) = parts
    shape = np.broadcast_shapes(np.shape(x), (1, len(index)))
    x, mx = np.broadcast_to(x, shape), np.broadcast_to(mx, shape)
    source = np.array([index.get(y - int(k), -1) for y in index])
    have = source >= 0
    value = np.where(have, x[..., np.maximum(source, 0)], np.nan)
    return value, np.where(have, mx[..., np.maximum(source, 0)], True)


def parse_formula(text: str) -> Formula:
    """Parse a formula.

    Parameters
    ----------
    text : str

    Returns
    -------
    Formula

    Raises
    ------
    FormulaError
        A ValueError naming the column of the problem.

    Examples
    --------
    >>> f = parse_formula("where(x == 0, 0, log(x)) + lag(y, 1)")
    >>> f.names
    ('x', 'y')
    """
    if not text.strip():
        raise FormulaError("the formula is empty", 1)
    root = _Parser(text).formula()
    names: dict[str, None] = {}
    calls: dict[str, None] = {}

    def collect(node: _Node) -> None:
        if node.kind in ("var", "call"):
            (names if node.kind == "var" else calls).setdefault(node.name, None)
        for arg in node.args:
            collect(arg)

    collect(root)
    return Formula(text, tuple(names), root, tuple(calls))
