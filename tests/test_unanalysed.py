"""What was not analysed is never a pass (issue 14), and what no rule checks is said (issue 15).

Each gap is a warning with its category, file and line, counted by category in every format;
``--fail-on-unanalysed`` (or ``fail-on-unanalysed`` in the configuration) makes it fail the gate.
Resources of types no normalizer models are counted by provider and type in the summaries.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from click.testing import CliRunner

from iac_assist.analysis.engine import scan
from iac_assist.cli import cli
from iac_assist.model import NOT_ANALYSED
from iac_assist.report import render
from tests.sarif_schema import validate_sarif

TERRAFORM = {
    "main.tf": """\
module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "5.0.0"
}

variable "names" {
  type    = list(string)
  default = []
}

locals {
  stamp  = timestamp()
  parsed = provider::aws::arn_parse("arn:aws:s3:::x")
  odd    = frobnicate("x")
  policy = file("../../outside.json")
}

resource "aws_glue_job" "etl" {
  count    = 3
  name     = "etl-${count.index}"
  role_arn = "arn:aws:iam::123456789012:role/glue"
  tags     = { policy = local.policy }
  command {
    script_location = "s3://scripts/etl.py"
  }
}

resource "azurerm_storage_account" "logs" {
  name                     = "logs"
  resource_group_name      = "rg"
  location                 = "westeurope"
  account_tier             = "Standard"
  account_replication_type = "LRS"
}

resource "google_sql_user" "app" {
  name     = "app"
  instance = "db"
  password = "hunter2-hunter2"
}

resource "kubernetes_namespace" "app" {
  metadata {
    name = "app"
  }
}
""",
}

CLOUDFORMATION = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform:
  - AWS::LanguageExtensions
  - CompanyMacro
Parameters:
  A: {Type: String}
  B: {Type: String}
  C: {Type: String}
  D: {Type: String}
  E: {Type: String}
  F: {Type: String}
  G: {Type: String}
Conditions:
  IsA: !Equals [!Ref A, "x"]
  IsB: !Equals [!Ref B, "x"]
  IsC: !Equals [!Ref C, "x"]
  IsD: !Equals [!Ref D, "x"]
  IsE: !Equals [!Ref E, "x"]
  IsF: !Equals [!Ref F, "x"]
  IsG: !Equals [!Ref G, "x"]
Resources:
  Network:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: https://s3.amazonaws.com/templates/network.yaml
  Elsewhere:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: ./missing.yaml
  Job:
    Type: AWS::Glue::Job
    Properties:
      Role: glue
      Command:
        Name: glueetl
        ScriptLocation: s3://scripts/etl.py
      Tags:
        Team:
          Fn::Frobnicate: [a, b]
  Fn::ForEach::Topics:
    - Name
    - !Ref A
    - Topic${Name}:
        Type: AWS::SNS::Topic
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      Fn::Transform:
        Name: AWS::Include
        Parameters:
          Location: s3://snippets/bucket.yaml
Outputs:
  Flags:
    Value: !Join [",", [!If [IsA, a, b], !If [IsB, a, b], !If [IsC, a, b], !If [IsD, a, b], !If [IsE, a, b],
                        !If [IsF, a, b], !If [IsG, a, b]]]
"""

SAM = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      InlineCode: "def handler(e, c): return e"
  Shared:
    Type: AWS::Serverless::Application
    Properties:
      Location:
        ApplicationId: arn:aws:serverlessrepo:us-east-1:123456789012:applications/shared
        SemanticVersion: 1.0.0
