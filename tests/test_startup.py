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
HEAVY = ("cfnlint", "sympy", "samtranslator", "jsonschema", "sarif_om", "networkx", "lark", "hcl2", "regex",
         "yaml", "concurrent.futures.process")
TERRAFORM_ONLY = ("iac_assist.parsers.terraform.hcl", "iac_assist.parsers.terraform.functions",
                  "iac_assist.parsers.terraform.plan", "iac_assist.parsers.terraform.values")
"""Our own modules a CloudFormation scan has no use for (the HCL parser, the evaluator, plans)."""
RARE = ("difflib", "gzip", "subprocess", "tempfile", "signal")
"""Standard modules only some runs need (a misspelt name, compressed user data, --new-since, workers)."""
OURS_WHEN_NEEDED = ("iac_assist.gate.foreign", "iac_assist.threatmodel.exposure")
"""Our modules a scan needs only for what it finds (a waiver written for another scanner, a database)."""

DRIVER = f"""
import json, sys
from iac_assist.cli import cli
try:
    cli(sys.argv[1:])
except SystemExit:
    pass
watched = {HEAVY + TERRAFORM_ONLY + RARE + OURS_WHEN_NEEDED!r}
print(json.dumps(sorted(m for m in watched if m in sys.modules)), file=sys.stderr)
"""


def imported(*args: str, among: tuple[str, ...] = HEAVY, cache: bool = False) -> list[str]:
    """The modules of ``among`` a command imported, run in a fresh interpreter (without the parse
    cache unless asked: a first scan)."""
    env = {k: v for k, v in os.environ.items() if k != "IAC_ASSIST_NO_CACHE"}
    if not cache:
        env["IAC_ASSIST_NO_CACHE"] = "1"
    proc = subprocess.run([sys.executable, "-c", DRIVER, *args], capture_output=True, text=True, timeout=120,
                          env=env)
    return [m for m in json.loads(proc.stderr.strip().splitlines()[-1]) if m in among]


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["scan", "--help"]])
def test_version_and_help_import_nothing_heavy(args: list[str]) -> None:
    assert imported(*args) == []


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_a_terraform_scan_imports_nothing_heavy(fmt: str) -> None:
    # Not even Lark: python-hcl2's grammar runs on tables taken once from Lark's parser
    # (parsers/terraform/hcl_parser.py, hcl_lalr.py); nor python-hcl2's package, nor regex.
    assert imported("scan", "--format", fmt, str(DATA / "small.tf")) == []


def test_a_terraform_file_with_a_syntax_error_imports_lark_to_tell_it(tmp_path: Path) -> None:
    # Lark parses what the tables refuse, for its own error message and position.
    broken = tmp_path / "broken.tf"
    broken.write_text('resource "aws_s3_bucket" "b" {\n  bucket = \n}\n')
    assert imported("scan", "--format", "json", str(broken)) == ["lark"]


def test_a_terraform_scan_with_the_parse_cache_imports_nothing_heavy(tmp_path: Path) -> None:
    # Neither the first scan, which parses (on the tables, without Lark), nor the next, served by
    # the parse cache.
    scan = ("scan", "--format", "json", "--cache-dir", str(tmp_path), str(DATA / "small.tf"))
    assert imported(*scan, cache=True) == []
    assert imported(*scan, cache=True) == []


@pytest.mark.parametrize("name", ["small.tf", "small.yaml"])
def test_a_scan_served_by_the_result_cache_imports_no_parser_nor_the_evaluator(tmp_path: Path, name: str) -> None:
    # The outcome is read back (analysis/result_cache.py): nothing is parsed, evaluated or judged.
    scan = ("scan", "--format", "json", "--cache-dir", str(tmp_path), str(DATA / name))
    imported(*scan, cache=True)
    assert imported(*scan, among=HEAVY + TERRAFORM_ONLY, cache=True) == []


def test_sarif_is_loaded_for_sarif_only() -> None:
    assert imported("scan", "--format", "sarif", str(DATA / "small.tf")) == ["sarif_om"]


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_a_template_scan_imports_only_pyyaml(fmt: str) -> None:
    # Not cfn-lint (half a second, sympy and networkx with it): the decoder is our own
    # (parsers/cloudformation/decode.py); cfn-lint is imported only for text YAML cannot read
    # (then its JSON decoder is tried, as cfn-lint does).
    assert imported("scan", "--format", fmt, str(DATA / "small.yaml")) == ["yaml"]


def test_a_template_scan_imports_neither_the_terraform_evaluator_nor_rarely_needed_modules() -> None:
    # Each costs a pre-commit hook milliseconds on every commit (python -X importtime).
    assert imported("scan", str(DATA / "small.yaml"), among=TERRAFORM_ONLY + RARE) == []


def test_a_terraform_scan_imports_no_rarely_needed_module() -> None:
    # Each is ours to import only when needed (tempfile would come with Lark, which is not imported).
    assert imported("scan", str(DATA / "small.tf"), among=RARE) == []


def test_a_repeated_terraform_scan_imports_no_rarely_needed_module(tmp_path: Path) -> None:
    # The pre-commit case with the parse cache warm: the cache's own files are made without
    # tempfile, a waiver for another scanner is looked for without foreign.py, and a repository
    # without a database does not load the threat model's exposure search (difflib: text shows
    # no fix's diff).
    scan = ("scan", "--format", "text", "--cache-dir", str(tmp_path), str(DATA / "small.tf"))
    imported(*scan, cache=True)
    assert imported(*scan, cache=True, among=RARE + OURS_WHEN_NEEDED) == []
