"""DynamoDB tables and global tables (v2): point-in-time recovery, per table and per replica."""

from __future__ import annotations

from iac_assist.model.convert import to_bool
from iac_assist.model.mapping import Mapping, src
from iac_assist.model.vocabulary import fact, kind

DYNAMODB_TABLE = kind(
    "dynamodb.table", "A DynamoDB table, a global table (CloudFormation) or a table replica (Terraform).",
    fact("name", "str | Unknown", "table name"),
    fact("point_in_time_recovery", "bool | Unknown", "the table's own (main region) point-in-time recovery",
         "off"),
    fact("replicas", "list[Fact[dict]] | Unknown", """global table (v2) replicas (Terraform: replica blocks, in
         other regions; CloudFormation: Replicas, every region), each {"region": str | Unknown,
         "point_in_time_recovery": bool | Unknown (absent key: off)}, located at the replica's PITR
         setting, else at the replica""", "no replica"),
    fact("global_table", "bool", """True when every region is a replica (CloudFormation GlobalTable):
         the table has no setting of its own"""),
    fact("replica_of", "Ref | str | Unknown", "(aws_dynamodb_table_replica) the global table it joins"),
)

TERRAFORM = {
    # The replica blocks are read by the front end's code.
    "aws_dynamodb_table": Mapping(DYNAMODB_TABLE, {
        "name": "name",
        "point_in_time_recovery": src(("point_in_time_recovery", 0, "enabled"), convert=to_bool),
    }),
    "aws_dynamodb_table_replica": Mapping(DYNAMODB_TABLE, {
        "replica_of": "global_table_arn",
        "point_in_time_recovery": src("point_in_time_recovery", convert=to_bool),
    }),
}

_CFN_PITR = src(("PointInTimeRecoverySpecification", "PointInTimeRecoveryEnabled"), convert=to_bool)

CLOUDFORMATION = {
    "AWS::DynamoDB::Table": Mapping(DYNAMODB_TABLE, {"name": "TableName", "point_in_time_recovery": _CFN_PITR}),
    # Every region, the stack's own included, is a replica with its own PITR setting (read by the
    # front end's code).
    "AWS::DynamoDB::GlobalTable": Mapping(DYNAMODB_TABLE, {"name": "TableName"}, otherwise={"global_table": True}),
}

TABLES = {"terraform": TERRAFORM, "cloudformation": CLOUDFORMATION}
