"""The pre-commit hook, run by the real pre-commit as a user's commit would run it.

A scratch repository's ``.pre-commit-config.yaml`` names the hook repository (here: this project
as its working tree is now, copied and committed, since pre-commit clones a commit) and
``pre-commit run`` checks the files staged in it, as ``git commit`` would. pre-commit installs the
hook into a virtualenv, from PyPI like any user's, in its store (``PRE_COMMIT_HOME``): one store
and one hook repository for the whole test session, shared by pytest-xdist's workers, so that
virtualenv is built once (``pre-commit try-repo`` would build it anew in a throwaway store for
every run).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO, build_once

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed, and pre-commit runs on git")

# What `pip install` of the project needs, and the hook manifest.
PROJECT = ("pyproject.toml", "README.md", "LICENSE", ".pre-commit-hooks.yaml", "iac_assist", "parsers", "policies")

PUBLIC_BUCKET = {
    "main.tf": 'resource "aws_s3_bucket" "site" {\n  bucket = "example-site"\n}\n',
    "acl.tf": 'resource "aws_s3_bucket_acl" "site" {\n  bucket = aws_s3_bucket.site.id\n  acl    = "public-read"\n}\n',
}

HARDENED_BUCKET = {"main.tf": '''resource "aws_kms_key" "data" {
  description         = "Key for the reports bucket"
  enable_key_rotation = true
}

resource "aws_s3_bucket" "reports" {
  bucket = "example-reports"
}

resource "aws_s3_bucket_public_access_block" "reports" {
  bucket                  = aws_s3_bucket.reports.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "reports" {
  bucket = aws_s3_bucket.reports.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "reports" {
  bucket = aws_s3_bucket.reports.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.data.arn
    }
  }
}

resource "aws_s3_bucket_logging" "reports" {
  bucket        = aws_s3_bucket.reports.id
  target_bucket = "example-access-logs"
  target_prefix = "reports/"
}

resource "aws_s3_bucket_policy" "reports" {
  bucket = aws_s3_bucket.reports.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "DenyPlaintext"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = [aws_s3_bucket.reports.arn, "${aws_s3_bucket.reports.arn}/*"]
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]
  })
}
'''}


def _env(pre_commit_home: Path) -> dict[str, str]:
    """git and pre-commit isolated from the user's configuration, caches and any enclosing hook."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    env.update(
        GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1",
        GIT_AUTHOR_NAME="Test", GIT_AUTHOR_EMAIL="test@example.com",
        GIT_COMMITTER_NAME="Test", GIT_COMMITTER_EMAIL="test@example.com",
        PRE_COMMIT_HOME=str(pre_commit_home), PRE_COMMIT_COLOR="never", NO_COLOR="1",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
    )
    return env


def _git(cwd: Path, env: dict[str, str], *args: str) -> str:
    return subprocess.run(["git", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args],
                          cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="session")
def pre_commit_home(shared_tmp: Path) -> Path:
    """One pre-commit store for the session (and its xdist workers: pre-commit locks its store)."""
    home = shared_tmp / "pre-commit-home"
    home.mkdir(exist_ok=True)
    return home


@pytest.fixture(scope="session")
def hook_repo(shared_tmp: Path, pre_commit_home: Path) -> Path:
    """The project's working tree, committed into a scratch repository pre-commit can clone."""

    def commit(repo: Path) -> None:
        ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
        for name in PROJECT:
            source = REPO / name
            if source.is_dir():
                shutil.copytree(source, repo / name, ignore=ignore)
            else:
                shutil.copy2(source, repo / name)
        env = _env(pre_commit_home)
        _git(repo, env, "init", "-q")
        _git(repo, env, "add", "-A")
        _git(repo, env, "commit", "-q", "-m", "hook under test")

    return build_once(shared_tmp / "hook-repo", commit)


def run_hook(hook_repo: Path, work: Path, pre_commit_home: Path) -> subprocess.CompletedProcess[str]:
    """``pre-commit run`` on what is staged in ``work``, as ``git commit`` would run it."""
    return subprocess.run([sys.executable, "-m", "pre_commit", "run", "--verbose"],
                          cwd=work, env=_env(pre_commit_home), capture_output=True, text=True, timeout=900)


