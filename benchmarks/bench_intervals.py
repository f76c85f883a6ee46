"""Intervals against the nominal score, measured in one run.

    python benchmarks/bench_intervals.py [--repeat 3] [--draws 1000]

For two cases it times the nominal score alone (``riskcore.score(..., intervals=False)``, from
the data file to the scores, as ``riskcore score`` works) and the score with ``--draws``-run
intervals (the same, then the Monte Carlo through the batched engine), and prints the ratio
(target <= 5):

- the bundled post-Soviet example, with every value given a +-10 % uncertainty
  (``[defaults.unranged] observed = 0.1``): its indicators are plugins, so the runs compute
  them again, all the runs of a chunk in one call (they declare ``per_country``, so the runs
  are treated as extra countries: :mod:`riskcore.batched`);
- a synthetic panel of 200 countries x 10 years x 6 variables, each value with a standard
  error (the ``se`` column), under an index of raw variables: runs are drawn on the leaves and
  evaluated as whole batches.

Both run with the default chunk (``IntervalOptions.chunk = None``: about 2**19 leaf values per
chunk, which measured fastest here).

It also prints the peak memory of the synthetic case in fresh processes for 1,000, 4,000 and
20,000 draws at the default chunk, first keeping the runs (``keep_bytes=2**28``, the default:
12 bytes per run, country and year, so 3,000 more draws of the 200 countries x 10 years add
69 MiB, and 20,000 draws would need 458 MiB), then summarising them in passes
(``keep_bytes=0``: :mod:`riskcore.streaming`, the same numbers in a few passes more), whose
peak does not grow with the draws. By default the runs are kept up to 256 MiB and summarised
beyond, so the 20,000-draw line of the first kind is summarised too.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import median_time, peak_rss, ratio_line, report_peak

import riskcore
from riskcore.examples import example_path
from riskcore.intervals import IntervalOptions

VARIABLES = 6


def synthetic(folder: Path, n_countries: int = 200, n_years: int = 10) -> tuple[Path, Path]:
    """A long CSV with a standard error per value, and an index over its raw variables."""
    import pycountry

    codes = sorted(c.alpha_3 for c in pycountry.countries)[:n_countries]
    rng = np.random.default_rng(7)
    rows = ["country,year,variable,value,se"]
    for v in range(VARIABLES):
        level = rng.normal(0, 1, n_countries)
        for c, code in enumerate(codes):
            for y in range(n_years):
                value = level[c] + 0.1 * rng.normal()
                rows.append(f"{code},{2010 + y},x{v},{value:.4f},{abs(rng.normal(0.2, 0.05)):.4f}")
    data = folder / "panel.csv"
    data.write_text("\n".join(rows) + "\n")
    index = folder / "index.toml"
    index.write_text(
        '[index]\nname = "Synthetic"\nchildren = ["a", "b"]\n'
        '[node.a]\nchildren = ["x0", "x1", "x2"]\n'
        '[node.b]\naggregation = "geometric"\nchildren = ["x3", "x4", "x5"]\n'
        '[defaults]\nnormalize = "minmax"\n'
        + "".join(f'[indicator.x{v}]\ndirection = "higher_is_riskier"\n' for v in range(VARIABLES))
    )
    return index, data


def example(folder: Path) -> tuple[riskcore.IndexSpec, Path]:
    source = example_path("post_soviet")
    text = (source / "index.toml").read_text() + "\n[defaults.unranged]\nobserved = 0.1\n"
    if "[defaults]" in (source / "index.toml").read_text():
        raise SystemExit("the example has a [defaults] table: add the key there instead")
    return riskcore.parse_index(text, path=str(source / "index.toml")), source / "inputs.csv"


def case(label: str, index: object, data: Path, draws: int, repeat: int) -> None:
    options = IntervalOptions(draws=draws)
    nominal, _ = median_time(lambda: riskcore.score(index, data, intervals=False), repeat)  # type: ignore[arg-type]

    def with_intervals() -> object:
        s = riskcore.score(index, data, intervals=options)  # type: ignore[arg-type]
        assert s.runs, "nothing uncertain: no intervals"
        return s

    full, scores = median_time(with_intervals, repeat)
    print(ratio_line(f"{label}: {draws} draws", full, nominal, target=5))
    found = scores.intervals()  # type: ignore[attr-defined]
    width = np.nanmedian(found["score_high"] - found["score_low"])
    print(f"  {'':<30} median 90% interval width {width:.2f} points, {found['runs']} runs")


def child(draws: int, keep: int) -> None:
    """Measure one synthetic run's peak memory (run in a fresh interpreter)."""
    with tempfile.TemporaryDirectory() as tmp:
        index, data = synthetic(Path(tmp))
        riskcore.score(index, data, intervals=False)

        def run() -> None:
            options = IntervalOptions(draws=draws, keep_bytes=2**28 if keep else 0)
            assert riskcore.score(index, data, intervals=options).intervals() is not None

        report_peak(run, draws)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--child", nargs=2, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    print(f"Intervals against the nominal score (medians of {args.repeat} runs)")
    with tempfile.TemporaryDirectory() as tmp:
        index, data = example(Path(tmp))
        case("post-Soviet example", index, data, args.draws, args.repeat)
        s_index, s_data = synthetic(Path(tmp))
        case("200 countries, SEs", s_index, s_data, args.draws, args.repeat)
    print("\nPeak memory of the synthetic case (MiB resident, fresh processes: before, peak)")
    for keep, label in ((1, "runs kept up to 256 MiB"), (0, "runs summarised")):
        for draws in (1000, 4000, 20000):
            m = peak_rss("bench_intervals.py", draws, keep)
            print(
                f"  {label:<24} draws {draws:>6}: {m['before']:7.1f} -> {m['peak']:7.1f}"
                f"  (+{m['peak'] - m['before']:.1f})"
            )


if __name__ == "__main__":
    main()
