"""IAM policies (iam-wildcard-admin, iam-wildcard-overreach): examples and edge cases, each in
Terraform and CloudFormation."""

from __future__ import annotations

import json

import pytest

from tests.conftest import findings_of
from tests.policy_examples import example_tests, hits

ADMIN = "iam-wildcard-admin"
OVERREACH = "iam-wildcard-overreach"
CONTROLS = (ADMIN, OVERREACH)

EXPECTED = {
    ADMIN: {
        "terraform": {("aws_iam_policy.deploy", 17)},
        "cloudformation": {("DeployRole", 22)},
    },
    OVERREACH: {
        "terraform": {("aws_iam_role_policy.app", 29)},
        "cloudformation": {("AppPolicy", 25), ("AppPolicy", 29)},
    },
}


test_insecure_example_gives_exactly_these_findings, test_fixed_example_gives_none = example_tests(EXPECTED)


# --- helpers -----------------------------------------------------------------------------------


def tf_policy(statement: str, extra: str = "") -> str:
    """A managed policy whose document is ``statement`` (HCL object syntax, inside jsonencode)."""
    return f'''{extra}
resource "aws_iam_policy" "p" {{
  name = "p"
  policy = jsonencode({{
    Version   = "2012-10-17"
    Statement = [{statement}]
  }})
}}
'''


def cfn_policy(statement: str, parameters: str = "") -> str:
    """A managed policy whose single statement is ``statement`` (YAML flow mapping)."""
    return f'''AWSTemplateFormatVersion: "2010-09-09"
{parameters}Resources:
  P:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - {statement}
'''


def verdicts(write_tree, tf_statement: str, cfn_statement: str, tf_extra: str = "", cfn_params: str = ""):
    """Controls found (with their resource) for one statement in each format."""
    root = write_tree({"tf/main.tf": tf_policy(tf_statement, tf_extra),
                       "cfn/template.yaml": cfn_policy(cfn_statement, cfn_params)})
    found = findings_of(root)
    tf = {c for c, _, f, _ in found if c in CONTROLS and f.startswith("tf/")}
    cfn = {c for c, _, f, _ in found if c in CONTROLS and f.startswith("cfn/")}
    return tf, cfn


# --- what a statement grants ---------------------------------------------------------------------


