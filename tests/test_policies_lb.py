"""Load balancer policies: each edge-case decision the policies document gives the same verdict in
Terraform and CloudFormation; the shipped examples are checked against their snapshots by
test_policies_examples.py."""

from __future__ import annotations

import pytest

from tests.policy_examples import cfn, found, hits, line, tf

# --- lb-weak-tls-policy ----------------------------------------------------------------------------

TLS_TF = tf('''
    variable "policy" {
      type = string
    }

    resource "aws_lb" "web" {
      name               = "web"
      load_balancer_type = "application"
      subnets            = ["subnet-1", "subnet-2"]
    }

    resource "aws_lb" "tcp" {
      name               = "tcp"
      load_balancer_type = "network"
      subnets            = ["subnet-1", "subnet-2"]
    }

    resource "aws_lb_listener" "unset" {
      load_balancer_arn = aws_lb.web.arn
      port              = 443
      protocol          = "HTTPS"
      certificate_arn   = "arn:aws:acm:eu-west-1:123456789012:certificate/a"
      default_action {
        type             = "forward"
        target_group_arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/1"
      }
    }

    resource "aws_lb_listener" "pq" {
      load_balancer_arn = aws_lb.web.arn
      port              = 8443
      protocol          = "HTTPS"
      ssl_policy        = "ELBSecurityPolicy-TLS13-1-0-PQ-2025-09"
      default_action {
        type = "fixed-response"
      }
    }

    resource "aws_lb_listener" "strong" {
      load_balancer_arn = aws_lb.web.arn
      port              = 9443
      protocol          = "HTTPS"
      ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
      default_action {
        type = "fixed-response"
      }
    }

    resource "aws_lb_listener" "unknown" {
      load_balancer_arn = aws_lb.web.arn
      port              = 10443
      protocol          = "HTTPS"
      ssl_policy        = var.policy
      default_action {
        type = "fixed-response"
      }
    }

    resource "aws_lb_listener" "future" {
      load_balancer_arn = aws_lb.web.arn
      port              = 11443
      protocol          = "HTTPS"
      ssl_policy        = "ELBSecurityPolicy-TLS14-2031-01"
      default_action {
        type = "fixed-response"
      }
    }

    resource "aws_lb_listener" "http" {
      load_balancer_arn = aws_lb.web.arn
      port              = 80
      default_action {
        type = "fixed-response"
      }
    }

    resource "aws_lb_listener" "tls" {
      load_balancer_arn = aws_lb.tcp.arn
      port              = 443
      protocol          = "TLS"
      ssl_policy        = "ELBSecurityPolicy-2016-08"
      default_action {
        type             = "forward"
        target_group_arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/tcp/1"
      }
    }
''')
TLS_CFN = cfn('''
    Web:
      Type: AWS::ElasticLoadBalancingV2::LoadBalancer
      Properties:
        Subnets: [subnet-1, subnet-2]
    Tcp:
      Type: AWS::ElasticLoadBalancingV2::LoadBalancer
      Properties:
        Type: network
        Subnets: [subnet-1, subnet-2]
    Unset:
      Type: AWS::ElasticLoadBalancingV2::Listener
      Properties:
        LoadBalancerArn: !Ref Web
        Port: 443
        Protocol: HTTPS
        Certificates:
          - CertificateArn: arn:aws:acm:eu-west-1:123456789012:certificate/a
        DefaultActions:
          - Type: fixed-response
    Pq:
      Type: AWS::ElasticLoadBalancingV2::Listener
      Properties:
        LoadBalancerArn: !Ref Web
        Port: 8443
        Protocol: HTTPS
        SslPolicy: ELBSecurityPolicy-TLS13-1-0-PQ-2025-09
        DefaultActions:
          - Type: fixed-response
    Strong:
      Type: AWS::ElasticLoadBalancingV2::Listener
      Properties:
        LoadBalancerArn: !Ref Web
        Port: 9443
        Protocol: HTTPS
        SslPolicy: ELBSecurityPolicy-TLS13-1-2-2021-06
        DefaultActions:
          - Type: fixed-response
    Unknown:
      Type: AWS::ElasticLoadBalancingV2::Listener
      Properties:
        LoadBalancerArn: !Ref Web
        Port: 10443
        Protocol: HTTPS
        SslPolicy: !Ref Policy
        DefaultActions:
          - Type: fixed-response
    Future:
      Type: AWS::ElasticLoadBalancingV2::Listener
      Properties:
        LoadBalancerArn: !Ref Web
        Port: 11443
        Protocol: HTTPS
        SslPolicy: ELBSecurityPolicy-TLS14-2031-01
        DefaultActions:
          - Type: fixed-response
    Http:
      Type: AWS::ElasticLoadBalancingV2::Listener
      Properties:
        LoadBalancerArn: !Ref Web
        Port: 80
        DefaultActions:
          - Type: fixed-response
    Tls:
      Type: AWS::ElasticLoadBalancingV2::Listener
      Properties:
        LoadBalancerArn: !Ref Tcp
        Port: 443
        Protocol: TLS
        SslPolicy: ELBSecurityPolicy-2016-08
        DefaultActions:
          - Type: forward
            TargetGroupArn: arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/tcp/1
''', parameters='''
    Policy:
      Type: String
''')


