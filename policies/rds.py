"""Database policies: RDS instances, Aurora and Multi-AZ clusters and their instances, Neptune and
DocumentDB clusters, DB snapshots."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from iac_assist.analysis.policy import Hit, policy
from iac_assist.fixes.declare import Change, NoFix, SetFacts
from iac_assist.model import Component, Fact, Location, Unknown, kinds
from iac_assist.model.graph import ResourceGraph
from iac_assist.model.network import describe_ports, internet_route, open_to_internet, rules_of


def _inherited(graph: ResourceGraph, db: Component, fact: str) -> tuple[Component, object]:
    """A fact of the database, or of its cluster when an instance leaves it to the cluster."""
    if db.has(fact):
        return db, db.get(fact)
    if not db.has("cluster"):
        return db, None
    cluster = graph.resolve(db, db.get("cluster"), kinds.RDS_CLUSTER)
    if cluster is not None and cluster.has(fact):
        return cluster, cluster.get(fact)
    return db, None



def _encrypt_storage(hit: Hit, graph: ResourceGraph) -> Change | NoFix:
    """Set storage_encrypted to true on the database itself (AWS replaces it to encrypt it)."""
    comp = hit.component
    if comp.kind == kinds.RDS_SNAPSHOT:
        return NoFix("a snapshot is encrypted by copying it with a KMS key, not by an edit of its own")
    if comp.has("replica_of") or comp.has("restored_from"):
        return NoFix("it inherits its source's encryption: encrypt the source")
    return Change(comp, {"storage_encrypted": True},
                  note="AWS replaces the database to encrypt it: restore an encrypted snapshot copy to keep its data")


@policy(
    id="IAC-RDS-001",
    control="db-publicly-accessible",
    title="Database is publicly accessible",
    severity="critical",
    stride="ISTD",
    cwe=668,
    remediation="""
Set `publicly_accessible = false` (Terraform) / `PubliclyAccessible: false` (CloudFormation) and
reach the database from inside the VPC: application servers, a bastion or SSM port forwarding.
""",
    fix=SetFacts({"publicly_accessible": False}, note="clients outside the VPC lose their direct access"),
)
def db_publicly_accessible(graph: ResourceGraph) -> Iterator[Hit]:
    """A publicly accessible database gets a public DNS name and address; only its security group
    then stands between it and every password-guessing bot on the internet, and one rule too many
    exposes all its data. Reported when the flag is true on a DB instance, cluster instance or
    cluster; an unknown value is not reported."""
    for db in graph.of_kind(*kinds.DATABASES):
        if db.is_true("publicly_accessible"):
            yield Hit(db, db.loc_of("publicly_accessible"),
                      f"Database {db.display} is publicly accessible: it gets a public address reachable from "
                      "the internet. Set publicly_accessible / PubliclyAccessible to false.",
                      cause="publicly_accessible")


@policy(
    id="IAC-RDS-002",
    control="db-in-public-subnet",
    title="Database is placed in a public subnet",
    severity="high",
    stride="ID",
    cwe=668,
    remediation="""
Build the DB subnet group from private subnets only: subnets whose route table has no
0.0.0.0/0 or ::/0 route to an internet gateway (use a NAT gateway for outbound traffic).
""",
    no_fix="which private subnets to use is only known to you",
)
def db_in_public_subnet(graph: ResourceGraph) -> Iterator[Hit]:
    """A database belongs in private subnets. When its subnet group includes a subnet whose route
    table sends 0.0.0.0/0 or ::/0 to an internet gateway, one flag (publicly accessible) or one
    security group rule is all it takes to expose it, and the architecture's tiers are not what a
    reviewer expects. A subnet with no explicit route table association uses its VPC's main
    route table. Subnets or route tables that cannot be resolved are not reported."""
    for db in graph.of_kind(*kinds.DATABASES):
        holder, group_ref = _inherited(graph, db, "subnet_group")
        group = graph.resolve(holder, group_ref, kinds.RDS_SUBNET_GROUP) if group_ref is not None else None
        if group is None:
            continue
        public: list[tuple[Component, Fact]] = []
        for subnet in graph.resolve_all(group, group.items("subnets"), kinds.SUBNET):
            route = internet_route(graph, subnet)
            if route is not None:
                public.append((subnet, route))
        if not public:
            continue
        names = ", ".join(sorted({s.address for s, _ in public}))
        related = tuple((route.loc, f"route to the internet gateway makes {subnet.address} public")
                        for subnet, route in public)
        related += ((holder.loc_of("subnet_group"), f"{holder.address} uses subnet group {group.address}"),)
        yield Hit(db, group.loc_of("subnets"),
                  f"Database {db.display} is placed in public subnets ({names}) through subnet group "
                  f"{group.address}. Use private subnets only.",
                  cause=f"subnet_group:{group.address}", related=related)


@policy(
    id="IAC-RDS-003",
    control="db-open-security-group",
    title="Database security group admits the whole internet",
    severity="high",
    stride="ISTD",
    cwe=284,
    remediation="""
