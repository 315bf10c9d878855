"""EKS clusters: where the Kubernetes API endpoint can be reached from, the envelope encryption of
Kubernetes secrets, and the control plane logs."""

from __future__ import annotations

from typing import Any

from iac_assist.model import Unknown, is_known
from iac_assist.model.convert import as_list, first_block, items, to_bool
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
    fact("encrypted_resources", "list[str | Unknown] | Unknown",
         """the Kubernetes resources envelope-encrypted with a KMS key of the account's ("secrets"), from the
         encryption configuration""", "none (only the AWS owned key of 1.28+ clusters)"),
    fact("encryption_key", "Ref | str | Unknown", "the KMS key of that envelope encryption"),
    fact("log_types", "list[str | Unknown] | Unknown",
         "the control plane log types sent to CloudWatch Logs (api, audit, authenticator, controllerManager, "
         "scheduler)", "none"),
)


def _written(_value: Any) -> bool:
    """A block or object that is written at all."""
    return True


def _block(value: Any) -> dict[str, Any] | None:
    """The first ``encryption_config`` block (AWS takes one), read from the block itself (located
    there) or, when the list of blocks is not a list of blocks, from that list."""
    return value if isinstance(value, dict) else first_block(value)


def _tf_resources(value: Any) -> Any:
    """``encryption_config { resources }``."""
    block = _block(value)
    return None if block is None else as_list(block.get("resources"))


def _tf_key(value: Any) -> Any:
    """``encryption_config { provider { key_arn } }``."""
    block = _block(value)
    provider = first_block(block.get("provider")) if block is not None else None
    return None if provider is None else provider.get("key_arn")


def _cfn_resources(value: Any) -> Any:
    """``EncryptionConfig: [{Resources: [secrets], Provider: {KeyArn}}]``: the resources of every entry
    (AWS accepts one); an entry not known makes the whole list unknown."""
    found: list[Any] = []
    for entry in value if isinstance(value, list) else [value]:
        if not isinstance(entry, dict):
            return Unknown("EncryptionConfig entry not known")
        found += items(entry.get("Resources"))
    return found


def _cfn_key(value: Any) -> Any:
    entry = value[0] if isinstance(value, list) and value else None
    if entry is None:
        return None
    if not isinstance(entry, dict):
        return Unknown("EncryptionConfig entry not known")
    provider = entry.get("Provider")
    if provider is None or not isinstance(provider, dict):
        return provider if provider is None or not is_known(provider) else Unknown("Provider not an object")
    return provider.get("KeyArn")


def _cfn_log_types(value: Any) -> Any:
    """``Logging: {ClusterLogging: {EnabledTypes: [{Type: api}, ...]}}``: the types; none when a level is
    not written, unknown when one is not known."""
    for step in ("ClusterLogging", "EnabledTypes"):
        if not isinstance(value, dict):
            return Unknown(f"Logging not known down to {step}")
        value = value.get(step)
        if value is None:
            return []
    if not isinstance(value, list):
        return Unknown("EnabledTypes not a list")
    return [entry.get("Type", Unknown("no Type")) if isinstance(entry, dict) else Unknown("entry not known")
            for entry in value]


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
        # The block, located there; the list of blocks when it is not known (a plan).
        "encrypted_resources": src(("encryption_config", 0), "encryption_config", convert=_tf_resources),
        "encryption_key": src(("encryption_config", 0), "encryption_config", convert=_tf_key),
        "log_types": src("enabled_cluster_log_types", convert=as_list),
    }),
}

CLOUDFORMATION = {
    # A ResourcesVpcConfig that is not known is read by the front end's code.
    "AWS::EKS::Cluster": Mapping(EKS_CLUSTER, {
        "name": "Name",
        **_vpc_config("ResourcesVpcConfig", ("EndpointPublicAccess", "EndpointPrivateAccess", "PublicAccessCidrs",
                                             "SubnetIds", "SecurityGroupIds")),
        "outpost": src("OutpostConfig", convert=_written),
        "encrypted_resources": src("EncryptionConfig", convert=_cfn_resources),
        "encryption_key": src("EncryptionConfig", convert=_cfn_key),
        "log_types": src("Logging", convert=_cfn_log_types),
    }),
}

TABLES = {"terraform": TERRAFORM, "cloudformation": CLOUDFORMATION}
