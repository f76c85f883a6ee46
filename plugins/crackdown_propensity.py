"""Crackdown propensity: how readily the host regime represses, from civil-liberties ratings.

Definition
    The share of the Freedom House civil-liberties score (0 to 60) that a country lacks, on a
    0 to 100 scale: a regime that already restricts expression, assembly, association and the
    rule of law has the habits and the tools to turn them on a new diaspora at Moscow's request
    or its own.

Formula
    ``crackdown_propensity = 100 * (1 - fh_civil_liberties / 60)``

Direction
    Higher is riskier.

Requires
    ``fh_civil_liberties`` (Freedom House civil-liberties score, 0..60, higher is freer).

Unit
    Points, 0 (fully free) to 100 (no civil liberties).

Sources
    Freedom House, Freedom in the World; the data's ``year`` is the year covered (edition - 1).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import riskcore

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

__all__ = ["CIVIL_LIBERTIES_MAX", "crackdown_propensity"]

CIVIL_LIBERTIES_MAX = 60.0


@riskcore.indicator(
    code="crackdown_propensity",
    name="Crackdown propensity",
    unit="points, 0..100",
    higher_is_riskier=True,
    requires=["fh_civil_liberties"],
    source="Freedom House, Freedom in the World",
    per_country=True,
)
def crackdown_propensity(data: Any) -> NDArray[np.float64]:
    """Civil liberties a regime withholds, as a share of the Freedom House maximum of 60."""
    import numpy as np  # imported when computed: listing plugins needs no numpy

    return np.asarray(100.0 * (1.0 - data["fh_civil_liberties"] / CIVIL_LIBERTIES_MAX))
