"""Diaspora size: new Russian arrivals still in the host, per 1,000 residents, an estimate.

Definition
    Russian citizens who arrived after 24 February 2022 and were still in the host country in
    the year, per 1,000 residents. No host publishes a year-end count of them, so the count is
    an *estimate with a range* (``diaspora_stock``, ``diaspora_stock_low``,
    ``diaspora_stock_high``), derived by ``examples/post_soviet/build_inputs.py`` from the
    evidence tables, each row citing the evidence lines it rests on:

    1. the published host stocks of new arrivals (ministries, The Bell, ZOiS, Meduza, Bumaga);
    2. the host's first-destination share of leavers (RANEPA) times each published total who
       left Russia, times the share who stayed (one minus the published return shares,
       8 % to 45 %);
    3. persons reported as arrived to stay or registered, times the same stay share
       (Kyrgyzstan 2022);
    4. where none of these exists (Azerbaijan, Tajikistan, Uzbekistan): the 2022 entries above
       the 2021 level (from the FSB's growth rate of trips) times the ratio of stayers to such
       excess entries observed in Georgia and Kazakhstan (about 2.6 % to 9.4 %); for 2023 the
       2022 range times the stay share.

    The range is the hull of every candidate (where sources disagree, as for Kyrgyzstan 2023,
    from about 11,000 to the survey's 170,000, it spans them), the value its midpoint.
    Turkmenistan publishes no entries and no stock: its value is imputed (the median
    per-capita estimate of the other hosts, range 0 to their largest upper bound) and labelled
    so in the data. Before 2022 the dimension does not apply: there are no rows, and the
    index is not scored (the structural sub-index is).

Formula
    ``diaspora_size = 1000 * diaspora_stock / population``

Direction
    Higher is riskier: a larger new diaspora is a larger lever for Moscow (protection of
    compatriots) and a larger group a nervous host regime may turn on.

Requires
    ``diaspora_stock`` (persons, an estimate; its range in ``diaspora_stock_low`` and
    ``diaspora_stock_high``, drawn by the example's ``[uncertainty.data]`` table) and
    ``population`` (persons).

Unit
    Persons per 1,000 residents (an estimate).

Sources
    ``examples/post_soviet/evidence/diaspora_figures.csv`` (the lines each value cites);
    population: World Bank, SP.POP.TOTL.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from riskcore_plugins import per

import riskcore

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

__all__ = ["diaspora_size"]


@riskcore.indicator(
    code="diaspora_size",
    name="New Russian diaspora size",
    unit="persons per 1,000 residents (estimate)",
    higher_is_riskier=True,
    requires=["diaspora_stock", "population"],
    source="estimates from evidence/diaspora_figures.csv (build_inputs.py); World Bank SP.POP.TOTL",
    per_country=True,
)
def diaspora_size(data: Any) -> NDArray[np.float64]:
    """Russians who arrived since February 2022 and stayed, per 1,000 residents of the host."""
    return per(data["diaspora_stock"], data["population"], 1000.0)
