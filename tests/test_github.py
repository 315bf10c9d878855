"""GitHub: the composite action, and SARIF as code scanning ingests it.

The action's shell steps are run by bash as the runner runs them (``bash --noprofile --norc -eo
pipefail``), with the runner's files (``GITHUB_OUTPUT``, ``GITHUB_STEP_SUMMARY``) and the
``${{ }}`` expressions the action uses evaluated; only the install step (a pip install of this
checkout) and the upload (GitHub's own action) are not run. The SARIF is validated by Microsoft's
SARIF Multitool with its SARIF and GitHub ingestion rules when it is installed
(``npm ci --prefix tools/sarif-multitool``; .ci/run does that when npm is present).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from iac_assist.analysis.engine import scan
from iac_assist.analysis.findings import Finding
from iac_assist.analysis.result import ScanResult
from iac_assist.cli import FAIL_ON
from iac_assist.model import Location, ScanError
from iac_assist.policies import all_policies
from iac_assist.report import render, sarif
from tests.conftest import FIXTURES, REPO, SEED
from tests.sarif_schema import validate_sarif

ACTION = REPO / "action.yml"
MULTITOOL = REPO / "tools" / "sarif-multitool"
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def action() -> dict[str, Any]:
    return yaml.safe_load(ACTION.read_text(encoding="utf-8"))


def sarif_of(*paths: Path, **options) -> dict[str, Any]:
    doc = json.loads(render(scan(list(paths), **options), "sarif"))
    validate_sarif(doc)
    return doc


def uris(doc: dict[str, Any]) -> list[str]:
    return [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in doc["runs"][0]["results"]]


# action.yml: its shape ---------------------------------------------------------------------------


def test_action_metadata_has_the_shape_github_loads():
    doc = action()
    assert {"name", "description", "runs", "inputs", "outputs"} <= set(doc)
    assert set(doc) <= {"name", "author", "description", "inputs", "outputs", "runs", "branding"}
    assert isinstance(doc["name"], str) and isinstance(doc["description"], str)
    for name, spec in doc["inputs"].items():
        assert re.fullmatch(r"[a-z][a-z0-9-]*", name), name
        assert set(spec) <= {"description", "required", "default", "deprecationMessage"}, name
        assert spec["description"].strip(), name
        assert isinstance(spec.get("default", ""), str), f"{name}: defaults are strings"
        assert spec.get("required", False) is False, f"{name}: every input has a default"
    for name, spec in doc["outputs"].items():
        assert set(spec) == {"description", "value"}, name  # composite outputs need a value
    runs = doc["runs"]
    assert set(runs) == {"using", "steps"} and runs["using"] == "composite"
    ids = set()
    for step in runs["steps"]:
        assert step.get("name"), step
        assert ("run" in step) != ("uses" in step), step["name"]
        if "run" in step:
            assert step["shell"] == "bash", step["name"]  # composite run steps must name a shell
            assert "${{" not in step["run"], f"{step['name']}: inputs reach scripts through env only"
        if "id" in step:
            ids.add(step["id"])
        # Every expression refers to a declared input, an earlier step's output, or the action's path.
        expressions = [step.get("if", ""), *step.get("env", {}).values(), *step.get("with", {}).values()]
        for text in map(str, expressions):
            for ref in re.findall(r"inputs\.([a-z0-9-]+)", text):
                assert ref in doc["inputs"], f"{step['name']}: unknown input {ref}"
            for ref in re.findall(r"steps\.([a-z0-9-]+)\.outputs", text):
                assert ref in ids, f"{step['name']}: step {ref} is not before it"


def test_action_inputs_outputs_and_steps():
    doc = action()
    inputs = doc["inputs"]
    assert {"paths", "fail-on", "config", "args", "sarif-file", "upload-sarif", "summary", "threat-model",
            "annotations"} <= set(inputs)
    assert inputs["paths"]["default"] == "."
    assert inputs["fail-on"]["default"] == "low"  # as the command line's
    assert all(level in inputs["fail-on"]["description"] for level in FAIL_ON)
    steps = {step["name"]: step for step in doc["runs"]["steps"]}
    install = steps["Install iac-assist"]
    assert install["env"]["ACTION_PATH"] == "${{ github.action_path }}"  # the action's own checkout
    assert 'pip install --quiet --disable-pip-version-check "$ACTION_PATH[sam]"' in install["run"]
    upload = steps["Upload SARIF to code scanning"]
    for step in doc["runs"]["steps"]:
        if "uses" in step:  # a tag can be moved to other code; a commit cannot
            assert re.fullmatch(r"[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}", step["uses"]), step["name"]
    assert "@5d4e8d1aca955e8d8589aabd499c5cae939e33c7  # v4.31.9\n" in ACTION.read_text(encoding="utf-8")
    assert upload["with"] == {"sarif_file": "${{ steps.scan.outputs.sarif-file }}"}
    assert "github.event.pull_request.head.repo.full_name == github.repository" in upload["if"]  # forks skip it
    assert upload["if"].startswith("${{ always() &&")  # uploaded even when an earlier step failed
    names = [step["name"] for step in doc["runs"]["steps"]]
    assert names.index("Upload SARIF to code scanning") < names.index("Gate") == len(names) - 1
    assert 'exit "$CODE"' in steps["Gate"]["run"]
    assert steps["Gate"]["env"]["CODE"] == "${{ steps.scan.outputs.exit-code }}"
    assert doc["outputs"]["exit-code"]["value"] == "${{ steps.scan.outputs.exit-code }}"


# action.yml: its steps, run ----------------------------------------------------------------------


class Runner:
    """Runs the action's steps as GitHub's runner would, in ``workspace``."""

    def __init__(self, workspace: Path, temp: Path, inputs: dict[str, str],
                 event: dict[str, str] | None = None, github: dict[str, Any] | None = None) -> None:
        doc = action()
        self.steps = doc["runs"]["steps"]
        self.inputs = {name: spec.get("default", "") for name, spec in doc["inputs"].items()} | inputs
        self.workspace = workspace
        self.temp = temp
        self.outputs: dict[str, dict[str, str]] = {}
        self.summary = temp / "step_summary.md"
        self.logs: dict[str, str] = {}
        self.uploaded: dict[str, str] | None = None
        """The first upload's inputs (the scan's SARIF); ``uploads``: every upload's."""
        self.uploads: list[dict[str, str]] = []
        self.ran: list[str] = []
        self.event = event or {}
        """The runner's event variables (``GITHUB_EVENT_NAME``, ``GITHUB_BASE_REF``): none is a push."""
        self.github = {"repository": "owner/repo", "event": {}} | (github or {})
        """The ``github`` context expressions read (``github.event`` is the event's payload)."""
        self.bin = Path(sys.executable).parent
        """Where the Install step's output says iac-assist is (``count_commands`` changes it)."""

    def value(self, expr: str) -> Any:
        """The few expressions action.yml uses: inputs, step outputs, always(), ==, !=, &&."""
        def atom(match: re.Match) -> str:
            word = match.group(0)
            if word in ("always()", "success()"):
                return "True"
            if word.startswith("inputs."):
                return repr(self.inputs[word[7:]])
            if word.startswith("steps."):
                step, _, name = word[6:].split(".", 2)
                return repr(self.outputs.get(step, {}).get(name, ""))
            if word == "github.action_path":
                return repr(str(REPO))
            if word.startswith("github."):
                # As GitHub: a property that is not there reads as an empty string.
                value: Any = self.github
                for key in word.split(".")[1:]:
                    value = value.get(key, "") if isinstance(value, dict) else ""
                return repr(value)
            raise AssertionError(f"expression not understood: {word}")

        python = re.sub(r"always\(\)|success\(\)|[a-z_]+(?:\.[a-z0-9_-]+)+", atom, expr)
        python = re.sub(r"!(?!=)", " not ", python.replace("&&", " and ").replace("||", " or "))
        return eval(python, {"__builtins__": {}})  # only the action's own, fixed expressions

    def count_commands(self) -> Path:
        """Run the steps with an ``iac-assist`` that logs each invocation (one line) before running
        the real one: how many analyses the action makes. The log's path."""
        log, wrappers = self.temp / "invocations.log", self.temp / "bin"
        wrappers.mkdir()
        for name in ("iac-assist", "python"):
            script = wrappers / name
            note = f'printf "%s\\n" "$*" >> "{log}"\n' if name == "iac-assist" else ""
            script.write_text(f'#!/bin/sh\n{note}exec "{self.bin / name}" "$@"\n')
            script.chmod(0o755)
        self.bin = wrappers
        return log

    def substitute(self, text: str) -> str:
        return EXPRESSION.sub(lambda m: str(self.value(m.group(1))), str(text))

    def run(self) -> int:
        """The steps in order, as the runner decides which run; the action's exit code: the first
        failing step's."""
        code = 0
        for step in self.steps:
            condition = EXPRESSION.fullmatch(step.get("if", "${{ success() }}").strip()).group(1)
            # Without always(), a step runs only while every step before it succeeded.
            if (code != 0 and "always()" not in condition) or not self.value(condition):
                continue
            self.ran.append(step["name"])
            if step["name"] == "Install iac-assist":
                # pip install of this checkout: the test environment already has it.
                self.outputs["install"] = {"bin": str(self.bin)}
                continue
            if "uses" in step:
                self.uploads.append({key: self.substitute(value) for key, value in step["with"].items()})
                self.uploaded = self.uploaded or self.uploads[-1]
                continue
            code = code or self._shell(step)
        return code

    def _shell(self, step: dict[str, Any]) -> int:
        out_file = self.temp / f"output-{len(self.logs)}"
        out_file.write_text("")
        env = {key: value for key, value in os.environ.items() if not key.startswith(("GITHUB_", "RUNNER_"))}
        env |= {"GITHUB_OUTPUT": str(out_file), "GITHUB_STEP_SUMMARY": str(self.summary),
                "RUNNER_TEMP": str(self.temp), "NO_COLOR": "1"} | self.event
        env |= {key: self.substitute(value) for key, value in step.get("env", {}).items()}
        script = self.temp / "step.sh"
        script.write_text(step["run"])
        done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                              cwd=self.workspace, env=env, capture_output=True, text=True, timeout=300)
        self.logs[step["name"]] = done.stdout + done.stderr
        if "id" in step:
            pairs = (line.split("=", 1) for line in out_file.read_text().splitlines() if "=" in line)
            self.outputs[step["id"]] = dict(pairs)
        return done.returncode


