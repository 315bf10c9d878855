"""The command line as a CI gate uses it: formats, output file, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from iac_assist import __version__
from iac_assist.cli import cli
from tests.conftest import SEED
from tests.sarif_schema import validate_sarif

INSECURE_TF = SEED / "terraform" / "insecure"
HARDENED_TF = SEED / "terraform" / "hardened"


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_exit_1_on_findings_and_0_when_clean():
    assert run("scan", str(INSECURE_TF)).exit_code == 1
    assert run("scan", str(HARDENED_TF)).exit_code == 0


@pytest.mark.parametrize(("threshold", "code"), [("critical", 1), ("none", 0), ("low", 1)])
def test_fail_on_threshold(threshold, code):
    assert run("scan", str(INSECURE_TF), "--fail-on", threshold).exit_code == code


def test_fail_on_critical_passes_when_only_high_findings(write_tree):
    root = write_tree({"main.tf": 'resource "aws_lb_listener" "l" {\n  port = 80\n  protocol = "HTTP"\n'
                                  '  default_action {\n    type = "forward"\n  }\n}\n'})
    assert run("scan", str(root), "--fail-on", "critical").exit_code == 0
    assert run("scan", str(root), "--fail-on", "high").exit_code == 1


def test_exit_2_when_an_input_cannot_be_analysed_but_findings_still_reported(write_tree):
    root = write_tree({
        "bad/main.tf": 'resource "x" "y" {\n  a = = 1\n}\n',
        "good/main.tf": 'resource "aws_db_instance" "db" {\n  publicly_accessible = true\n}\n',
    })
    result = run("scan", str(root), "--format", "json")
    assert result.exit_code == 2
    doc = json.loads(result.output)
    assert [e["file"] for e in doc["errors"]] == ["bad/main.tf"]
    assert "db-publicly-accessible" in [f["control"] for f in doc["findings"]]


def test_usage_error_is_exit_2():
    assert run("scan", "--format", "xml").exit_code == 2
    assert run("scan", "/no/such/path").exit_code == 2


def test_json_report_names_control_resource_file_line():
    doc = json.loads(run("scan", str(INSECURE_TF), "--format", "json").output)
    assert doc["tool"] == {"name": "iac-assist", "version": __version__}
    first = doc["findings"][0]
    assert {k: first[k] for k in ("control", "resource", "file", "line")} == {
        "control": "db-in-public-subnet",
        "resource": "module.database.aws_db_instance.this",
        "file": "modules/database/main.tf",
        "line": 6,
    }


def test_sarif_output_file_validates_and_locates(tmp_path):
    out = tmp_path / "report.sarif"
    result = run("scan", str(INSECURE_TF), "--format", "sarif", "--output", str(out))
    assert result.exit_code == 1 and result.output == ""
    doc = json.loads(out.read_text())
    validate_sarif(doc)
    run_ = doc["runs"][0]
    rules = run_["tool"]["driver"]["rules"]
    from iac_assist.policies import all_policies

    assert [r["id"] for r in rules] == [p.id for p in all_policies()]  # every rule that ran, found or not
    by_control = {r["properties"]["control"]: r for r in run_["results"]}
    listener = by_control["lb-listener-plaintext"]
    assert rules[listener["ruleIndex"]]["id"] == listener["ruleId"] == "IAC-LB-001"
    # Relative to the repository root (the scan root when the tests run outside a git checkout).
    from iac_assist.inputs.discovery import repository_root

    repo = repository_root(INSECURE_TF)
    prefix = "" if repo is None else INSECURE_TF.resolve().relative_to(repo).as_posix() + "/"
    assert listener["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": prefix + "web.tf", "uriBaseId": "%SRCROOT%"}
    assert listener["locations"][0]["physicalLocation"]["region"]["startLine"] == 99
    assert listener["locations"][0]["logicalLocations"][0] == {
        "fullyQualifiedName": "aws_lb_listener.http", "kind": "resource"}
    assert listener["partialFingerprints"]


def test_fingerprints_survive_line_shifts(write_tree):
    text = 'resource "aws_db_instance" "db" {\n  publicly_accessible = true\n}\n'
    root = write_tree({"main.tf": text})
    before = json.loads(run("scan", str(root), "--format", "json").output)["findings"][0]
    (root / "main.tf").write_text("# a comment\n\n" + text)
    after = json.loads(run("scan", str(root), "--format", "json").output)["findings"][0]
    assert after["line"] == before["line"] + 2
    assert after["fingerprint"] == before["fingerprint"]


def test_exclude_glob(write_tree):
    root = write_tree({"skip/main.tf": 'resource "aws_db_instance" "db" {\n  publicly_accessible = true\n}\n'})
    assert run("scan", str(root), "--exclude", "skip").exit_code == 0


def test_other_yaml_and_json_are_skipped_quietly(write_tree):
    root = write_tree({
        ".github/workflows/ci.yml": "on: push\njobs: {}\n",
        "package.json": '{"name": "x"}\n',
        "k8s.yaml": "apiVersion: v1\nkind: Pod\n",
    })
    result = run("scan", str(root), "--format", "json")
    doc = json.loads(result.output)
    assert result.exit_code == 0 and doc["errors"] == [] and doc["summary"]["files"] == 0


def test_module_entry_point_and_version():
    out = subprocess.run([sys.executable, "-m", "iac_assist", "--version"], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == f"iac-assist, version {__version__}"


def test_console_script_runs_a_scan():
    exe = Path(sys.executable).with_name("iac-assist")
    if not exe.exists():
        pytest.skip("console script not installed in this environment")
    proc = subprocess.run([str(exe), "scan", str(INSECURE_TF)], capture_output=True, text=True)
    assert proc.returncode == 1
    assert "IAC-RDS-001 [critical]" in proc.stdout  # db-publicly-accessible


@pytest.mark.parametrize("target", ["terraform/insecure", "terraform/hardened", "cloudformation/insecure.yaml",
                                    "cloudformation/hardened.yaml", "."])
def test_every_seed_sarif_validates(target):
    result = run("scan", str(SEED / target), "--format", "sarif")
    validate_sarif(json.loads(result.output))


def test_sarif_with_errors_validates_and_reports_notifications(write_tree):
    root = write_tree({"bad.tf": 'resource "x" "y" {\n  a = = 1\n}\n',
                       "bad.yaml": "AWSTemplateFormatVersion: '2010-09-09'\nResources: [\n"})
    result = run("scan", str(root), "--format", "sarif")
    assert result.exit_code == 2
    doc = json.loads(result.output)
    validate_sarif(doc)
    invocation = doc["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    files = sorted(n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                   for n in invocation["toolExecutionNotifications"])
    assert files == ["bad.tf", "bad.yaml"]


def test_output_folder_is_created_and_an_unwritable_output_is_a_clean_error(tmp_path):
    out = tmp_path / "reports" / "scan.sarif"
    assert run("scan", str(HARDENED_TF), "--format", "sarif", "--output", str(out)).exit_code == 0
    assert json.loads(out.read_text())["version"] == "2.1.0"
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = run("scan", str(HARDENED_TF), "--output", str(blocker / "x.txt"))
    assert result.exit_code == 2 and "Traceback" not in result.output and "x.txt" in result.output
