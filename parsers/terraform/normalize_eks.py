"""EKS clusters in Terraform: where the Kubernetes API endpoint can be reached from."""

from __future__ import annotations

from iac_assist.model import kinds
from iac_assist.model.builder import ModelBuilder
from iac_assist.model.convert import as_list, to_bool
from iac_assist.model.resource import SourceResource
from iac_assist.parsers.terraform.normalizer import NORMALIZER


@NORMALIZER.register("aws_eks_cluster")
def cluster(res: SourceResource, b: ModelBuilder) -> None:
    comp = b.add(res, kinds.EKS_CLUSTER)
    b.copy(comp, "name", res, "name")
    blocks = res.blocks("vpc_config")
    if blocks:
        i, block = blocks[0]
        for key, attr, convert in (
            ("endpoint_public_access", "endpoint_public_access", to_bool),
            ("endpoint_private_access", "endpoint_private_access", to_bool),
            ("public_access_cidrs", "public_access_cidrs", as_list),
            ("subnets", "subnet_ids", as_list),
            ("security_groups", "security_group_ids", as_list),
        ):
            if attr in block:
                value = block[attr]
                comp.set(key, convert(value), res.at("vpc_config", i, attr))
    if res.blocks("outpost_config"):
        comp.set("outpost", True, res.at("outpost_config"))
