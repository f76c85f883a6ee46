"""Start-up of the quick commands: what riskcore's imports add to Python's own start.

    python benchmarks/bench_startup.py [--repeat 15]

For ``riskcore --help``, ``riskcore plugins`` and ``riskcore plugins`` without the entry points
(``RISKCORE_DISABLE_PLUGIN_AUTOLOAD=1``) it runs ``python -X importtime`` in fresh interpreters
and prints the import time the command adds on top of a bare ``python -c pass`` (the modules
Python itself imports at start are left out), split into riskcore's own modules, the installed
plugins' modules and everything else they pull in, each module at its least self time over
``--repeat`` runs (the least disturbed by other processes), and the wall time of the whole
command against ``python -c pass``. It also says whether numpy or pydantic was imported. The
floor is Python's start.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time

LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \| (\s*)(\S+)")


def imports(code: str, env: dict[str, str]) -> dict[str, int]:
    """Self import time in microseconds of every module a fresh interpreter imports."""
    run = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return {m[4]: int(m[1]) for m in map(LINE.match, run.stderr.splitlines()) if m}


def wall(code: str, env: dict[str, str], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], capture_output=True, env=env, check=True)
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    env = dict(os.environ)
    quiet = {**env, "RISKCORE_DISABLE_PLUGIN_AUTOLOAD": "1"}
    base = set(imports("pass", env))
    t_base = wall("pass", env, args.repeat)
    commands = [
        ("riskcore --help", "['--help']", env),
        ("riskcore plugins", "['plugins']", env),
        ("riskcore plugins (no entry points)", "['plugins']", quiet),
    ]
    print(f"Python's start (python -c pass): {t_base * 1000:.0f} ms wall (least of {args.repeat})")
    for label, argv, e in commands:
        code = (
            "import contextlib, io, riskcore.cli\n"
            f"with contextlib.redirect_stdout(io.StringIO()): riskcore.cli.main({argv})"
        )
        least: dict[str, int] = {}  # each module's least self time over the repeats
        heavy: set[str] = set()
        for _ in range(args.repeat):
            for m, t in imports(code, e).items():
                if m not in base:
                    least[m] = min(least.get(m, t), t)
        heavy = {m for m in least if m.split(".")[0] in ("numpy", "pydantic")}
        best = {
            "riskcore": sum(t for m, t in least.items() if m.split(".")[0] == "riskcore") / 1e6,
            "plugins": sum(t for m, t in least.items() if m.startswith("riskcore_")) / 1e6,
            "total": sum(least.values()) / 1e6,
        }
        best["other"] = best["total"] - best["riskcore"] - best["plugins"]
        t_cmd = wall(code, e, args.repeat)
        print(
            f"  {label:<36} imports on top of Python's start {best['total'] * 1000:6.1f} ms "
            f"(riskcore {best['riskcore'] * 1000:.1f}, plugins {best['plugins'] * 1000:.1f}, "
            f"other {best['other'] * 1000:.1f}) (target < 100 ms); wall {t_cmd * 1000:.0f} ms = "
            f"{t_cmd / t_base:.2f} x Python's start; numpy or pydantic imported: "
            f"{sorted({m.split('.')[0] for m in heavy}) or 'no'}"
        )


if __name__ == "__main__":
    main()
