"""Sobol' analysis of the ASEM index at full size, against two baselines in the same run.

    python benchmarks/bench_sensitivity.py [--samples 10000] [--loop-runs 60]

The model: the four-level ASEM index of examples/asem with the four uncertain assumptions of
examples/asem/uncertainty.toml (winsorising points 1-5; min-max or z-score; +-25 % noise on the
weights of two levels, one grouped factor; arithmetic or geometric aggregation).
N base samples give N (4 + 2) runs.

It prints:

- wall time and peak memory (Python allocations, tracemalloc) of riskcore's batched analysis;
- the ratio to a loop that re-scores once per run through the public API (riskcore.score on an
  index file rewritten for that run). The loop is timed on ``--loop-runs`` runs and its cost per
  run scaled to the full design, because running it in full takes many minutes;
- the ratio to a minimal hand-written numpy evaluation of the same model over the same design
  (the same treated inputs, normalisation table and per-run choices, one vectorised pass, no
  riskcore engine), timed in full.

Ratios, not absolute times, are the result: both baselines run on the same machine in the same
process. No timing is asserted anywhere in the test suite.
"""

from __future__ import annotations

import argparse
import copy
import time
import tracemalloc
from pathlib import Path

import numpy as np

import riskcore
from riskcore.assumptions import load_assumptions
from riskcore.sensitivity import saltelli_design
from riskcore.uncertainty import IndexModel, sensitivity_analysis

ASEM = Path(__file__).resolve().parents[1] / "examples" / "asem"


def loop_through_public_api(
    model: IndexModel, spec: riskcore.IndexSpec, panel: riskcore.Panel, x: np.ndarray
) -> np.ndarray:
    """One riskcore.score per run, on an index file rewritten for the run's choices."""
    base = spec.model_dump(exclude_none=True)
    out = []
    cols = model._columns(x)
    for r in range(x.shape[0]):
        doc = copy.deepcopy(base)
        for i, f in enumerate(model.factors):
            u = cols[f"{f.kind}:{i}"][r]
            if f.kind == "outliers":
                points = 1 + min(int(u[0] * f.choices), f.choices - 1)
                doc["defaults"]["outliers"] = {"method": "winsorise", "max_points": points}
            elif f.kind == "normalize":
                pick = min(int(u[0] * f.choices), f.choices - 1)
                doc["defaults"]["normalize"] = (
                    {"method": "minmax"} if pick == 0 else {"method": "zscore", "mean": 10, "sd": 2}
                )
            elif f.kind == "aggregation":
                pick = min(int(u[0] * f.choices), f.choices - 1)
                method = ("arithmetic", "geometric")[pick]
                doc["defaults"]["aggregation"] = {"method": method}
                doc["index"]["aggregation"] = {"method": method}
                for node in doc["node"].values():
                    node["aggregation"] = {"method": method}
            elif f.kind == "weights":
                for c, (j, k) in enumerate(model.weight_slots[i]):
                    node = model.plan.nodes[j]
                    section = (
                        doc["index"] if j == len(model.plan.nodes) - 1 else doc["node"][node.code]
                    )
                    child = node.child_codes[k]
                    section["children"] = dict(section["children"])
                    section["children"][child] = float(node.weights[k]) * (
                        1 + 0.25 * (2 * u[c] - 1)
                    )
        scores = riskcore.score(riskcore.parse_index(doc), panel)
        out.append(scores.score[:, -1])
    return np.array(out)


