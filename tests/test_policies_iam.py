"""IAM policies (iam-wildcard-admin, iam-wildcard-overreach, iam-privilege-escalation,
iam-user-access-key, iam-password-policy-weak): edge cases,
each in Terraform and CloudFormation; the shipped examples are checked against their snapshots by
test_policies_examples.py."""

from __future__ import annotations

import json

import pytest

from tests.conftest import findings_of
from tests.policy_examples import cfn, found, hits, line, messages, tf

ADMIN = "iam-wildcard-admin"
OVERREACH = "iam-wildcard-overreach"
CONTROLS = (ADMIN, OVERREACH)
ESCALATION = "iam-privilege-escalation"


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
    # Actions are compared case-insensitively; the Effect value is not (AWS: "The Effect value is
    # case sensitive"), as the S3 and queue/topic policy checks decide it: one rule for all.
    ('{ Effect = "Allow", Action = "S3:*", Resource = "*" }', '{Effect: Allow, Action: "S3:*", Resource: "*"}',
     {OVERREACH}),
    ('{ Effect = "allow", Action = "*", Resource = "*" }', '{Effect: allow, Action: "*", Resource: "*"}', set()),
    # "*:" is not every action (with IAM wildcards it matches none), as for every other check.
    ('{ Effect = "Allow", Action = "*:", Resource = "*" }', '{Effect: Allow, Action: "*:", Resource: "*"}', set()),
    ('{ Effect = "Allow", NotAction = "*:", Resource = "*" }', '{Effect: Allow, NotAction: "*:", Resource: "*"}',
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
        "condition-does-not-exempt", "deny", "no-effect", "actions-case-insensitive",
        "effect-case-sensitive", "star-colon-is-no-action", "not-action-star-colon", "service-wildcard",
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
    from iac_assist.analysis.engine import scan

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
    from iac_assist.analysis.engine import scan

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
    from iac_assist.analysis.engine import scan

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


# --- iam-privilege-escalation ------------------------------------------------------------------------


def escalates(write_tree, tf_statement: str, cfn_statement: str, tf_extra: str = "", cfn_params: str = ""):
    """Whether iam-privilege-escalation reports the statement of a managed policy, per format."""
    root = write_tree({"tf/main.tf": tf_policy(tf_statement, tf_extra),
                       "cfn/template.yaml": cfn_policy(cfn_statement, cfn_params)})
    files = {file for _, file, _ in hits(root, ESCALATION)}
    return "tf/main.tf" in files, "cfn/template.yaml" in files


@pytest.mark.parametrize(("tf", "cfn", "expected"), [
    ('{ Effect = "Allow", Action = "iam:PassRole", Resource = "*" }',
     '{Effect: Allow, Action: iam:PassRole, Resource: "*"}', True),
    ('{ Effect = "Allow", Action = ["iam:AttachUserPolicy"], Resource = "*" }',
     '{Effect: Allow, Action: [iam:AttachUserPolicy], Resource: "*"}', True),
    ('{ Effect = "Allow", Action = "iam:CreatePolicyVersion", Resource = "*" }',
     '{Effect: Allow, Action: iam:CreatePolicyVersion, Resource: "*"}', True),
    ('{ Effect = "Allow", Action = "IAM:put*", Resource = "*" }', '{Effect: Allow, Action: "IAM:put*", Resource: "*"}',
     True),
    ('{ Effect = "Allow", Action = "iam:*Policy", Resource = "*" }',
     '{Effect: Allow, Action: "iam:*Policy", Resource: "*"}', True),
    # "iam:*" on "*" is overreach AND escalation; "*" on "*" is administrator access only.
    ('{ Effect = "Allow", Action = "iam:*", Resource = "*" }', '{Effect: Allow, Action: "iam:*", Resource: "*"}', True),
    ('{ Effect = "Allow", Action = "*", Resource = "*" }', '{Effect: Allow, Action: "*", Resource: "*"}', False),
    # A new policy grants nothing until attached.
    ('{ Effect = "Allow", Action = "iam:CreatePolicy", Resource = "*" }',
     '{Effect: Allow, Action: iam:CreatePolicy, Resource: "*"}', False),
    ('{ Effect = "Allow", Action = ["iam:GetRole", "iam:ListRoles"], Resource = "*" }',
     '{Effect: Allow, Action: [iam:GetRole, iam:ListRoles], Resource: "*"}', False),
    ('{ Effect = "Deny", Action = "iam:PassRole", Resource = "*" }',
     '{Effect: Deny, Action: iam:PassRole, Resource: "*"}', False),
    # Every role of an account is as good as "*"; a path or a named role is not.
    ('{ Effect = "Allow", Action = "iam:PassRole", Resource = "arn:aws:iam::111122223333:role/*" }',
     '{Effect: Allow, Action: iam:PassRole, Resource: "arn:aws:iam::111122223333:role/*"}', True),
    ('{ Effect = "Allow", Action = "iam:PassRole", Resource = "arn:aws:iam::111122223333:role/service-role/*" }',
     '{Effect: Allow, Action: iam:PassRole, Resource: "arn:aws:iam::111122223333:role/service-role/*"}', False),
    ('{ Effect = "Allow", Action = "iam:AttachRolePolicy", Resource = "arn:aws:iam::111122223333:role/app" }',
     '{Effect: Allow, Action: iam:AttachRolePolicy, Resource: "arn:aws:iam::111122223333:role/app"}', False),
    ('{ Effect = "Allow", Action = "iam:PassRole", NotResource = "arn:aws:iam::111122223333:role/admin" }',
     '{Effect: Allow, Action: iam:PassRole, NotResource: "arn:aws:iam::111122223333:role/admin"}', True),
    # Allow with NotAction: escalation unless the exclusion covers it.
    ('{ Effect = "Allow", NotAction = ["s3:*"], Resource = "*" }',
     '{Effect: Allow, NotAction: ["s3:*"], Resource: "*"}', True),
    ('{ Effect = "Allow", NotAction = ["iam:*"], Resource = "*" }',
     '{Effect: Allow, NotAction: ["iam:*"], Resource: "*"}', False),
], ids=["pass-role", "attach-user-policy", "create-policy-version", "put-wildcard-case-insensitive",
        "policy-suffix-wildcard", "iam-star", "admin", "create-policy-alone", "read-only", "deny", "every-role",
        "role-path", "named-role", "not-resource", "not-action", "not-action-iam"])
def test_escalation_statement_verdicts(write_tree, tf, cfn, expected):
    assert escalates(write_tree, tf, cfn) == (expected, expected)


@pytest.mark.parametrize(("tf", "cfn", "expected"), [
    # Conditions narrowing WHAT is granted exempt the actions they confine...
    ('{ Effect = "Allow", Action = "iam:AttachRolePolicy", Resource = "*",'
     ' Condition = { ArnEquals = { "iam:PolicyARN" = "arn:aws:iam::aws:policy/ReadOnlyAccess" } } }',
     '{Effect: Allow, Action: iam:AttachRolePolicy, Resource: "*",'
     ' Condition: {ArnEquals: {"iam:PolicyARN": "arn:aws:iam::aws:policy/ReadOnlyAccess"}}}', False),
    ('{ Effect = "Allow", Action = ["iam:PutRolePolicy", "iam:AttachRolePolicy"], Resource = "*",'
     ' Condition = { StringEquals = { "iam:PermissionsBoundary" = "arn:aws:iam::111122223333:policy/boundary" } } }',
     '{Effect: Allow, Action: [iam:PutRolePolicy, iam:AttachRolePolicy], Resource: "*",'
     ' Condition: {StringEquals: {"iam:PermissionsBoundary": "arn:aws:iam::111122223333:policy/boundary"}}}', False),
    ('{ Effect = "Allow", Action = "iam:PassRole", Resource = "*",'
     ' Condition = { StringEquals = { "aws:ResourceTag/team" = "orders" } } }',
     '{Effect: Allow, Action: iam:PassRole, Resource: "*",'
     ' Condition: {StringEquals: {"aws:ResourceTag/team": orders}}}', False),
    # ...but not the others: a policy ARN condition says nothing of which role is passed.
    ('{ Effect = "Allow", Action = ["iam:PassRole", "iam:AttachRolePolicy"], Resource = "*",'
     ' Condition = { ArnEquals = { "iam:PolicyARN" = "arn:aws:iam::aws:policy/ReadOnlyAccess" } } }',
     '{Effect: Allow, Action: [iam:PassRole, iam:AttachRolePolicy], Resource: "*",'
     ' Condition: {ArnEquals: {"iam:PolicyARN": "arn:aws:iam::aws:policy/ReadOnlyAccess"}}}', True),
    # Conditions on when or how do not: any role may still be passed to that service.
    ('{ Effect = "Allow", Action = "iam:PassRole", Resource = "*",'
     ' Condition = { StringEquals = { "iam:PassedToService" = "lambda.amazonaws.com" } } }',
     '{Effect: Allow, Action: iam:PassRole, Resource: "*",'
     ' Condition: {StringEquals: {"iam:PassedToService": lambda.amazonaws.com}}}', True),
    ('{ Effect = "Allow", Action = "iam:PutUserPolicy", Resource = "*",'
     ' Condition = { Bool = { "aws:MultiFactorAuthPresent" = "true" } } }',
     '{Effect: Allow, Action: iam:PutUserPolicy, Resource: "*",'
     ' Condition: {Bool: {"aws:MultiFactorAuthPresent": "true"}}}', True),
], ids=["policy-arn", "permissions-boundary", "resource-tag", "policy-arn-does-not-confine-pass-role",
        "passed-to-service", "mfa"])
def test_escalation_conditions(write_tree, tf, cfn, expected):
    assert escalates(write_tree, tf, cfn) == (expected, expected)


def test_escalation_unknown_parts_give_no_finding(write_tree):
    variable = 'variable "x" {}\n'
    parameter = "Parameters:\n  X:\n    Type: String\n"
    for tf_statement, cfn_statement in [
        ('{ Effect = "Allow", Action = var.x, Resource = "*" }', '{Effect: Allow, Action: !Ref X, Resource: "*"}'),
        ('{ Effect = "Allow", Action = "iam:PassRole", Resource = var.x }',
         '{Effect: Allow, Action: iam:PassRole, Resource: !Ref X}'),
        ('{ Effect = "Allow", Action = "iam:PassRole", Resource = "*", Condition = var.x }',
         '{Effect: Allow, Action: iam:PassRole, Resource: "*", Condition: !Ref X}'),
        ('{ Effect = "Allow", NotAction = ["s3:*", var.x], Resource = "*" }',
         '{Effect: Allow, NotAction: ["s3:*", !Ref X], Resource: "*"}'),
    ]:
        assert escalates(write_tree, tf_statement, cfn_statement, variable, parameter) == (False, False), tf_statement


def test_escalation_known_action_beside_unknown_ones_is_reported(write_tree):
    variable = 'variable "x" {}\n'
    parameter = "Parameters:\n  X:\n    Type: String\n"
    assert escalates(write_tree, '{ Effect = "Allow", Action = [var.x, "iam:PassRole"], Resource = "*" }',
                     '{Effect: Allow, Action: [!Ref X, iam:PassRole], Resource: "*"}',
                     variable, parameter) == (True, True)


def test_escalation_needs_a_principal_that_can_use_the_policy(write_tree):
    """Managed policies count attached or not (they exist to be attached); an inline policy that
    names no principal grants nothing (CloudFormation only: Terraform's inline policy resources
    require their role, user or group)."""
    statement_tf = '{ Effect = "Allow", Action = "iam:PassRole", Resource = "*" }'
    root = write_tree({
        "tf/main.tf": tf_policy(statement_tf, '''
resource "aws_iam_user" "ops" { name = "ops" }
resource "aws_iam_user_policy_attachment" "ops" {
  user       = aws_iam_user.ops.name
  policy_arn = aws_iam_policy.q.arn
}
resource "aws_iam_policy" "q" {
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "iam:PassRole", Resource = "*" }] })
}
'''),
        "cfn/template.yaml": cfn_policy('{Effect: Allow, Action: iam:PassRole, Resource: "*"}').replace(
            "Resources:\n", '''Resources:
  Orphan:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: orphan
      PolicyDocument:
        Statement:
          - {Effect: Allow, Action: iam:PassRole, Resource: "*"}
'''),
    })
    assert {resource for resource, _, _ in hits(root, ESCALATION)} == {"aws_iam_policy.p", "aws_iam_policy.q", "P"}
    texts = {text.split(" lets its holder")[0] for text in messages(root, ESCALATION)}
    assert texts == {
        "Managed policy aws_iam_policy.p (not attached in this configuration: whoever it is attached to)",
        "Managed policy aws_iam_policy.q (attached to user aws_iam_user.ops)",
        "Managed policy P (not attached in this configuration: whoever it is attached to)",
    }


def test_escalation_inline_policies_of_principals_in_both_formats(write_tree):
    root = write_tree({
        "tf/main.tf": '''
resource "aws_iam_group" "admins" { name = "admins" }
resource "aws_iam_group_policy" "admins" {
  group  = aws_iam_group.admins.name
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "iam:Attach*", Resource = "*" }] })
}
''',
        "cfn/template.yaml": '''AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Admins:
    Type: AWS::IAM::Group
    Properties:
      Policies:
        - PolicyName: attach
          PolicyDocument:
            Statement:
              - {Effect: Allow, Action: "iam:Attach*", Resource: "*"}
''',
    })
    assert hits(root, ESCALATION) == {("aws_iam_group_policy.admins", "tf/main.tf", 5),
                                      ("Admins", "cfn/template.yaml", 10)}
    texts = sorted(messages(root, ESCALATION))
    assert texts[0].startswith("Inline policy 'attach' of Admins lets its holder escalate privileges: its statement 1 "
                               "allows iam:AttachRolePolicy, iam:AttachUserPolicy, iam:AttachGroupPolicy on every "
                               "resource, so the holder can grant itself any permission.")
    assert texts[1].startswith("Inline policy aws_iam_group_policy.admins (attached to group aws_iam_group.admins)")


def _policies(root) -> dict[str, object]:
    from iac_assist.analysis.engine import scan

    return {c.address: c for c in scan([root]).graph.components.values() if c.kind == "iam.policy"}


def test_a_literal_policy_arn_attaches_in_both_formats(write_tree):
    # Drift the shared attach() fixed: Terraform read a literal customer managed policy ARN as the
    # policy of that name, CloudFormation looked for a policy named by the whole ARN.
    arn = "arn:aws:iam::123456789012:policy/app"
    root = write_tree({
        "tf/main.tf": tf(f'''
            resource "aws_iam_policy" "app" {{
              name   = "app"
              policy = "{{}}"
            }}
            resource "aws_iam_role" "r" {{
              name                = "r"
              assume_role_policy  = "{{}}"
              managed_policy_arns = ["{arn}"]
            }}
        '''),
        "cfn/template.yaml": cfn(f'''
            AppPolicy:
              Type: AWS::IAM::ManagedPolicy
              Properties:
                ManagedPolicyName: app
                PolicyDocument: {{}}
            Role:
              Type: AWS::IAM::Role
              Properties:
                AssumeRolePolicyDocument: {{}}
                ManagedPolicyArns: ["{arn}"]
        '''),
    })
    found = _policies(root)
    assert [ref.address for ref in found["aws_iam_policy.app"].get("attached_to")] == ["aws_iam_role.r"]
    assert [ref.address for ref in found["AppPolicy"].get("attached_to")] == ["Role"]


def test_a_null_owner_leaves_an_inline_policy_unattached(write_tree):
    # Null is unset in every format: Terraform attached the policy to [None].
    root = write_tree({"main.tf": tf('''
        resource "aws_iam_role_policy" "p" {
          role   = null
          policy = "{}"
        }
    ''')})
    assert not _policies(root)["aws_iam_role_policy.p"].has("attached_to")


# --- iam-user-access-key ---------------------------------------------------------------------------

KEYS_TF = tf('''
    variable "user" {
      type = string
    }

    resource "aws_iam_user" "ci" {
      name = "ci"
    }

    resource "aws_iam_access_key" "ci" {
      user = aws_iam_user.ci.name
    }

    resource "aws_iam_access_key" "old" {
      user   = var.user
      status = "Inactive"
    }

    resource "aws_iam_access_key" "encrypted" {
      user    = aws_iam_user.ci.name
      pgp_key = "keybase:ops"
    }
''')
KEYS_CFN = cfn('''
    Ci:
      Type: AWS::IAM::User
    CiKey:
      Type: AWS::IAM::AccessKey
      Properties:
        UserName: !Ref Ci
    OldKey:
      Type: AWS::IAM::AccessKey
      Properties:
        UserName: !Ref User
        Status: Inactive
''', parameters='''
    User:
      Type: String
''')


def test_every_access_key_is_reported_at_its_resource(write_tree):
    assert found(write_tree, "iam-user-access-key", KEYS_TF, KEYS_CFN) == {
        ("aws_iam_access_key.ci", "tf/main.tf", line(KEYS_TF, '"aws_iam_access_key" "ci"')),
        ("aws_iam_access_key.old", "tf/main.tf", line(KEYS_TF, '"aws_iam_access_key" "old"')),
        ("aws_iam_access_key.encrypted", "tf/main.tf", line(KEYS_TF, '"aws_iam_access_key" "encrypted"')),
        ("CiKey", "cfn/template.yaml", line(KEYS_CFN, "CiKey:")),
        ("OldKey", "cfn/template.yaml", line(KEYS_CFN, "OldKey:")),
    }
    said = messages(write_tree({"tf/main.tf": KEYS_TF}) / "tf", "iam-user-access-key")
    assert sum("in clear in the Terraform state" in m for m in said) == 2
    assert sum("encrypted with pgp_key" in m for m in said) == 1
    assert sum("inactive, but it can be switched on" in m for m in said) == 1


def test_access_keys_are_one_threat_of_the_configuration(write_tree):
    from tests.test_threatmodel_states import threats_of

    threats = {t["id"]: t for t in threats_of(write_tree({"main.tf": KEYS_TF})).values()
               if t["id"].startswith("access-key-theft@")}
    assert [(t["target"], t["status"], len(t["findings"])) for t in threats.values()] == [
        ("aws_iam_access_key.ci", "open", 3)]
    # A user without keys: the threat is mitigated on it.
    user = 'resource "aws_iam_user" "u" {\n  name = "u"\n}\n'
    [alone] = [t for t in threats_of(write_tree({"main.tf": user})).values() if t["id"].startswith("access-key-theft@")]
    assert (alone["target"], alone["status"]) == ("aws_iam_user.u", "mitigated")


# --- iam-password-policy-weak ------------------------------------------------------------------------

PASSWORDS = "iam-password-policy-weak"


@pytest.mark.parametrize("body,reported,at", [
    ("", True, "resource"),  # IAM defaults: 6 characters, reuse allowed
    ("  minimum_password_length   = 14\n  password_reuse_prevention = 24\n", False, ""),
    ("  minimum_password_length   = 32\n  password_reuse_prevention = 23\n", True, "password_reuse_prevention"),
    ("  minimum_password_length   = \"12\"\n  password_reuse_prevention = 24\n", True, "minimum_password_length"),
    ("  minimum_password_length   = var.length\n  password_reuse_prevention = 24\n", False, ""),
    ("  minimum_password_length   = var.length\n", True, "resource"),
])
def test_password_policy_thresholds_and_defaults(write_tree, body, reported, at):
    text = ('variable "length" {\n  type = number\n}\n\n'
            'resource "aws_iam_account_password_policy" "this" {\n' + body + "}\n")
    expected = set()
    if reported:
        expected = {("aws_iam_account_password_policy.this", "main.tf",
                     line(text, "aws_iam_account_password_policy" if at == "resource" else at))}
    assert hits(write_tree({"main.tf": text}), PASSWORDS) == expected
