"""Methods for each step of a composite indicator, each a named object registered through the
plugin hooks. The built-ins here are registered exactly as a third-party plugin registers its own.
"""

from riskcore.methods.aggregate import (
    Arithmetic,
    Geometric,
    Harmonic,
    Maximum,
    Minimum,
    PowerMean,
)
from riskcore.methods.base import Aggregator, MethodParams, Normalizer, rank_min
from riskcore.methods.normalise import Goalpost, MinMax, Percentile, Rank, ZScore

__all__ = [
    "Aggregator",
    "Arithmetic",
    "Geometric",
    "Goalpost",
    "Harmonic",
    "Maximum",
    "MethodParams",
    "MinMax",
    "Minimum",
    "Normalizer",
    "Percentile",
    "PowerMean",
    "Rank",
    "ZScore",
    "rank_min",
]
