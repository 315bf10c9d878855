"""EC2 compute: instances, launch templates and configurations, auto scaling groups, EBS volumes
and snapshots, and the account-wide EBS encryption and instance metadata defaults.

The tables say where each format writes the plain facts; the front ends' code says the rest
(metadata option blocks chosen at deployment, block device mappings, user data decoding, security
groups gathered from several places, launch template specifications, Elastic IP associations)."""

from __future__ import annotations

from iac_assist.model.convert import as_list, lower, to_bool
from iac_assist.model.mapping import Mapping, src
from iac_assist.model.vocabulary import fact, kind

_NAME = fact("name", "str", "its name")
_METADATA = (
    fact("http_tokens", "str | Unknown", """IMDS: "required" (IMDSv2 only) | "optional", lower case""",
         """"optional" for an instance (IMDSv1 allowed), unless the account's metadata defaults or
         the AMI say otherwise; a launch template or configuration leaves it to what launches"""),
    fact("http_endpoint", "str | Unknown", """IMDS: "enabled" | "disabled", lower case""", "enabled"),
)
_LAUNCH = (
    *_METADATA,
    fact("volumes", "list[Fact[dict]] | Unknown",
         """EBS block device mappings, each {"device_name": str | Unknown, "root": bool (only when
         the source says which is the root volume: Terraform root_block_device / ebs_block_device),
         "encrypted": bool | Unknown, "snapshot": Ref | str | Unknown}; keys the source leaves unset
         are absent. Instance store and NoDevice mappings are left out.""",
         "the AMI's block device mappings"),
    fact("user_data", "str | Unknown", "the decoded text (base64 and gzip undone)", "there is none"),
    fact("instance_profile", "Ref | str | Unknown",
         "the IAM instance profile it runs with (name or ARN)", "none: no role"),
    fact("security_groups", "list[Ref | str] | Unknown",
         """security groups (an instance's and a launch configuration's own; a launch template's
         template-level and primary interface groups)""", "the VPC's default security group"),
)

INSTANCE = kind(
    "ec2.instance", "An EC2 instance (facts it leaves unset may come from its launch template).",
    fact("subnet", "Ref | str", "its subnet (CloudFormation: also the primary network interface's)",
         "a default subnet of the default VPC"),
    fact("associate_public_ip_address", "bool | Unknown", "a public IPv4 address on the primary network interface",
         "the subnet's map_public_ip_on_launch"),
    fact("launch_template", "Ref | str | Unknown",
         "the launch template it is launched from (id or name); facts the instance leaves unset come from it"),
    *_LAUNCH,
    fact("elastic_ip", "Ref", """an Elastic IP associated with it (aws_eip instance, aws_eip_association,
         AWS::EC2::EIP InstanceId, AWS::EC2::EIPAssociation), located at the association""", "none"),
    service="ec2",
)
LAUNCH_TEMPLATE = kind(
    "ec2.launch_template", "A launch template: what instances launched from it get.",
    _NAME, *_LAUNCH,
    fact("associate_public_ip_address", "bool | Unknown",
         "a public IPv4 address on the network interface at device index 0", "the subnet's setting"),
    service="ec2",
)
LAUNCH_CONFIGURATION = kind(
    "ec2.launch_configuration", "A launch configuration (auto scaling's older launch template).",
    _NAME, *_LAUNCH,
    fact("associate_public_ip_address", "bool | Unknown", "a public IPv4 address", "the subnet's setting"),
    service="ec2",
)
AUTOSCALING_GROUP = kind(
    "ec2.autoscaling_group", "An auto scaling group.",
    _NAME,
    fact("launch_template", "Ref | str | Unknown",
         "launch template (id or name), also from a mixed instances policy"),
    fact("launch_configuration", "Ref | str | Unknown", "launch configuration (name)"),
    fact("subnets", "list[Ref | str] | Unknown", "VPC subnets it launches into"),
    fact("target_groups", "list[Ref | str] | Unknown",
         "load balancer target groups it registers with (aws_autoscaling_attachment folded in)"),
    fact("load_balancers", "list[Ref | str] | Unknown", "classic load balancers (names)"),
    service="ec2",
)
VOLUME = kind(
    "ec2.volume", "An EBS volume.",
    fact("encrypted", "bool | Unknown", "encryption at rest", "the account's EBS encryption by default, else false"),
    fact("snapshot", "Ref | str | Unknown", "the snapshot it is created from (an empty id is none)"),
    fact("source_volume", "Ref | str | Unknown", "the volume it is copied from (CloudFormation)"),
    service="ec2",
)
SNAPSHOT = kind(
    "ec2.snapshot", "An EBS snapshot, or a copy of one (Terraform only).",
    fact("volume", "Ref | str | Unknown", "the volume it is taken of (aws_ebs_snapshot)"),
    fact("source_snapshot", "Ref | str | Unknown", "the snapshot it copies (aws_ebs_snapshot_copy)"),
    fact("encrypted", "bool | Unknown", "(copies only) the copy is encrypted", "the source's encryption"),
    service="ec2",
)
SHARE = kind(
    "ec2.share", """A permission that shares an AMI or an EBS snapshot with other accounts
    (aws_ami_launch_permission, aws_snapshot_create_volume_permission), or the launch permissions
    an EC2 Image Builder distribution configuration gives the AMIs it distributes.""",
    fact("target", "Ref | str | Unknown", "the AMI or snapshot it shares (none for Image Builder: the AMIs it makes)"),
    fact("groups", "list[Fact[str | Unknown]] | Unknown",
         """groups it is shared with, each located where it is written: "all" is every AWS
         account (Terraform aws_ami_launch_permission group; Image Builder user_groups /
         UserGroups of every distribution)""", "none"),
    fact("accounts", "list[str | Unknown] | Unknown", "AWS account ids it is shared with", "none"),
    service="ec2",
)
EBS_DEFAULT_ENCRYPTION = kind(
    "ec2.ebs_default_encryption", "Account-wide EBS encryption by default (Terraform only).",
    fact("enabled", "bool | Unknown", "new EBS volumes are encrypted",
         "true: the Terraform resource's own default, set when unset"),
    service="ec2",
)
METADATA_DEFAULTS = kind(
    "ec2.metadata_defaults", "Account-wide instance metadata (IMDS) defaults (Terraform only).",
    fact("http_tokens", "str | Unknown", "required | optional | no-preference, lower case", "no-preference"),
    fact("http_endpoint", "str | Unknown", "enabled | disabled | no-preference, lower case", "no-preference"),
    service="ec2",
)

