"""ECR: private image repositories, with their repository policy (inline in CloudFormation,
folded from ``aws_ecr_repository_policy`` in Terraform)."""

from __future__ import annotations

from iac_assist.model.convert import upper
from iac_assist.model.mapping import Mapping, src
from iac_assist.model.vocabulary import fact, kind

ECR_REPOSITORY = kind(
    "ecr.repository", "A private ECR image repository.",
    fact("name", "str | Unknown", "repository name"),
    fact("image_tag_mutability", "str | Unknown", """MUTABLE | IMMUTABLE | MUTABLE_WITH_EXCLUSION |
         IMMUTABLE_WITH_EXCLUSION (upper case)""", "MUTABLE (the AWS default)"),
    fact("policy", "dict | Unknown", """the repository policy (parsed JSON): CloudFormation
         RepositoryPolicyText, or folded from aws_ecr_repository_policy, located there""",
         "no repository policy (owner account only)"),
)

TERRAFORM = {
    "aws_ecr_repository": Mapping(ECR_REPOSITORY, {
        "name": src("name", empty_is_unset=True),
        "image_tag_mutability": src("image_tag_mutability", convert=upper),
    }),
}

CLOUDFORMATION = {
    # RepositoryPolicyText: the front end's code (a mapping or JSON text).
    "AWS::ECR::Repository": Mapping(ECR_REPOSITORY, {
        "name": src("RepositoryName", empty_is_unset=True),
        "image_tag_mutability": src("ImageTagMutability", convert=upper),
    }),
}

TABLES = {"terraform": TERRAFORM, "cloudformation": CLOUDFORMATION}
