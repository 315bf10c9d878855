"""EC2 compute: what the table (``iac_assist/model/vocabulary/ec2.py``) cannot say: security groups
gathered from several properties, the primary network interface, launch template specifications,
metadata options chosen at deployment, block device mappings, user data, Elastic IP associations."""

from __future__ import annotations

from typing import Any

from iac_assist.model import Component, Fact, Ref, Unknown, user_data
from iac_assist.model.builder import ModelBuilder, Normalizer
from iac_assist.model.convert import as_text, to_bool, to_int
from iac_assist.model.kinds import INSTANCE, OTHER
from iac_assist.model.mapping import read, src
from iac_assist.model.resource import SourceResource
from iac_assist.parsers.cloudformation.convert import fold_target

Path = tuple[str | int, ...]

def register(normalizer: Normalizer) -> None:
    normalizer.extend("AWS::EC2::Instance")(instance)
    normalizer.extend("AWS::EC2::LaunchTemplate")(launch_template)
    normalizer.extend("AWS::AutoScaling::LaunchConfiguration")(launch_configuration)
    normalizer.extend("AWS::AutoScaling::AutoScalingGroup")(autoscaling_group)
    normalizer.register("AWS::EC2::EIP", phase=1)(eip)
    normalizer.register("AWS::EC2::EIPAssociation", phase=1)(eip_association)


def _user_data(comp: Component, res: SourceResource, path: Path) -> None:
    if res.has(*path):
        # Fn::Base64 is resolved to the text it encodes already.
        comp.set("user_data", user_data.decode(res.get(*path), pending="user data known at deployment"),
                 res.at(*path))


def _unknown_metadata(comp: Component, res: SourceResource, path: Path) -> None:
    """Metadata options chosen at deployment: both options are unknown."""
    if res.has(*path) and not isinstance(res.get(*path), dict):
        unknown = Unknown("metadata options known at deployment")
        comp.set("http_tokens", unknown, res.at(*path))
        comp.set("http_endpoint", unknown, res.at(*path))


def _volumes(comp: Component, res: SourceResource, path: Path) -> None:
    """EBS block device mappings (instance store and NoDevice mappings are not volumes)."""
    if not res.has(*path):
        return
    mappings = res.get(*path)
    if not isinstance(mappings, list):
        comp.set("volumes", Unknown("block device mappings known at deployment"), res.at(*path))
        return
    volumes: list[Fact] = []
    for i, mapping in enumerate(mappings):
        if not isinstance(mapping, dict):
            # One mapping chosen at deployment: it may be the root volume, encrypted or not.
            volumes.append(Fact({"device_name": Unknown("mapping unknown"), "encrypted": Unknown("mapping unknown")},
                                res.at(*path, i)))
            continue
        if "Ebs" not in mapping:
            continue
        ebs = mapping["Ebs"]
        entry: dict[str, Any] = {}
        if "DeviceName" in mapping:
            entry["device_name"] = as_text(mapping["DeviceName"])
        if not isinstance(ebs, dict):
            entry["encrypted"] = Unknown("Ebs known at deployment")
        else:
            if "Encrypted" in ebs:
                entry["encrypted"] = to_bool(ebs["Encrypted"])
            if ebs.get("SnapshotId") not in (None, ""):
                entry["snapshot"] = ebs["SnapshotId"]
        where = res.at(*path, i, "Ebs", "Encrypted") if isinstance(ebs, dict) and "Encrypted" in ebs \
            else res.at(*path, i)
        volumes.append(Fact(entry, where))
    if volumes:
        comp.set("volumes", volumes, res.at(*path))


def _template_spec(comp: Component, res: SourceResource, path: Path) -> None:
    """A LaunchTemplateSpecification: the template's id, else its name."""
    if not res.has(*path):
        return
    spec = res.get(*path)
    if not isinstance(spec, dict):
        comp.set("launch_template", Unknown("launch template known at deployment"), res.at(*path))
        return
    for prop in ("LaunchTemplateId", "LaunchTemplateName"):
        if spec.get(prop) not in (None, ""):
            comp.set("launch_template", spec[prop], res.at(*path, prop))
            return


