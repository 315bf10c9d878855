"""Secrets Manager policies: secrets that are never rotated."""

from __future__ import annotations

from collections.abc import Iterator

from iac_assist.analysis.policy import Hit, policy
from iac_assist.model import kinds
from iac_assist.model.graph import ResourceGraph


@policy(
    id="IAC-SM-001",
    control="secrets-rotation-missing",
    title="Secrets Manager secret has no rotation schedule",
    severity="low",
    stride="S",
    cwe=324,
    remediation="""
Rotate the secret automatically: add an `aws_secretsmanager_secret_rotation` (Terraform) or an
`AWS::SecretsManager::RotationSchedule` (CloudFormation) naming it, with a rotation Lambda
function (`rotation_lambda_arn` / `RotationLambdaARN`, or CloudFormation's `HostedRotationLambda`
for database credentials) and a schedule (`rotation_rules`, for example every 30 days). For RDS
and Aurora master passwords, `manage_master_user_password` / `ManageMasterUserPassword` lets RDS
create and rotate the secret itself.
""",
    references=(
        "https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotating-secrets.html",
        "https://docs.aws.amazon.com/securityhub/latest/userguide/secretsmanager-controls.html#secretsmanager-1",
    ),
    no_fix="rotation needs a function that changes the secret where it is used: yours to write or pick",
)
def secrets_rotation_missing(graph: ResourceGraph) -> Iterator[Hit]:
    """A secret that is never rotated stays valid for good once it leaks (a log, a developer's
    laptop, a former employee's notes, a compromised workload that read it): nothing ends the
    attacker's use of it, and nobody notices a secret that still works. Reported for every
    aws_secretsmanager_secret / AWS::SecretsManager::Secret that no rotation schedule names:
    rotation is folded onto the secret from aws_secretsmanager_secret_rotation (secret_id) and
    AWS::SecretsManager::RotationSchedule (SecretId), by reference or by literal name, and from the
    legacy inline rotation_rules with rotation_lambda_arn (AWS provider v2). Decisions: when a
    rotation schedule names a secret that cannot be told statically (an unknown value, a literal
    ARN or a data source), no secret of that configuration is reported, since it may be any of
    them; the rotation's schedule and function are not judged; secrets that RDS or another
    service create and rotate for themselves (manage_master_user_password) are not defined in the
    configuration and not judged. The finding points at the secret resource."""
    if graph.of_kind(kinds.SECRET_ROTATION):
        return  # a rotation of a secret not told statically: it may be any of them
    for secret in graph.of_kind(kinds.SECRET):
        if secret.is_true("rotation"):
            continue
        yield Hit(
            secret,
            secret.loc_of("rotation"),
            f"Secrets Manager secret {secret.display} is never rotated: no rotation schedule names it, so a "
            "leaked value stays valid for good. Add an aws_secretsmanager_secret_rotation / "
            "AWS::SecretsManager::RotationSchedule for it.",
            cause="rotation:absent",
        )


POLICIES = [secrets_rotation_missing]
