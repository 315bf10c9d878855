"""Reporters: text layout, the JSON contract, SARIF validity and mapping, determinism."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sarif_om import Notification, ReportingConfiguration, Result

from iac_assist import __version__
from iac_assist.analysis.findings import Finding
from iac_assist.analysis.policy import Policy
from iac_assist.analysis.result import ScanResult
from iac_assist.model import NOT_ANALYSED, Location, ScanError
from iac_assist.report import FORMATS, render
from iac_assist.report.sarif import to_json_value
from tests.sarif_schema import validate_sarif

# A root no report may mention: reports carry scan-relative paths only.
ROOT = Path("/home/alice/secret-project")


def make_policy(id: str, control: str, severity: str, stride: str = "I", cwe: int = 284, **extra) -> Policy:
    return Policy(
        id=id,
        control=control,
        title=f"{control} title",
        severity=severity,
        stride=stride,
        cwe=cwe,
        rationale=f"Why {control} matters.",
        remediation=f"Fix {control}.",
        check=lambda graph: [],
        **extra,
    )


POLICIES = [
    make_policy(
        "IAC-S3-001", "s3-public-read", "critical", stride="IT", references=("https://example.org/s3",)
    ),
    make_policy("IAC-EC2-002", "sg-open-ssh", "high", stride="E", cwe=732),
    make_policy("IAC-RDS-003", "rds-unencrypted", "medium", cwe=311),
    make_policy("IAC-LOG-004", "no-access-logs", "low", stride="R", cwe=778),  # never fires below
]
BY_ID = {p.id: p for p in POLICIES}


def make_finding(rule_id: str, resource: str, loc: Location, message: str, related=()) -> Finding:
    policy = BY_ID[rule_id]
    return Finding(
        rule_id=rule_id,
        control=policy.control,
        severity=policy.severity,
        title=policy.title,
        resource=resource,
        loc=loc,
        message=message,
        cause=message,
        related=related,
    )


FINDINGS = [
    make_finding(
        "IAC-S3-001",
        "aws_s3_bucket.site",
        Location("main.tf", 12, 14),
        "bucket grants public-read",
        related=((Location("main.tf", 30), "the ACL that grants it"),),
    ),
    make_finding(
        "IAC-EC2-002", "aws_security_group.web", Location("main.tf", 40, 40), "port 22 open to the world"
    ),
    make_finding("IAC-EC2-002", "Bastion", Location("stacks/net.yaml", 7), "port 22 open to the world"),
    make_finding(
        "IAC-RDS-003", "aws_db_instance.db", Location("stacks/net.yaml", 103, 110), "storage not encrypted"
    ),
]
ERRORS = [
    ScanError("broken.tf", 4, "unexpected token '}'", column=7),
    ScanError("odd.yaml", 0, "not a CloudFormation template", level="warning"),
]


def make_result(findings=FINDINGS, errors=ERRORS, policies=POLICIES, files=None) -> ScanResult:
    return ScanResult(
        root=ROOT,
        files=files if files is not None else ["broken.tf", "main.tf", "odd.yaml", "stacks/net.yaml"],
        findings=list(findings),
        errors=list(errors),
        policies=list(policies),
    )


def sarif_doc(result: ScanResult) -> dict:
    return json.loads(render(result, "sarif"))


# Dispatch ---------------------------------------------------------------------------------------


def test_formats_and_unknown_format():
    assert FORMATS == ("text", "json", "sarif", "github", "junit", "markdown")
    with pytest.raises(ValueError, match="xml"):
        render(make_result(), "xml")


def test_text_report_does_not_import_sarif_om():
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from iac_assist.report import render\n"
        "from iac_assist.analysis.result import ScanResult\n"
        "render(ScanResult(root=Path('.')), 'text')\n"
        "render(ScanResult(root=Path('.')), 'json')\n"
        "assert 'sarif_om' not in sys.modules, 'sarif_om imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parent.parent)


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_is_deterministic_and_has_no_absolute_path(fmt):
    first = render(make_result(), fmt)
    assert first == render(make_result(), fmt)
    assert first.endswith("\n")
    assert str(ROOT) not in first
    assert "secret-project" not in first


# Text -------------------------------------------------------------------------------------------


def test_text_one_clickable_line_per_finding_then_errors_and_summary():
    # path:line:col: RULE [severity] message, as compilers and ruff print it (column 1 when unknown).
    out = render(make_result(), "text")
    assert out == (
        "main.tf:12:1: IAC-S3-001 [critical] aws_s3_bucket.site: bucket grants public-read\n"
        "    related: main.tf:30 (the ACL that grants it)\n"
        "main.tf:40:1: IAC-EC2-002 [high] aws_security_group.web: port 22 open to the world\n"
        "stacks/net.yaml:7:1: IAC-EC2-002 [high] Bastion: port 22 open to the world\n"
        "stacks/net.yaml:103:1: IAC-RDS-003 [medium] aws_db_instance.db: storage not encrypted\n"
        "\n"
        "Errors\n"
        "  broken.tf:4:7: unexpected token '}'\n"
        "  odd.yaml: warning: not a CloudFormation template\n"
        "\n"
        "4 findings (1 critical, 2 high, 1 medium) in 4 files; 1 error, 1 warning\n"
    )


def test_text_files_are_sorted_whatever_the_input_order():
    out = render(make_result(findings=list(reversed(FINDINGS)), errors=[]), "text")
    assert out.index("main.tf:12:1:") < out.index("stacks/net.yaml:7:1:")


def test_text_no_findings():
    out = render(make_result(findings=[], errors=[], files=["main.tf"]), "text")
    assert out == "No findings. 1 file scanned\n"


def test_text_no_findings_with_an_error():
    out = render(make_result(findings=[], errors=ERRORS[:1], files=["broken.tf"]), "text")
    assert out.splitlines()[-1] == "No findings. 1 file scanned; 1 error"
    assert "  broken.tf:4:7: unexpected token '}'" in out.splitlines()


def test_text_is_plain_by_default_and_coloured_on_request():
    plain = render(make_result(), "text")
    assert "\x1b" not in plain
    coloured = render(make_result(), "text", color=True)
    assert "[\x1b[1;31mcritical\x1b[0m]" in coloured
    assert "[\x1b[33mmedium\x1b[0m]" in coloured
    assert "\x1b[1mIAC-S3-001\x1b[0m" in coloured
    # Colour changes nothing but the escape codes.
    stripped = coloured
    for code in ("\x1b[0m", "\x1b[1m", "\x1b[1;31m", "\x1b[31m", "\x1b[33m", "\x1b[36m"):
        stripped = stripped.replace(code, "")
    assert stripped == plain


def test_text_escapes_control_characters_from_scanned_files():
    hostile = make_finding(
        "IAC-S3-001",
        "aws_s3_bucket.x\x1b[2J",
        Location("evil\u202etf.fm", 1),
        "line one\nline two",
    )
    error = ScanError("bad\x07.tf", 2, "oops\x1b]0;title\x07")
    out = render(make_result(findings=[hostile], errors=[error]), "text")
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "aws_s3_bucket.x\\x1b[2J" in out
    assert "evil\\u202etf.fm" in out
    assert "line one\\x0aline two" in out
    # finding, blank, "Errors", error, blank, summary: the newline did not add a line
    assert len(out.splitlines()) == 6


# JSON -------------------------------------------------------------------------------------------


def test_json_shape_exactly():
    finding = FINDINGS[0]
    result = make_result(findings=[finding], errors=ERRORS)
    out = render(result, "json")
    assert out.startswith('{\n  "tool": {\n    "name": "iac-assist",')  # indent=2
    assert json.loads(out) == {
        "tool": {"name": "iac-assist", "version": __version__},
        "summary": {
            "files": 4,
            "findings": 1,
            "by_severity": {"critical": 1, "high": 0, "medium": 0, "low": 0},
            "suppressed": 0,
            "baselined": 0,
            "errors": 2,
            "not_analysed": dict.fromkeys(NOT_ANALYSED, 0),
            "unmodelled": {"resources": 0, "by_provider": {}, "by_type": {}},
        },
        "findings": [
            {
                "rule_id": "IAC-S3-001",
                "control": "s3-public-read",
                "severity": "critical",
                "title": "s3-public-read title",
                "resource": "aws_s3_bucket.site",
                "file": "main.tf",
                "line": 12,
                "end_line": 14,
                "message": "bucket grants public-read",
                "fingerprint": finding.fingerprint,
                "related": [{"file": "main.tf", "line": 30, "message": "the ACL that grants it"}],
                "instances": [],
                "path": [],
                "suppressed": None,
                "origins": [],
            }
        ],
        "errors": [
            {
                "file": "broken.tf",
                "line": 4,
                "column": 7,
                "level": "error",
                "category": "",
                "message": "unexpected token '}'",
            },
            {
                "file": "odd.yaml",
                "line": 0,
                "column": 0,
                "level": "warning",
                "category": "",
                "message": "not a CloudFormation template",
            },
        ],
    }


def test_json_key_order_is_the_documented_one():
    doc = json.loads(render(make_result(), "json"))
    assert list(doc) == ["tool", "summary", "findings", "errors"]
    assert list(doc["summary"]["by_severity"]) == ["critical", "high", "medium", "low"]
    assert list(doc["findings"][0]) == [
        "rule_id", "control", "severity", "title", "resource", "file", "line", "end_line",
        "message", "fingerprint", "related", "instances", "path", "suppressed", "origins",
    ]  # fmt: skip


def test_json_keeps_finding_order_and_gives_a_usable_end_line():
    doc = json.loads(render(make_result(), "json"))
    assert [(f["file"], f["line"], f["end_line"]) for f in doc["findings"]] == [
        ("main.tf", 12, 14),
        ("main.tf", 40, 40),
        ("stacks/net.yaml", 7, 7),  # end unknown (0): the same line
        ("stacks/net.yaml", 103, 110),
    ]


def test_json_empty_result():
    doc = json.loads(render(make_result(findings=[], errors=[], files=[]), "json"))
    assert doc["summary"] == {
        "files": 0,
        "findings": 0,
        "by_severity": {"critical": 0, "high": 0, "medium": 0, "low": 0},
        "suppressed": 0,
        "baselined": 0,
        "errors": 0,
        "not_analysed": dict.fromkeys(NOT_ANALYSED, 0),
        "unmodelled": {"resources": 0, "by_provider": {}, "by_type": {}},
    }
    assert doc["findings"] == [] and doc["errors"] == []


# SARIF ------------------------------------------------------------------------------------------


def test_sarif_validates_against_the_oasis_schema():
    validate_sarif(sarif_doc(make_result()))


def test_sarif_empty_run_validates_and_keeps_an_empty_results_array():
    doc = sarif_doc(make_result(findings=[], errors=[], policies=[], files=[]))
    validate_sarif(doc)
    run = doc["runs"][0]
    assert run["results"] == []
    assert run["invocations"] == [{"executionSuccessful": True}]


def test_sarif_schema_helper_reports_violations():
    with pytest.raises(AssertionError, match="version"):
        validate_sarif({"version": "2.0.0", "runs": []})


def test_sarif_log_header_and_driver():
    doc = sarif_doc(make_result())
    assert list(doc)[:2] == ["$schema", "version"]
    assert doc["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert doc["version"] == "2.1.0"
    assert len(doc["runs"]) == 1
    driver = doc["runs"][0]["tool"]["driver"]
    assert driver["name"] == "iac-assist"
    assert driver["version"] == driver["semanticVersion"] == __version__
    assert driver["informationUri"] == "https://github.com/iac-assist/iac-assist"
    # %SRCROOT% is described, never given as an absolute URI (machine-specific, non-deterministic).
    assert "uri" not in doc["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]


def test_sarif_lists_every_policy_as_a_rule_sorted_by_id():
    rules = sarif_doc(make_result())["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted(p.id for p in POLICIES)
    assert "IAC-LOG-004" in [r["id"] for r in rules]  # ran, found nothing, still listed


def test_sarif_rule_metadata():
    rules = {r["id"]: r for r in sarif_doc(make_result())["runs"][0]["tool"]["driver"]["rules"]}
    s3 = rules["IAC-S3-001"]
    assert s3["name"] == "S3PublicRead"
    assert s3["shortDescription"] == {"text": "s3-public-read title"}
    assert s3["fullDescription"] == {"text": "Why s3-public-read matters."}
    assert s3["help"]["text"].startswith("Why s3-public-read matters.\n\nRemediation: Fix s3-public-read.")
    markdown = s3["help"]["markdown"]
    for expected in (
        "s3-public-read title",
        "### How to fix",
        "Fix s3-public-read.",
        "Tampering (T), Information disclosure (I)",  # STRIDE order, not declaration order
        "https://cwe.mitre.org/data/definitions/284.html",
        "`s3-public-read`",
        "https://example.org/s3",
    ):
        assert expected in markdown
    assert s3["defaultConfiguration"] == {"level": "error"}
    assert s3["properties"] == {
        "tags": ["security", "CWE-284", "STRIDE-T", "STRIDE-I"],
        "security-severity": "9.5",
        "precision": "high",
        "problem.severity": "error",
    }


@pytest.mark.parametrize(
    ("rule_id", "level", "score", "problem"),
    [
        ("IAC-S3-001", "error", "9.5", "error"),
        ("IAC-EC2-002", "error", "8.0", "error"),
        ("IAC-RDS-003", "warning", "5.5", "warning"),
        ("IAC-LOG-004", "note", "3.0", "recommendation"),
    ],
)
def test_sarif_severity_mapping(rule_id, level, score, problem):
    rules = {r["id"]: r for r in sarif_doc(make_result())["runs"][0]["tool"]["driver"]["rules"]}
    rule = rules[rule_id]
    # "warning" is SARIF's default level, yet it is written out: explicit for every consumer.
    assert rule["defaultConfiguration"]["level"] == level
    assert rule["properties"]["security-severity"] == score
    assert rule["properties"]["problem.severity"] == problem


def test_sarif_rule_index_points_at_the_rule():
    run = sarif_doc(make_result())["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["ruleId"] for r in run["results"]] == [f.rule_id for f in FINDINGS]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def test_sarif_result_content():
    results = sarif_doc(make_result())["runs"][0]["results"]
    first = results[0]
    assert first["level"] == "error"
    assert first["message"] == {"text": "bucket grants public-read"}
    assert first["locations"] == [
        {
            "logicalLocations": [{"fullyQualifiedName": "aws_s3_bucket.site", "kind": "resource"}],
            "physicalLocation": {
                "artifactLocation": {"uri": "main.tf", "uriBaseId": "%SRCROOT%"},
                "region": {"endLine": 14, "startLine": 12},
            },
        }
    ]
    assert first["relatedLocations"] == [
        {
            "id": 1,
            "message": {"text": "the ACL that grants it"},
            "physicalLocation": {
                "artifactLocation": {"uri": "main.tf", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 30},
            },
        }
    ]
    assert first["partialFingerprints"] == {"iacAssist/v1": FINDINGS[0].fingerprint}
    assert first["properties"] == {"control": "s3-public-read", "severity": "critical"}
    # endLine only when the finding spans several lines.
    assert results[1]["locations"][0]["physicalLocation"]["region"] == {"startLine": 40}
    assert results[2]["locations"][0]["physicalLocation"]["region"] == {"startLine": 7}
    assert "relatedLocations" not in results[1]
    assert results[3]["level"] == "warning"


def test_sarif_uris_are_encoded_relative_references():
    finding = make_finding("IAC-RDS-003", "db", Location("my stacks/a:b#1.yaml", 3), "m")
    doc = sarif_doc(make_result(findings=[finding], errors=[]))
    validate_sarif(doc)
    uri = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "my%20stacks/a%3Ab%231.yaml"


def test_sarif_errors_become_notifications():
    invocation = sarif_doc(make_result())["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert invocation["toolExecutionNotifications"] == [
        {
            "message": {"text": "unexpected token '}'"},
            "level": "error",
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": "broken.tf", "uriBaseId": "%SRCROOT%"},
                        "region": {"startColumn": 7, "startLine": 4},
                    }
                }
            ],
        },
        {
            "message": {"text": "not a CloudFormation template"},
            "level": "warning",
            # line 0: the whole file, so no region (SARIF lines start at 1)
            "locations": [
                {"physicalLocation": {"artifactLocation": {"uri": "odd.yaml", "uriBaseId": "%SRCROOT%"}}}
            ],
        },
    ]


def test_sarif_warnings_alone_do_not_fail_the_execution():
    doc = sarif_doc(make_result(errors=[ERRORS[1]]))
    validate_sarif(doc)
    assert doc["runs"][0]["invocations"][0]["executionSuccessful"] is True


def test_sarif_region_has_no_column_when_unknown():
    doc = sarif_doc(make_result(errors=[ScanError("x.tf", 3, "bad")]))
    notification = doc["runs"][0]["invocations"][0]["toolExecutionNotifications"][0]
    assert notification["locations"][0]["physicalLocation"]["region"] == {"startLine": 3}


def test_sarif_has_no_timestamps_or_machine_data():
    text = render(make_result(), "sarif")
    for key in ("TimeUtc", "guid", "Guid", "machine", "account", "processId", "commandLine", "file://"):
        assert key not in text


# The serializer ---------------------------------------------------------------------------------


def test_serializer_drops_defaults_and_uses_schema_names():
    result = Result(message={"text": "m"}, rule_id="R1", rule_index=0)
    # kind "fail" and rank -1.0 are defaults and vanish; ruleIndex 0 is not the default (-1).
    assert to_json_value(result) == {
        "message": {"text": "m"},
        "level": "warning",
        "ruleId": "R1",
        "ruleIndex": 0,
    }


def test_serializer_writes_level_even_at_its_default():
    assert to_json_value(Notification(message={"text": "m"})) == {
        "message": {"text": "m"},
        "level": "warning",
    }
    assert to_json_value(ReportingConfiguration()) == {"level": "warning"}


def test_serializer_does_not_confuse_bool_and_int_defaults():
    # enabled defaults to True; 1 == True in Python but is not the default value here.
    assert to_json_value(ReportingConfiguration(enabled=1)) == {"enabled": 1, "level": "warning"}
    assert to_json_value(ReportingConfiguration(enabled=False)) == {"enabled": False, "level": "warning"}
