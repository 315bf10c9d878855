"""EC2 compute in Terraform: what the table (``iac_assist/model/vocabulary/ec2.py``) cannot say:
security groups from two attributes, launch template blocks, metadata options not known before
apply, block devices, user data, and the satellites (auto scaling attachments, Elastic IPs)."""

from __future__ import annotations

from typing import Any

from iac_assist.model import Component, Fact, Ref, Unknown, kinds, user_data
from iac_assist.model.builder import ModelBuilder
from iac_assist.model.convert import as_text, to_bool, to_int
from iac_assist.model.resource import SourceResource
from iac_assist.parsers.terraform.normalizer import NORMALIZER, items


def _user_data(comp: Component, res: SourceResource, plain: str | None, encoded: str | None) -> None:
    if plain and res.has(plain):
        comp.set("user_data", user_data.decode(res.get(plain)), res.at(plain))
    elif encoded and res.has(encoded):
        comp.set("user_data", user_data.decode(res.get(encoded), encoded=True), res.at(encoded))


def _block(res: SourceResource, name: str) -> tuple[int, dict[str, Any]] | Unknown | None:
    """The first nested block ``name`` with its index; Unknown when the blocks are; None if absent."""
    value = res.get(name)
    if isinstance(value, (Unknown, Ref)):
        return Unknown(f"{name} not known before apply")
    blocks = res.blocks(name)
    return blocks[0] if blocks else None


def _unknown_metadata(comp: Component, res: SourceResource) -> None:
    """A metadata_options block not known before apply: both options are unknown."""
    if isinstance(_block(res, "metadata_options"), Unknown):
        unknown = Unknown("metadata_options not known before apply")
        comp.set("http_tokens", unknown, res.at("metadata_options"))
        comp.set("http_endpoint", unknown, res.at("metadata_options"))


def _volume(block: dict[str, Any], root: bool | None) -> dict[str, Any]:
    entry: dict[str, Any] = {}
    if root is not None:
        entry["root"] = root
    if block.get("device_name") is not None:
        entry["device_name"] = as_text(block["device_name"])
    if block.get("encrypted") is not None:
        entry["encrypted"] = to_bool(block["encrypted"])
    if block.get("snapshot_id") not in (None, ""):
        entry["snapshot"] = block["snapshot_id"]
    return entry


def _instance_volumes(comp: Component, res: SourceResource) -> None:
    """root_block_device and ebs_block_device blocks (instances and launch configurations)."""
    volumes: list[Fact] = []
    for name, root in (("root_block_device", True), ("ebs_block_device", False)):
        value = res.get(name)
        if isinstance(value, (Unknown, Ref)):
            comp.set("volumes", Unknown(f"{name} not known before apply"), res.at(name))
            return
        for i, block in res.blocks(name):
            if to_bool(block.get("no_device", False)) is True:
                continue
            where = res.at(name, i, "encrypted") if "encrypted" in block else res.at(name, i)
            volumes.append(Fact(_volume(block, root), where))
    if volumes:
        comp.set("volumes", volumes, volumes[0].loc)


def _template_volumes(comp: Component, res: SourceResource) -> None:
    """block_device_mappings of a launch template: only the EBS ones."""
    value = res.get("block_device_mappings")
    if isinstance(value, (Unknown, Ref)):
        comp.set("volumes", Unknown("block_device_mappings not known before apply"), res.at("block_device_mappings"))
        return
    volumes: list[Fact] = []
    for i, mapping in res.blocks("block_device_mappings"):
        ebs = mapping.get("ebs")
        if isinstance(ebs, (Unknown, Ref)):
            comp.set("volumes", Unknown("ebs block not known before apply"), res.at("block_device_mappings", i))
            return
        if not isinstance(ebs, list) or not ebs or not isinstance(ebs[0], dict):
            continue  # instance store or no_device
        block = dict(ebs[0])
        if "device_name" in mapping:
            block["device_name"] = as_text(mapping["device_name"])
        path: tuple[str | int, ...] = ("block_device_mappings", i, "ebs", 0)
        where = res.at(*path, "encrypted") if "encrypted" in block else res.at("block_device_mappings", i)
        volumes.append(Fact(_volume(block, None), where))
    if volumes:
        comp.set("volumes", volumes, volumes[0].loc)


def _template_ref(block: dict[str, Any], id_key: str, name_key: str) -> Any:
    for key in (id_key, name_key):
        if block.get(key) not in (None, ""):
            return block[key]
    return None


def _launch_template(comp: Component, res: SourceResource) -> bool:
    """The launch_template block of an instance or auto scaling group: its id, else its name.
    True when there is such a block."""
    template = _block(res, "launch_template")
    if isinstance(template, Unknown):
        comp.set("launch_template", template, res.at("launch_template"))
    elif template is not None:
        i, spec = template
        ref = _template_ref(spec, "id", "name")
        if ref is not None:
            comp.set("launch_template", ref, res.at("launch_template", i))
    return template is not None


