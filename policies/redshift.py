"""Redshift policies: data warehouses reachable from a public network."""

from __future__ import annotations

from collections.abc import Iterator

from iac_assist.analysis.policy import Hit, policy
from iac_assist.fixes.declare import SetFacts
from iac_assist.model import Component, Location, kinds
from iac_assist.model.graph import ResourceGraph

_TERRAFORM_DEFAULT_PUBLIC = "publicly_accessible is not set, and the AWS provider before 6.0 defaults it to true"


def publicly_accessible(comp: Component) -> tuple[Location, str] | None:
    """Where and how a Redshift cluster or Serverless workgroup is publicly accessible: the flag
    set true, or (a Terraform aws_redshift_cluster) left unset, since the AWS provider defaulted
    it to true before version 6.0; None when it is off, unknown, or unset where the default is
    false (CloudFormation, Serverless workgroups)."""
    if comp.is_true("publicly_accessible"):
        return comp.loc_of("publicly_accessible"), "set to true"
    if comp.kind == kinds.REDSHIFT_CLUSTER and comp.source_type == "aws_redshift_cluster" \
            and not comp.has("publicly_accessible"):
        return comp.loc, _TERRAFORM_DEFAULT_PUBLIC
    return None


@policy(
    id="IAC-RSH-001",
    control="redshift-publicly-accessible",
    title="Redshift cluster is publicly accessible",
    severity="high",
    stride="I",
    cwe=284,
    remediation="""
Set `publicly_accessible = false` on `aws_redshift_cluster` (write it even where it is the
default: AWS provider versions before 6.0 make the cluster public when it is left out) and on
`aws_redshiftserverless_workgroup`; in CloudFormation set `PubliclyAccessible: false` (or leave it
out) on `AWS::Redshift::Cluster` and `AWS::RedshiftServerless::Workgroup`. Reach the warehouse from
inside the VPC (applications, a bastion, SSM port forwarding, the Redshift Data API or a VPC
endpoint).
""",
    references=(
        "https://docs.aws.amazon.com/redshift/latest/mgmt/managing-clusters-vpc.html",
        "https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/redshift_cluster",
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-redshift-cluster.html",
    ),
    fix=SetFacts({"publicly_accessible": False}, note="clients outside the VPC lose their direct access"),
)
def redshift_publicly_accessible(graph: ResourceGraph) -> Iterator[Hit]:
    """A publicly accessible Redshift cluster gets a public address: only its security group
    stands between every password-guessing bot on the internet and the warehouse, which usually
    holds the organisation's whole history of data. Reported on a provisioned cluster whose
    publicly_accessible / PubliclyAccessible is true, at the setting, and on a Terraform
    aws_redshift_cluster that leaves it unset, at the resource: the AWS provider defaulted it to
    true before version 6.0 (6.0 made false the default) and the analyser does not know which
    provider version runs, so the setting should be written (a plan JSON carries the value the
    provider chose). CloudFormation leaves a cluster private when PubliclyAccessible is not
    written. Redshift Serverless workgroups (aws_redshiftserverless_workgroup,
    AWS::RedshiftServerless::Workgroup) are private by default and reported when set public.
    Unknown values are not reported. Whether the cluster's subnet routes to an internet gateway
    and its security group admits the internet is the attack graph's to show (a public address
    in a private subnet is unreachable until one of them changes, which is why the flag alone is
    reported)."""
    for comp in graph.of_kind(kinds.REDSHIFT_CLUSTER, kinds.REDSHIFT_WORKGROUP):
        found = publicly_accessible(comp)
        if found is None:
            continue
        loc, how = found
        what = "Redshift cluster" if comp.kind == kinds.REDSHIFT_CLUSTER else "Redshift Serverless workgroup"
        yield Hit(comp, loc,
                  f"{what} {comp.display} is publicly accessible ({how}): it gets a public address reachable "
                  "from the internet. Set publicly_accessible / PubliclyAccessible to false.",
                  cause="publicly_accessible")


POLICIES = [redshift_publicly_accessible]
