"""Diaspora activism: the documented political and civic infrastructure of the new diaspora.

Definition
    How organised the new Russian diaspora is in the host country: the Russian émigré civic
    and political organisations, relocated independent media outlets and activist shelters
    documented there since 2022. A politically organised diaspora is what turns a migration
    into a lever: it draws Moscow's requests for surveillance, extradition or closure, and puts
    the host regime in the position of choosing between them and Moscow.

Formula
    ``diaspora_activism = emigre_organisations_documented``: the curated counts
    (``emigre_organisations``) carried forward from the year first documented, and 0 where
    none is documented (``examples/post_soviet/build_inputs.py``).

    A *lower bound*, never a missing value: "none documented" is "at least none", so the value
    is present for every host from 2022 and no weight moves between hosts with and without a
    documented organisation. Documenting an organisation can therefore only raise a host's
    score, never lower it (tested). The range for the uncertainty analysis runs from the count
    to the count plus the most documented in any host (``_high``).

Direction
    Higher is riskier.

Requires
    ``emigre_organisations_documented``: organisations, outlets and shelters documented.

Unit
    Organisations (a lower bound from news reporting).

Sources
    The curated rows of ``examples/post_soviet/curated.csv`` (from the evidence table
    ``diaspora_figures.csv``): Yle Svenska and The Moscow Times (Armenia), Ekho Kavkaza /
    RFE/RL (Georgia), the Ark (Kovcheg) organisation (Kazakhstan), Global Voices (Kyrgyzstan).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import riskcore

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

__all__ = ["diaspora_activism"]


@riskcore.indicator(
    code="diaspora_activism",
    name="Diaspora activism",
    unit="documented organisations (lower bound)",
    higher_is_riskier=True,
    requires=["emigre_organisations_documented"],
    source="evidence/diaspora_figures.csv: Yle, The Moscow Times, RFE/RL, Ark, Global Voices",
    per_country=True,
)
def diaspora_activism(data: Any) -> NDArray[np.float64]:
    """Russian émigré organisations, relocated media and shelters documented in the host."""
    import numpy as np  # imported when computed: listing plugins needs no numpy

    return np.asarray(data["emigre_organisations_documented"], dtype=np.float64)
