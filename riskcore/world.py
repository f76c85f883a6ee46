"""Where countries stand in the world: the bundled global example and percentiles against it.

The global example (``examples/global``) scores the host-fragility dimension of the post-Soviet
model for every country the World Bank's governance indicators and Freedom House cover. Its root
has the code of the post-Soviet node it mirrors (``fragility``) and its indicators the same codes
and goalposts, so a value of one index can be placed in the world distribution of the other:
that is a *shared dimension*.

A percentile here is the mid-rank percentile of a value among the countries scored in the
world index that year: ``100 * (below + equal / 2) / n``, where ``below`` and ``equal`` count the
countries with a lower and an equal value (higher is riskier on every dimension, so a
percentile of 90 means riskier than nine countries in ten).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from riskcore.result import Scores
    from riskcore.uncertainty import UncertaintyResult

__all__ = [
    "GLOBAL_EXTRA_COUNTRIES",
    "HOSTS",
    "Standing",
    "global_demo",
    "global_scores",
    "percentile",
    "shared_dimensions",
    "world_standing",
]

#: The user-assigned code in the governance panel, declared with its name.
GLOBAL_EXTRA_COUNTRIES = {"XKX": "Kosovo"}

#: The eight hosts of the post-Soviet example, placed in the world by ``riskcore demo --global``.
HOSTS = ("ARM", "AZE", "GEO", "KAZ", "KGZ", "TJK", "TKM", "UZB")


def global_scores() -> Scores:
    """The bundled global example, scored (every year 2012-2023)."""
    from riskcore.api import score
    from riskcore.examples import example_path

    folder = example_path("global")
    return score(
        folder / "index.toml", folder / "inputs.csv", extra_countries=GLOBAL_EXTRA_COUNTRIES
    )


def percentile(value: float, world: list[float]) -> float:
    """Mid-rank percentile of ``value`` among ``world`` (0 to 100).

    Raises
    ------
    ValueError
        When ``world`` is empty.
    """
    if not world:
        raise ValueError("no world values to place the value among")
    below = sum(1 for w in world if w < value)
    equal = sum(1 for w in world if w == value)
    return 100.0 * (below + equal / 2.0) / len(world)


def _field(scores: Scores, code: str) -> str | None:
    """The record key of a code in ``scores``: the root's score, a node, or an indicator."""
    if code == scores.plan.code:
        return "score"
    if code in scores.node_codes[:-1]:
        return f"node:{code}"
    if code in scores.indicator_codes:
        return f"norm:{code}"
    return None


def shared_dimensions(local: Scores, world: Scores) -> list[tuple[str, str]]:
    """``(code, name)`` of every node and indicator of ``local`` that ``world`` also scores."""
    names = {n.code: n.name for n in local.plan.nodes} | {
        leaf.code: leaf.name for leaf in local.plan.leaves
    }
    out = []
    for code in [*local.node_codes, *local.indicator_codes]:
        if _field(world, code) is not None and _field(local, code) is not None:
            out.append((code, names[code]))
    return out


@dataclass(frozen=True)
class Standing:
    """One country's place in the world on one shared dimension.

    Attributes
    ----------
    country, name : str
    dimension, dimension_name : str
        The node or indicator code and its name.
    year : int
        The year of the country's value.
    world_year : int
        The year of the world distribution (the latest world year up to ``year``).
    value : float
        The country's value on the index scale (a node) or normalised 0..1 (an indicator).
    percentile : float
        Its mid-rank percentile among the ``countries`` scored in the world that year.
    countries : int
    """

    country: str
    name: str
    dimension: str
    dimension_name: str
    year: int
    world_year: int
    value: float
    percentile: float
    countries: int

    def to_dict(self) -> dict[str, Any]:
        """A plain dict (for JSON and tables)."""
        return dict(self.__dict__)


def world_standing(local: Scores, world: Scores, year: int) -> list[Standing]:
    """Every scored country of ``local`` placed among the countries of ``world``.

    Parameters
    ----------
    local : Scores
        The index whose countries are placed (the post-Soviet example).
    world : Scores
        The world index (:func:`global_scores`).
    year : int
        The year of ``local``; the world distribution of the latest world year up to it.

    Returns
    -------
    list of Standing
        By dimension (in ``local``'s tree order), then country. Empty when ``world`` has no year
        up to ``year`` or no shared dimension.
    """
    earlier = [y for y in world.years if y <= year]
    if not earlier:
        return []
    world_year = earlier[-1]
    mine = local.to_records(year)
    theirs = world.to_records(world_year)
    out = []
    for code, name in shared_dimensions(local, world):
        key, world_key = _field(local, code) or "", _field(world, code) or ""
        values = [r[world_key] for r in theirs if r[world_key] is not None]
        for rec in mine:
            if rec[key] is None or not values:
                continue
            out.append(
                Standing(
                    country=rec["country"],
                    name=rec["name"],
                    dimension=code,
                    dimension_name=name,
                    year=year,
                    world_year=world_year,
                    value=float(rec[key]),
                    percentile=percentile(float(rec[key]), values),
                    countries=len(values),
                )
            )
    return out


def global_demo(
    scores: Scores | None = None,
    year: int | None = None,
    *,
    samples: int | None = None,
    top: int = 20,
) -> tuple[UncertaintyResult, str]:
    """Score the global example with intervals from the WGI standard errors.

    Parameters
    ----------
    scores : Scores, optional
        The global example as :func:`global_scores` scores it (default: scored here).
    year : int, optional
        Default: the latest year of the example (2023).
    samples : int, optional
        Monte Carlo runs (default: the example's ``[uncertainty]`` table, 1,000).
    top : int
        How many countries the world table shows.

    Returns
    -------
    (UncertaintyResult, str)
        The interval analysis and the text ``riskcore demo --global`` prints: the
        world's top ``top`` and where the eight post-Soviet hosts stand.
    """
    from riskcore.api import score
    from riskcore.assumptions import load_assumptions
    from riskcore.examples import example_path
    from riskcore.uncertainty import uncertainty_analysis

    scores = global_scores() if scores is None else scores
    y = scores.years[scores.year_index(year)]
    index = example_path("global") / "index.toml"
    # the year alone: fixed goalposts and no step that pools years, so its scores are those of
    # the whole panel, and the runs draw one year's data instead of twelve
    scores = score(index, scores.panel.select(years=[y]))
    assumptions = load_assumptions(index)
    result = uncertainty_analysis(scores, assumptions, samples=samples, year=y)
    ranked = [r["country"] for r in result.to_records() if r["rank"] is not None]
    scored = len(ranked)
    lines = [
        f"{scores.plan.name}, {y}: {scored} countries scored, rank 1 is the most fragile",
        f"90 % intervals from {result.runs} runs ({', '.join(result.factors)})",
        "",
        f"World top {min(top, scored)}",
        result.table(ranked[:top], bands=scores),
        "",
        "The eight hosts of the post-Soviet example",
        result.table([c for c in ranked if c in HOSTS], bands=scores),
    ]
    missing = [c for c in HOSTS if c not in ranked]
    if missing:
        lines += ["", f"Not scored in {y}: {', '.join(missing)}"]
    lines += [
        "",
        "Bands are the quintiles of all scored country-years 2012-2023 (see the index file).",
        "Rel.: reliability grade 0-10 (docs/partial-data.md).",
    ]
    return result, "\n".join(lines)
