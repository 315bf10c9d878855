"""CloudFront policies: each edge-case decision the policies document gives the same verdict in
Terraform and CloudFormation; the shipped examples are checked against their snapshots by
test_policies_examples.py."""

from __future__ import annotations

import pytest

from tests.policy_examples import cfn, found, tf

# --- cdn-viewer-plaintext ----------------------------------------------------------------------------


def test_every_behavior_counts_and_unknown_policies_do_not(write_tree):
    terraform = tf('''
        variable "policy" { type = string }
        resource "aws_cloudfront_distribution" "d" {
          default_cache_behavior {
            target_origin_id       = "app"
            viewer_protocol_policy = "redirect-to-https"
          }
          ordered_cache_behavior {
            path_pattern           = "/legacy/*"
            target_origin_id       = "app"
            viewer_protocol_policy = "allow-all"
          }
          ordered_cache_behavior {
            path_pattern           = "/api/*"
            target_origin_id       = "app"
            viewer_protocol_policy = var.policy
          }
          ordered_cache_behavior {
            path_pattern           = "/static/*"
            target_origin_id       = "app"
            viewer_protocol_policy = "https-only"
          }
        }
        ''')
    cloudformation = cfn('''
        D:
          Type: AWS::CloudFront::Distribution
          Properties:
            DistributionConfig:
              DefaultCacheBehavior:
                TargetOriginId: app
                ViewerProtocolPolicy: redirect-to-https
              CacheBehaviors:
                - PathPattern: /legacy/*
                  TargetOriginId: app
                  ViewerProtocolPolicy: allow-all
                - PathPattern: /api/*
                  TargetOriginId: app
                  ViewerProtocolPolicy: !Ref Policy
                - PathPattern: /static/*
                  TargetOriginId: app
                  ViewerProtocolPolicy: https-only
        ''', parameters="Policy:\n  Type: String\n")
    assert found(write_tree, "cdn-viewer-plaintext", terraform, cloudformation) == {
        ("aws_cloudfront_distribution.d", "tf/main.tf", 10), ("D", "cfn/template.yaml", 16)}


# --- cdn-origin-plaintext ----------------------------------------------------------------------------

ORIGINS_TF = '''
resource "aws_cloudfront_distribution" "d" {
  origin {
    origin_id   = "match"
    domain_name = "match.example.com"
    custom_origin_config {
      http_port              = 80
      https_port             = 443
      origin_protocol_policy = "match-viewer"
      origin_ssl_protocols   = ["TLSv1.2"]
    }
  }
  origin {
    origin_id   = "grouped"
    domain_name = "grouped.example.com"
    custom_origin_config {
      http_port              = 80
      https_port             = 443
      origin_protocol_policy = "match-viewer"
      origin_ssl_protocols   = ["TLSv1.2"]
    }
  }
  origin {
    origin_id   = "safe"
    domain_name = "safe.example.com"
    custom_origin_config {
      http_port              = 80
      https_port             = 443
      origin_protocol_policy = "match-viewer"
      origin_ssl_protocols   = ["TLSv1.2"]
    }
  }
  origin {
    origin_id   = "site"
    domain_name = "site-bucket.s3-website-eu-west-1.amazonaws.com"
    custom_origin_config {
      http_port              = 80
      https_port             = 443
      origin_protocol_policy = "http-only"
      origin_ssl_protocols   = ["TLSv1.2"]
    }
  }
  origin_group {
    origin_id = "failover"
    failover_criteria {
      status_codes = [500, 502]
    }
    member {
      origin_id = "grouped"
    }
    member {
      origin_id = "safe"
    }
  }
  default_cache_behavior {
    target_origin_id       = "safe"
    viewer_protocol_policy = "redirect-to-https"
  }
  ordered_cache_behavior {
    path_pattern           = "/m/*"
    target_origin_id       = "match"
    viewer_protocol_policy = "allow-all"
  }
  ordered_cache_behavior {
    path_pattern           = "/g/*"
    target_origin_id       = "failover"
    viewer_protocol_policy = "allow-all"
  }
  ordered_cache_behavior {
    path_pattern           = "/s/*"
    target_origin_id       = "site"
    viewer_protocol_policy = "redirect-to-https"
  }
}
'''
ORIGINS_CFN = '''
D:
  Type: AWS::CloudFront::Distribution
  Properties:
    DistributionConfig:
      Origins:
        - Id: match
          DomainName: match.example.com
          CustomOriginConfig:
            OriginProtocolPolicy: match-viewer
        - Id: grouped
          DomainName: grouped.example.com
          CustomOriginConfig:
            OriginProtocolPolicy: match-viewer
        - Id: safe
          DomainName: safe.example.com
          CustomOriginConfig:
            OriginProtocolPolicy: match-viewer
        - Id: site
          DomainName: site-bucket.s3-website-eu-west-1.amazonaws.com
          CustomOriginConfig:
            OriginProtocolPolicy: http-only
      OriginGroups:
        Quantity: 1
        Items:
          - Id: failover
            FailoverCriteria:
              StatusCodes:
                Quantity: 2
                Items: [500, 502]
            Members:
              Quantity: 2
              Items:
                - OriginId: grouped
                - OriginId: safe
      DefaultCacheBehavior:
        TargetOriginId: safe
        ViewerProtocolPolicy: redirect-to-https
      CacheBehaviors:
        - PathPattern: /m/*
          TargetOriginId: match
          ViewerProtocolPolicy: allow-all
        - PathPattern: /g/*
          TargetOriginId: failover
          ViewerProtocolPolicy: allow-all
        - PathPattern: /s/*
          TargetOriginId: site
          ViewerProtocolPolicy: redirect-to-https
'''


