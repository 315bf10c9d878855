"""EKS policies: a Kubernetes API endpoint reachable from the whole internet."""

from __future__ import annotations

from collections.abc import Iterator

from iac_assist.analysis.policy import Hit, policy
from iac_assist.model import kinds
from iac_assist.model.graph import ResourceGraph
from iac_assist.model.network import is_anywhere

_FIX = ("Turn the public endpoint off (endpoint_public_access / EndpointPublicAccess: false, with the private "
        "endpoint on) or list the networks allowed in public_access_cidrs / PublicAccessCidrs.")


@policy(
    id="IAC-EKS-001",
    control="eks-public-endpoint",
    title="EKS cluster API endpoint is open to the internet",
    severity="high",
    stride="SE",
    cwe=668,
    remediation="""
Make the API endpoint private: `vpc_config { endpoint_private_access = true,
endpoint_public_access = false }` on `aws_eks_cluster` (Terraform) / `ResourcesVpcConfig:
{EndpointPrivateAccess: true, EndpointPublicAccess: false}` on `AWS::EKS::Cluster`
(CloudFormation), and reach it through the VPC (VPN, bastion, SSM). If it must stay public, restrict
it to known networks with `public_access_cidrs` / `PublicAccessCidrs` (never 0.0.0.0/0).
""",
    references=(
        "https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html",
        "https://docs.aws.amazon.com/eks/latest/userguide/config-cluster-endpoint.html",
    ),
)
def eks_public_endpoint(graph: ResourceGraph) -> Iterator[Hit]:
    """The cluster's Kubernetes API server accepts requests from wherever its endpoint admits:
    open to the internet, anyone can probe it, try stolen or leaked kubeconfig credentials and
    tokens, and exploit API server or authenticator flaws, and a compromise there controls every
    workload. Reported when the public endpoint is on (AWS's default when unset) and its allowed
    CIDRs include the whole internet: public_access_cidrs / PublicAccessCidrs unset or empty
    (both mean AWS's default 0.0.0.0/0) or holding a CIDR that spans it (0.0.0.0/0, ::/0). The
    finding points at the CIDRs when they are written, else at the public access setting or
    the cluster. Restricted CIDRs are not reported, however wide, nor are unknown values
    (a variable without value may hold a narrow list). Local clusters on AWS Outposts
    (outpost_config / OutpostConfig) only have a private endpoint and are not checked."""
    for cluster in graph.of_kind(kinds.EKS_CLUSTER):
        if cluster.is_true("outpost") or not cluster.is_true("endpoint_public_access", unset=True):
            continue
        cidrs = cluster.get("public_access_cidrs")
        if cidrs is None or cidrs == []:
            unset = "public_access_cidrs is not set" if cidrs is None else "public_access_cidrs is empty"
            yield Hit(cluster, cluster.loc_of("public_access_cidrs" if cidrs == [] else "endpoint_public_access"),
                      f"EKS cluster {cluster.display} has a public API endpoint open to the whole internet: "
                      f"{unset}, so AWS allows 0.0.0.0/0. {_FIX}",
                      cause="public_access_cidrs:default")
            continue
        if not isinstance(cidrs, list):
            continue
        wide = [c.strip() for c in cidrs if is_anywhere(c)]
        if wide:
            yield Hit(cluster, cluster.loc_of("public_access_cidrs"),
                      f"EKS cluster {cluster.display} has a public API endpoint open to the whole internet: "
                      f"public_access_cidrs allows {', '.join(wide)}. {_FIX}",
                      cause="public_access_cidrs:" + ",".join(wide))


POLICIES = [eks_public_endpoint]
