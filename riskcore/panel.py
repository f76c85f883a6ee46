"""The data panel: a labelled ``variables x countries x years`` array with provenance.

A :class:`Panel` keeps the unit of each variable, the source and note of each value and, when
the data carry them, each value's range, standard error and kind
(:class:`~riskcore.estimates.Estimates`). The readers that build one are in :mod:`riskcore.data`.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from riskcore.countries import country_name
from riskcore.errors import DataError
from riskcore.estimates import Estimates
from riskcore.labels import country_position, year_position

if TYPE_CHECKING:
    import pandas as pd
    import xarray as xr

__all__ = ["Panel", "Provenance"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Provenance:
    """Where one value comes from.

    Attributes
    ----------
    variable, country, year
        The value's labels.
    unit : str or None
        The variable's unit.
    source, note : str or None
        As given in the data file for this value.
    file : str or None
        The file the value was read from.
    line : int or None
        The line of that file.
    estimate : dict or None
        When the data carry estimates: the value's kind, and its range or standard error
        (:meth:`riskcore.estimates.Estimates.describe`).
    """

    variable: str
    country: str
    year: int
    unit: str | None
    source: str | None
    note: str | None
    file: str | None
    line: int | None
    estimate: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: variable, unit, source, note and where in the file the value is (and the
        estimate, when the data carry estimates)."""
        out = {
            "variable": self.variable,
            "unit": self.unit,
            "source": self.source,
            "note": self.note,
            "line": self.line,
        }
        return out if self.estimate is None else {**out, "estimate": self.estimate}


