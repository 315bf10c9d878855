"""Databases in Terraform: RDS instances, Aurora and Multi-AZ clusters and their instances,
Neptune and DocumentDB clusters and instances, subnet groups, and DB snapshots and copies."""

from __future__ import annotations

from iac_assist.model import Component, kinds
from iac_assist.model.builder import ModelBuilder, to_bool, to_int
from iac_assist.model.resource import SourceResource
from iac_assist.parsers.terraform.normalizer import NORMALIZER, as_list

# Engines whose resource type fixes the engine: written by the normalizer when the source omits it.
_ENGINE = {
    "aws_neptune_cluster": "neptune",
    "aws_neptune_cluster_instance": "neptune",
    "aws_docdb_cluster": "docdb",
    "aws_docdb_cluster_instance": "docdb",
}
_SUBNET_GROUP = {
    "aws_neptune_cluster": "neptune_subnet_group_name",
    "aws_neptune_cluster_instance": "neptune_subnet_group_name",
}
_KMS_KEY = {"aws_neptune_cluster": "kms_key_arn"}


def _common(comp: Component, res: SourceResource, b: ModelBuilder) -> None:
    b.copy(comp, "publicly_accessible", res, "publicly_accessible", convert=to_bool)
    b.copy(comp, "subnet_group", res, _SUBNET_GROUP.get(res.type, "db_subnet_group_name"))
    b.copy(comp, "security_groups", res, "vpc_security_group_ids", convert=as_list)
    if not b.copy(comp, "engine", res, "engine") and res.type in _ENGINE:
        comp.set("engine", _ENGINE[res.type])
    b.copy(comp, "port", res, "port", convert=to_int)


def _protection(comp: Component, res: SourceResource, b: ModelBuilder) -> None:
    """Encryption at rest, backups and deletion protection: where the data comes from decides
    some of them (a replica or a restore inherits its source's encryption)."""
    b.copy(comp, "storage_encrypted", res, "storage_encrypted", convert=to_bool)
    b.copy(comp, "kms_key", res, _KMS_KEY.get(res.type, "kms_key_id"))
    b.copy(comp, "backup_retention_period", res, "backup_retention_period", convert=to_int)
    b.copy(comp, "deletion_protection", res, "deletion_protection", convert=to_bool)
    for attr in ("replicate_source_db", "replication_source_identifier", "global_cluster_identifier"):
        if b.copy(comp, "replica_of", res, attr):
            break
    if not b.copy(comp, "restored_from", res, "snapshot_identifier"):
        for i, block in res.blocks("restore_to_point_in_time"):
            for attr in ("source_db_instance_identifier", "source_cluster_identifier", "source_dbi_resource_id",
                         "source_db_instance_automated_backups_arn"):
                if attr in block:
                    comp.set("restored_from", block[attr], res.at("restore_to_point_in_time", i, attr))
                    break


@NORMALIZER.register("aws_db_instance")
def db_instance(res: SourceResource, b: ModelBuilder) -> None:
    comp = b.add(res, kinds.RDS_INSTANCE)
    b.copy(comp, "name", res, "identifier")
    _common(comp, res, b)
    _protection(comp, res, b)


@NORMALIZER.register("aws_rds_cluster_instance", "aws_neptune_cluster_instance", "aws_docdb_cluster_instance")
def cluster_instance(res: SourceResource, b: ModelBuilder) -> None:
    comp = b.add(res, kinds.RDS_INSTANCE)
    b.copy(comp, "name", res, "identifier")
    _common(comp, res, b)
    b.copy(comp, "cluster", res, "cluster_identifier")


@NORMALIZER.register("aws_rds_cluster", "aws_neptune_cluster", "aws_docdb_cluster")
def cluster(res: SourceResource, b: ModelBuilder) -> None:
    comp = b.add(res, kinds.RDS_CLUSTER)
    b.copy(comp, "name", res, "cluster_identifier")
    _common(comp, res, b)
    _protection(comp, res, b)
    b.copy(comp, "engine_mode", res, "engine_mode")


@NORMALIZER.register("aws_db_subnet_group", "aws_neptune_subnet_group", "aws_docdb_subnet_group")
def subnet_group(res: SourceResource, b: ModelBuilder) -> None:
    comp = b.add(res, kinds.RDS_SUBNET_GROUP)
    b.copy(comp, "name", res, "name")
    b.copy(comp, "subnets", res, "subnet_ids", convert=as_list)


# A snapshot's source: the database (or snapshot, for a copy) it was taken from.
_SNAPSHOTS = {
    "aws_db_snapshot": ("db_snapshot_identifier", "db_instance_identifier"),
    "aws_db_cluster_snapshot": ("db_cluster_snapshot_identifier", "db_cluster_identifier"),
    "aws_neptune_cluster_snapshot": ("db_cluster_snapshot_identifier", "db_cluster_identifier"),
    "aws_docdb_cluster_snapshot": ("db_cluster_snapshot_identifier", "db_cluster_identifier"),
    "aws_db_snapshot_copy": ("target_db_snapshot_identifier", "source_db_snapshot_identifier"),
    "aws_rds_cluster_snapshot_copy": ("target_db_cluster_snapshot_identifier",
                                      "source_db_cluster_snapshot_identifier"),
}


@NORMALIZER.register(*_SNAPSHOTS)
def snapshot(res: SourceResource, b: ModelBuilder) -> None:
    comp = b.add(res, kinds.RDS_SNAPSHOT)
    name, source = _SNAPSHOTS[res.type]
    b.copy(comp, "name", res, name)
    b.copy(comp, "source", res, source)
    b.copy(comp, "kms_key", res, "kms_key_id")