def test_weak_tls_default_policy_weak_names_and_benefit_of_the_doubt(write_tree):
    """Unset = the 2016-08 default (at the listener); TLS13-1-0/1-1 variants are weak whatever
    their suffix; unknown values and names we do not know are not reported; ALB and NLB alike."""
    assert found(write_tree, "lb-weak-tls-policy", TLS_TF, TLS_CFN) == {
        ("aws_lb_listener.unset", "tf/main.tf", line(TLS_TF, '"aws_lb_listener" "unset"')),
        ("aws_lb_listener.pq", "tf/main.tf", line(TLS_TF, "TLS13-1-0-PQ")),
        ("aws_lb_listener.tls", "tf/main.tf", line(TLS_TF, '"ELBSecurityPolicy-2016-08"')),
        ("Unset", "cfn/template.yaml", line(TLS_CFN, "  Unset:")),
        ("Pq", "cfn/template.yaml", line(TLS_CFN, "TLS13-1-0-PQ")),
        ("Tls", "cfn/template.yaml", line(TLS_CFN, "ELBSecurityPolicy-2016-08")),
    }


CLASSIC_TF = tf('''
    variable "policy_name" {
      type = string
    }

    resource "aws_elb" "web" {
      name    = "web"
      subnets = ["subnet-1"]

      listener {
        lb_port            = 443
        lb_protocol        = "https"
        instance_port      = 80
        instance_protocol  = "http"
        ssl_certificate_id = "arn:aws:acm:eu-west-1:123456789012:certificate/a"
      }

      listener {
        lb_port            = 8443
        lb_protocol        = "ssl"
        instance_port      = 80
        instance_protocol  = "tcp"
        ssl_certificate_id = "arn:aws:acm:eu-west-1:123456789012:certificate/a"
      }

      listener {
        lb_port            = 9443
        lb_protocol        = "https"
        instance_port      = 80
        instance_protocol  = "http"
        ssl_certificate_id = "arn:aws:acm:eu-west-1:123456789012:certificate/a"
      }

      listener {
        lb_port            = 10443
        lb_protocol        = "https"
        instance_port      = 80
        instance_protocol  = "http"
        ssl_certificate_id = "arn:aws:acm:eu-west-1:123456789012:certificate/a"
      }

      listener {
        lb_port            = 11443
        lb_protocol        = "https"
        instance_port      = 80
        instance_protocol  = "http"
        ssl_certificate_id = "arn:aws:acm:eu-west-1:123456789012:certificate/a"
      }

      listener {
        lb_port           = 80
        lb_protocol       = "http"
        instance_port     = 80
        instance_protocol = "http"
      }
    }

    resource "aws_load_balancer_policy" "modern" {
      load_balancer_name = aws_elb.web.name
      policy_name        = "modern"
      policy_type_name   = "SSLNegotiationPolicyType"

      policy_attribute {
        name  = "Reference-Security-Policy"
        value = "ELBSecurityPolicy-TLS-1-2-2017-01"
      }
    }

    resource "aws_load_balancer_policy" "custom" {
      load_balancer_name = aws_elb.web.name
      policy_name        = "custom"
      policy_type_name   = "SSLNegotiationPolicyType"

      policy_attribute {
        name  = "Protocol-TLSv1.2"
        value = "true"
      }

      policy_attribute {
        name  = "Protocol-TLSv1"
        value = "true"
      }
    }

    resource "aws_load_balancer_listener_policy" "https" {
      load_balancer_name = aws_elb.web.name
      load_balancer_port = 443
      policy_names       = [aws_load_balancer_policy.modern.policy_name]
    }

    resource "aws_load_balancer_listener_policy" "ssl" {
      load_balancer_name = aws_elb.web.name
      load_balancer_port = 8443
      policy_names       = [aws_load_balancer_policy.custom.policy_name]
    }

    resource "aws_load_balancer_listener_policy" "elsewhere" {
      load_balancer_name = aws_elb.web.name
      load_balancer_port = 10443
      policy_names       = [var.policy_name]
    }

    resource "aws_lb_ssl_negotiation_policy" "old" {
      name          = "old"
      load_balancer = aws_elb.web.id
      lb_port       = 11443

      attribute {
        name  = "Reference-Security-Policy"
        value = "ELBSecurityPolicy-2015-05"
      }
    }
''')
CLASSIC_CFN = cfn('''
    Web:
      Type: AWS::ElasticLoadBalancing::LoadBalancer
      Properties:
        Subnets: [subnet-1]
        Policies:
          - PolicyName: modern
            PolicyType: SSLNegotiationPolicyType
            Attributes:
              - Name: Reference-Security-Policy
                Value: ELBSecurityPolicy-TLS-1-2-2017-01
          - PolicyName: custom
            PolicyType: SSLNegotiationPolicyType
            Attributes:
              - Name: Protocol-TLSv1.2
                Value: "true"
              - Name: Protocol-TLSv1
                Value: "true"
          - PolicyName: old
            PolicyType: SSLNegotiationPolicyType
            LoadBalancerPorts: ["11443"]
            Attributes:
              - Name: Reference-Security-Policy
                Value: ELBSecurityPolicy-2015-05
        Listeners:
          - LoadBalancerPort: "443"
            Protocol: HTTPS
            InstancePort: "80"
            SSLCertificateId: arn:aws:acm:eu-west-1:123456789012:certificate/a
            PolicyNames: [modern]
          - LoadBalancerPort: "8443"
            Protocol: SSL
            InstancePort: "80"
            SSLCertificateId: arn:aws:acm:eu-west-1:123456789012:certificate/a
            PolicyNames: [custom]
          - LoadBalancerPort: "9443"
            Protocol: HTTPS
            InstancePort: "80"
            SSLCertificateId: arn:aws:acm:eu-west-1:123456789012:certificate/a
          - LoadBalancerPort: "10443"
            Protocol: HTTPS
            InstancePort: "80"
            SSLCertificateId: arn:aws:acm:eu-west-1:123456789012:certificate/a
            PolicyNames: [!Ref PolicyName]
          - LoadBalancerPort: "11443"
            Protocol: HTTPS
            InstancePort: "80"
            SSLCertificateId: arn:aws:acm:eu-west-1:123456789012:certificate/a
          - LoadBalancerPort: "80"
            Protocol: HTTP
            InstancePort: "80"
''', parameters='''
    PolicyName:
      Type: String
''')