def instance(comp: Component, res: SourceResource, builder: ModelBuilder) -> None:
    nic = _primary_interface(res, ("NetworkInterfaces",))
    if not comp.has("subnet") and nic is not None:
        read(comp, res, src(("NetworkInterfaces", nic, "SubnetId")), "subnet")
    _security_groups(comp, res, [("SecurityGroupIds",), ("SecurityGroups",)]
                     + ([("NetworkInterfaces", nic, "GroupSet")] if nic is not None else []))
    if nic is not None:
        read(comp, res, src(("NetworkInterfaces", nic, "AssociatePublicIpAddress"), convert=to_bool),
             "associate_public_ip_address")
    _template_spec(comp, res, ("LaunchTemplate",))
    _unknown_metadata(comp, res, ("MetadataOptions",))
    _volumes(comp, res, ("BlockDeviceMappings",))
    _user_data(comp, res, ("UserData",))


def launch_template(comp: Component, res: SourceResource, builder: ModelBuilder) -> None:
    data: Path = ("LaunchTemplateData",)
    if not isinstance(res.get(*data), dict):
        # The whole template data is chosen at deployment (Fn::If on an unknown condition).
        unknown = Unknown("launch template data known at deployment")
        for key in ("http_tokens", "http_endpoint", "volumes", "user_data", "associate_public_ip_address"):
            comp.set(key, unknown, res.at(*data))
        return
    _unknown_metadata(comp, res, (*data, "MetadataOptions"))
    _volumes(comp, res, (*data, "BlockDeviceMappings"))
    _user_data(comp, res, (*data, "UserData"))
    nic = _primary_interface(res, (*data, "NetworkInterfaces"))
    paths: list[Path] = [(*data, "SecurityGroupIds"), (*data, "SecurityGroups")]
    if nic is not None:
        paths.append((*data, "NetworkInterfaces", nic, "Groups"))
        read(comp, res, src((*data, "NetworkInterfaces", nic, "AssociatePublicIpAddress"), convert=to_bool),
             "associate_public_ip_address")
    _security_groups(comp, res, paths)


def launch_configuration(comp: Component, res: SourceResource, builder: ModelBuilder) -> None:
    _security_groups(comp, res, [("SecurityGroups",)])
    _unknown_metadata(comp, res, ("MetadataOptions",))
    _volumes(comp, res, ("BlockDeviceMappings",))
    _user_data(comp, res, ("UserData",))


def autoscaling_group(comp: Component, res: SourceResource, builder: ModelBuilder) -> None:
    _template_spec(comp, res, ("LaunchTemplate",))
    if not comp.has("launch_template"):
        _template_spec(comp, res, ("MixedInstancesPolicy", "LaunchTemplate", "LaunchTemplateSpecification"))


def eip(res: SourceResource, builder: ModelBuilder) -> None:
    # The address stays a component of its own (NAT gateways and outputs reference it).
    builder.add(res, OTHER).set("attributes", res.body)
    if res.has("InstanceId"):
        owner = builder.owner(res.get("InstanceId"), INSTANCE)
        if owner is not None:
            owner.set("elastic_ip", Ref(res.address), res.at("InstanceId"), origin=res.address)


def eip_association(res: SourceResource, builder: ModelBuilder) -> None:
    if not res.has("InstanceId"):
        builder.add(res, OTHER).set("attributes", res.body)  # an interface's association
        return
    owner = fold_target(builder, res, res.get("InstanceId"), INSTANCE)
    if owner is not None:
        owner.set("elastic_ip", Ref(res.address), res.at("InstanceId"), origin=res.address)


def _primary_interface(res: SourceResource, path: Path) -> int | None:
    """Index of the interface at device index 0 (the one the public address question is about)."""
    interfaces = res.get(*path)
    if not isinstance(interfaces, list) or not interfaces:
        return None
    for index, nic in enumerate(interfaces):
        if isinstance(nic, dict) and to_int(nic.get("DeviceIndex")) == 0:
            return index
    return 0 if isinstance(interfaces[0], dict) else None


def _security_groups(comp: Component, res: SourceResource, paths: list[Path]) -> None:
    written = [p for p in paths if res.has(*p)]
    if not written:
        return
    values = [res.get(*p) for p in written]
    groups: Any = Unknown("security groups not known before deployment")
    if all(isinstance(v, list) for v in values):
        groups = [g for v in values for g in v]
    comp.set("security_groups", groups, res.at(*written[0]))
