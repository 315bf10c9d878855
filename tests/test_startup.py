"""Start-up: a pre-commit hook runs the tool on every commit, so what a command does not need is
not imported (measured with ``python -X importtime``; see benchmarks/README.md)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent.parent / "benchmarks" / "data"
HEAVY = ("cfnlint", "samtranslator", "jsonschema", "sarif_om", "networkx", "lark", "concurrent.futures.process")

DRIVER = f"""
import json, sys
from iac_assist.cli import cli
try:
    cli(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)), file=sys.stderr)
"""


def imported(*args: str, cache: bool = False) -> list[str]:
    """The heavy modules a command imported, run in a fresh interpreter (without the parse cache
    unless asked: a first scan)."""
    env = {k: v for k, v in os.environ.items() if k != "IAC_ASSIST_NO_CACHE"}
    if not cache:
        env["IAC_ASSIST_NO_CACHE"] = "1"
    proc = subprocess.run([sys.executable, "-c", DRIVER, *args], capture_output=True, text=True, timeout=120,
                          env=env)
    return json.loads(proc.stderr.strip().splitlines()[-1])


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["scan", "--help"]])
def test_version_and_help_import_nothing_heavy(args: list[str]) -> None:
    assert imported(*args) == []


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_a_terraform_scan_imports_only_the_hcl_parser(fmt: str) -> None:
    assert imported("scan", "--format", fmt, str(DATA / "small.tf")) == ["lark"]


def test_a_repeated_terraform_scan_does_not_import_the_parser(tmp_path: Path) -> None:
    scan = ("scan", "--format", "json", "--cache-dir", str(tmp_path), str(DATA / "small.tf"))
    assert imported(*scan, cache=True) == ["lark"]
    assert imported(*scan, cache=True) == []


def test_sarif_is_loaded_for_sarif_only() -> None:
    assert imported("scan", "--format", "sarif", str(DATA / "small.tf")) == ["lark", "sarif_om"]


def test_a_template_scan_loads_cfn_lint_but_no_sam_translator() -> None:
    found = imported("scan", "--format", "json", str(DATA / "small.yaml"))
    assert "cfnlint" in found
    assert "samtranslator" not in found and "lark" not in found and "concurrent.futures.process" not in found
