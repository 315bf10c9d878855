"""ElastiCache in Terraform: replication groups and cache clusters (in-transit encryption).
Serverless caches (aws_elasticache_serverless_cache) always encrypt in transit: not modelled."""

from __future__ import annotations

from iac_assist.model import kinds
from iac_assist.model.builder import ModelBuilder
from iac_assist.model.convert import lower, to_bool
from iac_assist.model.resource import SourceResource
from iac_assist.parsers.terraform.normalizer import NORMALIZER


@NORMALIZER.register("aws_elasticache_replication_group")
def replication_group(res: SourceResource, b: ModelBuilder) -> None:
    comp = b.add(res, kinds.ELASTICACHE_REPLICATION_GROUP)
    b.copy(comp, "name", res, "replication_group_id")
    b.copy(comp, "engine", res, "engine", convert=lower)
    b.copy(comp, "transit_encryption", res, "transit_encryption_enabled", convert=to_bool)
    b.copy(comp, "transit_encryption_mode", res, "transit_encryption_mode", convert=lower)
    b.copy(comp, "global_datastore", res, "global_replication_group_id")


@NORMALIZER.register("aws_elasticache_cluster")
def cache_cluster(res: SourceResource, b: ModelBuilder) -> None:
    comp = b.add(res, kinds.ELASTICACHE_CLUSTER)
    b.copy(comp, "name", res, "cluster_id")
    b.copy(comp, "engine", res, "engine", convert=lower)
    b.copy(comp, "transit_encryption", res, "transit_encryption_enabled", convert=to_bool)
    b.copy(comp, "replication_group", res, "replication_group_id")