def test_weak_tls_classic_elb_negotiation_policies(write_tree):
    """A classic listener without a negotiation policy gets the default (reported at the
    listener); a referenced predefined policy is judged by name (reported at the reference); a
    custom policy enabling TLSv1 is reported at that attribute; a policy the configuration does
    not define is not reported."""
    tf_listener = line(CLASSIC_TF, "lb_port            = 9443") - 1
    cfn_listener = line(CLASSIC_CFN, 'LoadBalancerPort: "9443"')
    assert found(write_tree, "lb-weak-tls-policy", CLASSIC_TF, CLASSIC_CFN) == {
        ("aws_elb.web", "tf/main.tf", line(CLASSIC_TF, '"Protocol-TLSv1"') + 1),
        ("aws_elb.web", "tf/main.tf", tf_listener),
        ("aws_elb.web", "tf/main.tf", line(CLASSIC_TF, '"ELBSecurityPolicy-2015-05"')),
        ("Web", "cfn/template.yaml", line(CLASSIC_CFN, "Name: Protocol-TLSv1.2") + 3),
        ("Web", "cfn/template.yaml", cfn_listener),
        ("Web", "cfn/template.yaml", line(CLASSIC_CFN, "Value: ELBSecurityPolicy-2015-05")),
    }


# --- lb-access-logs-missing ------------------------------------------------------------------------