def hand_written_numpy(model: IndexModel, x: np.ndarray) -> np.ndarray:
    """The same model as plain numpy: gather the normalised table, weighted means up the tree."""
    assert model.table is not None
    plan = model.plan
    cols = model._columns(x)
    picks = {}
    weights = {n.code: np.tile(n.weights, (x.shape[0], 1)) for n in plan.nodes}
    for i, f in enumerate(model.factors):
        u = cols[f"{f.kind}:{i}"]
        if f.kind == "weights":
            for c, (j, k) in enumerate(model.weight_slots[i]):
                weights[plan.nodes[j].code][:, k] *= 1 + 0.25 * (2 * u[:, c] - 1)
        else:
            picks[f.kind] = np.minimum((u[:, 0] * f.choices).astype(int), f.choices - 1)
    values = model.table[picks["outliers"], picks["normalize"]][:, :, :, -1]  # (runs, L, C)
    geometric = (picks["aggregation"] == 1)[:, None]
    slots = list(np.moveaxis(values, 1, 0))  # per leaf: (runs, C)
    for node in plan.nodes:
        kids = np.stack([slots[c] for c in node.children], axis=-1)  # (runs, C, k)
        w = weights[node.code][:, None, :]
        present = ~np.isnan(kids)
        w = np.where(present, w, 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            w = w / w.sum(axis=-1, keepdims=True)
            filled = np.where(present, kids, 1.0)
            arith = np.sum(w * filled, axis=-1)
            geo = np.exp(np.sum(np.where(w > 0, w * np.log(filled), 0.0), axis=-1))
        value = np.where(geometric, geo, arith)
        slots.append(np.where(present.any(axis=-1), value, np.nan))
    lo, hi = plan.scale
    result: np.ndarray = lo + (hi - lo) * slots[-1]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--samples", type=int, default=10_000, help="base sample size N")
    parser.add_argument("--loop-runs", type=int, default=60, help="runs timed for the loop")
    parser.add_argument("--chunk", type=int, default=2048)
    args = parser.parse_args()

    host = riskcore.PluginHost(autoload=False)
    spec = riskcore.load_index(ASEM / "index.toml")
    panel = riskcore.read_data(ASEM / "asem.csv", group_columns=["EurAsia_group"])
    nominal = riskcore.score(spec, panel, host=host)
    assumptions = load_assumptions(ASEM / "uncertainty.toml")

    t0 = time.perf_counter()
    result = sensitivity_analysis(
        nominal, assumptions, samples=args.samples, chunk=args.chunk, host=host
    )
    wall = time.perf_counter() - t0
    runs = result.runs
    # peak memory in a second, traced run (tracing slows allocation, so it is not timed)
    tracemalloc.start()
    sensitivity_analysis(nominal, assumptions, samples=args.samples, chunk=args.chunk, host=host)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    model = IndexModel(nominal.plan, nominal.panel, assumptions, host=host)
    x = saltelli_design(model.dims, args.samples, assumptions.seed)
    t0 = time.perf_counter()
    riskcore_scores, _ = model(x[: args.chunk])  # the engine alone, for the numpy comparison
    for s in range(args.chunk, x.shape[0], args.chunk):
        model(x[s : s + args.chunk])
    engine = time.perf_counter() - t0

    t0 = time.perf_counter()
    numpy_scores = hand_written_numpy(model, x)
    numpy_time = time.perf_counter() - t0
    agree = np.allclose(numpy_scores[: args.chunk], riskcore_scores, equal_nan=True)

    sample = x[: args.loop_runs]
    t0 = time.perf_counter()
    looped = loop_through_public_api(model, spec, panel, sample)
    loop_time = (time.perf_counter() - t0) / len(sample) * runs
    loop_agree = np.allclose(looped, riskcore_scores[: len(sample)], equal_nan=True)

    print(f"ASEM index: {len(nominal.countries)} countries, {len(nominal.plan.leaves)} indicators")
    print(f"factors: {', '.join(model.names)}")
    print(f"Sobol' analysis: N = {args.samples}, {runs} model runs, chunk {args.chunk}")
    print(f"  wall time            {wall:8.2f} s  (model, design, runs, estimators, bootstrap)")
    print(f"  peak memory          {peak / 2**20:8.1f} MiB (Python allocations)")
    print(f"  engine alone         {engine:8.2f} s  for {runs} runs")
    print(
        f"  loop via public API  {loop_time:8.1f} s  (timed on {len(sample)} runs, "
        f"{loop_time / runs * 1000:.1f} ms per run, scaled to {runs}; same scores: {loop_agree})"
    )
    print(f"  hand-written numpy   {numpy_time:8.2f} s  (same scores: {agree})")
    print(f"  ratio loop / riskcore analysis {loop_time / wall:8.0f} x  (target >= 100)")
    print(f"  ratio riskcore engine / numpy  {engine / numpy_time:8.2f} x  (target <= 3)")
    print("")
    print(result)


if __name__ == "__main__":
    main()