Allow ingress to the database only from the application tier: reference its security group
(`source_security_group_id` / `referenced_security_group_id` / `SourceSecurityGroupId`) or a
narrow private CIDR, never 0.0.0.0/0 or ::/0.
""",
    no_fix="which security group must reach the database (the application tier) is only known to you",
)
def db_open_security_group(graph: ResourceGraph) -> Iterator[Hit]:
    """A security group attached to a database that admits 0.0.0.0/0 or ::/0 leaves only the
    network placement between the database and the internet. Every ingress rule of every group
    attached to the database counts, whether written inline or as a separate rule resource. The
    finding points at the rule."""
    for db in graph.of_kind(*kinds.DATABASES):
        holder, groups = _inherited(graph, db, "security_groups")
        if holder is not db:
            continue  # reported on the cluster that owns the groups
        for group in graph.resolve_all(db, groups, kinds.SECURITY_GROUP):
            for rule in rules_of(group, "ingress"):
                cidr = open_to_internet(rule.entry)
                if cidr is None:
                    continue
                origin, n = rule.origin or group.address, rule.index
                ports = describe_ports(rule.entry, name_protocol=False)
                yield Hit(db, rule.loc,
                          f"Database {db.display} is attached to security group {group.address}, whose ingress "
                          f"rule ({origin}) admits {cidr} on {ports}. Allow only the application tier's "
                          "security group.",
                          cause=f"{group.address}:{origin}:{n if origin == group.address else ''}:{cidr}")


def _cluster_member(db: Component) -> bool:
    """An instance of a cluster: its storage, backups and deletion protection are the cluster's."""
    return db.kind == kinds.RDS_INSTANCE and db.has("cluster")


def _kind_name(db: Component) -> str:
    engine = db.get("engine") if db.kind in kinds.DATABASES else None
    if engine == "neptune":
        return "Neptune cluster" if db.kind == kinds.RDS_CLUSTER else "Neptune instance"
    if engine == "docdb":
        return "DocumentDB cluster" if db.kind == kinds.RDS_CLUSTER else "DocumentDB instance"
    return {kinds.RDS_CLUSTER: "DB cluster", kinds.RDS_SNAPSHOT: "DB snapshot"}.get(db.kind, "DB instance")


_SOURCES = (kinds.RDS_INSTANCE, kinds.RDS_CLUSTER, kinds.RDS_SNAPSHOT)


def _key_given(value: Any) -> bool:
    return value is not None and value != ""


def storage_encryption(graph: ResourceGraph, comp: Component, _seen: frozenset[str] = frozenset()
                       ) -> tuple[Any, Location, str]:
    """Whether ``comp``'s storage is encrypted (True, False or Unknown), where that is decided,
    and how (for the message).

    A replica or a restore takes its source's encryption (followed through the graph: a snapshot
    copy, the snapshot, the database it was taken from), unless a KMS key is given (a restore or
    copy with a key is encrypted with it). A source outside the configuration leaves it unknown.
    Otherwise the database's own flag decides, absent meaning off, except where AWS always
    encrypts: Aurora Serverless v1 (engine_mode serverless) and RDS Custom engines."""
    if comp.id in _seen or len(_seen) > 16:
        return Unknown("source cycle"), comp.loc, ""
    seen = _seen | {comp.id}
    source_fact = next((f for f in ("replica_of", "restored_from", "source") if comp.has(f)), None)
    if comp.kind == kinds.RDS_SNAPSHOT or source_fact is not None:
        if _key_given(comp.get("kms_key")):
            return True, comp.loc_of("kms_key"), ""
        own = comp.get("storage_encrypted") if comp.kind == kinds.RDS_CLUSTER else None
        if source_fact == "replica_of" and isinstance(own, bool):
            # A cluster joining a global database or replicating across regions states its own.
            return own, comp.loc_of("storage_encrypted"), "storage_encrypted is false"
        if source_fact is None:
            return Unknown("snapshot source not given"), comp.loc, ""
        source = graph.resolve(comp, comp.get(source_fact), *_SOURCES)
        if source is None:
            return Unknown("source outside the configuration"), comp.loc, ""
        value, _, _ = storage_encryption(graph, source, seen)
        how = "replicates" if source_fact == "replica_of" else (
            "is restored from" if source_fact == "restored_from" else "is taken from")
        return value, comp.loc_of(source_fact), (
            f"it inherits its encryption from {source.address}, which it {how} and which is unencrypted")
    engine = comp.get("engine")
    serverless = comp.kind == kinds.RDS_CLUSTER and comp.equals("engine_mode", "serverless")
    if serverless or (isinstance(engine, str) and engine.startswith("custom-")):
        return True, comp.loc, ""
    own = comp.get("storage_encrypted")
    if own is None:
        return False, comp.loc, "storage_encrypted / StorageEncrypted is not set (off by default)"
    return own, comp.loc_of("storage_encrypted"), "storage_encrypted / StorageEncrypted is false"