def test_origin_plaintext_http_only_and_match_viewer_behind_http_viewers(write_tree):
    """match-viewer counts when a behavior lets viewers use HTTP, directly or through an origin
    group; "safe" is a member of that group too, so it is reported as well. An S3 website endpoint
    is http-only and reported; it is also an unrestricted S3 origin."""
    terraform, cloudformation = tf(ORIGINS_TF), cfn(ORIGINS_CFN)
    assert found(write_tree, "cdn-origin-plaintext", terraform, cloudformation) == {
        *{("aws_cloudfront_distribution.d", "tf/main.tf", n) for n in (8, 18, 28, 38)},
        *{("D", "cfn/template.yaml", n) for n in (11, 15, 19, 23)}}
    assert found(write_tree, "cdn-s3-origin-unrestricted", terraform, cloudformation) == {
        ("aws_cloudfront_distribution.d", "tf/main.tf", 32), ("D", "cfn/template.yaml", 20)}


def test_origin_match_viewer_behind_https_viewers_is_fine(write_tree):
    terraform = tf('''
        resource "aws_cloudfront_distribution" "d" {
          origin {
            origin_id   = "app"
            domain_name = "app.example.com"
            custom_origin_config {
              http_port              = 80
              https_port             = 443
              origin_protocol_policy = "match-viewer"
              origin_ssl_protocols   = ["TLSv1.2"]
            }
          }
          default_cache_behavior {
            target_origin_id       = "app"
            viewer_protocol_policy = "redirect-to-https"
          }
        }
        ''')
    cloudformation = cfn('''
        D:
          Type: AWS::CloudFront::Distribution
          Properties:
            DistributionConfig:
              Origins:
                - Id: app
                  DomainName: app.example.com
                  CustomOriginConfig:
                    OriginProtocolPolicy: match-viewer
              DefaultCacheBehavior:
                TargetOriginId: app
                ViewerProtocolPolicy: redirect-to-https
        ''')
    assert found(write_tree, "cdn-origin-plaintext", terraform, cloudformation) == set()


# --- cdn-weak-tls ------------------------------------------------------------------------------------