# --- Terraform ------------------------------------------------------------------------------------


def _tf_metadata(block: str = "metadata_options") -> dict[str, object]:
    # A block is a list of one in HCL, an object in Terraform's JSON syntax.
    return {key: src((block, 0, key), (block, key), convert=lower) for key in ("http_tokens", "http_endpoint")}


_TF_LAUNCH = {"associate_public_ip_address": src("associate_public_ip_address", convert=to_bool),
              "instance_profile": "iam_instance_profile", **_tf_metadata()}

TERRAFORM = {
    "aws_instance": Mapping(INSTANCE, {"subnet": "subnet_id", **_TF_LAUNCH}),
    "aws_launch_template": Mapping(LAUNCH_TEMPLATE, {
        "name": "name", **_tf_metadata(),
        "instance_profile": src(("iam_instance_profile", 0, "arn"), ("iam_instance_profile", 0, "name")),
    }),
    "aws_launch_configuration": Mapping(LAUNCH_CONFIGURATION, {
        "name": "name", **_TF_LAUNCH, "security_groups": "security_groups"}),
    "aws_autoscaling_group": Mapping(AUTOSCALING_GROUP, {
        "name": "name", "launch_configuration": "launch_configuration", "subnets": "vpc_zone_identifier",
        "target_groups": "target_group_arns", "load_balancers": "load_balancers"}),
    "aws_ebs_volume": Mapping(VOLUME, {
        "encrypted": src("encrypted", convert=to_bool), "snapshot": src("snapshot_id", empty_is_unset=True)}),
    "aws_ebs_snapshot": Mapping(SNAPSHOT, {"volume": "volume_id"}),
    "aws_ami_launch_permission": Mapping(SHARE, {"target": "image_id", "accounts": src("account_id", convert=as_list)}),
    "aws_snapshot_create_volume_permission": Mapping(SHARE, {
        "target": "snapshot_id", "accounts": src("account_id", convert=as_list)}),
    "aws_imagebuilder_distribution_configuration": Mapping(SHARE, {}),
    "aws_ebs_snapshot_copy": Mapping(SNAPSHOT, {
        "source_snapshot": "source_snapshot_id", "encrypted": src("encrypted", convert=to_bool)}),
    # Declaring the resource turns encryption on unless it says otherwise.
    "aws_ebs_encryption_by_default": Mapping(EBS_DEFAULT_ENCRYPTION, {
        "enabled": src("enabled", convert=to_bool)}, otherwise={"enabled": True}),
    "aws_ec2_instance_metadata_defaults": Mapping(METADATA_DEFAULTS, {
        key: src(key, convert=lower) for key in ("http_tokens", "http_endpoint")}),
}

# --- CloudFormation -------------------------------------------------------------------------------


def _cfn_metadata(*prefix: str) -> dict[str, object]:
    return {key: src((*prefix, "MetadataOptions", prop), convert=lower)
            for key, prop in (("http_tokens", "HttpTokens"), ("http_endpoint", "HttpEndpoint"))}


_DATA = "LaunchTemplateData"

CLOUDFORMATION = {
    # MetadataOptions is a recent property of AWS::EC2::Instance; templates written before it set
    # IMDS options through a launch template, which the policy follows.
    "AWS::EC2::Instance": Mapping(INSTANCE, {
        "subnet": "SubnetId", **_cfn_metadata(), "instance_profile": "IamInstanceProfile"}),
    "AWS::EC2::LaunchTemplate": Mapping(LAUNCH_TEMPLATE, {
        "name": "LaunchTemplateName", **_cfn_metadata(_DATA),
        "instance_profile": src((_DATA, "IamInstanceProfile", "Arn"), (_DATA, "IamInstanceProfile", "Name"))}),
    "AWS::AutoScaling::LaunchConfiguration": Mapping(LAUNCH_CONFIGURATION, {
        "name": "LaunchConfigurationName",
        "associate_public_ip_address": src("AssociatePublicIpAddress", convert=to_bool),
        **_cfn_metadata(), "instance_profile": "IamInstanceProfile"}),
    "AWS::AutoScaling::AutoScalingGroup": Mapping(AUTOSCALING_GROUP, {
        "name": "AutoScalingGroupName", "launch_configuration": "LaunchConfigurationName",
        "subnets": "VPCZoneIdentifier", "target_groups": "TargetGroupARNs", "load_balancers": "LoadBalancerNames"}),
    "AWS::ImageBuilder::DistributionConfiguration": Mapping(SHARE, {}),
    "AWS::EC2::Volume": Mapping(VOLUME, {
        "encrypted": src("Encrypted", convert=to_bool), "snapshot": src("SnapshotId", empty_is_unset=True),
        "source_volume": src("SourceVolumeId", empty_is_unset=True)}),
}

TABLES = {"terraform": TERRAFORM, "cloudformation": CLOUDFORMATION}
