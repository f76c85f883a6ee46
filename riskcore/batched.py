"""Data treatment of many Monte Carlo runs at once, the runs laid side by side as countries.

When the inputs of a run are drawn (ranges, standard errors, ``[uncertainty.data]``), every
run must compute its indicators again, denominate, screen and impute, before normalising. Done
run by run, that is one Python pass of :func:`riskcore.treat.prepare` per run, which dominates
the cost of intervals on an index of plugin indicators.

Where no step of the data treatment mixes countries (:func:`country_step` is None), a country's
treated values depend on its own inputs alone. The runs of a batch can then be treated in one
pass: a panel whose countries are every ``(run, country)`` pair, here labelled
``"KAZ (run 3)"``, so that a plugin's warning still names the country. The steps that work
country by country: plugin indicators that declare ``per_country=True``
(:class:`riskcore.Indicator`), raw variables, derived variables (every formula function works
on one country, ``lag`` included), denominators and multipliers, structural zeros, screening
(per country-year), and imputers that declare ``per_country`` (``none``, ``constant``, ``locf``,
``linear``, ``panel_spread``). Steps that mix countries (another imputer, an outlier treatment,
a plugin that does not declare it) keep the run-by-run pass. The numbers are the same either
way; only the time differs.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import numpy as np
from numpy.typing import NDArray

from riskcore.data import Panel
from riskcore.plan import Plan
from riskcore.treat import prepare

__all__ = ["as_is_rows", "country_step", "prepare_runs"]

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


def prepare_runs(plan: Plan, panel: Panel, values: FloatArray) -> FloatArray:
    """The treated leaf values of many runs of the panel's data.

    Parameters
    ----------
    plan : Plan
    panel : Panel
        The runs' labels, groups and units.
    values : ndarray, shape (runs, variables, countries, years)
        Each run's data (the panel's values, drawn).

    Returns
    -------
    ndarray, shape (runs, leaves, countries, years)
        What :func:`riskcore.treat.prepare` gives each run's panel, in one pass per group of
        runs when :func:`country_step` is None, else run by run.
    """
    n_runs, n_vars, n_c, n_y = values.shape
    out = np.empty((n_runs, len(plan.leaves), n_c, n_y))
    if country_step(plan) is not None:
        for r in range(n_runs):
            out[r] = prepare(plan, dataclasses.replace(panel, values=values[r])).values
        return out
    for part in _passes(n_runs, n_vars * n_c * n_y):
        runs = range(part.start, part.stop)
        labels = tuple(f"{c} (run {r})" for r in runs for c in panel.countries)
        wide = Panel(
            values=values[part].transpose(1, 0, 2, 3).reshape(n_vars, len(runs) * n_c, n_y),
            variables=panel.variables,
            countries=labels,
            years=panel.years,
            units=panel.units,
            path=panel.path,
            country_names=dict(zip(labels, labels, strict=True)),
            groups={g: tuple(v) * len(runs) for g, v in panel.groups.items()},
        )
        treated = prepare(plan, wide).values.reshape(len(plan.leaves), len(runs), n_c, n_y)
        out[part] = treated.transpose(1, 0, 2, 3)
    return out