TLS_CASES = {
    # name: (Terraform viewer_certificate body, aliases, CloudFormation ViewerCertificate (flow),
    #        reported line in Terraform and in CloudFormation, or None)
    # The default *.cloudfront.net certificate always accepts TLSv1, with or without aliases and
    # whatever minimum it is given: reported at the setting, else at the distribution.
    "default-certificate-no-alias": ("cloudfront_default_certificate = true", "[]",
                                     "{CloudFrontDefaultCertificate: true}", (6, 13)),
    "default-certificate-with-alias": ("cloudfront_default_certificate = true", '["www.example.com"]',
                                       "{CloudFrontDefaultCertificate: true}", (6, 13)),
    "default-certificate-tls12-minimum-ignored": (
        'cloudfront_default_certificate = true\n    minimum_protocol_version = "TLSv1.2_2021"', "[]",
        "{CloudFrontDefaultCertificate: true, MinimumProtocolVersion: TLSv1.2_2021}", (6, 13)),
    "default-certificate-unknown": ("cloudfront_default_certificate = var.certificate != \"\"", "[]",
                                    "{CloudFrontDefaultCertificate: !Ref Certificate}", None),
    "no-viewer-certificate-with-alias": (None, '["www.example.com"]', None, (3, 8)),
    "no-viewer-certificate-no-alias": (None, "[]", None, (3, 8)),
    "own-certificate-default-minimum": ('acm_certificate_arn = "arn:aws:acm:us-east-1:1:certificate/x"', "[]",
                                        '{AcmCertificateArn: "arn:aws:acm:us-east-1:1:certificate/x"}', (6, 13)),
    "own-certificate-tls11": ('iam_certificate_id = "ASCAEXAMPLE"\n    minimum_protocol_version = "TLSv1.1_2016"',
                              "[]", "{IamCertificateId: ASCAEXAMPLE, MinimumProtocolVersion: TLSv1.1_2016}",
                              (7, 13)),
    "own-certificate-tls12": ('acm_certificate_arn = "arn:aws:acm:us-east-1:1:certificate/x"\n'
                              '    minimum_protocol_version = "TLSv1.2_2019"', "[]",
                              '{AcmCertificateArn: "arn:aws:acm:us-east-1:1:certificate/x",'
                              ' MinimumProtocolVersion: TLSv1.2_2019}', None),
    "unknown-minimum": ('acm_certificate_arn = var.certificate\n    minimum_protocol_version = var.minimum', "[]",
                        "{AcmCertificateArn: !Ref Certificate, MinimumProtocolVersion: !Ref Minimum}", None),
}


@pytest.mark.parametrize("name", sorted(TLS_CASES))
def test_weak_tls(write_tree, name):
    tf_body, aliases, cfn_certificate, lines = TLS_CASES[name]
    terraform = tf(f'''
        variable "certificate" {{ type = string }}
        variable "minimum" {{ type = string }}
        resource "aws_cloudfront_distribution" "d" {{
          aliases = {aliases}
        ''')
    if tf_body is not None:
        terraform += f"  viewer_certificate {{\n    {tf_body}\n  }}\n"
    terraform += "}\n"
    resources = ("D:\n  Type: AWS::CloudFront::Distribution\n  Properties:\n    DistributionConfig:\n"
                 f"      Aliases: {aliases}\n")
    if cfn_certificate is not None:
        resources += f"      ViewerCertificate: {cfn_certificate}\n"
    cloudformation = cfn(resources, parameters="Certificate:\n  Type: String\nMinimum:\n  Type: String\n")
    expected = {("aws_cloudfront_distribution.d", "tf/main.tf", lines[0]),
                ("D", "cfn/template.yaml", lines[1])} if lines else set()
    assert found(write_tree, "cdn-weak-tls", terraform, cloudformation) == expected


# --- cdn-s3-origin-unrestricted ----------------------------------------------------------------------


