"""Databases: RDS DB instances and clusters, Neptune and DocumentDB clusters and instances, and
their DB subnet groups."""

from __future__ import annotations

from iac_assist.model import Component
from iac_assist.model.builder import ModelBuilder, Normalizer
from iac_assist.model.kinds import RDS_CLUSTER, RDS_INSTANCE, RDS_SUBNET_GROUP
from iac_assist.model.resource import SourceResource
from iac_assist.parsers.cloudformation.convert import lower, to_bool, to_int

# Neptune and DocumentDB clusters have no Engine property: the type is the engine.
_ENGINE = {
    "AWS::Neptune::DBCluster": "neptune",
    "AWS::Neptune::DBInstance": "neptune",
    "AWS::DocDB::DBCluster": "docdb",
    "AWS::DocDB::DBInstance": "docdb",
}


def register(normalizer: Normalizer) -> None:
    normalizer.register("AWS::RDS::DBInstance")(db_instance)
    normalizer.register("AWS::RDS::DBCluster", "AWS::Neptune::DBCluster", "AWS::DocDB::DBCluster")(db_cluster)
    normalizer.register("AWS::Neptune::DBInstance", "AWS::DocDB::DBInstance")(cluster_instance)
    normalizer.register("AWS::RDS::DBSubnetGroup", "AWS::Neptune::DBSubnetGroup",
                        "AWS::DocDB::DBSubnetGroup")(db_subnet_group)


def db_instance(res: SourceResource, builder: ModelBuilder) -> None:
    comp = builder.add(res, RDS_INSTANCE)
    builder.copy(comp, "name", res, "DBInstanceIdentifier")
    _database(comp, res, builder, security_groups="VPCSecurityGroups")
    builder.copy(comp, "cluster", res, "DBClusterIdentifier")
    _protection(comp, res, builder)
    # SourceDBInstanceIdentifier names a read replica's source, unless a restore time makes the
    # instance a point-in-time restore of it.
    restore = res.has("RestoreTime") or res.has("UseLatestRestorableTime")
    source_key = "restored_from" if restore else "replica_of"
    if not builder.copy(comp, source_key, res, "SourceDBInstanceIdentifier"):
        builder.copy(comp, "replica_of", res, "SourceDBClusterIdentifier")
    for key in ("DBSnapshotIdentifier", "DBClusterSnapshotIdentifier", "SourceDbiResourceId",
                "SourceDBInstanceAutomatedBackupsArn"):
        if builder.copy(comp, "restored_from", res, key):
            break


def db_cluster(res: SourceResource, builder: ModelBuilder) -> None:
    comp = builder.add(res, RDS_CLUSTER)
    builder.copy(comp, "name", res, "DBClusterIdentifier")
    _database(comp, res, builder, security_groups="VpcSecurityGroupIds")
    _protection(comp, res, builder)
    builder.copy(comp, "engine_mode", res, "EngineMode", convert=lower)
    for key in ("ReplicationSourceIdentifier", "GlobalClusterIdentifier"):
        if builder.copy(comp, "replica_of", res, key):
            break
    for key in ("SnapshotIdentifier", "SourceDBClusterIdentifier"):
        if builder.copy(comp, "restored_from", res, key):
            break


def cluster_instance(res: SourceResource, builder: ModelBuilder) -> None:
    comp = builder.add(res, RDS_INSTANCE)
    builder.copy(comp, "name", res, "DBInstanceIdentifier")
    _database(comp, res, builder, security_groups="VPCSecurityGroups")
    builder.copy(comp, "cluster", res, "DBClusterIdentifier")


def db_subnet_group(res: SourceResource, builder: ModelBuilder) -> None:
    comp = builder.add(res, RDS_SUBNET_GROUP)
    builder.copy(comp, "name", res, "DBSubnetGroupName")
    builder.copy(comp, "subnets", res, "SubnetIds")


def _database(comp: Component, res: SourceResource, builder: ModelBuilder, *, security_groups: str) -> None:
    builder.copy(comp, "publicly_accessible", res, "PubliclyAccessible", convert=to_bool)
    builder.copy(comp, "subnet_group", res, "DBSubnetGroupName")
    builder.copy(comp, "security_groups", res, security_groups)
    # Engine names are case-insensitive in CloudFormation; the vocabulary uses RDS's lower case.
    if not builder.copy(comp, "engine", res, "Engine", convert=lower) and res.type in _ENGINE:
        comp.set("engine", _ENGINE[res.type])
    builder.copy(comp, "port", res, "Port", convert=to_int)


def _protection(comp: Component, res: SourceResource, builder: ModelBuilder) -> None:
    builder.copy(comp, "storage_encrypted", res, "StorageEncrypted", convert=to_bool)
    builder.copy(comp, "kms_key", res, "KmsKeyId")
    builder.copy(comp, "backup_retention_period", res, "BackupRetentionPeriod", convert=to_int)
    builder.copy(comp, "deletion_protection", res, "DeletionProtection", convert=to_bool)
