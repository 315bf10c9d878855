"""CloudTrail policies (cloudtrail-missing, cloudtrail-misconfigured): edge cases, each in Terraform
and CloudFormation; the shipped examples are checked against their snapshots by
test_policies_examples.py."""

from __future__ import annotations

import textwrap

import pytest

from tests.policy_examples import cfn, found, hits, line, messages, tf

MISSING = "cloudtrail-missing"
MISCONFIGURED = "cloudtrail-misconfigured"


GOOD_TF = '''
is_multi_region_trail      = true
enable_log_file_validation = true
kms_key_id                 = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
'''
GOOD_CFN = '''
IsMultiRegionTrail: true
EnableLogFileValidation: true
KMSKeyId: arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab
'''


def tf_trail(arguments: str = "", extra: str = "", name: str = "t") -> str:
    """``extra``, then a trail ``aws_cloudtrail.<name>`` with ``arguments`` (one per line)."""
    body = textwrap.indent(textwrap.dedent(arguments).strip("\n") + "\n", "  ") if arguments.strip() else ""
    return tf(f'''{extra}
resource "aws_cloudtrail" "{name}" {{
  name           = "{name}"
  s3_bucket_name = "acme-log-archive"
{body}}}
''')


def cfn_trail(properties: str = "", extra: str = "", parameters: str = "") -> str:
    """A template with a trail ``Trail`` (``properties`` one per line), then ``extra`` resources."""
    body = textwrap.indent(textwrap.dedent(properties).strip("\n") + "\n", " " * 4) if properties.strip() else ""
    resources = ("Trail:\n  Type: AWS::CloudTrail::Trail\n  Properties:\n    S3BucketName: acme-log-archive\n"
                 "    IsLogging: true\n" + body + textwrap.dedent(extra).lstrip("\n"))
    return cfn(resources, parameters)


# --- cloudtrail-missing: which configurations set up an account ------------------------------------


def test_an_application_configuration_is_not_judged(write_tree):
    terraform = tf('''
        resource "aws_kms_key" "app" {
          enable_key_rotation = true
        }
        resource "aws_sqs_queue" "jobs" {
          name = "jobs"
        }
        ''')
    cloudformation = cfn('''
        Jobs:
          Type: AWS::SQS::Queue
        ''')
    assert found(write_tree, MISSING, terraform, cloudformation) == set()


def test_a_baseline_without_a_trail_is_reported_at_its_first_account_wide_resource(write_tree):
    terraform = tf('''
        resource "aws_sqs_queue" "jobs" {
          name = "jobs"
        }
        resource "aws_iam_account_password_policy" "strict" {
          minimum_password_length = 14
        }
        resource "aws_guardduty_detector" "this" {
          enable = true
        }
        ''')
    cloudformation = cfn('''
        Recorder:
          Type: AWS::Config::ConfigurationRecorder
          Properties:
            RoleARN: arn:aws:iam::111122223333:role/config
        Hub:
          Type: AWS::SecurityHub::Hub
        ''')
    assert found(write_tree, MISSING, terraform, cloudformation) == {
        ("aws_iam_account_password_policy.strict", "tf/main.tf", line(terraform, "aws_iam_account_password_policy")),
        ("Recorder", "cfn/template.yaml", line(cloudformation, "Recorder:")),
    }


@pytest.mark.parametrize("terraform", [
    'resource "aws_s3_account_public_access_block" "this" {\n  block_public_acls = true\n}\n',
    'resource "aws_ebs_encryption_by_default" "this" {}\n',
    'resource "aws_ec2_instance_metadata_defaults" "this" {\n  http_tokens = "required"\n}\n',
    'resource "aws_organizations_organization" "this" {}\n',
    'resource "aws_iam_account_alias" "this" {\n  account_alias = "acme-prod"\n}\n',
], ids=["s3-account-public-access-block", "ebs-encryption-by-default", "metadata-defaults", "organization",
        "account-alias"])
def test_account_wide_resources_modelled_by_other_services_mark_a_baseline_too(write_tree, terraform):
    assert len(found(write_tree, MISSING, terraform)) == 1


