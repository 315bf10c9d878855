"""Who may weaken the gate: settings from the scanned repository are requests.

Without ``--untrusted`` the repository's configuration, inline suppressions and the baseline its
configuration names apply, and every way they weakened the gate is a warning in every report,
with the file and line of the setting. With ``--untrusted`` (``IAC_ASSIST_UNTRUSTED=1``; the
GitHub Action on pull requests) none of them applies; what the runner gives (options, ``--config``,
``--baseline``) still does.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from iac_assist.analysis.engine import scan
from iac_assist.cli import cli
from iac_assist.gate.config import resolve
from iac_assist.gate.trust import CATEGORY, report
from iac_assist.policies import all_policies
from tests.conftest import SEED
from tests.sarif_schema import validate_sarif
from tests.test_github import Runner, needs_bash, needs_command

TF_DB = 'resource "aws_db_instance" "db" {\n  publicly_accessible = true\n}\n'
CFN_DB = ('AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  Db:\n    Type: AWS::RDS::DBInstance\n'
          '    Properties:\n      PubliclyAccessible: true\n')
WEAKENING = """\
# The repository's own gate settings (a pull request may have written them).
select = ["IAC-RDS-001", "IAC-RDS-006", "IAC-S3-001"]
ignore = ["IAC-RDS-006"]
fail-on = "none"
exclude = ["legacy"]

[severity]
IAC-RDS-001 = "low"
"""


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def report_of(*args: str, env: dict[str, str] | None = None) -> tuple[int, dict]:
    result = run("scan", *args, "-f", "json", env=env)
    return result.exit_code, json.loads(result.stdout)


def _first_five(kept: tuple[str, ...] = ()) -> str:
    """The first five rule ids a warning names of those turned off (all but ``kept``), in order."""
    return ", ".join(sorted(p.id for p in all_policies() if p.id not in kept)[:5])


def warnings(doc: dict) -> list[tuple[str, int, str]]:
    """What the repository's settings waived (files left out are also counted as skipped-iac)."""
    return [(e["file"], e["line"], e["message"]) for e in doc["errors"]
            if e["level"] == "warning" and e["category"] in ("repository-setting", "")]


@pytest.fixture(params=["terraform", "cloudformation"])
def weakened(request, tmp_path: Path) -> Path:
    """A repository with a public database (critical), the same in legacy/, and a configuration
    that waives it every way it can."""
    name, text = ("main.tf", TF_DB) if request.param == "terraform" else ("db.yaml", CFN_DB)
    (tmp_path / ".git").mkdir()
    (tmp_path / name).write_text(text)
    (tmp_path / "legacy").mkdir()
    (tmp_path / "legacy" / name).write_text(text)
    (tmp_path / ".iac-assist.toml").write_text(WEAKENING)
    return tmp_path


def test_what_the_repository_configuration_waived_is_reported(weakened):
    name = next(p.name for p in weakened.iterdir() if p.suffix in (".tf", ".yaml"))
    code, doc = report_of(str(weakened))
    assert code == 0  # the configuration opened the gate ...
    assert [(f["rule_id"], f["severity"], f["file"]) for f in doc["findings"]] == [("IAC-RDS-001", "low", name)]
    # ... and every way it did so is named, with the line of the setting.
    table = ".iac-assist.toml"
    assert warnings(doc) == [
        (table, 2, f'select = ["IAC-RDS-001", "IAC-RDS-006", "IAC-S3-001"] in {table} turned off '
                   f"{len(all_policies()) - 3} rules: {_first_five(('IAC-RDS-001', 'IAC-RDS-006', 'IAC-S3-001'))} "
                   f"and {len(all_policies()) - 8} more"),
        (table, 3, f'ignore = ["IAC-RDS-006"] in {table} turned off 1 rule: IAC-RDS-006'),
        (table, 4, f'fail-on = "none" in {table} lowered the gate: no finding fails the gate (1 finding let pass)'),
        (table, 5, f'exclude = ["legacy"] in {table} left 1 IaC file out of the scan: legacy/{name}'),
        (table, 8, f'severity.IAC-RDS-001 = "low" in {table} downgraded IAC-RDS-001 from critical to low'),
    ]
    # The same warnings in SARIF (tool execution notifications) and in the text report.
    sarif = json.loads(run("scan", str(weakened), "-f", "sarif").stdout)
    validate_sarif(sarif)
    notes = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert [n["message"]["text"] for n in notes
            if "IaC file not analysed: excluded" not in n["message"]["text"]] == [w[2] for w in warnings(doc)]
    text = run("scan", str(weakened)).stdout
    assert f".iac-assist.toml:4: warning: fail-on = \"none\" in {table} lowered the gate" in text


