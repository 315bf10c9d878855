"""S3 policies: each edge-case decision the policies document gives the same verdict in Terraform
and CloudFormation; the shipped examples are checked against their snapshots by
test_policies_examples.py."""

from __future__ import annotations

import textwrap

import pytest

from tests.policy_examples import cfn, found, messages, tf

# --- helpers ---------------------------------------------------------------------------------------


def _tf_policy(statement: str) -> str:
    return tf(f'''
        resource "aws_s3_bucket" "data" {{
          bucket = "data"
        }}

        resource "aws_s3_bucket_policy" "data" {{
          bucket = aws_s3_bucket.data.id
          policy = jsonencode({{
            Version   = "2012-10-17"
            Statement = [{statement}]
          }})
        }}
        ''')


def _cfn_policy(statement: str, parameters: str = "") -> str:
    return cfn(f'''
        Data:
          Type: AWS::S3::Bucket
          Properties:
            BucketName: data
        DataPolicy:
          Type: AWS::S3::BucketPolicy
          Properties:
            Bucket: !Ref Data
            PolicyDocument:
              Version: "2012-10-17"
              Statement: [{statement}]
        ''', parameters)


# --- s3-insecure-transport ---------------------------------------------------------------------------

TLS_CASES = {
    # name: (Terraform statement (HCL), CloudFormation statement (YAML flow), reported)
    "deny-securetransport-false": (
        '{ Effect = "Deny", Principal = "*", Action = "s3:*", Resource = "*",'
        ' Condition = { Bool = { "aws:SecureTransport" = "false" } } }',
        '{Effect: Deny, Principal: "*", Action: "s3:*", Resource: "*",'
        ' Condition: {Bool: {"aws:SecureTransport": "false"}}}',
        False),
    "boolifexists-boolean-false-aws-star": (
        '{ Effect = "Deny", Principal = { AWS = "*" }, Action = ["s3:*"], Resource = "*",'
        ' Condition = { BoolIfExists = { "aws:SecureTransport" = false } } }',
        '{Effect: Deny, Principal: {AWS: "*"}, Action: ["s3:*"], Resource: "*",'
        ' Condition: {BoolIfExists: {"aws:SecureTransport": false}}}',
        False),
    "notaction-leaves-objects-in": (
        '{ Effect = "Deny", Principal = "*", NotAction = "s3:ListBucket", Resource = "*",'
        ' Condition = { Bool = { "aws:SecureTransport" = "false" } } }',
        '{Effect: Deny, Principal: "*", NotAction: "s3:ListBucket", Resource: "*",'
        ' Condition: {Bool: {"aws:SecureTransport": "false"}}}',
        False),
    "notprincipal-deny-counts": (
        '{ Effect = "Deny", NotPrincipal = { AWS = "arn:aws:iam::123456789012:root" }, Action = "s3:*",'
        ' Resource = "*", Condition = { Bool = { "aws:SecureTransport" = "false" } } }',
        '{Effect: Deny, NotPrincipal: {AWS: "arn:aws:iam::123456789012:root"}, Action: "s3:*",'
        ' Resource: "*", Condition: {Bool: {"aws:SecureTransport": "false"}}}',
        False),
    "tls-version-deny-only": (
        '{ Effect = "Deny", Principal = "*", Action = "s3:*", Resource = "*",'
        ' Condition = { NumericLessThan = { "s3:TlsVersion" = "1.2" } } }',
        '{Effect: Deny, Principal: "*", Action: "s3:*", Resource: "*",'
        ' Condition: {NumericLessThan: {"s3:TlsVersion": "1.2"}}}',
        True),
    "deny-covers-reads-only": (
        '{ Effect = "Deny", Principal = "*", Action = "s3:GetObject", Resource = "*",'
        ' Condition = { Bool = { "aws:SecureTransport" = "false" } } }',
        '{Effect: Deny, Principal: "*", Action: "s3:GetObject", Resource: "*",'
        ' Condition: {Bool: {"aws:SecureTransport": "false"}}}',
        True),
    "deny-for-one-account-only": (
        '{ Effect = "Deny", Principal = { AWS = "arn:aws:iam::123456789012:root" }, Action = "s3:*",'
        ' Resource = "*", Condition = { Bool = { "aws:SecureTransport" = "false" } } }',
        '{Effect: Deny, Principal: {AWS: "arn:aws:iam::123456789012:root"}, Action: "s3:*",'
        ' Resource: "*", Condition: {Bool: {"aws:SecureTransport": "false"}}}',
        True),
    "allow-on-securetransport-true-is-not-a-deny": (
        '{ Effect = "Allow", Principal = { AWS = "arn:aws:iam::123456789012:root" }, Action = "s3:*",'
        ' Resource = "*", Condition = { Bool = { "aws:SecureTransport" = "true" } } }',
        '{Effect: Allow, Principal: {AWS: "arn:aws:iam::123456789012:root"}, Action: "s3:*",'
        ' Resource: "*", Condition: {Bool: {"aws:SecureTransport": "true"}}}',
        True),
    "unknown-effect-may-deny": (
        '{ Effect = var.effect, Principal = "*", Action = "s3:*", Resource = "*",'
        ' Condition = { Bool = { "aws:SecureTransport" = "false" } } }',
        '{Effect: !Ref Effect, Principal: "*", Action: "s3:*", Resource: "*",'
        ' Condition: {Bool: {"aws:SecureTransport": "false"}}}',
        False),
}


