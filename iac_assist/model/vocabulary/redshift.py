"""Redshift: provisioned clusters, their subnet groups, and Redshift Serverless workgroups
(whether each is reachable from a public network)."""

from __future__ import annotations

from iac_assist.model.convert import as_list, to_bool, to_int
from iac_assist.model.mapping import Mapping, src
from iac_assist.model.vocabulary import fact, kind

REDSHIFT_CLUSTER = kind(
    "redshift.cluster", "A provisioned Redshift cluster (a data warehouse).",
    fact("name", "str", "cluster identifier"),
    fact("publicly_accessible", "bool | Unknown", "the cluster gets a public address reachable from a public network",
         """Terraform: true before AWS provider 6.0 (the provider's own default), false since;
         CloudFormation: false"""),
    fact("port", "int | Unknown", "the port it listens on", "5439"),
    fact("subnet_group", "Ref | str | Unknown", "its cluster subnet group", "the default subnet group (default VPC)"),
    fact("security_groups", "list[Ref | str] | Unknown", "VPC security groups", "the VPC's default security group"),
)
REDSHIFT_SUBNET_GROUP = kind(
    "redshift.subnet_group", "A Redshift cluster subnet group.",
    fact("name", "str", "subnet group name"),
    fact("subnets", "list[Ref | str]", "its subnets"),
)
REDSHIFT_WORKGROUP = kind(
    "redshift.workgroup", "A Redshift Serverless workgroup.",
    fact("name", "str", "workgroup name"),
    fact("publicly_accessible", "bool | Unknown", "the workgroup is reachable from a public network", "false"),
    fact("port", "int | Unknown", "the port it listens on", "5439"),
    fact("subnets", "list[Ref | str] | Unknown", "its subnets"),
    fact("security_groups", "list[Ref | str] | Unknown", "VPC security groups"),
)

TERRAFORM = {
    "aws_redshift_cluster": Mapping(REDSHIFT_CLUSTER, {
        "name": "cluster_identifier",
        "publicly_accessible": src("publicly_accessible", convert=to_bool),
        "port": src("port", convert=to_int),
        "subnet_group": "cluster_subnet_group_name",
        "security_groups": src("vpc_security_group_ids", convert=as_list),
    }),
    "aws_redshift_subnet_group": Mapping(REDSHIFT_SUBNET_GROUP, {
        "name": "name", "subnets": src("subnet_ids", convert=as_list)}),
    "aws_redshiftserverless_workgroup": Mapping(REDSHIFT_WORKGROUP, {
        "name": "workgroup_name",
        "publicly_accessible": src("publicly_accessible", convert=to_bool),
        "port": src("port", convert=to_int),
        "subnets": src("subnet_ids", convert=as_list),
        "security_groups": src("security_group_ids", convert=as_list),
    }),
}

CLOUDFORMATION = {
    "AWS::Redshift::Cluster": Mapping(REDSHIFT_CLUSTER, {
        "name": "ClusterIdentifier",
        "publicly_accessible": src("PubliclyAccessible", convert=to_bool),
        "port": src("Port", convert=to_int),
        "subnet_group": "ClusterSubnetGroupName",
        "security_groups": "VpcSecurityGroupIds",
    }),
    "AWS::Redshift::ClusterSubnetGroup": Mapping(REDSHIFT_SUBNET_GROUP, {"subnets": "SubnetIds"}),
    "AWS::RedshiftServerless::Workgroup": Mapping(REDSHIFT_WORKGROUP, {
        "name": "WorkgroupName",
        "publicly_accessible": src("PubliclyAccessible", convert=to_bool),
        "port": src("Port", convert=to_int),
        "subnets": "SubnetIds",
        "security_groups": "SecurityGroupIds",
    }),
}

TABLES = {"terraform": TERRAFORM, "cloudformation": CLOUDFORMATION}