@pytest.mark.parametrize("resource", [
    "Type: AWS::Organizations::Organization",
    "Type: AWS::Macie::Session",
    "Type: AWS::Detective::Graph",
    "Type: AWS::AccessAnalyzer::Analyzer\n  Properties:\n    Type: ACCOUNT",
], ids=["organization", "macie", "detective", "access-analyzer"])
def test_account_wide_services_mark_a_cloudformation_baseline(write_tree, resource):
    assert found(write_tree, MISSING, cloudformation=cfn(f"Baseline:\n  {resource}\n")) == {
        ("Baseline", "cfn/template.yaml", 3)}


def test_a_qualifying_trail_satisfies_the_baseline(write_tree):
    terraform = tf_trail(GOOD_TF, 'resource "aws_guardduty_detector" "this" {}')
    cloudformation = cfn_trail(GOOD_CFN, "Detector:\n  Type: AWS::GuardDuty::Detector\n")
    assert found(write_tree, MISSING, terraform, cloudformation) == set()


def test_a_trail_alone_makes_a_baseline_and_is_reported_when_it_does_not_qualify(write_tree):
    terraform = tf_trail("is_multi_region_trail = true")
    cloudformation = cfn_trail("EnableLogFileValidation: true")
    assert found(write_tree, MISSING, terraform, cloudformation) == {
        ("aws_cloudtrail.t", "tf/main.tf", line(terraform, 'resource "aws_cloudtrail"')),
        ("Trail", "cfn/template.yaml", line(cloudformation, "  Trail:")),
    }
    texts = sorted(messages(write_tree({}), MISSING))
    assert "trail Trail records one region only" in texts[0]
    assert "trail aws_cloudtrail.t has log file validation off" in texts[1]


def test_a_trail_with_logging_off_does_not_count(write_tree):
    terraform = tf_trail(GOOD_TF + "enable_logging = false")
    cloudformation = cfn_trail(GOOD_CFN).replace("IsLogging: true", "IsLogging: false")
    assert len(found(write_tree, MISSING, terraform, cloudformation)) == 2
    assert "has logging turned off" in messages(write_tree({}), MISSING)[0]


def test_a_trail_whose_settings_are_unknown_may_qualify(write_tree):
    terraform = tf_trail("is_multi_region_trail = var.all\nenable_log_file_validation = true", 'variable "all" {}')
    cloudformation = cfn_trail("IsMultiRegionTrail: !Ref All\nEnableLogFileValidation: true",
                               parameters="All:\n  Type: String\n")
    assert found(write_tree, MISSING, terraform, cloudformation) == set()


def test_a_trail_in_a_module_of_the_same_root_counts(write_tree):
    root = write_tree({
        "main.tf": tf('''
            resource "aws_iam_account_password_policy" "strict" {
              minimum_password_length = 14
            }
            module "audit" {
              source = "./modules/audit"
            }
            '''),
        "modules/audit/main.tf": tf_trail(GOOD_TF),
    })
    assert hits(root, MISSING) == set()


def test_each_configuration_is_judged_on_its_own_trails(write_tree):
    root = write_tree({
        "baseline/template.yaml": cfn("Detector:\n  Type: AWS::GuardDuty::Detector\n"),
        "logging/template.yaml": cfn_trail(GOOD_CFN),
        "app/main.tf": tf('resource "aws_sqs_queue" "jobs" {}\n'),
    })
    assert hits(root, MISSING) == {("Detector", "baseline/template.yaml", 3)}


def test_an_organization_trail_anywhere_in_the_scan_covers_every_configuration(write_tree):
    root = write_tree({
        "member/template.yaml": cfn("Detector:\n  Type: AWS::GuardDuty::Detector\n"),
        "management/main.tf": tf_trail(GOOD_TF + "is_organization_trail = true",
                                       'resource "aws_organizations_organization" "this" {}'),
    })
    assert hits(root, MISSING) == set()


# --- cloudtrail-misconfigured ----------------------------------------------------------------------


def causes(root) -> set[tuple[str, str, int]]:
    from iac_assist.analysis.engine import scan

    return {(f.cause, f.loc.file, f.loc.line) for f in scan([root]).findings if f.control == MISCONFIGURED}