@policy(
    id="IAC-RDS-004",
    control="db-storage-unencrypted",
    title="Database storage is not encrypted",
    severity="high",
    stride="I",
    cwe=311,
    remediation="""
Set `storage_encrypted = true` (Terraform: `aws_db_instance`, `aws_rds_cluster`,
`aws_neptune_cluster`, `aws_docdb_cluster`) / `StorageEncrypted: true` (CloudFormation), ideally
with a customer managed key (`kms_key_id` / `KmsKeyId`). Encryption cannot be switched on in place:
restore an encrypted copy of a snapshot (`aws_db_snapshot_copy` with `kms_key_id`) into a new
database. A replica inherits its source's encryption: encrypt the source.
""",
    references=(
        "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.Encryption.html",
        "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Overview.Encryption.html",
        "https://docs.aws.amazon.com/neptune/latest/userguide/encrypt.html",
        "https://docs.aws.amazon.com/documentdb/latest/developerguide/encryption-at-rest.html",
    ),
    fix=_encrypt_storage,
)
def db_storage_unencrypted(graph: ResourceGraph) -> Iterator[Hit]:
    """Unencrypted database storage leaves the data, its automated backups, snapshots and read
    replicas readable by whoever gets the volumes or a shared snapshot, and it cannot be fixed in
    place later. Checked: RDS DB instances, Aurora and Multi-AZ DB clusters, Neptune and
    DocumentDB clusters (the default is off everywhere), and DB snapshots and snapshot copies.
    An instance that belongs to a cluster is not checked on its own: its storage is the
    cluster's, which is reported once. Aurora Serverless v1 (engine_mode serverless) and RDS
    Custom engines are always encrypted. A read replica, a restore (from a snapshot or a point
    in time) and a snapshot take their source's encryption, followed through the configuration,
    and are reported when that source is unencrypted (the message says the encryption is
    inherited, and the finding points at the source attribute: replicate_source_db,
    snapshot_identifier, SourceDBInstanceIdentifier, DBSnapshotIdentifier...), not when it is
    encrypted; a restore or copy given a KMS key is
    encrypted with it; a source outside the configuration or not known before deployment gives
    no finding. Unknown values are not reported."""
    for comp in graph.of_kind(kinds.RDS_INSTANCE, kinds.RDS_CLUSTER, kinds.RDS_SNAPSHOT):
        if _cluster_member(comp):
            continue
        value, loc, how = storage_encryption(graph, comp)
        if value is not False:
            continue
        yield Hit(comp, loc,
                  f"{_kind_name(comp)} {comp.display} stores its data unencrypted: {how}. Enable storage "
                  "encryption (storage_encrypted / StorageEncrypted) with a KMS key.",
                  cause=how)


@policy(
    id="IAC-RDS-005",
    control="db-backup-disabled",
    title="Database automated backups are disabled",
    severity="medium",
    stride="D",
    cwe=693,
    remediation="""
Keep automated backups on: set `backup_retention_period` (Terraform) / `BackupRetentionPeriod`
(CloudFormation) to the number of days you need to restore from, 7 or more for production (1 to 35).
""",
    references=(
        "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_WorkingWithAutomatedBackups.BackupRetention.html",
    ),
    fix=SetFacts({"backup_retention_period": 7}),
)
def db_backup_disabled(graph: ResourceGraph) -> Iterator[Hit]:
    """A backup retention period of 0 turns automated backups and point-in-time recovery off: a
    bad migration, a ransomware attack or an accidental DELETE cannot be undone. Reported when
    the period is 0 on a DB instance or cluster (Aurora, Neptune and DocumentDB clusters cannot
    go below 1, so only a written 0 is reported there). Left unset, AWS keeps backups for one
    day. Instances of a cluster are not checked (the cluster's period applies), nor read replicas
    and members of a global database: their data is backed up on their source, and replicas are
    created without backups by design. An unknown period is not reported."""
    for db in graph.of_kind(*kinds.DATABASES):
        if _cluster_member(db) or db.has("replica_of"):
            continue
        if not db.equals("backup_retention_period", 0):
            continue
        yield Hit(db, db.loc_of("backup_retention_period"),
                  f"{_kind_name(db)} {db.display} has automated backups disabled (backup retention period 0): "
                  "its data cannot be restored to a point in time. Set backup_retention_period / "
                  "BackupRetentionPeriod to 7 days or more.",
                  cause="retention:0")


