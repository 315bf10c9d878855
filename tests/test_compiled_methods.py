"""The dataclass methods' compiled code kept per installation (iac_assist/compiled_methods.py):
classes come out the same, the file is written where Python writes bytecode and only then, a
damaged file is ignored, and a second run compiles nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "benchmarks" / "data"

PROBE = """
import dataclasses, json, sys
from iac_assist import compiled_methods

@dataclasses.dataclass(frozen=True, order=True)
class Point:
    x: int
    y: int = 2
    tags: tuple = dataclasses.field(default=(), compare=False, repr=False)

@dataclasses.dataclass(kw_only=True)
class Box:
    items: list = dataclasses.field(default_factory=list)
    name: str = "box"

p = Point(1)
try:
    p.x = 5
    frozen = "assigned"
except dataclasses.FrozenInstanceError:
    frozen = "refused"
b = Box(name="b")
b.items.append(1)
behaviour = [repr(p), p == Point(1, 2, ("t",)), p < Point(1, 3), hash(p) == hash(Point(1)), frozen,
             repr(b), Box() == Box(), Box().items is not Box().items]
import iac_assist.cli, iac_assist.model, iac_assist.analysis.result  # the package's own classes
compiled = compiled_methods._compiled
compiled_methods.save()
print(json.dumps({"behaviour": behaviour, "compiled": compiled}))
"""


def _run(prefix: Path, *, write: bool = True, hooked: bool = True) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")}
    env["PYTHONPYCACHEPREFIX"] = str(prefix)
    if not write:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    code = PROBE if hooked else PROBE.replace("from iac_assist import compiled_methods", "import builtins") \
        .replace("compiled = compiled_methods._compiled\ncompiled_methods.save()", "compiled = None") \
        .replace("import iac_assist.cli, iac_assist.model, iac_assist.analysis.result", "pass")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env,
                          check=True)
    return json.loads(proc.stdout)


def _kept(prefix: Path) -> list[Path]:
    return sorted(prefix.rglob("dataclass-methods.*.bin"))


def test_classes_behave_the_same_and_a_second_run_compiles_nothing(tmp_path: Path) -> None:
    plain = _run(tmp_path / "plain", hooked=False)
    first = _run(tmp_path / "pyc")
    second = _run(tmp_path / "pyc")
    assert first["behaviour"] == second["behaviour"] == plain["behaviour"]
    assert first["compiled"] > 50  # the package's classes and the probe's
    assert second["compiled"] == 0
    (kept,) = _kept(tmp_path / "pyc")
    assert kept.parent.name == "iac_assist"  # under the prefix, as the package's bytecode would be


def test_nothing_is_written_where_python_would_not_write_bytecode(tmp_path: Path) -> None:
    run = _run(tmp_path, write=False)
    assert run["compiled"] > 50
    assert _kept(tmp_path) == []


def test_a_damaged_or_foreign_file_is_ignored_and_replaced(tmp_path: Path) -> None:
    expected = _run(tmp_path / "plain", hooked=False)["behaviour"]
    _run(tmp_path)
    (kept,) = _kept(tmp_path)
    good = kept.read_bytes()
    for damaged in (good[: len(good) // 2], b"\0\0\0\0" + good[4:], good[:4] + b"garbage", good[:4],
                    good[:4] + __import__("marshal").dumps({"x": compile("1", "", "eval"), 1: 2})):
        kept.write_bytes(damaged)
        run = _run(tmp_path)
        assert run["behaviour"] == expected
        assert run["compiled"] > 50
        assert _run(tmp_path)["compiled"] == 0  # the first run wrote a good file back


def test_a_scan_keeps_the_methods_at_exit_and_the_next_scan_reuses_them(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE",)}
    env.update(PYTHONPYCACHEPREFIX=str(tmp_path), IAC_ASSIST_NO_CACHE="1")
    command = [sys.executable, "-m", "iac_assist", "scan", "--format", "json", str(DATA / "small.tf")]
    first = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)
    (kept,) = _kept(tmp_path)
    written = kept.stat()
    second = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)
    assert (first.returncode, first.stdout) == (second.returncode, second.stdout)
    assert json.loads(first.stdout)["findings"]
    after = kept.stat()
    assert (after.st_ino, after.st_mtime_ns) == (written.st_ino, written.st_mtime_ns)  # nothing new to keep
