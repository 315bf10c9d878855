"""DynamoDB tables in Terraform: what the table (``iac_assist/model/vocabulary/dynamodb.py``)
cannot say: global table (v2) replicas."""

from __future__ import annotations

from iac_assist.model import Component, Fact
from iac_assist.model.builder import ModelBuilder
from iac_assist.model.convert import to_bool
from iac_assist.model.resource import SourceResource
from iac_assist.parsers.terraform.normalize_search import required_flag
from iac_assist.parsers.terraform.normalizer import NORMALIZER


@NORMALIZER.extend("aws_dynamodb_table")
def table(comp: Component, res: SourceResource, b: ModelBuilder) -> None:
    required_flag(comp, "point_in_time_recovery", res, "point_in_time_recovery")
    replicas = []
    for i, block in res.blocks("replica"):
        entry = {"region": block.get("region_name")}
        loc = res.at("replica", i)
        # Each replica has its own PITR switch (off unless written, null included), whatever the table's.
        if block.get("point_in_time_recovery") is not None:
            entry["point_in_time_recovery"] = to_bool(block["point_in_time_recovery"])
            loc = res.at("replica", i, "point_in_time_recovery")
        replicas.append(Fact(entry, loc))
    if replicas:
        comp.set("replicas", replicas, res.at("replica"))
