"""EKS policies: each edge-case decision the policy documents gives the same verdict in Terraform
and CloudFormation; the shipped examples are checked against their snapshots by
test_policies_examples.py."""

from __future__ import annotations

import pytest

from tests.policy_examples import cfn, found, hits, line, messages, tf
from tests.test_threatmodel_states import threats_of


def _tf_cluster(name: str, vpc_config: str, extra: str = "") -> str:
    return (f'resource "aws_eks_cluster" "{name}" {{\n  name     = "{name}"\n'
            f'  role_arn = "arn:aws:iam::123456789012:role/eks"\n{extra}'
            f'  vpc_config {{\n    subnet_ids = ["subnet-0a1b2c3d4e5f60001"]\n{vpc_config}  }}\n}}\n')


def _cfn_cluster(name: str, vpc_config: str, extra: str = "") -> str:
    return (f"{name}:\n  Type: AWS::EKS::Cluster\n  Properties:\n    RoleArn: arn:aws:iam::123456789012:role/eks\n"
            f"{extra}    ResourcesVpcConfig:\n      SubnetIds: [subnet-0a1b2c3d4e5f60001]\n{vpc_config}")


CLUSTERS_TF = tf('''
    variable "public" {
      type = bool
    }

    variable "cidrs" {
      type = list(string)
    }
''') + "\n".join([
    _tf_cluster("defaults", ""),
    _tf_cluster("private", "    endpoint_private_access = true\n    endpoint_public_access  = false\n"),
    _tf_cluster("maybe_public", "    endpoint_public_access = var.public\n"),
    _tf_cluster("open", '    endpoint_public_access = true\n'
                        '    public_access_cidrs    = ["10.1.0.0/16", "0.0.0.0/0"]\n'),
    _tf_cluster("empty", "    public_access_cidrs = []\n"),
    _tf_cluster("office", '    public_access_cidrs = ["203.0.113.0/24"]\n'),
    _tf_cluster("unknown_cidrs", "    public_access_cidrs = var.cidrs\n"),
    _tf_cluster("outpost", "", extra='  outpost_config {\n    control_plane_instance_type = "m5.large"\n'
                '    outpost_arns = ["arn:aws:outposts:us-west-2:123456789012:outpost/op-0123456789abcdef0"]\n  }\n'),
])
CLUSTERS_CFN = cfn("".join([
    _cfn_cluster("Defaults", ""),
    _cfn_cluster("Private", "      EndpointPrivateAccess: true\n      EndpointPublicAccess: false\n"),
    _cfn_cluster("MaybePublic", "      EndpointPublicAccess: !Ref Public\n"),
    _cfn_cluster("Open", '      EndpointPublicAccess: "true"\n      PublicAccessCidrs: [10.1.0.0/16, 0.0.0.0/0]\n'),
    _cfn_cluster("Empty", "      PublicAccessCidrs: []\n"),
    _cfn_cluster("Office", "      PublicAccessCidrs: [203.0.113.0/24]\n"),
    _cfn_cluster("UnknownCidrs", "      PublicAccessCidrs: !Ref Cidrs\n"),
    _cfn_cluster("Outpost", "", extra="    OutpostConfig:\n      ControlPlaneInstanceType: m5.large\n"
                 "      OutpostArns: [arn:aws:outposts:us-west-2:123456789012:outpost/op-0123456789abcdef0]\n"),
]), parameters='''
    Public:
      Type: String
    Cidrs:
      Type: CommaDelimitedList
''')


def test_public_endpoint_defaults_cidrs_and_exemptions(write_tree):
    """Public by default and open by default: reported at the cluster; an open CIDR among
    others and an empty list are reported at the CIDRs; a private-only endpoint, restricted
    CIDRs, unknown values and local clusters on Outposts are not reported."""
    assert found(write_tree, "eks-public-endpoint", CLUSTERS_TF, CLUSTERS_CFN) == {
        ("aws_eks_cluster.defaults", "tf/main.tf", line(CLUSTERS_TF, '"aws_eks_cluster" "defaults"')),
        ("aws_eks_cluster.open", "tf/main.tf", line(CLUSTERS_TF, '"0.0.0.0/0"]')),
        ("aws_eks_cluster.empty", "tf/main.tf", line(CLUSTERS_TF, "public_access_cidrs = []")),
        ("Defaults", "cfn/template.yaml", line(CLUSTERS_CFN, "  Defaults:")),
        ("Open", "cfn/template.yaml", line(CLUSTERS_CFN, "0.0.0.0/0]")),
        ("Empty", "cfn/template.yaml", line(CLUSTERS_CFN, "PublicAccessCidrs: []")),
    }


