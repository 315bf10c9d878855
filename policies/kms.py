"""KMS policies: customer managed keys whose key material never changes."""

from __future__ import annotations

from collections.abc import Iterator

from iac_assist.analysis.policy import Hit, policy
from iac_assist.fixes.declare import SetFacts
from iac_assist.model import kinds
from iac_assist.model.graph import ResourceGraph

SYMMETRIC = "SYMMETRIC_DEFAULT"
ENCRYPTION = "ENCRYPT_DECRYPT"
GENERATED_BY_KMS = "AWS_KMS"


@policy(
    id="IAC-KMS-001",
    control="kms-rotation-disabled",
    title="KMS key rotation is disabled",
    severity="low",
    stride="I",
    cwe=320,
    remediation="""
Turn on automatic rotation of the symmetric customer managed key: `enable_key_rotation = true`
on `aws_kms_key` (Terraform), `EnableKeyRotation: true` on `AWS::KMS::Key` (CloudFormation).
The default period is one year; `rotation_period_in_days` / `RotationPeriodInDays` shortens it
(90 to 2560 days). Rotation keeps the key id, ARN and policy, and old ciphertext stays readable.
""",
    references=(
        "https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html",
        "https://docs.aws.amazon.com/kms/latest/developerguide/rotating-keys-enable.html",
    ),
    fix=SetFacts({"rotation": True}),
)
def kms_rotation_disabled(graph: ResourceGraph) -> Iterator[Hit]:
    """A key whose material never changes protects every piece of data ever encrypted under it
    with one secret: the longer it lives, the more a single exposure of that material (or a
    cryptanalytic weakness) reveals, and compliance frameworks (PCI DSS, CIS AWS Foundations)
    require periodic rotation. Automatic rotation costs nothing to callers: KMS keeps the key id
    and every older version for decryption. Reported for a customer managed key (every
    aws_kms_key / AWS::KMS::Key is one; AWS managed keys are not defined in configurations and
    rotate every year anyway) whose rotation is off: enable_key_rotation / EnableKeyRotation false
    or not written (off is the AWS default). Decisions: only symmetric encryption keys are judged
    (key spec SYMMETRIC_DEFAULT or not written, and key usage ENCRYPT_DECRYPT or not written),
    because AWS cannot rotate asymmetric and HMAC keys automatically: a key spec other than
    SYMMETRIC_DEFAULT (RSA_*, ECC_*, HMAC_*, SM2) or a key usage SIGN_VERIFY, GENERATE_VERIFY_MAC or
    KEY_AGREEMENT is exempt; keys whose material AWS KMS did not generate are exempt (imported material,
    Origin EXTERNAL; keys in a CloudHSM or external key store, custom_key_store_id / xks_key_id),
    since automatic rotation is not supported for them; replica keys of a multi-Region key are
    not judged (they follow their primary), imported key material resources neither; a key known
    to be disabled is exempt (it encrypts nothing until it is enabled again, and is then
    reported); an unknown rotation setting, key spec, origin or enabled state gives no finding.
    The rotation period is not judged. The finding points at the rotation setting when it is
    written, else at the key."""
    for key in graph.of_kind(kinds.KMS_KEY):
        if not key.equals("key_spec", SYMMETRIC, unset=SYMMETRIC) or not key.equals(
                "key_usage", ENCRYPTION, unset=ENCRYPTION):
            continue
        if not key.equals("origin", GENERATED_BY_KMS, unset=GENERATED_BY_KMS):
            continue
        if not key.is_true("enabled", unset=True):
            continue
        if not key.is_false("rotation", unset=False):
            continue
        what = "its rotation is turned off" if key.has("rotation") else "rotation is not enabled (off by default)"
        yield Hit(
            key,
            key.loc_of("rotation"),
            f"KMS key {key.display} never rotates its key material: {what}, so everything ever encrypted "
            "under it depends on one secret. Set enable_key_rotation / EnableKeyRotation to true.",
            cause=f"rotation:{'false' if key.has('rotation') else 'absent'}",
        )


POLICIES = [kms_rotation_disabled]