def staged(tmp_path: Path, hook_repo: Path, files: dict[str, str],
           committed: dict[str, str] | None = None) -> Path:
    """A scratch repository whose first commit configures the hook, with ``committed`` in its
    history and ``files`` staged for a commit."""
    work = tmp_path / "work"
    work.mkdir()
    env = _env(tmp_path / "unused-pre-commit-home")  # git only
    _git(work, env, "init", "-q")
    rev = _git(hook_repo, env, "rev-parse", "HEAD").strip()
    config = {"repos": [{"repo": str(hook_repo), "rev": rev, "hooks": [{"id": "iac-assist"}]}]}
    committed = {".pre-commit-config.yaml": yaml.safe_dump(config), **(committed or {})}
    for rel, text in committed.items():
        (work / rel).parent.mkdir(parents=True, exist_ok=True)
        (work / rel).write_text(text, encoding="utf-8")
    _git(work, env, "add", "-A")
    _git(work, env, "commit", "-q", "-m", "before")
    for rel, text in files.items():
        (work / rel).parent.mkdir(parents=True, exist_ok=True)
        (work / rel).write_text(text, encoding="utf-8")
    _git(work, env, "add", "-A")
    return work


def test_the_manifest_declares_the_hook():
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "iac-assist" and hook["language"] == "python"
    assert hook["entry"] == "iac-assist scan"
    assert hook.get("pass_filenames", True) is True
    assert hook["args"] == ["--"]  # pre-commit appends the file names: none of them is read as an option
    files = re.compile(hook["files"])
    for name in ("main.tf", "a/b.tf.json", "prod.tfvars", "prod.tfvars.json", "stack.yaml", "stack.yml",
                 "template.json", "app.template"):
        assert files.search(name), name
    for name in ("main.py", "README.md", "main.tf.bak", "Makefile"):
        assert not files.search(name), name


@pytest.mark.slow  # pre-commit installs the project into a virtualenv (~20 s, once a session)
@needs_git
def test_a_commit_adding_a_public_bucket_is_stopped(hook_repo, pre_commit_home, tmp_path):
    # Only acl.tf changes: the hook widens it to its module folder, so the reference to the bucket
    # in main.tf (already committed) resolves and the public ACL is found on it.
    work = staged(tmp_path, hook_repo, {"acl.tf": PUBLIC_BUCKET["acl.tf"]},
                  committed={"main.tf": PUBLIC_BUCKET["main.tf"]})
    run = run_hook(hook_repo, work, pre_commit_home)
    output = run.stdout + run.stderr
    assert run.returncode == 1, output
    assert "iac-assist" in output and "Failed" in output
    # The finding names the file and line of the ACL, on the bucket declared in the other file.
    assert re.search(r"^acl\.tf:3:1: IAC-S3-001 \[high\] .*aws_s3_bucket\.site", output, re.M), output


@pytest.mark.slow  # pre-commit installs the project into a virtualenv (~20 s, once a session)
@needs_git
def test_a_file_named_like_an_option_is_a_file(hook_repo, pre_commit_home, tmp_path):
    # Without `--` the hook would run `iac-assist scan --exclude=*.tf main.tf`: nothing scanned, passed.
    work = staged(tmp_path, hook_repo, {"--exclude=*.tf": "# a module's notes\n", "main.tf": PUBLIC_BUCKET["main.tf"],
                                        "acl.tf": PUBLIC_BUCKET["acl.tf"]})
    run = run_hook(hook_repo, work, pre_commit_home)
    output = run.stdout + run.stderr
    assert run.returncode == 1, output
    assert re.search(r"^acl\.tf:3:1: IAC-S3-001 \[high\] .*aws_s3_bucket\.site", output, re.M), output
    assert "3 files scanned" in output or "in 3 files" in output, output


@pytest.mark.slow  # pre-commit installs the project into a virtualenv (~20 s, once a session)
@needs_git
def test_a_commit_adding_a_hardened_bucket_passes(hook_repo, pre_commit_home, tmp_path):
    work = staged(tmp_path, hook_repo, HARDENED_BUCKET)
    run = run_hook(hook_repo, work, pre_commit_home)
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    assert "Passed" in output and "No findings" in output


# What the hook runs is `iac-assist scan FILE...`: how it widens the files it is given is checked
# on the command line, without a virtualenv per case.


def hook(*files: Path) -> tuple[int, dict]:
    """``iac-assist scan`` on changed files, as the hook calls it: exit code and JSON report."""
    import json

    from click.testing import CliRunner

    from iac_assist.cli import cli

    result = CliRunner().invoke(cli, ["scan", "--format", "json", "--", *map(str, files)])
    return result.exit_code, json.loads(result.stdout)


