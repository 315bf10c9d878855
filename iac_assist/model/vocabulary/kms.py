"""KMS: customer managed keys and what decides whether they can rotate.

Replica keys (``aws_kms_replica_key``, ``AWS::KMS::ReplicaKey``) are not modelled: a replica shares
its primary's key material and rotation setting. ``aws_kms_external_key`` (imported key material)
is not either: AWS cannot rotate material it did not generate."""

from __future__ import annotations

from iac_assist.model.convert import to_bool, upper
from iac_assist.model.mapping import Mapping, src
from iac_assist.model.vocabulary import fact, kind

KMS_KEY = kind(
    "kms.key", "A customer managed KMS key.",
    fact("rotation", "bool | Unknown", "automatic key rotation", "off (the AWS default)"),
    fact("key_spec", "str | Unknown", "SYMMETRIC_DEFAULT | RSA_2048 | ECC_NIST_P256 | HMAC_256 | ... (upper case)",
         "SYMMETRIC_DEFAULT"),
    fact("key_usage", "str | Unknown", "ENCRYPT_DECRYPT | SIGN_VERIFY | GENERATE_VERIFY_MAC | KEY_AGREEMENT",
         "ENCRYPT_DECRYPT"),
    fact("origin", "str | Unknown", """where the key material comes from: AWS_KMS | EXTERNAL (imported) |
         AWS_CLOUDHSM | EXTERNAL_KEY_STORE (custom key stores; Terraform: told by custom_key_store_id and
         xks_key_id)""", "AWS_KMS"),
    fact("enabled", "bool | Unknown", "the key can be used", "true"),
    fact("policy", "dict | Unknown", """the key policy (parsed JSON): Terraform policy, CloudFormation
         KeyPolicy, or folded from aws_kms_key_policy, located there""",
         "the default key policy (the owner account's IAM policies decide)"),
)

TERRAFORM = {
    # origin: Terraform names a custom key store instead (the front end's code).
    "aws_kms_key": Mapping(KMS_KEY, {
        "rotation": src("enable_key_rotation", convert=to_bool),
        "key_spec": src("customer_master_key_spec", convert=upper),
        "key_usage": src("key_usage", convert=upper),
        "enabled": src("is_enabled", convert=to_bool),
    }),
}

CLOUDFORMATION = {
    "AWS::KMS::Key": Mapping(KMS_KEY, {
        "rotation": src("EnableKeyRotation", convert=to_bool),
        "key_spec": src("KeySpec", convert=upper),
        "key_usage": src("KeyUsage", convert=upper),
        "enabled": src("Enabled", convert=to_bool),
        "origin": src("Origin", convert=upper),
    }),
}

TABLES = {"terraform": TERRAFORM, "cloudformation": CLOUDFORMATION}
