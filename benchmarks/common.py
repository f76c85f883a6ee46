"""What the benchmarks share: medians of repeated timings and peak memory in a fresh process.

Ratios, not absolute times, are the results: riskcore and its floor run on the same machine in
the same process, one after the other, repeated, and the medians compared. No timing is
asserted anywhere in the test suite.
"""

from __future__ import annotations

import argparse
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
    (:func:`report_peak`)."""
    cmd = [sys.executable, str(ROOT / "benchmarks" / script), "--child", *map(str, args)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def memory_lines(script: str, sizes: list[int], label: str) -> list[str]:
    """Peak memory of the analysis at each size (``script --child SIZE``), and the ratio of
    each to the first."""
    peaks = {s: peak_rss(script, s) for s in sizes}
    base = peaks[sizes[0]]["peak"] if sizes else 1.0
    lines = []
    for s in sizes:
        peak, before = peaks[s]["peak"], peaks[s]["before"]
        lines.append(
            f"  peak memory {label} = {s:>6}: {peak:7.1f} MiB resident during the analysis "
            f"(from {before:.1f} MiB: +{peak - before:.1f}); ratio to {label} = {sizes[0]}: "
            f"{peak / base:.2f} x (target <= 1.5 at 50000)"
        )
    return lines


def _status(field: str) -> float:
    """A field of /proc/self/status in MiB (Linux reports kB)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"{field} is not in /proc/self/status")


def report_peak(run: Callable[[], Any], size: int) -> None:
    """In a child process: the resident memory before ``run()`` and its peak during it (the
    peak is reset first, through /proc/self/clear_refs, so that reading the data does not
    count), printed as one JSON line for :func:`peak_rss`."""
    Path("/proc/self/clear_refs").write_text("5")
    before = _status("VmRSS")
    run()
    print(json.dumps({"size": size, "before": before, "peak": _status("VmHWM")}))


def arguments(doc: str, size: str, default: int) -> argparse.Namespace:
    """The options every benchmark takes: its size, --repeat, --memory, and --child."""
    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    parser.add_argument(f"--{size}", type=int, default=default)
    parser.add_argument("--repeat", type=int, default=3, help="timed repetitions (median)")
    parser.add_argument("--memory", default="1000,10000,50000", help="sizes for peak memory")
    parser.add_argument("--chunk", type=int, default=None)  # None: riskcore's default
    parser.add_argument("--loop-runs", type=int, default=30, help="runs timed for a loop")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    return parser.parse_args()


def ratio_line(label: str, ours: Timing, floor: Timing, target: float | None = None) -> str:
    """One printed line: both times, wall and CPU, and their ratios (and the target)."""
    goal = f"  (target <= {target:g})" if target is not None else ""
    return (
        f"  {label:<30} riskcore {ours.wall:7.3f} s wall {ours.cpu:7.3f} s cpu | floor "
        f"{floor.wall:7.3f} s wall {floor.cpu:7.3f} s cpu | ratio {ours.wall / floor.wall:5.2f} x "
        f"wall {ours.cpu / floor.cpu:5.2f} x cpu{goal}"
    )