needs_bash = pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed (the action's shell)")
needs_command = pytest.mark.skipif(
    not any((Path(sys.executable).parent / name).exists() for name in ("iac-assist", "iac-assist.exe")),
    reason="no iac-assist command beside this Python (pip install -e .)")


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A checked-out repository: the seed app's insecure Terraform under infra/."""
    work = tmp_path / "workspace"
    shutil.copytree(SEED / "terraform" / "insecure", work / "infra")
    (work / ".git").mkdir()  # what marks the repository root; the action never runs git
    (tmp_path / "runner-temp").mkdir()
    return work


@needs_bash
@needs_command
def test_the_action_uploads_summarises_and_then_closes_the_gate(workspace):
    runner = Runner(workspace, workspace.parent / "runner-temp", {"paths": "infra", "annotations": "true"})
    invocations = runner.count_commands()
    assert runner.run() == 1, runner.logs
    # One analysis for every report (SARIF, annotations, summary), one for the threat model.
    scan_line, model_line = invocations.read_text().splitlines()
    assert scan_line.startswith("scan ") and model_line.startswith("model ")
    assert runner.outputs["scan"]["exit-code"] == "1"
    assert runner.outputs["scan"]["sarif-file"] == "iac-assist.sarif"
    assert runner.uploaded == {"sarif_file": "iac-assist.sarif"}
    doc = json.loads((workspace / "iac-assist.sarif").read_text())
    validate_sarif(doc)
    assert doc["runs"][0]["automationDetails"] == {"id": "iac-assist/infra/"}
    assert doc["runs"][0]["results"] and all(uri.startswith("infra/") for uri in uris(doc))
    assert re.search(r"^::error file=infra/web\.tf,line=99,endLine=99,title=IAC-LB-001 ", runner.logs["Scan"], re.M)
    summary = runner.summary.read_text()
    assert summary.startswith("## iac-assist\n")
    assert "[`infra/web.tf:99`](infra/web.tf#L99)" in summary
    assert "# Threat model" in summary and "```mermaid" in summary
    assert "::error title=iac-assist::findings at or above low" in runner.logs["Gate"]


@pytest.mark.slow  # the action's scan and model of 1,400 components, in subprocesses (~9 s)
@needs_bash
@needs_command
def test_a_large_threat_model_is_cut_to_fit_the_job_summary(workspace):
    # Whole, the report of 1,400 components is over 1 MiB, which GitHub would not show: its
    # tables stop where the budget ends, saying how much they left out, and the summary shows it.
    from tests.test_threatmodel_diagrams import write_large

    shutil.rmtree(workspace / "infra")
    write_large(workspace / "infra", services=450)
    runner = Runner(workspace, workspace.parent / "runner-temp",
                    {"paths": "infra", "threat-model": "true", "upload-sarif": "false"})
    runner.run()
    summary = runner.summary.read_text()
    assert summary.startswith("## iac-assist\n") and len(summary.encode()) < 1_000_000
    assert "Too large for the job summary" not in summary
    model = summary[summary.index("\n# Threat model\n"):]
    assert [line for line in model.splitlines() if line.startswith("## ")] == [
        "## Top risks", "## Summary", "## Diagram", "## Threats", "## Attack paths", "## Flows"]
    assert re.search(r"^… and \d+ more threats not shown here \(`iac-assist model --format json` lists them all\)\.$",
                     model, re.M)


@pytest.fixture
def pull_request(tmp_path: Path) -> Path:
    """A checked-out pull request: a clone of a repository whose main branch has the database
    closed to the internet, with one commit on top opening its security group. The clone has no
    ``origin/main`` (as actions/checkout's one-commit fetch): the action fetches it."""
    from tests.test_baseline import git
    from tests.test_threatmodel_diff import DB_TF

    upstream = tmp_path / "upstream"
    (upstream / "infra").mkdir(parents=True)
    (upstream / "infra" / "main.tf").write_text(DB_TF["closed"], encoding="utf-8")
    git(upstream, "init", "-q", "-b", "main")
    git(upstream, "add", "-A")
    git(upstream, "commit", "-q", "-m", "database")
    work = tmp_path / "workspace"
    git(tmp_path, "clone", "-q", str(upstream), str(work))
    git(work, "checkout", "-q", "-b", "open-the-database")
    (work / "infra" / "main.tf").write_text(DB_TF["open"], encoding="utf-8")
    git(work, "commit", "-q", "-am", "open the database")
    git(work, "update-ref", "-d", "refs/remotes/origin/main")
    (tmp_path / "runner-temp").mkdir()
    return work


PULL_REQUEST = {"GITHUB_EVENT_NAME": "pull_request", "GITHUB_BASE_REF": "main"}


@needs_bash
@needs_command
def test_on_a_pull_request_the_summary_and_sarif_say_what_the_change_does_to_the_threat_model(pull_request):
    runner = Runner(pull_request, pull_request.parent / "runner-temp", {"paths": "infra"}, PULL_REQUEST)
    assert runner.run() == 1, runner.logs  # the scan's gate, as on a push
    summary = runner.summary.read_text()
    assert summary.startswith("## iac-assist\n")
    assert ("**This change opens 1 attack path from the internet to aws\\_db\\_instance.db and opens 3 threats.** "
            "Compared with `origin/main`.") in summary
    assert "\n# Threat model\n" not in summary  # the difference instead of the whole model
    assert runner.outputs["model"]["sarif-file"] == "iac-assist.model-diff.sarif"
    assert runner.uploads == [{"sarif_file": "iac-assist.sarif"}, {"sarif_file": "iac-assist.model-diff.sarif"}]
    doc = json.loads((pull_request / "iac-assist.model-diff.sarif").read_text())
    validate_sarif(doc)
    assert doc["runs"][0]["automationDetails"] == {"id": "iac-assist-model-diff/infra/"}
    [result] = doc["runs"][0]["results"]
    lines = (pull_request / "infra" / "main.tf").read_text().splitlines()
    rule_line = next(n for n, line in enumerate(lines, 1) if line.strip() == "ingress {")
    place = result["locations"][0]["physicalLocation"]
    assert (place["artifactLocation"]["uri"], place["region"]["startLine"]) == ("infra/main.tf", rule_line)
    assert result["ruleId"] == "IAC-TM-PATH" and result["codeFlows"]


def pull_request_from(head: str) -> dict[str, Any]:
    """The ``github`` context of a pull request to owner/repo from ``head``."""
    return {"repository": "owner/repo", "event": {"pull_request": {"head": {"repo": {"full_name": head}}}}}


SAME_REPOSITORY, FROM_A_FORK = pull_request_from("owner/repo"), pull_request_from("someone/repo")


@needs_bash
@needs_command
def test_on_a_pull_request_one_scan_and_one_model_run_make_every_report(pull_request):
    runner = Runner(pull_request, pull_request.parent / "runner-temp", {"paths": "infra", "annotations": "true"},
                    PULL_REQUEST, SAME_REPOSITORY)
    invocations = runner.count_commands()
    assert runner.run() == 1, runner.logs
    scan_line, model_line = invocations.read_text().splitlines()
    assert scan_line.startswith("scan ") and "--report sarif=iac-assist.sarif" in scan_line
    assert model_line.startswith("model ") and "--base origin/main" in model_line
    assert "--report sarif=iac-assist.model-diff.sarif" in model_line
    assert runner.uploads == [{"sarif_file": "iac-assist.sarif"}, {"sarif_file": "iac-assist.model-diff.sarif"}]
    assert re.search(r"^::error file=infra/main\.tf,", runner.logs["Scan"], re.M)  # the annotations
    summary = runner.summary.read_text()
    assert summary.startswith("## iac-assist\n") and "**This change opens 1 attack path" in summary
    assert "upload skipped" not in summary


@needs_bash
@needs_command
def test_a_pull_request_from_a_fork_skips_the_upload_and_the_summary_says_why(pull_request):
    runner = Runner(pull_request, pull_request.parent / "runner-temp", {"paths": "infra"}, PULL_REQUEST, FROM_A_FORK)
    assert runner.run() == 1, runner.logs  # the gate is the same
    assert runner.uploads == []
    summary = runner.summary.read_text()
    assert summary.startswith("## iac-assist\n")
    assert ("> **Code scanning upload skipped:** this pull request comes from a fork, and GitHub gives its workflow "
            "a read-only token (no `security-events: write`)") in summary
    assert "the SARIF report is still written to `iac-assist.sarif`" in summary
    validate_sarif(json.loads((pull_request / "iac-assist.sarif").read_text()))


@needs_bash
@needs_command
def test_the_threat_model_gets_the_scans_inputs(workspace):
    (workspace / "iac-assist.toml").write_text('assume-worst = false\n', encoding="utf-8")
    (workspace / "infra" / "prod.tfvars").write_text("", encoding="utf-8")
    runner = Runner(workspace, workspace.parent / "runner-temp",
                    {"paths": "infra", "config": "iac-assist.toml", "upload-sarif": "false",
                     "model-args": "--view full",
                     "args": "--select high --exclude web.tf --var-file infra/prod.tfvars --max-file-size 5000000"})
    invocations = runner.count_commands()
    assert runner.run() == 1, runner.logs
    scan_line, model_line = invocations.read_text().splitlines()
    shared = "--exclude web.tf --var-file infra/prod.tfvars --max-file-size 5000000 --config iac-assist.toml"
    assert shared in scan_line and shared + " --view full" in model_line
    assert "--select" not in model_line  # the gate's own options are the scan's
    model = runner.summary.read_text().split("# Threat model", 1)[1]
    assert "aws_lb" not in model  # web.tf's load balancer is excluded from both


def test_shared_options_keep_what_model_takes_with_its_values():
    from iac_assist.github_action import shared_options

    args = ["--select", "high", "--exclude=a/*", "--var-file", "p.tfvars", "-j4", "--fail-on", "high", "--baseline",
            "b.json", "--no-local-nested-templates", "--var", "x=1", "-v", "--untrusted", "-f", "json", "--report",
            "sarif=x", "--max-file-size", "9", "--parameters", "Env=prod", "--config", "c.toml", "--", "--exclude"]
    assert shared_options(args) == ["--exclude=a/*", "--var-file", "p.tfvars", "-j4", "--no-local-nested-templates",
                                    "--var", "x=1", "--untrusted", "--max-file-size", "9", "--parameters", "Env=prod",
                                    "--config", "c.toml"]


@needs_bash
@needs_command
def test_on_a_push_the_summary_has_the_whole_threat_model(pull_request):
    runner = Runner(pull_request, pull_request.parent / "runner-temp", {"paths": "infra"},
                    {"GITHUB_EVENT_NAME": "push", "GITHUB_BASE_REF": ""})
    assert runner.run() == 1, runner.logs
    summary = runner.summary.read_text()
    assert "\n# Threat model\n" in summary and "what this change does" not in summary
    assert "sarif-file" not in runner.outputs["model"]
    assert runner.uploads == [{"sarif_file": "iac-assist.sarif"}]
    assert not (pull_request / "iac-assist.model-diff.sarif").exists()


@needs_bash
@needs_command
def test_a_hostile_base_branch_name_is_a_word_never_shell_code(pull_request):
    marker = pull_request.parent / "pwned"
    runner = Runner(pull_request, pull_request.parent / "runner-temp", {"paths": "infra", "upload-sarif": "false"},
                    {"GITHUB_EVENT_NAME": "pull_request", "GITHUB_BASE_REF": f'main$(touch {marker})`touch {marker}`'})
    runner.run()
    assert not marker.exists()
    assert "\n# Threat model\n" in runner.summary.read_text()  # no base to compare with: the whole model


@needs_bash
@needs_command
def test_the_gate_follows_fail_on(workspace):
    runner = Runner(workspace, workspace.parent / "runner-temp",
                    {"paths": "infra", "fail-on": "none", "summary": "false"})  # the gate alone
    assert runner.run() == 0, runner.logs
    assert runner.outputs["scan"]["exit-code"] == "0"
    assert runner.uploaded == {"sarif_file": "iac-assist.sarif"}  # the alerts are uploaded all the same


@needs_bash
@needs_command
def test_inputs_are_words_never_shell_code(workspace):
    marker = workspace.parent / "pwned"
    runner = Runner(workspace, workspace.parent / "runner-temp",
                    {"paths": f"'infra' \"$(touch {marker})\" `touch {marker}`; touch {marker}",
                     "args": "--exclude 'no such/*'", "upload-sarif": "false"})
    code = runner.run()
    assert not marker.exists()
    # The odd words are taken as paths, which do not exist: a usage error, no report, no upload.
    assert code == 2 and runner.outputs["scan"] == {"exit-code": "2"}, runner.logs
    assert runner.uploaded is None
    assert "does not exist" in runner.logs["Scan"]


@needs_bash
@needs_command
def test_an_unreadable_input_fails_the_step(workspace):
    runner = Runner(workspace, workspace.parent / "runner-temp", {"args": "--exclude 'unbalanced"})
    assert runner.run() == 2
    assert runner.ran == ["Install iac-assist", "Scan"]  # nothing runs after it: no report was made
    assert "cannot read the INPUT_ARGS input" in runner.logs["Scan"]


# SARIF as GitHub ingests it ----------------------------------------------------------------------


def test_paths_are_relative_to_the_repository_root_when_a_subfolder_is_scanned(write_tree, monkeypatch):
    root = write_tree({
        ".git/HEAD": "ref: refs/heads/main\n",
        "infra/prod/main.tf": 'resource "aws_db_instance" "db" {\n  publicly_accessible = true\n}\n',
    })

    def no_process(*args, **kwargs):
        raise AssertionError(f"a process was started: {args}")

    monkeypatch.setattr(subprocess, "Popen", no_process)  # the root is found on disk, git never runs
    doc = sarif_of(root / "infra" / "prod")
    monkeypatch.undo()
    run = doc["runs"][0]
    assert run["automationDetails"] == {"id": "iac-assist/infra/prod/"}
    assert set(uris(doc)) == {"infra/prod/main.tf"}
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"] for r in run["results"]} == {
        "%SRCROOT%"}
    assert "uri" not in run["originalUriBaseIds"]["%SRCROOT%"]  # described; no machine path
    # The fingerprint does not depend on where the repository is checked out or what was scanned.
    fingerprint = scan([root / "infra" / "prod"]).findings[0].fingerprint
    assert run["results"][0]["partialFingerprints"]["iacAssist/v1"] == fingerprint


