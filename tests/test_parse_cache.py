"""The parse cache (iac_assist/inputs/parse_cache.py): a repeated scan reads parse results kept
from an earlier run, and reports exactly what a scan without it does; an entry that is damaged,
forged or written for another version is parsed again, never trusted; two runs can share it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import iac_assist
from iac_assist.cli import cli
from iac_assist.inputs import parse_cache
from iac_assist.parsers.terraform import hcl

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
EXAMPLES = REPO / "policies" / "examples"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stdout


def entries(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("??/*") if not p.name.startswith("."))


@pytest.mark.parametrize("target", [FIXTURES, EXAMPLES], ids=["fixtures", "policy-examples"])
@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_cold_warm_uncached_and_serial_scans_report_the_same_bytes(target: Path, fmt: str, tmp_path: Path) -> None:
    cache = str(tmp_path / "cache")
    uncached = run("scan", str(target), "--format", fmt, "--no-cache")
    cold = run("scan", str(target), "--format", fmt, "--cache-dir", cache)
    assert entries(Path(cache)), "the first scan keeps its parse results"
    warm = run("scan", str(target), "--format", fmt, "--cache-dir", cache)
    serial = run("scan", str(target), "--format", fmt, "--cache-dir", cache, "--jobs", "1")
    two = run("scan", str(target), "--format", fmt, "--cache-dir", cache, "--jobs", "2")
    assert cold == uncached
    assert warm == uncached
    assert serial == uncached
    assert two == uncached
    assert uncached[1].startswith("{")


def test_the_threat_model_is_the_same_from_the_cache(tmp_path: Path) -> None:
    cache = str(tmp_path / "cache")
    uncached = run("model", str(FIXTURES), "--format", "json", "--no-cache")
    assert run("model", str(FIXTURES), "--format", "json", "--cache-dir", cache) == uncached
    assert run("model", str(FIXTURES), "--format", "json", "--cache-dir", cache) == uncached


def test_a_repeated_scan_does_not_parse_again(tmp_path: Path, parses: list[str]) -> None:
    cache = str(tmp_path / "cache")
    first = run("scan", str(FIXTURES / "seed-app"), "--format", "json", "--cache-dir", cache, "--jobs", "1")
    assert parses
    parses.clear()
    assert run("scan", str(FIXTURES / "seed-app"), "--format", "json", "--cache-dir", cache, "--jobs", "1") == first
    assert parses == []
    run("scan", str(FIXTURES / "seed-app"), "--format", "json", "--no-cache", "--jobs", "1")
    assert parses, "--no-cache parses"


def test_positions_survive_the_round_trip(tmp_path: Path) -> None:
    text = 'resource "aws_s3_bucket" "b" {\n  bucket = "x-${var.env}"\n  tags = {\n    a = 1\n  }\n}\n'
    parse_cache.configure(tmp_path)
    try:
        cold = parse_cache.cached("test", text, hcl.parse)
        warm = parse_cache.cached("test", text, hcl.parse)
    finally:
        parse_cache.configure(None)
    assert warm is not cold
    assert warm == cold == hcl.parse(text)
    block = warm.blocks[0]
    assert (block.line, block.end_line, block.body.attributes["tags"].line) == (1, 6, 3)


@pytest.mark.parametrize("damage", ["truncated", "garbage", "forged", "empty", "unreadable"])
def test_a_damaged_entry_is_parsed_again(damage: str, tmp_path: Path, parses: list[str]) -> None:
    cache = tmp_path / "cache"
    target = FIXTURES / "seed-app"
    first = run("scan", str(target), "--format", "json", "--cache-dir", str(cache), "--jobs", "1")
    kept = entries(cache)
    assert kept
    for entry in kept:
        data = entry.read_bytes()
        if damage == "truncated":
            entry.write_bytes(data[: len(data) // 2])
        elif damage == "garbage":
            entry.write_bytes(os.urandom(len(data)))
        elif damage == "forged":
            # A valid pickle of another result, under a MAC made without the key.
            entry.write_bytes(data[:8] + b"\0" * 32 + data[40:])
        elif damage == "empty":
            entry.write_bytes(b"")
        else:  # a folder where the entry was (root reads a file whatever its mode)
            entry.unlink()
            entry.mkdir()
    parses.clear()
    assert run("scan", str(target), "--format", "json", "--cache-dir", str(cache), "--jobs", "1") == first
    assert parses, "the damaged entries were not used"


def test_another_version_does_not_read_the_entries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   parses: list[str]) -> None:
    cache = str(tmp_path / "cache")
    target = str(FIXTURES / "seed-app")
    first = run("scan", target, "--format", "json", "--cache-dir", cache, "--jobs", "1")
    parses.clear()
    monkeypatch.setattr(iac_assist, "__version__", iac_assist.__version__ + ".post1")
    assert run("scan", target, "--format", "json", "--cache-dir", cache, "--jobs", "1") == first
    assert parses, "entries of another version were used"


def test_a_cache_folder_inside_the_scanned_repository_is_not_used(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "main.tf").write_text('resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n')
    result = CliRunner().invoke(cli, ["scan", str(repo), "--cache-dir", str(repo / ".iac-assist-cache")])
    assert "inside the scanned" in result.stderr
    assert not (repo / ".iac-assist-cache").exists()


def test_a_key_others_can_read_turns_the_cache_off(tmp_path: Path, parses: list[str]) -> None:
    cache = tmp_path / "cache"
    target = str(FIXTURES / "seed-app")
    first = run("scan", target, "--format", "json", "--cache-dir", str(cache), "--jobs", "1")
    (cache / "key").chmod(0o644)
    parses.clear()
    assert run("scan", target, "--format", "json", "--cache-dir", str(cache), "--jobs", "1") == first
    assert parses


def test_the_folder_is_kept_under_its_bound(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    run("scan", str(FIXTURES), "--format", "json", "--cache-dir", str(cache), "--jobs", "1")
    sizes = [p.stat().st_size for p in entries(cache)]
    monkeypatch.setattr(parse_cache, "MAX_BYTES", sum(sizes) // 2)
    run("scan", str(EXAMPLES / "s3-public-read"), "--format", "json", "--cache-dir", str(cache), "--jobs", "1")
    assert sum(p.stat().st_size for p in entries(cache)) <= sum(sizes) // 2


def test_two_runs_sharing_the_folder_at_once_agree(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    command = [sys.executable, "-m", "iac_assist", "scan", str(FIXTURES), "--format", "json", "--cache-dir",
               str(cache)]
    expected = subprocess.run([*command[:-2], "--no-cache"], capture_output=True, text=True, check=False).stdout
    for _ in range(2):  # cold, both writing; then warm, both reading
        runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                for _ in range(2)]
        outputs = [r.communicate(timeout=300) for r in runs]
        assert [out for out, _ in outputs] == [expected, expected], [err for _, err in outputs]
    assert not list(cache.glob("**/.tmp-*")), "no temporary file is left behind"


def test_a_repeated_scan_of_a_sam_template_does_not_run_the_transform(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from iac_assist.parsers.cloudformation import template

    cache = str(tmp_path / "cache")
    target = str(FIXTURES / "sam")
    first = run("scan", target, "--format", "sarif", "--cache-dir", cache, "--jobs", "1")
    transforms: list[str] = []
    real = template.expand_sam

    def spy(tree: dict, file: str, given: dict) -> tuple:
        transforms.append(file)
        return real(tree, file, given)

    monkeypatch.setattr(template, "expand_sam", spy)
    assert run("scan", target, "--format", "sarif", "--cache-dir", cache, "--jobs", "1") == first
    assert transforms == []
    # Other parameter values are another transform: not served from the cache.
    run("scan", target, "--format", "sarif", "--cache-dir", cache, "--jobs", "1", "--parameters", "Stage=other")
    assert transforms


def test_decoded_template_marks_survive_the_round_trip(tmp_path: Path) -> None:
    from iac_assist.parsers.cloudformation import template

    text = "Resources:\n  B: &b\n    Type: AWS::S3::Bucket\n  C: *b\nOutputs: {}\n"
    parse_cache.configure(tmp_path)
    try:
        cold, _ = template._decoded(text)
        warm, _ = template._decoded(text)
    finally:
        parse_cache.configure(None)
    assert warm == cold
    assert type(warm) is type(cold) and type(warm["Resources"]["B"]) is type(cold["Resources"]["B"])
    for key in ("B", "C"):
        node = warm["Resources"][key]
        assert (node.start_mark.line, node.start_mark.column) == (
            cold["Resources"][key].start_mark.line, cold["Resources"][key].start_mark.column)
    key_marks = [(k.start_mark.line, k.start_mark.column) for k in warm["Resources"]]
    assert key_marks == [(k.start_mark.line, k.start_mark.column) for k in cold["Resources"]]
    assert (warm["Resources"]["B"] is warm["Resources"]["C"]) == (cold["Resources"]["B"] is cold["Resources"]["C"])


def test_a_parallel_scan_keeps_the_same_entries_and_its_workers_write_none(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    # Workers hand their entries to the parent, which writes them (on a thread of its own, while
    # it evaluates) before the process ends: the folder is the one a serial scan leaves.
    import os

    from iac_assist.analysis import parallel

    writers: list[int] = []
    real = parse_cache._Store._write

    def spy(self: parse_cache._Store, key: str, entry: bytes) -> None:
        writers.append(os.getpid())
        real(self, key, entry)

    monkeypatch.setattr(parse_cache._Store, "_write", spy)
    monkeypatch.setattr(parallel, "AUTO_MIN_BYTES", 1)
    listings = []
    for jobs in ("1", "2"):
        cache = tmp_path / f"cache-{jobs}"
        result = CliRunner().invoke(cli, ["scan", str(FIXTURES / "terraform-repo"), str(FIXTURES / "sam"),
                                          "--format", "json", "--cache-dir", str(cache), "--jobs", jobs])
        assert result.exit_code in (0, 1), result.output
        parse_cache.flush()
        listings.append(sorted(p.name for p in cache.rglob("*") if p.is_file()))
    assert listings[0] == listings[1] and len(listings[0]) > 5
    assert set(writers) == {os.getpid()}
