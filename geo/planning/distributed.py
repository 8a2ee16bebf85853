"""Independent tasks serially or on Dask: one client helper and one ordered task runner.

The tool's scale-out jobs (trade-off sweeps, :mod:`geo.planning.sweep`; the per-school
routing of ``scenario prepare``, :mod:`geo.planning.prepared`; ``batch`` runs,
:mod:`geo.jobs`) run independent tasks. A ``scheduler`` option picks where:

``serial``
    In this process, one task after the other (no Dask).
``local``
    A new ``dask.distributed.LocalCluster`` of single-threaded worker processes (default: one
    per core), closed afterwards.
``tcp://HOST:PORT``
    A running Dask scheduler (its workers must see the input and output folders).
``auto``
    ``local`` when the job is big enough and the machine has more than one core, else
    ``serial``.

or a ``dask.distributed.Client`` (used as it is, not closed). :func:`run_tasks` sends the
shared inputs (a network, a prepared region) to the workers once (``client.scatter``), keeps
a bounded number of tasks in flight, reports progress through a :data:`geo.progress.Progress`
callback and yields the results in the order of the items, so a caller reduces them exactly
as a serial run does: the results equal the serial ones whenever the task is deterministic.
"""

from __future__ import annotations

import os
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from dask.distributed import Client, LocalCluster, as_completed

from geo.errors import GeoInputError, Msg
from geo.progress import Progress

#: Values of the ``scheduler`` option besides a ``tcp://`` address.
SCHEDULERS = ("auto", "serial", "local")


@dataclass
class TaskResult:
    """The outcome of one task (:func:`run_tasks` with ``errors="return"``).

    Attributes
    ----------
    index : int
        Position of the item.
    value : object
        The task's return value (None when it failed).
    error : BaseException or None
        The exception it raised.
    trace : str
        Its traceback (text; empty when it succeeded).
    seconds : float
        Wall time from submission (Dask) or from the start of the task (serial) to its end.
    """

    index: int
    value: Any = None
    error: BaseException | None = None
    trace: str = ""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """The task succeeded."""
        return self.error is None


def n_cores() -> int:
    """Cores of this machine (at least 1)."""
    return os.cpu_count() or 1


def resolve_scheduler(scheduler: str | Client | None, *, big_enough: bool) -> str | Client:
    """``auto`` (or None) -> ``local`` when ``big_enough`` and there is more than one core,
    else ``serial``; other values are checked and returned.

    Raises
    ------
    GeoInputError
        A scheduler that is neither ``auto``, ``serial``, ``local``, a ``tcp://`` (or
        ``tls://``, ``inproc://``) address nor a client.
    """
    if isinstance(scheduler, Client):
        return scheduler
    if scheduler is None or scheduler == "auto":
        return "local" if big_enough and n_cores() > 1 else "serial"
    if scheduler in SCHEDULERS or "://" in str(scheduler):
        return scheduler
    raise GeoInputError(Msg("err.dask.scheduler", scheduler=repr(scheduler)),
                        fix=Msg("err.dask.scheduler.fix"))


def make_client(scheduler: str | Client | None, *, n_workers: int | None = None) -> Client:
    """A Dask client: an existing one, a running scheduler's address, or a new
    ``LocalCluster`` of single-threaded worker processes (``local`` or None; default
    ``n_workers``: one per core)."""
    if isinstance(scheduler, Client):
        return scheduler
    if scheduler and scheduler not in ("local", "auto"):
        return Client(scheduler)
    cluster = LocalCluster(n_workers=n_workers or n_cores(), threads_per_worker=1,
                           processes=True, dashboard_address=None)
    return Client(cluster)


