"""EFS policies: file systems whose data rests unencrypted."""

from __future__ import annotations

from collections.abc import Iterator

from iac_assist.analysis.policy import Hit, policy
from iac_assist.fixes.declare import SetFacts
from iac_assist.model import kinds
from iac_assist.model.graph import ResourceGraph


@policy(
    id="IAC-EFS-001",
    control="efs-unencrypted",
    title="EFS file system is not encrypted at rest",
    severity="medium",
    stride="I",
    cwe=311,
    remediation="""
Create the file system encrypted: `encrypted = true` on `aws_efs_file_system` (Terraform),
`Encrypted: true` on `AWS::EFS::FileSystem` (CloudFormation), optionally with a customer managed
key (`kms_key_id` / `KmsKeyId`). Encryption at rest cannot be turned on for an existing file
system: create an encrypted one and copy the data (AWS DataSync, or AWS Backup restore).
""",
    references=(
        "https://docs.aws.amazon.com/efs/latest/ug/encryption-at-rest.html",
        "https://docs.aws.amazon.com/securityhub/latest/userguide/efs-controls.html#efs-1",
    ),
    fix=SetFacts({"encrypted": True}, note="AWS replaces the file system to encrypt it: copy its data to the new one"),
)
def efs_unencrypted(graph: ResourceGraph) -> Iterator[Hit]:
    """Files written to an unencrypted file system rest in clear on AWS storage, its backups and
    its replicas: whoever gets at the media or a copy outside the file system reads them, and
    compliance frameworks (CIS, PCI DSS, HIPAA) require encryption at rest. Reported for every
    aws_efs_file_system / AWS::EFS::FileSystem whose encryption is false or not written: both
    formats, like the API, create an unencrypted file system by default (only the console turns
    it on). Decisions: a KMS key (kms_key_id / KmsKeyId) without encrypted = true is still
    reported (AWS requires Encrypted for the key to be used); the key itself (AWS managed or
    customer managed) is not judged; an unknown encrypted value gives no finding. A replica made
    by a replication configuration is not judged (it has its own encryption setting, and
    aws_efs_replication_configuration is not modelled). The finding points at encrypted when it is
    written, else at the file system."""
    for fs in graph.of_kind(kinds.EFS_FILE_SYSTEM):
        if not fs.is_false("encrypted", unset=False):
            continue
        what = "encrypted is false" if fs.has("encrypted") else "encrypted is not set (off by default)"
        yield Hit(
            fs,
            fs.loc_of("encrypted"),
            f"EFS file system {fs.display} stores its files unencrypted: {what}. Set encrypted / "
            "Encrypted to true (a new file system: encryption cannot be added later).",
            cause=f"encrypted:{'false' if fs.has('encrypted') else 'absent'}",
        )


POLICIES = [efs_unencrypted]
