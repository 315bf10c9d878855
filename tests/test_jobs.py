"""--jobs: worker processes parse and decode, the parent joins the results; whatever the number
of workers, the report is the same byte for byte (untimed: speed is benchmarks/' business)."""

from __future__ import annotations

import multiprocessing
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from iac_assist.analysis import parallel
from iac_assist.analysis.engine import scan
from iac_assist.analysis.frontend import ScanInputs
from iac_assist.cli import cli
from iac_assist.inputs.discovery import discover, read_text
from iac_assist.parsers.cloudformation import frontend as cloudformation_front_end
from iac_assist.parsers.terraform import frontend as terraform_front_end
from iac_assist.report import render

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
CORPUS = REPO.parent / "shared" / "corpus"
"""Real public Terraform and CloudFormation (see its SOURCES.md); absent on CI."""


@pytest.fixture
def workers(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The number of workers each scan started (one entry per pool)."""
    started: list[int] = []
    real = parallel.Loading._start

    def spy(self: parallel.Loading, count: int) -> None:
        started.append(count)
        real(self, count)

    monkeypatch.setattr(parallel.Loading, "_start", spy)
    return started


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stdout


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_two_workers_report_exactly_what_one_process_does(fmt: str, workers: list[int]) -> None:
    serial = run("scan", str(FIXTURES), "--format", fmt, "--jobs", "1")
    assert workers == []
    parallel_run = run("scan", str(FIXTURES), "--format", fmt, "--jobs", "2")
    assert workers == [2]
    assert parallel_run == serial
    assert serial[0] == 1 and serial[1].startswith("{")


def test_the_threat_model_is_the_same_with_workers(workers: list[int]) -> None:
    serial = run("model", str(FIXTURES), "--format", "json", "--jobs", "1")
    parallel_run = run("model", str(FIXTURES), "--format", "json", "--jobs", "2")
    assert workers == [2]
    assert parallel_run == serial


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus is not here (CI)")
@pytest.mark.slow  # the shared corpus scanned once per worker count (~1 min)
def test_the_corpus_reports_the_same_with_workers(workers: list[int]) -> None:
    one = scan([CORPUS], jobs=1)
    two = scan([CORPUS], jobs=2)
    assert workers == [2]
    for fmt in ("json", "sarif"):
        assert render(two, fmt) == render(one, fmt)
    assert one.findings and one.files


def test_a_worker_that_cannot_deliver_leaves_the_work_to_the_parent(
    monkeypatch: pytest.MonkeyPatch, workers: list[int]
) -> None:
    serial = run("scan", str(FIXTURES), "--format", "json", "--jobs", "1")

    def unusable(*args: object) -> None:  # a local function: it cannot be sent to a worker
        raise AssertionError("never runs")

    monkeypatch.setattr(terraform_front_end, "parse_folders", unusable)
    monkeypatch.setattr(cloudformation_front_end, "load_stacks", unusable)
    assert run("scan", str(FIXTURES), "--format", "json", "--jobs", "2") == serial
    assert workers == [2]


@pytest.mark.skipif(multiprocessing.get_start_method() != "fork", reason="workers must inherit the patched parser")
def test_a_defect_while_parsing_in_a_worker_is_reported_as_a_serial_scan_reports_it(
    monkeypatch: pytest.MonkeyPatch, workers: list[int]
) -> None:
    from iac_assist.parsers.terraform import config

    real = config.load_module

    def broken(folder: Path, *args: object) -> object:
        if folder.name == "network":
            raise KeyError("a defect of ours")
        return real(folder, *args)

    monkeypatch.setattr(config, "load_module", broken)
    target = FIXTURES / "terraform-repo"
    serial = run("scan", str(target), "--format", "json", "--jobs", "1")
    assert run("scan", str(target), "--format", "json", "--jobs", "2") == serial
    assert workers == [2]
    assert serial[0] == 2 and "internal error while analysing this file (KeyError" in serial[1]


def test_one_module_folder_starts_no_worker_even_when_asked(tmp_path: Path, workers: list[int]) -> None:
    # The pre-commit case: one changed file, its module folder. Starting processes would cost
    # more than parsing it.
    (tmp_path / "main.tf").write_text('resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n')
    (tmp_path / "variables.tf").write_text('variable "name" {\n  default = "x"\n}\n')
    code, output = run("scan", str(tmp_path / "main.tf"), "--format", "json", "--jobs", "4")
    assert code == 1 and "aws_s3_bucket.b" in output
    assert workers == []


def test_by_default_a_small_scan_stays_in_one_process(workers: list[int]) -> None:
    run("scan", str(FIXTURES), "--format", "json")
    assert workers == []


def test_how_many_workers() -> None:
    big = 10 * parallel.AUTO_MIN_BYTES
    assert parallel.worker_count(1, 50, big) == 0  # --jobs 1: serial
    assert parallel.worker_count(4, 1, big) == 0  # one unit of work: nothing to share
    assert parallel.worker_count(4, 3, 10) == 3  # asked for: no more workers than units
    assert parallel.worker_count(None, 50, 10) == 0  # default, small: serial
    cpus = parallel.available_cpus()
    assert parallel.worker_count(None, 50, big) == (min(cpus, 50) if cpus > 1 else 0)


def test_results_come_back_in_the_serial_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Shares are balanced by size, not by name: the parent puts the stacks back in order.
    monkeypatch.setattr(cloudformation_front_end, "BYTES_PER_WORKER", 1)
    for name, size in (("a", 1), ("b", 40), ("c", 2), ("d", 30)):
        body = "".join(f"  Bucket{i}:\n    Type: AWS::S3::Bucket\n" for i in range(size))
        (tmp_path / f"{name}.yaml").write_text(f"AWSTemplateFormatVersion: '2010-09-09'\nResources:\n{body}")
    found = discover([tmp_path], tmp_path)
    inputs = ScanInputs(tmp_path, read_text)
    stacks = cloudformation_front_end.FRONT_END.prepare(found.by_kind(), inputs, None)
    loading = parallel.Loading([stacks], (read_text,), 2)
    assert [[p.name for p in share] for share in stacks._shares] == [["b.yaml"], ["a.yaml", "c.yaml", "d.yaml"]]
    loaded = stacks.finish(loading.delivered(stacks))
    assert [s.name for s in loaded.scopes] == ["a.yaml", "b.yaml", "c.yaml", "d.yaml"]
    assert loaded.errors == [] and loaded.files == {"a.yaml", "b.yaml", "c.yaml", "d.yaml"}


def test_the_parent_is_one_of_the_jobs(monkeypatch: pytest.MonkeyPatch, workers: list[int]) -> None:
    # --jobs 2 is the parent and one worker: the parent loads the batches no worker has started
    # (one process less in memory, the same report).
    import concurrent.futures

    pools: list[int] = []
    real = concurrent.futures.ProcessPoolExecutor

    def spy(max_workers: int, **kwargs: object) -> concurrent.futures.ProcessPoolExecutor:
        pools.append(max_workers)
        return real(max_workers=max_workers, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", spy)
    serial = run("scan", str(FIXTURES), "--format", "json", "--jobs", "1")
    assert run("scan", str(FIXTURES), "--format", "json", "--jobs", "2") == serial
    # Loading's pool, and fix planning's when it forks one (plan_jobs.py): one process beside this one.
    assert workers == [2] and pools[0] == 1 and set(pools) == {1}


def test_the_workers_are_let_go_once_every_batch_is_done(tmp_path: Path) -> None:
    # A worker holds its imports and heap: it is not kept while the parent goes on with the
    # front ends whose batches it already delivered.
    import time

    for name in ("a", "b", "c"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "main.tf").write_text(f'resource "aws_s3_bucket" "{name}" {{\n  bucket = "{name}"\n}}\n')
    (tmp_path / "t.yaml").write_text("Resources:\n  B:\n    Type: AWS::S3::Bucket\n")
    found = discover([tmp_path], tmp_path)
    inputs = ScanInputs(tmp_path, read_text)
    first = terraform_front_end.FRONT_END.prepare(found.by_kind(), inputs, None)
    second = cloudformation_front_end.FRONT_END.prepare(found.by_kind(), inputs, None)
    loading = parallel.Loading([first, second], (read_text,), 2)
    try:
        assert loading._pool is not None
        deadline = time.monotonic() + 60
        while (loading._queue or not all(f.done() for fs in loading._futures.values() for f in fs.values())) \
                and time.monotonic() < deadline:
            time.sleep(0.05)
        delivered = loading.delivered(first)
        assert loading._pool is None  # gone before the second front end's results are read
        assert loading.delivered(second) is not None and delivered is not None
    finally:
        loading.close()


def _where(seconds: float) -> int:
    """A batch's work: wait, then say which process did it."""
    import os
    import time

    time.sleep(seconds)
    return os.getpid()


class _Sleeps:
    """A front end's preparation whose batches wait the given seconds (the first, the largest)."""

    slow_start = False

    def __init__(self, seconds: list[float]) -> None:
        self.seconds = seconds
        self.units = len(seconds)
        self.size = 1 << 30

    def batches(self, workers: int) -> list[object]:
        from iac_assist.analysis.frontend import Batch

        return [Batch(_where, (s,)) for s in self.seconds]


def test_a_worker_is_handed_one_batch_at_a_time_and_the_parent_runs_the_rest() -> None:
    # While the worker is busy with the first batch, the parent takes all the others: none is
    # queued ahead for the busy worker (the parent then waited for batches it could have run).
    import os

    preparation = _Sleeps([3.0, 0.01, 0.01, 0.01, 0.01])
    loading = parallel.Loading([preparation], (), 2)
    try:
        assert loading._pool is not None
        done = loading.delivered(preparation)
    finally:
        loading.close()
    assert done is not None and done[0] != os.getpid()
    assert done[1:] == [os.getpid()] * 4


def test_the_parent_joins_the_first_front_end_while_the_worker_loads_the_next() -> None:
    # Batches are handed out in the order the parent collects them: the worker goes on with the
    # second front end's batches while the parent joins the first's.
    import os
    import time

    first, second = _Sleeps([0.01, 0.01]), _Sleeps([1.0, 0.01])
    loading = parallel.Loading([first, second], (), 2)
    try:
        assert loading.delivered(first) is not None
        time.sleep(0.5)  # the parent evaluating the first front end's results
        done = loading.delivered(second)
    finally:
        loading.close()
    assert done is not None and done[0] != os.getpid()


forking = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fixes are planned beside on Linux only")


@pytest.fixture
def planned_beside(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """(fixes, unfixed) of each plan made in two processes; any scan's formats are enough."""
    from iac_assist.fixes import plan_jobs

    monkeypatch.setattr(plan_jobs, "MIN_FINDINGS", 1)
    made: list[tuple[int, int]] = []
    real = plan_jobs._merged

    def spy(findings: list, *parts: object) -> object:
        out = real(findings, *parts)  # type: ignore[arg-type]
        made.append((len(out.fixes), len(out.unfixed)))
        return out

    monkeypatch.setattr(plan_jobs, "_merged", spy)
    return made


@forking
@pytest.mark.parametrize("fmt", ["json", "sarif", "markdown"])
def test_fixes_planned_in_two_processes_are_the_fixes_of_one(fmt: str, planned_beside: list) -> None:
    serial = run("scan", str(FIXTURES), "--format", fmt, "--jobs", "1")
    assert planned_beside == []
    beside = run("scan", str(FIXTURES), "--format", fmt, "--jobs", "2")
    assert len(planned_beside) == 1 and planned_beside[0][0] > 0 and planned_beside[0][1] > 0
    assert beside == serial


@forking
def test_fixes_the_other_process_could_not_plan_are_planned_here(
        monkeypatch: pytest.MonkeyPatch, planned_beside: list) -> None:
    from iac_assist.fixes import plan as fix_plan
    from iac_assist.fixes import plan_jobs

    serial = run("scan", str(FIXTURES), "--format", "json", "--jobs", "1")
    monkeypatch.setattr(plan_jobs, "_plan_forked", _dies)
    halves: list[int] = []
    real = fix_plan.plan_findings
    monkeypatch.setattr(fix_plan, "plan_findings", lambda result, sources, findings: (
        halves.append(len(findings)), real(result, sources, findings))[1])
    assert run("scan", str(FIXTURES), "--format", "json", "--jobs", "2") == serial
    # Both halves planned here (this process's spy saw both), and put together as usual.
    assert len(halves) == 2 and len(planned_beside) == 1


def _dies() -> None:
    """A forked planner that dies (a module's function: the pool names what it runs)."""
    import os

    os._exit(3)
