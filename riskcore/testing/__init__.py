"""A kit for plugin authors: conformance checks and hypothesis strategies.

Call the checks from your plugin's own tests; each raises :class:`ConformanceError` naming the
rule of the hook contract (``docs/hooks.md``) that the plugin breaks::

    import riskcore.testing
    from my_plugin import my_indicator, MyNormaliser

    def test_indicator_conforms():
        riskcore.testing.check_indicator(my_indicator)

    def test_normaliser_conforms():
        riskcore.testing.check_normalizer(MyNormaliser())

:mod:`riskcore.testing.strategies` has hypothesis strategies for data panels and index trees
(it needs hypothesis). The rules are listed in :data:`RULES` and in ``docs/testing.md``.
"""

from riskcore.testing._rules import RULES, ConformanceError
from riskcore.testing.checks import (
    check_aggregator,
    check_imputer,
    check_indicator,
    check_normalizer,
    check_treatment,
    check_weighting,
)

__all__ = [
    "RULES",
    "ConformanceError",
    "check_aggregator",
    "check_imputer",
    "check_indicator",
    "check_normalizer",
    "check_treatment",
    "check_weighting",
]
