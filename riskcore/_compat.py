"""What differs between the Python versions riskcore supports (3.10 and later)."""

from __future__ import annotations

import sys

if sys.version_info >= (3, 11):
    import tomllib as tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = ["tomllib"]