def test_settings_not_written_are_off_and_point_at_the_trail(write_tree):
    root = write_tree({"tf/main.tf": tf_trail(), "cfn/template.yaml": cfn_trail()})
    tf_line, cfn_line = line(tf_trail(), 'resource "aws_cloudtrail"'), line(cfn_trail(), "  Trail:")
    assert causes(root) == {
        (cause, file, n)
        for file, n in (("tf/main.tf", tf_line), ("cfn/template.yaml", cfn_line))
        for cause in ("multi_region:absent", "log_file_validation:absent", "kms_key:absent")
    }


def test_settings_turned_off_point_at_themselves(write_tree):
    terraform = tf_trail('is_multi_region_trail = false\nenable_log_file_validation = false\nkms_key_id = ""')
    cloudformation = cfn_trail('IsMultiRegionTrail: "false"\nEnableLogFileValidation: false\nKMSKeyId: ""')
    root = write_tree({"tf/main.tf": terraform, "cfn/template.yaml": cloudformation})
    assert causes(root) == {
        ("multi_region:false", "tf/main.tf", line(terraform, "is_multi_region_trail")),
        ("log_file_validation:false", "tf/main.tf", line(terraform, "enable_log_file_validation")),
        ("kms_key:false", "tf/main.tf", line(terraform, "kms_key_id")),
        ("multi_region:false", "cfn/template.yaml", line(cloudformation, "IsMultiRegionTrail")),
        ("log_file_validation:false", "cfn/template.yaml", line(cloudformation, "EnableLogFileValidation")),
        ("kms_key:false", "cfn/template.yaml", line(cloudformation, "KMSKeyId")),
    }


def test_a_complete_trail_is_fine_whatever_key_it_names(write_tree):
    key = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    terraform = tf_trail(GOOD_TF.replace(f'"{key}"', "aws_kms_key.trail.arn"),
                         'resource "aws_kms_key" "trail" {\n  enable_key_rotation = true\n}')
    cloudformation = cfn_trail(GOOD_CFN.replace(key, "alias/trail"))
    assert found(write_tree, MISCONFIGURED, terraform, cloudformation) == set()


def test_unknown_settings_give_no_finding(write_tree):
    terraform = tf_trail("is_multi_region_trail = var.x\nenable_log_file_validation = var.x\nkms_key_id = var.key",
                         'variable "x" {}\nvariable "key" {}')
    cloudformation = cfn_trail("IsMultiRegionTrail: !Ref X\nEnableLogFileValidation: !Ref X\nKMSKeyId: !Ref Key",
                               parameters="X:\n  Type: String\nKey:\n  Type: String\n")
    assert found(write_tree, MISCONFIGURED, terraform, cloudformation) == set()


def test_null_arguments_are_the_defaults(write_tree):
    terraform = tf_trail("is_multi_region_trail = null\nenable_log_file_validation = true\nkms_key_id = null")
    root = write_tree({"main.tf": terraform})
    trail_line = line(terraform, 'resource "aws_cloudtrail"')
    assert causes(root) == {("multi_region:absent", "main.tf", trail_line), ("kms_key:absent", "main.tf", trail_line)}


def test_null_properties_are_the_defaults_in_cloudformation_too(write_tree):
    # Drift the tables fixed: CloudFormation's null was an unknown value (no finding).
    cloudformation = cfn_trail("IsMultiRegionTrail: null\nEnableLogFileValidation: true\nKMSKeyId: null")
    root = write_tree({"template.yaml": cloudformation})
    trail_line = line(cloudformation, "  Trail:")
    assert causes(root) == {("multi_region:absent", "template.yaml", trail_line),
                            ("kms_key:absent", "template.yaml", trail_line)}


def test_message_names_the_trail_and_the_fix(write_tree):
    root = write_tree({"main.tf": tf_trail("is_multi_region_trail = true\nenable_log_file_validation = true")})
    [text] = messages(root, MISCONFIGURED)
    assert text.startswith("CloudTrail trail aws_cloudtrail.t does not keep a complete, protected record: its log "
                           "files are not encrypted with a KMS key")
    assert "Set kms_key_id / KMSKeyId to a customer managed key." in text
