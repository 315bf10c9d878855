"""Loading in worker processes (``--jobs``): the expensive, independent part of a scan.

Each front end cuts its loading into units that depend on nothing else (parsing a Terraform module
folder, decoding and resolving a CloudFormation root stack with its nested stacks): they are where
a large scan spends its time (see benchmarks/README.md). Workers run the front ends' batches and
send the results back pickled; everything that joins them (which folders are root modules,
evaluating them, normalizing, the graph, policies) stays in the parent, in the serial order, so the
result is byte-identical whatever the number of workers. A batch a worker could not deliver (an
exception, a result that does not pickle, a worker that died) is done again in the parent, where
it fails exactly as it would have serially (see ``frontend.Preparation.finish``).

The parent is one of the ``--jobs`` processes: it starts one worker fewer and, when it comes to
collect a front end's batches, first runs itself those no worker has started yet (last first, the
smallest), then waits for the rest. Same speed as a pool of ``--jobs`` workers beside a waiting
parent, one process less in memory.

No worker is started for a scan with a single unit of work (the pre-commit case must not pay for
process start-up), nor, unless ``--jobs`` asks for workers, for a small one.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

    from iac_assist.analysis.frontend import Batch, Preparation
    from iac_assist.analysis.progress import Progress

T = TypeVar("T")

AUTO_MIN_BYTES = 256 * 1024
"""Without an explicit ``--jobs``, inputs smaller than this are loaded serially: parsing them
takes less than starting workers (and importing the parsers again in each) would save."""


def available_cpus() -> int:
    """CPUs this process may run on (its affinity mask where the platform has one)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def worker_count(jobs: int | None, units: int, size: int) -> int:
    """Worker processes for ``units`` independent units of ``size`` bytes of source in all:
    0 means load in this process. ``jobs`` None is the default: one per CPU for large scans."""
    if units < 2:
        return 0
    if jobs is None:
        if size < AUTO_MIN_BYTES:
            return 0
        jobs = available_cpus()
    return min(jobs, units) if jobs > 1 else 0