LOGS_TF = tf('''
    variable "logs_on" {
      type = bool
    }

    resource "aws_lb" "unset" {
      load_balancer_type = "application"
      subnets            = ["subnet-1", "subnet-2"]
    }

    resource "aws_lb" "off" {
      load_balancer_type = "application"
      subnets            = ["subnet-1", "subnet-2"]
      access_logs {
        bucket  = "logs"
        enabled = false
      }
    }

    resource "aws_lb" "on" {
      load_balancer_type = "application"
      subnets            = ["subnet-1", "subnet-2"]
      access_logs {
        bucket  = "logs"
        enabled = true
      }
    }

    resource "aws_lb" "maybe" {
      load_balancer_type = "application"
      subnets            = ["subnet-1", "subnet-2"]
      access_logs {
        bucket  = "logs"
        enabled = var.logs_on
      }
    }

    resource "aws_lb" "tcp_only" {
      load_balancer_type = "network"
      subnets            = ["subnet-1", "subnet-2"]
    }

    resource "aws_lb" "tls" {
      load_balancer_type = "network"
      subnets            = ["subnet-1", "subnet-2"]
    }

    resource "aws_lb" "appliances" {
      load_balancer_type = "gateway"
      subnets            = ["subnet-1"]
    }

    resource "aws_lb_listener" "tcp" {
      load_balancer_arn = aws_lb.tcp_only.arn
      port              = 443
      protocol          = "TCP"
      default_action {
        type             = "forward"
        target_group_arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/a/1"
      }
    }

    resource "aws_lb_listener" "tls" {
      load_balancer_arn = aws_lb.tls.arn
      port              = 443
      protocol          = "TLS"
      ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
      default_action {
        type             = "forward"
        target_group_arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/b/1"
      }
    }

    resource "aws_elb" "classic_unset" {
      subnets = ["subnet-1"]
      listener {
        lb_port           = 80
        lb_protocol       = "tcp"
        instance_port     = 80
        instance_protocol = "tcp"
      }
    }

    resource "aws_elb" "classic_on" {
      subnets = ["subnet-1"]
      access_logs {
        bucket = "logs"
      }
      listener {
        lb_port           = 80
        lb_protocol       = "tcp"
        instance_port     = 80
        instance_protocol = "tcp"
      }
    }
''')
LOGS_CFN = cfn('''
    Unset:
      Type: AWS::ElasticLoadBalancingV2::LoadBalancer
      Properties:
        Subnets: [subnet-1, subnet-2]
    "Off":
      Type: AWS::ElasticLoadBalancingV2::LoadBalancer
      Properties:
        Subnets: [subnet-1, subnet-2]
        LoadBalancerAttributes:
          - Key: access_logs.s3.enabled
            Value: "false"
          - Key: access_logs.s3.bucket
            Value: logs
    "On":
      Type: AWS::ElasticLoadBalancingV2::LoadBalancer
      Properties:
        Subnets: [subnet-1, subnet-2]
        LoadBalancerAttributes:
          - Key: access_logs.s3.enabled
            Value: "true"
          - Key: access_logs.s3.bucket
            Value: logs
    Maybe:
      Type: AWS::ElasticLoadBalancingV2::LoadBalancer
      Properties:
        Subnets: [subnet-1, subnet-2]
        LoadBalancerAttributes:
          - Key: access_logs.s3.enabled
            Value: !Ref LogsOn
    TcpOnly:
      Type: AWS::ElasticLoadBalancingV2::LoadBalancer
      Properties:
        Type: network
        Subnets: [subnet-1, subnet-2]
    Tls:
      Type: AWS::ElasticLoadBalancingV2::LoadBalancer
      Properties:
        Type: network
        Subnets: [subnet-1, subnet-2]
    Appliances:
      Type: AWS::ElasticLoadBalancingV2::LoadBalancer
      Properties:
        Type: gateway
        Subnets: [subnet-1]
    TcpListener:
      Type: AWS::ElasticLoadBalancingV2::Listener
      Properties:
        LoadBalancerArn: !Ref TcpOnly
        Port: 443
        Protocol: TCP
        DefaultActions:
          - Type: forward
            TargetGroupArn: arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/a/1
    TlsListener:
      Type: AWS::ElasticLoadBalancingV2::Listener
      Properties:
        LoadBalancerArn: !Ref Tls
        Port: 443
        Protocol: TLS
        SslPolicy: ELBSecurityPolicy-TLS13-1-2-2021-06
        DefaultActions:
          - Type: forward
            TargetGroupArn: arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/b/1
    ClassicUnset:
      Type: AWS::ElasticLoadBalancing::LoadBalancer
      Properties:
        Subnets: [subnet-1]
        Listeners:
          - LoadBalancerPort: "80"
            Protocol: TCP
            InstancePort: "80"
    ClassicOff:
      Type: AWS::ElasticLoadBalancing::LoadBalancer
      Properties:
        Subnets: [subnet-1]
        AccessLoggingPolicy:
          Enabled: false
          S3BucketName: logs
        Listeners:
          - LoadBalancerPort: "80"
            Protocol: TCP
            InstancePort: "80"
''', parameters='''
    LogsOn:
      Type: String
''')


