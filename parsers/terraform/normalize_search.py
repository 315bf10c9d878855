"""OpenSearch and Elasticsearch domains in Terraform: encryption at rest and node-to-node."""

from __future__ import annotations

from iac_assist.model import Component, Unknown, kinds
from iac_assist.model.builder import ModelBuilder
from iac_assist.model.convert import to_bool
from iac_assist.model.resource import SourceResource
from iac_assist.parsers.terraform.normalizer import NORMALIZER


@NORMALIZER.register("aws_opensearch_domain", "aws_elasticsearch_domain")
def domain(res: SourceResource, b: ModelBuilder) -> None:
    comp = b.add(res, kinds.SEARCH_DOMAIN)
    b.copy(comp, "name", res, "domain_name")
    block_flag(comp, "encrypt_at_rest", res, "encrypt_at_rest")
    block_flag(comp, "node_to_node_encryption", res, "node_to_node_encryption")


def block_flag(comp: Component, key: str, res: SourceResource, block: str, attr: str = "enabled") -> None:
    """``comp.key`` from ``attr`` of the first nested ``block``: absent when there is no block (a
    plan's unknown block is the provider computing AWS's default, not a setting)."""
    blocks = res.blocks(block)
    if not blocks:
        return
    i, body = blocks[0]
    if attr in body:
        comp.set(key, to_bool(body[attr]), res.at(block, i, attr))
    else:
        # The provider requires the attribute: a block without it does not say what AWS gets.
        comp.set(key, Unknown(f"{block} without {attr}"), res.at(block, i))
