"""Account-wide services and settings: what tells an account's baseline configuration from an
application's (an application stack does not configure them)."""

from __future__ import annotations

from iac_assist.model.convert import to_int
from iac_assist.model.mapping import Mapping, src
from iac_assist.model.vocabulary import fact, kind

ACCOUNT_SETTING = kind(
    "account.setting", """An account-wide service or setting: AWS Organizations, the IAM password policy
    and account alias, GuardDuty, AWS Config recorders and delivery channels, Security Hub, IAM
    Access Analyzer, Macie, Detective, Inspector, the EBS default KMS key, account contacts
    (s3.account_public_access_block, ec2.ebs_default_encryption, ec2.metadata_defaults and
    cloudtrail.trail are account-wide too).""",
    fact("setting", "str", """organizations | iam-password-policy | iam-account-alias | guardduty | config |
         securityhub | access-analyzer | macie | detective | inspector | ebs-default-kms-key |
         account-contact, from the source type; always set"""),
    fact("attributes", "dict", "the whole evaluated body, as on other"),
    fact("minimum_password_length", "int | Unknown", "(iam-password-policy) minimum password length",
         "6, the IAM default when a policy is set without it"),
    fact("password_reuse_prevention", "int | Unknown",
         "(iam-password-policy) how many previous passwords a user may not reuse",
         "0 (reuse allowed), the IAM default when a policy is set without it"),
)

_TERRAFORM_SETTINGS = {
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
    "aws_account_primary_contact": "account-contact",}

_CLOUDFORMATION_SETTINGS = {
    "AWS::Organizations::Organization": "organizations",
    "AWS::Organizations::Account": "organizations",
    "AWS::Organizations::OrganizationalUnit": "organizations",
    "AWS::Organizations::Policy": "organizations",
    "AWS::Organizations::ResourcePolicy": "organizations",
    "AWS::GuardDuty::Detector": "guardduty",
    "AWS::Config::ConfigurationRecorder": "config",
    "AWS::Config::DeliveryChannel": "config",
    "AWS::Config::ConfigurationAggregator": "config",
    "AWS::SecurityHub::Hub": "securityhub",
    "AWS::SecurityHub::HubV2": "securityhub",
    "AWS::AccessAnalyzer::Analyzer": "access-analyzer",
    "AWS::Macie::Session": "macie",
    "AWS::Detective::Graph": "detective",}


_FACTS = {
    # CloudFormation has no password policy resource.
    "iam-password-policy": {
        "minimum_password_length": src("minimum_password_length", convert=to_int),
        "password_reuse_prevention": src("password_reuse_prevention", convert=to_int),
    },
}
"""Facts of a setting besides its body (the same attribute names in every format that has it)."""


def _table(settings: dict[str, str]) -> dict[tuple[str, ...], Mapping]:
    """One mapping per setting, for every source type of it."""
    out = {}
    for setting in dict.fromkeys(settings.values()):
        types = tuple(t for t, s in settings.items() if s == setting)
        out[types] = Mapping(ACCOUNT_SETTING, {"attributes": src(()), **_FACTS.get(setting, {})},
                             otherwise={"setting": setting})
    return out


TERRAFORM = _table(_TERRAFORM_SETTINGS)
CLOUDFORMATION = _table(_CLOUDFORMATION_SETTINGS)
TABLES = {"terraform": TERRAFORM, "cloudformation": CLOUDFORMATION}
