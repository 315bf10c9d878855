"""RDS and Aurora in Terraform: instances, clusters, cluster instances, subnet groups."""

from __future__ import annotations

from iac_assist import kinds
from iac_assist.normalize import ModelBuilder, to_bool, to_int
from iac_assist.parsers.terraform.normalizer import NORMALIZER, as_list
from iac_assist.resource import SourceResource


def _common(comp, res: SourceResource, b: ModelBuilder) -> None:
    b.copy(comp, "publicly_accessible", res, "publicly_accessible", convert=to_bool)
    b.copy(comp, "subnet_group", res, "db_subnet_group_name")
    b.copy(comp, "security_groups", res, "vpc_security_group_ids", convert=as_list)
    b.copy(comp, "engine", res, "engine")
    b.copy(comp, "port", res, "port", convert=to_int)


@NORMALIZER.register("aws_db_instance")
def db_instance(res: SourceResource, b: ModelBuilder) -> None:
    _common(b.add(res, kinds.RDS_INSTANCE), res, b)


@NORMALIZER.register("aws_rds_cluster_instance")
def cluster_instance(res: SourceResource, b: ModelBuilder) -> None:
    comp = b.add(res, kinds.RDS_INSTANCE)
    _common(comp, res, b)
    b.copy(comp, "cluster", res, "cluster_identifier")


@NORMALIZER.register("aws_rds_cluster")
def cluster(res: SourceResource, b: ModelBuilder) -> None:
    _common(b.add(res, kinds.RDS_CLUSTER), res, b)


@NORMALIZER.register("aws_db_subnet_group")
def subnet_group(res: SourceResource, b: ModelBuilder) -> None:
    comp = b.add(res, kinds.RDS_SUBNET_GROUP)
    b.copy(comp, "name", res, "name")
    b.copy(comp, "subnets", res, "subnet_ids", convert=as_list)