def test_access_logs_defaults_network_and_gateway_load_balancers(write_tree):
    """Unset or off is reported (at the switch when written); unknown is not; an NLB only with a
    TLS listener; a gateway load balancer never; a classic access_logs block is on by default."""
    assert found(write_tree, "lb-access-logs-missing", LOGS_TF, LOGS_CFN) == {
        ("aws_lb.unset", "tf/main.tf", line(LOGS_TF, '"aws_lb" "unset"')),
        ("aws_lb.off", "tf/main.tf", line(LOGS_TF, "enabled = false")),
        ("aws_lb.tls", "tf/main.tf", line(LOGS_TF, 'resource "aws_lb" "tls"')),
        ("aws_elb.classic_unset", "tf/main.tf", line(LOGS_TF, '"aws_elb" "classic_unset"')),
        ("Unset", "cfn/template.yaml", line(LOGS_CFN, "  Unset:")),
        ("Off", "cfn/template.yaml", line(LOGS_CFN, 'Value: "false"')),
        ("Tls", "cfn/template.yaml", line(LOGS_CFN, "  Tls:")),
        ("ClassicUnset", "cfn/template.yaml", line(LOGS_CFN, "  ClassicUnset:")),
        ("ClassicOff", "cfn/template.yaml", line(LOGS_CFN, "Enabled: false")),
    }


def test_access_logs_bucket_is_a_fact_only_when_logs_may_be_on(write_tree):
    from iac_assist.analysis.engine import build_graph

    root = write_tree({"tf/main.tf": LOGS_TF, "cfn/template.yaml": LOGS_CFN})
    graph, _ = build_graph([root])
    buckets = {c.address: c.get("access_logs_bucket") for c in graph.components.values()
               if c.has("access_logs_bucket")}
    assert buckets == {"aws_lb.on": "logs", "aws_lb.maybe": "logs", "aws_elb.classic_on": "logs", "On": "logs"}


# --- lb-invalid-headers-not-dropped ----------------------------------------------------------------

HEADERS_TF = tf('''
    variable "drop" {
      type = bool
    }

    resource "aws_lb" "unset" {
      subnets = ["subnet-1", "subnet-2"]
    }

    resource "aws_lb" "off" {
      subnets                    = ["subnet-1", "subnet-2"]
      drop_invalid_header_fields = false
    }

    resource "aws_lb" "on" {
      subnets                    = ["subnet-1", "subnet-2"]
      drop_invalid_header_fields = true
    }

    resource "aws_lb" "maybe" {
      subnets                    = ["subnet-1", "subnet-2"]
      drop_invalid_header_fields = var.drop
    }

    resource "aws_lb" "tcp" {
      load_balancer_type = "network"
      subnets            = ["subnet-1", "subnet-2"]
    }
''')
HEADERS_CFN = cfn('''
    Unset:
      Type: AWS::ElasticLoadBalancingV2::LoadBalancer
      Properties:
        Subnets: [subnet-1, subnet-2]
    "Off":
      Type: AWS::ElasticLoadBalancingV2::LoadBalancer
      Properties:
        Subnets: [subnet-1, subnet-2]
        LoadBalancerAttributes:
          - Key: routing.http.drop_invalid_header_fields.enabled
            Value: "false"
    "On":
      Type: AWS::ElasticLoadBalancingV2::LoadBalancer
      Properties:
        Subnets: [subnet-1, subnet-2]
        LoadBalancerAttributes:
          - Key: routing.http.drop_invalid_header_fields.enabled
            Value: "true"
    Maybe:
      Type: AWS::ElasticLoadBalancingV2::LoadBalancer
      Properties:
        Subnets: [subnet-1, subnet-2]
        LoadBalancerAttributes:
          - Key: routing.http.drop_invalid_header_fields.enabled
            Value: !Ref Drop
    Tcp:
      Type: AWS::ElasticLoadBalancingV2::LoadBalancer
      Properties:
        Type: network
        Subnets: [subnet-1, subnet-2]
''', parameters='''
    Drop:
      Type: String
''')


def test_invalid_headers_unset_is_false_unknown_passes_alb_only(write_tree):
    assert found(write_tree, "lb-invalid-headers-not-dropped", HEADERS_TF, HEADERS_CFN) == {
        ("aws_lb.unset", "tf/main.tf", line(HEADERS_TF, '"aws_lb" "unset"')),
        ("aws_lb.off", "tf/main.tf", line(HEADERS_TF, "= false")),
        ("Unset", "cfn/template.yaml", line(HEADERS_CFN, "  Unset:")),
        ("Off", "cfn/template.yaml", line(HEADERS_CFN, 'Value: "false"')),
    }


# --- lb-no-waf -------------------------------------------------------------------------------------