@pytest.mark.parametrize("name", sorted(TLS_CASES))
def test_insecure_transport_statement_shapes(write_tree, name):
    tf_statement, cfn_statement, reported = TLS_CASES[name]
    terraform = 'variable "effect" { type = string }\n' + _tf_policy(tf_statement)
    cloudformation = _cfn_policy(cfn_statement, parameters="Effect:\n  Type: String\n")
    expected = {("aws_s3_bucket.data", "tf/main.tf", 8), ("Data", "cfn/template.yaml", 14)} if reported else set()
    assert found(write_tree, "s3-insecure-transport", terraform, cloudformation) == expected


def test_insecure_transport_without_policy_points_at_the_bucket(write_tree):
    terraform = tf('''
        resource "aws_s3_bucket" "data" {
          bucket = "data"
        }
        ''')
    cloudformation = cfn('''
        Data:
          Type: AWS::S3::Bucket
        ''')
    assert found(write_tree, "s3-insecure-transport", terraform, cloudformation) == {
        ("aws_s3_bucket.data", "tf/main.tf", 1), ("Data", "cfn/template.yaml", 3)}


def test_insecure_transport_unknown_policy_is_not_reported(write_tree):
    terraform = tf('''
        variable "policy" { type = string }
        resource "aws_s3_bucket_policy" "data" {
          bucket = aws_s3_bucket.data.id
          policy = var.policy
        }
        resource "aws_s3_bucket" "data" {
          bucket = "data"
        }
        ''')
    cloudformation = cfn('''
        Data:
          Type: AWS::S3::Bucket
        DataPolicy:
          Type: AWS::S3::BucketPolicy
          Properties:
            Bucket: !Ref Data
            PolicyDocument: !Ref Policy
        ''', parameters="Policy:\n  Type: String\n")
    assert found(write_tree, "s3-insecure-transport", terraform, cloudformation) == set()


def test_insecure_transport_v3_inline_policy(write_tree):
    terraform = tf('''
        resource "aws_s3_bucket" "data" {
          bucket = "data"
          policy = jsonencode({
            Version   = "2012-10-17"
            Statement = [{ Effect = "Deny", Principal = "*", Action = "s3:*", Resource = "*",
                           Condition = { Bool = { "aws:SecureTransport" = "false" } } }]
          })
        }
        resource "aws_s3_bucket" "other" {
          bucket = "other"
          policy = jsonencode({
            Version   = "2012-10-17"
            Statement = [{ Effect = "Allow", Principal = { AWS = "arn:aws:iam::123456789012:root" },
                           Action = "s3:GetObject", Resource = "*" }]
          })
        }
        ''')
    assert found(write_tree, "s3-insecure-transport", terraform) == {("aws_s3_bucket.other", "tf/main.tf", 11)}


