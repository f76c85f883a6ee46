"""Trade dependence on Russia: the share of the host's foreign trade that is with Russia.

Definition
    Trade with Russia (exports plus imports) as a share of the host country's total foreign
    trade turnover. The more a host trades with Russia, the more Moscow can squeeze it by closing
    the border, banning its goods or stopping transit: an economic lever next to the diaspora.

Formula
    ``russia_trade_dependence = russia_trade_share_pct`` where ``0 <= russia_trade_share_pct <=
    100``, missing otherwise (a value outside 0..100 is not a share and is not used).

Direction
    Higher is riskier.

Requires
    ``russia_trade_share_pct`` (% of the host's foreign trade turnover).

Unit
    Percent of foreign trade turnover, 0..100.

Sources
    National statistics offices (Armstat, the statistics agencies of Uzbekistan, Tajikistan,
    Kazakhstan and Georgia, the State Customs Committee of Azerbaijan), as cited row by row in
    the data's ``source`` column.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
from numpy.typing import NDArray

import riskcore

__all__ = ["riskcore_indicators", "russia_trade_dependence"]


@riskcore.indicator(
    code="russia_trade_dependence",
    name="Trade dependence on Russia",
    unit="% of foreign trade turnover",
    higher_is_riskier=True,
    requires=["russia_trade_share_pct"],
    source="National statistics offices and customs services",
    per_country=True,
)
def russia_trade_dependence(data: Any) -> NDArray[np.float64]:
    """Share of the host's foreign trade turnover that is with Russia, in percent."""
    share = np.asarray(data["russia_trade_share_pct"], dtype=np.float64)
    with np.errstate(invalid="ignore"):  # NaN compares False: missing stays missing
        valid = (share >= 0.0) & (share <= 100.0)
    return np.where(valid, share, np.nan)


@riskcore.hookimpl
def riskcore_indicators() -> Iterable[riskcore.Indicator]:
    """Provide the trade-dependence indicator."""
    return [russia_trade_dependence]
