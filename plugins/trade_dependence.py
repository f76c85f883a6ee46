"""Trade dependence: Russia's share of the host's foreign trade.

Definition
    The share of the host's trade turnover (exports plus imports) that is with Russia, as the
    national statistics office reports it.

Formula
    ``trade_dependence = russia_trade_share_pct``. Unpublished means unknown, not zero: a
    missing share stays missing. Some shares cover part of a year (Kazakhstan 2023:
    January-September); the ``note`` of each value says so.

Direction
    Higher is riskier.

Requires
    ``russia_trade_share_pct``.

Unit
    Percent of trade turnover.

Sources
    National statistics offices (Armstat, the Azerbaijani customs committee, Geostat,
    Kazakhstan's Bureau of National Statistics, Tajikistan's Agency on Statistics, Uzbekistan's
    Statistics Agency).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import riskcore

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

__all__ = ["trade_dependence"]


@riskcore.indicator(
    code="trade_dependence",
    name="Trade with Russia",
    unit="% of trade turnover",
    higher_is_riskier=True,
    requires=["russia_trade_share_pct"],
    source="national statistics offices",
    per_country=True,
)
def trade_dependence(data: Any) -> NDArray[np.float64]:
    """Russia's share of the host's trade turnover."""
    import numpy as np  # imported when computed: listing plugins needs no numpy

    return np.asarray(data["russia_trade_share_pct"], dtype=np.float64)
