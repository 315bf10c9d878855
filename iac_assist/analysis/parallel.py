"""Loading in worker processes (``--jobs``): the expensive, independent part of a scan.

Parsing a Terraform module folder and decoding and resolving a CloudFormation root stack (with
its nested stacks) each depend on nothing else, and they are where a large scan spends its time
(see benchmarks/README.md). Workers do those and send the results back pickled; everything that
joins them (which folders are root modules, evaluating them, normalizing, the graph, policies)
stays in the parent, in the serial order, so the result is byte-identical whatever the number of
workers. A unit a worker could not deliver (an exception, a result that does not pickle, a
worker that died) is done again in the parent, where it fails exactly as it would have serially.

No worker is started for a scan with a single unit of work (the pre-commit case must not pay for
process start-up), nor, unless ``--jobs`` asks for workers, for a small one.
"""

from __future__ import annotations

import os
import pickle
import signal
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from iac_assist.model import ScanError

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

    from iac_assist.inputs.discovery import Discovered
    from iac_assist.parsers.cloudformation.options import TemplateOptions
    from iac_assist.parsers.cloudformation.stacks import Stack
    from iac_assist.parsers.terraform.config import ModuleConfig

Read = Callable[[Path, str, list], "str | None"]

AUTO_MIN_BYTES = 256 * 1024
"""Without an explicit ``--jobs``, inputs smaller than this are loaded serially: parsing them
takes less than starting workers (and importing the parsers again in each) would save."""
CHUNK_BYTES = 32 * 1024
"""Small Terraform folders travel to a worker together, up to about this much source."""
CFN_BYTES_PER_WORKER = 256 * 1024
"""Each worker that decodes templates first imports cfn-lint (about half a second): templates
are spread over one more worker per this much text only."""


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
    """The loading phase of one scan: Terraform folders and CloudFormation root stacks, in
    worker processes when there are workers, else in this process when asked for."""

    def __init__(self, found: Discovered, root: Path, read: Read, options: TemplateOptions | None,
                 jobs: int | None) -> None:
        self.root = root
        self.read = read
        self.options = options
        self._pool: ProcessPoolExecutor | None = None
        self._tf: list[tuple[list[Path], Future]] = []
        self._cfn: list[tuple[list[Path], Future]] = []
        self._folders: dict[Path, list[Path]] = {}
        self._stacks: tuple[dict[Path, str], list[Path], list[ScanError]] | None = None
        self._mentioned: list[Path] = []

        units, size = 0, 0
        if found.terraform:
            from iac_assist.parsers.terraform import module_folders

            self._folders = module_folders(found.terraform)
            units += len(self._folders)
            size += sum(_size(p) for files in self._folders.values() for p in files)
        if found.templates:
            from iac_assist.parsers.cloudformation.stacks import find_stacks, with_templates

            # Which templates are roots is a cheap textual look: done here, so that their
            # decoding can start at once in the workers.
            self._stacks = find_stacks(found.templates, root, read)
            texts, roots, _ = self._stacks
            first = set(roots)
            self._mentioned = [p for p in texts if p not in first]
            self.options = with_templates(options, texts, root)
            units += len(roots)
            size += sum(len(texts[p]) for p in roots)
        workers = worker_count(jobs, units, size)
        if workers and _picklable(read, options):
            try:
                self._start(workers)
            except (OSError, NotImplementedError, ImportError):  # no process support here
                self.close()

    def _start(self, workers: int) -> None:
        from concurrent.futures import ProcessPoolExecutor  # imports multiprocessing: only when used

        self._pool = ProcessPoolExecutor(max_workers=workers, initializer=_worker_init)
        real_root = self.root.resolve()
        if self._stacks is not None:
            # Submitted first: with cfn-lint's import, each share is among the longest tasks.
            texts, roots, _ = self._stacks
            shares = max(1, min(workers, sum(len(texts[p]) for p in roots) // CFN_BYTES_PER_WORKER))
            for share in _balance(roots, lambda p: len(texts[p]), shares):
                batch = [(p, texts[p]) for p in share]
                self._cfn.append((share, self._pool.submit(_load_stacks, self.root, self.read, self.options, batch)))
        for chunk in _chunks(self._folders):
            batch = [(folder, self._folders[folder]) for folder in chunk]
            self._tf.append((chunk, self._pool.submit(_parse_folders, real_root, self.read, batch)))

    def terraform(self) -> dict[Path, ModuleConfig] | None:
        """Folders parsed by workers (those that failed are missing: the parent parses them),
        or None when there are no workers."""
        if self._pool is None:
            return None
        parsed: dict[Path, ModuleConfig] = {}
        for _folders, future in self._tf:
            try:
                parsed.update(future.result())
            except Exception:  # noqa: S112 - the parent parses these folders itself
                continue
        if not self._cfn:
            self.close()
        return parsed

    def stacks(self) -> tuple[list[Stack], list[ScanError], set[str]]:
        """The root stacks as ``load_stacks`` returns them."""
        from iac_assist.parsers.cloudformation.stacks import analysed_files, load_roots, settle

        if self._stacks is None:
            return [], [], set()
        texts, roots, errors = self._stacks
        errors = list(errors)
        if self._pool is None:
            stacks, more = load_roots(roots, texts, self.root, self.read, self.options)
            stacks, orphans = settle(stacks, self._mentioned, texts, self.root, self.read, self.options)
            return stacks, errors + more + orphans, analysed_files(texts, stacks, self.root)
        by_path: dict[Path, Stack] = {}
        for share, future in self._cfn:
            try:
                loaded, share_errors, nested = future.result()
            except Exception:
                # Done again here, in the serial order, failing where a serial scan would.
                loaded, share_errors = load_roots(share, texts, self.root, self.read, self.options)
                nested = []
            by_path.update(zip(share, loaded, strict=True))
            errors += share_errors
            for path in nested:
                texts.setdefault(path, "")
        self.close()
        stacks, orphans = settle([by_path[p] for p in roots], self._mentioned, texts, self.root, self.read,
                                 self.options)
        return stacks, errors + orphans, analysed_files(texts, stacks, self.root)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)


def _worker_init() -> None:
    # Ctrl-C is the parent's to handle: it stops the pool.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _parse_folders(root: Path, read: Read, batch: list[tuple[Path, list[Path]]]) -> dict[Path, ModuleConfig]:
    from iac_assist.parsers.terraform.config import load_module

    parsed = {}
    for folder, files in batch:
        try:
            parsed[folder] = load_module(folder, root, files, read)
        except Exception:  # noqa: S112 - left to the parent, which reports it as a serial scan would
            continue
    return parsed


def _load_stacks(root: Path, read: Read, options: TemplateOptions | None,
                 batch: list[tuple[Path, str]]) -> tuple[list[Stack], list[ScanError], list[Path]]:
    from iac_assist.parsers.cloudformation.stacks import load_roots

    texts = dict(batch)
    share = [path for path, _ in batch]
    stacks, errors = load_roots(share, texts, root, read, options)
    return stacks, errors, [p for p in texts if p not in share]


def _chunks(folders: dict[Path, list[Path]]) -> list[list[Path]]:
    """Folders in batches of at least ``CHUNK_BYTES`` of source, largest first, so that the
    longest parses start first and the last ones to finish are short."""
    sizes = {folder: sum(_size(p) for p in files) for folder, files in folders.items()}
    out: list[list[Path]] = []
    batch: list[Path] = []
    total = 0
    for folder in sorted(folders, key=lambda f: (-sizes[f], f)):
        batch.append(folder)
        total += sizes[folder]
        if total >= CHUNK_BYTES:
            out.append(batch)
            batch, total = [], 0
    if batch:
        out.append(batch)
    return out


def _balance(items: list[Path], size: Callable[[Path], int], shares: int) -> list[list[Path]]:
    """``items`` in ``shares`` lists of about equal size (largest first to the lightest share),
    each in the original order."""
    bins: list[tuple[int, int, list[Path]]] = [(0, i, []) for i in range(shares)]
    for item in sorted(items, key=lambda p: (-size(p), p)):
        load, index, members = min(bins)
        members.append(item)
        bins[index] = (load + size(item), index, members)
    order = {p: i for i, p in enumerate(items)}
    return [sorted(members, key=order.__getitem__) for _, _, members in bins if members]


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _picklable(*values: object) -> bool:
    """Whether the arguments can travel to a worker (a closure cannot): else load serially."""
    try:
        pickle.dumps(values)
    except Exception:
        return False
    return True
