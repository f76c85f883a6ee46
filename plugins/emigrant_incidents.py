"""Emigrant incidents: documented repression of Russian emigrants by or in the host state.

Definition
    The crackdown on the diaspora itself, beside the regime's general record (crackdown
    propensity): documented incidents against Russian emigrants in the host in the year:
    detentions (at anti-war rallies, on Russian warrants), deportations, extraditions and
    forced returns to Russia, and entry bans of émigré journalists and activists. Cases
    against pro-Kremlin figures (Armenia's entry bans of Duma members, Azerbaijan's arrests of
    Sputnik staff) are not emigrants and are left out.

Formula
    ``emigrant_incidents`` as derived by ``examples/post_soviet/build_inputs.py``: the evidence
    rows of each host and year are grouped where they may count the same people (Kyrgyzstan
    2023: three activists detained, two forcibly returned, one extradited, a group counted as
    its largest figure, 3); groups add up (Georgia 2022: two journalists refused entry in
    March plus six in November, 8).

    A *lower bound*: a host-year without a documented incident gets 0 ("at least none"), never
    a missing value, so documenting an incident can only raise a score (tested). The range for
    the uncertainty analysis runs from the count to the count plus the most documented in any
    host that year (``emigrant_incidents_high``): what reporting as thorough as the best
    documented host's could have found.

Direction
    Higher is riskier.

Requires
    ``emigrant_incidents``.

Unit
    Incidents (persons affected), a lower bound from news reporting.

Sources
    ``examples/post_soviet/evidence/diaspora_figures.csv`` (each value cites its lines):
    Azatutyun, OC Media, Civil.ge, Meduza, Vlast.kz, Kloop, Global Voices, RFE/RL.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import riskcore

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

__all__ = ["emigrant_incidents"]


@riskcore.indicator(
    code="emigrant_incidents",
    name="Incidents against emigrants",
    unit="documented incidents (lower bound)",
    higher_is_riskier=True,
    requires=["emigrant_incidents"],
    source="evidence/diaspora_figures.csv (build_inputs.py)",
    per_country=True,
)
def emigrant_incidents(data: Any) -> NDArray[np.float64]:
    """Detentions, removals and entry bans of Russian emigrants documented in the host."""
    import numpy as np  # imported when computed: listing plugins needs no numpy

    return np.asarray(data["emigrant_incidents"], dtype=np.float64)