def test_insecure_transport_policy_from_an_iam_policy_document(write_tree):
    terraform = tf('''
        resource "aws_s3_bucket" "data" {
          bucket = "data"
        }
        data "aws_iam_policy_document" "tls_only" {
          statement {
            effect    = "Deny"
            actions   = ["s3:*"]
            resources = [aws_s3_bucket.data.arn, "${aws_s3_bucket.data.arn}/*"]
            principals {
              type        = "*"
              identifiers = ["*"]
            }
            condition {
              test     = "Bool"
              variable = "aws:SecureTransport"
              values   = ["false"]
            }
          }
        }
        resource "aws_s3_bucket_policy" "data" {
          bucket = aws_s3_bucket.data.id
          policy = data.aws_iam_policy_document.tls_only.json
        }
        ''')
    assert found(write_tree, "s3-insecure-transport", terraform) == set()


# --- s3-access-logging-missing -----------------------------------------------------------------------

SERVER_LOGS_TF = '''
resource "aws_s3_bucket" "app" {
  bucket = "app"
  server_side_encryption_configuration {
    rule {
      apply_server_side_encryption_by_default {
        sse_algorithm = "aws:kms"
      }
    }
  }
}
resource "aws_s3_bucket" "logs" {
  bucket = "app-logs"
}
resource "aws_s3_bucket_logging" "app" {
  bucket        = aws_s3_bucket.app.id
  target_bucket = aws_s3_bucket.logs.id
}
resource "aws_s3_bucket" "lonely" {
  bucket = "lonely"
}
'''
SERVER_LOGS_CFN = '''
App:
  Type: AWS::S3::Bucket
  Properties:
    BucketEncryption:
      ServerSideEncryptionConfiguration:
        - ServerSideEncryptionByDefault:
            SSEAlgorithm: aws:kms
    LoggingConfiguration:
      DestinationBucketName: !Ref Logs
Logs:
  Type: AWS::S3::Bucket
Lonely:
  Type: AWS::S3::Bucket
'''


def test_access_logging_v4_satellite_and_target_exemption(write_tree):
    terraform, cloudformation = tf(SERVER_LOGS_TF), cfn(SERVER_LOGS_CFN)
    assert found(write_tree, "s3-access-logging-missing", terraform, cloudformation) == {
        ("aws_s3_bucket.lonely", "tf/main.tf", 18), ("Lonely", "cfn/template.yaml", 14)}


def test_access_logging_v3_inline_block_and_literal_target_name(write_tree):
    terraform = tf('''
        resource "aws_s3_bucket" "app" {
          bucket = "app"
          logging {
            target_bucket = "app-logs"
          }
        }
        resource "aws_s3_bucket" "logs" {
          bucket = "app-logs"
        }
        ''')
    cloudformation = cfn('''
        App:
          Type: AWS::S3::Bucket
          Properties:
            LoggingConfiguration:
              DestinationBucketName: app-logs
        Logs:
          Type: AWS::S3::Bucket
          Properties:
            BucketName: app-logs
        ''')
    assert found(write_tree, "s3-access-logging-missing", terraform, cloudformation) == set()


def test_access_logging_without_destination_logs_into_itself(write_tree):
    cloudformation = cfn('''
        App:
          Type: AWS::S3::Bucket
          Properties:
            LoggingConfiguration: {}
        ''')
    assert found(write_tree, "s3-access-logging-missing", cloudformation=cloudformation) == set()


def test_access_logging_unknown_target_counts_but_exempts_nobody(write_tree):
    terraform = tf('''
        variable "log_bucket" { type = string }
        resource "aws_s3_bucket" "app" {
          bucket = "app"
        }
        resource "aws_s3_bucket_logging" "app" {
          bucket        = aws_s3_bucket.app.id
          target_bucket = var.log_bucket
        }
        resource "aws_s3_bucket" "maybe_logs" {
          bucket = "maybe-logs"
        }
        ''')
    cloudformation = cfn('''
        App:
          Type: AWS::S3::Bucket
          Properties:
            LoggingConfiguration:
              DestinationBucketName: !Ref LogBucket
        MaybeLogs:
          Type: AWS::S3::Bucket
        ''', parameters="LogBucket:\n  Type: String\n")
    assert found(write_tree, "s3-access-logging-missing", terraform, cloudformation) == {
        ("aws_s3_bucket.maybe_logs", "tf/main.tf", 9), ("MaybeLogs", "cfn/template.yaml", 11)}


