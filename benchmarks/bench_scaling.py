"""How the uncertainty analysis scales: time against countries, indicators and runs.

    python benchmarks/bench_scaling.py [--repeat 3]

A synthetic index (uniform random data in one year, 2 % missing; pillars of up to ten
indicators under the root; min-max per year; arithmetic means), and two uncertain factors:
+-25 % noise on every weight and arithmetic or geometric aggregation. Three sweeps from a base
of 200 countries, 6 indicators and 1,000 runs, each varying one size:

- countries 200, 2,000, 20,000;
- indicators 6, 50, 500;
- runs 1,000, 10,000, 100,000.

For each point it prints the median time of ``--repeat`` analyses (``uncertainty_analysis``,
its summaries included), and for each sweep the fitted exponent ``b`` of ``time ~ size^b``
over the whole sweep and between its two largest points (the large end: linear is 1, the
target is at most 1.1). The data are random numbers, not published figures: the benchmark
measures time, not risk.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import arguments, median_time

BASE = {"countries": 200, "indicators": 6, "runs": 1_000}
SWEEPS = {
    "countries": [200, 2_000, 20_000],
    "indicators": [6, 50, 500],
    "runs": [1_000, 10_000, 100_000],
}
ASSUMPTIONS = """
[uncertainty]
seed = 3
[[uncertainty.weights]]
relative = 0.25
[uncertainty.aggregation]
alternatives = ["arithmetic", "geometric"]
"""


def model(countries: int, indicators: int) -> tuple[Any, Any, Any]:
    """Nominal scores, assumptions and host of a synthetic index of this size."""
    import riskcore
    from riskcore.assumptions import parse_assumptions

    rng = np.random.default_rng(countries * 1_000 + indicators)
    values = rng.random((indicators, countries, 1))
    values[rng.random(values.shape) < 0.02] = np.nan
    codes = [f"x{i}" for i in range(indicators)]
    panel = riskcore.Panel(
        values=values,
        variables=tuple(codes),
        countries=tuple(f"Q{c:05d}" for c in range(countries)),
        years=(2020,),
        country_names={f"Q{c:05d}": f"Country {c}" for c in range(countries)},
    )
    pillars = [codes[i : i + 10] for i in range(0, indicators, 10)]
    text = [
        "[index]",
        'name = "Synthetic"',
        'code = "synthetic"',
        "scale = [0, 100]",
        "children = { " + ", ".join(f"p{j} = 1" for j in range(len(pillars))) + " }",
        "[defaults]",
        'normalize = { method = "minmax", per_year = true }',
        'aggregation = "arithmetic"',
    ]
    for j, kids in enumerate(pillars):
        text += [f"[node.p{j}]", "children = { " + ", ".join(f"{c} = 1" for c in kids) + " }"]
    text += [f'[indicator.{c}]\ndirection = "higher_is_riskier"' for c in codes]
    host = riskcore.PluginHost(autoload=False)
    nominal = riskcore.score(riskcore.parse_index("\n".join(text)), panel, host=host)
    return nominal, parse_assumptions(ASSUMPTIONS), host


def exponent(sizes: list[int], times: list[float]) -> float:
    """The least-squares slope of log(time) on log(size)."""
    b, _ = np.polyfit(np.log(sizes), np.log(times), 1)
    return float(b)


def main() -> None:
    args = arguments(__doc__ or "", "runs", BASE["runs"])
    from riskcore.uncertainty import uncertainty_analysis

    print(f"uncertainty analysis, weight noise and two aggregations; medians of {args.repeat}")
    for name, sizes in SWEEPS.items():
        times = []
        for size in sizes:
            dims = {**BASE, name: size}
            nominal, assumptions, host = model(dims["countries"], dims["indicators"])
            t, _ = median_time(
                lambda n=nominal, a=assumptions, h=host, r=dims["runs"]: uncertainty_analysis(
                    n, a, samples=r, host=h
                ),
                args.repeat,
            )
            times.append(t.cpu)
            print(
                f"  {name:<10} {size:>7}  ({dims['countries']} countries, {dims['indicators']} "
                f"indicators, {dims['runs']} runs)  {t.wall:8.3f} s wall {t.cpu:8.3f} s cpu"
            )
        large = math.log(times[-1] / times[-2]) / math.log(sizes[-1] / sizes[-2])
        print(
            f"  {name}: exponent of cpu time over the sweep {exponent(sizes, times):.2f}, "
            f"at the large end ({sizes[-2]} -> {sizes[-1]}) {large:.2f} (target <= 1.1)"
        )


if __name__ == "__main__":
    main()
