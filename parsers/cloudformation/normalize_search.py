"""OpenSearch and Elasticsearch domains: encryption at rest and node-to-node encryption."""

from __future__ import annotations

from iac_assist.model import Component, Unknown
from iac_assist.model.builder import ModelBuilder, Normalizer
from iac_assist.model.convert import to_bool
from iac_assist.model.kinds import SEARCH_DOMAIN
from iac_assist.model.resource import SourceResource


def register(normalizer: Normalizer) -> None:
    normalizer.register("AWS::OpenSearchService::Domain", "AWS::Elasticsearch::Domain")(domain)


def domain(res: SourceResource, builder: ModelBuilder) -> None:
    comp = builder.add(res, SEARCH_DOMAIN)
    builder.copy(comp, "name", res, "DomainName")
    option_flag(comp, "encrypt_at_rest", res, "EncryptionAtRestOptions", "Enabled")
    option_flag(comp, "node_to_node_encryption", res, "NodeToNodeEncryptionOptions", "Enabled")


def option_flag(comp: Component, key: str, res: SourceResource, prop: str, attr: str) -> None:
    """``comp.key`` from ``prop.attr``: an options object that leaves ``attr`` out is off (the
    CloudFormation default), located at the object; absent when the object is."""
    if not res.has(prop):
        return
    options = res.get(prop)
    if not isinstance(options, dict):
        comp.set(key, Unknown(f"{prop} not known"), res.at(prop))
    elif attr in options:
        comp.set(key, to_bool(options[attr]), res.at(prop, attr))
    else:
        comp.set(key, False, res.at(prop))