CLOUDFRONT_LOGGING_TF = '''
resource "aws_s3_bucket" "cdn_logs" {
  bucket = "cdn-logs"
}
resource "aws_s3_bucket" "named_logs" {
  bucket = "named-logs"
}
resource "aws_cloudfront_distribution" "a" {
  logging_config {
    bucket = aws_s3_bucket.cdn_logs.bucket_domain_name
  }
}
resource "aws_cloudfront_distribution" "b" {
  logging_config {
    bucket = "named-logs.s3.amazonaws.com"
  }
}
'''
CLOUDFRONT_LOGGING_CFN = '''
CdnLogs:
  Type: AWS::S3::Bucket
NamedLogs:
  Type: AWS::S3::Bucket
  Properties:
    BucketName: named-logs
A:
  Type: AWS::CloudFront::Distribution
  Properties:
    DistributionConfig:
      Logging:
        Bucket: !GetAtt CdnLogs.DomainName
B:
  Type: AWS::CloudFront::Distribution
  Properties:
    DistributionConfig:
      Logging:
        Bucket: named-logs.s3.amazonaws.com
'''


def test_cloudfront_log_buckets_need_no_access_logging_but_still_kms(write_tree):
    terraform, cloudformation = tf(CLOUDFRONT_LOGGING_TF), cfn(CLOUDFRONT_LOGGING_CFN)
    assert found(write_tree, "s3-access-logging-missing", terraform, cloudformation) == set()
    # CloudFront standard logs support SSE-KMS: their buckets are not exempt from the KMS control.
    assert found(write_tree, "s3-kms-encryption-missing", terraform, cloudformation) == {
        ("aws_s3_bucket.cdn_logs", "tf/main.tf", 1), ("aws_s3_bucket.named_logs", "tf/main.tf", 4),
        ("CdnLogs", "cfn/template.yaml", 3), ("NamedLogs", "cfn/template.yaml", 5)}


LB_LOGS_TF = '''
resource "aws_s3_bucket" "alb_logs" {
  bucket = "alb-logs"
}
resource "aws_s3_bucket" "nlb_logs" {
  bucket = "nlb-logs"
}
resource "aws_lb" "alb" {
  load_balancer_type = "application"
  subnets            = ["subnet-1", "subnet-2"]
  access_logs {
    bucket  = aws_s3_bucket.alb_logs.id
    enabled = true
  }
}
resource "aws_lb" "nlb" {
  load_balancer_type = "network"
  subnets            = ["subnet-1", "subnet-2"]
  access_logs {
    bucket  = aws_s3_bucket.nlb_logs.id
    enabled = true
  }
}
'''
LB_LOGS_CFN = '''
AlbLogs:
  Type: AWS::S3::Bucket
NlbLogs:
  Type: AWS::S3::Bucket
Alb:
  Type: AWS::ElasticLoadBalancingV2::LoadBalancer
  Properties:
    Type: application
    Subnets: [subnet-1, subnet-2]
    LoadBalancerAttributes:
      - Key: access_logs.s3.enabled
        Value: "true"
      - Key: access_logs.s3.bucket
        Value: !Ref AlbLogs
Nlb:
  Type: AWS::ElasticLoadBalancingV2::LoadBalancer
  Properties:
    Type: network
    Subnets: [subnet-1, subnet-2]
    LoadBalancerAttributes:
      - Key: access_logs.s3.enabled
        Value: "true"
      - Key: access_logs.s3.bucket
        Value: !Ref NlbLogs
'''


