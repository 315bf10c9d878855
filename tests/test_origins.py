"""Where a value came from: a finding citing a value not written at its own line (a variables
file, ``--var``, a variable's default, a module input, a CloudFormation parameter) names that
place, in SARIF (a related location), JSON (``origins``) and text alike."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from iac_assist.analysis.engine import scan
from iac_assist.inputs.discovery import read_text
from iac_assist.model import MAX_ORIGINS, Origin
from iac_assist.parsers.cloudformation.options import TemplateOptions
from iac_assist.parsers.terraform import load_configuration
from iac_assist.parsers.terraform.inputs import VariableInputs
from iac_assist.report import json as json_report
from iac_assist.report import sarif, text
from tests.sarif_schema import validate_sarif

PUBLIC = "db-publicly-accessible"

ROOT = {
    "main.tf": '''variable "db_public" {
  type    = bool
  default = false
}

resource "aws_db_instance" "db" {
  engine              = "postgres"
  instance_class      = "db.t3.micro"
  publicly_accessible = var.db_public
  storage_encrypted   = true
  deletion_protection = true
}
''',
    "envs/prod.tfvars": 'region = "eu-west-1"\n\ndb_public = true\n',
    "variables.tf": 'variable "region" {\n  type = string\n}\n',
}


def _finding(result, control: str = PUBLIC):
    assert not result.has_errors, [str(e) for e in result.errors]
    [finding] = [f for f in result.findings if f.control == control]
    return finding


def _sarif_result(result, control: str = PUBLIC) -> dict:
    doc = sarif.to_dict(result)
    validate_sarif(doc)
    [found] = [r for r in doc["runs"][0]["results"] if r["properties"]["control"] == control]
    return found


def test_a_tfvars_line_is_where_a_public_database_comes_from(write_tree):
    root = write_tree(ROOT)
    result = scan([root], variables=VariableInputs(var_files=(root / "envs" / "prod.tfvars",)))
    finding = _finding(result)
    # The finding stays at the resource's line; the tfvars line explains it.
    assert (finding.loc.file, finding.loc.line) == ("main.tf", 9)
    assert finding.origins == (Origin("envs/prod.tfvars", 3, "sets db_public = true"),)
    because = "publicly_accessible is true because envs/prod.tfvars:3 sets db_public = true"

    related = _sarif_result(result)["relatedLocations"]
    assert related == [{
        "id": 1,
        "physicalLocation": {"artifactLocation": {"uri": "envs/prod.tfvars", "uriBaseId": "%SRCROOT%"},
                             "region": {"startLine": 3}},
        "message": {"text": because},
    }]

    [entry] = [f for f in json.loads(json_report.render(result))["findings"] if f["control"] == PUBLIC]
    assert entry["origins"] == [{"file": "envs/prod.tfvars", "line": 3, "what": "sets db_public = true",
                                 "message": because}]
    assert list(entry)[-1] == "origins"  # additive: the earlier keys keep their order

    assert f"origin: {because}" in text.render(result)


def test_a_value_given_on_the_command_line_has_a_message_and_no_place(write_tree):
    root = write_tree(ROOT)
    result = scan([root], variables=VariableInputs(assignments=(("db_public", "true"),)))
    # The raw "true" is reported as the variable's type made it.
    assert _finding(result).origins == (Origin("", 0, "--var sets db_public = true"),)
    [related] = _sarif_result(result)["relatedLocations"]
    assert related == {"id": 1, "message": {"text": "publicly_accessible is true because --var sets db_public = "
                                                    "true"}}
    result = scan([root], variables=VariableInputs(environ={"TF_VAR_db_public": "true"}))
    assert _finding(result).origins == (Origin("", 0, "TF_VAR_db_public sets db_public = true"),)


def test_a_var_file_outside_the_scan_root_is_named_without_its_path(write_tree, tmp_path):
    root = write_tree({"app/" + name: body for name, body in ROOT.items()})
    outside = tmp_path / "secret-place" / "prod.tfvars"
    outside.parent.mkdir()
    outside.write_text("db_public = true\n", encoding="utf-8")
    result = scan([root / "app"], variables=VariableInputs(var_files=(outside,)))
    assert _finding(result).origins == (Origin("", 0, "--var-file prod.tfvars sets db_public = true"),)
    assert str(tmp_path) not in json_report.render(result)


def test_a_module_input_then_the_callers_default(write_tree):
    root = write_tree({
        "main.tf": '''variable "db_public" {
  type    = bool
  default = true
}

module "db" {
  source = "./modules/db"
  public = var.db_public
}
''',
        "modules/db/main.tf": '''variable "public" {
  type = bool
}

resource "aws_db_instance" "this" {
  engine              = "postgres"
  instance_class      = "db.t3.micro"
  publicly_accessible = var.public
  storage_encrypted   = true
  deletion_protection = true
}
''',
    })
    result = scan([root])
    finding = _finding(result)
    assert (finding.loc.file, finding.loc.line) == ("modules/db/main.tf", 8)
    assert finding.origins == (
        Origin("main.tf", 8, "passes public = true to module.db"),
        Origin("main.tf", 3, "sets the default db_public = true"),
    )
    related = _sarif_result(result)["relatedLocations"]
    assert [(r["physicalLocation"]["region"]["startLine"], r["message"]["text"]) for r in related] == [
        (8, "publicly_accessible is true because main.tf:8 passes public = true to module.db"),
        (3, "publicly_accessible is true because main.tf:3 sets the default db_public = true"),
    ]
    assert ("origin: publicly_accessible is true because main.tf:8 passes public = true to module.db; "
            "main.tf:3 sets the default db_public = true") in text.render(result)


def test_a_value_written_at_its_line_has_no_origin_and_a_reference_is_no_origin(write_tree):
    root = write_tree({"main.tf": '''variable "engine" {
  default = "postgres"
}
resource "aws_db_instance" "source" {
  engine         = var.engine
  instance_class = "db.t3.micro"
}
resource "aws_db_instance" "db" {
  engine              = aws_db_instance.source.engine
  instance_class      = "db.t3.micro"
  publicly_accessible = true
}
'''})
    result = scan([root])
    assert _finding(result).origins == ()
    facts = {c.address: c.facts for c in result.graph.components.values()}
    assert facts["aws_db_instance.source"]["engine"].provenance == (
        Origin("main.tf", 2, 'sets the default engine = "postgres"'),)
    # Another resource's attribute is a graph edge, not where the value came from.
    assert facts["aws_db_instance.db"]["engine"].provenance == ()
    assert "relatedLocations" not in _sarif_result(result)


def test_a_satellites_value_keeps_its_origin_on_the_owner(write_tree):
    root = write_tree({"main.tf": '''variable "acl" {
  type    = string
  default = "public-read"
}
resource "aws_s3_bucket" "b" { bucket = "b" }
resource "aws_s3_bucket_acl" "b" {
  bucket = aws_s3_bucket.b.id
  acl    = var.acl
}
resource "aws_s3_bucket_public_access_block" "b" {
  bucket = aws_s3_bucket.b.id
}
'''})
    finding = _finding(scan([root]), "s3-public-read")
    assert (finding.loc.line, finding.origins) == (8, (Origin("main.tf", 3, 'sets the default acl = "public-read"'),))
    assert finding.origin_of == 'acl is "public-read"'


def test_origins_are_bounded_and_hostile_text_is_escaped(write_tree):
    names = [f"v{i}" for i in range(MAX_ORIGINS + 4)]
    variables = "".join(f'variable "{n}" {{\n  default = true\n}}\n' for n in names)
    root = write_tree({"main.tf": variables + '''resource "aws_db_instance" "db" {
  engine              = "postgres"
  instance_class      = "db.t3.micro"
  publicly_accessible = ''' + " && ".join(f"var.{n}" for n in names) + '''
  storage_encrypted   = true
  deletion_protection = true
}
'''})
    result = scan([root])
    finding = _finding(result)
    assert len(finding.origins) == MAX_ORIGINS
    # Quoted text comes from the repository: every report escapes it.
    hostile = Origin("envs/\u202eprod.tfvars", 3, 'sets name = "\x1b]0;owned\x07\n::error::x"')
    result.findings = [replace(finding, origins=(hostile,))]
    for rendered in (text.render(result), json_report.render(result), sarif.render(result)):
        assert "\x1b" not in rendered and "\u202e" not in rendered and "\x07" not in rendered
        assert not any(line.lstrip().startswith("::") for line in rendered.splitlines())
    validate_sarif(sarif.to_dict(result))


CFN = """AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  DbPublic:
    Type: String
    Default: "true"
