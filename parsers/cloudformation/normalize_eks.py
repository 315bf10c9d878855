"""EKS clusters: what the table (``iac_assist/model/vocabulary/eks.py``) cannot say."""

from __future__ import annotations

from iac_assist.model import Component, Unknown
from iac_assist.model.builder import ModelBuilder, Normalizer
from iac_assist.model.resource import SourceResource

VPC_CONFIG = "ResourcesVpcConfig"


def register(normalizer: Normalizer) -> None:
    normalizer.extend("AWS::EKS::Cluster")(vpc_config_unknown)


def vpc_config_unknown(comp: Component, res: SourceResource, builder: ModelBuilder) -> None:
    """A ResourcesVpcConfig that is not known (a parameter of the wrong type) may open the endpoint."""
    config = res.get(VPC_CONFIG)
    if config is not None and not isinstance(config, dict):
        comp.set("endpoint_public_access", Unknown(f"{VPC_CONFIG} not known"), res.at(VPC_CONFIG))
