"""Where the bundled examples live once riskcore is installed."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

__all__ = ["example_path"]


def example_path(name: str) -> Path:
    """The folder of a bundled example (``post_soviet``), installed as ``riskcore_examples``."""
    return Path(str(files(f"riskcore_examples.{name}")))
