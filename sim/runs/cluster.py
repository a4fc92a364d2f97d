"""Batch runs on a Dask distributed cluster (``run_many(..., address="tcp://HOST:PORT")``).

The chunks of runs that the local pool would run go to the cluster's workers as Dask
tasks (``run_chunk``, the same function); results come back as they finish. Each run's
seed depends only on its spec, so the numbers are those of the local pool. Dask is an
optional extra (``pip install -e '.[cluster]'``) and is imported only here, when a
cluster is asked for. Every worker needs this package installed, at the same version.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sim.runs.batch import CHUNKS_PER_WORKER, Task, chunks, run_chunk

EXTRA = "cluster"


def _client(address: str):
    try:
        from distributed import Client
    except ImportError:
        raise ImportError(
            f"address={address!r} needs Dask distributed, which is not installed; install "
            f"the optional extra: pip install -e '.[{EXTRA}]' (or run without address= "
            "for the local process pool)"
        ) from None
    if not isinstance(address, str) or "://" not in address:
        raise ValueError(
            f"address={address!r}: a Dask scheduler address such as tcp://127.0.0.1:8786"
        )
    try:
        return Client(address, set_as_default=False, timeout=30)
    except OSError as error:
        raise ConnectionError(
            f"address={address!r}: no Dask scheduler answered ({error}); start one "
            "(dask scheduler, or distributed.LocalCluster) or check the address"
        ) from None


def run_on_cluster(
    address: str, bases: dict[str, dict], tasks: list[Task]
) -> Iterator[tuple[int, str, Any]]:
    """Run the tasks on the cluster at ``address``, in chunks (a few per worker); yields
    each run's result as the chunks finish (``(index, status, value)``)."""
    client = _client(address)
    from distributed import as_completed

    try:
        workers = max(1, len(client.scheduler_info().get("workers", {})))
        futures = [
            client.submit(run_chunk, chunk_bases, chunk, pure=False)
            for chunk_bases, chunk in chunks(bases, tasks, workers * CHUNKS_PER_WORKER)
        ]
        for future in as_completed(futures, loop=client.loop):
            yield from future.result()
    finally:
        client.close()
