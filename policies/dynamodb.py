"""DynamoDB policies: tables that cannot be restored to a point in time."""

from __future__ import annotations

from collections.abc import Iterator

from iac_assist.analysis.policy import Hit, policy
from iac_assist.fixes.declare import Change, NoFix
from iac_assist.model import Fact, is_false, kinds
from iac_assist.model.graph import ResourceGraph


def _table_pitr(hit: Hit, graph: ResourceGraph) -> Change | NoFix:
    """Switch point-in-time recovery on for the table."""
    if hit.cause != "table":
        return NoFix("a replica's point-in-time recovery is set in its own replica entry: edit it by hand")
    return Change(hit.component, {"point_in_time_recovery": True})


@policy(
    id="IAC-DDB-001",
    control="dynamodb-pitr-missing",
    title="DynamoDB table has no point-in-time recovery",
    severity="low",
    stride="D",
    cwe=693,
    remediation="""
Turn on continuous backups: `point_in_time_recovery { enabled = true }` on `aws_dynamodb_table`
(and `point_in_time_recovery = true` in each `replica` block and on `aws_dynamodb_table_replica`)
in Terraform; `PointInTimeRecoverySpecification: {PointInTimeRecoveryEnabled: true}` on
`AWS::DynamoDB::Table`, or in every replica of `AWS::DynamoDB::GlobalTable`, in CloudFormation
(a SAM `AWS::Serverless::SimpleTable` cannot turn it on: declare an `AWS::DynamoDB::Table`).
""",
    references=(
        "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/PointInTimeRecovery_Howitworks.html",
    ),
    fix=_table_pitr,
)
def dynamodb_pitr_missing(graph: ResourceGraph) -> Iterator[Hit]:
    """Without point-in-time recovery, a bad deployment, a buggy batch job or an attacker with
    write access can overwrite or delete items and nothing restores them: on-demand backups only
    hold what was there when they were taken. Reported on every table whose PITR is off or
    unset (off is the AWS default), at the setting or else at the table. Global tables (v2):
    every replica has its own PITR switch, off unless written (a Terraform replica block's
    point_in_time_recovery, a CloudFormation GlobalTable replica's
    PointInTimeRecoverySpecification), so each replica without it is one more finding, at the
    replica; a CloudFormation GlobalTable has no table-level setting (its own region is one of
    its replicas). A Terraform aws_dynamodb_table_replica is judged like a table. Unknown values
    are not reported. Backups by AWS Backup plans are not taken into account (they are not
    continuous), nor is what the table holds: a table of disposable data (a Terraform lock
    table, a cache) is still reported, suppress it with a reason."""
    for table in graph.of_kind(kinds.DYNAMODB_TABLE):
        if not table.is_true("global_table") and table.is_false("point_in_time_recovery", unset=False):
            how = "is off" if table.has("point_in_time_recovery") else "is not configured (off by default)"
            yield Hit(table, table.loc_of("point_in_time_recovery"),
                      f"DynamoDB table {table.display} cannot be restored to a point in time: point-in-time "
                      f"recovery {how}. Enable point_in_time_recovery / PointInTimeRecoverySpecification.",
                      cause="table")
        for n, replica in enumerate(table.items("replicas")):
            entry = replica.value if isinstance(replica, Fact) else replica
            if not isinstance(entry, dict) or not is_false(entry.get("point_in_time_recovery", False)):
                continue
            region = entry.get("region")
            where = f"in {region}" if isinstance(region, str) else f"#{n + 1}"
            loc = replica.loc if isinstance(replica, Fact) else table.loc_of("replicas")
            yield Hit(table, loc,
                      f"Replica {where} of DynamoDB table {table.display} has no point-in-time recovery (each "
                      "replica has its own switch, off by default). Enable it on the replica: "
                      "point_in_time_recovery / PointInTimeRecoverySpecification.",
                      cause=f"replica:{region if isinstance(region, str) else n}")


POLICIES = [dynamodb_pitr_missing]
