"""EKS clusters: where the Kubernetes API endpoint can be reached from."""

from __future__ import annotations

from typing import Any

from iac_assist.model.convert import as_list, to_bool
from iac_assist.model.mapping import Mapping, src
from iac_assist.model.vocabulary import fact, kind

EKS_CLUSTER = kind(
    "eks.cluster", "An EKS cluster and its Kubernetes API endpoint.",
    fact("name", "str", "cluster name"),
    fact("endpoint_public_access", "bool | Unknown", "the API endpoint is reachable from the internet",
         "true (the AWS default)"),
    fact("endpoint_private_access", "bool | Unknown", "the API endpoint is reachable from the VPC", "false"),
    fact("public_access_cidrs", "list[str | Unknown] | Unknown", "CIDRs allowed to reach the public endpoint",
         '["0.0.0.0/0"] (the AWS default)'),
    fact("subnets", "list[Ref | str] | Unknown", "its subnets"),
    fact("security_groups", "list[Ref | str] | Unknown", "additional control plane security groups"),
    fact("outpost", "bool", "a local cluster on AWS Outposts (private endpoint only)", "false"),
)


def _written(_value: Any) -> bool:
    """A block or object that is written at all."""
    return True


def _vpc_config(config: str | tuple[str, int], names: tuple[str, str, str, str, str]) -> dict[str, Any]:
    prefix = (config,) if isinstance(config, str) else config
    public, private, cidrs, subnets, groups = names
    return {
        "endpoint_public_access": src((*prefix, public), convert=to_bool),
        "endpoint_private_access": src((*prefix, private), convert=to_bool),
        "public_access_cidrs": src((*prefix, cidrs), convert=as_list),
        "subnets": src((*prefix, subnets), convert=as_list),
        "security_groups": src((*prefix, groups), convert=as_list),
    }


TERRAFORM = {
    "aws_eks_cluster": Mapping(EKS_CLUSTER, {
        "name": "name",
        **_vpc_config(("vpc_config", 0), ("endpoint_public_access", "endpoint_private_access", "public_access_cidrs",
                                          "subnet_ids", "security_group_ids")),
        "outpost": src(("outpost_config", 0), convert=_written),
    }),
}

CLOUDFORMATION = {
    # A ResourcesVpcConfig that is not known is read by the front end's code.
    "AWS::EKS::Cluster": Mapping(EKS_CLUSTER, {
        "name": "Name",
        **_vpc_config("ResourcesVpcConfig", ("EndpointPublicAccess", "EndpointPrivateAccess", "PublicAccessCidrs",
                                             "SubnetIds", "SecurityGroupIds")),
        "outpost": src("OutpostConfig", convert=_written),
    }),
}

TABLES = {"terraform": TERRAFORM, "cloudformation": CLOUDFORMATION}
