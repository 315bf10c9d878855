"""EKS clusters: where the Kubernetes API endpoint can be reached from."""

from __future__ import annotations

from typing import Any

from iac_assist.model import Unknown
from iac_assist.model.builder import ModelBuilder, Normalizer
from iac_assist.model.convert import to_bool
from iac_assist.model.kinds import EKS_CLUSTER
from iac_assist.model.resource import SourceResource

VPC_CONFIG = "ResourcesVpcConfig"


def register(normalizer: Normalizer) -> None:
    normalizer.register("AWS::EKS::Cluster")(cluster)


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


def cluster(res: SourceResource, builder: ModelBuilder) -> None:
    comp = builder.add(res, EKS_CLUSTER)
    builder.copy(comp, "name", res, "Name")
    config = res.get(VPC_CONFIG)
    if res.has(VPC_CONFIG) and not isinstance(config, dict):
        comp.set("endpoint_public_access", Unknown(f"{VPC_CONFIG} not known"), res.at(VPC_CONFIG))
    for key, prop, convert in (
        ("endpoint_public_access", "EndpointPublicAccess", to_bool),
        ("endpoint_private_access", "EndpointPrivateAccess", to_bool),
        ("public_access_cidrs", "PublicAccessCidrs", _as_list),
        ("subnets", "SubnetIds", _as_list),
        ("security_groups", "SecurityGroupIds", _as_list),
    ):
        builder.copy(comp, key, res, VPC_CONFIG, prop, convert=convert)
    if res.has("OutpostConfig"):
        comp.set("outpost", True, res.at("OutpostConfig"))
