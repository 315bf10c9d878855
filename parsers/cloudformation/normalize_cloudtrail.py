"""CloudTrail trails, and the account-wide services that tell an account's baseline template from
an application's (see ``account.setting`` in kinds.py)."""

from __future__ import annotations

from iac_assist.model import kinds
from iac_assist.model.builder import ModelBuilder, Normalizer
from iac_assist.model.convert import to_bool
from iac_assist.model.resource import SourceResource

_TRAIL_FLAGS = {
    "IsMultiRegionTrail": "multi_region",
    "EnableLogFileValidation": "log_file_validation",
    "IsLogging": "logging",
    "IsOrganizationTrail": "organization",
}

ACCOUNT_SETTINGS = {
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
    "AWS::Detective::Graph": "detective",
}


def register(normalizer: Normalizer) -> None:
    normalizer.register("AWS::CloudTrail::Trail")(trail)
    normalizer.register(*ACCOUNT_SETTINGS)(account_setting)


def trail(res: SourceResource, b: ModelBuilder) -> None:
    comp = b.add(res, kinds.CLOUDTRAIL)
    b.copy(comp, "name", res, "TrailName")
    for prop, fact in _TRAIL_FLAGS.items():
        b.copy(comp, fact, res, prop, convert=to_bool)
    b.copy(comp, "kms_key", res, "KMSKeyId")


def account_setting(res: SourceResource, b: ModelBuilder) -> None:
    comp = b.add(res, kinds.ACCOUNT_SETTING)
    comp.set("setting", ACCOUNT_SETTINGS[res.type])
    comp.set("attributes", res.body)
