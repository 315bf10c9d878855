"""Secrets Manager: secrets, with their resource policy and rotation folded onto them from the
resources that set them (``aws_secretsmanager_secret_policy``, ``aws_secretsmanager_secret_rotation``,
``AWS::SecretsManager::ResourcePolicy``, ``AWS::SecretsManager::RotationSchedule``)."""

from __future__ import annotations

from iac_assist.model.mapping import Mapping, src
from iac_assist.model.vocabulary import fact, kind

SECRET = kind(
    "secretsmanager.secret", "A Secrets Manager secret.",
    fact("name", "str | Unknown", "secret name (Terraform: name; CloudFormation: Name)"),
    fact("policy", "dict | Unknown", """the resource policy (parsed JSON): Terraform policy, or folded
         from aws_secretsmanager_secret_policy / AWS::SecretsManager::ResourcePolicy, located there""",
         "no resource policy (owner account only)"),
    fact("block_public_policy", "bool | Unknown", """the policy resource asks Secrets Manager to reject a
         policy that allows broad access (block_public_policy / BlockPublicPolicy): a public policy then
         fails to deploy""", "false (public policies are not blocked)"),
    fact("rotation", "bool", """a rotation schedule applies to the secret: folded from
         aws_secretsmanager_secret_rotation / AWS::SecretsManager::RotationSchedule (located there), or the
         legacy inline rotation_rules block (provider v2)""", "no rotation"),
)
SECRET_ROTATION = kind(
    "secretsmanager.rotation", """A rotation schedule whose secret the configuration does not define or
    cannot tell statically (a data source, a literal ARN, a value not known).""",
    fact("secret", "Ref | str | Unknown", "the secret it rotates (secret_id / SecretId)"),
)

TERRAFORM = {
    # The inline policy and the legacy rotation_rules block: the front end's code.
    "aws_secretsmanager_secret": Mapping(SECRET, {"name": src("name", empty_is_unset=True)}),
}

CLOUDFORMATION = {
    "AWS::SecretsManager::Secret": Mapping(SECRET, {"name": src("Name", empty_is_unset=True)}),
}

TABLES = {"terraform": TERRAFORM, "cloudformation": CLOUDFORMATION}
