"""The standard indicator plugins of riskcore, one module per indicator.

Installed as ``riskcore_plugins`` and registered through the ``riskcore`` entry-point group,
exactly as a third-party plugin would be: disabling one (``RISKCORE_DISABLED_PLUGINS``) or
turning autoload off (``RISKCORE_DISABLE_PLUGIN_AUTOLOAD=1``) removes it like any other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

__all__ = ["per"]


def per(numerator: Any, denominator: Any, scale: float) -> NDArray[np.float64]:
    """``scale * numerator / denominator``, missing where the denominator is not positive.

    The shared arithmetic of the rate indicators (per 1,000 residents, per cent of GDP).
    """
    import numpy as np  # imported when computed: listing plugins needs no numpy

    with np.errstate(divide="ignore", invalid="ignore"):
        out = scale * np.asarray(numerator, dtype=np.float64) / denominator
    return np.where(denominator > 0, out, np.nan)
