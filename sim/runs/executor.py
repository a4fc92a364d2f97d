"""Where batch work runs: one interface over this process, a local pool and a Dask cluster.

Every batch of independent runs (a country's provinces, ``sim.api.run_many``'s chunks,
and through it sensitivity analyses, optimisation, calibration and forecasts) goes
through :func:`executor`::

    with executor(workers=2) as where:                    # a local process pool
        results = list(where.map(function, items))       # in the order of ``items``
    with executor(cluster="tcp://HOST:8786") as where:    # a Dask scheduler's workers
        ...

``map`` yields the results in submission order (``ordered=False``: ``(position,
result)`` pairs as they finish). The work itself decides its seeds, so the numbers do
not depend on where it runs or on how many workers there are. One worker and no
cluster runs in this process. The local pool (spawn context) is kept for the next batch
and closed when the process ends (or by :func:`close_all`); a cluster's client is
closed at the end of the ``with`` block.
Dask is an optional extra (``pip install -e '.[cluster]'``), imported only when a
cluster is asked for; every worker needs this package installed, at the same version.
Hydra's launchers (joblib, submitit, Ray) stay what runs the jobs of a sweep.
"""

from __future__ import annotations

import atexit
import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from typing import Any

EXTRA = "cluster"


class Executor:
    """Runs a function over items; results in submission order."""

    workers = 1

    def map(
        self, function: Callable[..., Any], items: Iterable[Any], *, ordered: bool = True
    ) -> Iterator[Any]:
        """``function(item)`` for each item: the results in the items' order
        (``ordered=False``: ``(position, result)`` pairs as they finish)."""
        return self.starmap(function, ((item,) for item in items), ordered=ordered)

    def starmap(
        self, function: Callable[..., Any], items: Iterable[tuple], *, ordered: bool = True
    ) -> Iterator[Any]:
        """As :meth:`map`, with each item a tuple of arguments: ``function(*item)``."""
        raise NotImplementedError

    def close(self) -> None:
        """Release the workers (a later batch starts new ones)."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        if not self.kept:
            self.close()

    kept = False  # kept open for the next batch (closed at exit)


class InProcess(Executor):
    """One item after the other in this process."""

    def starmap(self, function, items, *, ordered=True):
        for position, args in enumerate(items):
            result = function(*args)
            yield result if ordered else (position, result)


class LocalPool(Executor):
    """A pool of ``workers`` processes on this machine (spawn context)."""

    kept = True

    def __init__(self, workers: int) -> None:
        self.workers = workers
        context = multiprocessing.get_context("spawn")
        self._pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)

    def starmap(self, function, items, *, ordered=True):
        futures = [self._pool.submit(function, *args) for args in items]
        position = {future: index for index, future in enumerate(futures)}
        try:
            if ordered:
                for future in futures:
                    yield future.result()
                return
            pending = set(futures)
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in sorted(done, key=position.__getitem__):
                    yield position[future], future.result()
        except BaseException:
            for future in futures:
                future.cancel()
            forget(self)  # a broken or interrupted pool is not reused
            raise

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class DaskCluster(Executor):
    """The workers of the Dask scheduler at ``address`` (``tcp://HOST:PORT``)."""

    def __init__(self, address: str, key: str = "run.cluster") -> None:
        try:
            from distributed import Client
        except ImportError:
            raise ImportError(
                f"{key}={address!r} needs Dask distributed, which is not installed; "
                f"install the optional extra: pip install -e '.[{EXTRA}]' (or leave "
                f"{key} out for the local process pool)"
            ) from None
        try:
            self._client = Client(address, set_as_default=False, timeout=10)
        except OSError as error:
            raise ConnectionError(
                f"{key}={address!r}: no Dask scheduler answered ({error}); start one "
                "(dask scheduler, or distributed.LocalCluster) or check the address"
            ) from None
        self.address = address

    @property
    def workers(self) -> int:  # the scheduler's workers now (they may come and go)
        return max(1, len(self._client.scheduler_info().get("workers", {})))

    def starmap(self, function, items, *, ordered=True):
        from distributed import as_completed

        futures = [self._client.submit(function, *args, pure=False) for args in items]
        try:
            if ordered:
                for future in futures:
                    yield future.result()
                return
            position = {future.key: index for index, future in enumerate(futures)}
            for future in as_completed(futures, loop=self._client.loop):
                yield position[future.key], future.result()
        except BaseException:
            self._client.cancel(futures)
            raise

    def close(self) -> None:
        self._client.close()


_OPEN: dict[int, Executor] = {}  # the local pool kept open, by its number of workers


def check_cluster(cluster: Any, key: str = "run.cluster") -> str | None:
    """``cluster`` if it is a scheduler address (or None); ValueError naming ``key``."""
    if cluster is None:
        return None
    if not isinstance(cluster, str) or "://" not in cluster:
        raise ValueError(
            f"{key}={cluster!r}: a Dask scheduler address such as tcp://127.0.0.1:8786 "
            f"(or leave {key} out for the local process pool)"
        )
    return cluster


def executor(workers: int = 1, cluster: str | None = None, key: str = "run.cluster") -> Executor:
    """Where a batch runs (use it as ``with executor(...) as where:``): the Dask cluster
    at ``cluster`` if given, else a local pool of ``workers`` processes (1: this
    process), the same pool as the last batch's when it has as many workers. ``key``
    names the setting in error messages."""
    cluster = check_cluster(cluster, key)
    if cluster is not None:
        return DaskCluster(cluster, key)
    if workers <= 1:
        return InProcess()
    if workers not in _OPEN:
        close_all()  # one local pool at a time: another size replaces it
        _OPEN[workers] = LocalPool(workers)
    return _OPEN[workers]


def forget(used: Executor) -> None:
    """Drop an executor (broken or interrupted) from those kept open, and close it."""
    for slot, kept in list(_OPEN.items()):
        if kept is used:
            del _OPEN[slot]
    try:
        used.close()
    except Exception:  # noqa: BLE001, S110 - closing what is already broken
        pass


def close_all() -> None:
    """Close the kept local pool (at exit, and after Ctrl-C)."""
    while _OPEN:
        _, kept = _OPEN.popitem()
        try:
            kept.close()
        except Exception:  # noqa: BLE001, S110 - the process is ending
            pass


atexit.register(close_all)
