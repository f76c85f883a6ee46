"""Command-line values checked where they are parsed: every number against its allowed range.

A value out of range on the command line is a usage error (exit 2) naming the option and the
range, raised by :mod:`argparse` itself, so that no command ever sees ``--chunk 0`` or
``--seed -1`` and falls back to a default or fails deep inside numpy; the same ranges hold for
the options of the Python functions (:func:`run_settings`). Also here: the rule that
``--output`` never names one of the run's own input files.
"""

from __future__ import annotations

import argparse
import math
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from riskcore.errors import OptionError

__all__ = [
    "MIN_SAMPLES",
    "YEARS",
    "fraction",
    "interval_arguments",
    "output_over_input",
    "run_settings",
    "whole",
]

#: The fewest runs (or base size N) an analysis takes, as for ``samples`` in a file.
MIN_SAMPLES = 8
#: The years a data file may hold (the readers refuse others).
YEARS = (1000, 9999)


def _span(low: float | None, high: float | None, *, open_ends: bool = False) -> str:
    if low is not None and high is not None:
        return (
            f"strictly between {low:g} and {high:g}" if open_ends else f"from {low:g} to {high:g}"
        )
    if low is not None:
        return f"{'above' if open_ends else 'of at least'} {low:g}"
    assert high is not None
    return f"{'below' if open_ends else 'of at most'} {high:g}"


def whole(low: int | None = None, high: int | None = None) -> Callable[[str], int]:
    """An argparse ``type``: a whole number in ``low..high`` (either end may be open)."""
    where = _span(low, high)

    def parse(text: str) -> int:
        try:
            value = int(text.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected a whole number {where}, got {text!r}"
            ) from None
        if (low is not None and value < low) or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"must be a whole number {where}, got {value}")
        return value

    return parse


def fraction(low: float, high: float, *, open_ends: bool = False) -> Callable[[str], float]:
    """An argparse ``type``: a finite number in ``[low, high]`` (``(low, high)`` when
    ``open_ends``)."""
    where = _span(low, high, open_ends=open_ends)

    def parse(text: str) -> float:
        try:
            value = float(text.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number {where}, got {text!r}") from None
        inside = low < value < high if open_ends else low <= value <= high
        if not math.isfinite(value) or not inside:
            raise argparse.ArgumentTypeError(f"must be a number {where}, got {text.strip()}")
        return value

    return parse


def run_settings(assumptions: Any, options: Mapping[str, Any]) -> tuple[int, int, int | None]:
    """``(samples, seed, chunk)`` of an analysis: the options given, else the assumptions' own
    (``samples`` and ``seed`` of the file; chunk None: sized to the index,
    :func:`riskcore.chunks.default_chunk`); :class:`~riskcore.errors.OptionError` for a value
    out of the command line's ranges. The seed is then the seed of every draw, data noise
    included."""
    samples, seed = options.get("samples"), options.get("seed")
    n = assumptions.samples if samples is None else samples
    s = assumptions.seed if seed is None else seed
    chunk = options.get("chunk")
    for name, value, low in (("samples", n, MIN_SAMPLES), ("seed", s, 0), ("chunk", chunk, 1)):
        if value is not None and value < low:
            raise OptionError(f"{name} must be at least {low}, got {value}")
    return n, s, chunk


def output_over_input(output: str | None, inputs: Sequence[tuple[str, str | None]]) -> str | None:
    """The message refusing ``--output``, when it names one of the run's input files.

    Parameters
    ----------
    output : str or None
        The ``--output`` value (``-`` or None: standard output).
    inputs : sequence of (what, path)
        The run's input files, such as ``("data", "data.csv")``; None or ``-`` for none.

    Returns
    -------
    str or None
        The message, or None when the output is safe to write.
    """
    if not output or output == "-" or not Path(output).exists():
        return None
    if Path(output).is_dir():
        return f"--output {output} is a folder; name a file"
    for what, path in inputs:
        if path and path != "-" and Path(path).exists() and os.path.samefile(output, path):
            return (
                f"--output {output} is the {what} file of this run; writing there would "
                "destroy the input: choose another file"
            )
    return None


def interval_arguments(
    p: argparse.ArgumentParser, *, seed: bool = True, warnings: bool = False
) -> None:
    """--draws, --level, --seed and --no-intervals of the commands that show intervals, and
    with ``warnings`` --warnings (every integrity warning in full, not one line per kind)."""
    if warnings:
        p.add_argument(
            "--warnings",
            action="store_true",
            help="every integrity warning on standard error with its country, year and details "
            "(default: one line per kind of warning)",
        )
    p.add_argument(
        "--draws",
        type=whole(2, 10_000_000),
        default=1000,
        help="Monte Carlo runs of the intervals (default 1000)",
    )
    p.add_argument(
        "--level",
        type=fraction(0, 1, open_ends=True),
        default=0.9,
        help="central probability of the intervals (default 0.9: 5th to 95th percentile)",
    )
    if seed:
        p.add_argument("--seed", type=whole(0), help="the same seed gives the same intervals")
    p.add_argument(
        "--no-intervals",
        action="store_true",
        help="nominal scores only, without the Monte Carlo of the intervals",
    )
