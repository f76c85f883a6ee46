"""The ASEM Sobol' analysis on a 2-worker Dask cluster against the local backend, same process.

    python benchmarks/bench_dask.py [--samples 10000] [--repeat 3] [--workers 2]

It prints, each a median of ``--repeat`` analyses (the clusters are started before timing):

- the local backend;
- the Dask backend on a cluster riskcore starts (``riskcore.distributed.local_client``: workers
  without ``distributed``'s ``MALLOC_TRIM_THRESHOLD_=65536``), and its ratio to local
  (target: no slower, ratio <= 1);
- the Dask backend on a cluster with ``distributed``'s defaults, for comparison;
- whether each gives byte-identical results to local (the JSON of the result, every index and
  interval).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_sensitivity import setup
from common import arguments, median_time


def main() -> None:
    args = arguments(__doc__ or "", "samples", 10_000)
    import dask.distributed as dd

    from riskcore.distributed import local_client
    from riskcore.uncertainty import sensitivity_analysis

    host, _, nominal, assumptions = setup()
    n = args.samples

    def run(**backend: Any) -> Any:
        return sensitivity_analysis(
            nominal, assumptions, samples=n, chunk=args.chunk, host=host, **backend
        )

    t_local, local = median_time(run, args.repeat)
    reference = json.dumps(local.to_dict(), sort_keys=True)
    chunk = args.chunk or "riskcore's default"
    print(f"ASEM Sobol' analysis, N = {n} ({local.runs} runs), chunk {chunk}, medians of "
          f"{args.repeat}")  # fmt: skip
    print(f"  local backend {t_local.wall:7.2f} s wall {t_local.cpu:7.2f} s cpu")
    workers = 2
    clients = [
        ("riskcore's cluster (no trim threshold)", local_client(workers)),
        (
            "distributed's defaults",
            dd.Client(dd.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True)),
        ),
    ]
    for label, client in clients:
        try:
            run(backend="dask", client=client)  # warm: the model reaches the workers once
            t, remote = median_time(lambda c=client: run(backend="dask", client=c), args.repeat)
            same = json.dumps(remote.to_dict(), sort_keys=True) == reference
            same = same and all(
                getattr(getattr(remote, part), a).tobytes()
                == getattr(getattr(local, part), a).tobytes()
                for part in ("summary", "per_country")
                for a in ("first", "total", "first_ci", "total_ci")
            )
            print(
                f"  dask, {workers} workers, {label:<38} {t.wall:7.2f} s wall: ratio to local "
                f"{t.wall / t_local.wall:5.2f} x (target <= 1); byte-identical results: {same}"
            )
        finally:
            client.close()
            client.cluster.close()


if __name__ == "__main__":
    main()
