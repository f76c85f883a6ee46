"""Sobol' analysis of the ASEM index at full size, against a tight numpy floor in the same run.

    python benchmarks/bench_sensitivity.py [--samples 10000] [--repeat 3] [--memory 1000,50000]

The model: the four-level ASEM index of examples/asem with the four uncertain assumptions of
examples/asem/uncertainty.toml (winsorising points 1-5; min-max or z-score; +-25 % noise on the
weights of two levels, one grouped factor; arithmetic or geometric aggregation). N base samples
give N (4 + 2) runs; the outputs are the mean absolute rank shift (500 bootstrap resamples) and
every country's score (100 resamples), as ``riskcore sensitivity`` computes them.

It prints, each a median of ``--repeat`` runs in this process:

- riskcore's whole analysis (model, design, runs, estimators, bootstrap intervals);
- the floor: the same analysis written as plain numpy in this file, vectorised over the runs of
  a chunk (no loop over runs), given riskcore's table of treated, normalised data for free (the
  data treatment is not what is measured; riskcore's time includes building it), with a
  resample-count matrix product for the bootstrap;
- their ratio, and whether both give the same scores and ranks;
- the ratio to a loop that re-scores once per run through the public API (``riskcore.score`` on
  an index file rewritten for the run), timed on ``--loop-runs`` runs and scaled;
- peak resident memory of the analysis in fresh processes at the ``--memory`` sizes.
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, arguments, median_time, memory_lines, ratio_line, report_peak

ASEM = ROOT / "examples" / "asem"


def setup() -> tuple[Any, Any, Any, Any]:
    import riskcore
    from riskcore.assumptions import load_assumptions

    host = riskcore.PluginHost(autoload=False)
    spec = riskcore.load_index(ASEM / "index.toml")
    panel = riskcore.read_data(ASEM / "asem.csv", group_columns=["EurAsia_group"])
    nominal = riskcore.score(spec, panel, host=host)
    return host, spec, nominal, load_assumptions(ASEM / "uncertainty.toml")


# -- the floor -----------------------------------------------------------------------------------


def floor_ranks(scores: np.ndarray) -> np.ndarray:
    """1 for the highest score of each row, ties sharing the lowest rank, NaN for NaN."""
    neg = -scores
    order = np.argsort(neg, axis=1)
    ordered = np.take_along_axis(neg, order, axis=1)
    heads = np.concatenate([np.ones((len(neg), 1), bool), np.diff(ordered, axis=1) != 0], axis=1)
    first = np.maximum.accumulate(heads * np.arange(neg.shape[1]), axis=1) + 1.0
    first[np.isnan(ordered)] = np.nan
    out = np.empty_like(first)
    np.put_along_axis(out, order, first, axis=1)
    return out


def floor_model(model: Any, x: np.ndarray, leaves_last: np.ndarray) -> np.ndarray:
    """Scores of a chunk of design rows: gather the table, weighted means up the tree."""
    plan = model.plan
    n_leaves = len(plan.leaves)
    runs = x.shape[0]
    picks, weights = {}, {n.code: np.tile(n.weights, (runs, 1)) for n in plan.nodes}
    start = 0
    for i, f in enumerate(model.factors):
        u = x[:, start : start + f.dim]
        start += f.dim
        if f.kind == "weights":
            for c, (j, k) in enumerate(model.weight_slots[i]):
                weights[plan.nodes[j].code][:, k] *= 1 + 0.25 * (2 * u[:, c] - 1)
        else:
            picks[f.kind] = np.minimum((u[:, 0] * f.choices).astype(int), f.choices - 1)
    varied = {plan.nodes[j].code for slots in model.weight_slots for j, _ in slots}
    missing = np.isnan(leaves_last)
    assert (missing == missing[:1, :1]).all()  # every alternative misses the same values
    order = np.argsort(picks["aggregation"], kind="stable")  # arithmetic runs, then geometric
    geo_from = int(np.searchsorted(picks["aggregation"][order], 1))
    values = leaves_last[picks["outliers"][order], picks["normalize"][order]]  # (runs, C, L)
    slots: list[np.ndarray] = []
    for node in plan.nodes:
        lo, hi = node.children[0], node.children[-1] + 1
        if hi <= n_leaves:
            kids = values[..., lo:hi]
        else:
            kids = np.stack([slots[c - n_leaves] for c in node.children], axis=-1)
        a, g = slice(None, geo_from), slice(geo_from, None)
        value = np.empty(kids.shape[:2])
        if node.code in varied or hi > n_leaves:  # weights or missing children differ by run
            w = weights[node.code][order]  # (runs, k)
            present = ~np.isnan(kids)
            # weighted sums over the children present as products over k (einsum): no
            # (runs, countries, k) temporaries for the weights
            carried = np.einsum("rck,rk->rc", present.astype(np.float64), w)
            share = carried / w.sum(axis=1)[:, None]
            with np.errstate(divide="ignore", invalid="ignore"):
                zero_filled = np.where(present[a], kids[a], 0.0)
                value[a] = np.einsum("rck,rk->rc", zero_filled, w[a]) / carried[a]
                logs = np.log(np.where(present[g], kids[g], 1.0))
                value[g] = np.exp(np.einsum("rck,rk->rc", logs, w[g]) / carried[g])
        else:  # fixed weights on leaves missing in the same places in every run: the
            # weights of the children present, normalised once, (countries, k)
            present1 = ~np.isnan(kids[0])
            w1 = np.where(present1, node.weights, 0.0)
            carried1 = w1.sum(axis=1)
            share = (carried1 / np.sum(node.weights))[np.newaxis]
            with np.errstate(divide="ignore", invalid="ignore"):
                w1 /= carried1[:, np.newaxis]
                zero_filled = np.where(present1, kids[a], 0.0)
                value[a] = np.einsum("rck,ck->rc", zero_filled, w1)
                logs = np.log(np.where(present1, kids[g], 1.0))
                value[g] = np.exp(np.einsum("rck,ck->rc", logs, w1))
        ok = (share + 1e-9 >= node.min_coverage) & (share > 0)
        slots.append(np.where(ok, value, np.nan))
    lo_s, hi_s = plan.scale
    out = np.empty((runs, values.shape[1]))
    out[order] = lo_s + (hi_s - lo_s) * slots[-1]
    return out


def floor_indices(
    y: np.ndarray, k: int, resamples: int, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Saltelli first order and Jansen total order, with percentile bootstrap intervals from
    one resample-count matrix product; ``y`` of shape (k + 2, n, outputs)."""
    n = y.shape[1]
    a, b, ab = y[0], y[1], y[2:]
    centre = a.mean(axis=0)
    ca, cb = a - centre, b - centre
    parts = [ca, cb, ca**2, cb**2, *(b * (ab - a)), *((a - ab) ** 2)]
    terms = np.stack(parts, axis=1).reshape(n, -1)
    draws = np.random.default_rng(seed).integers(0, n, (resamples, n))
    counts = np.bincount(
        (draws + n * np.arange(resamples)[:, None]).ravel(), minlength=n * resamples
    )
    sums = np.vstack([terms.sum(axis=0), counts.reshape(resamples, n) @ terms])
    sums = sums.reshape(resamples + 1, len(parts), -1) / n
    var = 0.5 * (sums[:, 2] + sums[:, 3]) - (0.5 * (sums[:, 0] + sums[:, 1])) ** 2
    first = sums[:, 4 : 4 + k] / var[:, None]
    total = 0.5 * sums[:, 4 + k :] / var[:, None]
    q = [0.025, 0.975]
    return first[0], total[0], np.quantile(first[1:], q, axis=0), np.quantile(total[1:], q, axis=0)


