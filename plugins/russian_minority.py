"""Russian minority: the pre-existing ethnic Russian population of the host.

Definition
    Ethnic Russians as a share of the host's population, by the latest census or official
    estimate: the "compatriots" Moscow claims to protect, a lever that predates the new
    emigration and is kept apart from it (and from structural and economic ties).

Formula
    ``russian_minority = russian_minority_pct`` as derived by
    ``examples/post_soviet/build_inputs.py``: one range per host spanning every census and
    official figure found (counts divided by the population), carried to every year; the value
    is the midpoint. Turkmenistan: from 1.0 % (an NGO count of 70,000) to 5.1 % (the leaked
    2012 census).

Direction
    Higher is riskier.

Requires
    ``russian_minority_pct`` (its range in ``russian_minority_pct_low`` and ``_high``).

Unit
    Percent of the population.

Sources
    National censuses and statistics offices (Armenia 2022, Azerbaijan 2009, Georgia 2014,
    Kazakhstan 2021 and 2024, Kyrgyzstan 2021 and 2025, Tajikistan 2020, Uzbekistan 2021),
    Turkmenistan's leaked 2012 census and NGO and media estimates, as cited in
    ``examples/post_soviet/evidence/leverage_figures.csv``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import riskcore

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

__all__ = ["russian_minority"]


@riskcore.indicator(
    code="russian_minority",
    name="Russian minority",
    unit="% of population",
    higher_is_riskier=True,
    requires=["russian_minority_pct"],
    source="censuses and statistics offices (evidence/leverage_figures.csv)",
    per_country=True,
)
def russian_minority(data: Any) -> NDArray[np.float64]:
    """Ethnic Russians as a percentage of the host's population."""
    import numpy as np  # imported when computed: listing plugins needs no numpy

    return np.asarray(data["russian_minority_pct"], dtype=np.float64)