def test_a_git_file_marks_a_worktree_or_submodule_root(write_tree):
    root = write_tree({".git": "gitdir: ../.git/worktrees/x\n", "stacks/main.tf": 'resource "aws_vpc" "v" {}\n'})
    doc = sarif_of(root / "stacks" / "main.tf")
    assert doc["runs"][0]["automationDetails"]["id"] == "iac-assist/stacks/"
    assert set(uris(doc)) == {"stacks/main.tf"}


def test_without_a_repository_paths_are_relative_to_the_scan_root(write_tree, monkeypatch):
    root = write_tree({"main.tf": 'resource "aws_vpc" "v" {}\n'})
    # tmp_path may sit inside some checkout on the test machine: pretend there is none above.
    monkeypatch.setattr("iac_assist.report.locations.repository_root", lambda start: None)
    doc = sarif_of(root)
    assert doc["runs"][0]["automationDetails"] == {"id": "iac-assist/"}
    assert set(uris(doc)) == {"main.tf"}


DOWNLOADED = {
    ".git/HEAD": "ref: refs/heads/main\n",
    "infra/main.tf": '''module "db" {
  source  = "terraform-aws-modules/rds/aws"
  version = "6.0.0"
  public  = true
}

module "local" {
  source = "./modules/bucket"
}
''',
    "infra/modules/bucket/main.tf": 'resource "aws_s3_bucket" "b" {\n  acl = "public-read"\n}\n',
    "infra/.terraform/modules/modules.json": json.dumps({"Modules": [
        {"Key": "", "Source": "", "Dir": "."},
        {"Key": "db", "Source": "registry.terraform.io/terraform-aws-modules/rds/aws", "Version": "6.0.0",
         "Dir": ".terraform/modules/db"},
        {"Key": "db.sg", "Source": "registry.terraform.io/x/sg/aws", "Version": "1.0.0",
         "Dir": ".terraform/modules/db.sg"},
    ]}),
    "infra/.terraform/modules/db/main.tf": '''variable "public" { default = false }

resource "aws_db_instance" "this" {
  engine              = "postgres"
  publicly_accessible = var.public
}

module "sg" {
  source = "x/sg/aws"
}
''',
    "infra/.terraform/modules/db.sg/main.tf": '''resource "aws_security_group" "this" {
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
''',
}