@dataclass(frozen=True, eq=False)
class Panel:
    """A labelled ``variables x countries x years`` array with provenance.

    Build one with :func:`read_data` or :func:`read_frame`, or directly from arrays.
    ``panel[variable]`` is a read-only float array of shape ``(n_countries, n_years)``; NaN means
    missing.

    Parameters
    ----------
    values : ndarray, shape (n_variables, n_countries, n_years)
    variables : sequence of str
    countries : sequence of str
        ISO 3166-1 alpha-3 codes (or declared user-assigned codes).
    years : sequence of int
    units : mapping, optional
        Unit per variable.
    provenance : mapping, optional
        ``(variable, country, year) -> (source, note, line)``.
    path : str, optional
        Where the data were read from.
    country_names : mapping, optional
        Name per country code; defaults to the ISO 3166-1 names.
    groups : mapping, optional
        Group column (such as a region) to one label per country, in ``countries`` order;
        None where a country has no label. Used by group imputation.
    estimates : Estimates, optional
        Each value's range, standard error and kind (:mod:`riskcore.estimates`); None when
        the data say nothing of them (every value an observation without a range).
    """

    values: FloatArray
    variables: tuple[str, ...]
    countries: tuple[str, ...]
    years: tuple[int, ...]
    units: Mapping[str, str | None] = field(default_factory=dict)
    provenance: Mapping[tuple[str, str, int], tuple[str | None, str | None, int | None]] = field(
        default_factory=dict, repr=False
    )
    path: str | None = None
    country_names: Mapping[str, str] = field(default_factory=dict)
    groups: Mapping[str, tuple[str | None, ...]] = field(default_factory=dict)
    estimates: Estimates | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        values = np.array(self.values, dtype=np.float64)
        object.__setattr__(self, "variables", tuple(self.variables))
        object.__setattr__(self, "countries", tuple(self.countries))
        object.__setattr__(self, "years", tuple(int(y) for y in self.years))
        expected = (len(self.variables), len(self.countries), len(self.years))
        if values.shape != expected:
            raise DataError(
                f"values have shape {values.shape}, expected {expected} "
                "(variables x countries x years)",
                path=self.path,
            )
        for labels, what in ((self.variables, "variable"), (self._distinct_countries(), "country")):
            if len(set(labels)) != len(labels):
                raise DataError(f"repeated {what} label", path=self.path)
        if len(set(self.years)) != len(self.years):
            raise DataError("repeated year label", path=self.path)
        values.flags.writeable = False
        object.__setattr__(self, "values", values)
        object.__setattr__(self, "_index", {v: i for i, v in enumerate(self.variables)})
        names = {c: country_name(c, self.country_names) for c in self.countries}
        object.__setattr__(self, "country_names", names)
        groups = {str(g): tuple(labels) for g, labels in self.groups.items()}
        for g, group_labels in groups.items():
            if len(group_labels) != len(self.countries):
                raise DataError(
                    f"group column '{g}' has {len(group_labels)} labels for "
                    f"{len(self.countries)} countries",
                    path=self.path,
                )
        object.__setattr__(self, "groups", groups)
        if self.estimates is not None and self.estimates.shape != expected:
            raise DataError(
                f"estimates have shape {self.estimates.shape}, expected {expected}",
                path=self.path,
            )

    def _distinct_countries(self) -> tuple[str, ...]:
        """The country codes that must be distinct: all of them. A panel of Monte Carlo runs
        laid side by side (:func:`riskcore.batched.runs_as_countries`) holds each code once per
        run, checks that layout and returns the codes of one run."""
        return self.countries

    # -- access -----------------------------------------------------------------------------
    def cell_labels(self, row: int, t: int) -> tuple[str, str]:
        """How messages name the country and the year of a cell.

        Parameters
        ----------
        row, t : int
            The positions of the country and of the year.

        Returns
        -------
        (str, str)
            The country code and the year, such as ``("KAZ", "2020")``; a panel of Monte Carlo
            runs (:mod:`riskcore.batched`) adds the run to the one its runs are laid along
            (``("KAZ (run 3)", "2020")``).
        """
        return self.countries[row], str(self.years[t])

    def __getitem__(self, variable: str) -> FloatArray:
        index: dict[str, int] = self.__dict__["_index"]
        try:
            row: FloatArray = self.values[index[variable]]
            return row
        except KeyError:
            raise KeyError(
                f"variable '{variable}' is not in the data"
                + (f" ({self.path})" if self.path else "")
                + f"; variables present: {', '.join(self.variables)}"
            ) from None

    def __contains__(self, variable: object) -> bool:
        return variable in self.__dict__["_index"]

    def __iter__(self) -> Iterator[str]:
        return iter(self.variables)

    def __len__(self) -> int:
        return len(self.variables)

    @property
    def shape(self) -> tuple[int, int, int]:
        """``(n_variables, n_countries, n_years)``."""
        v, c, y = self.values.shape
        return (v, c, y)

    def source_of(self, variable: str, country: str, year: int) -> Provenance:
        """Return the provenance of one value.

        Parameters
        ----------
        variable, country, year
            The value's labels.

        Returns
        -------
        Provenance
        """
        source, note, line = self.provenance.get((variable, country, int(year)), (None, None, None))
        estimate = None
        if (
            self.estimates is not None
            and variable in self
            and country in self.countries
            and int(year) in self.years
        ):
            at = (
                self.variables.index(variable),
                self.countries.index(country),
                self.years.index(int(year)),
            )
            estimate = self.estimates.describe(at)
        return Provenance(
            variable=variable,
            country=country,
            year=int(year),
            unit=self.units.get(variable),
            source=source,
            note=note,
            file=self.path,
            line=line,
            estimate=estimate,
        )

    def observed(
        self, variables: Collection[str]
    ) -> Iterator[tuple[str, str, int, float, str | None, str | None, int | None]]:
        """Every value of ``variables`` that the data hold (not missing), in sorted order.

        Yields
        ------
        tuple
            ``(variable, country, year, value, source, note, line)``.
        """
        countries = {c: i for i, c in enumerate(self.countries)}
        years = {y: t for t, y in enumerate(self.years)}
        for (var, c, y), (source, note, line) in sorted(self.provenance.items()):
            if var in variables:
                value = float(self[var][countries[c], years[y]])
                if not math.isnan(value):
                    yield var, c, y, value, source, note, line

    def sources(self, variable: str | None = None) -> dict[str, int]:
        """Count the values per distinct source, for one variable or for all.

        Returns
        -------
        dict
            ``source -> number of values``; values without a source count under ``""``.
        """
        counts: dict[str, int] = {}
        for (var, _, _), (source, _, _) in self.provenance.items():
            if variable is None or var == variable:
                counts[source or ""] = counts.get(source or "", 0) + 1
        return counts

    def select(
        self, *, countries: Sequence[str] | None = None, years: Sequence[int] | None = None
    ) -> Panel:
        """Return the panel restricted to some countries and years, in the order given (with
        the provenance of the values kept)."""
        ci = None if countries is None else [country_position(self.countries, c) for c in countries]
        yi = None if years is None else [year_position(self.years, y) for y in years]
        values = self.values
        if ci is not None:
            values = values[:, ci, :]
        if yi is not None:
            values = values[:, :, yi]
        kept_c = tuple(self.countries[i] for i in ci) if ci is not None else self.countries
        kept_y = tuple(self.years[i] for i in yi) if yi is not None else self.years
        c_set, y_set = set(kept_c), set(kept_y)
        return Panel(
            values=values,
            variables=self.variables,
            countries=kept_c,
            years=kept_y,
            units=self.units,
            provenance={
                k: v for k, v in self.provenance.items() if k[1] in c_set and k[2] in y_set
            },
            path=self.path,
            country_names=self.country_names,
            groups={
                g: tuple(labels[i] for i in ci) if ci is not None else labels
                for g, labels in self.groups.items()
            },
            estimates=self.estimates.subset(ci, yi) if self.estimates is not None else None,
        )

    def to_frame(self) -> pd.DataFrame:
        """The values as a wide pandas DataFrame: one row per country and year, indexed by
        ``(country, year)``, one float column per variable (NaN for missing).
        :func:`riskcore.read_frame` reads it back into an equal panel.

        Returns
        -------
        pandas.DataFrame
        """
        from riskcore.frames import require

        pandas = require("pandas", "pandas", "Panel.to_frame")
        index = pandas.MultiIndex.from_product(
            [self.countries, self.years], names=["country", "year"]
        )
        flat = self.values.reshape(len(self.variables), -1).T
        frame: pd.DataFrame = pandas.DataFrame(flat, index=index, columns=list(self.variables))
        return frame

    def to_xarray(self) -> xr.DataArray:
        """The values as an xarray DataArray over ``(variable, country, year)`` (needs
        ``pip install riskcore[xarray]``); units in ``attrs``."""
        from riskcore.frames import require

        xa = require("xarray", "xarray", "Panel.to_xarray")
        out: xr.DataArray = xa.DataArray(
            np.array(self.values),
            dims=("variable", "country", "year"),
            coords={
                "variable": list(self.variables),
                "country": list(self.countries),
                "year": list(self.years),
            },
            attrs={"units": {v: self.units.get(v) for v in self.variables}},
        )
        return out

    def _repr_html_(self) -> str:
        from riskcore.display import panel_html

        return panel_html(self)

    def __repr__(self) -> str:
        v, c, y = self.shape
        span = f"{self.years[0]}-{self.years[-1]}" if self.years else "no years"
        return f"<Panel {v} variables x {c} countries x {y} years ({span})>"