Resources:
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      DBInstanceClass: db.t3.micro
      PubliclyAccessible: !Ref DbPublic
      StorageEncrypted: true
      DeletionProtection: true
"""


def test_a_cloudformation_parameter_default_or_given_value(write_tree):
    root = write_tree({"db.yaml": CFN})
    result = scan([root])
    finding = _finding(result)
    assert (finding.loc.file, finding.loc.line) == ("db.yaml", 12)
    assert finding.origins == (Origin("db.yaml", 5, 'sets the Default DbPublic = "true"'),)
    [related] = _sarif_result(result)["relatedLocations"]
    assert related["physicalLocation"]["region"] == {"startLine": 5}
    assert related["message"]["text"] == ('publicly_accessible is true because db.yaml:5 sets the Default '
                                          'DbPublic = "true"')

    result = scan([root], template_options=TemplateOptions(parameters={"DbPublic": "true"}))
    assert _finding(result).origins == (Origin("", 0, '--parameters sets DbPublic = "true"'),)


def test_a_parameter_read_inside_a_function_is_an_origin_too(write_tree):
    root = write_tree({"db.yaml": CFN.replace("PubliclyAccessible: !Ref DbPublic",
                                              "PubliclyAccessible: !Join ['', [!Ref DbPublic]]")})
    assert _finding(scan([root])).origins == (Origin("db.yaml", 5, 'sets the Default DbPublic = "true"'),)


def test_a_nested_stack_parameter_names_the_parent_then_its_default(write_tree):
    parent = """AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Public:
    Type: String
    Default: "true"
