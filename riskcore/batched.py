"""Data treatment of many Monte Carlo runs at once, the runs laid side by side as countries.

When the inputs of a run are drawn (ranges, standard errors, ``[uncertainty.data]``), every
run must compute its indicators again, denominate, screen and impute, before normalising. Done
run by run, that is one Python pass of :func:`riskcore.treat.prepare` per run, which dominates
the cost of intervals on an index of plugin indicators.

Where no step of the data treatment mixes countries (:func:`country_step` is None), a country's
treated values depend on its own inputs alone. The runs of a batch can then be treated in one
pass: a panel whose rows are every ``(run, country)`` pair, runs outermost
(:func:`runs_as_countries`). Each row keeps its real country code, so the codes repeat once per
run, and the panel carries everything a run's own panel carries (names, group labels, units,
provenance, estimates, file), so that a plugin reading them computes what it computes run by
run; messages name the run too (``KAZ (run 3) 2020``, :meth:`riskcore.Panel.cell_labels`). The
steps that work country by country: plugin indicators that declare ``per_country=True``
(:class:`riskcore.Indicator`), raw variables, derived variables (every formula function works
on one country, ``lag`` included), denominators and multipliers, structural zeros, screening
(per country-year), and imputers that declare ``per_country`` (``none``, ``constant``, ``locf``,
``linear``, ``panel_spread``). Steps that mix countries (another imputer, an outlier treatment,
a plugin that does not declare it) keep the run-by-run pass. The numbers are the same either
way; only the time differs.

Data noise in one year alone lays the runs along the years instead (:func:`runs_as_years`,
for :class:`riskcore.uncertainty.IndexModel`): only where no step reads another year, which
rules out every plugin indicator (:func:`riskcore.noise.pooling_step`), so no plugin sees it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from riskcore.data import Panel
from riskcore.errors import DataError
from riskcore.plan import Plan
from riskcore.treat import prepare

__all__ = ["as_is_rows", "country_step", "prepare_runs", "runs_as_countries", "runs_as_years"]

FloatArray = NDArray[np.float64]

#: Values (runs x variables x countries x years) treated in one pass: bounds the copies the
#: data treatment makes.
VALUES_PER_PASS = 2**20


def country_step(plan: Plan) -> str | None:
    """The first step of the plan's data treatment that mixes countries, or None when every
    step works country by country (so that runs may be treated as extra countries).

    Parameters
    ----------
    plan : Plan

    Returns
    -------
    str or None
        Why the runs must be treated one by one.
    """
    for leaf in plan.leaves:
        if leaf.indicator is not None and not getattr(leaf.indicator, "per_country", False):
            return f"indicator '{leaf.code}' does not declare per_country"
        imputed = leaf.imputer is not None and leaf.impute_method != "none"
        local = getattr(leaf.imputer, "per_country", False)
        if imputed and leaf.missing != "not_applicable" and not local:
            return f"indicator '{leaf.code}' is imputed from other countries"
        if leaf.treatment is not None and leaf.treat_method != "none":
            return f"indicator '{leaf.code}' has an outlier treatment"
    return None


def as_is_rows(plan: Plan, variables: tuple[str, ...]) -> list[int] | None:
    """Where each leaf's values are a data variable taken as it is, the variables' positions,
    one per leaf; None when some step of the data treatment changes a value.

    Taken as it is: a raw data variable (no plugin, no derived variable), no denominator, a
    multiplier of 1, no structural zero, no imputation, no outlier treatment, and no screening
    in the index. :func:`riskcore.treat.prepare` then returns the variables' values unchanged,
    so runs may skip it.

    Parameters
    ----------
    plan : Plan
    variables : tuple of str
        The variables of the values the runs draw, in order.

    Returns
    -------
    list of int or None
    """
    if plan.screen is not None:
        return None
    where = {v: i for i, v in enumerate(variables)}
    rows = []
    for leaf in plan.leaves:
        plain = leaf.indicator is None and leaf.denominator is None and leaf.multiplier == 1.0
        imputed = leaf.imputer is not None and leaf.impute_method != "none"
        treated = leaf.treatment is not None and leaf.treat_method != "none"
        if not plain or imputed or treated or leaf.missing == "structural_zero":
            return None
        if len(leaf.requires) != 1 or leaf.requires[0] not in where:
            return None
        rows.append(where[leaf.requires[0]])
    return rows


def _passes(runs: int, per_run: int) -> Iterator[slice]:
    step = max(1, VALUES_PER_PASS // max(1, per_run))
    for lo in range(0, runs, step):
        yield slice(lo, min(lo + step, runs))


@dataclass(frozen=True, eq=False)
class _RunsAsCountries(Panel):
    """Runs side by side as extra countries: every country code once per run, runs outermost
    (``runs`` names them, for messages)."""

    runs: tuple[int, ...] = ()

    def _distinct_countries(self) -> tuple[str, ...]:
        n = len(self.countries) // max(1, len(self.runs))
        one = self.countries[:n]
        if not self.runs or self.countries != one * len(self.runs):
            raise DataError("a panel of runs holds the same countries once per run", path=self.path)
        return one

    def cell_labels(self, row: int, t: int) -> tuple[str, str]:
        run = self.runs[row // (len(self.countries) // len(self.runs))]
        return f"{self.countries[row]} (run {run})", str(self.years[t])


@dataclass(frozen=True, eq=False)
class _RunsAsYears(Panel):
    """Runs of one year side by side as the years: ``years`` are run numbers, ``year`` the
    year they all are."""

    year: int = 0

    def cell_labels(self, row: int, t: int) -> tuple[str, str]:
        return self.countries[row], f"{self.year} (run {self.years[t]})"


def _fields(panel: Panel) -> dict[str, Any]:
    """Every field of a :class:`Panel`, as the panel has it."""
    return {f.name: getattr(panel, f.name) for f in dataclasses.fields(Panel)}


def runs_as_countries(panel: Panel, values: FloatArray, runs: Sequence[int] | None = None) -> Panel:
    """Many runs of the panel's data in one panel, side by side as extra countries: the layout
    in which :func:`prepare_runs` treats them, and a ``per_country`` plugin computes them.

    Row ``r * n + c`` (``n`` countries) is country ``c`` in run ``r``. Every row keeps its real
    code, so :attr:`Panel.countries` holds each code once per run (the one panel whose codes
    repeat); the group labels and the estimates are repeated the same way; the names, units,
    provenance and file are the panel's. What a row reads of any of them is what the run's
    own panel (``dataclasses.replace(panel, values=values[r])``) gives it. Messages name the
    run (:meth:`Panel.cell_labels`).

    Parameters
    ----------
    panel : Panel
    values : ndarray, shape (runs, variables, countries, years)
        Each run's data.
    runs : sequence of int, optional
        The runs' numbers in messages (default ``0, 1, ...``).

    Returns
    -------
    Panel
        Of shape ``(variables, runs x countries, years)``.
    """
    n_runs, n_vars, n_c, n_y = values.shape
    fields = _fields(panel)
    fields.update(
        values=values.transpose(1, 0, 2, 3).reshape(n_vars, n_runs * n_c, n_y),
        countries=tuple(panel.countries) * n_runs,
        groups={g: tuple(v) * n_runs for g, v in panel.groups.items()},
        estimates=None if panel.estimates is None else panel.estimates.repeated(n_runs),
    )
    return _RunsAsCountries(**fields, runs=tuple(range(n_runs)) if runs is None else tuple(runs))


def runs_as_years(
    panel: Panel, values: FloatArray, variables: Sequence[str], year: int, runs: Sequence[int]
) -> Panel:
    """Runs of one year of the panel's data in one panel, side by side as its years: for steps
    that work year by year and pool countries (a per-year normalisation), where no step reads
    another year (:func:`riskcore.noise.pooling_step`; no plugin indicator, no ``lag``).

    The years are the runs' numbers, so the panel carries no provenance and no estimates
    (they are the real years'); names, groups, units and file are the panel's. Messages name
    the year and the run (:meth:`Panel.cell_labels`).

    Parameters
    ----------
    panel : Panel
    values : ndarray, shape (variables, countries, runs)
        The runs' data in that year.
    variables : sequence of str
        Which of the panel's variables they are.
    year : int
        The year.
    runs : sequence of int
        The runs' numbers (distinct).

    Returns
    -------
    Panel
    """
    fields = _fields(panel)
    fields.update(values=values, variables=tuple(variables), years=tuple(runs))
    fields.update(provenance={}, estimates=None)
    return _RunsAsYears(**fields, year=year)


def prepare_runs(plan: Plan, panel: Panel, values: FloatArray) -> FloatArray:
    """The treated leaf values of many runs of the panel's data.

    Parameters
    ----------
    plan : Plan
    panel : Panel
        The panel the runs draw from: its labels, names, groups, units, provenance and
        estimates, which each run's panel carries.
    values : ndarray, shape (runs, variables, countries, years)
        Each run's data (the panel's values, drawn).

    Returns
    -------
    ndarray, shape (runs, leaves, countries, years)
        What :func:`riskcore.treat.prepare` gives each run's panel
        (``dataclasses.replace(panel, values=values[r])``), in one pass per group of runs
        laid side by side (:func:`runs_as_countries`) when :func:`country_step` is None, else
        run by run.
    """
    n_runs, n_vars, n_c, n_y = values.shape
    out = np.empty((n_runs, len(plan.leaves), n_c, n_y))
    if country_step(plan) is not None:
        for r in range(n_runs):
            out[r] = prepare(plan, dataclasses.replace(panel, values=values[r])).values
        return out
    for part in _passes(n_runs, n_vars * n_c * n_y):
        wide = runs_as_countries(panel, values[part], range(part.start, part.stop))
        treated = prepare(plan, wide).values.reshape(
            len(plan.leaves), part.stop - part.start, n_c, n_y
        )
        out[part] = treated.transpose(1, 0, 2, 3)
    return out