def test_null_cidrs_are_not_set_in_both_formats(write_tree):
    # Drift the tables fixed: Terraform turned a null public_access_cidrs into an empty list
    # (reported as "empty", at the attribute); CloudFormation kept it unset. Null is unset in both.
    root = write_tree({
        "tf/main.tf": tf(_tf_cluster("c", "    public_access_cidrs = null\n")),
        "cfn/template.yaml": cfn(_cfn_cluster("C", "      PublicAccessCidrs: null\n")),
    })
    texts = messages(root, "eks-public-endpoint")
    assert len(texts) == 2 and all("public_access_cidrs is not set" in text for text in texts)


# --- eks-secrets-unencrypted ---------------------------------------------------------------------

_KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"

SECRETS_TF = tf('''
    variable "resources" {
      type = list(string)
    }

    variable "encryption" {
      type = any
    }
''') + "\n".join([
    _tf_cluster("none", ""),
    _tf_cluster("secrets", "", extra=f'  encryption_config {{\n    resources = ["secrets"]\n'
                f'    provider {{\n      key_arn = "{_KEY}"\n    }}\n  }}\n'),
    _tf_cluster("other", "", extra=f'  encryption_config {{\n    resources = ["configmaps"]\n'
                f'    provider {{\n      key_arn = "{_KEY}"\n    }}\n  }}\n'),
    _tf_cluster("unknown", "", extra=f'  encryption_config {{\n    resources = var.resources\n'
                f'    provider {{\n      key_arn = "{_KEY}"\n    }}\n  }}\n'),
    # terraform-aws-modules/eks: a dynamic block over a variable without value: not known.
    _tf_cluster("dynamic", "", extra='  dynamic "encryption_config" {\n    for_each = var.encryption\n'
                '    content {\n      resources = encryption_config.value.resources\n'
                '      provider {\n        key_arn = encryption_config.value.key\n      }\n    }\n  }\n'),
    _tf_cluster("outpost", "", extra='  outpost_config {\n    control_plane_instance_type = "m5.large"\n'
                '    outpost_arns = ["arn:aws:outposts:us-west-2:123456789012:outpost/op-0123456789abcdef0"]\n  }\n'),
])
SECRETS_CFN = cfn("".join([
    _cfn_cluster("None", ""),
    _cfn_cluster("Secrets", "", extra=f"    EncryptionConfig:\n      - Resources: [secrets]\n"
                 f"        Provider:\n          KeyArn: {_KEY}\n"),
    _cfn_cluster("Other", "", extra=f"    EncryptionConfig:\n      - Resources: [configmaps]\n"
                 f"        Provider:\n          KeyArn: {_KEY}\n"),
    _cfn_cluster("Unknown", "", extra=f"    EncryptionConfig:\n      - Resources: !Ref Resources\n"
                 f"        Provider:\n          KeyArn: {_KEY}\n"),
    _cfn_cluster("NoKey", "", extra="    EncryptionConfig:\n      - Resources: [secrets]\n"),
    _cfn_cluster("Outpost", "", extra="    OutpostConfig:\n      ControlPlaneInstanceType: m5.large\n"
                 "      OutpostArns: [arn:aws:outposts:us-west-2:123456789012:outpost/op-0123456789abcdef0]\n"),
]), parameters='''
    Resources:
      Type: CommaDelimitedList
''')


