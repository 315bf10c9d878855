"""OpenSearch and Elasticsearch domains in Terraform: what the table
(``iac_assist/model/vocabulary/search.py``) cannot say."""

from __future__ import annotations

from iac_assist.model import Component, Unknown
from iac_assist.model.builder import ModelBuilder
from iac_assist.model.resource import SourceResource
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
