"""EKS policies: each edge-case decision the policy documents gives the same verdict in Terraform
and CloudFormation; the shipped examples are checked against their snapshots by
test_policies_examples.py."""

from __future__ import annotations

from tests.policy_examples import cfn, found, line, messages, tf


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
