"""Diaspora activism: the documented political and civic infrastructure of the new diaspora.

Definition
    How organised the new Russian diaspora is in the host country: the number of Russian
    émigré civic and political organisations, relocated independent media outlets and
    activist shelters documented there in a year. A politically organised diaspora is what
    turns a migration into a lever: it draws Moscow's requests for surveillance, extradition or
    closure, and puts the host regime in the position of choosing between them and Moscow.

Formula
    ``diaspora_activism = emigre_organisations`` (a count, as documented).

Direction
    Higher is riskier.

Requires
    ``emigre_organisations``: organisations, outlets and shelters documented in the year.

Unit
    Organisations (a lower bound: counted from news reporting, so a missing value means "not
    documented", never zero, and it stays missing).

Sources
    Counted from the evidence table ``examples/post_soviet/evidence/diaspora_figures.csv``:
    Yle Svenska and The Moscow Times (Armenia 2022), Ekho Kavkaza / RFE/RL (Georgia 2022),
    the Ark (Kovcheg) organisation's shelters (Kazakhstan 2022), Global Voices (Kyrgyzstan
    2023). Each value's row in ``inputs.csv`` names its source.
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
    requires=["emigre_organisations"],
    source="evidence/diaspora_figures.csv: Yle, The Moscow Times, RFE/RL, Ark, Global Voices",
)
def diaspora_activism(data: Any) -> NDArray[np.float64]:
    """Russian émigré organisations, relocated media and shelters documented in the host."""
    import numpy as np  # imported when computed: listing plugins needs no numpy

    return np.asarray(data["emigre_organisations"], dtype=np.float64)
