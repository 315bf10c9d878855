"""EFS file systems in Terraform: ``aws_efs_file_system_policy`` folded onto its file system."""

from __future__ import annotations

from iac_assist.model import kinds
from iac_assist.model.builder import ModelBuilder
from iac_assist.model.resource import SourceResource
from iac_assist.model.satellites import fold_policy
from iac_assist.parsers.terraform.normalize_messaging import written_policy
from iac_assist.parsers.terraform.normalizer import NORMALIZER


@NORMALIZER.register("aws_efs_file_system_policy", phase=1)
def file_system_policy(res: SourceResource, b: ModelBuilder) -> None:
    fold_policy(b, res, res.get("file_system_id"), kinds.EFS_FILE_SYSTEM, written_policy(res),
         res.at("policy"))
