"""OpenSearch and Elasticsearch domains: what the table (``iac_assist/model/vocabulary/search.py``)
cannot say."""

from __future__ import annotations

from iac_assist.model import Component, Unknown
from iac_assist.model.builder import ModelBuilder, Normalizer
from iac_assist.model.resource import SourceResource


def register(normalizer: Normalizer) -> None:
    normalizer.extend("AWS::OpenSearchService::Domain", "AWS::Elasticsearch::Domain")(domain)


def domain(comp: Component, res: SourceResource, builder: ModelBuilder) -> None:
    option_flag(comp, "encrypt_at_rest", res, "EncryptionAtRestOptions")
    option_flag(comp, "node_to_node_encryption", res, "NodeToNodeEncryptionOptions")


def option_flag(comp: Component, key: str, res: SourceResource, prop: str) -> None:
    """The table reads ``key`` from the flag of the options object ``prop``; an object that
    leaves the flag out is off (the CloudFormation default), located at the object, and one not
    known makes it unknown. No object leaves the fact absent."""
    options = res.get(prop)
    if options is not None and not comp.has(key):
        comp.set(key, False if isinstance(options, dict) else Unknown(f"{prop} not known"), res.at(prop))