def test_a_finding_in_a_downloaded_module_points_at_the_module_call(write_tree):
    root = write_tree(DOWNLOADED)
    result = scan([root / "infra"])
    by_rule = {(f.control, f.resource): f for f in result.findings}
    assert by_rule[("db-publicly-accessible", "module.db.aws_db_instance.this")].loc.file == \
        ".terraform/modules/db/main.tf"  # the engine keeps the true place; reports move it
    doc = json.loads(render(result, "sarif"))
    validate_sarif(doc)
    results = {(r["properties"]["control"], r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]): r
               for r in doc["runs"][0]["results"]}
    public = results[("db-publicly-accessible", "module.db.aws_db_instance.this")]
    assert public["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "infra/main.tf", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 1, "endLine": 5}}
    assert public["message"]["text"].endswith("(in downloaded module code, .terraform/modules/db/main.tf:5)")
    # A module downloaded for a downloaded module: still the call written in the repository.
    ssh = next(r for (_control, resource), r in results.items()
               if resource == "module.db.module.sg.aws_security_group.this")
    assert ssh["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "infra/main.tf"
    assert ssh["locations"][0]["physicalLocation"]["region"]["startLine"] == 1
    # A local module is part of the repository: its findings stay where they are.
    local = next(r for (_control, resource), r in results.items() if resource == "module.local.aws_s3_bucket.b")
    assert local["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "infra/modules/bucket/main.tf"
    # No location of any result (its own, related places, code flow steps) points into .terraform/.
    artifacts = re.findall(r'"uri": "([^"]*)"', json.dumps(doc["runs"][0]["results"]))
    assert artifacts and not [uri for uri in artifacts if ".terraform" in uri]


def test_every_place_of_a_finding_in_downloaded_code_is_on_the_module_call(write_tree):
    from iac_assist.model import Component
    from iac_assist.model.graph import ResourceGraph

    root = write_tree({".git/HEAD": "x\n", "infra/main.tf": "# the module calls are here\n"})
    call = Location("main.tf", 3, 8)
    inside = Component("db#x", "rds.instance", "module.db.aws_db_instance.this", "aws_db_instance",
                       Location(".terraform/modules/db/main.tf", 2, 6), call_loc=call)
    nested = Component("sg#x", "ec2.security_group", "module.db.module.sg.aws_security_group.this",
                       "aws_security_group", Location(".terraform/modules/db.sg/sg.tf", 1, 9), call_loc=call)
    p = all_policies()[0]
    finding = Finding(p.id, p.control, p.severity, p.title, inside.address,
                      Location(".terraform/modules/db/sub/deeper.tf", 4), "m", "c",
                      related=((Location(".terraform/modules/db.sg/sg.tf", 5), "the rule"),
                               (Location("main.tf", 12), "in the repository")),
                      path=((Location(".terraform/modules/db.sg/sg.tf", 5), "hop"),))
    result = ScanResult(root=root / "infra", files=["main.tf"], findings=[finding], policies=all_policies(),
                        graph=ResourceGraph([inside, nested]))
    (r,) = json.loads(render(result, "sarif"))["runs"][0]["results"]
    where = {"artifactLocation": {"uri": "infra/main.tf", "uriBaseId": "%SRCROOT%"},
             "region": {"startLine": 3, "endLine": 8}}
    assert r["locations"][0]["physicalLocation"] == where  # a file in a subfolder of the module too
    assert r["message"]["text"] == "m (in downloaded module code, .terraform/modules/db/sub/deeper.tf:4)"
    assert r["relatedLocations"][0]["physicalLocation"] == where
    assert r["relatedLocations"][1]["physicalLocation"]["artifactLocation"]["uri"] == "infra/main.tf"
    assert r["relatedLocations"][1]["physicalLocation"]["region"] == {"startLine": 12}
    step = r["codeFlows"][0]["threadFlows"][0]["locations"][0]["location"]
    assert step["physicalLocation"] == where and step["message"]["text"] == "hop"


def test_a_missing_control_is_reported_on_the_resource_that_lacks_it():
    doc = sarif_of(SEED / "terraform" / "insecure")
    (flow_log,) = [r for r in doc["runs"][0]["results"] if r["properties"]["control"] == "vpc-flow-logs-missing"]
    location = flow_log["locations"][0]
    assert location["logicalLocations"][0]["fullyQualifiedName"] == "aws_vpc.main"
    assert location["physicalLocation"]["artifactLocation"]["uri"].endswith("network.tf")
    text = (SEED / "terraform" / "insecure" / "network.tf").read_text().splitlines()
    assert text[location["physicalLocation"]["region"]["startLine"] - 1].startswith('resource "aws_vpc" "main"')


def _findings(n: int) -> list[Finding]:
    policies = {p.severity: p for p in all_policies()}
    order = ["low", "critical", "medium", "high"]
    out = []
    for i in range(n):
        p = policies[order[i % 4]]
        out.append(Finding(p.id, p.control, p.severity, p.title, f"r.n{i}", Location("main.tf", i + 1), "m", str(i)))
    return out


def test_results_are_capped_at_githubs_limit_keeping_the_most_severe(monkeypatch):
    monkeypatch.setattr(sarif, "MAX_RESULTS", 3)
    findings = _findings(8)  # 2 of each severity, lines 1..8
    result = ScanResult(root=Path("/nonexistent/repo"), files=["main.tf"], findings=findings,
                        policies=all_policies())
    doc = json.loads(render(result, "sarif"))
    validate_sarif(doc)
    run = doc["runs"][0]
    kept = [(r["properties"]["severity"], r["locations"][0]["physicalLocation"]["region"]["startLine"])
            for r in run["results"]]
    assert kept == [("critical", 2), ("high", 4), ("critical", 6)]  # the most severe, in report order
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is True  # a warning, not a failure
    (note,) = invocation["toolExecutionNotifications"]
    assert note["level"] == "warning"
    assert note["message"]["text"].startswith("5 of 8 findings were left out of this report: GitHub code scanning "
                                              "accepts at most 3 results per run.")


def test_no_warning_at_the_limit(monkeypatch):
    monkeypatch.setattr(sarif, "MAX_RESULTS", 4)
    result = ScanResult(root=Path("/nonexistent/repo"), findings=_findings(4), policies=all_policies())
    run = json.loads(render(result, "sarif"))["runs"][0]
    assert len(run["results"]) == 4 and run["invocations"] == [{"executionSuccessful": True}]


def test_the_default_limit_is_githubs():
    assert sarif.MAX_RESULTS == 25_000


# The SARIF Multitool ---------------------------------------------------------------------------


def _multitool() -> Path | None:
    """The Multitool binary installed under tools/sarif-multitool, or None."""
    if shutil.which("node") is None:
        return None
    found = subprocess.run(["node", "-p", "require('@microsoft/sarif-multitool')"], cwd=MULTITOOL,
                           capture_output=True, text=True)
    path = Path(found.stdout.strip()) if found.returncode == 0 else None
    return path if path is not None and path.is_file() else None


def _suite_logs(tmp_path: Path) -> list[Path]:
    """SARIF from what the suite scans: both formats of the seed app, the Terraform repository,
    every policy example, a downloaded module, scan errors, a capped run, an empty run."""
    logs = {
        "seed": render(scan([SEED]), "sarif"),
        "terraform-repo": render(scan([FIXTURES / "terraform-repo"]), "sarif"),
        "examples": render(scan([REPO / "policies" / "examples"]), "sarif"),
    }
    for rel, text in DOWNLOADED.items():
        target = tmp_path / "downloaded" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    logs["downloaded"] = render(scan([tmp_path / "downloaded" / "infra"]), "sarif")
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "bad.tf").write_text('resource "x" "y" {\n  a = = 1\n}\n')
    logs["errors"] = render(scan([broken]), "sarif")
    logs["empty"] = render(ScanResult(root=tmp_path, policies=all_policies()), "sarif")
    logs["model-diff"] = _model_diff_sarif(tmp_path / "model-diff")
    logs["fixes"] = _fixes_sarif(tmp_path / "fixes")
    capped = ScanResult(root=tmp_path, findings=_findings(6), policies=all_policies(),
                        errors=[ScanError("main.tf", 0, "a warning", level="warning")])
    original = sarif.MAX_RESULTS
    sarif.MAX_RESULTS = 2
    try:
        logs["capped"] = render(capped, "sarif")
    finally:
        sarif.MAX_RESULTS = original
    paths = []
    for name, text in logs.items():
        path = tmp_path / f"{name}.sarif"
        path.write_text(text)
        paths.append(path)
    return paths


def _fixes_sarif(folder: Path) -> str:
    """``scan -f sarif`` with each result's fixes (``iac-assist fix``'s edits), in process."""
    from iac_assist.fixes.plan import plan
    from iac_assist.fixes.sources import SourceFiles

    shutil.copytree(SEED / "terraform" / "insecure", folder)
    result = scan([folder], jobs=1)
    result.fixes = plan(result, SourceFiles(result.root, result.digests))
    assert result.fixes.fixes
    return render(result, "sarif")


def _model_diff_sarif(folder: Path) -> str:
    """``model --base -f sarif`` of opening a database to the internet, in process."""
    from iac_assist.report.locations import repo_locations
    from iac_assist.threatmodel.build import build
    from iac_assist.threatmodel.diff import diff
    from iac_assist.threatmodel.formats import diff_sarif
    from tests.test_threatmodel_diff import DB_TF

    models = {}
    for side in ("closed", "open"):
        (folder / side).mkdir(parents=True)
        (folder / side / "main.tf").write_text(DB_TF[side])
        models[side] = result = scan([folder / side])
    before, after = build(models["closed"]), build(models["open"])
    return diff_sarif.render(diff(before, after), after, repo_locations(result), before)


@pytest.mark.slow  # the .NET SARIF Multitool over every SARIF of the suite (~10 s)
def test_the_suites_sarif_passes_the_multitools_sarif_and_github_rules(tmp_path):
    binary = _multitool()
    if binary is None:
        pytest.skip("the SARIF Multitool is not installed: needs node and `npm ci --prefix tools/sarif-multitool`")
    logs = _suite_logs(tmp_path)
    out = tmp_path / "validation.sarif"
    env = dict(os.environ, DOTNET_SYSTEM_GLOBALIZATION_INVARIANT="1")  # no ICU needed on slim images
    done = subprocess.run(
        [str(binary), "validate", *map(str, logs), "--rule-kind", "Sarif;Gh", "--output", str(out),
         "--log", "ForceOverwrite"], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(out.read_text(encoding="utf-8-sig"))
    problems = [r for run in report["runs"] for r in run.get("results", []) if r.get("level", "warning") != "note"]
    assert problems == [], done.stdout
    assert f"{len(logs)} files scanned" in done.stdout


def test_the_multitool_finds_what_github_would_reject(tmp_path):
    """The validation above can fail: a result without message text is an error for GitHub."""
    binary = _multitool()
    if binary is None:
        pytest.skip("the SARIF Multitool is not installed: needs node and `npm ci --prefix tools/sarif-multitool`")
    doc = sarif_of(SEED / "terraform" / "insecure")
    doc["runs"][0]["results"][0]["message"] = {"id": "default"}
    bad = tmp_path / "bad.sarif"
    bad.write_text(json.dumps(doc))
    out = tmp_path / "validation.sarif"
    subprocess.run([str(binary), "validate", str(bad), "--rule-kind", "Sarif;Gh", "--output", str(out),
                    "--log", "ForceOverwrite"], capture_output=True, text=True, timeout=300,
                   env=dict(os.environ, DOTNET_SYSTEM_GLOBALIZATION_INVARIANT="1"))
    report = json.loads(out.read_text(encoding="utf-8-sig"))
    rules = {r["ruleId"] for run in report["runs"] for r in run.get("results", []) if r.get("level") == "error"}
    assert any(rule.startswith("GH") for rule in rules), rules