def test_secrets_encryption_missing_without_secrets_or_without_key(write_tree):
    """No configuration: reported at the cluster; one without "secrets" or without a key: at the
    configuration; unknown resources (a variable, a dynamic block over a variable without value)
    and local clusters on Outposts are not reported."""
    assert found(write_tree, "eks-secrets-unencrypted", SECRETS_TF, SECRETS_CFN) == {
        ("aws_eks_cluster.none", "tf/main.tf", line(SECRETS_TF, '"aws_eks_cluster" "none"')),
        ("aws_eks_cluster.other", "tf/main.tf", line(SECRETS_TF, '["configmaps"]') - 1),
        ("None", "cfn/template.yaml", line(SECRETS_CFN, "  None:")),
        ("Other", "cfn/template.yaml", line(SECRETS_CFN, "[configmaps]") - 1),
        ("NoKey", "cfn/template.yaml", line(SECRETS_CFN, "  NoKey:") + 4),
    }


MODULE_MAIN = tf('''
    variable "cluster_encryption_config" {
      type = any
      default = {
        resources = ["secrets"]
      }
    }

    variable "kms_key_arn" {
      type = string
    }

    resource "aws_eks_cluster" "this" {
      name     = "platform"
      role_arn = "arn:aws:iam::123456789012:role/eks"

      vpc_config {
        subnet_ids = ["subnet-0a1b2c3d4e5f60001"]
      }

      dynamic "encryption_config" {
        for_each = length(var.cluster_encryption_config) > 0 ? [var.cluster_encryption_config] : []

        content {
          provider {
            key_arn = var.kms_key_arn
          }
          resources = encryption_config.value.resources
        }
      }
    }
''')


@pytest.mark.parametrize("inputs,reported", [
    ('  kms_key_arn = aws_kms_key.eks.arn\n', False),
    ('  kms_key_arn = aws_kms_key.eks.arn\n  cluster_encryption_config = {}\n', True),
    ('  kms_key_arn = aws_kms_key.eks.arn\n  cluster_encryption_config = var.encryption\n', False),
])
def test_a_module_shaped_like_terraform_aws_modules_eks(write_tree, inputs, reported):
    """The module's default encrypts secrets; a caller that passes {} turns it off (no block:
    reported at the module's cluster); one that passes a variable without value is not known."""
    root = write_tree({
        "modules/eks/main.tf": MODULE_MAIN,
        "main.tf": 'variable "encryption" {\n  type = any\n}\n\nresource "aws_kms_key" "eks" {}\n\n'
                   f'module "eks" {{\n  source = "./modules/eks"\n{inputs}}}\n',
    })
    texts = messages(root, "eks-secrets-unencrypted")
    assert len(texts) == int(reported)
    threat = next(t for t in threats_of(root).values() if t["id"].startswith("eks-secret-disclosure@"))
    assert threat["status"] == ("open" if reported else "mitigated" if "var." not in inputs else "undetermined")


# --- eks-control-plane-logging-missing -----------------------------------------------------------

LOGS_TF = tf('''
    variable "log_types" {
      type = list(string)
    }

    variable "extra" {
      type = string
    }
''') + "\n".join([
    _tf_cluster("none", ""),
    _tf_cluster("empty", "", extra="  enabled_cluster_log_types = []\n"),
    _tf_cluster("partial", "", extra='  enabled_cluster_log_types = ["api", "scheduler"]\n'),
    _tf_cluster("all", "", extra='  enabled_cluster_log_types = ["authenticator", "audit", "api"]\n'),
    _tf_cluster("unknown", "", extra="  enabled_cluster_log_types = var.log_types\n"),
    _tf_cluster("one_unknown", "", extra='  enabled_cluster_log_types = ["api", "audit", var.extra]\n'),
])
LOGS_CFN = cfn("".join([
    _cfn_cluster("None", ""),
    _cfn_cluster("Empty", "", extra="    Logging:\n      ClusterLogging:\n        EnabledTypes: []\n"),
    _cfn_cluster("Partial", "", extra="    Logging:\n      ClusterLogging:\n        EnabledTypes:\n"
                 "          - Type: api\n          - Type: scheduler\n"),
    _cfn_cluster("All", "", extra="    Logging:\n      ClusterLogging:\n        EnabledTypes:\n"
                 "          - Type: authenticator\n          - Type: audit\n          - Type: api\n"),
    _cfn_cluster("Unknown", "", extra="    Logging: !Ref Logging\n"),
    _cfn_cluster("OneUnknown", "", extra="    Logging:\n      ClusterLogging:\n        EnabledTypes:\n"
                 "          - Type: api\n          - Type: audit\n          - Type: !Ref Extra\n"),
]), parameters='''
    Logging:
      Type: String
    Extra:
      Type: String
''')


