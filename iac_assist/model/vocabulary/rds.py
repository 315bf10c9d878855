"""Databases: RDS DB instances, Aurora and Multi-AZ DB clusters, Neptune and DocumentDB clusters
and instances (one vocabulary, told apart by ``engine``), their subnet groups and DB snapshots."""

from __future__ import annotations

from iac_assist.model.convert import as_list, lower, to_bool, to_int
from iac_assist.model.mapping import Mapping, src
from iac_assist.model.vocabulary import fact, kind

_DATABASE = (
    fact("name", "str", "DB instance / cluster identifier"),
    fact("publicly_accessible", "bool", "the database gets a public DNS name and address", "false"),
    fact("subnet_group", "Ref | str", "DB subnet group"),
    fact("security_groups", "list[Ref | str]", "VPC security groups"),
    fact("engine", "str", """RDS engine name, lower case (aurora-postgresql, postgres...); "neptune" /
         "docdb" for those services, always set"""),
    fact("port", "int", "the port it listens on", "the engine's default port"),
)
_PROTECTION = (
    fact("storage_encrypted", "bool | Unknown", "encryption at rest",
         "false (the AWS default), unless the database is a replica or a restore (then: its source's)"),
    fact("kms_key", "Ref | str | Unknown", "KMS key for storage encryption", "the AWS managed key"),
    fact("backup_retention_period", "int | Unknown", "days of automated backups; 0 disables them", "1"),
    fact("deletion_protection", "bool | Unknown", "deletion protection", "false"),
    fact("replica_of", "Ref | str | Unknown",
         "the database it replicates: read replica source, cluster replication source, global database"),
    fact("restored_from", "Ref | str | Unknown",
         "the snapshot or database it is restored from (snapshot identifier, point-in-time restore source)"),
)

RDS_INSTANCE = kind(
    "rds.instance", "A DB instance: RDS, or an instance of an Aurora, Neptune or DocumentDB cluster.",
    _DATABASE, _PROTECTION,
    fact("cluster", "Ref | str", """the cluster it belongs to; its storage, backups and deletion protection
         are the cluster's"""),
)
RDS_CLUSTER = kind(
    "rds.cluster", "A DB cluster: Aurora, Multi-AZ DB cluster, Neptune or DocumentDB.",
    _DATABASE, _PROTECTION,
    fact("engine_mode", "str", "provisioned | serverless (Aurora Serverless v1, always encrypted) | ...",
         "provisioned"),
)
RDS_SUBNET_GROUP = kind(
    "rds.subnet_group", "A DB subnet group (also Neptune and DocumentDB subnet groups).",
    fact("name", "str", "subnet group name"),
    fact("subnets", "list[Ref | str]", "its subnets"),
)
RDS_SNAPSHOT = kind(
    "rds.snapshot", "A DB or DB cluster snapshot, or a copy of one (Terraform only).",
    fact("name", "str", "snapshot identifier"),
    fact("source", "Ref | str | Unknown", "the database it is taken from, or the snapshot a copy is made from"),
    fact("kms_key", "Ref | str | Unknown", "(copies) key the copy is encrypted with"),
    fact("shared_accounts", "list[str | Unknown] | Unknown",
         """AWS accounts the snapshot is shared with (its restore attribute): account ids, or "all"
         for every AWS account""", "shared with none"),
)

# --- Terraform ------------------------------------------------------------------------------------

_TF_DATABASE = {
    "publicly_accessible": src("publicly_accessible", convert=to_bool),
    "subnet_group": "db_subnet_group_name",
    "security_groups": src("vpc_security_group_ids", convert=as_list),
    "engine": src("engine", convert=lower),
    "port": src("port", convert=to_int),
}
_TF_PROTECTION = {
    "storage_encrypted": src("storage_encrypted", convert=to_bool),
    "kms_key": "kms_key_id",
    "backup_retention_period": src("backup_retention_period", convert=to_int),
    "deletion_protection": src("deletion_protection", convert=to_bool),
    "replica_of": src("replicate_source_db", "replication_source_identifier", "global_cluster_identifier"),
    "restored_from": src("snapshot_identifier", *(
        ("restore_to_point_in_time", 0, attr)
        for attr in ("source_db_instance_identifier", "source_cluster_identifier", "source_dbi_resource_id",
                     "source_db_instance_automated_backups_arn"))),
}
_NEPTUNE = {"subnet_group": "neptune_subnet_group_name"}


def _snapshot(name: str, source: str) -> Mapping:
    return Mapping(RDS_SNAPSHOT, {"name": name, "source": source, "kms_key": "kms_key_id",
                                  "shared_accounts": src("shared_accounts", convert=as_list)})


