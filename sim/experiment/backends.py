"""Where replications run: in this process, on local worker processes, or on a cluster.

Every experiment hands joblib a list of small tasks and reads their results back in the
order they finish. The backend only decides where the tasks run:

- ``None`` or ``"loky"``: worker processes on this machine (``n_jobs`` of them);
- ``"dask"``: the workers of a ``dask.distributed`` cluster, through joblib's own dask
  backend. Give the scheduler's address (``tcp://host:8786``), or create a
  ``distributed.Client`` yourself before calling. ``n_jobs`` is then ignored: the cluster
  decides how many tasks run at once.

Results do not depend on the backend: each replication draws its random numbers from its
own seed sequence, whichever worker runs it.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any

from joblib import Parallel, delayed, parallel_config

CLUSTER_EXTRA = "pip install 'hubsim[cluster]'"
CONNECT_TIMEOUT = "15s"
"""How long to keep trying to reach a dask scheduler."""


def available_cores() -> int:
    """The CPU cores this process may run on (its affinity mask where the system has one,
    e.g. a container limited to 2 cores of 64), at least 1."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


class BackendError(RuntimeError):
    """The chosen backend cannot be used (not installed, scheduler unreachable, ...)."""


def resolve_backend(backend: str | None, scheduler: str | None) -> str | None:
    """The backend to use: a scheduler address implies dask."""
    if scheduler and backend in (None, "dask"):
        return "dask"
    if scheduler:
        raise BackendError(f"--scheduler is for the dask backend, not {backend!r}")
    return backend


@contextlib.contextmanager
def connected(backend: str | None, scheduler: str | None = None) -> Iterator[None]:
    """Connect to the dask scheduler for the duration of the block, when dask is asked for.

    Without an address, a ``distributed.Client`` created earlier in this process is used.
    """
    backend = resolve_backend(backend, scheduler)
    if backend != "dask":
        yield
        return
    try:
        import distributed
    except ImportError:
        raise BackendError(
            f"the dask backend needs the 'distributed' package: {CLUSTER_EXTRA}"
        ) from None
    if scheduler is None:
        try:
            distributed.get_client()
        except ValueError:
            raise BackendError(
                "the dask backend needs a scheduler address (--scheduler tcp://HOST:8786) "
                "or a distributed.Client created before the run"
            ) from None
        yield
        return
    try:
        client = distributed.Client(scheduler, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError) as exc:
        raise BackendError(f"cannot reach the dask scheduler at {scheduler}: {exc}") from None
    with client:
        yield


#: How often a local worker checks that the process that started it is still there (s).
PARENT_CHECK_SECONDS = 0.5


def die_with_parent(parent: int) -> None:
    """Initializer of local worker processes: end this worker once ``parent`` is gone.

    Loky keeps its workers for reuse, and nothing tells them when the process that
    started them is killed (``kill -9``, a closed terminal): they were found alive 17
    minutes later. A daemon thread checks the worker's parent process every
    `PARENT_CHECK_SECONDS` and ends the worker when it has changed (the worker was
    handed to init). Polling, rather than Linux's ``PR_SET_PDEATHSIG``, because that
    signal fires when the *thread* that started the worker ends, and loky starts
    replacement workers from its own threads.
    """

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(1)

    if os.getppid() != parent:  # the parent died while this worker started
        os._exit(1)
    threading.Thread(target=watch, name="hubsim-die-with-parent", daemon=True).start()


def parallel_map(
    fn: Callable[..., Any],
    tasks: Iterable[tuple],
    n_jobs: int = 1,
    backend: str | None = None,
    scheduler: str | None = None,
    fork: bool = False,
) -> Iterator[Any]:
    """``fn(*task)`` for every task, yielded in the order the tasks finish.

    With ``n_jobs=1`` and no backend the tasks run here, one after another. ``fork``: with
    no backend, on a system that can fork (Linux), the local workers are forks of this
    process (``concurrent.futures`` with the fork start method): they start with its imports
    instead of importing the model afresh (about a second of CPU each), which a short run
    notices. For a command-line process only: forking a process with threads of its own (a
    notebook kernel) is unsafe.
    """
    backend = resolve_backend(backend, scheduler)
    tasks = list(tasks)
    if backend is None and n_jobs == 1:
        for task in tasks:
            yield fn(*task)
        return
    if backend is None and fork and "fork" in multiprocessing.get_all_start_methods():
        yield from _forked_map(fn, tasks, n_jobs)
        return
    with connected(backend, scheduler):
        # joblib knows dask only through parallel_config, made once the client exists
        if backend:
            config = parallel_config(backend=backend)
        else:  # local workers end with this process, however it ends
            config = parallel_config(
                backend="loky", initializer=die_with_parent, initargs=(os.getpid(),)
            )
        with config:
            if backend == "dask":
                n_jobs = -1  # the cluster's workers decide
            parallel = Parallel(n_jobs=n_jobs, return_as="generator_unordered")
            yield from parallel(delayed(fn)(*task) for task in tasks)


def _forked_map(fn: Callable[..., Any], tasks: list[tuple], n_jobs: int) -> Iterator[Any]:
    workers = min(len(tasks), n_jobs if n_jobs > 0 else available_cores()) or 1
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=die_with_parent,  # a forked worker outlives a kill -9 too
        initargs=(os.getpid(),),
    ) as pool:
        futures = [pool.submit(fn, *task) for task in tasks]
        try:
            for done in as_completed(futures):
                yield done.result()
        finally:
            for f in futures:
                f.cancel()