WAF_TF = tf('''
    variable "protected_arn" {
      type = string
    }

    resource "aws_lb" "bare" {
      subnets = ["subnet-1", "subnet-2"]
    }

    resource "aws_lb" "internal" {
      internal = true
      subnets  = ["subnet-1", "subnet-2"]
    }

    resource "aws_lb" "tcp" {
      load_balancer_type = "network"
      subnets            = ["subnet-1", "subnet-2"]
    }

    resource "aws_lb" "v2" {
      subnets = ["subnet-1", "subnet-2"]
    }

    resource "aws_lb" "regional" {
      subnets = ["subnet-1", "subnet-2"]
    }

    resource "aws_lb" "by_arn" {
      name    = "by-arn"
      subnets = ["subnet-1", "subnet-2"]
    }

    resource "aws_wafv2_web_acl_association" "v2" {
      resource_arn = aws_lb.v2.arn
      web_acl_arn  = "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/web/1"
    }

    resource "aws_wafregional_web_acl_association" "regional" {
      resource_arn = aws_lb.regional.arn
      web_acl_id   = "1234-abcd"
    }

    resource "aws_wafv2_web_acl_association" "by_arn" {
      resource_arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/by-arn/50dc6c495c0c9188"
      web_acl_arn  = "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/web/1"
    }

    resource "aws_api_gateway_stage" "api" {
      stage_name    = "prod"
      rest_api_id   = "abc123"
      deployment_id = "d1"
    }

    resource "aws_wafv2_web_acl_association" "api" {
      resource_arn = aws_api_gateway_stage.api.arn
      web_acl_arn  = "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/api/1"
    }
''')
WAF_CFN = cfn('''
    Bare:
      Type: AWS::ElasticLoadBalancingV2::LoadBalancer
      Properties:
        Subnets: [subnet-1, subnet-2]
    Internal:
      Type: AWS::ElasticLoadBalancingV2::LoadBalancer
      Properties:
        Scheme: internal
        Subnets: [subnet-1, subnet-2]
    Tcp:
      Type: AWS::ElasticLoadBalancingV2::LoadBalancer
      Properties:
        Type: network
        Subnets: [subnet-1, subnet-2]
    V2:
      Type: AWS::ElasticLoadBalancingV2::LoadBalancer
      Properties:
        Subnets: [subnet-1, subnet-2]
    Regional:
      Type: AWS::ElasticLoadBalancingV2::LoadBalancer
      Properties:
        Subnets: [subnet-1, subnet-2]
    ByArn:
      Type: AWS::ElasticLoadBalancingV2::LoadBalancer
      Properties:
        Name: by-arn
        Subnets: [subnet-1, subnet-2]
    V2Waf:
      Type: AWS::WAFv2::WebACLAssociation
      Properties:
        ResourceArn: !Ref V2
        WebACLArn: arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/web/1
    RegionalWaf:
      Type: AWS::WAFRegional::WebACLAssociation
      Properties:
        ResourceArn: !Ref Regional
        WebACLId: 1234-abcd
    ByArnWaf:
      Type: AWS::WAFv2::WebACLAssociation
      Properties:
        ResourceArn: arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/by-arn/50dc6c495c0c9188
        WebACLArn: arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/web/1
    Api:
      Type: AWS::ApiGateway::Stage
      Properties:
        StageName: prod
        RestApiId: abc123
        DeploymentId: d1
    ApiWaf:
      Type: AWS::WAFv2::WebACLAssociation
      Properties:
        ResourceArn: !Sub arn:aws:apigateway:${AWS::Region}::/restapis/abc123/stages/${Api}
        WebACLArn: arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/api/1
''')


def test_no_waf_associations_fold_onto_the_alb(write_tree):
    """WAFv2 and WAF Classic regional associations protect the ALB they name (by reference or by
    a literal ARN); an association of another resource does not; internal ALBs and NLBs are not
    checked."""
    assert found(write_tree, "lb-no-waf", WAF_TF, WAF_CFN) == {
        ("aws_lb.bare", "tf/main.tf", line(WAF_TF, '"aws_lb" "bare"')),
        ("Bare", "cfn/template.yaml", line(WAF_CFN, "  Bare:")),
    }


