"""resource-policy-public: edge cases, each in Terraform and CloudFormation where the format can
say it (a plan, SAM); the shipped examples are checked against their snapshots by
test_policies_examples.py. The reading of the documents (public_grants) is shared with
sqs-sns-public-policy."""

from __future__ import annotations

import json

import pytest

from iac_assist.model.policy_documents import confines, harmless_only, public_grants
from tests.conftest import findings_of
from tests.policy_examples import cfn, found, line, messages, tf
from tests.test_terraform_plan import plan_text, refs, write

CONTROL = "resource-policy-public"


def statement(**parts) -> dict:
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", **parts}]}


# --- the reading of a document -------------------------------------------------------------------


@pytest.mark.parametrize("condition, confined", [
    (None, False),
    ({"StringEquals": {"aws:PrincipalOrgID": "o-1"}}, True),
    ({"StringEqualsIfExists": {"AWS:SourceAccount": "1"}}, True),
    ({"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": ["o-1/*"]}}, True),
    ({"StringNotEquals": {"aws:PrincipalAccount": "1"}}, False),  # every other account
    ({"Null": {"aws:SourceArn": "false"}}, False),
    ({"IpAddress": {"aws:SourceIp": ["203.0.113.0/24"]}}, True),
    ({"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "0.0.0.0/0"]}}, False),
    ({"IpAddress": {"aws:SourceIp": "::/0"}}, False),
    ({"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, False),
    ({"Bool": {"aws:SecureTransport": "true"}}, False),
    ("not known", True),
])
def test_which_conditions_confine_the_caller(condition, confined):
    assert confines(condition) is confined


@pytest.mark.parametrize("actions, harmless", [
    (["kms:DescribeKey", "kms:GetPublicKey"], True),
    ("ecr:Describe*", True),
    (["ecr:ListImages", "ecr:BatchGetImage"], False),
    ("kms:Get*", False),
    ("*", False),
])
def test_read_only_metadata_alone_is_harmless(actions, harmless):
    assert harmless_only({"Action": actions}) is harmless
    assert harmless_only({"NotAction": "kms:Describe*"}) is False


def test_a_deny_to_everyone_unless_confined_guards_what_it_covers():
    allow = {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "*"}
    deny = {"Effect": "Deny", "Principal": "*", "Action": "execute-api:*", "Resource": "*",
            "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1"}}}
    assert public_grants({"Statement": [allow, deny]}) == []
    narrow = dict(deny, Action="execute-api:ManageConnections")
    assert [n for n, *_ in public_grants({"Statement": [allow, narrow]})] == [0]
    unconditioned = {k: v for k, v in deny.items() if k != "Condition"}
    assert public_grants({"Statement": [allow, unconditioned]}) == []  # denies everything: nothing left
    secure_only = dict(deny, Condition={"Bool": {"aws:SecureTransport": "false"}})
    assert [n for n, *_ in public_grants({"Statement": [allow, secure_only]})] == [0]


# --- the resources ---------------------------------------------------------------------------------

DOMAINS_TF = tf('''
variable "subnets" {
  type = list(string)
}

locals {
  open = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { AWS = "*" }, Action = "es:ESHttp*", Resource = "*" }]
  })
}

resource "aws_opensearch_domain" "public" {
  domain_name     = "public"
  access_policies = local.open
}

resource "aws_opensearch_domain" "in_vpc" {
  domain_name     = "in-vpc"
  access_policies = local.open
  vpc_options {
    subnet_ids = ["subnet-0123456789abcdef0"]
  }
}

resource "aws_opensearch_domain" "maybe_vpc" {
  domain_name     = "maybe-vpc"
  access_policies = local.open
  vpc_options {
    subnet_ids = var.subnets
  }
}

resource "aws_opensearch_domain" "fine_grained" {
  domain_name     = "fine-grained"
  access_policies = local.open
  advanced_security_options {
    enabled                        = true
    internal_user_database_enabled = true
  }
}

resource "aws_elasticsearch_domain" "legacy" {
  domain_name = "legacy"
}

resource "aws_elasticsearch_domain_policy" "legacy" {
  domain_name     = aws_elasticsearch_domain.legacy.domain_name
  access_policies = local.open
}
''')

DOMAINS_CFN = cfn('''
Public:
  Type: AWS::OpenSearchService::Domain
  Properties:
    AccessPolicies:
      Statement:
        - Effect: Allow
          Principal: {AWS: "*"}
          Action: es:*
InVpc:
  Type: AWS::Elasticsearch::Domain
  Properties:
    VPCOptions:
      SubnetIds: [subnet-0123456789abcdef0]
    AccessPolicies:
      Statement:
        - Effect: Allow
          Principal: {AWS: "*"}
          Action: es:*
FineGrained:
  Type: AWS::OpenSearchService::Domain
  Properties:
    AdvancedSecurityOptions:
      Enabled: true
    AccessPolicies:
      Statement:
        - Effect: Allow
          Principal: {AWS: "*"}
          Action: es:*
''')


def test_search_domains_outside_a_vpc_without_fine_grained_access_are_judged(write_tree):
    assert found(write_tree, CONTROL, DOMAINS_TF, DOMAINS_CFN) == {
        ("aws_opensearch_domain.public", "tf/main.tf", _line_after(DOMAINS_TF, '"public" {')),
        ("aws_elasticsearch_domain.legacy", "tf/main.tf",
         _line_after(DOMAINS_TF, 'resource "aws_elasticsearch_domain_policy"', 1)),
        ("Public", "cfn/template.yaml", line(DOMAINS_CFN, "Public:") + 3),
    }


def _line_after(text: str, needle: str, skip: int = 1) -> int:
    """The line ``skip`` lines after the one holding ``needle``: the attribute below a header."""
    return line(text, needle) + 1 + skip


UNKNOWN_TF = tf('''
variable "policy" {
  type = string
}

variable "principal" {
  type = string
}

resource "aws_kms_key" "whole" {
  policy = var.policy
}

resource "aws_kms_key" "principal" {
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { AWS = var.principal }, Action = "kms:*", Resource = "*" }]
  })
}

resource "aws_secretsmanager_secret_policy" "elsewhere" {
  secret_arn = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:other-AbCdEf"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = "*", Action = "secretsmanager:GetSecretValue", Resource = "*" }]
  })
}
''')

UNKNOWN_CFN = cfn('''
Whole:
  Type: AWS::KMS::Key
  Properties:
    KeyPolicy: !Ref Policy
Principal:
  Type: AWS::KMS::Key
  Properties:
    KeyPolicy:
      Statement:
        - Effect: Allow
          Principal: {AWS: !Ref Who}
          Action: kms:*
Elsewhere:
  Type: AWS::SecretsManager::ResourcePolicy
  Properties:
    SecretId: !Ref SecretArn
    ResourcePolicy:
      Statement:
        - Effect: Allow
          Principal: "*"
          Action: secretsmanager:GetSecretValue
''', parameters='''
Policy:
  Type: String
Who:
  Type: String
SecretArn:
  Type: String
''')


def test_unknown_documents_and_principals_give_nothing_a_policy_of_a_resource_defined_elsewhere_is_reported(
        write_tree):
    assert found(write_tree, CONTROL, UNKNOWN_TF, UNKNOWN_CFN) == {
        ("aws_secretsmanager_secret_policy.elsewhere", "tf/main.tf", line(UNKNOWN_TF, 'secret_arn = "arn') + 1),
        ("Elsewhere", "cfn/template.yaml", line(UNKNOWN_CFN, "ResourcePolicy:")),
    }
    root = write_tree({"again/main.tf": UNKNOWN_TF})
    assert messages(root / "again", CONTROL) == [
        "Anyone can act on secret arn:aws:secretsmanager:eu-west-1:111122223333:secret:other-AbCdEf (defined outside "
        "this configuration): resource policy aws_secretsmanager_secret_policy.elsewhere statement 1 allows "
        "secretsmanager:GetSecretValue to Principal \"*\" with no condition restricting the caller. Name the "
        "principals, or add a condition such as aws:PrincipalOrgID, aws:SourceAccount, aws:SourceArn or "
        "aws:SourceVpce."]


def test_a_plan_reports_the_policy_of_a_key_being_created(tmp_path):
    policy = json.dumps(statement(Action="kms:Decrypt", Resource="*"))
    resources = [
        {"address": "aws_kms_key.k", "type": "aws_kms_key", "name": "k", "values": {"description": "k"}},
        {"address": "aws_kms_key_policy.k", "type": "aws_kms_key_policy", "name": "k", "values": {"policy": policy}},
    ]
    unknown = {"aws_kms_key.k": {"id": True, "key_id": True, "arn": True},
               "aws_kms_key_policy.k": {"key_id": True, "id": True}}
    config = {"resources": [{"address": "aws_kms_key_policy.k", "mode": "managed", "type": "aws_kms_key_policy",
                             "name": "k", "expressions": {"key_id": refs("aws_kms_key.k.id", "aws_kms_key.k"),
                                                          "policy": {"constant_value": policy}}}]}
    write(tmp_path, "plan.json", plan_text(resources, config=config, unknown=unknown))
    assert {(c, r) for c, r, *_ in findings_of(tmp_path) if c == CONTROL} == {(CONTROL, "aws_kms_key.k")}


SAM = '''AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      EndpointConfiguration:
        Type: PRIVATE
      Auth:
        ResourcePolicy:
          CustomStatements:
            - Effect: Allow
              Principal: "*"
              Action: execute-api:Invoke
              Resource: execute-api:/*
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      InlineCode: "def handler(e, c): return {}"
      Events:
        Get:
          Type: Api
          Properties:
            RestApiId: !Ref Api
            Path: /
            Method: get
'''


def test_sam_resource_policy_is_read_as_translated(write_tree):
    root = write_tree({"template.yaml": SAM})
    assert {(c, r) for c, r, *_ in findings_of(root) if c == CONTROL} == {(CONTROL, "Api")}
    confined = SAM.replace("              Resource: execute-api:/*\n", "              Resource: execute-api:/*\n"
                           "              Condition:\n                StringEquals:\n"
                           "                  aws:SourceVpce: vpce-0123456789abcdef0\n")
    root = write_tree({"other/template.yaml": confined})
    assert {(c, r) for c, r, *_ in findings_of(root / "other") if c == CONTROL} == set()


def test_the_policy_of_an_openapi_body_counts_when_no_policy_is_written(write_tree):
    terraform = tf('''
    resource "aws_api_gateway_rest_api" "api" {
      name = "api"
      body = jsonencode({
        openapi = "3.0.1"
        paths   = {}
        "x-amazon-apigateway-policy" = {
          Version   = "2012-10-17"
          Statement = [{ Effect = "Allow", Principal = "*", Action = "execute-api:Invoke", Resource = "*" }]
        }
      })
    }
    ''')
    assert found(write_tree, CONTROL, terraform) == {
        ("aws_api_gateway_rest_api.api", "tf/main.tf", line(terraform, "body"))}


# --- the threat model ------------------------------------------------------------------------------

EXPOSED_TF = tf('''
resource "aws_secretsmanager_secret" "open" {
  name = "open"
}

resource "aws_secretsmanager_secret_policy" "open" {
  secret_arn = aws_secretsmanager_secret.open.arn
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = "*", Action = "secretsmanager:GetSecretValue", Resource = "*" }]
  })
}

resource "aws_secretsmanager_secret" "closed" {
  name = "closed"
}

resource "aws_efs_file_system" "shared" {
  encrypted = true
}

resource "aws_efs_file_system_policy" "shared" {
  file_system_id = aws_efs_file_system.shared.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { AWS = "*" }, Action = "elasticfilesystem:ClientMount" }]
  })
}
''')


def test_a_resource_its_policy_opens_is_reached_from_the_internet(write_tree):
    from iac_assist.analysis.engine import scan
    from iac_assist.threatmodel.build import build

    root = write_tree({"main.tf": EXPOSED_TF})
    model = build(scan([root])).to_json()
    paths = {p["target"]: p for p in model["attack_paths"]}
    assert set(paths) == {"aws_secretsmanager_secret.open", "aws_efs_file_system.shared"}
    secret = paths["aws_secretsmanager_secret.open"]
    assert secret["hops"] == ["internet", "aws_secretsmanager_secret.open"]
    assert secret["exposure"] == "internet-reachable" and secret["steps"][0]["kind"] == "public-policy"
    assert secret["steps"][0]["evidence"][0]["line"] == line(EXPOSED_TF, "secret_arn") + 1
    threats = {t["id"]: t["status"] for t in model["threats"]}
    assert threats["secret-policy-public@aws_secretsmanager_secret.open"] == "open"
    assert threats["secret-policy-public@aws_secretsmanager_secret.closed"] == "mitigated"
    assert threats["efs-policy-public@aws_efs_file_system.shared"] == "open"
    assert threats["flow-policy-access@internet->aws_secretsmanager_secret.open:443"] == "open"


def test_a_secret_policy_secrets_manager_is_asked_to_block_is_not_reported(write_tree):
    terraform = tf('''
    resource "aws_secretsmanager_secret" "s" {
      name = "s"
    }

    resource "aws_secretsmanager_secret_policy" "s" {
      secret_arn          = aws_secretsmanager_secret.s.arn
      block_public_policy = true
      policy = jsonencode({
        Version   = "2012-10-17"
        Statement = [{ Effect = "Allow", Principal = "*", Action = "secretsmanager:GetSecretValue", Resource = "*" }]
      })
    }
    ''')
    cloudformation = cfn('''
    Secret:
      Type: AWS::SecretsManager::Secret
    Policy:
      Type: AWS::SecretsManager::ResourcePolicy
      Properties:
        SecretId: !Ref Secret
        BlockPublicPolicy: true
        ResourcePolicy:
          Statement:
            - Effect: Allow
              Principal: "*"
              Action: secretsmanager:GetSecretValue
    ''')
    assert found(write_tree, CONTROL, terraform, cloudformation) == set()
    off = terraform.replace("block_public_policy = true", "block_public_policy = false")
    assert found(write_tree, CONTROL, off.replace('"s"', '"t"').replace("secret.s.", "secret.t.")) == {
        ("aws_secretsmanager_secret.t", "tf/main.tf", line(off, "  policy = jsonencode"))}
