"""Indicators: what a plugin computes from the data, and the decorator that makes one.

An :class:`Indicator` is a named, documented function of the data panel. It is also a
registrable plugin on its own: an entry point may name an ``Indicator`` object directly, or a
module whose ``riskcore_indicators()`` hook returns several.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from riskcore.hookspecs import hookimpl

if TYPE_CHECKING:  # numpy is not needed to declare or list an indicator
    import numpy as np
    from numpy.typing import NDArray

    from riskcore.data import Panel

__all__ = ["Indicator", "indicator"]

_CODE = re.compile(r"^[a-z][a-z0-9_]*$")

ComputeFn = Callable[["Panel"], "NDArray[np.float64] | Any"]


@dataclass(frozen=True, eq=False)
class Indicator:
    """An indicator: a documented function of the data, with its direction.

    Parameters
    ----------
    code : str
        snake_case identifier, unique across plugins; the name used in index files.
    name : str
        Human-readable name.
    unit : str
        Unit of the values ``compute`` returns.
    higher_is_riskier : bool
        True when a higher value means more risk.
    requires : sequence of str
        Names of the data variables ``compute`` reads.
    compute : callable
        ``compute(data) -> array``: ``data[variable]`` is a float array of shape
        ``(n_countries, n_years)`` aligned with ``data.countries`` and ``data.years``, NaN for
        missing; the result has the same shape.
    description : str
        Definition of the indicator, one paragraph.
    source : str, optional
        Where the inputs come from.
    per_country : bool
        True when a country's values depend on that country's own inputs alone (any of its
        years, never another country's): ratios, sums, means of components, lags. The
        intervals' Monte Carlo then computes many runs in one call, the runs laid side by side
        as extra countries (:func:`riskcore.batched.runs_as_countries`); otherwise it calls
        ``compute`` once per run. Default False (always correct, slower). In that call ``data``
        has one row per run and country, runs outermost, and such an indicator may rely on:
        each row's ``data[variable]`` being that run's values of that country;
        ``data.countries`` giving each row its real code, so that each code appears once per
        run (look constants up row by row, ``[table[c] for c in data.countries]``; never by
        position, ``data.countries.index(c)``, nor through a dict from code to row);
        ``data.groups`` and ``data.estimates`` giving each row its country's labels and
        estimates; ``data.years``, ``data.variables``, ``data.country_names``, ``data.units``,
        ``data.provenance`` (and :meth:`~riskcore.Panel.source_of`) and ``data.path`` being
        those of the panel scored. Nothing else: no row may depend on another row's values.
        ``compute`` always sees the real years (the one-year intervals, which lay runs along
        the years, never run a plugin indicator). ``riskcore.testing.check_indicator`` checks
        the claim in this layout (rule ``per-country``).

    Examples
    --------
    >>> import riskcore
    >>> ind = riskcore.Indicator(code="gdp_pc", name="GDP per person", unit="US$",
    ...     higher_is_riskier=False, requires=("gdp", "population"),
    ...     compute=lambda d: d["gdp"] / d["population"])
    >>> ind.code
    'gdp_pc'
    """

    code: str
    name: str
    unit: str
    higher_is_riskier: bool
    requires: tuple[str, ...]
    compute: ComputeFn = field(repr=False)
    description: str = ""
    source: str | None = None
    per_country: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.code, str) or not _CODE.match(self.code):
            raise ValueError(
                f"indicator code {self.code!r} is not snake_case "
                "(lower-case letters, digits and underscores, starting with a letter)"
            )
        if not isinstance(self.higher_is_riskier, bool):
            raise TypeError(f"indicator '{self.code}': higher_is_riskier must be True or False")
        if not isinstance(self.per_country, bool):
            raise TypeError(f"indicator '{self.code}': per_country must be True or False")
        if isinstance(self.requires, str):
            raise TypeError(f"indicator '{self.code}': requires must be a list of variable names")
        object.__setattr__(self, "requires", tuple(self.requires))
        if not callable(self.compute):
            raise TypeError(f"indicator '{self.code}': compute must be callable")

    @hookimpl
    def riskcore_indicators(self) -> Iterable[Indicator]:
        """Register this indicator when the object itself is registered as a plugin."""
        return [self]


def indicator(
    *,
    code: str,
    name: str,
    unit: str,
    higher_is_riskier: bool,
    requires: Sequence[str],
    description: str | None = None,
    source: str | None = None,
    per_country: bool = False,
) -> Callable[[ComputeFn], Indicator]:
    """Turn a function ``f(data)`` into an :class:`Indicator`.

    Parameters
    ----------
    code, name, unit, higher_is_riskier, requires, source, per_country
        As for :class:`Indicator`.
    description : str, optional
        Defaults to the first paragraph of the function's docstring.

    Returns
    -------
    callable
        A decorator that returns the :class:`Indicator`.

    Examples
    --------
    >>> import riskcore
    >>> @riskcore.indicator(code="density", name="Population density", unit="persons per km2",
    ...                     higher_is_riskier=True, requires=["population", "area"])
    ... def density(data):
    ...     '''Residents per square kilometre.'''
    ...     return data["population"] / data["area"]
    >>> density.requires
    ('population', 'area')
    """

    def wrap(fn: ComputeFn) -> Indicator:
        doc = description
        if doc is None:
            doc = (fn.__doc__ or "").strip().split("\n\n")[0]
            doc = " ".join(doc.split())
        return Indicator(
            code=code,
            name=name,
            unit=unit,
            higher_is_riskier=higher_is_riskier,
            requires=cast("tuple[str, ...]", requires),  # __post_init__ checks and converts
            compute=fn,
            description=doc,
            source=source,
            per_country=per_country,
        )

    return wrap