UNKNOWN_TARGET_TF = tf('''
    variable "alb_arn" {
      type = string
    }

    resource "aws_lb" "web" {
      subnets = ["subnet-1", "subnet-2"]
    }

    resource "aws_wafv2_web_acl_association" "somewhere" {
      resource_arn = var.alb_arn
      web_acl_arn  = "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/web/1"
    }
''')
UNKNOWN_TARGET_CFN = cfn('''
    Web:
      Type: AWS::ElasticLoadBalancingV2::LoadBalancer
      Properties:
        Subnets: [subnet-1, subnet-2]
    Somewhere:
      Type: AWS::WAFv2::WebACLAssociation
      Properties:
        ResourceArn: !Ref AlbArn
        WebACLArn: arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/web/1
''', parameters='''
    AlbArn:
      Type: String
''')


def test_no_waf_association_with_unknown_target_may_protect_any_alb(write_tree):
    assert found(write_tree, "lb-no-waf", UNKNOWN_TARGET_TF, UNKNOWN_TARGET_CFN) == set()


# An ALB whose security group admits %(ingress)s on port 443 and, in CLOUDFRONT_*, a distribution in
# front of it with %(web_acl)s; the values go in after tf() and cfn() have laid the text out.
ALB_TF = '''
    resource "aws_security_group" "alb" {
      name   = "alb"
      vpc_id = "vpc-1"

      ingress {
        protocol  = "tcp"
        from_port = 443
        to_port   = 443
    %(ingress)s
      }
    }

    resource "aws_lb" "web" {
      subnets         = ["subnet-1", "subnet-2"]
      security_groups = [aws_security_group.alb.id]
    }
'''
CLOUDFRONT_TF = '''
    resource "aws_cloudfront_distribution" "web" {
      enabled = true
    %(web_acl)s
      origin {
        origin_id   = "alb"
        domain_name = aws_lb.web.dns_name
        custom_origin_config {
          http_port              = 80
          https_port             = 443
          origin_protocol_policy = "https-only"
          origin_ssl_protocols   = ["TLSv1.2"]
        }
      }

      default_cache_behavior {
        target_origin_id       = "alb"
        viewer_protocol_policy = "redirect-to-https"
        allowed_methods        = ["GET", "HEAD"]
        cached_methods         = ["GET", "HEAD"]
      }

      restrictions {
        geo_restriction {
          restriction_type = "none"
        }
      }

      viewer_certificate {
        cloudfront_default_certificate = true
      }
    }
'''
ALB_CFN = '''
    AlbGroup:
      Type: AWS::EC2::SecurityGroup
      Properties:
        GroupDescription: alb
        VpcId: vpc-1
        SecurityGroupIngress:
          - IpProtocol: tcp
            FromPort: 443
            ToPort: 443
    %(ingress)s
    Web:
      Type: AWS::ElasticLoadBalancingV2::LoadBalancer
      Properties:
        Subnets: [subnet-1, subnet-2]
        SecurityGroups: [!Ref AlbGroup]
'''
CLOUDFRONT_CFN = '''\
    Cdn:
      Type: AWS::CloudFront::Distribution
      Properties:
        DistributionConfig:
          Enabled: true
    %(web_acl)s
          Origins:
            - Id: alb
              DomainName: !GetAtt Web.DNSName
              CustomOriginConfig:
                OriginProtocolPolicy: https-only
          DefaultCacheBehavior:
            TargetOriginId: alb
            ViewerProtocolPolicy: redirect-to-https
            ForwardedValues:
              QueryString: false
'''
# What the security group admits (Terraform, CloudFormation), written inside its ingress rule.
INGRESS = {
    "cloudfront-only": ('    prefix_list_ids = ["pl-a3a144ca"] # com.amazonaws.global.cloudfront.origin-facing',
                        "        SourcePrefixListId: pl-a3a144ca"),
    "anywhere": ('    cidr_blocks = ["0.0.0.0/0"]', "        CidrIp: 0.0.0.0/0"),
}
# The distribution in front of the ALB (Terraform, CloudFormation): its web ACL line; "none" writes
# no distribution at all.
DISTRIBUTION = {
    "with-web-acl": ('  web_acl_id = "arn:aws:wafv2:us-east-1:123456789012:global/webacl/edge/1"',
                     "      WebACLId: arn:aws:wafv2:us-east-1:123456789012:global/webacl/edge/1"),
    "without-web-acl": ("", ""),
    "none": (None, None),
}


