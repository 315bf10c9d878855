"""OpenSearch and Elasticsearch domains: encryption at rest and node-to-node encryption."""

from __future__ import annotations

from iac_assist.model.convert import to_bool
from iac_assist.model.mapping import Mapping, src
from iac_assist.model.vocabulary import fact, kind

SEARCH_DOMAIN = kind(
    "search.domain", "An OpenSearch or Elasticsearch domain.",
    fact("name", "str", "domain name"),
    fact("encrypt_at_rest", "bool | Unknown", """encryption at rest (Terraform: a block without
         ``enabled``, which the provider requires, is unknown; CloudFormation: an options object
         without ``Enabled`` is off)""", "off (the AWS default)"),
    fact("node_to_node_encryption", "bool | Unknown", "node-to-node encryption (as encrypt_at_rest)",
         "off (the AWS default)"),
)

TERRAFORM = {
    ("aws_opensearch_domain", "aws_elasticsearch_domain"): Mapping(SEARCH_DOMAIN, {
        "name": "domain_name",
        "encrypt_at_rest": src(("encrypt_at_rest", 0, "enabled"), convert=to_bool),
        "node_to_node_encryption": src(("node_to_node_encryption", 0, "enabled"), convert=to_bool),
    }),
}

CLOUDFORMATION = {
    ("AWS::OpenSearchService::Domain", "AWS::Elasticsearch::Domain"): Mapping(SEARCH_DOMAIN, {
        "name": "DomainName",
        "encrypt_at_rest": src(("EncryptionAtRestOptions", "Enabled"), convert=to_bool),
        "node_to_node_encryption": src(("NodeToNodeEncryptionOptions", "Enabled"), convert=to_bool),
    }),
}

TABLES = {"terraform": TERRAFORM, "cloudformation": CLOUDFORMATION}
