"""Search domain policies: each edge-case decision the policy documents gives the same verdict in
Terraform and CloudFormation; the shipped examples are checked against their snapshots by
test_policies_examples.py."""

from __future__ import annotations

from tests.policy_examples import cfn, found, line, tf

DOMAINS_TF = tf('''
    variable "encrypted" {
      type = bool
    }

    resource "aws_opensearch_domain" "unset" {
      domain_name = "unset"
    }

    resource "aws_opensearch_domain" "both_off" {
      domain_name = "both-off"
      encrypt_at_rest {
        enabled = false
      }
      node_to_node_encryption {
        enabled = false
      }
    }

    resource "aws_opensearch_domain" "unknown" {
      domain_name = "unknown"
      encrypt_at_rest {
        enabled = var.encrypted
      }
      node_to_node_encryption {
        enabled = var.encrypted
      }
    }

    resource "aws_opensearch_domain" "flag_left_out" {
      domain_name = "flag-left-out"
      encrypt_at_rest {
        kms_key_id = "alias/search"
      }
      node_to_node_encryption {
        enabled = true
      }
    }

    resource "aws_elasticsearch_domain" "legacy" {
      domain_name           = "legacy"
      elasticsearch_version = "7.10"
      encrypt_at_rest {
        enabled = true
      }
    }
''')
DOMAINS_CFN = cfn('''
    Unset:
      Type: AWS::OpenSearchService::Domain
      Properties:
        DomainName: unset
    BothOff:
      Type: AWS::OpenSearchService::Domain
      Properties:
        EncryptionAtRestOptions:
          Enabled: false
        NodeToNodeEncryptionOptions:
          Enabled: "false"
    Unknown:
      Type: AWS::OpenSearchService::Domain
      Properties:
        EncryptionAtRestOptions:
          Enabled: !Ref Encrypted
        NodeToNodeEncryptionOptions:
          Enabled: !Ref Encrypted
    FlagLeftOut:
      Type: AWS::OpenSearchService::Domain
      Properties:
        EncryptionAtRestOptions:
          KmsKeyId: alias/search
        NodeToNodeEncryptionOptions:
          Enabled: true
    Legacy:
      Type: AWS::Elasticsearch::Domain
      Properties:
        ElasticsearchVersion: "7.10"
        EncryptionAtRestOptions:
          Enabled: true
''', parameters='''
    Encrypted:
      Type: String
''')


def test_unset_settings_are_off_unknown_ones_are_not_reported(write_tree):
    """Unset is off (at the domain); off is reported at the flag; a variable or parameter
    without value is not reported; an options object without its flag is off in CloudFormation
    (at the object) and unknown in Terraform (the provider requires it); the legacy
    Elasticsearch resource types are checked alike."""
    both_off = line(DOMAINS_TF, '"aws_opensearch_domain" "both_off"')
    assert found(write_tree, "search-domain-unencrypted", DOMAINS_TF, DOMAINS_CFN) == {
        ("aws_opensearch_domain.unset", "tf/main.tf", line(DOMAINS_TF, '"aws_opensearch_domain" "unset"')),
        ("aws_opensearch_domain.both_off", "tf/main.tf", both_off + 3),
        ("aws_opensearch_domain.both_off", "tf/main.tf", both_off + 6),
        ("aws_elasticsearch_domain.legacy", "tf/main.tf", line(DOMAINS_TF, '"aws_elasticsearch_domain" "legacy"')),
        ("Unset", "cfn/template.yaml", line(DOMAINS_CFN, "  Unset:")),
        ("BothOff", "cfn/template.yaml", line(DOMAINS_CFN, "Enabled: false")),
        ("BothOff", "cfn/template.yaml", line(DOMAINS_CFN, 'Enabled: "false"')),
        ("FlagLeftOut", "cfn/template.yaml", line(DOMAINS_CFN, "KmsKeyId: alias/search") - 1),
        ("Legacy", "cfn/template.yaml", line(DOMAINS_CFN, "  Legacy:")),
    }


def test_each_missing_setting_is_its_own_finding(write_tree):
    from iac_assist.analysis.engine import scan

    root = write_tree({"tf/main.tf": DOMAINS_TF, "cfn/template.yaml": DOMAINS_CFN})
    causes = {(f.resource, f.cause) for f in scan([root]).findings if f.control == "search-domain-unencrypted"}
    assert {c for r, c in causes if r in ("aws_opensearch_domain.unset", "Unset")} == {
        "encrypt_at_rest", "node_to_node_encryption"}
    assert {c for r, c in causes if r in ("aws_elasticsearch_domain.legacy", "Legacy")} == {"node_to_node_encryption"}
