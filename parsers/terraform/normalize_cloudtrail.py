"""CloudTrail in Terraform: trails, and the account-wide services and settings that tell an
account's baseline configuration from an application's (see ``account.setting`` in kinds.py)."""

from __future__ import annotations

from iac_assist.model import kinds
from iac_assist.model.builder import ModelBuilder
from iac_assist.model.convert import to_bool
from iac_assist.model.resource import SourceResource
from iac_assist.parsers.terraform.normalizer import NORMALIZER

_TRAIL_FLAGS = {
    "is_multi_region_trail": "multi_region",
    "enable_log_file_validation": "log_file_validation",
    "enable_logging": "logging",
    "is_organization_trail": "organization",
}

ACCOUNT_SETTINGS = {
    "aws_organizations_organization": "organizations",
    "aws_organizations_account": "organizations",
    "aws_organizations_organizational_unit": "organizations",
    "aws_organizations_policy": "organizations",
    "aws_organizations_policy_attachment": "organizations",
    "aws_organizations_delegated_administrator": "organizations",
    "aws_organizations_resource_policy": "organizations",
    "aws_iam_account_password_policy": "iam-password-policy",
    "aws_iam_account_alias": "iam-account-alias",
    "aws_guardduty_detector": "guardduty",
    "aws_guardduty_organization_admin_account": "guardduty",
    "aws_guardduty_organization_configuration": "guardduty",
    "aws_config_configuration_recorder": "config",
    "aws_config_configuration_recorder_status": "config",
    "aws_config_delivery_channel": "config",
    "aws_config_configuration_aggregator": "config",
    "aws_securityhub_account": "securityhub",
    "aws_securityhub_organization_admin_account": "securityhub",
    "aws_securityhub_organization_configuration": "securityhub",
    "aws_accessanalyzer_analyzer": "access-analyzer",
    "aws_macie2_account": "macie",
    "aws_detective_graph": "detective",
    "aws_inspector2_enabler": "inspector",
    "aws_ebs_default_kms_key": "ebs-default-kms-key",
    "aws_account_alternate_contact": "account-contact",
    "aws_account_primary_contact": "account-contact",
}


@NORMALIZER.register("aws_cloudtrail")
def trail(res: SourceResource, b: ModelBuilder) -> None:
    comp = b.add(res, kinds.CLOUDTRAIL)
    b.copy(comp, "name", res, "name")
    # ``= null`` leaves the provider default, as if the argument were not written.
    for attr, fact in _TRAIL_FLAGS.items():
        if res.get(attr) is not None:
            b.copy(comp, fact, res, attr, convert=to_bool)
    if res.get("kms_key_id") is not None:
        b.copy(comp, "kms_key", res, "kms_key_id")


@NORMALIZER.register(*ACCOUNT_SETTINGS)
def account_setting(res: SourceResource, b: ModelBuilder) -> None:
    comp = b.add(res, kinds.ACCOUNT_SETTING)
    comp.set("setting", ACCOUNT_SETTINGS[res.type])
    comp.set("attributes", res.body)
