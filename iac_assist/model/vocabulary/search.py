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
    fact("policy", "dict | Unknown", """the domain access policy (parsed JSON): Terraform access_policies,
         CloudFormation AccessPolicies, or folded from aws_opensearch_domain_policy /
         aws_elasticsearch_domain_policy, located there""", "no access policy"),
    fact("vpc_subnets", "list[Ref | str | Unknown] | Unknown", """the subnets of its VPC endpoint
         (vpc_options subnet_ids / VPCOptions SubnetIds); a domain without them has a public endpoint""",
         "a public endpoint"),
    fact("fine_grained_access", "bool | Unknown", """fine-grained access control (advanced_security_options
         enabled / AdvancedSecurityOptions Enabled): users and roles are checked by the domain itself""",
         "off"),
)

TERRAFORM = {
    ("aws_opensearch_domain", "aws_elasticsearch_domain"): Mapping(SEARCH_DOMAIN, {
        "name": "domain_name",
        "encrypt_at_rest": src(("encrypt_at_rest", 0, "enabled"), convert=to_bool),
        "node_to_node_encryption": src(("node_to_node_encryption", 0, "enabled"), convert=to_bool),
        "vpc_subnets": src(("vpc_options", 0, "subnet_ids")),
        "fine_grained_access": src(("advanced_security_options", 0, "enabled"), convert=to_bool),
    }),
}

CLOUDFORMATION = {
    ("AWS::OpenSearchService::Domain", "AWS::Elasticsearch::Domain"): Mapping(SEARCH_DOMAIN, {
        "name": "DomainName",
        "encrypt_at_rest": src(("EncryptionAtRestOptions", "Enabled"), convert=to_bool),
        "node_to_node_encryption": src(("NodeToNodeEncryptionOptions", "Enabled"), convert=to_bool),
        "vpc_subnets": src(("VPCOptions", "SubnetIds")),
        "fine_grained_access": src(("AdvancedSecurityOptions", "Enabled"), convert=to_bool),
    }),
}

TABLES = {"terraform": TERRAFORM, "cloudformation": CLOUDFORMATION}
