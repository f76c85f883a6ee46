"""Reading a long CSV file: riskcore.read_data against pandas.read_csv alone, in one run.

    python benchmarks/bench_read.py [--rows 600000] [--repeat 3]

Writes a long file of ``--rows`` rows (ISO countries x years x variables, each value with a
unit and a source, 2 % missing) to a temporary folder, then times, one after the other in this
process, ``pandas.read_csv`` of the file (the floor: parsing alone, no checks) and
``riskcore.read_data`` (parsing, every check, the panel with its provenance), and the
row-by-row reader that riskcore uses when pandas is missing or a check fails. It prints the
medians, wall and CPU, and the ratios to the floor.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import arguments, median_time, ratio_line


def write(path: Path, rows: int) -> None:
    from riskcore.countries import _iso3_names

    countries = sorted(_iso3_names())
    n_var = max(1, rows // (len(countries) * 40))
    n_year = -(-rows // (len(countries) * n_var))
    rng = np.random.default_rng(1)
    lines = ["country,year,variable,value,unit,source"]
    for v in range(n_var):
        for c in countries:
            for y in range(1990, 1990 + n_year):
                if len(lines) > rows:
                    break
                x = "" if rng.random() < 0.02 else f"{rng.normal(50, 20):.4f}"
                lines.append(f"{c},{y},v{v},{x},points,Survey {v % 7}")
    path.write_text("\n".join(lines[: rows + 1]) + "\n", encoding="utf-8")


def main() -> None:
    args = arguments(__doc__ or "", "rows", 600_000)
    import pandas as pd

    import riskcore
    from riskcore import fastread

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "long.csv"
        write(path, args.rows)
        floor, frame = median_time(lambda: pd.read_csv(path), args.repeat)
        ours, panel = median_time(lambda: riskcore.read_data(path), args.repeat)
        assert panel.values.size >= len(frame) and len(panel.provenance) == len(frame)
        real = fastread.read_long
        fastread.read_long = lambda *a, **k: None  # type: ignore[assignment]
        try:
            rows, slow = median_time(lambda: riskcore.read_data(path), 1)
        finally:
            fastread.read_long = real  # type: ignore[assignment]
        np.testing.assert_array_equal(slow.values, panel.values)
    print(f"read_data of a long file of {len(frame):,} rows, median of {args.repeat}:")
    print(ratio_line("vectorised (pandas)", ours, floor, target=None))
    print(ratio_line("row by row", rows, floor))


if __name__ == "__main__":
    main()
