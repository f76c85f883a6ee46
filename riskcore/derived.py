"""Derived variables: ``[variables.NAME] formula = "..."`` of an index file, computed from the data.

The formulas are parsed by :mod:`riskcore.formula`. Here they are put in an order in which each
one's inputs come first (a cycle is an error naming the key), checked against the data's
variables, and evaluated into a panel that holds the data and the derived variables, which
leaves, denominators and plugin indicators then read like any other variable. A derived value's
provenance is that of its inputs: :func:`expand` turns derived names into the data variables
behind them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from riskcore.errors import SpecError
from riskcore.formula import Formula, FormulaError, parse_formula
from riskcore.panel import Panel

__all__ = ["DerivedVariable", "compile_derived", "expand", "with_derived"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class DerivedVariable:
    """A derived variable, compiled.

    Attributes
    ----------
    name : str
    formula : Formula
    unit : str or None
    inputs : tuple of str
        The data variables it rests on, through other derived variables too: its provenance.
    """

    name: str
    formula: Formula
    unit: str | None
    inputs: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: formula, unit and inputs (``riskcore score --format json``)."""
        return {"formula": self.formula.text, "unit": self.unit, "inputs": list(self.inputs)}


def _key(name: str) -> str:
    return f"variables.{name}.formula"


def compile_derived(
    sections: Mapping[str, Any],
    *,
    known: Collection[str] | None,
    path: str | None,
) -> tuple[DerivedVariable, ...]:
    """The ``[variables]`` tables in an order where every input comes first.

    Parameters
    ----------
    sections : mapping of name to VariableSection
    known : collection of str, optional
        The data's variables; when given, every name a formula reads must be one of them or a
        derived variable, and no derived variable may share a data variable's name.
    path : str, optional
        The index file, for messages.

    Raises
    ------
    SpecError
        Naming ``variables.NAME.formula`` (and the column in the formula) for an unknown name
        or a cycle, ``variables.NAME`` for a name the data already have.
    """
    formulas: dict[str, Formula] = {}
    for name, section in sections.items():
        try:
            formulas[name] = parse_formula(section.formula)
        except FormulaError as exc:
            raise SpecError(str(exc), path=path, key=_key(name)) from None
        if known is not None and name in known:
            raise SpecError(
                f"the data already have a variable '{name}'; give the derived one another name",
                path=path,
                key=f"variables.{name}",
            )
        if known is not None:
            for used in formulas[name].names:
                if used not in known and used not in sections:
                    raise SpecError(
                        f"column {formulas[name].column_of(used)}: '{used}' is not a variable "
                        "in the data nor a [variables] entry",
                        path=path,
                        key=_key(name),
                    )
    order: list[str] = []
    state: dict[str, str] = {}

    def visit(name: str, chain: list[str]) -> None:
        if state.get(name) == "done":
            return
        if state.get(name) == "open":
            loop = " -> ".join([*chain[chain.index(name) :], name])
            raise SpecError(f"the formulas form a cycle: {loop}", path=path, key=_key(chain[0]))
        state[name] = "open"
        for used in formulas[name].names:
            if used in formulas:
                visit(used, [*chain, name] if chain else [name])
        state[name] = "done"
        order.append(name)

    for name in formulas:
        visit(name, [])
    out: list[DerivedVariable] = []
    done: dict[str, DerivedVariable] = {}
    for name in order:
        inputs = expand(formulas[name].names, done)
        done[name] = DerivedVariable(name, formulas[name], sections[name].unit, inputs)
        out.append(done[name])
    return tuple(out)


def expand(names: Iterable[str], derived: Mapping[str, DerivedVariable]) -> tuple[str, ...]:
    """``names`` with every derived variable replaced by the data variables behind it."""
    out: dict[str, None] = {}
    for name in names:
        for v in derived[name].inputs if name in derived else (name,):
            out.setdefault(v, None)
    return tuple(out)


def with_derived(
    derived: Iterable[DerivedVariable], panel: Panel, *, path: str | None
) -> tuple[Panel, dict[str, FloatArray]]:
    """The panel with the derived variables added, and their values.

    Raises
    ------
    SpecError
        Naming ``variables.NAME.formula`` and the first country-year where a formula has no
        finite value although its inputs are present (a division by zero, the log of a
        non-positive number), or a variable the data do not have.
    """
    values: dict[str, FloatArray] = {}

    def lookup(name: str) -> FloatArray:
        return values[name] if name in values else panel[name]

    for d in derived:
        missing = [v for v in d.formula.names if v not in values and v not in panel]
        if missing:
            raise SpecError(
                f"column {d.formula.column_of(missing[0])}: '{missing[0]}' is not a variable "
                "in the data nor a [variables] entry",
                path=path,
                key=_key(d.name),
            )
        result, undefined = d.formula.evaluate(lookup, panel.years)
        if undefined.any():
            c, t = (int(a[0]) for a in np.nonzero(undefined))
            raise SpecError(
                f"the formula has no finite value for {' '.join(panel.cell_labels(c, t))} "
                "although its inputs are present (a division by zero, or the log or square "
                "root of a number out of its domain?); guard it with where(...)",
                path=path,
                key=_key(d.name),
            )
        values[d.name] = np.broadcast_to(result, (len(panel.countries), len(panel.years)))
    if not values:
        return panel, values
    extended = dataclasses.replace(
        panel,
        values=np.concatenate([panel.values, np.stack(list(values.values()))]),
        variables=(*panel.variables, *values),
        units={**panel.units, **{d.name: d.unit for d in derived}},
        estimates=None,
    )
    return extended, values
