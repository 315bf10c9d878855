"""Timing whole processes: wall time, the kernel's peak RSS, and the memory of every process.

A run is one child process, timed from start to exit. Two memory figures come with it:

- ``rss_mb``: the peak resident set size the kernel reports for the child when it is reaped
  (``wait4``, as ``/usr/bin/time -v`` reports it): the largest single process of the run.
- ``pss_mb``: the largest sum, over the child and every process it started, of their
  proportional set size (``/proc/PID/smaps_rollup``), sampled every 20 ms. A tool that forks
  workers is charged for all of them, and pages they share are counted once. Linux only;
  ``None`` elsewhere.

The sampling is done in one more run of its own, untimed: reading ``smaps_rollup`` of every
process 50 times a second takes part of a core, which slowed a tool using both cores by 5–7 %
(the corpus scan: 2.0 s unsampled, 2.1–2.3 s sampled), and a one-process tool hardly at all.
"""

from __future__ import annotations

import contextlib
import os
import signal
import statistics
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

SAMPLE_SECONDS = 0.02


@dataclass
class Run:
    seconds: float
    rss_mb: float
    pss_mb: float | None
    exit_code: int
    timed_out: bool = False


@dataclass
class Measurement:
    """Several runs of one command."""

    command: list[str]
    runs: list[Run] = field(default_factory=list)
    stdout: str = ""
    stderr: str = ""
    """Of the last run."""

    @property
    def seconds(self) -> list[float]:
        return [r.seconds for r in self.runs]

    @property
    def timed_out(self) -> bool:
        return any(r.timed_out for r in self.runs)

    def summary(self) -> dict:
        times = self.seconds
        pss = [r.pss_mb for r in self.runs if r.pss_mb is not None]
        return {
            "command": self.command,
            "runs": len(self.runs),
            "min_s": min(times),
            "median_s": statistics.median(times),
            "max_s": max(times),
            "peak_rss_mb": max(r.rss_mb for r in self.runs),
            "peak_pss_mb": max(pss) if pss else None,
            "exit_codes": sorted({r.exit_code for r in self.runs}),
            "timed_out": self.timed_out,
            "tracebacks": self.stderr.count("Traceback (most recent call last)"),
            "each": [asdict(r) for r in self.runs],
        }


def measure(command: list[str], runs: int, *, cwd: Path, env: dict[str, str], timeout: float,
            stdout_file: Path | None = None, long_seconds: float = 30.0, min_runs: int = 3,
            before: Callable[[], None] | None = None) -> Measurement:
    """Run ``command`` ``runs`` times (only ``min_runs`` when one run takes longer than
    ``long_seconds``; once when it times out). Standard output goes to ``stdout_file`` (else is
    discarded); the last run's standard error is kept. ``before`` runs before each run, untimed
    (emptying the parse cache for a first scan)."""
    result = Measurement(command)
    for index in range(runs):
        if before is not None:
            before()
        run, stderr = _once(command, cwd, env, timeout, stdout_file, sample=False)
        result.runs.append(run)
        result.stderr = stderr
        if run.timed_out:
            break
        if run.seconds > long_seconds and index + 1 >= min_runs:
            break
    if result.runs and not result.runs[-1].timed_out:
        # The memory of all its processes, from a run of its own (see the module's docstring).
        if before is not None:
            before()
        sampled, _ = _once(command, cwd, env, timeout, stdout_file, sample=True)
        for run in result.runs:
            run.pss_mb = sampled.pss_mb
    if stdout_file is not None and stdout_file.exists():
        result.stdout = stdout_file.read_text(encoding="utf-8", errors="replace")
    return result


def _once(command: list[str], cwd: Path, env: dict[str, str], timeout: float,
          stdout_file: Path | None, sample: bool = True) -> tuple[Run, str]:
    err_path = cwd / ".bench-stderr"
    with open(stdout_file or os.devnull, "wb") as out, open(err_path, "wb") as err:
        start = time.perf_counter()
        # A session of its own, so that a timeout stops the workers a tool started as well.
        proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                start_new_session=True)
        sampler = _Sampler(proc.pid, enabled=sample)
        sampler.start()
        timer = threading.Timer(timeout, _kill_group, (proc.pid,))
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait again
        sampler.stop()
    timed_out = seconds >= timeout
    stderr = err_path.read_text(encoding="utf-8", errors="replace")
    err_path.unlink()
    # ru_maxrss is in kilobytes on Linux, bytes on macOS.
    rss = usage.ru_maxrss / (1024 * 1024 if os.uname().sysname == "Darwin" else 1024)
    return Run(seconds, rss, sampler.peak_mb, proc.returncode, timed_out), stderr


def _kill_group(pid: int) -> None:
    with contextlib.suppress(OSError):  # already gone
        os.killpg(pid, signal.SIGKILL)


class _Sampler(threading.Thread):
    """Polls the summed PSS of a process and its descendants until stopped."""

    def __init__(self, pid: int, enabled: bool = True) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_kb = 0
        self.supported = enabled and Path(f"/proc/{pid}/smaps_rollup").exists()
        self._stop_event = threading.Event()

    @property
    def peak_mb(self) -> float | None:
        return self.peak_kb / 1024 if self.supported and self.peak_kb else None

    def run(self) -> None:
        while self.supported and not self._stop_event.is_set():
            total = sum(_pss_kb(pid) for pid in _tree(self.pid))
            self.peak_kb = max(self.peak_kb, total)
            self._stop_event.wait(SAMPLE_SECONDS)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants (``/proc/PID/task/TID/children``)."""
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        out.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    todo.extend(int(child) for child in handle.read().split())
        except OSError:
            continue
    return out


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0