TERRAFORM = {
    "aws_db_instance": Mapping(RDS_INSTANCE, {"name": "identifier", **_TF_DATABASE, **_TF_PROTECTION}),
    "aws_rds_cluster_instance": Mapping(RDS_INSTANCE, {
        "name": "identifier", **_TF_DATABASE, "cluster": "cluster_identifier"}),
    "aws_neptune_cluster_instance": Mapping(RDS_INSTANCE, {
        "name": "identifier", **_TF_DATABASE, **_NEPTUNE, "cluster": "cluster_identifier"},
        otherwise={"engine": "neptune"}),
    "aws_docdb_cluster_instance": Mapping(RDS_INSTANCE, {
        "name": "identifier", **_TF_DATABASE, "cluster": "cluster_identifier"}, otherwise={"engine": "docdb"}),
    "aws_rds_cluster": Mapping(RDS_CLUSTER, {
        "name": "cluster_identifier", **_TF_DATABASE, **_TF_PROTECTION, "engine_mode": "engine_mode"}),
    "aws_neptune_cluster": Mapping(RDS_CLUSTER, {
        "name": "cluster_identifier", **_TF_DATABASE, **_TF_PROTECTION, **_NEPTUNE, "kms_key": "kms_key_arn",
        "engine_mode": "engine_mode"}, otherwise={"engine": "neptune"}),
    "aws_docdb_cluster": Mapping(RDS_CLUSTER, {
        "name": "cluster_identifier", **_TF_DATABASE, **_TF_PROTECTION, "engine_mode": "engine_mode"},
        otherwise={"engine": "docdb"}),
    ("aws_db_subnet_group", "aws_neptune_subnet_group", "aws_docdb_subnet_group"): Mapping(RDS_SUBNET_GROUP, {
        "name": "name", "subnets": src("subnet_ids", convert=as_list)}),
    "aws_db_snapshot": _snapshot("db_snapshot_identifier", "db_instance_identifier"),
    ("aws_db_cluster_snapshot", "aws_neptune_cluster_snapshot", "aws_docdb_cluster_snapshot"): _snapshot(
        "db_cluster_snapshot_identifier", "db_cluster_identifier"),
    "aws_db_snapshot_copy": _snapshot("target_db_snapshot_identifier", "source_db_snapshot_identifier"),
    "aws_rds_cluster_snapshot_copy": _snapshot(
        "target_db_cluster_snapshot_identifier", "source_db_cluster_snapshot_identifier"),
}

# --- CloudFormation -------------------------------------------------------------------------------

_CFN_DATABASE = {
    "publicly_accessible": src("PubliclyAccessible", convert=to_bool),
    "subnet_group": "DBSubnetGroupName",
    "engine": src("Engine", convert=lower),
    "port": src("Port", convert=to_int),
}
_CFN_PROTECTION = {
    "storage_encrypted": src("StorageEncrypted", convert=to_bool),
    "kms_key": "KmsKeyId",
    "backup_retention_period": src("BackupRetentionPeriod", convert=to_int),
    "deletion_protection": src("DeletionProtection", convert=to_bool),
}
_CFN_INSTANCE = {"name": "DBInstanceIdentifier", **_CFN_DATABASE, "security_groups": "VPCSecurityGroups",
                 "cluster": "DBClusterIdentifier"}
_CFN_CLUSTER = {
    "name": "DBClusterIdentifier", **_CFN_DATABASE, "security_groups": "VpcSecurityGroupIds", **_CFN_PROTECTION,
    "engine_mode": src("EngineMode", convert=lower),
    "replica_of": src("ReplicationSourceIdentifier", "GlobalClusterIdentifier"),
    "restored_from": src("SnapshotIdentifier", "SourceDBClusterIdentifier"),
}

CLOUDFORMATION = {
    # SourceDBInstanceIdentifier (a replica's or a restore's source) is read by the front end's code.
    "AWS::RDS::DBInstance": Mapping(RDS_INSTANCE, {
        **_CFN_INSTANCE, **_CFN_PROTECTION,
        "restored_from": src("DBSnapshotIdentifier", "DBClusterSnapshotIdentifier", "SourceDbiResourceId",
                             "SourceDBInstanceAutomatedBackupsArn")}),
    "AWS::Neptune::DBInstance": Mapping(RDS_INSTANCE, _CFN_INSTANCE, otherwise={"engine": "neptune"}),
    "AWS::DocDB::DBInstance": Mapping(RDS_INSTANCE, _CFN_INSTANCE, otherwise={"engine": "docdb"}),
    "AWS::RDS::DBCluster": Mapping(RDS_CLUSTER, _CFN_CLUSTER),
    "AWS::Neptune::DBCluster": Mapping(RDS_CLUSTER, _CFN_CLUSTER, otherwise={"engine": "neptune"}),
    "AWS::DocDB::DBCluster": Mapping(RDS_CLUSTER, _CFN_CLUSTER, otherwise={"engine": "docdb"}),
    ("AWS::RDS::DBSubnetGroup", "AWS::Neptune::DBSubnetGroup", "AWS::DocDB::DBSubnetGroup"): Mapping(
        RDS_SUBNET_GROUP, {"name": "DBSubnetGroupName", "subnets": "SubnetIds"}),
}

TABLES = {"terraform": TERRAFORM, "cloudformation": CLOUDFORMATION}