class Loading:
    """The loading phase of one scan: the front ends' batches, in worker processes when there are
    workers. ``shared``: what every batch carries (the reader, the front ends' options): when it
    cannot travel to a worker (a closure), everything is loaded in this process.

    Batches wait in one queue, in the order the parent collects them, each front end's largest
    batch first. A worker is handed the next batch from the front when it has
    finished one (never more than one at a time: a batch queued ahead for a busy worker could
    not be taken back by the parent, which then waited for it), and the parent takes from the
    back the batches of the front end whose results it needs, the smallest first.

    ``progress`` hears of the step ``loading``: one piece per batch a worker delivers (as it
    completes, on the pool's thread) and one per preparation loaded here (see ``finished``)."""

    def __init__(self, preparations: Sequence[Preparation], shared: tuple, jobs: int | None,
                 progress: Progress | None = None) -> None:
        import threading

        from iac_assist.analysis.progress import SILENT

        self._pool: ProcessPoolExecutor | None = None
        self._futures: dict[int, dict[int, Future]] = {}
        self._batches: dict[int, list[Batch]] = {}
        self._queue: list[tuple[int, int]] = []
        """(preparation id, batch index) of batches no one has taken yet, in the order workers take them."""
        self._lock = threading.Lock()
        self._workers = 0
        self._idle = 0
        self._preparations = list(preparations)
        self._progress = progress or SILENT
        self._sent: set[int] = set()
        units = sum(p.units for p in self._preparations)
        size = sum(p.size for p in self._preparations)
        workers = worker_count(jobs, units, size)
        if workers and _picklable(*shared):
            try:
                self._start(workers)
            except (OSError, NotImplementedError, ImportError):  # no process support here
                self.close()
        if not self._batches:
            self._progress.step("loading", len(self._preparations))

    def finished(self, preparation: Preparation) -> None:
        """``preparation`` is loaded: a piece of work done, when it was loaded here."""
        if id(preparation) not in self._sent:
            self._progress.advance()

    def _start(self, workers: int) -> None:
        from concurrent.futures import ProcessPoolExecutor  # imports multiprocessing: only when used

        from iac_assist.inputs import parse_cache

        # The parent works too (see ``delivered``): one process fewer to hold in memory.
        self._workers = self._idle = max(1, workers - 1)
        self._pool = ProcessPoolExecutor(max_workers=self._workers, initializer=_worker_init,
                                         initargs=(parse_cache.current(),))
        # In the order the parent collects them: the first front end's batches are loaded by all
        # at once, and the parent joins them (evaluates Terraform) while the workers go on with
        # the next front end's.
        work = [(p, p.batches(workers)) for p in self._preparations if p.units]
        self._sent = {id(p) for p, _ in work}
        # Counted before the first batch can complete.
        self._progress.step("loading", sum(len(batches) for _, batches in work) + len(self._preparations)
                            - len(work))
        for preparation, batches in work:
            self._batches[id(preparation)] = batches
            self._futures[id(preparation)] = {}
            self._queue += [(id(preparation), index) for index in range(len(batches))]
        self._feed()

    def _feed(self) -> None:
        """Hand the next queued batches to idle workers."""
        while True:
            with self._lock:
                if not self._idle or not self._queue or self._pool is None:
                    return
                key, index = self._queue.pop(0)
                self._idle -= 1
                batch = self._batches[key][index]
                try:
                    future = self._pool.submit(_work, batch.run, batch.args)
                except RuntimeError:  # the pool is shutting down: the batch is the parent's
                    self._queue.insert(0, (key, index))
                    self._idle += 1
                    return
                self._futures[key][index] = future
            future.add_done_callback(self._completed)

    def _completed(self, future: Future) -> None:
        with self._lock:
            self._idle += 1
        if not future.cancelled():
            self._progress.advance()
        self._feed()

    def _take_last(self, key: int) -> int | None:
        """The last queued batch of preparation ``key``, taken off the queue (None: none left)."""
        with self._lock:
            for position in range(len(self._queue) - 1, -1, -1):
                if self._queue[position][0] == key:
                    return self._queue.pop(position)[1]
        return None

    def delivered(self, preparation: Preparation) -> list[object | None] | None:
        """What the workers made of ``preparation``'s batches (None for one they could not
        deliver), or None when it was not sent to workers. The pool closes once every
        preparation's work is collected."""
        from iac_assist.inputs import parse_cache

        key = id(preparation)
        batches = self._batches.get(key)  # kept until none is queued: a worker may be handed one
        if batches is None:
            return None
        here: dict[int, object | None] = {}
        # Batches no worker has taken are run here, the smallest (last) first, while the
        # workers take them from the front.
        while (index := self._take_last(key)) is not None:
            try:
                here[index] = batches[index].run(*batches[index].args)
            except Exception:  # done again by ``finish``, failing where a serial scan would
                here[index] = None
            self._progress.advance()
        with self._lock:
            futures = self._futures.pop(key)
            del self._batches[key]
        out: list[object | None] = []
        for index in range(len(batches)):
            if index in here:
                out.append(here[index])
                continue
            try:
                value, entries = futures[index].result()
            except Exception:  # the parent does this batch itself
                out.append(None)
                continue
            out.append(value)
            parse_cache.receive(entries)
        # Once every batch is done, the workers are let go at once (their results are in the
        # futures): a worker holds its imports (the SAM translator, the HCL grammar) and its
        # heap for nothing while the parent evaluates.
        with self._lock:
            done = not self._queue and all(f.done() for pending in self._futures.values() for f in pending.values())
        if done:
            self.close()
        return out

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def _worker_init(cache: Path | None = None) -> None:
    import signal  # here: only a worker process needs it

    # Ctrl-C is the parent's to handle: it stops the pool.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Workers parse: they read and write the parent's parse cache (already checked by the parent).
    from iac_assist.inputs import parse_cache

    parse_cache.hold()  # their entries go back with their results (the parent writes them)
    parse_cache.configure(cache)


def _work(run: Callable[..., object], args: tuple) -> tuple[object, list[tuple[str, bytes]]]:
    from iac_assist.inputs import parse_cache

    return run(*args), parse_cache.held_entries()


def chunks(items: Iterable[T], size: Callable[[T], int], min_bytes: int) -> list[list[T]]:
    """``items`` in batches of at least ``min_bytes`` (but the last), largest first, so that the
    longest tasks start first and the last ones to finish are short."""
    sizes = {item: size(item) for item in items}
    out: list[list[T]] = []
    batch: list[T] = []
    total = 0
    for item in sorted(sizes, key=lambda i: (-sizes[i], i)):
        batch.append(item)
        total += sizes[item]
        if total >= min_bytes:
            out.append(batch)
            batch, total = [], 0
    if batch:
        out.append(batch)
    return out


def balance(items: list[T], size: Callable[[T], int], shares: int) -> list[list[T]]:
    """``items`` in ``shares`` lists of about equal size (largest first to the lightest share),
    each in the original order."""
    bins: list[tuple[int, int, list[T]]] = [(0, i, []) for i in range(shares)]
    for item in sorted(items, key=lambda p: (-size(p), p)):
        load, index, members = min(bins)
        members.append(item)
        bins[index] = (load + size(item), index, members)
    order = {p: i for i, p in enumerate(items)}
    return [sorted(members, key=order.__getitem__) for _, _, members in bins if members]


def file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _picklable(*values: object) -> bool:
    """Whether the arguments can travel to a worker (a closure cannot): else load serially."""
    import pickle  # here: only a parallel scan needs it

    try:
        pickle.dumps(values)
    except Exception:
        return False
    return True
