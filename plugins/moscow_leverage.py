"""Moscow's leverage: how much the host depends on Russia, economically and militarily.

Definition
    The means Moscow has to press the host government: membership of the Russia-led blocs
    (CSTO, Eurasian Economic Union), a Russian military presence on the host's territory, the
    share of the host's trade that is with Russia, and the money sent home from Russia as a
    share of the host's GDP. The more of these Moscow holds, the harder it is for the host to
    refuse its requests about the diaspora.

Formula
    The mean of the components available for the country and year, each on 0..1:

    - ``blocs = (csto_member + eaeu_member) / 2``;
    - ``military = russian_military_presence`` (1 or 0);
    - ``trade = russia_trade_share_pct / 100``;
    - ``remittances = min(1, remittances_from_russia_usd / gdp_usd)``.

    Blocs and military are known for every country and year; trade and remittances only where
    published. A missing component is left out of the mean, not filled: the value then rests on
    the components that are known (``components_used`` below tells how many).

Direction
    Higher is riskier.

Requires
    ``csto_member``, ``eaeu_member``, ``russian_military_presence``,
    ``russia_trade_share_pct``, ``remittances_from_russia_usd``, ``gdp_usd``.

Unit
    Share, 0..1.

Sources
    Treaty texts as reported (24.kg, Asia-Plus, TASS, Mondaq, Asbarez) for bloc membership; the
    list of Russian military bases abroad and TASS for military presence; national statistics
    offices for trade; central banks for transfers; World Bank NY.GDP.MKTP.CD for GDP.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import riskcore

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

__all__ = ["components", "components_used", "moscow_leverage"]


def components(data: Any) -> NDArray[np.float64]:
    """The four components on 0..1, stacked on a leading axis (NaN where not published)."""
    import numpy as np  # imported when computed: listing plugins needs no numpy

    blocs = (data["csto_member"] + data["eaeu_member"]) / 2.0
    military = data["russian_military_presence"]
    trade = data["russia_trade_share_pct"] / 100.0
    with np.errstate(divide="ignore", invalid="ignore"):
        remittances = np.minimum(1.0, data["remittances_from_russia_usd"] / data["gdp_usd"])
    return np.stack([blocs, military, trade, remittances])


def components_used(data: Any) -> NDArray[np.int64]:
    """How many components the value of each country and year rests on."""
    import numpy as np  # imported when computed: listing plugins needs no numpy

    out: NDArray[np.int64] = np.sum(~np.isnan(components(data)), axis=0)
    return out


@riskcore.indicator(
    code="moscow_leverage",
    name="Moscow's leverage",
    unit="share, 0..1",
    higher_is_riskier=True,
    requires=[
        "csto_member",
        "eaeu_member",
        "russian_military_presence",
        "russia_trade_share_pct",
        "remittances_from_russia_usd",
        "gdp_usd",
    ],
    source="treaties; Russian bases abroad; national statistics; central banks; World Bank",
    per_country=True,
)
def moscow_leverage(data: Any) -> NDArray[np.float64]:
    """Mean of bloc membership, military presence, trade share and remittances from Russia."""
    import numpy as np  # imported when computed: listing plugins needs no numpy

    parts = components(data)
    have = ~np.isnan(parts)
    total = np.where(have, parts, 0.0).sum(axis=0)
    count = have.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        out: NDArray[np.float64] = np.where(count > 0, total / count, np.nan)
    return out
