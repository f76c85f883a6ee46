"""Structural ties: Moscow's institutional and military hold on the host.

Definition
    The ties to Russia a host cannot shed quickly: membership of the Russia-led blocs (the
    CSTO and the Eurasian Economic Union) and Russian forces on its soil, either with its
    consent (a base, a facility, peacekeepers) or in territory it claims but does not control
    (Georgia's Abkhazia and South Ossetia). Kept apart from economic dependence and from the
    Russian minority, which are other levers.

Formula
    ``structural_ties = (csto_member + eaeu_member) / 4 + max(russian_military_presence,
    russian_troops_in_occupied_territory) / 2``: half for the blocs (a quarter each), half for
    Russian forces of either kind; 0 to 1. Every item is published for every host and year
    (1 or 0); a missing item leaves the value missing, never 0.

    By hand, 2023: Armenia (CSTO, EAEU, the 102nd base) 1.0; Georgia (no bloc, Russian troops
    in the occupied regions) 0.5; Uzbekistan (neither; an EAEU observer, not a member) 0.

Direction
    Higher is riskier.

Requires
    ``csto_member``, ``eaeu_member``, ``russian_military_presence``,
    ``russian_troops_in_occupied_territory``.

Unit
    Share, 0..1.

Sources
    Treaty texts as reported (24.kg, Asia-Plus, TASS, Mondaq, Asbarez); the list of Russian
    military bases abroad; TASS for the Karabakh peacekeepers 2020-2024.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import riskcore

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

__all__ = ["structural_ties"]


@riskcore.indicator(
    code="structural_ties",
    name="Structural ties to Russia",
    unit="share, 0..1",
    higher_is_riskier=True,
    requires=[
        "csto_member",
        "eaeu_member",
        "russian_military_presence",
        "russian_troops_in_occupied_territory",
    ],
    source="treaties; Russian bases abroad; TASS",
    per_country=True,
)
def structural_ties(data: Any) -> NDArray[np.float64]:
    """Bloc membership (half) and Russian forces on the host's soil (half)."""
    import numpy as np  # imported when computed: listing plugins needs no numpy

    blocs = (data["csto_member"] + data["eaeu_member"]) / 4.0
    forces = np.fmax(
        data["russian_military_presence"], data["russian_troops_in_occupied_territory"]
    )
    both = ~np.isnan(data["russian_military_presence"]) & ~np.isnan(
        data["russian_troops_in_occupied_territory"]
    )
    return np.asarray(blocs + np.where(both, forces, np.nan) / 2.0, dtype=np.float64)