"""


@pytest.fixture
def repo(write_tree) -> Path:
    root = write_tree({**{f"infra/tf/{k}": v for k, v in TERRAFORM.items()},
                       "infra/cfn/stack.yaml": CLOUDFORMATION, "infra/cfn/sam.yaml": SAM})
    (root / "outside.json").write_text("{}", encoding="utf-8")  # outside the scanned root, infra/
    return root / "infra"


def gaps(result) -> set[tuple[str, str, int]]:
    return {(e.category, e.file, e.line) for e in result.errors if e.category}


def test_every_gap_is_a_warning_with_its_category_file_and_line(repo: Path):
    result = scan([repo / "tf", repo / "cfn"], root=repo)
    assert gaps(result) == {
        ("module-not-downloaded", "tf/main.tf", 1),
        ("unknown-function", "tf/main.tf", 13),      # provider::aws::arn_parse
        ("unknown-function", "tf/main.tf", 14),      # frobnicate
        ("outside-root", "tf/main.tf", 15),          # file("../../outside.json")
        ("transform-unexpanded", "cfn/stack.yaml", 4),    # CompanyMacro (LanguageExtensions is evaluated)
        ("world-cap", "cfn/stack.yaml", 13),              # 2^7 deployments
        ("remote-template", "cfn/stack.yaml", 25),        # https:// nested stack
        ("remote-template", "cfn/stack.yaml", 29),        # ./missing.yaml (outside the root it is an error)
        ("unknown-function", "cfn/stack.yaml", 39),       # Fn::Frobnicate
        ("transform-unexpanded", "cfn/stack.yaml", 40),   # Fn::ForEach over a list known at deployment
        ("transform-unexpanded", "cfn/stack.yaml", 48),   # Fn::Transform (AWS::Include)
        ("remote-template", "cfn/sam.yaml", 10),          # AWS::Serverless::Application
    }
    assert all(e.level == "warning" for e in result.errors if e.category), [str(e) for e in result.errors]
    assert not result.has_errors
    # A type constraint is no call; timestamp() is unknown in a plan too: neither is a gap.
    assert not any("list()" in e.message or "timestamp" in e.message for e in result.errors)
    assert result.not_analysed == {**dict.fromkeys(NOT_ANALYSED, 0), "module-not-downloaded": 1,
                                   "unknown-function": 3, "outside-root": 1, "transform-unexpanded": 3,
                                   "world-cap": 1, "remote-template": 3}


def test_sam_without_the_translator_is_sam_unexpanded(write_tree, monkeypatch):
    from iac_assist.parsers.cloudformation import sam

    def missing():
        raise ImportError("No module named 'samtranslator'")

    monkeypatch.setattr(sam, "_translator", missing)
    root = write_tree({"sam.yaml": SAM})
    result = scan([root])
    assert ("sam-unexpanded", "sam.yaml", 2) in gaps(result)


def test_unmodelled_types_are_counted_once_per_block_by_type(repo: Path):
    result = scan([repo / "tf", repo / "cfn"], root=repo)
    assert result.unmodelled == {
        "AWS::Glue::Job": 1,
        "aws_glue_job": 1,            # count = 3: one block
        "azurerm_storage_account": 1,
        "google_sql_user": 1,
        "kubernetes_namespace": 1,
    }


def test_no_aws_service_is_recommended_for_another_providers_resource(repo: Path):
    result = scan([repo / "tf"])
    (secret,) = [f for f in result.findings if f.control == "hardcoded-secret"]
    assert (secret.resource, secret.loc.file, secret.loc.line) == ("google_sql_user.app", "main.tf", 39)
    assert "Secrets Manager" not in secret.message and "AWS" not in secret.message
    assert "platform's secret store" in secret.message


# Every format ------------------------------------------------------------------------------------


@pytest.fixture
def result(repo: Path):
    return scan([repo / "tf", repo / "cfn"], root=repo)


def test_json_counts_gaps_by_category_and_unmodelled_by_provider_and_type(result):
    doc = json.loads(render(result, "json"))
    assert list(doc["summary"]["not_analysed"]) == list(NOT_ANALYSED)
    assert doc["summary"]["not_analysed"]["unknown-function"] == 3
    assert doc["summary"]["unmodelled"] == {
        "resources": 5,
        "by_provider": {"aws": 2, "azurerm": 1, "google": 1, "kubernetes": 1},
        "by_type": {"AWS::Glue::Job": 1, "aws_glue_job": 1, "azurerm_storage_account": 1, "google_sql_user": 1,
                    "kubernetes_namespace": 1},
    }
    (module,) = [e for e in doc["errors"] if e["category"] == "module-not-downloaded"]
    assert module == {"file": "tf/main.tf", "line": 1, "column": 0, "level": "warning",
                      "category": "module-not-downloaded", "message": module["message"]}


def test_sarif_notifications_name_their_category_and_the_run_counts_them(result):
    doc = json.loads(render(result, "sarif"))
    validate_sarif(doc)
    run = doc["runs"][0]
    descriptors = [d["id"] for d in run["tool"]["driver"]["notifications"]]
    assert descriptors == list(NOT_ANALYSED)
    notes = run["invocations"][0]["toolExecutionNotifications"]
    by_category = {}
    for note in notes:
        if "descriptor" in note:
            assert descriptors[note["descriptor"]["index"]] == note["descriptor"]["id"]
            by_category[note["descriptor"]["id"]] = by_category.get(note["descriptor"]["id"], 0) + 1
    assert by_category == {k: v for k, v in result.not_analysed.items() if v}
    assert run["properties"]["notAnalysed"] == result.not_analysed
    assert run["properties"]["unmodelled"]["byType"] == result.unmodelled
    assert run["invocations"][0]["executionSuccessful"] is True  # warnings only


def test_text_summary_names_gaps_and_unmodelled_types_and_verbose_lists_them(result):
    text = render(result, "text")
    assert ("Not analysed: 1 module-not-downloaded, 3 remote-template, 3 transform-unexpanded, 3 unknown-function, "
            "1 world-cap, 1 outside-root (see the warnings above)") in text
    assert ("Not checked: 5 resources of types no rule models (aws 2, azurerm 1, google 1, kubernetes 1); "
            "--verbose lists them") in text
    assert "kubernetes_namespace" not in text
    verbose = render(result, "text", verbose=True)
    assert "Not checked (resource types no rule models)\n  1  AWS::Glue::Job\n  1  aws_glue_job\n" in verbose


def test_github_junit_and_markdown_name_the_category(result):
    github = render(result, "github")
    assert ("::warning file=tf/main.tf,line=1,title=iac-assist%3A not analysed (module-not-downloaded)::module vpc "
            "not analysed") in github
    assert "\nNot analysed: 1 module-not-downloaded," in github
    root = ET.fromstring(render(result, "junit"))
    suite = root.find("testsuite[@name='iac-assist scan']")
    props = {p.get("name"): p.get("value") for p in suite.find("properties")}
    assert props["not-analysed:world-cap"] == "1" and props["unmodelled:aws"] == "2"
    types = {s.get("type") for s in suite.iter("skipped")}
    assert {"module-not-downloaded", "world-cap", "transform-unexpanded"} <= types
    markdown = render(result, "markdown")
    assert "### Not analysed, not checked" in markdown
    assert "| `unknown-function` | 3 |" in markdown
    assert "| `azurerm_storage_account` | 1 |" in markdown
    assert "| Warning (`world-cap`) |" in markdown


# The gate -----------------------------------------------------------------------------------------


def run(*args: str) -> tuple[int, str, str]:
    outcome = CliRunner().invoke(cli, list(args))
    if outcome.exception is not None and not isinstance(outcome.exception, SystemExit):
        raise outcome.exception
    return outcome.exit_code, outcome.stdout, outcome.stderr


@pytest.mark.parametrize(("option", "code"), [
    ((), 0),
    (("--fail-on-unanalysed", "module-not-downloaded"), 2),
    (("--fail-on-unanalysed", "world-cap,remote-template"), 0),   # none of those in tf/
    (("--fail-on-unanalysed", "world-cap", "--fail-on-unanalysed", "unknown-function"), 2),
    (("--fail-on-unanalysed", "all"), 2),
])
def test_fail_on_unanalysed_fails_the_gate(repo: Path, option: tuple[str, ...], code: int):
    exit_code, _out, err = run("scan", str(repo / "tf"), "--fail-on", "none", *option)
    assert exit_code == code
    assert ("the gate fails (exit 2): input not analysed" in err) == (code == 2)


def test_fail_on_unanalysed_in_the_configuration_and_its_errors(repo: Path):
    config = repo / "tf" / ".iac-assist.toml"
    config.write_text('fail-on = "none"\nfail-on-unanalysed = ["module-not-downloaded"]\n', encoding="utf-8")
    assert run("scan", str(repo / "tf"))[0] == 2
    config.write_text('fail-on = "none"\nfail-on-unanalysed = "all"\n', encoding="utf-8")
    assert run("scan", str(repo / "tf"))[0] == 2
    config.write_text('fail-on = "none"\nfail-on-unanalysed = ["modules"]\n', encoding="utf-8")
    code, _out, err = run("scan", str(repo / "tf"))
    assert code == 2 and "fail-on-unanalysed: 'modules' is no category" in err
    code, _out, err = run("scan", str(repo / "tf"), "--fail-on-unanalysed", "nope")
    assert code == 2 and "'nope' is no category of input not analysed" in err


def test_baseline_and_model_take_the_option_too(repo: Path, tmp_path: Path):
    target = tmp_path / "baseline.json"
    assert run("baseline", str(repo / "tf"), "-o", str(target))[0] == 0
    assert run("baseline", str(repo / "tf"), "-o", str(target), "--fail-on-unanalysed", "all")[0] == 2
    code, _out, err = run("model", str(repo / "tf"), "-f", "json")
    assert code == 0
    assert "tf/main.tf:1: warning: module vpc not analysed" in err or "main.tf:1: warning: module vpc" in err
    assert "Not analysed: 1 module-not-downloaded, 2 unknown-function, 1 outside-root" in err
    assert run("model", str(repo / "tf"), "--fail-on-unanalysed", "unknown-function")[0] == 2


def test_help_documents_the_option():
    _code, out, _err = run("scan", "--help")
    assert "--fail-on-unanalysed" in out and "--verbose" in out
    assert sys.modules.get("iac_assist.cli") is not None


CALLS_EVERYWHERE = """\
variable "shape" {
  type = object({ name = string, tags = map(string) })
  validation {
    condition     = frobnicate(var.shape.name)
    error_message = "no"
  }
}