def test_untrusted_ignores_the_repository_configuration(weakened):
    name = next(p.name for p in weakened.iterdir() if p.suffix in (".tf", ".yaml"))
    expected = {("IAC-RDS-001", "critical", name), ("IAC-RDS-001", "critical", f"legacy/{name}")}
    for args, env in ((("--untrusted",), None), ((), {"IAC_ASSIST_UNTRUSTED": "1"})):
        code, doc = report_of(str(weakened), "--select", "IAC-RDS-001", *args, env=env)
        assert code == 1
        assert {(f["rule_id"], f["severity"], f["file"]) for f in doc["findings"]} == expected
        assert warnings(doc) == [(".iac-assist.toml", 1, "configuration not read: --untrusted ignores the scanned "
                                  "repository's own settings (name a configuration with --config to apply it)")]
    # A broken configuration is not even read.
    (weakened / ".iac-assist.toml").write_text("select = [\n")
    assert report_of(str(weakened), "--untrusted", "--select", "IAC-RDS-001")[0] == 1
    # The runner's own choice applies, and is not reported as the repository's.
    (weakened / "gate.toml").write_text('fail-on = "none"\n')
    code, doc = report_of(str(weakened), "--untrusted", "--config", str(weakened / "gate.toml"))
    assert code == 0 and warnings(doc) == []


SUPPRESSED = {
    "main.tf": "# iac-assist:ignore=IAC-RDS-001 accepted, see ticket 12\n" + TF_DB,
    "db.yaml": CFN_DB.replace("    Properties:", "    Metadata:\n      iac-assist:\n        ignore:\n"
                              "          - id: IAC-RDS-001\n            reason: accepted\n    Properties:"),
}


@pytest.mark.parametrize(("name", "line"), [("main.tf", 1), ("db.yaml", 8)])
def test_inline_suppressions_are_reported_and_void_when_untrusted(tmp_path, name, line):
    (tmp_path / name).write_text(SUPPRESSED[name])
    code, doc = report_of(str(tmp_path), "--select", "IAC-RDS-001")
    assert code == 0 and doc["summary"]["suppressed"] == 1
    address = "aws_db_instance.db" if name == "main.tf" else "Db"
    assert warnings(doc) == [(name, line, f"inline suppression waived 1 finding: IAC-RDS-001 on {address}")]
    code, doc = report_of(str(tmp_path), "--select", "IAC-RDS-001", "--untrusted")
    assert code == 1 and doc["summary"]["suppressed"] == 0 and warnings(doc) == []
    # Asked for on the command line, they apply again (and are reported again).
    code, doc = report_of(str(tmp_path), "--select", "IAC-RDS-001", "--untrusted", "--inline-suppressions")
    assert code == 0 and len(warnings(doc)) == 1


def test_a_baseline_the_repository_names_is_reported_and_ignored_when_untrusted(tmp_path):
    (tmp_path / "main.tf").write_text(TF_DB)
    assert run("baseline", str(tmp_path), "--output", str(tmp_path / "known.json")).exit_code == 0
    (tmp_path / ".iac-assist.toml").write_text('# accepted risks\nbaseline = "known.json"\n')
    code, doc = report_of(str(tmp_path))
    assert code == 0 and doc["findings"] == [] and doc["summary"]["baselined"] > 1
    assert warnings(doc) == [(".iac-assist.toml", 2, f'baseline = "known.json" in .iac-assist.toml left out '
                              f'{doc["summary"]["baselined"]} findings it records as known')]
    code, doc = report_of(str(tmp_path), "--untrusted")
    assert code == 1 and doc["summary"]["baselined"] == 0
    # Named on the command line, it is the runner's: it applies, unreported.
    code, doc = report_of(str(tmp_path), "--untrusted", "--baseline", str(tmp_path / "known.json"))
    assert code == 0 and warnings(doc)[1:] == []