@pytest.mark.parametrize(("tf", "cfn", "expected"), [
    # Action "*" on Resource "*": administrator, reported once (not again as overreach).
    ('{ Effect = "Allow", Action = "*", Resource = "*" }',
     '{Effect: Allow, Action: "*", Resource: "*"}', {ADMIN}),
    ('{ Effect = "Allow", Action = ["*", "s3:*"], Resource = ["arn:aws:s3:::b", "*"] }',
     '{Effect: Allow, Action: ["*", "s3:*"], Resource: ["arn:aws:s3:::b", "*"]}', {ADMIN}),
    ('{ Effect = "Allow", Action = "*:*", Resource = "arn:aws:*:*:*:*" }',
     '{Effect: Allow, Action: "*:*", Resource: "arn:aws:*:*:*:*"}', {ADMIN}),
    # NotResource on Allow: every resource except a few.
    ('{ Effect = "Allow", Action = "*", NotResource = "arn:aws:s3:::audit/*" }',
     '{Effect: Allow, Action: "*", NotResource: "arn:aws:s3:::audit/*"}', {ADMIN}),
    ('{ Effect = "Allow", Action = "*", NotResource = "*" }',
     '{Effect: Allow, Action: "*", NotResource: "*"}', set()),
    # A condition limits when, not what: still reported.
    ('{ Effect = "Allow", Action = "*", Resource = "*",'
     ' Condition = { Bool = { "aws:MultiFactorAuthPresent" = "true" } } }',
     '{Effect: Allow, Action: "*", Resource: "*", Condition: {Bool: {"aws:MultiFactorAuthPresent": "true"}}}',
     {ADMIN}),
    # Deny statements grant nothing; a statement without Effect is invalid.
    ('{ Effect = "Deny", Action = "*", Resource = "*" }', '{Effect: Deny, Action: "*", Resource: "*"}', set()),
    ('{ Action = "*", Resource = "*" }', '{Action: "*", Resource: "*"}', set()),
    # Effect and actions compared case-insensitively.
    ('{ Effect = "allow", Action = "S3:*", Resource = "*" }', '{Effect: allow, Action: "S3:*", Resource: "*"}',
     {OVERREACH}),
    # Whole services on every resource; not on a named resource; not partial wildcards.
    ('{ Effect = "Allow", Action = ["iam:*", "s3:GetObject"], Resource = "*" }',
     '{Effect: Allow, Action: ["iam:*", "s3:GetObject"], Resource: "*"}', {OVERREACH}),
    ('{ Effect = "Allow", Action = "s3:*", Resource = "arn:aws:s3:::b/*" }',
     '{Effect: Allow, Action: "s3:*", Resource: "arn:aws:s3:::b/*"}', set()),
    ('{ Effect = "Allow", Action = "*", Resource = "arn:aws:s3:::b/*" }',
     '{Effect: Allow, Action: "*", Resource: "arn:aws:s3:::b/*"}', set()),
    ('{ Effect = "Allow", Action = ["s3:Get*", "ec2:Describe*"], Resource = "*" }',
     '{Effect: Allow, Action: ["s3:Get*", "ec2:Describe*"], Resource: "*"}', set()),
    # Allow with NotAction on every resource; not when it excludes everything.
    ('{ Effect = "Allow", NotAction = ["iam:*"], Resource = "*" }',
     '{Effect: Allow, NotAction: ["iam:*"], Resource: "*"}', {OVERREACH}),
    ('{ Effect = "Allow", NotAction = "*", Resource = "*" }', '{Effect: Allow, NotAction: "*", Resource: "*"}',
     set()),
    ('{ Effect = "Allow", NotAction = "iam:*", Resource = "arn:aws:s3:::b" }',
     '{Effect: Allow, NotAction: "iam:*", Resource: "arn:aws:s3:::b"}', set()),
], ids=["admin", "admin-in-lists", "star-colon-star-and-open-arn", "not-resource", "not-resource-star",
        "condition-does-not-exempt", "deny", "no-effect", "case-insensitive", "service-wildcard",
        "service-on-named-resource", "star-on-named-resource", "partial-wildcards", "not-action",
        "not-action-star", "not-action-named-resource"])
def test_statement_verdicts(write_tree, tf, cfn, expected):
    assert verdicts(write_tree, tf, cfn) == (expected, expected)


def test_unknown_values_give_no_finding_but_a_known_star_beside_them_does(write_tree):
    variable = 'variable "arn" {}\n'
    parameter = "Parameters:\n  Arn:\n    Type: String\n"
    # The resource is not known: it may be a single ARN.
    assert verdicts(write_tree, '{ Effect = "Allow", Action = "*", Resource = var.arn }',
                    '{Effect: Allow, Action: "*", Resource: !Ref Arn}', variable, parameter) == (set(), set())


def test_known_star_beside_unknown_elements_is_reported(write_tree):
    variable = 'variable "arn" {}\n'
    parameter = "Parameters:\n  Arn:\n    Type: String\n"
    assert verdicts(write_tree, '{ Effect = "Allow", Action = ["*", var.arn], Resource = ["*", var.arn] }',
                    '{Effect: Allow, Action: ["*", !Ref Arn], Resource: ["*", !Ref Arn]}',
                    variable, parameter) == ({ADMIN}, {ADMIN})


def test_unknown_effect_or_unknown_not_action_element_gives_no_finding(write_tree):
    variable = 'variable "x" {}\n'
    parameter = "Parameters:\n  X:\n    Type: String\n"
    assert verdicts(write_tree, '{ Effect = var.x, Action = "*", Resource = "*" }',
                    '{Effect: !Ref X, Action: "*", Resource: "*"}', variable, parameter) == (set(), set())
    assert verdicts(write_tree, '{ Effect = "Allow", NotAction = ["iam:*", var.x], Resource = "*" }',
                    '{Effect: Allow, NotAction: ["iam:*", !Ref X], Resource: "*"}',
                    variable, parameter) == (set(), set())