def test_load_balancer_log_buckets(write_tree):
    """ALB logs only support SSE-S3 (exempt from KMS), NLB logs support SSE-KMS (not exempt); both
    buckets need no access logging of their own."""
    terraform, cloudformation = tf(LB_LOGS_TF), cfn(LB_LOGS_CFN)
    assert found(write_tree, "s3-access-logging-missing", terraform, cloudformation) == set()
    assert found(write_tree, "s3-kms-encryption-missing", terraform, cloudformation) == {
        ("aws_s3_bucket.nlb_logs", "tf/main.tf", 4), ("NlbLogs", "cfn/template.yaml", 5)}


# --- s3-versioning-missing ---------------------------------------------------------------------------

VERSIONING_CASES = {
    # name: (Terraform bucket body, CloudFormation properties, line reported in Terraform and in
    # CloudFormation, or None)
    "absent": ("", "{}", (1, 6)),
    "v3-enabled": ("versioning {\n  enabled = true\n}\n", "{VersioningConfiguration: {Status: Enabled}}", None),
    "v3-disabled": ("versioning {\n  enabled = false\n}\n", "{VersioningConfiguration: {Status: Suspended}}",
                    (4, 9)),
    "unknown": ("versioning {\n  enabled = var.on\n}\n", "{VersioningConfiguration: {Status: !Ref Status}}",
                None),
}


@pytest.mark.parametrize("name", sorted(VERSIONING_CASES))
def test_versioning_inline(write_tree, name):
    body, properties, lines = VERSIONING_CASES[name]
    terraform = ('resource "aws_s3_bucket" "data" {\n  bucket = "data"\n' + textwrap.indent(body, "  ") + "}\n"
                 + 'variable "on" { type = bool }\n')
    cloudformation = cfn(f'''
        Data:
          Type: AWS::S3::Bucket
          Properties:
            {properties}
        ''', parameters="Status:\n  Type: String\n")
    expected = {("aws_s3_bucket.data", "tf/main.tf", lines[0]),
                ("Data", "cfn/template.yaml", lines[1])} if lines else set()
    assert found(write_tree, "s3-versioning-missing", terraform, cloudformation) == expected


@pytest.mark.parametrize(("status", "reported"), [("Enabled", False), ("Suspended", True), ("Disabled", True)])
def test_versioning_v4_satellite(write_tree, status, reported):
    terraform = tf(f'''
        resource "aws_s3_bucket" "data" {{
          bucket = "data"
        }}
        resource "aws_s3_bucket_versioning" "data" {{
          bucket = aws_s3_bucket.data.id
          versioning_configuration {{
            status = "{status}"
          }}
        }}
        ''')
    assert found(write_tree, "s3-versioning-missing", terraform) == (
        {("aws_s3_bucket.data", "tf/main.tf", 7)} if reported else set())


# --- s3-kms-encryption-missing -----------------------------------------------------------------------

KMS_CASES = {
    # name: (algorithm or None for no encryption configuration, reported)
    "absent": (None, True),
    "sse-s3": ("AES256", True),
    "kms-aws-managed-key": ("aws:kms", False),
    "dsse-kms": ("aws:kms:dsse", False),
}


@pytest.mark.parametrize("name", sorted(KMS_CASES))
def test_kms_encryption_v4_satellite_and_cloudformation(write_tree, name):
    algorithm, reported = KMS_CASES[name]
    terraform = 'resource "aws_s3_bucket" "data" {\n  bucket = "data"\n}\n'
    properties = "{}"
    if algorithm:
        terraform += tf(f'''
            resource "aws_s3_bucket_server_side_encryption_configuration" "data" {{
              bucket = aws_s3_bucket.data.id
              rule {{
                apply_server_side_encryption_by_default {{
                  sse_algorithm = "{algorithm}"
                }}
              }}
            }}
            ''')
        properties = ("{BucketEncryption: {ServerSideEncryptionConfiguration: "
                      f"[{{ServerSideEncryptionByDefault: {{SSEAlgorithm: '{algorithm}'}}}}]}}}}")
    cloudformation = cfn(f'''
        Data:
          Type: AWS::S3::Bucket
          Properties: {properties}
        ''')
    expected = set()
    if reported:
        expected = {("aws_s3_bucket.data", "tf/main.tf", 8 if algorithm else 1),
                    ("Data", "cfn/template.yaml", 5 if algorithm else 3)}
    assert found(write_tree, "s3-kms-encryption-missing", terraform, cloudformation) == expected