def floor_analysis(model: Any, x: np.ndarray, nominal_rank: np.ndarray, chunk: int) -> Any:
    """The whole analysis as plain numpy: runs in chunks, ranks, rank shift, indices."""
    leaves_last = np.ascontiguousarray(np.moveaxis(model.table[..., model.t], 2, -1))
    k = len(model.factors)
    scores = np.concatenate(
        [floor_model(model, x[s : s + chunk], leaves_last) for s in range(0, len(x), chunk)]
    )
    ranks = floor_ranks(scores)
    ok = ~np.isnan(nominal_rank)
    shift = np.mean(np.abs(ranks[:, ok] - nominal_rank[ok]), axis=1)
    n = len(x) // (k + 2)
    seed = model.assumptions.seed
    summary = floor_indices(shift.reshape(k + 2, n, 1), k, 500, seed)
    per_country = floor_indices(scores.reshape(k + 2, n, -1), k, 100, seed)
    return scores, ranks, summary, per_country


# -- the public API loop -------------------------------------------------------------------------


def loop_through_public_api(model: Any, spec: Any, panel: Any, x: np.ndarray) -> np.ndarray:
    """One riskcore.score per run, on an index file rewritten for the run's choices."""
    import riskcore

    base = spec.model_dump(exclude_none=True)
    out = []
    for r in range(x.shape[0]):
        doc = copy.deepcopy(base)
        start = 0
        for i, f in enumerate(model.factors):
            u = x[r, start : start + f.dim]
            start += f.dim
            pick = min(int(u[0] * f.choices), f.choices - 1) if f.choices else 0
            if f.kind == "outliers":
                doc["defaults"]["outliers"] = {"method": "winsorise", "max_points": 1 + pick}
            elif f.kind == "normalize":
                doc["defaults"]["normalize"] = (
                    {"method": "minmax"} if pick == 0 else {"method": "zscore", "mean": 10, "sd": 2}
                )
            elif f.kind == "aggregation":
                method = {"method": ("arithmetic", "geometric")[pick]}
                doc["defaults"]["aggregation"] = doc["index"]["aggregation"] = method
                for node in doc["node"].values():
                    node["aggregation"] = method
            elif f.kind == "weights":
                for c, (j, k) in enumerate(model.weight_slots[i]):
                    node = model.plan.nodes[j]
                    last = j == len(model.plan.nodes) - 1
                    section = doc["index"] if last else doc["node"][node.code]
                    section["children"] = dict(section["children"])
                    section["children"][node.child_codes[k]] = float(node.weights[k]) * (
                        1 + 0.25 * (2 * u[c] - 1)
                    )
        out.append(riskcore.score(riskcore.parse_index(doc), panel).score[:, -1])
    return np.array(out)


