"""Diaspora size: new Russian arrivals per 1,000 residents of the host country.

Definition
    Russian citizens who arrived after 24 February 2022 and were still resident in the host
    country at the end of the year, per 1,000 residents.

Formula
    ``diaspora_size = 1000 * relocants / population``

Direction
    Higher is riskier: a larger new diaspora is a larger lever for Moscow (protection of
    compatriots) and a larger group a nervous host regime may turn on.

Requires
    ``relocants`` (persons; 0 by definition before 2022) and ``population`` (persons).

Unit
    Persons per 1,000 residents.

Sources
    Relocant estimates: The Bell (end-2022 estimates), the ZOiS survey report as summarised by
    Re:Russia (2023), host interior and economy ministries where published. Population: World
    Bank, SP.POP.TOTL. Where no estimate of stayers is published the value stays missing; border
    entries are not residents and are not used to fill it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import riskcore

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

__all__ = ["diaspora_size"]


@riskcore.indicator(
    code="diaspora_size",
    name="New Russian diaspora size",
    unit="persons per 1,000 residents",
    higher_is_riskier=True,
    requires=["relocants", "population"],
    source="The Bell; ZOiS/Re:Russia; host ministries; World Bank SP.POP.TOTL",
)
def diaspora_size(data: Any) -> NDArray[np.float64]:
    """Russians who arrived since February 2022 and stayed, per 1,000 residents of the host."""
    import numpy as np  # imported when computed: listing plugins needs no numpy

    population = data["population"]
    with np.errstate(divide="ignore", invalid="ignore"):
        out = 1000.0 * data["relocants"] / population
    return np.where(population > 0, out, np.nan)
