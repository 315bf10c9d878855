"""KMS policies (kms-rotation-disabled): edge cases, each in Terraform and CloudFormation; the
shipped examples are checked against their snapshots by test_policies_examples.py."""

from __future__ import annotations

import textwrap

import pytest

from tests.policy_examples import cfn, found, line, tf

ROTATION = "kms-rotation-disabled"


def tf_key(arguments: str = "", extra: str = "") -> str:
    """``extra`` (variables...), then a key ``k`` with ``arguments`` (one per line)."""
    body = textwrap.indent(arguments + "\n", "  ") if arguments else ""
    return tf(f'''{extra}
resource "aws_kms_key" "k" {{
  description = "k"
{body}}}
''')


def cfn_key(properties: str = "", parameters: str = "") -> str:
    """A template with a key ``Key`` whose ``properties`` are given one per line."""
    body = textwrap.indent(properties + "\n", " " * 4) if properties else ""
    return cfn("Key:\n  Type: AWS::KMS::Key\n  Properties:\n    Description: k\n" + body, parameters)


def verdict(write_tree, tf_arguments: str, cfn_properties: str, tf_extra: str = "", cfn_parameters: str = ""):
    """The findings for one key in each format, as (resource, file, line)."""
    return found(write_tree, ROTATION, tf_key(tf_arguments, tf_extra), cfn_key(cfn_properties, cfn_parameters))


def test_rotation_not_written_is_off_and_points_at_the_key(write_tree):
    assert verdict(write_tree, "", "") == {
        ("aws_kms_key.k", "tf/main.tf", line(tf_key(), 'resource "aws_kms_key"')),
        ("Key", "cfn/template.yaml", line(cfn_key(), "Key:")),
    }


def test_rotation_turned_off_points_at_the_setting(write_tree):
    terraform, cloudformation = tf_key("enable_key_rotation = false"), cfn_key('EnableKeyRotation: "false"')
    assert found(write_tree, ROTATION, terraform, cloudformation) == {
        ("aws_kms_key.k", "tf/main.tf", line(terraform, "enable_key_rotation")),
        ("Key", "cfn/template.yaml", line(cloudformation, "EnableKeyRotation")),
    }


def test_rotation_on_is_fine(write_tree):
    assert verdict(write_tree, "enable_key_rotation = true", "EnableKeyRotation: true") == set()


def test_null_rotation_is_the_default_off(write_tree):
    # Drift the tables fixed: CloudFormation's null was an unknown value (no finding), Terraform's
    # the default; null is unset in every format now.
    terraform, cloudformation = tf_key("enable_key_rotation = null"), cfn_key("EnableKeyRotation: null")
    assert found(write_tree, ROTATION, terraform, cloudformation) == {
        ("aws_kms_key.k", "tf/main.tf", line(terraform, 'resource "aws_kms_key"')),
        ("Key", "cfn/template.yaml", line(cloudformation, "Key:"))}


def test_unknown_rotation_gives_no_finding(write_tree):
    assert verdict(write_tree, "enable_key_rotation = var.rotate", "EnableKeyRotation: !Ref Rotate",
                   'variable "rotate" {}', "Rotate:\n  Type: String\n") == set()


@pytest.mark.parametrize(("tf_spec", "cfn_spec", "reported"), [
    ('customer_master_key_spec = "SYMMETRIC_DEFAULT"', "KeySpec: SYMMETRIC_DEFAULT", True),
    ('customer_master_key_spec = "RSA_2048"\nkey_usage = "ENCRYPT_DECRYPT"',
     "KeySpec: RSA_2048\nKeyUsage: ENCRYPT_DECRYPT", False),
    ('customer_master_key_spec = "HMAC_256"\nkey_usage = "GENERATE_VERIFY_MAC"',
     "KeySpec: HMAC_256\nKeyUsage: GENERATE_VERIFY_MAC", False),
], ids=["symmetric-written", "asymmetric", "hmac"])
def test_only_symmetric_keys_are_judged(write_tree, tf_spec, cfn_spec, reported):
    assert bool(verdict(write_tree, tf_spec, cfn_spec)) is reported


