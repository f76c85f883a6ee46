"""ISO 3166-1 alpha-3 country codes and names, from pycountry.

Codes outside ISO 3166-1 that statistics offices use (Kosovo ``XKX``) are accepted only when the
caller declares them, with a name.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

__all__ = ["country_name", "is_iso3"]


@lru_cache(maxsize=1)
def _iso3_names() -> Mapping[str, str]:
    import pycountry  # imported here: reading its database is only needed when data are read

    names: dict[str, str] = {}
    for c in pycountry.countries:
        names[c.alpha_3] = getattr(c, "common_name", None) or c.name
    return names


def is_iso3(code: str) -> bool:
    """Return True when ``code`` (upper case) is an ISO 3166-1 alpha-3 code."""
    return code in _iso3_names()


def country_name(code: str, extra: Mapping[str, str] | None = None) -> str:
    """Return the common English name of an ISO 3166-1 alpha-3 code.

    Parameters
    ----------
    code : str
        Upper-case alpha-3 code.
    extra : mapping, optional
        Declared user-assigned codes and their names, such as ``{"XKX": "Kosovo"}``.

    Returns
    -------
    str
        The name, or the code itself when it is unknown.
    """
    if extra and code in extra:
        return extra[code]
    return _iso3_names().get(code, code)
