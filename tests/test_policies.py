"""Policy edge cases, each in Terraform and CloudFormation: one policy, the same verdict."""

from __future__ import annotations

import pytest

from tests.conftest import findings_of

CLASSIC_TF = '''
resource "aws_elb" "web" {
  subnets = ["subnet-1"]
  listener {
    lb_port           = 80
    lb_protocol       = "http"
    instance_port     = 8080
    instance_protocol = "http"
  }
%s}
'''
HTTPS_TF = '''  listener {
    lb_port            = 443
    lb_protocol        = "https"
    instance_port      = 8080
    instance_protocol  = "http"
    ssl_certificate_id = "arn:aws:acm:eu-west-1:123456789012:certificate/x"
  }
'''
CLASSIC_CFN = '''AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Web:
    Type: AWS::ElasticLoadBalancing::LoadBalancer
    Properties:
      Listeners:
        - LoadBalancerPort: "80"
          Protocol: HTTP
          InstancePort: "8080"
%s'''
HTTPS_CFN = '''        - LoadBalancerPort: "443"
          Protocol: HTTPS
          InstancePort: "8080"
          SSLCertificateId: arn:aws:acm:eu-west-1:123456789012:certificate/x
'''


@pytest.mark.parametrize("with_https", [False, True])
def test_classic_elb_plaintext_only_without_an_https_listener(write_tree, with_https):
    root = write_tree({
        "tf/main.tf": CLASSIC_TF % (HTTPS_TF if with_https else ""),
        "cfn/template.yaml": CLASSIC_CFN % (HTTPS_CFN if with_https else ""),
    })
    found = {(c, r, f, n) for c, r, f, n in findings_of(root) if c == "lb-listener-plaintext"}
    expected = set() if with_https else {
        ("lb-listener-plaintext", "aws_elb.web", "tf/main.tf", 6),
        ("lb-listener-plaintext", "Web", "cfn/template.yaml", 8),
    }
    assert found == expected


def test_satellite_found_by_literal_bucket_name(write_tree):
    root = write_tree({"main.tf": '''
resource "aws_s3_bucket" "b" { bucket = "site-assets" }
resource "aws_s3_bucket_acl" "b" {
  bucket = "site-assets"
  acl    = "public-read-write"
}
'''})
    found = {(c, n) for c, _, _, n in findings_of(root)}
    assert {("s3-public-read", 5), ("s3-public-write", 5)} <= found