@pytest.mark.parametrize(("tf_usage", "cfn_usage", "reported"), [
    ('key_usage = "ENCRYPT_DECRYPT"', "KeyUsage: ENCRYPT_DECRYPT", True),
    ('key_usage = "SIGN_VERIFY"', "KeyUsage: SIGN_VERIFY", False),
    ('key_usage = "GENERATE_VERIFY_MAC"', "KeyUsage: GENERATE_VERIFY_MAC", False),
    ('key_usage = "sign_verify"', "KeyUsage: sign_verify", False),
], ids=["encrypt-decrypt", "sign-verify", "generate-verify-mac", "lower-case"])
def test_a_key_for_signing_or_macs_is_exempt_even_without_a_key_spec(write_tree, tf_usage, cfn_usage, reported):
    """Other scanners' fixtures write the usage alone: a signing or HMAC key cannot rotate."""
    terraform, cloudformation = tf_key(tf_usage), cfn_key(cfn_usage)
    expected = {("aws_kms_key.k", "tf/main.tf", line(terraform, 'resource "aws_kms_key"')),
                ("Key", "cfn/template.yaml", line(cloudformation, "Key:"))} if reported else set()
    assert found(write_tree, ROTATION, terraform, cloudformation) == expected


def test_unknown_key_usage_gives_no_finding(write_tree):
    assert verdict(write_tree, "key_usage = var.usage", "KeyUsage: !Ref Usage",
                   'variable "usage" {}', "Usage:\n  Type: String\n") == set()


def test_unknown_key_spec_gives_no_finding(write_tree):
    assert verdict(write_tree, "customer_master_key_spec = var.spec", "KeySpec: !Ref Spec",
                   'variable "spec" {}', "Spec:\n  Type: String\n") == set()


def test_key_material_not_generated_by_kms_is_exempt(write_tree):
    # Imported material (CloudFormation Origin EXTERNAL) and custom key stores (Terraform) cannot
    # rotate automatically; CloudFormation's default origin is AWS_KMS.
    assert verdict(write_tree, 'custom_key_store_id = "cks-1234567890abcdef0"', "Origin: EXTERNAL") == set()
    assert verdict(write_tree, 'custom_key_store_id = "cks-1234567890abcdef0"\nxks_key_id = "ext-key-1"',
                   "Origin: AWS_KMS") == {("Key", "cfn/template.yaml", line(cfn_key("Origin: AWS_KMS"), "Key:"))}


def test_imported_and_replica_key_resources_are_not_judged(write_tree):
    terraform = tf('''
        resource "aws_kms_external_key" "imported" {
          description = "imported"
        }
        resource "aws_kms_replica_key" "replica" {
          primary_key_arn = "arn:aws:kms:eu-west-1:111122223333:key/mrk-1234abcd"
        }
        ''')
    cloudformation = cfn('''
        Replica:
          Type: AWS::KMS::ReplicaKey
          Properties:
            PrimaryKeyArn: arn:aws:kms:eu-west-1:111122223333:key/mrk-1234abcd
            KeyPolicy: {}
        ''')
    assert found(write_tree, ROTATION, terraform, cloudformation) == set()


def test_a_disabled_key_is_exempt_and_an_unknown_state_gives_no_finding(write_tree):
    assert verdict(write_tree, "is_enabled = false", "Enabled: false") == set()
    assert verdict(write_tree, "is_enabled = var.on", "Enabled: !Ref On",
                   'variable "on" {}', "On:\n  Type: String\n") == set()
    assert len(verdict(write_tree, "is_enabled = true", "Enabled: true")) == 2


def test_message_names_the_key_and_the_fix(write_tree):
    from tests.policy_examples import messages

    root = write_tree({"tf/main.tf": tf_key(), "cfn/template.yaml": cfn_key("EnableKeyRotation: false")})
    texts = sorted(messages(root, ROTATION))
    assert len(texts) == 2
    assert "KMS key Key never rotates its key material: its rotation is turned off" in texts[0]
    assert "KMS key aws_kms_key.k never rotates its key material: rotation is not enabled" in texts[1]
    assert all("enable_key_rotation / EnableKeyRotation" in t for t in texts)
