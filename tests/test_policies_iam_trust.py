"""iam-role-trust-public: who may assume a role. Principal "*" and its restricting conditions,
web identity (OIDC) trusts with and without a condition on the token's subject, the wildcard
subjects decided as public, providers named by reference or not known, plan JSON, both formats
alike; and the attack graph, where a role anyone can assume is an entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from iac_assist.analysis.engine import scan
from iac_assist.threatmodel.build import build
from tests.policy_examples import cfn, found, line, tf
from tests.test_terraform_plan import plan_text

CONTROL = "iam-role-trust-public"
GITHUB = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
EKS_HOST = "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
EKS = f"arn:aws:iam::123456789012:oidc-provider/{EKS_HOST}"


def _role(name: str, statement: dict) -> str:
    document = json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    return f'resource "aws_iam_role" "{name}" {{\n  assume_role_policy = jsonencode({document})\n}}\n'


def _web(principal: str, condition: dict | None = None) -> dict:
    statement = {"Effect": "Allow", "Principal": {"Federated": principal}, "Action": "sts:AssumeRoleWithWebIdentity"}
    if condition is not None:
        statement["Condition"] = condition
    return statement


def _sub(operator: str, value, provider: str = "token.actions.githubusercontent.com") -> dict:
    return {operator: {f"{provider}:sub": value}}


PUBLIC = {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}
CASES = {
    # name: (statement, reported)
    "star": ({**PUBLIC, "Principal": "*"}, True),
    "star_external_id": ({**PUBLIC, "Condition": {"StringEquals": {"sts:ExternalId": "shared"}}}, True),
    "star_every_sts_action": ({**PUBLIC, "Action": "sts:*"}, True),
    "star_org": ({**PUBLIC, "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}, False),
    "star_unknown_condition": ({**PUBLIC, "Condition": "${var.condition}"}, False),
    "star_deny": ({**PUBLIC, "Effect": "Deny"}, False),
    "account": ({**PUBLIC, "Principal": {"AWS": "arn:aws:iam::123456789012:root"}}, False),
    "service": ({**PUBLIC, "Principal": {"Service": "ec2.amazonaws.com"}}, False),
    "github_none": (_web(GITHUB), True),
    "github_aud_only": (_web(GITHUB, {"StringEquals": {
        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}}), True),
    "github_every_repo": (_web(GITHUB, _sub("StringLike", "repo:*")), True),
    "github_every_owner": (_web(GITHUB, _sub("StringLike", ["repo:*/*"])), True),
    "github_owner_prefix": (_web(GITHUB, _sub("StringLike", "repo:example-org*")), True),
    "github_negative": (_web(GITHUB, _sub("StringNotEquals", "repo:example-org/app:ref:refs/heads/main")), True),
    "github_one_bad_value": (_web(GITHUB, _sub("StringLike", ["repo:example-org/*", "repo:*"])), True),
    "github_org": (_web(GITHUB, _sub("StringLike", "repo:example-org/*")), False),
    "github_repo": (_web(GITHUB, _sub("ForAnyValue:StringEquals", ["repo:example-org/app:environment:prod"])), False),
    "github_unknown_sub": (_web(GITHUB, _sub("StringLike", "${var.subject}")), False),
    "github_named_provider": (_web("token.actions.githubusercontent.com"), True),
    "eks_none": (_web(EKS), True),
    "eks_any_service_account": (_web(EKS, _sub("StringLike", "system:serviceaccount:*:*", EKS_HOST)), False),
    "eks_star": (_web(EKS, _sub("StringLike", "*", EKS_HOST)), True),
    "cognito_pool": (_web("cognito-identity.amazonaws.com", {
        "StringEquals": {"cognito-identity.amazonaws.com:aud": "eu-west-1:12345678-abcd-abcd-abcd-123456789012"}}),
        False),
    "cognito_none": (_web("cognito-identity.amazonaws.com"), True),
    # A CircleCI issuer is one organization's, and its aud names it: every project of it, as
    # "repo:my-org/*" on GitHub.
    "circleci_org": (_web("arn:aws:iam::123456789012:oidc-provider/oidc.circleci.com/org/0f1e2d3c", {
        "StringEquals": {"oidc.circleci.com/org/0f1e2d3c:aud": "0f1e2d3c"}}), False),
    "circleci_none": (_web("arn:aws:iam::123456789012:oidc-provider/oidc.circleci.com/org/0f1e2d3c"), True),
    "saml": ({"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::123456789012:saml-provider/corp"},
              "Action": "sts:AssumeRoleWithSAML"}, False),
    "unknown_provider_with_condition": (_web("${var.provider}", {"StringEquals": {"aws:RequestTag/x": "y"}}), False),
}


def test_trust_decisions_in_terraform(write_tree):
    text = tf('variable "condition" {}\nvariable "subject" {}\nvariable "provider" {}\n' +
              "".join(_role(name, statement) for name, (statement, _reported) in CASES.items()))
    got = {resource for resource, _file, _line in found(write_tree, CONTROL, text)}
    assert got == {f"aws_iam_role.{name}" for name, (_s, reported) in CASES.items() if reported}


def test_both_formats_agree_and_point_at_the_statement(write_tree):
    terraform = tf(_role("deploy", CASES["github_aud_only"][0]) + _role("ok", CASES["github_org"][0]))
    template = cfn('''
        Deploy:
          Type: AWS::IAM::Role
          Properties:
            AssumeRolePolicyDocument:
              Statement:
                - Effect: Allow
                  Action: sts:AssumeRole
                  Principal: {Service: lambda.amazonaws.com}
                - Effect: Allow
                  Principal: {Federated: arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com}
                  Action: [sts:AssumeRoleWithWebIdentity]
                  Condition:
                    StringEquals: {"token.actions.githubusercontent.com:aud": sts.amazonaws.com}
        Ok:
          Type: AWS::IAM::Role
          Properties:
            AssumeRolePolicyDocument:
              Statement:
                - Effect: Allow
                  Principal: {Federated: arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com}
                  Action: sts:AssumeRoleWithWebIdentity
                  Condition:
                    StringLike: {"token.actions.githubusercontent.com:sub": "repo:example-org/*"}
    ''')
    assert found(write_tree, CONTROL, terraform, template) == {
        ("aws_iam_role.deploy", "tf/main.tf", line(terraform, 'resource "aws_iam_role" "deploy"') + 1),
        # CloudFormation keeps each statement's line: the second one.
        ("Deploy", "cfn/template.yaml", _second_statement_line(template)),
    }


def _second_statement_line(template: str) -> int:
    lines = [n for n, text in enumerate(template.splitlines(), 1) if text.strip() == "- Effect: Allow"]
    return lines[1]


def test_an_unknown_trust_policy_gives_no_finding(write_tree):
    text = tf('variable "trust" {}\nresource "aws_iam_role" "r" {\n  assume_role_policy = var.trust\n}\n')
    assert found(write_tree, CONTROL, text) == set()


def test_plan_json(tmp_path):
    resources = [{"address": "aws_iam_role.r", "type": "aws_iam_role", "name": "r",
                  "values": {"name": "r", "assume_role_policy": json.dumps(
                      {"Version": "2012-10-17", "Statement": [CASES["github_none"][0]]})}}]
    (tmp_path / "plan.json").write_text(plan_text(resources))
    assert [f.resource for f in scan([tmp_path]).findings if f.control == CONTROL] == ["aws_iam_role.r"]


# --- the attack graph: a role anyone can assume is an entry point ----------------------------------

ENTRY = '''
resource "aws_s3_bucket" "artifacts" {
  bucket = "artifacts"
}

resource "aws_iam_role" "deploy" {
  name = "deploy"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = "%s" }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = { StringLike = { "token.actions.githubusercontent.com:sub" = "%s" } }
    }]
  })
}

resource "aws_iam_role_policy" "deploy" {
  role = aws_iam_role.deploy.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "s3:PutObject"
      Resource = "arn:aws:s3:::artifacts/*"
    }]
  })
}
'''


def _model(tmp_path: Path, subject: str) -> dict:
    (tmp_path / "main.tf").write_text(ENTRY % (GITHUB, subject))
    return build(scan([tmp_path])).to_json()


def test_a_role_anyone_can_assume_leads_to_what_its_policies_allow(tmp_path):
    model = _model(tmp_path, "repo:*")
    text = (tmp_path / "main.tf").read_text()
    paths = {a["target"]: a for a in model["attack_paths"]}
    assert set(paths) == {"aws_s3_bucket.artifacts", "aws_iam_role.deploy"}
    bucket = paths["aws_s3_bucket.artifacts"]
    assert bucket["hops"] == ["internet", "aws_iam_role.deploy", "aws_s3_bucket.artifacts"]
    # Assuming the role needs no login of the victim's; using it is an authenticated call.
    assert bucket["exposure"] == "authenticated" and bucket["likelihood"] == 0.72
    assert paths["aws_iam_role.deploy"]["exposure"] == "internet-reachable"
    assert [(s["kind"], s["from"], s["to"]) for s in bucket["steps"]] == [
        ("assume-role", "internet", "aws_iam_role.deploy"),
        ("iam-permission", "aws_iam_role.deploy", "aws_s3_bucket.artifacts")]
    entry = bucket["steps"][0]["evidence"][0]
    assert (entry["file"], entry["line"]) == ("main.tf", line(text, "assume_role_policy = jsonencode({"))
    states = {t["id"]: t["status"] for t in model["threats"]}
    assert states["role-assumed-by-anyone@aws_iam_role.deploy"] == "open"


@pytest.mark.parametrize("subject", ["repo:example-org/*"])
def test_a_role_kept_to_one_owner_is_no_entry_point(tmp_path, subject):
    model = _model(tmp_path, subject)
    assert model["attack_paths"] == []
    states = {t["id"]: t["status"] for t in model["threats"]}
    assert states["role-assumed-by-anyone@aws_iam_role.deploy"] == "mitigated"


def test_sam_function_trust_policy(tmp_path):
    """SAM writes a function's AssumeRolePolicyDocument into the role it generates: the finding
    points at the statement in the function."""
    text = cfn('''
        Worker:
          Type: AWS::Serverless::Function
          Properties:
            Runtime: python3.12
            Handler: app.handler
            InlineCode: "def handler(event, context): return 1"
            AssumeRolePolicyDocument:
              Statement:
                - Effect: Allow
                  Principal: {AWS: "*"}
                  Action: sts:AssumeRole
    ''').replace("Resources:", "Transform: AWS::Serverless-2016-10-31\nResources:")
    (tmp_path / "template.yaml").write_text(text)
    assert [(f.resource, f.loc.line) for f in scan([tmp_path]).findings if f.control == CONTROL] == \
        [("WorkerRole", line(text, "- Effect: Allow"))]