def test_kms_encryption_v3_inline_and_unknown(write_tree):
    terraform = tf('''
        variable "algorithm" { type = string }
        resource "aws_s3_bucket" "inline" {
          bucket = "inline"
          server_side_encryption_configuration {
            rule {
              apply_server_side_encryption_by_default {
                sse_algorithm = "AES256"
              }
            }
          }
        }
        resource "aws_s3_bucket" "kms" {
          bucket = "kms"
          server_side_encryption_configuration {
            rule {
              apply_server_side_encryption_by_default {
                sse_algorithm     = "aws:kms"
                kms_master_key_id = "alias/data"
              }
            }
          }
        }
        resource "aws_s3_bucket" "unknown" {
          bucket = "unknown"
          server_side_encryption_configuration {
            rule {
              apply_server_side_encryption_by_default {
                sse_algorithm = var.algorithm
              }
            }
          }
        }
        ''')
    cloudformation = cfn('''
        Unknown:
          Type: AWS::S3::Bucket
          Properties:
            BucketEncryption:
              ServerSideEncryptionConfiguration:
                - ServerSideEncryptionByDefault:
                    SSEAlgorithm: !Ref Algorithm
        ''', parameters="Algorithm:\n  Type: String\n")
    assert found(write_tree, "s3-kms-encryption-missing", terraform, cloudformation) == {
        ("aws_s3_bucket.inline", "tf/main.tf", 7)}


def test_kms_exemption_for_server_access_log_targets(write_tree):
    """Server access logs only support SSE-S3: their target bucket is exempt; another bucket is not."""
    terraform, cloudformation = tf(SERVER_LOGS_TF), cfn(SERVER_LOGS_CFN)
    assert found(write_tree, "s3-kms-encryption-missing", terraform, cloudformation) == {
        ("aws_s3_bucket.lonely", "tf/main.tf", 18), ("Lonely", "cfn/template.yaml", 14)}


# --- a bucket policy for a bucket defined elsewhere ------------------------------------------------

