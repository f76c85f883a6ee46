"""Institutional sophistication: the capacity of the host state, from governance indicators.

Definition
    How capable and rule-bound the host state is: the mean of four World Bank Worldwide
    Governance Indicators that measure the state's own machinery (government effectiveness,
    regulatory quality, rule of law, control of corruption). Voice and accountability and
    political stability are left out on purpose: the first belongs to crackdown propensity,
    the second is closer to the outcome being scored.

Formula
    ``institutional_sophistication = (wgi_ge_est + wgi_rq_est + wgi_rl_est + wgi_cc_est) / 4``;
    missing when any of the four is missing (no silent averaging over fewer components).

Direction
    Lower is riskier: a state with weak institutions absorbs a sudden inflow badly and has
    fewer tools short of coercion.

Requires
    ``wgi_ge_est``, ``wgi_rq_est``, ``wgi_rl_est``, ``wgi_cc_est``.

Unit
    WGI estimate, standard normal units (about -2.5 to 2.5, higher is better governed).

Sources
    World Bank, Worldwide Governance Indicators, 2024 update (Kaufmann and Kraay).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import riskcore

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

__all__ = ["COMPONENTS", "institutional_sophistication"]

COMPONENTS = ("wgi_ge_est", "wgi_rq_est", "wgi_rl_est", "wgi_cc_est")


@riskcore.indicator(
    code="institutional_sophistication",
    name="Institutional sophistication",
    unit="WGI estimate (about -2.5..2.5)",
    higher_is_riskier=False,
    requires=COMPONENTS,
    source="World Bank, Worldwide Governance Indicators",
    per_country=True,
)
def institutional_sophistication(data: Any) -> NDArray[np.float64]:
    """Mean WGI government effectiveness, regulatory quality, rule of law, control of corruption."""
    import numpy as np  # imported when computed: listing plugins needs no numpy

    stacked = np.stack([data[name] for name in COMPONENTS])
    return np.asarray(stacked.mean(axis=0), dtype=np.float64)
