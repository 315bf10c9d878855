"""ElastiCache replication groups and cache clusters: in-transit encryption. Serverless caches
(AWS::ElastiCache::ServerlessCache) always encrypt in transit: not modelled."""

from __future__ import annotations

from iac_assist.model.builder import ModelBuilder, Normalizer
from iac_assist.model.convert import lower, to_bool
from iac_assist.model.kinds import ELASTICACHE_CLUSTER, ELASTICACHE_REPLICATION_GROUP
from iac_assist.model.resource import SourceResource


def register(normalizer: Normalizer) -> None:
    normalizer.register("AWS::ElastiCache::ReplicationGroup")(replication_group)
    normalizer.register("AWS::ElastiCache::CacheCluster")(cache_cluster)


def replication_group(res: SourceResource, builder: ModelBuilder) -> None:
    comp = builder.add(res, ELASTICACHE_REPLICATION_GROUP)
    builder.copy(comp, "name", res, "ReplicationGroupId")
    builder.copy(comp, "engine", res, "Engine", convert=lower)
    builder.copy(comp, "transit_encryption", res, "TransitEncryptionEnabled", convert=to_bool)
    builder.copy(comp, "transit_encryption_mode", res, "TransitEncryptionMode", convert=lower)
    builder.copy(comp, "global_datastore", res, "GlobalReplicationGroupId")


def cache_cluster(res: SourceResource, builder: ModelBuilder) -> None:
    comp = builder.add(res, ELASTICACHE_CLUSTER)
    builder.copy(comp, "name", res, "ClusterName")
    builder.copy(comp, "engine", res, "Engine", convert=lower)
    builder.copy(comp, "transit_encryption", res, "TransitEncryptionEnabled", convert=to_bool)