# -- main ----------------------------------------------------------------------------------------


def child(samples: int) -> None:
    """Peak memory of one analysis at ``samples`` (run in a fresh process by peak_rss)."""
    from riskcore.uncertainty import sensitivity_analysis

    host, _, nominal, assumptions = setup()
    report_peak(lambda: sensitivity_analysis(nominal, assumptions, samples=samples, host=host),
                samples)  # fmt: skip


def main() -> None:
    args = arguments(__doc__ or "", "samples", 10_000)
    if args.child is not None:
        child(args.child)
        return

    from riskcore.chunks import default_chunk
    from riskcore.sensitivity import saltelli_design
    from riskcore.uncertainty import IndexModel, sensitivity_analysis

    host, spec, nominal, assumptions = setup()
    n = args.samples
    model = IndexModel(nominal.plan, nominal.panel, assumptions, host=host)
    # riskcore's default chunk unless --chunk: both sides evaluate chunks of the same runs
    runs, nodes = n * (len(model.factors) + 2), len(nominal.plan.nodes)
    chunk = args.chunk or default_chunk(runs, model.values_per_run, nodes=nodes)

    def ours() -> Any:
        return sensitivity_analysis(nominal, assumptions, samples=n, chunk=chunk, host=host)

    x = saltelli_design(model.dims, n, assumptions.seed)
    nominal_rank = model.nominal()[1]

    def floor() -> Any:
        return floor_analysis(model, x, nominal_rank, chunk)

    t_ours, result = median_time(ours, args.repeat)
    t_floor, (f_scores, f_ranks, _, f_country) = median_time(floor, args.repeat)
    r_scores, r_ranks = model(x[:chunk])
    same_scores = float(np.nanmax(np.abs(r_scores - f_scores[:chunk])))
    same_ranks = np.array_equal(r_ranks, f_ranks[:chunk], equal_nan=True)
    index_gap = float(np.nanmax(np.abs(result.per_country.first - f_country[0].reshape(4, -1))))

    sample = x[: args.loop_runs]
    t_loop, looped = median_time(
        lambda: loop_through_public_api(model, spec, nominal.panel, sample), 1
    )
    t_loop = t_loop.wall / len(sample) * result.runs
    loop_gap = float(np.nanmax(np.abs(looped - r_scores[: len(sample)])))

    print(f"ASEM index: {len(nominal.countries)} countries, {len(nominal.plan.leaves)} indicators")
    print(f"factors: {', '.join(model.names)}")
    print(
        f"Sobol' analysis: N = {n}, {result.runs} model runs, chunk {chunk} runs, "
        f"medians of {args.repeat}"
    )
    print(ratio_line("whole analysis vs numpy floor", t_ours, t_floor, 3))
    print(
        f"  same scores as the floor: max |diff| {same_scores:.1e}; same ranks: {same_ranks}; "
        f"per-country first-order indices max |diff| {index_gap:.1e}"
    )
    print(
        f"  loop via public API {t_loop:8.1f} s  ({t_loop / result.runs * 1000:.1f} ms per run "
        f"on {len(sample)} runs, scaled; max |diff| {loop_gap:.1e}): "
        f"ratio loop / riskcore {t_loop / t_ours.wall:.0f} x (target >= 100)"
    )
    sizes = [int(s) for s in args.memory.split(",") if s]
    print("\n".join(memory_lines(Path(__file__).name, sizes, "N")))
    print("")
    print(result)


if __name__ == "__main__":
    main()
