"""DynamoDB tables and global tables (v2): what the table (``iac_assist/model/vocabulary/dynamodb.py``)
cannot say: a table's PITR options without the flag, a global table's replicas."""

from __future__ import annotations

from typing import Any

from iac_assist.model import Component, Fact, Location, Unknown
from iac_assist.model.builder import ModelBuilder, Normalizer
from iac_assist.model.convert import to_bool
from iac_assist.model.resource import SourceResource
from iac_assist.parsers.cloudformation.normalize_search import option_flag

PITR = "PointInTimeRecoverySpecification"


def register(normalizer: Normalizer) -> None:
    normalizer.extend("AWS::DynamoDB::Table")(table)
    normalizer.extend("AWS::DynamoDB::GlobalTable")(global_table)


def table(comp: Component, res: SourceResource, builder: ModelBuilder) -> None:
    option_flag(comp, "point_in_time_recovery", res, PITR)


def global_table(comp: Component, res: SourceResource, builder: ModelBuilder) -> None:
    replicas = res.get("Replicas")
    if not isinstance(replicas, list):
        if res.has("Replicas"):
            comp.set("replicas", Unknown("Replicas not known"), res.at("Replicas"))
        return
    entries = []
    for i, replica in enumerate(replicas):
        if isinstance(replica, dict):
            entry, loc = _replica(res, i, replica)
        else:
            entry, loc = {"region": Unknown("replica not known"),
                          "point_in_time_recovery": Unknown("replica not known")}, res.at("Replicas", i)
        entries.append(Fact(entry, loc))
    comp.set("replicas", entries, res.at("Replicas"))


def _replica(res: SourceResource, i: int, replica: dict[str, Any]) -> tuple[dict[str, Any], Location]:
    entry: dict[str, Any] = {"region": replica.get("Region", Unknown("no Region"))}
    spec = replica.get(PITR)
    if spec is None:
        return entry, res.at("Replicas", i)
    if not isinstance(spec, dict):
        entry["point_in_time_recovery"] = Unknown(f"{PITR} not known")
        return entry, res.at("Replicas", i, PITR)
    if spec.get("PointInTimeRecoveryEnabled") is not None:  # null is unset, as in every table
        entry["point_in_time_recovery"] = to_bool(spec["PointInTimeRecoveryEnabled"])
        return entry, res.at("Replicas", i, PITR, "PointInTimeRecoveryEnabled")
    return entry, res.at("Replicas", i, PITR)
