"""ElastiCache: replication groups and cache clusters, and their in-transit encryption.
Serverless caches (``aws_elasticache_serverless_cache``, ``AWS::ElastiCache::ServerlessCache``)
always encrypt in transit: not modelled."""

from __future__ import annotations

from iac_assist.model.convert import lower, to_bool
from iac_assist.model.mapping import Mapping, src
from iac_assist.model.vocabulary import fact, kind

_TRANSIT = fact("transit_encryption", "bool | Unknown", "in-transit encryption", "off (the AWS default)")

ELASTICACHE_REPLICATION_GROUP = kind(
    "elasticache.replication_group", "A replication group (Redis OSS / Valkey, node-based).",
    fact("name", "str", "replication group id"),
    fact("engine", "str | Unknown", "redis | valkey (lower case)", "redis"),
    _TRANSIT,
    fact("transit_encryption_mode", "str | Unknown", "preferred (plaintext still accepted) | required",
         "required once transit encryption is on"),
    fact("global_datastore", "Ref | str | Unknown", """the Global Datastore it joins as a secondary (it
         then takes the primary's settings)"""),
)
ELASTICACHE_CLUSTER = kind(
    "elasticache.cluster", "A cache cluster.",
    fact("name", "str", "cluster id"),
    fact("engine", "str | Unknown", "memcached | redis | valkey (lower case)"),
    _TRANSIT,
    fact("replication_group", "Ref | str | Unknown", """(Terraform) the replication group it is a
         member of (its settings are the group's)"""),
)

TERRAFORM = {
    "aws_elasticache_replication_group": Mapping(ELASTICACHE_REPLICATION_GROUP, {
        "name": "replication_group_id",
        "engine": src("engine", convert=lower),
        "transit_encryption": src("transit_encryption_enabled", convert=to_bool),
        "transit_encryption_mode": src("transit_encryption_mode", convert=lower),
        "global_datastore": "global_replication_group_id",
    }),
    "aws_elasticache_cluster": Mapping(ELASTICACHE_CLUSTER, {
        "name": "cluster_id",
        "engine": src("engine", convert=lower),
        "transit_encryption": src("transit_encryption_enabled", convert=to_bool),
        "replication_group": "replication_group_id",
    }),
}

CLOUDFORMATION = {
    "AWS::ElastiCache::ReplicationGroup": Mapping(ELASTICACHE_REPLICATION_GROUP, {
        "name": "ReplicationGroupId",
        "engine": src("Engine", convert=lower),
        "transit_encryption": src("TransitEncryptionEnabled", convert=to_bool),
        "transit_encryption_mode": src("TransitEncryptionMode", convert=lower),
        "global_datastore": "GlobalReplicationGroupId",
    }),
    "AWS::ElastiCache::CacheCluster": Mapping(ELASTICACHE_CLUSTER, {
        "name": "ClusterName",
        "engine": src("Engine", convert=lower),
        "transit_encryption": src("TransitEncryptionEnabled", convert=to_bool),
    }),
}

TABLES = {"terraform": TERRAFORM, "cloudformation": CLOUDFORMATION}