PUBLIC_POLICY = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", ' \
    '"Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::existing-bucket/*"}]}'


def test_public_policy_on_a_bucket_not_defined_here_is_reported_on_the_policy(write_tree):
    terraform = tf(f'''
        variable "name" {{ type = string }}
        data "aws_s3_bucket" "shared" {{
          bucket = "shared-bucket"
        }}
        resource "aws_s3_bucket_policy" "by_variable" {{
          bucket = var.name
          policy = jsonencode({PUBLIC_POLICY})
        }}
        resource "aws_s3_bucket_policy" "by_name" {{
          bucket = "existing-bucket"
          policy = jsonencode({PUBLIC_POLICY})
        }}
        resource "aws_s3_bucket_policy" "by_data_source" {{
          bucket = data.aws_s3_bucket.shared.id
          policy = jsonencode({PUBLIC_POLICY})
        }}
        ''')
    cloudformation = cfn(f'''
        Literal:
          Type: AWS::S3::BucketPolicy
          Properties:
            Bucket: Bucket
            PolicyDocument: {PUBLIC_POLICY}
        ByParameter:
          Type: AWS::S3::BucketPolicy
          Properties:
            Bucket: !Ref ExistingName
            PolicyDocument: {PUBLIC_POLICY}
        ''', parameters="ExistingName:\n  Type: String\n")
    expected = {
        ("aws_s3_bucket_policy.by_variable", "tf/main.tf", 7),
        ("aws_s3_bucket_policy.by_name", "tf/main.tf", 11),
        ("aws_s3_bucket_policy.by_data_source", "tf/main.tf", 15),
        ("Literal", "cfn/template.yaml", 10),
        ("ByParameter", "cfn/template.yaml", 15),
    }
    assert found(write_tree, "s3-public-read", terraform, cloudformation) == expected
    assert found(write_tree, "s3-public-write", terraform, cloudformation) == expected
    # Only public access: the hygiene controls are the bucket's, judged where it is defined.
    assert found(write_tree, "s3-insecure-transport", terraform, cloudformation) == set()


def test_policy_on_a_bucket_not_defined_here_names_it_and_respects_the_account_block(write_tree):
    terraform = tf(f'''
        resource "aws_s3_bucket_policy" "p" {{
          bucket = "existing-bucket"
          policy = jsonencode({PUBLIC_POLICY})
        }}
        ''')
    root = write_tree({"main.tf": terraform})
    [message] = messages(root, "s3-public-read")
    assert "bucket existing-bucket (defined outside this configuration)" in message
    assert "bucket policy aws_s3_bucket_policy.p statement 1 allows" in message
    shielded = terraform + tf('''
        resource "aws_s3_account_public_access_block" "all" {
          block_public_acls       = true
          block_public_policy     = true
          ignore_public_acls      = true
          restrict_public_buckets = true
        }
        ''')
    assert found(write_tree, "s3-public-read", shielded) == set()


def test_restricted_policy_on_a_bucket_not_defined_here_is_not_reported(write_tree):
    cloudformation = cfn('''
        Policy:
          Type: AWS::S3::BucketPolicy
          Properties:
            Bucket: existing-bucket
            PolicyDocument:
              Statement:
                - Effect: Allow
                  Principal: "*"
                  Action: s3:GetObject
                  Resource: arn:aws:s3:::existing-bucket/*
                  Condition:
                    StringEquals:
                      aws:SourceVpce: vpce-1234
        ''')
    assert found(write_tree, "s3-public-read", cloudformation=cloudformation) == set()


# --- log buckets, recognised by what delivers to them or by their own settings --------------------


def test_vpc_flow_log_buckets_need_no_access_logging_but_still_kms(write_tree):
    terraform = tf('''
        resource "aws_vpc" "main" {
          cidr_block = "10.0.0.0/16"
        }
        resource "aws_s3_bucket" "flow" {
          bucket = "flow-logs"
        }
        resource "aws_s3_bucket" "named" {
          bucket = "named-flow-logs"
        }
        resource "aws_flow_log" "by_reference" {
          vpc_id               = aws_vpc.main.id
          traffic_type         = "ALL"
          log_destination_type = "s3"
          log_destination      = aws_s3_bucket.flow.arn
        }
        resource "aws_flow_log" "by_arn" {
          vpc_id               = aws_vpc.main.id
          traffic_type         = "ALL"
          log_destination_type = "s3"
          log_destination      = "arn:aws:s3:::named-flow-logs/vpc/"
        }
        ''')
    cloudformation = cfn('''
        Vpc:
          Type: AWS::EC2::VPC
          Properties:
            CidrBlock: 10.0.0.0/16
        Flow:
          Type: AWS::S3::Bucket
        FlowLog:
          Type: AWS::EC2::FlowLog
          Properties:
            ResourceId: !Ref Vpc
            ResourceType: VPC
            TrafficType: ALL
            LogDestinationType: s3
            LogDestination: !GetAtt Flow.Arn
        ''')
    assert found(write_tree, "s3-access-logging-missing", terraform, cloudformation) == set()
    # Flow logs support SSE-KMS: their buckets are not exempt from the KMS control.
    assert found(write_tree, "s3-kms-encryption-missing", terraform, cloudformation) == {
        ("aws_s3_bucket.flow", "tf/main.tf", 4), ("aws_s3_bucket.named", "tf/main.tf", 7),
        ("Flow", "cfn/template.yaml", 7)}


def test_cloudwatch_flow_logs_exempt_no_bucket(write_tree):
    terraform = tf('''
        resource "aws_s3_bucket" "b" {
          bucket = "b"
        }
        resource "aws_flow_log" "cw" {
          vpc_id          = "vpc-1"
          traffic_type    = "ALL"
          log_destination = aws_s3_bucket.b.arn
        }
        ''')
    assert found(write_tree, "s3-access-logging-missing", terraform) == {("aws_s3_bucket.b", "tf/main.tf", 1)}


def _log_policy(principal: str) -> str:
    return ('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": ' + principal +
            ', "Action": "s3:PutObject", "Resource": "arn:aws:s3:::logs/*"}]}')


def test_log_delivery_acl_grant_and_policies_exempt_buckets(write_tree):
    terraform = tf(f'''
        data "aws_elb_service_account" "main" {{}}
        resource "aws_s3_bucket" "acl" {{
          bucket = "acl-logs"
        }}
        resource "aws_s3_bucket_acl" "acl" {{
          bucket = aws_s3_bucket.acl.id
          acl    = "log-delivery-write"
        }}
        resource "aws_s3_bucket" "grant" {{
          bucket = "grant-logs"
          grant {{
            type        = "Group"
            uri         = "http://acs.amazonaws.com/groups/s3/LogDelivery"
            permissions = ["WRITE", "READ_ACP"]
          }}
        }}
        resource "aws_s3_bucket" "s3_service" {{
          bucket = "s3-logs"
          policy = jsonencode({_log_policy('{"Service": "logging.s3.amazonaws.com"}')})
        }}
        resource "aws_s3_bucket" "elb_account" {{
          bucket = "elb-logs"
          policy = jsonencode({_log_policy('{"AWS": "arn:aws:iam::156460612806:root"}')})
        }}
        resource "aws_s3_bucket" "elb_data" {{
          bucket = "elb-data-logs"
        }}
        data "aws_iam_policy_document" "elb" {{
          statement {{
            actions   = ["s3:PutObject"]
            resources = ["arn:aws:s3:::elb-data-logs/*"]
            principals {{
              type        = "AWS"
              identifiers = [data.aws_elb_service_account.main.arn]
            }}
          }}
        }}
        resource "aws_s3_bucket_policy" "elb_data" {{
          bucket = aws_s3_bucket.elb_data.id
          policy = data.aws_iam_policy_document.elb.json
        }}
        resource "aws_s3_bucket" "vended" {{
          bucket = "vended-logs"
          policy = jsonencode({_log_policy('{"Service": ["delivery.logs.amazonaws.com"]}')})
        }}
        resource "aws_s3_bucket" "trail" {{
          bucket = "trail-logs"
          policy = jsonencode({_log_policy('{"Service": "cloudtrail.amazonaws.com"}')})
        }}
        ''')
    cloudformation = cfn(f'''
        Acl:
          Type: AWS::S3::Bucket
          Properties:
            AccessControl: LogDeliveryWrite
        S3Service:
          Type: AWS::S3::Bucket
        S3ServicePolicy:
          Type: AWS::S3::BucketPolicy
          Properties:
            Bucket: !Ref S3Service
            PolicyDocument: {_log_policy('{"Service": "logging.s3.amazonaws.com"}')}
        Elb:
          Type: AWS::S3::Bucket
        ElbPolicy:
          Type: AWS::S3::BucketPolicy
          Properties:
            Bucket: !Ref Elb
            PolicyDocument: {_log_policy('{"Service": "logdelivery.elasticloadbalancing.amazonaws.com"}')}
        Vended:
          Type: AWS::S3::Bucket
        VendedPolicy:
          Type: AWS::S3::BucketPolicy
          Properties:
            Bucket: !Ref Vended
            PolicyDocument: {_log_policy('{"Service": "delivery.logs.amazonaws.com"}')}
        Trail:
          Type: AWS::S3::Bucket
        TrailPolicy:
          Type: AWS::S3::BucketPolicy
          Properties:
            Bucket: !Ref Trail
            PolicyDocument: {_log_policy('{"Service": "cloudtrail.amazonaws.com"}')}
        ''')
    # CloudTrail buckets are not exempt from access logging; every other one is.
    assert found(write_tree, "s3-access-logging-missing", terraform, cloudformation) == {
        ("aws_s3_bucket.trail", "tf/main.tf", 46), ("Trail", "cfn/template.yaml", 28)}
    # Only the SSE-S3-only deliveries (S3 server access logs, ALB/classic ELB logs) exempt from KMS.
    assert found(write_tree, "s3-kms-encryption-missing", terraform, cloudformation) == {
        ("aws_s3_bucket.vended", "tf/main.tf", 42), ("aws_s3_bucket.trail", "tf/main.tf", 46),
        ("Vended", "cfn/template.yaml", 21), ("Trail", "cfn/template.yaml", 28)}
