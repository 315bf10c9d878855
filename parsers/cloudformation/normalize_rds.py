"""RDS: DB instances, DB clusters and DB subnet groups."""

from __future__ import annotations

from iac_assist.kinds import RDS_CLUSTER, RDS_INSTANCE, RDS_SUBNET_GROUP
from iac_assist.model import Component
from iac_assist.normalize import ModelBuilder, Normalizer
from iac_assist.parsers.cloudformation.convert import lower, to_bool, to_int
from iac_assist.resource import SourceResource


def register(normalizer: Normalizer) -> None:
    normalizer.register("AWS::RDS::DBInstance")(db_instance)
    normalizer.register("AWS::RDS::DBCluster")(db_cluster)
    normalizer.register("AWS::RDS::DBSubnetGroup")(db_subnet_group)


def db_instance(res: SourceResource, builder: ModelBuilder) -> None:
    comp = builder.add(res, RDS_INSTANCE)
    _database(comp, res, builder, security_groups="VPCSecurityGroups")
    builder.copy(comp, "cluster", res, "DBClusterIdentifier")


def db_cluster(res: SourceResource, builder: ModelBuilder) -> None:
    comp = builder.add(res, RDS_CLUSTER)
    _database(comp, res, builder, security_groups="VpcSecurityGroupIds")


def db_subnet_group(res: SourceResource, builder: ModelBuilder) -> None:
    comp = builder.add(res, RDS_SUBNET_GROUP)
    builder.copy(comp, "name", res, "DBSubnetGroupName")
    builder.copy(comp, "subnets", res, "SubnetIds")


def _database(comp: Component, res: SourceResource, builder: ModelBuilder, *, security_groups: str) -> None:
    builder.copy(comp, "publicly_accessible", res, "PubliclyAccessible", convert=to_bool)
    builder.copy(comp, "subnet_group", res, "DBSubnetGroupName")
    builder.copy(comp, "security_groups", res, security_groups)
    # Engine names are case-insensitive in CloudFormation; the vocabulary uses RDS's lower case.
    builder.copy(comp, "engine", res, "Engine", convert=lower)
    builder.copy(comp, "port", res, "Port", convert=to_int)