def test_s3_origin_access(write_tree):
    terraform = tf('''
        variable "oac" { type = string }
        resource "aws_cloudfront_distribution" "d" {
          origin {
            origin_id   = "no-access-control"
            domain_name = "a.s3.amazonaws.com"
          }
          origin {
            origin_id   = "oai"
            domain_name = "b.s3.amazonaws.com"
            s3_origin_config {
              origin_access_identity = "origin-access-identity/cloudfront/E2EXAMPLE"
            }
          }
          origin {
            origin_id                = "oac"
            domain_name              = "c.s3.amazonaws.com"
            origin_access_control_id = "E3EXAMPLE"
          }
          origin {
            origin_id                = "unknown-oac"
            domain_name              = "d.s3.amazonaws.com"
            origin_access_control_id = var.oac
          }
          origin {
            origin_id   = "app"
            domain_name = "app.example.com"
            custom_origin_config {
              http_port              = 80
              https_port             = 443
              origin_protocol_policy = "https-only"
              origin_ssl_protocols   = ["TLSv1.2"]
            }
          }
        }
        ''')
    cloudformation = cfn('''
        D:
          Type: AWS::CloudFront::Distribution
          Properties:
            DistributionConfig:
              Origins:
                - Id: no-access-control
                  DomainName: a.s3.amazonaws.com
                  S3OriginConfig: {}
                - Id: oai
                  DomainName: b.s3.amazonaws.com
                  S3OriginConfig:
                    OriginAccessIdentity: origin-access-identity/cloudfront/E2EXAMPLE
                - Id: oac
                  DomainName: c.s3.amazonaws.com
                  OriginAccessControlId: E3EXAMPLE
                - Id: unknown-oac
                  DomainName: d.s3.amazonaws.com
                  OriginAccessControlId: !Ref Oac
                - Id: app
                  DomainName: app.example.com
                  CustomOriginConfig:
                    OriginProtocolPolicy: https-only
        ''', parameters="Oac:\n  Type: String\n")
    assert found(write_tree, "cdn-s3-origin-unrestricted", terraform, cloudformation) == {
        ("aws_cloudfront_distribution.d", "tf/main.tf", 3), ("D", "cfn/template.yaml", 11)}


def test_s3_website_endpoint_origin_by_reference(write_tree):
    terraform = tf('''
        resource "aws_s3_bucket" "site" {
          bucket = "site"
        }
        resource "aws_s3_bucket_website_configuration" "site" {
          bucket = aws_s3_bucket.site.id
          index_document {
            suffix = "index.html"
          }
        }
        resource "aws_cloudfront_distribution" "d" {
          origin {
            origin_id   = "site"
            domain_name = aws_s3_bucket_website_configuration.site.website_endpoint
            custom_origin_config {
              http_port              = 80
              https_port             = 443
              origin_protocol_policy = "http-only"
              origin_ssl_protocols   = ["TLSv1.2"]
            }
          }
        }
        ''')
    cloudformation = cfn('''
        Site:
          Type: AWS::S3::Bucket
          Properties:
            WebsiteConfiguration:
              IndexDocument: index.html
        D:
          Type: AWS::CloudFront::Distribution
          Properties:
            DistributionConfig:
              Origins:
                - Id: site
                  DomainName: !Select [2, !Split ["/", !GetAtt Site.WebsiteURL]]
                  CustomOriginConfig:
                    OriginProtocolPolicy: http-only
        ''')
    assert found(write_tree, "cdn-s3-origin-unrestricted", terraform, cloudformation) == {
        ("aws_cloudfront_distribution.d", "tf/main.tf", 11), ("D", "cfn/template.yaml", 13)}


# --- cdn-no-waf --------------------------------------------------------------------------------------


def test_web_acl_unknown_counts_empty_does_not(write_tree):
    terraform = tf('''
        variable "web_acl" { type = string }
        resource "aws_cloudfront_distribution" "unknown" {
          web_acl_id = var.web_acl
        }
        resource "aws_cloudfront_distribution" "empty" {
          web_acl_id = ""
        }
        ''')
    cloudformation = cfn('''
        Unknown:
          Type: AWS::CloudFront::Distribution
          Properties:
            DistributionConfig:
              WebACLId: !Ref WebAcl
        Empty:
          Type: AWS::CloudFront::Distribution
          Properties:
            DistributionConfig:
              WebACLId: ""
        ''', parameters="WebAcl:\n  Type: String\n")
    assert found(write_tree, "cdn-no-waf", terraform, cloudformation) == {
        ("aws_cloudfront_distribution.empty", "tf/main.tf", 5), ("Empty", "cfn/template.yaml", 11)}


