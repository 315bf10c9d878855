"""Search policies: OpenSearch and Elasticsearch domains that keep data unencrypted."""

from __future__ import annotations

from collections.abc import Iterator

from iac_assist.analysis.policy import Hit, policy
from iac_assist.fixes.declare import Change
from iac_assist.model import kinds
from iac_assist.model.graph import ResourceGraph

_SETTINGS = (
    # fact, what it protects, Terraform block / CloudFormation property to fix it
    ("encrypt_at_rest", "encryption at rest (indices, logs, swap files, automated snapshots)",
     "encrypt_at_rest { enabled = true } / EncryptionAtRestOptions.Enabled: true"),
    ("node_to_node_encryption", "node-to-node encryption (traffic between the domain's nodes)",
     "node_to_node_encryption { enabled = true } / NodeToNodeEncryptionOptions.Enabled: true"),
)



def _encrypt_domain(hit: Hit, graph: ResourceGraph) -> Change:
    """Turn on the encryption the domain lacks (at rest or node to node); AWS applies it with a
    blue/green deployment of the domain."""
    return Change(hit.component, {hit.cause: True}, note="AWS applies it with a blue/green deployment of the domain")


@policy(
    id="IAC-ES-001",
    control="search-domain-unencrypted",
    title="Search domain lacks encryption at rest or node-to-node encryption",
    severity="high",
    stride="I",
    cwe=311,
    remediation="""
Turn both on: in Terraform, `encrypt_at_rest { enabled = true }` (optionally with `kms_key_id`) and
`node_to_node_encryption { enabled = true }` on `aws_opensearch_domain` / `aws_elasticsearch_domain`;
in CloudFormation, `EncryptionAtRestOptions: {Enabled: true}` (optionally `KmsKeyId`) and
`NodeToNodeEncryptionOptions: {Enabled: true}` on `AWS::OpenSearchService::Domain` /
`AWS::Elasticsearch::Domain`. Elasticsearch engines older than 5.1 (at rest) or 6.0 (node-to-node)
cannot encrypt: upgrade the engine first.
""",
    references=(
        "https://docs.aws.amazon.com/opensearch-service/latest/developerguide/encryption-at-rest.html",
        "https://docs.aws.amazon.com/opensearch-service/latest/developerguide/ntn.html",
    ),
    fix=_encrypt_domain,
)
def search_domain_unencrypted(graph: ResourceGraph) -> Iterator[Hit]:
    """A search domain holds copies of the data it indexes, often the most sensitive fields of
    an application (names, addresses, messages). Without encryption at rest its indices, logs,
    swap files and automated snapshots are readable by whoever gets the underlying storage;
    without node-to-node encryption the traffic between its nodes inside the VPC is plain text.
    Checked: OpenSearch and Elasticsearch domains of both the current and the legacy resource
    types. Each missing setting is one finding, at the setting when it is written off, else at
    the domain: a setting left unset is off (the AWS default for both), an options block or
    object that leaves its enabled flag out is off in CloudFormation (its default) and unknown
    in Terraform (where the provider requires the flag). Unknown values are not reported.
    Engines too old to encrypt are still reported: the fix is an upgrade. OpenSearch Serverless
    collections always encrypt and are not checked. HTTPS enforcement on the domain endpoint is
    a different control."""
    for domain in graph.of_kind(kinds.SEARCH_DOMAIN):
        for fact, what, fix in _SETTINGS:
            if not domain.is_false(fact, unset=False):
                continue
            how = "is off" if domain.has(fact) else "is not configured (off by default)"
            yield Hit(domain, domain.loc_of(fact),
                      f"Search domain {domain.display} has no {what}: {fact} {how}. Set {fix}.",
                      cause=fact)


POLICIES = [search_domain_unencrypted]