def test_a_pyproject_table_is_pointed_at_by_line(tmp_path):
    (tmp_path / "main.tf").write_text(TF_DB)
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\nignore = 1\n\n[tool.iac-assist]\n'
                                             'fail-on = "high"\n\n[tool.iac-assist.severity]\n'
                                             'db-publicly-accessible = "medium"\n')
    code, doc = report_of(str(tmp_path), "--select", "IAC-RDS-001")
    assert code == 0
    assert warnings(doc) == [
        ("pyproject.toml", 6, 'fail-on = "high" in [tool.iac-assist] lowered the gate: findings below high do not '
                              "fail the gate (1 finding let pass)"),
        ("pyproject.toml", 9, 'severity.db-publicly-accessible = "medium" in [tool.iac-assist] downgraded '
                              "IAC-RDS-001 from critical to medium"),
    ]


def test_a_configuration_above_the_scanned_folder_is_named_from_the_scan_root(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra/main.tf").write_text(TF_DB)
    (tmp_path / ".iac-assist.toml").write_text('ignore = ["critical"]\n')
    code, doc = report_of(str(tmp_path / "infra"), "--fail-on", "critical")
    assert code == 0
    assert [(f, line) for f, line, _ in warnings(doc)] == [("../.iac-assist.toml", 1)]


def test_warnings_carry_the_repository_setting_category(tmp_path):
    (tmp_path / "main.tf").write_text(SUPPRESSED["main.tf"])
    (tmp_path / ".iac-assist.toml").write_text('fail-on = "none"\n')
    settings = resolve(tmp_path)
    result = scan([tmp_path], select=["IAC-RDS-001"])
    report(result, settings, all_policies(), [tmp_path])
    assert {(e.file, e.category, e.level) for e in result.errors} == {
        ("main.tf", CATEGORY, "warning"), (".iac-assist.toml", CATEGORY, "warning")}
    assert not result.has_errors


def test_names_from_the_repository_are_printed_escaped(tmp_path):
    (tmp_path / "ex\x1b[31mcluded").mkdir()
    (tmp_path / "ex\x1b[31mcluded" / "main.tf").write_text(TF_DB)
    (tmp_path / "main.tf").write_text(TF_DB)
    (tmp_path / ".iac-assist.toml").write_text('exclude = ["ex*"]\n')
    code, doc = report_of(str(tmp_path), "--select", "IAC-RDS-001")
    assert warnings(doc) == [(".iac-assist.toml", 1, 'exclude = ["ex*"] in .iac-assist.toml left 1 IaC file out '
                              "of the scan: ex\\u001b[31mcluded/main.tf")]


def test_model_untrusted_ignores_the_repository_configuration(weakened):
    model = json.loads(run("model", str(weakened), "-f", "json").stdout)
    assert "legacy" not in json.dumps(model)
    model = json.loads(run("model", str(weakened), "-f", "json", "--untrusted").stdout)
    assert "legacy" in json.dumps(model)


# The GitHub Action: untrusted on pull requests --------------------------------------------------


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A checked-out repository whose own configuration turns every rule off."""
    work = tmp_path / "workspace"
    shutil.copytree(SEED / "terraform" / "insecure", work / "infra")
    (work / ".git").mkdir()
    (work / ".iac-assist.toml").write_text('ignore = ["critical", "high", "medium", "low"]\n')
    (tmp_path / "runner-temp").mkdir()
    return work


def action_run(checkout: Path, event: str, payload: dict | None = None, **inputs: str):
    """The action's steps run as the runner would for ``event`` (the runner's own
    GITHUB_EVENT_NAME and GITHUB_EVENT_PATH, which the action reads)."""
    # No job summary: it would scan a second time, and what it shows is tests/test_github.py's concern.
    runner = Runner(checkout, checkout.parent / "runner-temp",
                    {"paths": "infra", "upload-sarif": "false", "summary": "false", **inputs})
    event_file = checkout.parent / "event.json"
    event_file.write_text(json.dumps(payload or {}))
    for step in runner.steps:
        if "run" in step:
            step.setdefault("env", {}).update(GITHUB_EVENT_NAME=event, GITHUB_EVENT_PATH=str(event_file))
    return runner, runner.run()


def pull_request(fork: bool) -> dict:
    head = "someone/fork" if fork else "owner/repo"
    return {"pull_request": {"head": {"repo": {"full_name": head, "fork": fork}},
                             "base": {"repo": {"full_name": "owner/repo", "fork": False}}}}


def sarif_warnings(checkout: Path) -> list[str]:
    doc = json.loads((checkout / "iac-assist.sarif").read_text())
    return [n["message"]["text"] for n in doc["runs"][0]["invocations"][0].get("toolExecutionNotifications", [])]


@needs_bash
@needs_command
def test_the_action_is_untrusted_on_pull_requests(checkout):
    runner, code = action_run(checkout, "pull_request", pull_request(fork=False))
    assert code == 1, runner.logs  # the repository's configuration did not open the gate
    assert "--untrusted" in runner.logs["Scan"]
    assert any("configuration not read: --untrusted" in w for w in sarif_warnings(checkout))
    runner, code = action_run(checkout, "pull_request_target", pull_request(fork=True))
    assert code == 1, runner.logs


@needs_bash
@needs_command
def test_on_a_push_the_repository_settings_apply_and_are_reported(checkout):
    runner, code = action_run(checkout, "push")
    assert code == 0, runner.logs
    assert sarif_warnings(checkout) == [
        f'ignore = ["critical", "high", "medium", "low"] in .iac-assist.toml turned off {len(all_policies())} rules: '
        f"{_first_five()} and {len(all_policies()) - 5} more"]
    assert "repository-setting" not in runner.logs["Scan"]


@needs_bash
@needs_command
@pytest.mark.parametrize(("mode", "event", "fork", "code"), [
    ("forks", "pull_request", True, 1),
    ("forks", "pull_request", False, 0),
    ("false", "pull_request", True, 0),
    ("true", "push", False, 1),
])
def test_the_untrusted_input(checkout, mode, event, fork, code):
    runner, exit_code = action_run(checkout, event, pull_request(fork), untrusted=mode)
    assert exit_code == code, runner.logs


@needs_bash
@needs_command
def test_an_unknown_untrusted_value_fails_the_step(checkout):
    runner, code = action_run(checkout, "push", untrusted="sometimes")
    assert code == 2 and runner.ran == ["Install iac-assist", "Scan"]
    assert "the untrusted input must be pull-requests, forks, true or false" in runner.logs["Scan"]


HIDDEN_BY_A_GAP = """\
resource "aws_s3_bucket" "site" {
  bucket = "site"
}

resource "aws_s3_bucket_acl" "site" {
  bucket = aws_s3_bucket.site.id
  acl    = provider::corp::identity("public-read")
}
"""


@pytest.mark.parametrize(("args", "code"), [
    ((), 0),                                                     # trusted: a warning, the runner's choice
    (("--untrusted",), 2),                                       # untrusted: the gap fails the gate
    (("--untrusted", "--fail-on-unanalysed", "none"), 0),        # unless the runner accepts it
    (("--untrusted", "--fail-on-unanalysed", "module-not-downloaded"), 0),
])
def test_untrusted_code_cannot_hide_a_resource_in_what_is_not_analysed(tmp_path: Path, args, code):
    # A function the evaluator does not know makes the ACL unknown: no finding can be definite.
    (tmp_path / "main.tf").write_text(HIDDEN_BY_A_GAP, encoding="utf-8")
    result = run("scan", str(tmp_path), "--select", "s3-public-read", "-f", "json", *args)
    assert result.exit_code == code, result.output
    doc = json.loads(result.stdout)
    assert doc["findings"] == []
    assert [(e["category"], e["file"], e["line"]) for e in doc["errors"]] == [("unknown-function", "main.tf", 7)]
