"""ElastiCache policies: caches whose clients talk to them in plain text."""

from __future__ import annotations

from collections.abc import Iterator

from iac_assist.analysis.policy import Hit, policy
from iac_assist.model import Component, kinds
from iac_assist.model.graph import ResourceGraph

_FIX = "Set transit_encryption_enabled / TransitEncryptionEnabled to true (mode required)."


def _unencrypted(comp: Component, what: str) -> Hit | None:
    """The finding for a group or Memcached cluster whose own switch leaves traffic in clear."""
    if comp.is_false("transit_encryption", unset=False):
        how = "is off" if comp.has("transit_encryption") else "is not configured (off by default)"
        return Hit(comp, comp.loc_of("transit_encryption"),
                   f"{what} {comp.display} does not encrypt traffic in transit: transit encryption {how}, so "
                   f"clients send data and AUTH tokens in plain text. {_FIX}",
                   cause="transit_encryption:off")
    # Only a replication group has a mode (a Memcached cluster's encryption is on or off).
    if comp.kind == kinds.ELASTICACHE_REPLICATION_GROUP and comp.is_true("transit_encryption", unset=False) \
            and comp.equals("transit_encryption_mode", "preferred"):
        return Hit(comp, comp.loc_of("transit_encryption_mode"),
                   f"{what} {comp.display} still accepts unencrypted connections: transit_encryption_mode is "
                   "\"preferred\" (a migration mode). Set transit_encryption_mode / TransitEncryptionMode to "
                   "\"required\" once clients use TLS.",
                   cause="transit_encryption_mode:preferred")
    return None


@policy(
    id="IAC-CACHE-001",
    control="elasticache-transit-unencrypted",
    title="ElastiCache traffic is not encrypted in transit",
    severity="medium",
    stride="I",
    cwe=319,
    remediation="""
Create the cache with in-transit encryption: `transit_encryption_enabled = true` on
`aws_elasticache_replication_group` (Redis OSS, Valkey) or on a Memcached `aws_elasticache_cluster`
(Terraform); `TransitEncryptionEnabled: true` on `AWS::ElastiCache::ReplicationGroup` or a Memcached
`AWS::ElastiCache::CacheCluster` (CloudFormation). Leave `transit_encryption_mode` /
`TransitEncryptionMode` at `required`. A Redis OSS or Valkey node cannot encrypt outside a
replication group: create it as a replication group (one node is fine), or use a serverless cache.
""",
    references=(
        "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/in-transit-encryption.html",
        "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/in-transit-encryption-enable.html",
    ),
    no_fix="its clients must speak TLS first, and before Redis 7 turning it on replaces the cluster",
)
def elasticache_transit_unencrypted(graph: ResourceGraph) -> Iterator[Hit]:
    """Without in-transit encryption, everything between the application and the cache (the
    cached data, session tokens, the AUTH token itself) crosses the VPC in plain text, readable
    and alterable by anything that can capture that traffic. Reported: replication groups
    (Redis OSS, Valkey) whose transit encryption is off or unset (off is the AWS default), and
    those that switch it on in "preferred" mode, which still accepts plaintext connections (a
    migration step, not an end state). A secondary of a Global Datastore that leaves the
    setting unset takes its primary's and is judged there. Cache clusters: a Memcached cluster
    has its own switch and is judged like a group; a Redis OSS or Valkey cluster outside a
    replication group cannot encrypt in transit at all and is reported unless it claims to;
    a cluster that is a member of a replication group is judged through the group. Serverless
    caches always encrypt and are not checked. Unknown values (engine, switch) are not
    reported. The finding points at the setting, else at the resource."""
    for group in graph.of_kind(kinds.ELASTICACHE_REPLICATION_GROUP):
        if not group.has("transit_encryption") and group.has("global_datastore"):
            continue
        hit = _unencrypted(group, "Replication group")
        if hit is not None:
            yield hit
    for cluster in graph.of_kind(kinds.ELASTICACHE_CLUSTER):
        engine = cluster.get("engine")
        if cluster.has("replication_group") or not isinstance(engine, str):
            continue
        if engine == "memcached":
            hit = _unencrypted(cluster, "Memcached cluster")
            if hit is not None:
                yield hit
        elif cluster.is_false("transit_encryption", unset=False):
            yield Hit(cluster, cluster.loc_of("transit_encryption"),
                      f"Cache cluster {cluster.display} ({engine}) is a node outside a replication group, which "
                      "cannot encrypt traffic in transit: clients send data and AUTH tokens in plain text. Create it "
                      "as a replication group with transit_encryption_enabled / TransitEncryptionEnabled true.",
                      cause=f"standalone:{engine}")


POLICIES = [elasticache_transit_unencrypted]
