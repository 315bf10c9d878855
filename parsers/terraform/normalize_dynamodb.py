"""DynamoDB in Terraform: tables, their global table (v2) replicas, and replica resources."""

from __future__ import annotations

from iac_assist.model import Fact, kinds
from iac_assist.model.builder import ModelBuilder
from iac_assist.model.convert import to_bool
from iac_assist.model.resource import SourceResource
from iac_assist.parsers.terraform.normalize_search import block_flag
from iac_assist.parsers.terraform.normalizer import NORMALIZER


@NORMALIZER.register("aws_dynamodb_table")
def table(res: SourceResource, b: ModelBuilder) -> None:
    comp = b.add(res, kinds.DYNAMODB_TABLE)
    b.copy(comp, "name", res, "name")
    block_flag(comp, "point_in_time_recovery", res, "point_in_time_recovery")
    replicas = []
    for i, block in res.blocks("replica"):
        entry = {"region": block.get("region_name")}
        loc = res.at("replica", i)
        # Each replica has its own PITR switch (off unless written), whatever the table's.
        if "point_in_time_recovery" in block:
            entry["point_in_time_recovery"] = to_bool(block["point_in_time_recovery"])
            loc = res.at("replica", i, "point_in_time_recovery")
        replicas.append(Fact(entry, loc))
    if replicas:
        comp.set("replicas", replicas, res.at("replica"))


@NORMALIZER.register("aws_dynamodb_table_replica")
def table_replica(res: SourceResource, b: ModelBuilder) -> None:
    comp = b.add(res, kinds.DYNAMODB_TABLE)
    b.copy(comp, "replica_of", res, "global_table_arn")
    b.copy(comp, "point_in_time_recovery", res, "point_in_time_recovery", convert=to_bool)