def test_a_variable_default_is_a_known_value(write_tree):
    variable = 'variable "actions" {\n  default = ["*"]\n}\n'
    parameter = "Parameters:\n  Action:\n    Type: String\n    Default: '*'\n"
    assert verdicts(write_tree, '{ Effect = "Allow", Action = var.actions, Resource = "*" }',
                    '{Effect: Allow, Action: !Ref Action, Resource: "*"}', variable, parameter) == ({ADMIN}, {ADMIN})


# --- where documents come from -------------------------------------------------------------------


def test_every_source_of_identity_policies_in_terraform(write_tree):
    admin = 'jsonencode({ Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }] })'
    root = write_tree({"main.tf": f'''
resource "aws_iam_user" "u" {{ name = "u" }}
resource "aws_iam_group" "g" {{ name = "g" }}
resource "aws_iam_user_policy" "u" {{
  user   = aws_iam_user.u.name
  policy = {admin}
}}
resource "aws_iam_group_policy" "g" {{
  group  = "g"
  policy = {admin}
}}
resource "aws_iam_role" "r" {{
  name               = "r"
  assume_role_policy = "{{}}"
  inline_policy {{
    name   = "first"
    policy = {admin}
  }}
  inline_policy {{
    name   = "second"
    policy = <<-EOT
      {{"Version": "2012-10-17",
       "Statement": {{"Effect": "Allow", "Action": "*", "Resource": "*"}}}}
    EOT
  }}
}}
'''})
    assert hits(root, ADMIN) == {
        ("aws_iam_user_policy.u", "main.tf", 6),
        ("aws_iam_group_policy.g", "main.tf", 10),
        ("aws_iam_role.r", "main.tf", 17),
        ("aws_iam_role.r", "main.tf", 21),
    }
    assert hits(root, OVERREACH) == set()


def test_every_source_of_identity_policies_in_cloudformation(write_tree):
    root = write_tree({"template.yaml": '''AWSTemplateFormatVersion: "2010-09-09"
Resources:
  User:
    Type: AWS::IAM::User
    Properties:
      Policies:
        - PolicyName: first
          PolicyDocument: {Statement: [{Effect: Allow, Action: "*", Resource: "*"}]}
        - PolicyName: second
          PolicyDocument: {Statement: {Effect: Allow, Action: "*", Resource: "*"}}
  Group:
    Type: AWS::IAM::Group
    Properties:
      Policies:
        - PolicyName: g
          PolicyDocument: '{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}'
  Inline:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: inline
      Users: [!Ref User]
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: "*"
            Resource: "*"
  RolePolicy:
    Type: AWS::IAM::RolePolicy
    Properties:
      PolicyName: rp
      RoleName: some-role
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: "*"
            Resource: "*"
'''})
    assert hits(root, ADMIN) == {
        ("User", "template.yaml", 8),
        ("User", "template.yaml", 10),
        ("Group", "template.yaml", 16),
        ("Inline", "template.yaml", 24),
        ("RolePolicy", "template.yaml", 34),
    }
    assert hits(root, OVERREACH) == set()


def test_policy_document_data_source_in_terraform(write_tree):
    root = write_tree({"main.tf": '''
data "aws_iam_policy_document" "admin" {
  statement {
    sid       = "Everything"
    actions   = ["*"]
    resources = ["*"]
  }
  statement {
    not_actions = ["iam:*"]
    resources   = ["*"]
  }
}
resource "aws_iam_policy" "p" {
  name   = "p"
  policy = data.aws_iam_policy_document.admin.json
}
'''})
    assert hits(root, ADMIN) == hits(root, OVERREACH) == {("aws_iam_policy.p", "main.tf", 15)}


def test_dynamic_statement_over_unknown_values_gives_no_finding(write_tree):
    root = write_tree({"main.tf": '''
variable "statements" {}
data "aws_iam_policy_document" "d" {
  dynamic "statement" {
    for_each = var.statements
    content {
      actions   = statement.value.actions
      resources = statement.value.resources
    }
  }
}
resource "aws_iam_policy" "p" {
  policy = data.aws_iam_policy_document.d.json
}
'''})
    assert hits(root, ADMIN) == hits(root, OVERREACH) == set()


