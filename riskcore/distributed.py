"""The Dask backend: chunks of Monte Carlo runs spread over a ``dask.distributed`` cluster.

Install with ``pip install 'riskcore[dask]'``. The model is sent to the workers once
(``scatter``), each task evaluates one chunk of rows of the design, and the chunks are taken
back in the design's order and summed as on the local backend, so the numbers are identical to
the local backend for the same seed (on workers with the same vector instructions: numpy's
vectorised logarithm may differ in the last bit elsewhere, docs/uncertainty.md). Point it at a
real cluster with a client::

    from dask.distributed import Client
    client = Client("tcp://scheduler:8786")   # every worker needs riskcore and the plugins
    riskcore.uncertainty.sensitivity_analysis(scores, assumptions, backend="dask", client=client)

or ``riskcore sensitivity ... --scheduler tcp://scheduler:8786`` on the command line.

Memory trimming
---------------
``distributed`` starts its worker processes with ``MALLOC_TRIM_THRESHOLD_=65536``
(``distributed.nanny.pre-spawn-environ``), so that glibc returns freed memory to the system
at once. A chunk of runs allocates and frees temporaries of tens of megabytes, so every chunk
then maps and faults its pages afresh, which made the workers slower than one local process.
The clusters riskcore starts itself (:func:`local_client`, ``--workers``) leave the variable
unset, so glibc's own adaptive threshold applies (freed temporaries are reused by the next
chunk; a worker's resident memory stays at about one chunk's temporaries). A cluster you start
keeps its configuration: set ``distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_``
(or the variable itself, in the workers' environment) to a large value there for the same
effect.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from riskcore.errors import ExtraError

__all__ = ["local_client", "map_chunks", "threads"]

FloatArray = NDArray[np.float64]


def _dask() -> Any:
    try:
        import dask.distributed
    except ImportError:  # pragma: no cover - exercised without dask
        raise ExtraError(
            "the dask backend needs dask.distributed: pip install 'riskcore[dask]'"
        ) from None
    return dask.distributed  # untyped library


def _run_chunk(model: Any, x: FloatArray) -> tuple[FloatArray, FloatArray]:
    out: tuple[FloatArray, FloatArray] = model(x)
    return out


def map_chunks(
    model: Any, parts: Sequence[FloatArray], *, client: Any = None
) -> Iterator[tuple[FloatArray, FloatArray]]:
    """Evaluate ``model`` on each part of a design on a Dask cluster; results in part order.

    Every part is submitted at once; the results are taken in order (the workers keep
    computing meanwhile) and released as soon as taken, so the client holds one at a time
    (the cluster may hold every finished result not yet taken). The model is scattered under
    a key of its own each time (``hash=False``): a pass that follows another (summarised
    runs) does not reuse a key the last one is releasing.
    """
    dd = _dask()
    client = client or dd.default_client()
    remote = client.scatter(model, broadcast=True, hash=False)
    futures = [client.submit(_run_chunk, remote, p, pure=False) for p in parts]
    for i, future in enumerate(futures):
        yield future.result()
        futures[i] = None  # release the result on the cluster
        future.release()


def threads(client: Any = None) -> int:
    """The number of threads of a cluster's workers (at least 1).

    Parameters
    ----------
    client : dask.distributed.Client, optional
        None: Dask's default client.
    """
    client = client or _dask().default_client()
    return max(1, sum(int(n) for n in client.nthreads().values()))


def local_client(workers: int) -> Any:
    """A client of a new local cluster of ``workers`` processes, one thread each, whose workers
    start without ``distributed``'s ``MALLOC_TRIM_THRESHOLD_`` (see the module notes)."""
    import dask

    dd = _dask()
    environ = dict(dask.config.get("distributed.nanny.pre-spawn-environ", default={}) or {})
    environ.pop("MALLOC_TRIM_THRESHOLD_", None)
    with dask.config.set({"distributed.nanny.pre-spawn-environ": environ}):
        cluster = dd.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True)
    return dd.Client(cluster)
