"""ECR repositories in Terraform: ``aws_ecr_repository_policy`` folded onto its repository."""

from __future__ import annotations

from iac_assist.model import kinds
from iac_assist.model.builder import ModelBuilder
from iac_assist.model.resource import SourceResource
from iac_assist.model.satellites import fold_policy
from iac_assist.parsers.terraform.normalize_messaging import written_policy
from iac_assist.parsers.terraform.normalizer import NORMALIZER


@NORMALIZER.register("aws_ecr_repository_policy", phase=1)
def repository_policy(res: SourceResource, b: ModelBuilder) -> None:
    fold_policy(b, res, res.get("repository"), kinds.ECR_REPOSITORY, written_policy(res), res.at("policy"))