locals {
  listed = [for s in var.names : upper(zorch(s))]
  text   = <<-EOT
    ${plinth("heredoc")}
    %{ for n in plinth(var.names) }${n}%{ endfor }
  EOT
  inline = "a-${plinth(var.x)}-b"
}

resource "aws_s3_bucket" "b" {
  bucket = lower(provider::aws::arn_parse(var.arn).resource)
  dynamic "tag" {
    for_each = zorch(var.tags)
    content {
      key = tag.key
    }
  }
}
"""


def test_unknown_functions_are_found_in_templates_directives_and_blocks_but_not_type_constraints(tmp_path: Path):
    # The parse gathers each call it makes (a file's body carries them); the warnings are those
    # of a walk of the whole tree: its first line, how many calls, a variable's type left out.
    import dataclasses

    from iac_assist.parsers.terraform import gaps, hcl

    body = hcl.parse(CALLS_EVERYWHERE)
    assert body.calls is not None
    found = {e.message.split(" is ")[0]: e for e in gaps.unknown_functions(body, "main.tf")}
    assert sorted(found) == ["frobnicate()", "plinth()", "provider::aws::arn_parse()", "zorch()"]
    # A call inside a heredoc's interpolation is on its own line, not on the first of the file.
    assert {name: e.line for name, e in found.items()} == {
        "frobnicate()": 4, "plinth()": 12, "provider::aws::arn_parse()": 19, "zorch()": 10}
    assert "(3 calls)" in found["plinth()"].message  # in a heredoc, a directive and a string
    assert "(2 calls)" in found["zorch()"].message and "calls)" not in found["frobnicate()"].message
    assert all(e.category == "unknown-function" for e in found.values())
    assert gaps.unknown_functions(dataclasses.replace(body, calls=None), "main.tf") == \
        gaps.unknown_functions(body, "main.tf")
    # As the scan reports them.
    (tmp_path / "main.tf").write_text(CALLS_EVERYWHERE)
    result = scan([tmp_path], root=tmp_path)
    assert sorted(e.message.split(" is ")[0] for e in result.errors if e.category == "unknown-function") == \
        sorted(found)


def test_unknown_functions_of_a_folder_with_override_files_are_those_of_the_merged_blocks(tmp_path: Path):
    # An override file's arguments replace the original's before anything is evaluated: the call
    # it replaced is not evaluated (no warning), the one it brings is.
    (tmp_path / "main.tf").write_text('resource "aws_s3_bucket" "b" {\n  bucket = zorch("x")\n}\n\n'
                                      'locals {\n  name = frobnicate("y")\n}\n')
    (tmp_path / "override.tf").write_text('resource "aws_s3_bucket" "b" {\n  bucket = plinth("x")\n}\n\n'
                                          'locals {\n  name = grommet("y")\n}\n')
    result = scan([tmp_path], root=tmp_path)
    assert sorted(e.message.split(" is ")[0] for e in result.errors if e.category == "unknown-function") == \
        ["grommet()", "plinth()"]


def test_an_expression_in_a_heredoc_is_on_the_line_it_is_written(tmp_path: Path):
    # Parsed apart from its file (hcl.parse_expression), it was put on line 1: the warning
    # named the first line of the file for a call written further down.
    (tmp_path / "main.tf").write_text('locals {\n  a = 1\n  policy = <<-EOT\n    {\n      "x": "${zorch(1)}",\n'
                                      '      %{ if grommet(2) }"y": 1%{ endif }\n    }\n  EOT\n}\n')
    result = scan([tmp_path], root=tmp_path)
    assert sorted((e.line, e.message.split(" is ")[0]) for e in result.errors if e.category == "unknown-function") == \
        [(5, "zorch()"), (6, "grommet()")]