@pytest.mark.parametrize(("distribution", "ingress", "reported"), [
    ("with-web-acl", "cloudfront-only", False),    # only reachable behind CloudFront with a web ACL
    ("with-web-acl", "anywhere", True),            # the web ACL can be bypassed straight to the ALB
    ("without-web-acl", "cloudfront-only", True),  # CloudFront in front, but without a web ACL
    # Any distribution, someone else's too, reaches an ALB through the CloudFront prefix list:
    # without a distribution with a web ACL in the configuration, the ALB is reported.
    ("none", "cloudfront-only", True),
])
def test_no_waf_only_behind_cloudfront_with_a_web_acl(write_tree, distribution, ingress, reported):
    (tf_acl, cfn_acl), (tf_ingress, cfn_ingress) = DISTRIBUTION[distribution], INGRESS[ingress]
    behind = distribution != "none"
    terraform = tf(ALB_TF + (CLOUDFRONT_TF if behind else "")) % {"ingress": tf_ingress, "web_acl": tf_acl}
    template = cfn(ALB_CFN + (CLOUDFRONT_CFN if behind else "")) % {"ingress": cfn_ingress, "web_acl": cfn_acl}
    expected = {
        ("aws_lb.web", "tf/main.tf", line(terraform, '"aws_lb" "web"')),
        ("Web", "cfn/template.yaml", line(template, "  Web:")),
    } if reported else set()
    assert found(write_tree, "lb-no-waf", terraform, template) == expected


# --- lb-target-plaintext ----------------------------------------------------------------------------

def _alb(internal: str = "false", group: str = 'protocol = "HTTP"\n  port = 80', action: str = "") -> str:
    action = action or '''default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.t.arn
  }'''
    return tf(f'''
        variable "internal" {{ type = bool }}
        variable "protocol" {{ type = string }}
        resource "aws_lb" "a" {{
          internal = {internal}
          subnets  = ["subnet-1", "subnet-2"]
        }}
        resource "aws_lb_target_group" "t" {{
          {group}
        }}
        resource "aws_lb_listener" "l" {{
          load_balancer_arn = aws_lb.a.arn
          port              = 443
          protocol          = "HTTPS"
          {action}
        }}
    ''')


@pytest.mark.parametrize(("text", "reported"), [
    pytest.param(_alb(), True, id="internet-facing-http"),
    pytest.param(_alb(group='protocol = "HTTPS"\n  port = 443'), False, id="https-targets"),
    pytest.param(_alb(internal="true"), False, id="internal"),
    pytest.param(_alb(internal="var.internal"), False, id="scheme-not-known"),
    pytest.param(_alb(group="protocol = var.protocol\n  port = 80"), False, id="protocol-not-known"),
    pytest.param(_alb(group='target_type = "lambda"'), False, id="lambda-targets"),
    pytest.param(_alb(action='''default_action {
    type = "authenticate-cognito"
    order = 1
  }
  default_action {
    type             = "forward"
    order            = 2
    target_group_arn = aws_lb_target_group.t.arn
  }'''), True, id="authenticate-then-forward"),
    pytest.param(_alb(action='''default_action {
    type = "fixed-response"
    fixed_response {
      content_type = "text/plain"
      status_code  = "404"
    }
  }'''), False, id="not-forwarded"),
])
def test_lb_target_plaintext_terraform(write_tree, text, reported):
    expected = {("aws_lb.a", "main.tf", line(text, "protocol = \"HTTP\""))} if reported else set()
    assert hits(write_tree({"main.tf": text}), "lb-target-plaintext") == expected


def test_lb_target_plaintext_network_load_balancer_and_cloudformation_scheme(write_tree):
    template = cfn('''
        Internal:
          Type: AWS::ElasticLoadBalancingV2::LoadBalancer
          Properties:
            Scheme: internal
            Subnets: [subnet-1, subnet-2]
        Public:
          Type: AWS::ElasticLoadBalancingV2::LoadBalancer
          Properties:
            Subnets: [subnet-1, subnet-2]
        Group:
          Type: AWS::ElasticLoadBalancingV2::TargetGroup
          Properties:
            Port: 8080
            Protocol: HTTP
            VpcId: vpc-1
        ToGroup:
          Type: AWS::ElasticLoadBalancingV2::Listener
          Properties:
            LoadBalancerArn: !Ref Internal
            Port: 80
            Protocol: HTTP
            DefaultActions:
              - Type: forward
                ForwardConfig:
                  TargetGroups:
                    - TargetGroupArn: !Ref Group
        PublicToGroup:
          Type: AWS::ElasticLoadBalancingV2::Listener
          Properties:
            LoadBalancerArn: !Ref Public
            Port: 443
            Protocol: HTTPS
            DefaultActions:
              - Type: forward
                TargetGroupArn: !Ref Group
    ''')
    # The same group behind an internal and an internet-facing (the default scheme) load
    # balancer: reported once, for the internet-facing one.
    assert hits(write_tree({"t.yaml": template}), "lb-target-plaintext") == {
        ("Public", "t.yaml", line(template, "Port: 8080") + 1)}