@policy(
    id="IAC-RDS-006",
    control="db-deletion-protection-missing",
    title="Database has no deletion protection",
    severity="low",
    stride="D",
    cwe=693,
    remediation="""
Set `deletion_protection = true` (Terraform) / `DeletionProtection: true` (CloudFormation) on the
DB instance or cluster. A CloudFormation `DeletionPolicy` or a Terraform `prevent_destroy` only
guards against the tool itself, not against an API call or the console.
""",
    references=(
        "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_DeleteInstance.html",
        "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_DeleteCluster.html",
    ),
    fix=SetFacts({"deletion_protection": True}),
)
def db_deletion_protection_missing(graph: ResourceGraph) -> Iterator[Hit]:
    """Without deletion protection a single API call, console click or mistaken apply deletes the
    database, and with it the automated backups that are not retained. Reported when deletion
    protection is false or unset (the AWS default) on a DB instance or cluster: RDS, Aurora,
    Neptune, DocumentDB. Instances of a cluster are not checked (the setting belongs to the
    cluster); read replicas are, since losing one still takes capacity away. A CloudFormation
    DeletionPolicy or Terraform prevent_destroy does not count: they do not stop a deletion made
    outside the tool. An unknown value is not reported."""
    for db in graph.of_kind(*kinds.DATABASES):
        if _cluster_member(db):
            continue
        if not db.is_false("deletion_protection", unset=False):
            continue
        state = "is off" if db.is_false("deletion_protection") else "is not set (off by default)"
        yield Hit(db, db.loc_of("deletion_protection"),
                  f"{_kind_name(db)} {db.display}: deletion protection {state}, so one API call can delete it. "
                  "Set deletion_protection / DeletionProtection to true.",
                  cause="off" if db.is_false("deletion_protection") else "unset")


@policy(
    id="IAC-RDS-007",
    control="db-internet-reachable",
    title="Database is reachable from the internet",
    severity="critical",
    stride="ISTD",
    cwe=668,
    remediation="""
Break the path at any hop, best at several: set `publicly_accessible = false` (CloudFormation
`PubliclyAccessible: false`); place the database in a DB subnet group of private subnets (route
tables without a 0.0.0.0/0 route to an internet gateway); admit only the application tier's
security group on the database port. A network ACL denying the port from anywhere also blocks it.
""",
    references=(
        "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_VPC.WorkingWithRDSInstanceinaVPC.html",
    ),
    fix=SetFacts({"publicly_accessible": False}, note="clients outside the VPC lose their direct access"),
)
def db_internet_reachable(graph: ResourceGraph) -> Iterator[Hit]:
    """A network path exists from the internet to the database's port, computed hop by hop over
    the graph: an internet gateway, a route sending 0.0.0.0/0 or ::/0 to it from a subnet of the
    database's subnet group, a network ACL of that subnet admitting the port from anywhere (the
    default ACL when none is associated), a security group rule admitting the internet on the
    port, and a public address (publicly accessible). Every hop must be definite: an unknown value
    anywhere on the path means no finding. The finding sits on the setting that gives the database
    its public address, and carries the path as a SARIF code flow, so the alert shows each hop with
    its file and line. The port is the database's own, else its engine's default."""
    if not graph.of_kind(*kinds.DATABASES):
        return  # nothing to reach: the threat model's placement of every component is not needed
    from iac_assist.threatmodel.exposure import database_exposures

    for exposure in database_exposures(graph):
        db = exposure.target
        path = tuple((hop.loc, hop.message) for hop in exposure.hops if hop.loc is not None)
        steps = " → ".join(hop.message for hop in exposure.hops[1:-1])
        yield Hit(db, db.loc_of("publicly_accessible"),
                  f"Database {db.display} is reachable from the internet on port {exposure.port}: {steps}. "
                  "Turn off public accessibility, move it to private subnets, and admit only the application "
                  "tier's security group.",
                  cause=f"port {exposure.port}",
                  path=path)


POLICIES = [db_publicly_accessible, db_in_public_subnet, db_open_security_group, db_storage_unencrypted,
            db_backup_disabled, db_deletion_protection_missing, db_internet_reachable]
