"""Data uncertainty of a world governance index, against a tight numpy floor in the same run.

    python benchmarks/bench_uncertainty.py [--runs 10000] [--repeat 3] [--memory 1000,50000]

The model: the six World Governance Indicators estimates of /work/shared/data/governance_global
(213 countries, 25 years; its README gives the sources), each normalised between the fixed
goalposts -2.5 and 2.5 (lower is riskier), averaged with equal weights (at least half of the
weight present). Each run draws every estimate from a normal distribution around it with its
published standard error (``[uncertainty.data] standard_errors``); the outputs are the scores
and ranks of 2023 and their mean, median, 5 % and 95 % points per country.

No step of this index pools years (goalposts are fixed, nothing is imputed or treated), so
riskcore draws noise for 2023 alone; so does the floor.

It prints, each a median of ``--repeat`` runs in this process: riskcore's whole analysis
(``uncertainty_analysis``), the floor (the same computation as plain numpy, vectorised over all
runs at once, from the panel's 2023 estimates and errors, its own normal draws), the ratio of the
two, how far their per-country statistics are apart (different random draws: Monte Carlo error,
not a difference of method), and the peak resident memory of the analysis in fresh processes at
the ``--memory`` sizes.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import arguments, median_time, memory_lines, ratio_line, report_peak

DATA = Path("/work/shared/data/governance_global/wgi_2024_update.csv")
ESTIMATES = ("va", "pv", "ge", "rq", "rl", "cc")
YEAR = 2023
CHILDREN = ", ".join(f"wgi_{e}_est = 1" for e in ESTIMATES)
DIRECTIONS = "\n".join(f'[indicator.wgi_{e}_est]\ndirection = "negative"' for e in ESTIMATES)
ERRORS = ", ".join(f'wgi_{e}_est = "wgi_{e}_se"' for e in ESTIMATES)
INDEX = f"""
[index]
name = "Governance risk (WGI)"
code = "wgi_risk"
scale = [0, 100]
aggregation = "arithmetic"
min_coverage = 0.5
children = {{ {CHILDREN} }}
[defaults]
normalize = {{ method = "goalpost", lower = -2.5, upper = 2.5 }}
{DIRECTIONS}
[uncertainty]
seed = 1
[uncertainty.data]
name = "WGI standard errors"
standard_errors = {{ {ERRORS} }}
"""


def setup() -> tuple[Any, Any, Any]:
    import riskcore

    host = riskcore.PluginHost(autoload=False)
    spec = riskcore.parse_index(INDEX)
    panel = riskcore.read_data(DATA, extra_countries={"XKX": "Kosovo"})
    nominal = riskcore.score(spec, panel, host=host)
    assert spec.uncertainty is not None
    return host, nominal, spec.uncertainty


def floor_analysis(est: np.ndarray, se: np.ndarray, runs: int, seed: int) -> dict[str, Any]:
    """Scores, ranks and their statistics for ``runs`` runs at once; est, se (indicators, C)."""
    rng = np.random.default_rng(seed)
    draws = est + np.nan_to_num(se) * rng.standard_normal((runs, *est.shape))
    norm = 1.0 - np.clip((draws + 2.5) / 5.0, 0.0, 1.0)  # lower is riskier: reflected
    present = ~np.isnan(norm)
    share = present.mean(axis=1)
    with np.errstate(invalid="ignore"):
        score = 100.0 * np.nansum(norm, axis=1) / present.sum(axis=1)
    score[share + 1e-9 < 0.5] = np.nan
    neg = np.where(np.isnan(score), np.inf, -score)
    order = np.argsort(neg, axis=1)
    ordered = np.take_along_axis(neg, order, axis=1)
    heads = np.concatenate([np.ones((runs, 1), bool), np.diff(ordered, axis=1) != 0], axis=1)
    first = np.maximum.accumulate(heads * np.arange(neg.shape[1]), axis=1) + 1.0
    first[np.isinf(ordered)] = np.nan
    rank = np.empty_like(first)
    np.put_along_axis(rank, order, first, axis=1)
    ok = ~np.isnan(score[0])  # missing data are missing in every run
    stats: dict[str, Any] = {}
    for name, values in (("score", score), ("rank", rank)):
        q = np.full((3, values.shape[1]), np.nan)
        q[:, ok] = np.percentile(values[:, ok], [5, 50, 95], axis=0)
        stats[name] = {"mean": values.mean(axis=0), "p05": q[0], "median": q[1], "p95": q[2]}
    return stats


def child(runs: int) -> None:
    """Peak memory of one analysis of ``runs`` runs (run in a fresh process by peak_rss)."""
    from riskcore.uncertainty import uncertainty_analysis

    host, nominal, assumptions = setup()
    report_peak(lambda: uncertainty_analysis(nominal, assumptions, samples=runs, year=YEAR,
                                             host=host), runs)  # fmt: skip


def main() -> None:
    args = arguments(__doc__ or "", "runs", 10_000)
    if args.child is not None:
        child(args.child)
        return

    from riskcore.uncertainty import uncertainty_analysis

    host, nominal, assumptions = setup()
    panel = nominal.panel
    t = panel.years.index(YEAR)
    est = np.stack([panel[f"wgi_{e}_est"][:, t] for e in ESTIMATES])
    se = np.stack([panel[f"wgi_{e}_se"][:, t] for e in ESTIMATES])

    def ours() -> Any:
        return uncertainty_analysis(nominal, assumptions, samples=args.runs, year=YEAR, host=host)

    t_ours, result = median_time(ours, args.repeat)
    t_floor, floor = median_time(lambda: floor_analysis(est, se, args.runs, 1), args.repeat)
    gap = {
        f"{out} {k}": float(np.nanmax(np.abs(getattr(result, out)[k] - floor[out][k])))
        for out in ("score", "rank")
        for k in ("mean", "median")
    }
    scored = int(np.sum(~np.isnan(result.nominal_score)))
    print(
        f"WGI governance index: {len(panel.countries)} countries ({scored} scored in {YEAR}), "
        f"{len(panel.years)} years, {len(ESTIMATES)} estimates with standard errors"
    )
    print(f"data uncertainty: {result.runs} runs, scores and ranks of {YEAR}, medians of "
          f"{args.repeat}")  # fmt: skip
    print(ratio_line("whole analysis vs numpy floor", t_ours, t_floor, 3))
    print(
        "  riskcore and the floor draw differently; their statistics differ by Monte Carlo "
        "error only: max |diff| " + ", ".join(f"{k} {v:.2f}" for k, v in gap.items())
    )
    sizes = [int(s) for s in args.memory.split(",") if s]
    print("\n".join(memory_lines(Path(__file__).name, sizes, "runs")))


if __name__ == "__main__":
    main()