Resources:
  Data:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: ./stacks/data.yaml
      Parameters:
        DbPublic: !Ref Public
"""
    root = write_tree({"parent.yaml": parent, "stacks/data.yaml": CFN.replace('Default: "true"', 'Default: "false"')})
    finding = _finding(scan([root]))
    assert finding.origins == (
        Origin("parent.yaml", 12, 'passes DbPublic = "true" to stack Data'),
        Origin("parent.yaml", 5, 'sets the Default Public = "true"'),
    )


def test_findings_differ_not_by_origins(tmp_path: Path):
    from iac_assist.analysis.findings import Finding
    from iac_assist.model import Location

    plain = Finding("R", "c", "low", "t", "a", Location("main.tf", 1), "m", cause="x")
    explained = Finding("R", "c", "low", "t", "a", Location("main.tf", 1), "m", cause="x",
                        origins=(Origin("v.tfvars", 1, "sets x = 1"),), origin_of="x is 1")
    assert plain == explained and plain.fingerprint == explained.fingerprint


def test_a_finding_on_the_resource_itself_cites_no_value(write_tree):
    # One line: the attribute's place is the resource's, yet "deletion protection is not set" is
    # about something missing, not about the value that came from the variable.
    root = write_tree({"main.tf": 'variable "p" {\n  default = true\n}\n'
                                  'resource "aws_db_instance" "db" { publicly_accessible = var.p }\n'})
    result = scan([root])
    findings = {f.control: f for f in result.findings}
    assert findings[PUBLIC].origins == (Origin("main.tf", 2, "sets the default p = true"),)
    assert findings["db-deletion-protection-missing"].origins == ()


def test_a_fact_a_normalizer_sets_by_hand_keeps_the_origin_of_its_attribute(write_tree):
    # normalize_cdn sets default_certificate itself (comp.set(..., res.at(...))), not through a
    # table: the value written at that place still says where it came from.
    example = Path(__file__).resolve().parents[1] / "policies" / "examples" / "cdn-weak-tls" / "insecure.tf"
    source = example.read_text(encoding="utf-8").replace(
        "cloudfront_default_certificate = true", "cloudfront_default_certificate = var.default_cert")
    root = write_tree({"main.tf": source, "variables.tf": 'variable "default_cert" {\n  default = true\n}\n'})
    result = scan([root])
    assets = [f for f in result.findings if f.control == "cdn-weak-tls" and f.resource.endswith(".assets")]
    assert [(f.origin_of, f.origins) for f in assets] == [
        ("default_certificate is true", (Origin("variables.tf", 2, "sets the default default_cert = true"),))]


def test_each_value_of_a_for_each_over_a_variable_comes_from_that_variable(write_tree):
    root = write_tree({
        "main.tf": '''variable "dbs" {
  type = map(object({ public = bool }))
}

resource "aws_db_instance" "db" {
  for_each            = var.dbs
  engine              = "postgres"
  instance_class      = "db.t3.micro"
  publicly_accessible = each.value.public
  storage_encrypted   = true
  deletion_protection = true
}
''',
        "terraform.tfvars": 'dbs = {\n  a = { public = true }\n}\n',
    })
    result = scan([root])
    assert _finding(result).origins == (Origin("terraform.tfvars", 1, "sets dbs = {...}"),)
    db = next(c for c in result.graph.components.values() if c.kind == "rds.instance")
    # An attribute that does not read each is not explained by the collection.
    assert db.facts["engine"].provenance == ()


def test_a_dynamic_blocks_content_comes_from_its_collection(write_tree):
    root = write_tree({"main.tf": '''variable "open" {
  default = ["0.0.0.0/0"]
}

resource "aws_security_group" "web" {
  name = "web"
  dynamic "ingress" {
    for_each = var.open
    content {
      from_port   = 22
      to_port     = 22
      protocol    = "tcp"
      cidr_blocks = [ingress.value]
    }
  }
}
'''})
    [(_, [group])] = load_configuration(sorted(root.rglob("*.tf")), root, read_text)[0]
    assert group.origins == {("ingress", 0, "cidr_blocks"): (Origin("main.tf", 2, "sets the default open = [...]"),)}
    assert group.origins_at("ingress", 0, "cidr_blocks", 0) == group.origins[("ingress", 0, "cidr_blocks")]
    assert group.origins_at("ingress", 0, "from_port") == ()


def test_junit_names_the_origin_beside_the_related_places(write_tree):
    import xml.etree.ElementTree as ET

    from iac_assist.report import junit

    root = write_tree(ROOT)
    result = scan([root], variables=VariableInputs(var_files=(root / "envs" / "prod.tfvars",)))
    failures = [f.text for f in ET.fromstring(junit.render(result)).iter("failure")]
    assert any("Origin: publicly_accessible is true because envs/prod.tfvars:3 sets db_public = true"
               in text.splitlines() for text in failures)


def test_annotations_and_the_markdown_summary_name_the_line_that_made_the_value(write_tree, monkeypatch):
    from iac_assist.report import github, markdown

    monkeypatch.delenv("GITHUB_SERVER_URL", raising=False)
    monkeypatch.delenv("GITHUB_REPOSITORY", raising=False)
    root = write_tree(ROOT)
    result = scan([root], variables=VariableInputs(var_files=(root / "envs" / "prod.tfvars",)))
    [annotation] = [line for line in github.render(result).splitlines() if "IAC-RDS-001" in line]
    assert annotation.startswith("::error file=main.tf,line=9,")
    assert annotation.endswith(
        "(publicly_accessible is true because envs/prod.tfvars:3 sets db_public = true)")
    [row] = [line for line in markdown.render(result).splitlines() if "IAC-RDS-001" in line and line.startswith("|")]
    assert row.endswith("— publicly\\_accessible is true because [`envs/prod.tfvars:3`](envs/prod.tfvars#L3) "
                        "sets db\\_public = true |")
