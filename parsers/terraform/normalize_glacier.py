"""Glacier vaults in Terraform: the access policy, decoded by the front end."""

from __future__ import annotations

from iac_assist.model import Component
from iac_assist.model.builder import ModelBuilder
from iac_assist.model.resource import SourceResource
from iac_assist.parsers.terraform.normalize_messaging import set_inline
from iac_assist.parsers.terraform.normalizer import NORMALIZER


@NORMALIZER.extend("aws_glacier_vault")
def vault(comp: Component, res: SourceResource, b: ModelBuilder) -> None:
    set_inline(comp, res, "access_policy")
