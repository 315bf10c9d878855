"""The CI formats of `iac-assist scan`: GitHub workflow commands, JUnit XML, Markdown summary."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from click.testing import CliRunner

from iac_assist.analysis.findings import Finding, Suppression
from iac_assist.analysis.policy import Policy
from iac_assist.analysis.result import ScanResult
from iac_assist.cli import cli
from iac_assist.model import Location, ScanError
from iac_assist.report import github, markdown, render
from tests.conftest import SEED

ROOT = Path("/nonexistent/secret-project")  # not a repository: paths stay scan-relative
JUNIT_XSD = Path(__file__).parent / "schemas" / "junit-10.xsd"


def make_policy(id: str, control: str, severity: str) -> Policy:
    return Policy(id=id, control=control, title=f"{control} title", severity=severity, stride="I", cwe=284,
                  rationale=f"Why {control} matters.", remediation=f"Fix {control}.", check=lambda graph: [])


POLICIES = [
    make_policy("IAC-S3-001", "s3-public-read", "critical"),
    make_policy("IAC-EC2-002", "sg-open-ssh", "high"),
    make_policy("IAC-RDS-003", "rds-unencrypted", "medium"),
    make_policy("IAC-LOG-004", "no-access-logs", "low"),
]
BY_ID = {p.id: p for p in POLICIES}


def finding(rule_id: str, resource: str, loc: Location, message: str, **extra) -> Finding:
    p = BY_ID[rule_id]
    return Finding(rule_id=rule_id, control=p.control, severity=p.severity, title=p.title, resource=resource,
                   loc=loc, message=message, cause=message, **extra)


FINDINGS = [
    finding("IAC-EC2-002", "aws_security_group.web", Location("main.tf", 40, 40), "port 22 open to the world"),
    finding("IAC-S3-001", "aws_s3_bucket.site", Location("main.tf", 12, 14), "bucket grants public-read",
            related=((Location("main.tf", 30), "the ACL that grants it"),)),
    finding("IAC-RDS-003", "Database", Location("stacks/db.yaml", 7, 9), "storage not encrypted"),
]
ERRORS = [
    ScanError("broken.tf", 4, "unexpected token '}'", column=7),
    ScanError("odd.yaml", 0, "not a CloudFormation template", level="warning"),
]


def result(findings=FINDINGS, errors=ERRORS, files=("broken.tf", "main.tf", "odd.yaml", "stacks/db.yaml")):
    return ScanResult(root=ROOT, files=list(files), findings=list(findings), errors=list(errors),
                      policies=list(POLICIES))


# GitHub workflow commands ------------------------------------------------------------------------


def test_github_one_command_per_finding_most_severe_first_then_errors_and_summary():
    lines = render(result(), "github").splitlines()
    assert lines == [
        "::error file=main.tf,line=12,endLine=14,title=IAC-S3-001 s3-public-read title (critical)::"
        "aws_s3_bucket.site: bucket grants public-read",
        "::error file=main.tf,line=40,endLine=40,title=IAC-EC2-002 sg-open-ssh title (high)::"
        "aws_security_group.web: port 22 open to the world",
        "::warning file=stacks/db.yaml,line=7,endLine=9,title=IAC-RDS-003 rds-unencrypted title (medium)::"
        "Database: storage not encrypted",
        "::error file=broken.tf,line=4,col=7,title=iac-assist%3A input not analysed::unexpected token '}'",
        "::warning file=odd.yaml,title=iac-assist%3A warning::not a CloudFormation template",
        "3 findings (1 critical, 1 high, 1 medium) in 4 files; 1 error, 1 warning",
    ]


def test_github_low_is_a_notice():
    low = finding("IAC-LOG-004", "aws_lb.web", Location("lb.tf", 3), "no access logs")
    assert render(result([low], []), "github").startswith("::notice file=lb.tf,line=3,endLine=3,")


@pytest.mark.parametrize(("raw", "data", "prop"), [
    ("100%", "100%25", "100%25"),
    ("a\r\nb", "a%0D%0Ab", "a%0D%0Ab"),
    ("k: v, w", "k: v, w", "k%3A v%2C w"),
    ("::error::x", "::error::x", "%3A%3Aerror%3A%3Ax"),
    ("%0A", "%250A", "%250A"),  # already "escaped" text is escaped again, not decoded by the runner
    ("esc\x1b[31m", "esc%1B[31m", "esc%1B[31m"),
])
def test_github_escaping_follows_the_toolkit(raw, data, prop):
    assert github.escape_data(raw) == data
    assert github.escape_property(raw) == prop


def test_github_hostile_values_cannot_start_a_command_or_break_properties():
    hostile = finding("IAC-S3-001", 'aws_s3_bucket.x\n::add-mask::secret', Location("dir,a:b/ma%in.tf", 2),
                      "line one\r\n::stop-commands::token\n%0A")
    (line, _summary) = render(result([hostile], []), "github").splitlines()
    assert line.startswith("::error file=dir%2Ca%3Ab/ma%25in.tf,line=2,endLine=2,title=IAC-S3-001 ")
    # Line breaks from the scanned code are shown, not decoded by the runner into the annotation.
    assert line.endswith("::aws_s3_bucket.x\\x0a::add-mask::secret: line one\\x0d\\x0a::stop-commands::token"
                         "\\x0a%250A")
    assert "\n" not in line and "\r" not in line


def test_github_suppressed_findings_are_not_annotated():
    waived = replace(FINDINGS[0], suppressed=Suppression("accepted risk", "main.tf", 39))
    text = render(result([waived, FINDINGS[1]], []), "github")
    assert "IAC-EC2-002" not in text and "IAC-S3-001" in text


def test_github_paths_are_relative_to_the_repository_root(write_tree):
    root = write_tree({".git/HEAD": "ref: refs/heads/main\n",
                       "infra/main.tf": 'resource "aws_db_instance" "db" {\n  publicly_accessible = true\n}\n'})
    out = CliRunner().invoke(cli, ["scan", str(root / "infra"), "--format", "github"])
    assert out.exit_code == 1
    assert re.search(r"^::error file=infra/main\.tf,line=2,endLine=2,title=IAC-RDS-001 ", out.output, re.M)


# JUnit XML ---------------------------------------------------------------------------------------


def junit(res: ScanResult) -> ET.Element:
    text = render(res, "junit")
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    return ET.fromstring(text)


def test_junit_one_suite_per_rule_each_finding_a_failing_testcase():
    root = junit(result())
    assert root.tag == "testsuites"
    assert root.attrib == {"name": "iac-assist", "tests": "6", "failures": "3", "errors": "1", "time": "0"}
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert list(suites) == ["IAC-EC2-002 sg-open-ssh", "IAC-LOG-004 no-access-logs", "IAC-RDS-003 rds-unencrypted",
                            "IAC-S3-001 s3-public-read", "iac-assist scan"]
    s3 = suites["IAC-S3-001 s3-public-read"]
    assert {k: s3.get(k) for k in ("tests", "failures", "errors", "skipped")} == {
        "tests": "1", "failures": "1", "errors": "0", "skipped": "0"}
    assert {p.get("name"): p.get("value") for p in s3.iter("property")} == {
        "rule": "IAC-S3-001", "control": "s3-public-read", "title": "s3-public-read title", "severity": "critical"}
    (case,) = s3.findall("testcase")
    assert case.get("classname") == "IAC-S3-001"
    assert case.get("name") == "aws_s3_bucket.site at main.tf:12"
    assert case.get("file") == "main.tf"  # GitLab links the test case to its file
    failure = case.find("failure")
    assert failure.get("type") == "critical" and failure.get("message") == "bucket grants public-read"
    assert failure.text.splitlines() == [
        "IAC-S3-001 (s3-public-read, critical): s3-public-read title",
        "Resource: aws_s3_bucket.site",
        "Location: main.tf:12-14",
        "Message: bucket grants public-read",
        "Related: main.tf:30 (the ACL that grants it)",
        "Fix: Fix s3-public-read.",
    ]


def test_junit_a_rule_without_findings_passes():
    suite = next(s for s in junit(result()).findall("testsuite") if s.get("name").startswith("IAC-LOG-004"))
    (case,) = suite.findall("testcase")
    assert case.get("name") == "no-access-logs title" and list(case) == []
    assert suite.get("failures") == "0" and suite.get("tests") == "1"


def test_junit_scan_errors_are_errors_and_warnings_skipped():
    suite = next(s for s in junit(result()).findall("testsuite") if s.get("name") == "iac-assist scan")
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    assert cases["broken.tf:4:7"].find("error").get("message") == "unexpected token '}'"
    assert cases["odd.yaml"].find("skipped").get("message") == "not a CloudFormation template"
    assert cases["broken.tf:4:7"].get("file") == "broken.tf" and cases["odd.yaml"].get("file") == "odd.yaml"
    assert suite.get("errors") == "1" and suite.get("skipped") == "1"


def test_junit_suppressed_findings_are_skipped_with_their_reason():
    waived = replace(FINDINGS[1], suppressed=Suppression("public website, by design", "main.tf", 11))
    suite = next(s for s in junit(result([waived], [])).findall("testsuite") if s.get("name").startswith("IAC-S3"))
    skipped = suite.find("testcase/skipped")
    assert skipped.get("message") == "suppressed: public website, by design"
    assert suite.get("failures") == "0" and suite.get("skipped") == "1"


def test_junit_escapes_markup_and_characters_xml_cannot_hold():
    hostile = finding("IAC-S3-001", 'b"<x>&\x01', Location("a\x1b.tf", 1), "]]></failure><pwned/>\x0c\ud800")
    root = junit(result([hostile], []))
    case = root.find("testsuite/testcase[failure]")
    assert case.get("name") == 'b"<x>&\\x01 at a\\x1b.tf:1'
    assert case.find("failure").get("message") == "]]></failure><pwned/>\\x0c\\ud800"
    assert root.find(".//pwned") is None


def jenkins_schema_with_file(xmlschema):
    """Jenkins' schema, unmodified but for one attribute: a testcase's ``file``, which GitLab reads
    (see report/junit.py)."""
    text = JUNIT_XSD.read_text(encoding="utf-8")
    declared = '<xs:attribute name="classname" type="xs:string"/>'
    assert text.count(declared) == 1
    return xmlschema.XMLSchema(text.replace(declared, declared + '<xs:attribute name="file" type="xs:string"/>'))


def test_junit_validates_against_jenkins_schema(tmp_path):
    xmlschema = pytest.importorskip("xmlschema", reason="xmlschema is in the test extra")
    schema = jenkins_schema_with_file(xmlschema)
    strict = xmlschema.XMLSchema(str(JUNIT_XSD))
    waived = replace(FINDINGS[2], suppressed=Suppression("accepted", "stacks/db.yaml", 6))
    for res in (result(), result([], []), result([waived, *FINDINGS[:2]], ERRORS)):
        schema.validate(render(res, "junit"))
    out = tmp_path / "junit.xml"
    cli_result = CliRunner().invoke(cli, ["scan", str(SEED), "--format", "junit", "--output", str(out)])
    assert cli_result.exit_code == 1
    schema.validate(str(out))
    tree = ET.parse(out)
    assert int(tree.getroot().get("failures")) > 0
    cases = [c for c in tree.iter("testcase") if c.find("failure") is not None]
    assert cases and all(c.get("file") == c.get("name").rsplit(" at ", 1)[1].rsplit(":", 1)[0] for c in cases)
    for case in tree.iter("testcase"):  # without it, the report is valid against the schema as published
        case.attrib.pop("file", None)
    strict.validate(ET.tostring(tree.getroot(), encoding="unicode"))


# Markdown ----------------------------------------------------------------------------------------


def test_markdown_summary_tables_and_fixes():
    text = markdown.render(result(), env={})
    lines = text.splitlines()
    assert lines[:3] == ["## iac-assist", "",
                         "**3 findings** (1 critical, 1 high, 1 medium) in 4 files · **1 input not analysed**"]
    assert "| Critical | 1 |\n| High | 1 |\n| Medium | 1 |\n| Low | 0 |" in text
    rows = [line for line in lines if line.startswith("| ") and "`IAC-" in line]
    assert rows == [
        "| Critical | `IAC-S3-001` | `aws_s3_bucket.site` | [`main.tf:12`](main.tf#L12-L14) "
        "| bucket grants public-read |",
        "| High | `IAC-EC2-002` | `aws_security_group.web` | [`main.tf:40`](main.tf#L40) | port 22 open to the world |",
        "| Medium | `IAC-RDS-003` | `Database` | [`stacks/db.yaml:7`](stacks/db.yaml#L7-L9) | storage not encrypted |",
    ]
    details = text[text.index("### How to fix"):]
    assert details.count("<details>") == 3 and details.count("</details>") == 3
    assert ("<summary><code>IAC-S3-001</code> s3-public-read title: 1 finding (critical)</summary>\n\n"
            "Why s3-public-read matters.\n\n**Fix:** Fix s3-public-read.") in details
    assert "### Inputs not fully analysed" in text
    assert "| Error | [`broken.tf:4`](broken.tf#L4) | unexpected token '\\}' |" in text
    assert "| Warning | [`odd.yaml`](odd.yaml) | not a CloudFormation template |" in text


def test_markdown_no_findings():
    text = render(result([], [], files=["main.tf"]), "markdown")
    assert text == "## iac-assist\n\n**No findings** in 1 file\n"


def test_markdown_links_are_absolute_in_github_actions():
    env = {"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "acme/infra", "GITHUB_SHA": "a" * 40}
    text = markdown.render(result(), env=env)
    assert f"[`main.tf:12`](https://github.com/acme/infra/blob/{'a' * 40}/main.tf#L12-L14)" in text
    # Anything else in those variables is not trusted to build a link.
    bad = dict(env, GITHUB_REPOSITORY="acme/infra)(javascript:x")
    assert "](main.tf#L12-L14)" in markdown.render(result(), env=bad)


def test_markdown_escapes_hostile_text():
    hostile = finding("IAC-S3-001", "a|b`c", Location("my dir/x|y.tf", 3),
                      "<img src=x onerror=alert(1)> | **bold** [link](http://x) @org/team\nnext")
    text = markdown.render(result([hostile], []), env={})
    (row,) = [line for line in text.splitlines() if line.startswith("| Critical | `IAC-S3-001`")]
    cells = re.split(r"(?<!\\)\|", row)[1:-1]
    assert len(cells) == 5  # no cell was split
    assert cells[2].strip() == "``a\\|b`c``"
    assert cells[3].strip() == "[`my dir/x\\|y.tf:3`](my%20dir/x%7Cy.tf#L3)"
    message = cells[4].strip()
    assert re.search(r"(?<!\\)[<>]", message) is None and "\\<img" in message
    assert "\\*\\*bold\\*\\*" in message and "\\[link\\]\\(http" in message
    assert "@\u200borg/team" in message and "\n" not in message


def test_markdown_stays_under_githubs_comment_limit():
    many = [finding("IAC-LOG-004", f"aws_lb.lb{i}", Location(f"lb{i}.tf", i + 1), "x" * 300) for i in range(400)]
    many.append(finding("IAC-S3-001", "aws_s3_bucket.site", Location("z.tf", 1), "public"))
    text = markdown.render(result(many, []), env={})
    assert len(text) <= 65_536
    assert "`IAC-S3-001`" in text.split("### How to fix")[0]  # the most severe row is kept
    assert re.search(r"… and \d+ more findings not shown here", text)


def test_markdown_caps_the_inputs_not_analysed_too():
    errors = [ScanError(f"broken{i}.tf", 1, "unexpected token " + "y" * 200) for i in range(2000)]
    text = markdown.render(result(FINDINGS, errors), env={})
    assert len(text) <= 65_536 and "`IAC-S3-001`" in text
    assert re.search(r"… and \d+ more not shown here", text)
    assert "**2000 inputs not analysed**" in text


def test_markdown_counts_suppressed_findings_without_listing_them():
    waived = replace(FINDINGS[1], suppressed=Suppression("accepted", "main.tf", 11))
    res = result([waived, FINDINGS[0]], [])
    res.baselined = 2
    text = markdown.render(res, env={})
    assert "**1 finding** (1 high) in 4 files · 1 suppressed inline · 2 known findings left out (baseline)" in text
    assert "`aws_s3_bucket.site`" not in text


# All three from the command line ---------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["github", "junit", "markdown"])
def test_cli_formats_keep_the_gate(fmt, tmp_path):
    out = tmp_path / f"report.{fmt}"
    insecure = CliRunner().invoke(cli, ["scan", str(SEED / "terraform" / "insecure"), "-f", fmt, "-o", str(out)])
    assert insecure.exit_code == 1 and out.read_text()
    hardened = CliRunner().invoke(cli, ["scan", str(SEED / "terraform" / "hardened"), "-f", fmt])
    assert hardened.exit_code == 0


def test_cli_lists_the_formats():
    out = CliRunner().invoke(cli, ["scan", "--help"])
    assert "github" in out.output and "junit" in out.output and "markdown" in out.output
    bad = CliRunner().invoke(cli, ["scan", ".", "--format", "xml"])
    assert bad.exit_code == 2 and "markdown" in bad.output


def test_json_is_unaffected_by_the_repository_root(write_tree):
    # Scan-relative paths remain the JSON contract; only the code-host formats re-root.
    root = write_tree({".git/HEAD": "x\n", "infra/main.tf": 'resource "aws_vpc" "v" {}\n'})
    out = CliRunner().invoke(cli, ["scan", str(root / "infra"), "--format", "json"])
    assert {f["file"] for f in json.loads(out.output)["findings"]} == {"main.tf"}


def test_ci_formats_do_not_load_the_sarif_object_model():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from iac_assist.report import render\n"
        "from iac_assist.analysis.result import ScanResult\n"
        "for fmt in ('github', 'junit', 'markdown'):\n"
        "    render(ScanResult(root=Path('.')), fmt)\n"
        "assert 'sarif_om' not in sys.modules, 'sarif_om imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parent.parent)
