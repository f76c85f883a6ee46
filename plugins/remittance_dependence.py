"""Remittance dependence: money sent home from Russia, as a share of the host's GDP.

Definition
    How much of the host economy Moscow could switch off: transfers from Russia reported by the
    host's central bank in the year, as a percentage of GDP in current US dollars.

Formula
    ``remittance_dependence = 100 * remittances_from_russia_usd / gdp_usd``

    Unpublished means unknown, not zero: a missing transfer figure leaves the value missing.
    Central banks define transfers differently (Armenia: non-commercial transfers via banks;
    Georgia and Kyrgyzstan: money-transfer systems; Uzbekistan: cross-border transfers); the
    ``note`` of each value says which, and the walkthrough lists this among the limits.

Direction
    Higher is riskier.

Requires
    ``remittances_from_russia_usd`` (US$) and ``gdp_usd`` (current US$).

Unit
    Percent of GDP.

Sources
    Central banks of Armenia, Georgia, Kazakhstan, Kyrgyzstan and Uzbekistan; World Bank
    NY.GDP.MKTP.CD.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from riskcore_plugins import per

import riskcore

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

__all__ = ["remittance_dependence"]


@riskcore.indicator(
    code="remittance_dependence",
    name="Remittances from Russia",
    unit="% of GDP",
    higher_is_riskier=True,
    requires=["remittances_from_russia_usd", "gdp_usd"],
    source="central banks; World Bank NY.GDP.MKTP.CD",
    per_country=True,
)
def remittance_dependence(data: Any) -> NDArray[np.float64]:
    """Transfers from Russia as a percentage of the host's GDP."""
    return per(data["remittances_from_russia_usd"], data["gdp_usd"], 100.0)
