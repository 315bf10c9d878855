"""OpenSearch and Elasticsearch domains in Terraform: what the table
(``iac_assist/model/vocabulary/search.py``) cannot say."""

from __future__ import annotations

from iac_assist.model import Component, Unknown, kinds
from iac_assist.model.builder import ModelBuilder
from iac_assist.model.resource import SourceResource
from iac_assist.model.satellites import fold_policy
from iac_assist.parsers.terraform.normalize_messaging import set_inline, written_policy
from iac_assist.parsers.terraform.normalizer import NORMALIZER


@NORMALIZER.extend("aws_opensearch_domain", "aws_elasticsearch_domain")
def domain(comp: Component, res: SourceResource, b: ModelBuilder) -> None:
    required_flag(comp, "encrypt_at_rest", res, "encrypt_at_rest")
    required_flag(comp, "node_to_node_encryption", res, "node_to_node_encryption")


def required_flag(comp: Component, key: str, res: SourceResource, block: str, attr: str = "enabled") -> None:
    """The table reads ``key`` from ``attr`` of the first ``block``; a block that leaves it out
    (the provider requires it) does not say what AWS gets. No block leaves the fact absent (a
    plan's unknown block is the provider computing AWS's default, not a setting)."""
    blocks = res.blocks(block)
    if blocks and not comp.has(key):
        comp.set(key, Unknown(f"{block} without {attr}"), res.at(block, blocks[0][0]))


@NORMALIZER.extend("aws_opensearch_domain", "aws_elasticsearch_domain")
def access_policies(comp: Component, res: SourceResource, b: ModelBuilder) -> None:
    if not comp.has("policy"):
        set_inline(comp, res, "access_policies")


@NORMALIZER.register("aws_opensearch_domain_policy", "aws_elasticsearch_domain_policy", phase=1)
def domain_policy(res: SourceResource, b: ModelBuilder) -> None:
    """The domain policy resource replaces the domain's access policies (named by domain name)."""
    fold_policy(b, res, res.get("domain_name"), kinds.SEARCH_DOMAIN, written_policy(res, "access_policies"),
         res.at("access_policies"))
