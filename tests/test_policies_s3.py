"""S3 policies: the shipped examples give exactly these findings, and each edge-case decision the
policies document gives the same verdict in Terraform and CloudFormation."""

from __future__ import annotations

import textwrap

import pytest

from tests.policy_examples import cfn, example_tests, found, tf

EXPECTED = {
    "s3-public-read": {
        "terraform": {("aws_s3_bucket.downloads", 18)},
        "cloudformation": {("DownloadsBucket", 13)},
    },
    "s3-public-write": {
        "terraform": {("aws_s3_bucket.artifacts", 10)},
        "cloudformation": {("ArtifactsBucket", 13)},
    },
    "s3-public-access-block-missing": {
        "terraform": {("aws_s3_bucket.reports", 3)},
        "cloudformation": {("ReportsBucket", 6)},
    },
    "s3-insecure-transport": {
        "terraform": {("aws_s3_bucket.exports", 10)},
        "cloudformation": {("ExportsBucket", 15)},
    },
    "s3-access-logging-missing": {
        "terraform": {("aws_s3_bucket.uploads", 3)},
        "cloudformation": {("UploadsBucket", 6)},
    },
    "s3-versioning-missing": {
        "terraform": {("aws_s3_bucket.documents", 11)},
        "cloudformation": {("DocumentsBucket", 11)},
    },
    "s3-kms-encryption-missing": {
        "terraform": {("aws_s3_bucket.payroll", 12)},
        "cloudformation": {("PayrollBucket", 13)},
    },
}


test_insecure_example_gives_exactly_these_findings, test_fixed_example_gives_none = example_tests(EXPECTED)


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
