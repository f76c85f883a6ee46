"""The Dask backend: chunks of Monte Carlo runs spread over a ``dask.distributed`` cluster.

Install with ``pip install 'riskcore[dask]'``. The model is sent to the workers once
(``scatter``), each task evaluates one chunk of rows of the design, and the chunks come back in
order, so the numbers are identical to the local backend for the same seed. Point it at a real
cluster with a client::

    from dask.distributed import Client
    client = Client("tcp://scheduler:8786")   # every worker needs riskcore and the plugins
    riskcore.uncertainty.sensitivity_analysis(scores, assumptions, backend="dask", client=client)

or ``riskcore sensitivity ... --scheduler tcp://scheduler:8786`` on the command line.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["map_chunks"]

FloatArray = NDArray[np.float64]


def _run_chunk(model: Any, x: FloatArray) -> tuple[FloatArray, FloatArray]:
    out: tuple[FloatArray, FloatArray] = model(x)
    return out


def map_chunks(
    model: Any,
    x: FloatArray,
    starts: Sequence[int],
    chunk: int,
    *,
    client: Any = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[tuple[FloatArray, FloatArray]]:
    """Evaluate ``model`` on chunks of ``x`` on a Dask cluster; results in chunk order."""
    try:
        import dask.distributed
    except ImportError:  # pragma: no cover - exercised without dask
        raise ImportError(
            "the dask backend needs dask.distributed: pip install 'riskcore[dask]'"
        ) from None
    dd: Any = dask.distributed  # untyped library
    client = client or dd.default_client()
    remote = client.scatter(model, broadcast=True)
    futures = [client.submit(_run_chunk, remote, x[s : s + chunk], pure=False) for s in starts]
    position = {f.key: i for i, f in enumerate(futures)}
    results: list[Any] = [None] * len(futures)
    done = 0
    for future in dd.as_completed(futures):
        i = position[future.key]
        results[i] = future.result()
        done += min(chunk, x.shape[0] - starts[i])
        if progress is not None:
            progress(done, x.shape[0])
    return results