# --- cdn-logging-missing -----------------------------------------------------------------------------


def test_logging_unknown_bucket_counts(write_tree):
    terraform = tf('''
        variable "log_bucket" { type = string }
        resource "aws_cloudfront_distribution" "d" {
          logging_config {
            bucket = var.log_bucket
          }
        }
        ''')
    cloudformation = cfn('''
        D:
          Type: AWS::CloudFront::Distribution
          Properties:
            DistributionConfig:
              Logging:
                Bucket: !Ref LogBucket
        ''', parameters="LogBucket:\n  Type: String\n")
    assert found(write_tree, "cdn-logging-missing", terraform, cloudformation) == set()


LOGGING_V2_TF = '''
resource "aws_cloudfront_distribution" "delivered" {
  enabled = true
}
resource "aws_cloudfront_distribution" "source_only" {
  enabled = true
}
resource "aws_cloudwatch_log_delivery_source" "delivered" {
  name         = "delivered-access-logs"
  log_type     = "ACCESS_LOGS"
  resource_arn = aws_cloudfront_distribution.delivered.arn
}
resource "aws_cloudwatch_log_delivery_source" "source_only" {
  name         = "source-only-access-logs"
  log_type     = "ACCESS_LOGS"
  resource_arn = aws_cloudfront_distribution.source_only.arn
}
resource "aws_cloudwatch_log_delivery_destination" "s3" {
  name = "cdn-logs"
  delivery_destination_configuration {
    destination_resource_arn = "arn:aws:s3:::cdn-logs"
  }
}
resource "aws_cloudwatch_log_delivery" "delivered" {
  delivery_source_name     = aws_cloudwatch_log_delivery_source.delivered.name
  delivery_destination_arn = aws_cloudwatch_log_delivery_destination.s3.arn
}
'''
LOGGING_V2_CFN = '''
Delivered:
  Type: AWS::CloudFront::Distribution
  Properties:
    DistributionConfig:
      Enabled: true
SourceOnly:
  Type: AWS::CloudFront::Distribution
  Properties:
    DistributionConfig:
      Enabled: true
DeliveredSource:
  Type: AWS::Logs::DeliverySource
  Properties:
    Name: delivered-access-logs
    LogType: ACCESS_LOGS
    ResourceArn: !Sub arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${Delivered}
SourceOnlySource:
  Type: AWS::Logs::DeliverySource
  Properties:
    Name: source-only-access-logs
    LogType: ACCESS_LOGS
    ResourceArn: !Sub arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${SourceOnly}
S3Destination:
  Type: AWS::Logs::DeliveryDestination
  Properties:
    Name: cdn-logs
    DestinationResourceArn: arn:aws:s3:::cdn-logs
Delivery:
  Type: AWS::Logs::Delivery
  Properties:
    DeliverySourceName: !Ref DeliveredSource
    DeliveryDestinationArn: !GetAtt S3Destination.Arn
'''


def test_standard_logging_v2_needs_a_delivery(write_tree):
    terraform, cloudformation = tf(LOGGING_V2_TF), cfn(LOGGING_V2_CFN)
    assert found(write_tree, "cdn-logging-missing", terraform, cloudformation) == {
        ("aws_cloudfront_distribution.source_only", "tf/main.tf", 4), ("SourceOnly", "cfn/template.yaml", 8)}


def test_standard_logging_v2_delivery_by_literal_source_name(write_tree):
    terraform = tf(LOGGING_V2_TF).replace(
        "aws_cloudwatch_log_delivery_source.delivered.name", '"delivered-access-logs"')
    cloudformation = cfn(LOGGING_V2_CFN).replace("!Ref DeliveredSource", "delivered-access-logs")
    assert found(write_tree, "cdn-logging-missing", terraform, cloudformation) == {
        ("aws_cloudfront_distribution.source_only", "tf/main.tf", 4), ("SourceOnly", "cfn/template.yaml", 8)}