def test_paths_after_double_dash_are_files_even_named_like_options(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("--exclude=*.tf").write_text(PUBLIC_BUCKET["acl.tf"])
    Path("main.tf").write_text(PUBLIC_BUCKET["main.tf"])
    code, report = hook(Path("--exclude=*.tf"), Path("main.tf"))
    assert code == 1
    assert ("s3-public-read", "--exclude=*.tf") in {(f["control"], f["file"]) for f in report["findings"]}
    assert report["summary"]["files"] == 2


def test_under_pre_commit_the_hook_refuses_to_run_without_double_dash(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from iac_assist.cli import cli

    monkeypatch.chdir(tmp_path)
    Path("main.tf").write_text(PUBLIC_BUCKET["main.tf"])
    refused = CliRunner().invoke(cli, ["scan", "--fail-on", "high", "main.tf"], env={"PRE_COMMIT": "1"})
    assert refused.exit_code == 2
    assert "run by pre-commit without `--` before the file names" in refused.output
    assert "args: [--fail-on, high, --]" in refused.output
    assert CliRunner().invoke(cli, ["scan", "--fail-on", "high", "--", "main.tf"],
                              env={"PRE_COMMIT": "1"}).exit_code == 0
    assert CliRunner().invoke(cli, ["scan", "--fail-on", "high", "main.tf"], env={"PRE_COMMIT": None}).exit_code == 0


VARIABLE_ACL = {
    "variables.tf": 'variable "acl" {\n  type    = string\n  default = "private"\n}\n',
    "main.tf": PUBLIC_BUCKET["main.tf"] + PUBLIC_BUCKET["acl.tf"].replace('"public-read"', "var.acl"),
}


@pytest.mark.parametrize("tfvars", [("terraform.tfvars", 'acl = "public-read"\n'),
                                     ("terraform.tfvars.json", '{"acl": "public-read"}\n'),
                                     ("env.auto.tfvars", 'acl = "public-read"\n')])
def test_a_changed_tfvars_rescans_its_root_module(write_tree, tfvars):
    name, text = tfvars
    root = write_tree({**VARIABLE_ACL, name: text})
    code, report = hook(root / name)
    assert code == 1
    assert {(f["control"], f["file"]) for f in report["findings"]} >= {("s3-public-read", "main.tf")}
    assert report["summary"]["files"] == 2 and report["errors"] == []


def test_a_changed_tf_json_file_brings_its_module_folder(write_tree):
    root = write_tree({"main.tf": PUBLIC_BUCKET["main.tf"],
                       "acl.tf.json": '{"resource": {"aws_s3_bucket_acl": {"site": '
                                      '{"bucket": "${aws_s3_bucket.site.id}", "acl": "public-read"}}}}\n'})
    code, report = hook(root / "acl.tf.json")
    assert code == 1
    assert ("s3-public-read", "aws_s3_bucket.site", "acl.tf.json") in {
        (f["control"], f["resource"], f["file"]) for f in report["findings"]}


def test_files_from_several_folders_are_scanned_from_their_common_parent(write_tree):
    root = write_tree({
        "infra/web/main.tf": PUBLIC_BUCKET["main.tf"],
        "infra/web/acl.tf": PUBLIC_BUCKET["acl.tf"],
        "infra/stacks/db.yaml": "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Db:\n"
                                "    Type: AWS::RDS::DBInstance\n    Properties:\n      Engine: postgres\n"
                                "      PubliclyAccessible: true\n",
        "infra/.github/workflow.yml": "on: push\njobs: {}\n",  # other YAML: skipped quietly
        "package.json": '{"name": "x",',  # broken, and not IaC: skipped quietly too
    })
    code, report = hook(root / "infra/web/acl.tf", root / "infra/stacks/db.yaml",
                        root / "infra/.github/workflow.yml")
    assert code == 1 and report["errors"] == []
    found = {(f["control"], f["file"]) for f in report["findings"]}
    # Paths are relative to the common parent of what was passed (infra/).
    assert {("s3-public-read", "web/acl.tf"), ("db-publicly-accessible", "stacks/db.yaml")} <= found
    assert report["summary"]["files"] == 3  # web/main.tf came along with web/acl.tf
