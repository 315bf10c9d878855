"""Resource policy resources whose resource the configuration does not define (a data source, a
literal ARN of another configuration, a value not known statically): the policy is still this
configuration's, and is judged on the policy resource itself."""

from __future__ import annotations

from iac_assist.model.vocabulary import fact, kind

RESOURCE_POLICY = kind(
    "resource_policy", """A policy resource of a KMS key, secret, ECR repository, EFS file system or REST API
    the configuration does not define (aws_kms_key_policy, aws_secretsmanager_secret_policy,
    AWS::SecretsManager::ResourcePolicy, aws_ecr_repository_policy, aws_efs_file_system_policy,
    aws_api_gateway_rest_api_policy).""",
    fact("policy", "dict | Unknown", "the policy document (parsed JSON)"),
    fact("governs", "str", "the kind of the resource it governs: kms.key, secretsmanager.secret..."),
    fact("targets", "list[Ref | str | Unknown]", "the resource it names"),
)
