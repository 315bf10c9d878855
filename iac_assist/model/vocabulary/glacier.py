"""S3 Glacier vaults and their access policy. Terraform only: CloudFormation has no resource
type for a Glacier vault."""

from __future__ import annotations

from iac_assist.model.mapping import Mapping, src
from iac_assist.model.vocabulary import fact, kind

GLACIER_VAULT = kind(
    "glacier.vault", "An S3 Glacier vault (Terraform only).",
    fact("name", "str | Unknown", "vault name"),
    fact("policy", "dict | Unknown", "the vault access policy (access_policy, parsed JSON)",
         "no access policy (owner account only)"),
)

TERRAFORM = {
    # access_policy: the front end's code (JSON text, jsonencode, a policy document data source).
    "aws_glacier_vault": Mapping(GLACIER_VAULT, {"name": src("name", empty_is_unset=True)}),
}

TABLES = {"terraform": TERRAFORM}
