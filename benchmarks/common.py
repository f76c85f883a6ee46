"""What the benchmarks share: medians of repeated timings and peak memory in a fresh process.

Ratios, not absolute times, are the results: riskcore and its floor run on the same machine in
the same process, one after the other, repeated, and the medians compared. No timing is
asserted anywhere in the test suite.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


class Timing:
    """Median wall and CPU (this process, all its threads) seconds of repeated calls.

    On a shared machine the wall time includes waiting for a core; the CPU time does not,
    so both are printed, and the ratio of each."""

    def __init__(self, wall: list[float], cpu: list[float]) -> None:
        self.wall, self.cpu = statistics.median(wall), statistics.median(cpu)


def median_time(run: Callable[[], Any], repeat: int) -> tuple[Timing, Any]:
    """The median times of ``repeat`` calls, and what the last call returned."""
    wall, cpu, out = [], [], None
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        out = run()
        wall.append(time.perf_counter() - w0)
        cpu.append(time.process_time() - c0)
    return Timing(wall, cpu), out


def peak_rss(script: str, *args: object) -> dict[str, Any]:
    """Run ``benchmarks/<script> --child ARGS`` in a fresh interpreter; it prints one JSON line
    with its peak resident memory (``ru_maxrss``) after its imports and after its work."""
    cmd = [sys.executable, str(ROOT / "benchmarks" / script), "--child", *map(str, args)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def rss_mib() -> float:
    """This process's peak resident memory so far, in MiB (Linux reports KiB)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def ratio_line(label: str, ours: Timing, floor: Timing, target: float | None = None) -> str:
    """One printed line: both times, wall and CPU, and their ratios (and the target)."""
    goal = f"  (target <= {target:g})" if target is not None else ""
    return (
        f"  {label:<30} riskcore {ours.wall:7.3f} s wall {ours.cpu:7.3f} s cpu | floor "
        f"{floor.wall:7.3f} s wall {floor.cpu:7.3f} s cpu | ratio {ours.wall / floor.wall:5.2f} x "
        f"wall {ours.cpu / floor.cpu:5.2f} x cpu{goal}"
    )
