"""Hypothesis strategies for plugin authors: data panels and index trees.

Use them to state properties of your own indicators and methods::

    from hypothesis import given
    from riskcore.testing.strategies import index_trees, panels

    @given(panels(variables=["gdp_usd", "population"]))
    def test_gdp_per_capita_is_never_negative(data):
        assert not (gdp_per_capita.compute(data) < 0).any()

Needs hypothesis (a test dependency of riskcore, not a runtime one).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

if TYPE_CHECKING:
    from riskcore.panel import Panel
    from riskcore.spec import IndexSpec

__all__ = ["AGGREGATIONS", "NORMALIZATIONS", "index_trees", "panels"]

# Real ISO 3166-1 alpha-3 codes: panels accept no others without a declaration.
_COUNTRIES = (
    "ARM", "AZE", "BLR", "DEU", "FRA", "GEO", "IND", "JPN", "KAZ", "KGZ", "MDA", "MNG",
    "RUS", "TJK", "TKM", "UKR", "USA", "UZB",
)  # fmt: skip

#: Aggregations of an index file (TOML values) that need no optional library.
AGGREGATIONS = (
    '"arithmetic"',
    '"geometric"',
    '"harmonic"',
    '{ method = "power_mean", p = 2 }',
    '"min"',
    '"max"',
    '"median"',
)
#: Normalisations of an index file (TOML values) onto 0..1, which suit every aggregation.
NORMALIZATIONS = ('"minmax"', '"rank"', '"percentile"')


@st.composite
def panels(
    draw: st.DrawFn,
    variables: Sequence[str] | int = 2,
    *,
    countries: tuple[int, int] = (2, 8),
    years: tuple[int, int] = (1, 4),
    elements: st.SearchStrategy[float] | None = None,
    missing: bool = True,
) -> Panel:
    """Data panels: random values of some variables for some countries and years.

    Parameters
    ----------
    variables : sequence of str or int
        The variable names, or how many (named ``v0``, ``v1``, ...).
    countries, years : (int, int)
        Least and most countries (up to 18) and years.
    elements : strategy of float, optional
        The values (default: finite floats on 0..100).
    missing : bool
        Let some values be missing (NaN).

    Returns
    -------
    strategy of Panel
    """
    from riskcore.panel import Panel

    names = tuple(f"v{i}" for i in range(variables)) if isinstance(variables, int) else variables
    n_c = draw(st.integers(countries[0], min(countries[1], len(_COUNTRIES))))
    n_y = draw(st.integers(years[0], years[1]))
    value = elements if elements is not None else st.floats(0, 100, allow_nan=False, width=32)
    if missing:
        value = st.one_of(value, st.just(float("nan")))
    codes = draw(st.permutations(_COUNTRIES))[:n_c]
    first = draw(st.integers(1990, 2030))
    x = draw(arrays(np.float64, (len(names), n_c, n_y), elements=value))
    return Panel(
        values=x, variables=tuple(names), countries=tuple(codes),
        years=tuple(range(first, first + n_y)),
    )  # fmt: skip


@st.composite
def index_trees(
    draw: st.DrawFn,
    variables: Sequence[str] | int = 4,
    *,
    depth: int = 3,
    aggregations: Sequence[str] = AGGREGATIONS,
    normalizations: Sequence[str] = NORMALIZATIONS,
    weights: bool = True,
) -> IndexSpec:
    """Index files over raw data variables: a random tree of nodes with each variable a leaf.

    Every variable is used once, with a random direction; nodes get random aggregations and,
    with ``weights``, random positive weights. Pair it with :func:`panels` over the same
    variables.

    Parameters
    ----------
    variables : sequence of str or int
        The leaf variables, or how many (``v0``, ``v1``, ...).
    depth : int
        Most levels of nodes below the index.
    aggregations, normalizations : sequence of str
        TOML values to choose from, as written in an index file.
    weights : bool
        Random weights (otherwise equal weights, as a list).

    Returns
    -------
    strategy of IndexSpec
    """
    from riskcore.spec import parse_index

    names = [f"v{i}" for i in range(variables)] if isinstance(variables, int) else list(variables)
    sections: list[str] = []
    counter = iter(range(len(names)))

    def children(items: list[str]) -> str:
        if not weights:
            return "[" + ", ".join(f'"{c}"' for c in items) + "]"
        w = [draw(st.integers(1, 9)) for _ in items]
        return "{ " + ", ".join(f"{c} = {v}" for c, v in zip(items, w, strict=True)) + " }"

    def tree(items: list[str], level: int) -> list[str]:
        """Group ``items`` into nodes, recursively; return the codes of the groups."""
        if level >= depth or len(items) < 2 or not draw(st.booleans()):
            return items
        cut = draw(st.integers(1, len(items) - 1))
        out = []
        for part in (items[:cut], items[cut:]):
            if len(part) == 1:
                out.append(part[0])
                continue
            code = f"node{next(counter)}"
            agg = draw(st.sampled_from(list(aggregations)))
            sections.append(
                f'[node.{code}]\nname = "Node {code}"\naggregation = {agg}\n'
                f"children = {children(tree(part, level + 1))}\n"
            )
            out.append(code)
        return out

    top = tree(draw(st.permutations(names)), 0)
    root_agg = draw(st.sampled_from(list(aggregations)))
    norm = draw(st.sampled_from(list(normalizations)))
    leaves: list[Any] = []
    for v in names:
        direction = draw(st.sampled_from(["higher_is_riskier", "lower_is_riskier"]))
        leaves.append(f'[indicator.{v}]\ndirection = "{direction}"\n')
    text = (
        f'[index]\nname = "Generated"\naggregation = {root_agg}\nchildren = {children(top)}\n'
        f"[defaults]\nnormalize = {norm}\n" + "".join(sections) + "".join(leaves)
    )
    return parse_index(text, path="<generated>")
