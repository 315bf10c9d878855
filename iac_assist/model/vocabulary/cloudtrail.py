"""CloudTrail trails (account-wide: see ``account.setting``)."""

from __future__ import annotations

from iac_assist.model.convert import to_bool
from iac_assist.model.mapping import Mapping, src
from iac_assist.model.vocabulary import fact, kind

CLOUDTRAIL = kind(
    "cloudtrail.trail", "A CloudTrail trail.",
    fact("name", "str | Unknown", "trail name"),
    fact("multi_region", "bool | Unknown", "records every region", "false (the AWS default)"),
    fact("log_file_validation", "bool | Unknown", "digest files make log tampering detectable", "false"),
    fact("kms_key", "Ref | str | Unknown", """KMS key the log files are encrypted with (SSE-KMS); "" is
         SSE-S3 only""", "SSE-S3 only"),
    fact("logging", "bool | Unknown", "the trail records",
         "true (the Terraform default; CloudFormation requires it)"),
    fact("organization", "bool | Unknown", "an organization trail, recording every member account", "false"),
)

TERRAFORM = {
    "aws_cloudtrail": Mapping(CLOUDTRAIL, {
        "name": "name",
        "multi_region": src("is_multi_region_trail", convert=to_bool),
        "log_file_validation": src("enable_log_file_validation", convert=to_bool),
        "logging": src("enable_logging", convert=to_bool),
        "organization": src("is_organization_trail", convert=to_bool),
        "kms_key": "kms_key_id",
    }),
}

CLOUDFORMATION = {
    "AWS::CloudTrail::Trail": Mapping(CLOUDTRAIL, {
        "name": "TrailName",
        "multi_region": src("IsMultiRegionTrail", convert=to_bool),
        "log_file_validation": src("EnableLogFileValidation", convert=to_bool),
        "logging": src("IsLogging", convert=to_bool),
        "organization": src("IsOrganizationTrail", convert=to_bool),
        "kms_key": "KMSKeyId",
    }),
}

TABLES = {"terraform": TERRAFORM, "cloudformation": CLOUDFORMATION}