def test_unknown_documents_give_no_finding(write_tree):
    root = write_tree({
        "tf/main.tf": '''
variable "policy" {}
resource "aws_iam_policy" "a" { policy = var.policy }
resource "aws_iam_policy" "b" {
  policy = <<-EOT
    {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "${var.policy}"}]}
  EOT
}
''',
        "cfn/template.yaml": '''AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Admin:
    Type: String
Conditions:
  IsAdmin: !Equals [!Ref Admin, "yes"]
Resources:
  P:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument: !If
        - IsAdmin
        - {Statement: [{Effect: Allow, Action: "*", Resource: "*"}]}
        - {Statement: [{Effect: Allow, Action: "s3:GetObject", Resource: "*"}]}
''',
    })
    assert hits(root, ADMIN) == hits(root, OVERREACH) == set()


# --- attachments and messages --------------------------------------------------------------------


def test_message_names_the_principals_a_managed_policy_is_attached_to(write_tree):
    from iac_assist.engine import scan

    root = write_tree({
        "tf/main.tf": tf_policy('{ Effect = "Allow", Action = "*", Resource = "*" }', '''
resource "aws_iam_role" "app" {
  name               = "app"
  assume_role_policy = "{}"
}
resource "aws_iam_user" "ops" { name = "ops" }
resource "aws_iam_role" "batch" {
  assume_role_policy  = "{}"
  managed_policy_arns = [aws_iam_policy.p.arn, "arn:aws:iam::aws:policy/ReadOnlyAccess"]
}
resource "aws_iam_role_policy_attachment" "a" {
  role       = aws_iam_role.app.name
  policy_arn = aws_iam_policy.p.arn
}
resource "aws_iam_policy_attachment" "b" {
  name       = "b"
  users      = [aws_iam_user.ops.name]
  policy_arn = "arn:aws:iam::123456789012:policy/p"
}
'''),
        "cfn/template.yaml": cfn_policy('{Effect: Allow, Action: "*", Resource: "*"}').replace(
            "Resources:\n", '''Resources:
  App:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {}
      ManagedPolicyArns: [!Ref P]
'''),
    })
    messages = {f.loc.file: f.message for f in scan([root]).findings if f.control == ADMIN}
    assert "attached to role aws_iam_role.batch, role aws_iam_role.app, user aws_iam_user.ops" in messages["tf/main.tf"]
    assert "attached to role App" in messages["cfn/template.yaml"]


def test_an_unattached_managed_policy_is_still_reported_and_statements_are_told_apart(write_tree):
    from iac_assist.engine import scan

    root = write_tree({"template.yaml": '''AWSTemplateFormatVersion: "2010-09-09"
Resources:
  P:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - {Sid: Storage, Effect: Allow, Action: "s3:*", Resource: "*"}
          - {Effect: Allow, Action: "dynamodb:*", Resource: "*"}
'''})
    found = [f for f in scan([root]).findings if f.control == OVERREACH]
    assert [(f.loc.line, f.cause) for f in found] == [(8, "overreach::Storage"), (9, "overreach::1")]
    assert "statement 'Storage' allows Action \"s3:*\"" in found[0].message
    assert "statement 2 allows Action \"dynamodb:*\"" in found[1].message


def test_two_inline_policies_of_one_role_have_distinct_fingerprints(write_tree):
    from iac_assist.engine import scan

    statement = json.dumps({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
    root = write_tree({"main.tf": f'''
resource "aws_iam_role" "r" {{
  assume_role_policy = "{{}}"
  inline_policy {{
    name   = "a"
    policy = {json.dumps(statement)}
  }}
  inline_policy {{
    name   = "b"
    policy = {json.dumps(statement)}
  }}
}}
'''})
    found = [f for f in scan([root]).findings if f.control == ADMIN]
    assert len(found) == 2 and len({f.fingerprint for f in found}) == 2
    assert {f.resource for f in found} == {"aws_iam_role.r"}