@NORMALIZER.extend("aws_instance")
def instance(comp: Component, res: SourceResource, b: ModelBuilder) -> None:
    groups = items(res.get("vpc_security_group_ids")) + items(res.get("security_groups"))
    if groups:
        comp.set("security_groups", groups, res.at("vpc_security_group_ids"))
    _launch_template(comp, res)
    _unknown_metadata(comp, res)
    _instance_volumes(comp, res)
    _user_data(comp, res, "user_data", "user_data_base64")


@NORMALIZER.extend("aws_launch_template")
def launch_template(comp: Component, res: SourceResource, b: ModelBuilder) -> None:
    _unknown_metadata(comp, res)
    _template_volumes(comp, res)
    _user_data(comp, res, None, "user_data")
    groups = items(res.get("vpc_security_group_ids")) + items(res.get("security_group_names"))
    where = res.at("vpc_security_group_ids") if res.has("vpc_security_group_ids") else res.at("security_group_names")
    nic = _primary_interface(res)
    if isinstance(nic, Unknown):
        comp.set("associate_public_ip_address", nic, res.at("network_interfaces"))
    elif nic is not None:
        i, block = nic
        if block.get("associate_public_ip_address") is not None:
            comp.set("associate_public_ip_address", to_bool(block["associate_public_ip_address"]),
                     res.at("network_interfaces", i, "associate_public_ip_address"))
        if block.get("security_groups") is not None:
            if not groups:
                where = res.at("network_interfaces", i, "security_groups")
            groups += items(block["security_groups"])
    if groups:
        comp.set("security_groups", groups, where)


def _primary_interface(res: SourceResource) -> tuple[int, dict[str, Any]] | Unknown | None:
    """The network interface at device index 0 (else the first one)."""
    value = res.get("network_interfaces")
    if isinstance(value, (Unknown, Ref)):
        return Unknown("network_interfaces not known before apply")
    blocks = res.blocks("network_interfaces")
    for i, block in blocks:
        if to_int(block.get("device_index", 0)) == 0:
            return i, block
    return blocks[0] if blocks else None


@NORMALIZER.extend("aws_launch_configuration")
def launch_configuration(comp: Component, res: SourceResource, b: ModelBuilder) -> None:
    _unknown_metadata(comp, res)
    _instance_volumes(comp, res)
    _user_data(comp, res, "user_data", "user_data_base64")


@NORMALIZER.extend("aws_autoscaling_group")
def autoscaling_group(comp: Component, res: SourceResource, b: ModelBuilder) -> None:
    if _launch_template(comp, res):
        return
    # A mixed instances policy names its template three blocks deep.
    path = ("mixed_instances_policy", 0, "launch_template", 0, "launch_template_specification", 0)
    for end in range(1, len(path), 2):
        value = res.get(*path[:end])
        if isinstance(value, (Unknown, Ref)):
            comp.set("launch_template", Unknown("mixed instances policy not known before apply"),
                     res.at(*path[:end]))
            return
        if not isinstance(value, list) or not value:
            return
    spec = res.get(*path)
    ref = _template_ref(spec, "launch_template_id", "launch_template_name") if isinstance(spec, dict) else None
    if ref is not None:
        comp.set("launch_template", ref, res.at(*path))


@NORMALIZER.register("aws_autoscaling_attachment", phase=1)
def autoscaling_attachment(res: SourceResource, b: ModelBuilder) -> None:
    owner = b.owner(res.get("autoscaling_group_name"), kinds.AUTOSCALING_GROUP)
    if owner is None:
        return
    for attribute, key in (("lb_target_group_arn", "target_groups"), ("elb", "load_balancers")):
        if res.get(attribute) in (None, ""):
            continue
        current = owner.get(key)
        if current is None:
            owner.set(key, [res.get(attribute)], res.at(attribute), origin=res.address)
        elif isinstance(current, list):
            owner.set(key, [*current, res.get(attribute)], owner.loc_of(key))


@NORMALIZER.register("aws_eip", phase=1)
def eip(res: SourceResource, b: ModelBuilder) -> None:
    # The address stays a component of its own (NAT gateways and outputs reference it).
    b.add(res, kinds.OTHER).set("attributes", res.body)
    _associate(res, b, "instance")


@NORMALIZER.register("aws_eip_association", phase=1)
def eip_association(res: SourceResource, b: ModelBuilder) -> None:
    _associate(res, b, "instance_id")


def _associate(res: SourceResource, b: ModelBuilder, attribute: str) -> None:
    owner = b.owner(res.get(attribute), kinds.INSTANCE)
    if owner is not None:
        owner.set("elastic_ip", Ref(res.address), res.at(attribute), origin=res.address)
