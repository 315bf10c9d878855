"""Snapshot and image sharing: RDS DB and cluster snapshots, AMIs and EBS snapshots shared with
every AWS account."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from iac_assist.analysis.policy import Hit, policy
from iac_assist.model import Component, Fact, Location, Ref, kinds
from iac_assist.model.graph import ResourceGraph

EVERYONE = "all"


@dataclass(frozen=True)
class PublicShare:
    """A snapshot or image shared with every AWS account, and what shares it."""

    comp: Component
    loc: Location
    what: str
    """A sentence: what is public and how."""
    cause: str


def _everyone(value: object) -> bool:
    return isinstance(value, str) and value.strip().lower() == EVERYONE


def _named(comp: Component) -> str:
    target = comp.get("target")
    if isinstance(target, Ref):
        return target.address
    return target if isinstance(target, str) and target else "its image"


def public_shares(graph: ResourceGraph) -> Iterator[PublicShare]:
    """Every snapshot or image the configuration shares with everyone (see snapshot_public)."""
    for snap in graph.of_kind(kinds.RDS_SNAPSHOT):
        if any(_everyone(account) for account in snap.items("shared_accounts")):
            yield PublicShare(snap, snap.loc_of("shared_accounts"),
                              f'DB snapshot {snap.display} is shared with every AWS account (shared_accounts '
                              'includes "all"): anyone can restore a database from it and read its data.',
                              "shared_accounts")
    for share in graph.of_kind(kinds.SHARE):
        for entry in share.items("groups"):
            value = entry.value if isinstance(entry, Fact) else entry
            if not _everyone(value):
                continue
            loc = entry.loc if isinstance(entry, Fact) else share.loc_of("groups")
            if share.source_type == "aws_ami_launch_permission":
                what = (f'AMI launch permission {share.display} makes {_named(share)} public (group "all"): every '
                        "AWS account can launch it and copy its volumes.")
            else:
                what = (f"Image Builder distribution configuration {share.display} makes the AMIs it distributes "
                        'public (launch permission user group "all"): every AWS account can launch them and '
                        "copy their volumes.")
            yield PublicShare(share, loc, what, "group-all")
            break


@policy(
    id="IAC-SNAP-001",
    control="snapshot-public",
    title="Snapshot or image is shared with everyone",
    severity="critical",
    stride="I",
    cwe=284,
    remediation="""
Share snapshots and images with the accounts that need them, never with `all`: list account ids
in `shared_accounts` of `aws_db_snapshot` / `aws_db_cluster_snapshot` (Terraform), use
`account_id`, `organization_arn` or `organizational_unit_arn` instead of `group = "all"` on
`aws_ami_launch_permission`, and `user_ids` / `organization_arns` instead of `user_groups =
["all"]` in an `aws_imagebuilder_distribution_configuration` launch permission (CloudFormation:
`UserIds` / `OrganizationArns` instead of `UserGroups: [all]` in
`AWS::ImageBuilder::DistributionConfiguration`). Turn on the account-level block public access
for AMIs and EBS snapshots (`aws_ec2_image_block_public_access`,
`aws_ebs_snapshot_block_public_access`).
""",
    references=(
        "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ShareSnapshot.html",
        "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/sharingamis-intro.html",
        "https://docs.aws.amazon.com/ebs/latest/userguide/block-public-access-snapshots.html",
    ),
    no_fix="the accounts to share the snapshot with are only known to you",
)
def snapshot_public(graph: ResourceGraph) -> Iterator[Hit]:
    """A public snapshot or image is a copy of the data anyone with an AWS account can restore:
    databases, disks with credentials, keys and application code. Reported for an RDS DB or
    cluster snapshot (aws_db_snapshot, aws_db_cluster_snapshot and their copies) whose
    shared_accounts includes "all", at that attribute; an aws_ami_launch_permission with group
    "all", at the group; and an EC2 Image Builder distribution configuration whose launch
    permission lists the user group "all" (Terraform user_groups, CloudFormation UserGroups), at
    the list, once per configuration. Decisions: EBS snapshots cannot be made public from
    Terraform (aws_snapshot_create_volume_permission takes an account_id only, no group) nor
    CloudFormation (no resource shares a snapshot), so no EBS snapshot finding exists; aws_ami
    has no launch permission of its own; CloudFormation has no resource for RDS snapshots or AMI
    launch permissions, so Image Builder is its only case; sharing with listed accounts,
    organizations or organizational units is not reported; "all" is compared without regard
    to case; unknown values give no finding. Encryption is not looked at: AWS refuses to share
    an encrypted snapshot with all (the deployment fails instead of exposing the data), and the
    intent to make it public is reported all the same."""
    for share in public_shares(graph):
        yield Hit(share.comp, share.loc,
                  f"{share.what} Share it with named accounts or an organization instead.",
                  cause=share.cause)


POLICIES = [snapshot_public]
