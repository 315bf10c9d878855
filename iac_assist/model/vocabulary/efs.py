"""EFS: file systems, their encryption at rest and their file system policy (inline in
CloudFormation, folded from ``aws_efs_file_system_policy`` in Terraform)."""

from __future__ import annotations

from iac_assist.model.convert import to_bool
from iac_assist.model.mapping import Mapping, src
from iac_assist.model.vocabulary import fact, kind

EFS_FILE_SYSTEM = kind(
    "efs.file_system", "An EFS file system.",
    fact("encrypted", "bool | Unknown", "encryption at rest", "off (the API's and both formats' default)"),
    fact("kms_key", "Ref | str | Unknown", "the KMS key encrypting it", "the AWS managed key aws/elasticfilesystem"),
    fact("policy", "dict | Unknown", """the file system policy (parsed JSON): CloudFormation
         FileSystemPolicy, or folded from aws_efs_file_system_policy, located there""",
         "no policy (any client that reaches a mount target, with IAM authorization not required)"),
)

TERRAFORM = {
    "aws_efs_file_system": Mapping(EFS_FILE_SYSTEM, {
        "encrypted": src("encrypted", convert=to_bool),
        "kms_key": src("kms_key_id", empty_is_unset=True),
    }),
}

CLOUDFORMATION = {
    # FileSystemPolicy: the front end's code (a mapping or JSON text).
    "AWS::EFS::FileSystem": Mapping(EFS_FILE_SYSTEM, {
        "encrypted": src("Encrypted", convert=to_bool),
        "kms_key": src("KmsKeyId", empty_is_unset=True),
    }),
}

TABLES = {"terraform": TERRAFORM, "cloudformation": CLOUDFORMATION}
