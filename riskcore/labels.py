"""Finding countries and years by label: one lookup, one error, one message everywhere.

Every place that turns a country code or a year into a position (``Scores.explain``, the
analyses' ``year``, the command line's ``--year``, a scenario's ``countries`` and ``years``)
calls these, so a label that is not in the data is always a :class:`~riskcore.errors.LabelError`
with the same words.
"""

from __future__ import annotations

from collections.abc import Sequence

from riskcore.errors import LabelError

__all__ = ["country_position", "year_position"]


def year_position(
    years: Sequence[int], year: int | None, *, path: str | None = None, key: str | None = None
) -> int:
    """The position of ``year`` in ``years`` (None: the latest year, the last position).

    Parameters
    ----------
    years : sequence of int
        The data's years, ascending.
    year : int or None
    path, key : str, optional
        Where the year was asked for, for the message (a file and its key, or an option).

    Raises
    ------
    LabelError
        ``year 1999 is not in the data (years: 2019, 2020, ...)``.
    """
    if year is None:
        return len(years) - 1
    try:
        return list(years).index(int(year))
    except (ValueError, TypeError):
        span = ", ".join(map(str, years))
        raise LabelError(
            f"year {year} is not in the data (years: {span})", path=path, key=key
        ) from None


def country_position(
    countries: Sequence[str], country: str, *, path: str | None = None, key: str | None = None
) -> int:
    """The position of a country code (any case) in ``countries``.

    Raises
    ------
    LabelError
        ``country 'XYZ' is not in the data``.
    """
    try:
        return list(countries).index(str(country).strip().upper())
    except ValueError:
        raise LabelError(f"country '{country}' is not in the data", path=path, key=key) from None
