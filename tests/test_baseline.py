"""Known findings left out of the gate: a baseline file, and `--new-since REF` in a git repository."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from iac_assist.analysis.engine import scan
from iac_assist.cli import cli
from iac_assist.gate.baseline import load

RULES = ("--select", "IAC-RDS-001,IAC-S3-001")  # a public database, a public bucket

DB = 'resource "aws_db_instance" "db" {\n  publicly_accessible = true\n}\n'
BUCKET = 'resource "aws_s3_bucket" "site" {\n  bucket = "site"\n  acl    = "public-read"\n}\n'


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def reported(output: str) -> list[tuple[str, str, int]]:
    return [(f["rule_id"], f["resource"], f["line"]) for f in json.loads(output)["findings"]]


# Baseline file -----------------------------------------------------------------------------------


def test_baseline_records_fingerprints_and_scan_gates_only_new_findings(write_tree):
    root = write_tree({"infra/main.tf": DB})
    base = root / "baseline.json"
    made = run("baseline", str(root / "infra"), "--output", str(base), *RULES)
    assert made.exit_code == 0 and made.output == f"1 finding recorded in {base}\n"
    doc = json.loads(base.read_text())
    assert doc == {"version": 1, "root": "infra", "findings": [{
        "fingerprint": doc["findings"][0]["fingerprint"], "rule_id": "IAC-RDS-001", "resource": "aws_db_instance.db",
        "file": "main.tf", "cause": "publicly_accessible"}]}
    assert run("scan", str(root / "infra"), "--baseline", str(base), *RULES).exit_code == 0

    (root / "infra/main.tf").write_text(DB + "\n" + BUCKET)
    result = run("scan", str(root / "infra"), "--baseline", str(base), *RULES, "-f", "json")
    assert result.exit_code == 1
    assert reported(result.output) == [("IAC-S3-001", "aws_s3_bucket.site", 7)]
    assert json.loads(result.output)["summary"]["baselined"] == 1


def test_fingerprints_survive_shifted_lines_and_unrelated_edits(write_tree):
    root = write_tree({"main.tf": DB + "\n" + BUCKET})
    before = scan([root], select=["IAC-RDS-001", "IAC-S3-001"])
    tagged = BUCKET.replace('  bucket = "site"\n', '  bucket = "site"\n  tags   = { team = "web" }\n')
    header = '# a header comment\n\nlocals {\n  env = "dev"\n}\n\n'
    (root / "main.tf").write_text(header + tagged + "\n" + DB.replace("{\n", '{\n  engine = "postgres"\n'))
    after = scan([root], select=["IAC-RDS-001", "IAC-S3-001"])
    assert {f.loc.line for f in before.findings} != {f.loc.line for f in after.findings}
    assert {f.fingerprint for f in before.findings} == {f.fingerprint for f in after.findings}


def test_a_renamed_resource_is_a_new_finding(write_tree):
    root = write_tree({"main.tf": DB})
    base = root / "base.json"
    run("baseline", str(root), "-o", str(base), *RULES)
    (root / "main.tf").write_text(DB.replace('"db"', '"primary"'))
    result = run("scan", str(root), "--baseline", str(base), *RULES, "-f", "json")
    assert result.exit_code == 1
    assert reported(result.output) == [("IAC-RDS-001", "aws_db_instance.primary", 2)]


def test_a_baseline_applies_when_the_scan_root_differs(write_tree, monkeypatch):
    root = write_tree({"infra/main.tf": DB})
    base = root / "infra" / ".iac-assist-baseline.json"
    monkeypatch.chdir(root / "infra")
    assert run("baseline", "-o", str(base), *RULES).exit_code == 0  # recorded with the root infra/
    monkeypatch.chdir(root)
    # Scanned from the repository root, the finding's file is infra/main.tf: still known.
    assert run("scan", ".", "--baseline", str(base), *RULES).exit_code == 0
    assert run("scan", ".", *RULES).exit_code == 1


def test_suppressed_findings_are_not_recorded(write_tree):
    root = write_tree({"main.tf": "# iac-assist:ignore=IAC-RDS-001 lab database\n" + DB})
    base = root / "base.json"
    assert run("baseline", str(root), "-o", str(base), *RULES).output.startswith("0 findings recorded")
    assert json.loads(base.read_text())["findings"] == []
    # When the suppression is removed (or expires) the finding is back.
    (root / "main.tf").write_text(DB)
    assert run("scan", str(root), "--baseline", str(base), *RULES).exit_code == 1


def test_baseline_from_the_configuration(write_tree):
    root = write_tree({"main.tf": DB, ".iac-assist.toml": 'baseline = "known.json"\nselect = ["IAC-RDS-001"]\n'})
    assert run("scan", str(root)).exit_code == 2  # configured but not made yet: said so, not ignored
    assert run("baseline", str(root)).exit_code == 0
    assert (root / "known.json").is_file()
    assert run("scan", str(root)).exit_code == 0


@pytest.mark.parametrize(("content", "message"), [
    (None, "no such baseline file"),
    ("{", "not a baseline file (invalid JSON"),
    ('{"version": 7, "findings": []}', "baseline version 7 is not supported"),
    ('{"version": 1, "findings": [{"rule_id": "x"}]}', "findings[0] has no fingerprint"),
])
def test_an_unusable_baseline_file_is_a_usage_error(write_tree, content, message):
    root = write_tree({"main.tf": DB})
    base = root / "base.json"
    if content is not None:
        base.write_text(content)
    result = run("scan", str(root), "--baseline", str(base))
    assert result.exit_code == 2
    assert message in result.output


def test_baseline_needs_an_output(write_tree):
    root = write_tree({"main.tf": DB})
    result = run("baseline", str(root))
    assert result.exit_code == 2 and "--output FILE" in result.output


def test_baseline_of_a_broken_input_is_written_and_exits_2(write_tree):
    root = write_tree({"good/main.tf": DB, "bad/main.tf": "resource {\n"})
    result = run("baseline", str(root), "-o", str(root / "b.json"), *RULES)
    assert result.exit_code == 2
    assert len(load(root / "b.json").entries) == 1


# --new-since -------------------------------------------------------------------------------------

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(repo)}
    return subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "infra").mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    (root / "infra" / "main.tf").write_text(DB)
    (root / "README.md").write_text("app\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "database")
    return root


@needs_git
def test_new_since_reports_only_what_the_revision_did_not_have(repo, monkeypatch):
    # The working tree: the database moved down by a header, and a public bucket added.
    (repo / "infra" / "main.tf").write_text("# header\n\n" + DB + "\n" + BUCKET)
    status = git(repo, "status", "--porcelain")
    monkeypatch.chdir(repo)
    result = run("scan", "infra", "--new-since", "main", *RULES, "-f", "json")
    assert result.exit_code == 1
    assert reported(result.output) == [("IAC-S3-001", "aws_s3_bucket.site", 9)]
    assert json.loads(result.output)["summary"]["baselined"] == 1
    # Nothing checked out or changed in the user's tree.
    assert git(repo, "status", "--porcelain") == status
    assert (repo / "infra" / "main.tf").read_text().startswith("# header")

    (repo / "infra" / "main.tf").write_text("# header\n\n" + DB)
    assert run("scan", "infra", "--new-since", "main", *RULES).exit_code == 0


@needs_git
def test_new_since_with_a_new_file_named_in_a_module_that_existed(repo):
    (repo / "infra" / "web.tf").write_text(BUCKET)
    # The pre-commit way: only the new file is named; its module folder comes along, now and at HEAD.
    result = run("scan", str(repo / "infra" / "web.tf"), "--new-since", "HEAD", *RULES, "-f", "json")
    assert reported(result.output) == [("IAC-S3-001", "aws_s3_bucket.site", 3)]


@needs_git
def test_a_finding_moved_to_another_file_is_new(repo):
    git(repo, "mv", "infra/main.tf", "infra/db.tf")
    result = run("scan", str(repo / "infra"), "--new-since", "HEAD", *RULES, "-f", "json")
    assert reported(result.output) == [("IAC-RDS-001", "aws_db_instance.db", 2)]


@needs_git
def test_new_since_a_revision_without_the_path_reports_everything(repo):
    (repo / "stacks").mkdir()
    (repo / "stacks" / "main.tf").write_text(DB)
    result = run("scan", str(repo / "stacks"), "--new-since", "main", *RULES, "-f", "json")
    assert result.exit_code == 1 and reported(result.output) == [("IAC-RDS-001", "aws_db_instance.db", 2)]


@needs_git
def test_new_since_runs_nothing_from_the_repository(repo):
    # A filter driver and a hook the repository asks for: reading objects must run neither.
    marker = repo / "pwned"
    git(repo, "config", "filter.evil.smudge", f"touch {marker}; cat")
    git(repo, "config", "core.hooksPath", ".hooks")
    (repo / ".hooks").mkdir()
    (repo / ".hooks" / "post-checkout").write_text(f"#!/bin/sh\ntouch {marker}\n")
    (repo / ".hooks" / "post-checkout").chmod(0o755)
    (repo / ".gitattributes").write_text("*.tf filter=evil export-subst\n")
    git(repo, "add", ".gitattributes")
    git(repo, "commit", "-q", "-m", "attributes")
    marker.unlink(missing_ok=True)
    assert run("scan", str(repo / "infra"), "--new-since", "HEAD", *RULES).exit_code == 0
    assert not marker.exists()


@needs_git
def test_new_since_skips_links_in_the_revision(repo, tmp_path):
    secret = tmp_path / "outside.tf"
    secret.write_text(BUCKET)
    (repo / "infra" / "link.tf").symlink_to(secret)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "link")
    # Today the link is gone and the bucket is in the tree: at HEAD it was only a link, not read.
    (repo / "infra" / "link.tf").unlink()
    (repo / "infra" / "web.tf").write_text(BUCKET)
    result = run("scan", str(repo / "infra"), "--new-since", "HEAD", *RULES, "-f", "json")
    assert reported(result.output) == [("IAC-S3-001", "aws_s3_bucket.site", 3)]


@needs_git
@pytest.mark.parametrize(("ref", "message"), [
    ("no-such-branch", "unknown revision 'no-such-branch'"),
    ("--output=/tmp/x", "is not a git revision"),
])
def test_new_since_an_unknown_revision_is_a_usage_error(repo, ref, message):
    result = run("scan", str(repo / "infra"), f"--new-since={ref}")
    assert result.exit_code == 2 and message in result.output


@needs_git
def test_new_since_outside_a_repository_is_a_usage_error(write_tree, monkeypatch):
    root = write_tree({"main.tf": DB})
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(root.parent))
    result = run("scan", str(root), "--new-since", "main")
    assert result.exit_code == 2 and "needs a git repository" in result.output