def test_control_plane_logs_missing_named_in_the_message(write_tree):
    """Unset: reported at the cluster; an empty or partial list at the list, naming what is
    missing; all three (in any order), an unknown list or an unknown element are not reported."""
    assert found(write_tree, "eks-control-plane-logging-missing", LOGS_TF, LOGS_CFN) == {
        ("aws_eks_cluster.none", "tf/main.tf", line(LOGS_TF, '"aws_eks_cluster" "none"')),
        ("aws_eks_cluster.empty", "tf/main.tf", line(LOGS_TF, "= []")),
        ("aws_eks_cluster.partial", "tf/main.tf", line(LOGS_TF, '"scheduler"')),
        ("None", "cfn/template.yaml", line(LOGS_CFN, "  None:")),
        ("Empty", "cfn/template.yaml", line(LOGS_CFN, "  Empty:") + 4),
        ("Partial", "cfn/template.yaml", line(LOGS_CFN, "  Partial:") + 4),
    }
    root = write_tree({"tf/main.tf": LOGS_TF, "cfn/template.yaml": LOGS_CFN})
    texts = messages(root, "eks-control-plane-logging-missing")
    partial = [t for t in texts if "partial" in t.lower()]
    assert len(partial) == 2 and all("the audit and authenticator control plane logs (enabled: api, scheduler)" in t
                                     for t in partial)


def test_logging_threat_open_undetermined_and_mitigated(write_tree):
    root = write_tree({"tf/main.tf": LOGS_TF})
    status = {t["id"]: t["status"] for t in threats_of(root).values() if t["id"].startswith("eks-repudiation@")}
    assert status == {
        "eks-repudiation@aws_eks_cluster.none": "open",
        "eks-repudiation@aws_eks_cluster.empty": "open",
        "eks-repudiation@aws_eks_cluster.partial": "open",
        "eks-repudiation@aws_eks_cluster.all": "mitigated",
        "eks-repudiation@aws_eks_cluster.unknown": "undetermined",
        "eks-repudiation@aws_eks_cluster.one_unknown": "undetermined",
    }


def test_plan_json_reads_encryption_and_logs_with_unknowns(tmp_path):
    """A plan writes the blocks as lists; a key or a whole block computed at apply is unknown and
    not reported, an empty list is no encryption, a null log list none enabled."""
    from tests.test_terraform_plan import plan_text, write

    def cluster(name: str, **values: object) -> dict:
        return {"address": f"aws_eks_cluster.{name}", "type": "aws_eks_cluster", "name": name,
                "values": {"name": name, "vpc_config": [{"subnet_ids": ["subnet-1"]}], **values}}

    secrets = [{"resources": ["secrets"], "provider": [{"key_arn": None}]}]
    resources = [
        cluster("bare", encryption_config=[], enabled_cluster_log_types=None),
        cluster("key_at_apply", encryption_config=secrets, enabled_cluster_log_types=["api", "audit", "authenticator"]),
        cluster("block_at_apply", enabled_cluster_log_types=["audit"]),
    ]
    unknown = {"aws_eks_cluster.key_at_apply": {"encryption_config": [{"provider": [{"key_arn": True}]}]},
               "aws_eks_cluster.block_at_apply": {"encryption_config": True}}
    write(tmp_path, "plan.json", plan_text(resources, unknown=unknown))
    assert {r for r, _f, _n in hits(tmp_path, "eks-secrets-unencrypted")} == {"aws_eks_cluster.bare"}
    assert {r for r, _f, _n in hits(tmp_path, "eks-control-plane-logging-missing")} == {
        "aws_eks_cluster.bare", "aws_eks_cluster.block_at_apply"}