@contextmanager
def dask_client(scheduler: str | Client | None, *, n_workers: int | None = None
                ) -> Iterator[Client | None]:
    """The client of a ``scheduler`` option for a ``with`` block: None for ``serial``; a
    client it creates is closed afterwards (with its ``LocalCluster``), a given one is not.

    ``auto`` must be resolved first (:func:`resolve_scheduler`); here it means ``local``.
    """
    if scheduler == "serial":
        yield None
        return
    client = make_client(scheduler, n_workers=n_workers)
    if client is scheduler:
        yield client
        return
    cluster = client.cluster if scheduler in (None, "local", "auto") else None
    try:
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def run_tasks(  # noqa: PLR0913  keyword-only options of a public entry point
    fn: Callable[..., Any],
    items: Sequence[Any],
    *,
    shared: Sequence[Any] = (),
    client: Client | None = None,
    progress: Progress | None = None,
    window: int | None = None,
    errors: str = "raise",
    **kwargs,
) -> Iterator[Any]:
    """``fn(*shared, item, **kwargs)`` for every item, serially or on a Dask client; the
    results in the order of ``items``.

    Parameters
    ----------
    fn : callable
        The task (a module-level function: it is pickled to the workers).
    items : sequence
        One task per item.
    shared : sequence, default ()
        Inputs common to every task, sent to the workers once (``client.scatter``,
        broadcast).
    client : dask.distributed.Client, optional
        None (default): run in this process, one task after the other.
    progress : Progress, optional
        Called as ``progress(done, total)`` when a task ends (``total`` = ``len(items)``).
    window : int, optional
        At most this many items submitted but not yet yielded (bounds the memory of results
        waiting for an earlier one); default: all items at once.
    errors : {"raise", "return"}, default "raise"
        ``raise``: yield the values, raise the first failure (remaining tasks cancelled);
        ``return``: yield a :class:`TaskResult` per item, failures included.
    **kwargs
        Further keyword arguments of every task.

    Yields
    ------
    object or TaskResult
    """
    if errors not in ("raise", "return"):
        raise ValueError(f"errors must be 'raise' or 'return', not {errors!r}")
    run = _serial if client is None else _on_dask
    for res in run(fn, items, shared, client, progress, window or len(items), kwargs):
        if errors == "return":
            yield res
        elif res.error is not None:
            raise res.error
        else:
            yield res.value


def _serial(fn, items, shared, _client, progress, _window, kwargs) -> Iterator[TaskResult]:
    """The tasks one after the other in this process."""
    for i, item in enumerate(items):
        t0 = time.perf_counter()
        try:
            res = TaskResult(i, fn(*shared, item, **kwargs))
        except Exception as exc:  # noqa: BLE001  reported per item (errors="return") or re-raised
            res = TaskResult(i, error=exc, trace=traceback.format_exc())
        res.seconds = time.perf_counter() - t0
        if progress is not None:
            progress(i + 1, len(items))
        yield res


def _on_dask(fn, items, shared, client, progress, window, kwargs) -> Iterator[TaskResult]:
    """The tasks on a Dask client, at most ``window`` ahead of the next result yielded."""
    shared_f = client.scatter(list(shared), broadcast=True) if len(shared) else []
    ac, index, start, ready = as_completed(), {}, {}, {}
    state = {"next": 0, "head": 0, "done": 0}

    def top_up() -> None:
        while state["next"] < len(items) and state["next"] - state["head"] < window:
            i = state["next"]
            fut = client.submit(fn, *shared_f, items[i], pure=False, **kwargs)
            index[fut.key], start[i] = i, time.perf_counter()
            ac.add(fut)
            state["next"] += 1

    top_up()
    try:
        for fut in ac:
            i = index.pop(fut.key)
            ready[i] = _outcome(fut, i, start.pop(i))
            state["done"] += 1
            if progress is not None:
                progress(state["done"], len(items))
            while state["head"] in ready:
                yield ready.pop(state["head"])
                state["head"] += 1
            top_up()
    finally:
        ac.clear()  # abandoned early (a failure raised): the futures left are released


def _outcome(fut, i: int, t0: float) -> TaskResult:
    """A finished future as a :class:`TaskResult` (its value gathered, then released)."""
    res = TaskResult(i, seconds=time.perf_counter() - t0)
    if fut.status == "error":
        res.error = fut.exception()
        res.trace = "".join(traceback.format_tb(fut.traceback()))
    else:
        res.value = fut.result()
    return res
