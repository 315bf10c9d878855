"""Database policies: each edge-case decision the policies document gives the same verdict in
Terraform and CloudFormation; the shipped examples are checked against their snapshots by
test_policies_examples.py."""

from __future__ import annotations

from tests.policy_examples import cfn, found, line, messages, tf

# --- db-storage-unencrypted ------------------------------------------------------------------------

ENCRYPTION_TF = tf('''
    variable "encrypted" {
      type = bool
    }

    resource "aws_db_instance" "unset" {
      engine         = "postgres"
      instance_class = "db.t4g.micro"
    }

    resource "aws_db_instance" "off" {
      engine            = "postgres"
      instance_class    = "db.t4g.micro"
      storage_encrypted = false
    }

    resource "aws_db_instance" "maybe" {
      engine            = "postgres"
      instance_class    = "db.t4g.micro"
      storage_encrypted = var.encrypted
    }

    resource "aws_db_instance" "custom" {
      engine         = "custom-sqlserver-se"
      instance_class = "db.m5.xlarge"
    }

    resource "aws_rds_cluster" "aurora" {
      engine = "aurora-postgresql"
    }

    resource "aws_rds_cluster_instance" "aurora" {
      count              = 2
      cluster_identifier = aws_rds_cluster.aurora.id
      engine             = "aurora-postgresql"
      instance_class     = "db.r6g.large"
    }

    resource "aws_rds_cluster" "serverless_v1" {
      engine      = "aurora-mysql"
      engine_mode = "serverless"
    }

    resource "aws_neptune_cluster" "graph" {
      cluster_identifier = "graph"
    }

    resource "aws_neptune_cluster_instance" "graph" {
      cluster_identifier = aws_neptune_cluster.graph.id
      instance_class     = "db.r6g.large"
    }

    resource "aws_docdb_cluster" "docs" {
      storage_encrypted = true
    }

    resource "aws_docdb_cluster" "docs_plain" {
      cluster_identifier = "docs-plain"
    }
''')
ENCRYPTION_CFN = cfn('''
    Unset:
      Type: AWS::RDS::DBInstance
      Properties:
        Engine: postgres
        DBInstanceClass: db.t4g.micro
    "Off":
      Type: AWS::RDS::DBInstance
      Properties:
        Engine: postgres
        DBInstanceClass: db.t4g.micro
        StorageEncrypted: false
    Maybe:
      Type: AWS::RDS::DBInstance
      Properties:
        Engine: postgres
        DBInstanceClass: db.t4g.micro
        StorageEncrypted: !Ref Encrypted
    Custom:
      Type: AWS::RDS::DBInstance
      Properties:
        Engine: custom-sqlserver-se
        DBInstanceClass: db.m5.xlarge
    Aurora:
      Type: AWS::RDS::DBCluster
      Properties:
        Engine: aurora-postgresql
    AuroraWriter:
      Type: AWS::RDS::DBInstance
      Properties:
        DBClusterIdentifier: !Ref Aurora
        Engine: aurora-postgresql
        DBInstanceClass: db.r6g.large
    ServerlessV1:
      Type: AWS::RDS::DBCluster
      Properties:
        Engine: aurora-mysql
        EngineMode: serverless
    Graph:
      Type: AWS::Neptune::DBCluster
      Properties:
        DBClusterIdentifier: graph
    GraphInstance:
      Type: AWS::Neptune::DBInstance
      Properties:
        DBClusterIdentifier: !Ref Graph
        DBInstanceClass: db.r6g.large
    Docs:
      Type: AWS::DocDB::DBCluster
      Properties:
        StorageEncrypted: true
    DocsPlain:
      Type: AWS::DocDB::DBCluster
      Properties:
        DBClusterIdentifier: docs-plain
''', parameters='''
    Encrypted:
      Type: String
''')


def test_storage_encryption_defaults_clusters_and_always_encrypted_engines(write_tree):
    """Unset is off (at the resource), false is reported at the flag, unknown is not; a cluster
    is reported once, never its instances; Aurora Serverless v1 and RDS Custom are always
    encrypted; Neptune and DocumentDB clusters are checked like Aurora."""
    assert found(write_tree, "db-storage-unencrypted", ENCRYPTION_TF, ENCRYPTION_CFN) == {
        ("aws_db_instance.unset", "tf/main.tf", line(ENCRYPTION_TF, '"aws_db_instance" "unset"')),
        ("aws_db_instance.off", "tf/main.tf", line(ENCRYPTION_TF, "storage_encrypted = false")),
        ("aws_rds_cluster.aurora", "tf/main.tf", line(ENCRYPTION_TF, '"aws_rds_cluster" "aurora"')),
        ("aws_neptune_cluster.graph", "tf/main.tf", line(ENCRYPTION_TF, '"aws_neptune_cluster" "graph"')),
        ("aws_docdb_cluster.docs_plain", "tf/main.tf", line(ENCRYPTION_TF, '"aws_docdb_cluster" "docs_plain"')),
        ("Unset", "cfn/template.yaml", line(ENCRYPTION_CFN, "  Unset:")),
        ("Off", "cfn/template.yaml", line(ENCRYPTION_CFN, "StorageEncrypted: false")),
        ("Aurora", "cfn/template.yaml", line(ENCRYPTION_CFN, "  Aurora:")),
        ("Graph", "cfn/template.yaml", line(ENCRYPTION_CFN, "  Graph:")),
        ("DocsPlain", "cfn/template.yaml", line(ENCRYPTION_CFN, "  DocsPlain:")),
    }


REPLICAS_TF = tf('''
    resource "aws_db_instance" "plain" {
      identifier     = "plain"
      engine         = "mysql"
      instance_class = "db.t4g.micro"
    }

    resource "aws_db_instance" "secure" {
      identifier        = "secure"
      engine            = "mysql"
      instance_class    = "db.t4g.micro"
      storage_encrypted = true
    }

    resource "aws_db_instance" "plain_replica" {
      replicate_source_db = aws_db_instance.plain.identifier
      instance_class      = "db.t4g.micro"
    }

    resource "aws_db_instance" "secure_replica" {
      replicate_source_db = aws_db_instance.secure.identifier
      instance_class      = "db.t4g.micro"
    }

    resource "aws_db_instance" "replica_by_name" {
      replicate_source_db = "plain"
      instance_class      = "db.t4g.micro"
    }

    resource "aws_db_instance" "replica_of_elsewhere" {
      replicate_source_db = "arn:aws:rds:eu-west-1:123456789012:db:other"
      instance_class      = "db.t4g.micro"
    }

    resource "aws_db_instance" "restored_elsewhere" {
      snapshot_identifier = "rds:other-2024-01-01"
      instance_class      = "db.t4g.micro"
    }
''')
REPLICAS_CFN = cfn('''
    Plain:
      Type: AWS::RDS::DBInstance
      Properties:
        DBInstanceIdentifier: plain
        Engine: mysql
        DBInstanceClass: db.t4g.micro
    Secure:
      Type: AWS::RDS::DBInstance
      Properties:
        DBInstanceIdentifier: secure
        Engine: mysql
        DBInstanceClass: db.t4g.micro
        StorageEncrypted: true
    PlainReplica:
      Type: AWS::RDS::DBInstance
      Properties:
        SourceDBInstanceIdentifier: !Ref Plain
        DBInstanceClass: db.t4g.micro
    SecureReplica:
      Type: AWS::RDS::DBInstance
      Properties:
        SourceDBInstanceIdentifier: !Ref Secure
        DBInstanceClass: db.t4g.micro
    ReplicaByName:
      Type: AWS::RDS::DBInstance
      Properties:
        SourceDBInstanceIdentifier: plain
        DBInstanceClass: db.t4g.micro
    ReplicaOfElsewhere:
      Type: AWS::RDS::DBInstance
      Properties:
        SourceDBInstanceIdentifier: arn:aws:rds:eu-west-1:123456789012:db:other
        DBInstanceClass: db.t4g.micro
    RestoredElsewhere:
      Type: AWS::RDS::DBInstance
      Properties:
        DBSnapshotIdentifier: rds:other-2024-01-01
        DBInstanceClass: db.t4g.micro
''')


def test_storage_encryption_replicas_inherit_their_source(write_tree):
    """A replica of an unencrypted database is reported at its source attribute (by reference or
    by identifier); of an encrypted one it is not; a source outside the configuration is not."""
    assert found(write_tree, "db-storage-unencrypted", REPLICAS_TF, REPLICAS_CFN) == {
        ("aws_db_instance.plain", "tf/main.tf", line(REPLICAS_TF, '"aws_db_instance" "plain"')),
        ("aws_db_instance.plain_replica", "tf/main.tf", line(REPLICAS_TF, "aws_db_instance.plain.identifier")),
        ("aws_db_instance.replica_by_name", "tf/main.tf", line(REPLICAS_TF, 'replicate_source_db = "plain"')),
        ("Plain", "cfn/template.yaml", line(REPLICAS_CFN, "  Plain:")),
        ("PlainReplica", "cfn/template.yaml", line(REPLICAS_CFN, "!Ref Plain")),
        ("ReplicaByName", "cfn/template.yaml", line(REPLICAS_CFN, "SourceDBInstanceIdentifier: plain")),
    }


INHERITED_TF = tf('''
    variable "source" { type = string }
    variable "encrypted" { type = bool }

    resource "aws_db_instance" "primary" {
      engine            = "postgres"
      instance_class    = "db.t4g.micro"
      storage_encrypted = true
    }

    resource "aws_db_instance" "plain" {
      engine         = "postgres"
      instance_class = "db.t4g.micro"
    }

    resource "aws_db_instance" "maybe" {
      engine            = "postgres"
      instance_class    = "db.t4g.micro"
      storage_encrypted = var.encrypted
    }

    resource "aws_db_instance" "by_arn" {
      replicate_source_db = aws_db_instance.primary.arn
      instance_class      = "db.t4g.micro"
      storage_encrypted   = false
    }

    resource "aws_db_instance" "by_id" {
      replicate_source_db = aws_db_instance.plain.id
      instance_class      = "db.t4g.micro"
      storage_encrypted   = true
    }

    resource "aws_db_instance" "of_unknown_source" {
      replicate_source_db = var.source
      instance_class      = "db.t4g.micro"
    }

    resource "aws_db_instance" "of_maybe_encrypted" {
      replicate_source_db = aws_db_instance.maybe.identifier
      instance_class      = "db.t4g.micro"
    }
''')
INHERITED_CFN = cfn('''
    Primary:
      Type: AWS::RDS::DBInstance
      Properties:
        Engine: postgres
        DBInstanceClass: db.t4g.micro
        StorageEncrypted: true
    Plain:
      Type: AWS::RDS::DBInstance
      Properties:
        Engine: postgres
        DBInstanceClass: db.t4g.micro
        StorageEncrypted: false
    ByRef:
      Type: AWS::RDS::DBInstance
      Properties:
        SourceDBInstanceIdentifier: !Ref Primary
        DBInstanceClass: db.t4g.micro
    ByArn:
      Type: AWS::RDS::DBInstance
      Properties:
        SourceDBInstanceIdentifier: !GetAtt Plain.DBInstanceArn
        DBInstanceClass: db.t4g.micro
    OfUnknownSource:
      Type: AWS::RDS::DBInstance
      Properties:
        SourceDBInstanceIdentifier: !Ref Source
        DBInstanceClass: db.t4g.micro
    RestoredUnknown:
      Type: AWS::RDS::DBInstance
      Properties:
        DBSnapshotIdentifier: !Ref Snapshot
        DBInstanceClass: db.t4g.micro
''', parameters="Source:\n  Type: String\nSnapshot:\n  Type: String\n")


def test_replicas_inherit_encryption_whatever_they_say_and_an_unknown_source_gives_nothing(write_tree):
    """A replica referring to its source by ARN or id inherits its encryption: no finding from an
    encrypted source (even with storage_encrypted = false written on the replica), a finding from
    an unencrypted one (even with storage_encrypted = true), and none from a source not known."""
    assert found(write_tree, "db-storage-unencrypted", INHERITED_TF, INHERITED_CFN) == {
        ("aws_db_instance.plain", "tf/main.tf", line(INHERITED_TF, '"aws_db_instance" "plain"')),
        ("aws_db_instance.by_id", "tf/main.tf", line(INHERITED_TF, "aws_db_instance.plain.id")),
        ("Plain", "cfn/template.yaml", line(INHERITED_CFN, "StorageEncrypted: false")),
        ("ByArn", "cfn/template.yaml", line(INHERITED_CFN, "!GetAtt Plain.DBInstanceArn")),
    }


def test_an_inherited_finding_says_so(write_tree):
    root = write_tree({"main.tf": INHERITED_TF})
    [message] = [m for m in messages(root, "db-storage-unencrypted") if "by_id" in m]
    assert "inherits its encryption from aws_db_instance.plain, which it replicates and which is unencrypted" in message


SNAPSHOTS_TF = tf('''
    resource "aws_db_instance" "plain" {
      engine         = "postgres"
      instance_class = "db.t4g.micro"
    }

    resource "aws_db_snapshot" "plain" {
      db_instance_identifier = aws_db_instance.plain.identifier
      db_snapshot_identifier = "plain-snapshot"
    }

    resource "aws_db_snapshot_copy" "encrypted" {
      source_db_snapshot_identifier = aws_db_snapshot.plain.db_snapshot_arn
      target_db_snapshot_identifier = "plain-snapshot-encrypted"
      kms_key_id                    = "arn:aws:kms:eu-west-1:123456789012:key/1"
    }

    resource "aws_db_instance" "from_plain" {
      snapshot_identifier = aws_db_snapshot.plain.id
      instance_class      = "db.t4g.micro"
    }

    resource "aws_db_instance" "from_encrypted" {
      snapshot_identifier = aws_db_snapshot_copy.encrypted.id
      instance_class      = "db.t4g.micro"
    }

    resource "aws_rds_cluster" "aurora" {
      engine = "aurora-postgresql"
    }

    resource "aws_db_cluster_snapshot" "aurora" {
      db_cluster_identifier          = aws_rds_cluster.aurora.id
      db_cluster_snapshot_identifier = "aurora-snapshot"
    }

    resource "aws_rds_cluster" "restored_with_key" {
      engine              = "aurora-postgresql"
      snapshot_identifier = aws_db_cluster_snapshot.aurora.id
      kms_key_id          = "arn:aws:kms:eu-west-1:123456789012:key/1"
    }
''')


def test_storage_encryption_snapshots_copies_and_restores_terraform_only(write_tree):
    """CloudFormation has no DB snapshot resource: snapshots are a Terraform matter. A snapshot of
    an unencrypted database is unencrypted, and so is a database restored from it; a copy or a
    cluster restore given a KMS key is encrypted."""
    assert found(write_tree, "db-storage-unencrypted", SNAPSHOTS_TF) == {
        ("aws_db_instance.plain", "tf/main.tf", line(SNAPSHOTS_TF, '"aws_db_instance" "plain"')),
        ("aws_db_snapshot.plain", "tf/main.tf", line(SNAPSHOTS_TF, "db_instance_identifier = aws_db_instance.plain")),
        ("aws_db_instance.from_plain", "tf/main.tf",
         line(SNAPSHOTS_TF, "snapshot_identifier = aws_db_snapshot.plain.id")),
        ("aws_rds_cluster.aurora", "tf/main.tf", line(SNAPSHOTS_TF, '"aws_rds_cluster" "aurora"')),
        ("aws_db_cluster_snapshot.aurora", "tf/main.tf", line(SNAPSHOTS_TF, "db_cluster_identifier          =")),
    }


# --- db-backup-disabled ----------------------------------------------------------------------------

BACKUP_TF = tf('''
    variable "days" {
      type = number
    }

    resource "aws_db_instance" "zero" {
      identifier              = "zero"
      engine                  = "postgres"
      instance_class          = "db.t4g.micro"
      backup_retention_period = 0
    }

    resource "aws_db_instance" "unset" {
      engine         = "postgres"
      instance_class = "db.t4g.micro"
    }

    resource "aws_db_instance" "week" {
      engine                  = "postgres"
      instance_class          = "db.t4g.micro"
      backup_retention_period = 7
    }

    resource "aws_db_instance" "maybe" {
      engine                  = "postgres"
      instance_class          = "db.t4g.micro"
      backup_retention_period = var.days
    }

    resource "aws_db_instance" "replica" {
      replicate_source_db     = aws_db_instance.week.identifier
      instance_class          = "db.t4g.micro"
      backup_retention_period = 0
    }

    resource "aws_docdb_cluster" "docs" {
      backup_retention_period = 0
    }
''')
BACKUP_CFN = cfn('''
    Zero:
      Type: AWS::RDS::DBInstance
      Properties:
        Engine: postgres
        DBInstanceClass: db.t4g.micro
        BackupRetentionPeriod: 0
    Unset:
      Type: AWS::RDS::DBInstance
      Properties:
        Engine: postgres
        DBInstanceClass: db.t4g.micro
    Week:
      Type: AWS::RDS::DBInstance
      Properties:
        Engine: postgres
        DBInstanceClass: db.t4g.micro
        BackupRetentionPeriod: 7
    Maybe:
      Type: AWS::RDS::DBInstance
      Properties:
        Engine: postgres
        DBInstanceClass: db.t4g.micro
        BackupRetentionPeriod: !Ref Days
    Replica:
      Type: AWS::RDS::DBInstance
      Properties:
        SourceDBInstanceIdentifier: !Ref Week
        DBInstanceClass: db.t4g.micro
        BackupRetentionPeriod: 0
    Docs:
      Type: AWS::DocDB::DBCluster
      Properties:
        BackupRetentionPeriod: 0
''', parameters='''
    Days:
      Type: Number
''')


def test_backup_zero_only_and_replicas_exempt(write_tree):
    """Only a known 0 is reported, at the attribute; unset means one day; a replica may run
    without backups; a cluster with 0 is reported too."""
    assert found(write_tree, "db-backup-disabled", BACKUP_TF, BACKUP_CFN) == {
        ("aws_db_instance.zero", "tf/main.tf", line(BACKUP_TF, '"aws_db_instance" "zero"') + 4),
        ("aws_docdb_cluster.docs", "tf/main.tf", line(BACKUP_TF, '"aws_docdb_cluster" "docs"') + 1),
        ("Zero", "cfn/template.yaml", line(BACKUP_CFN, "  Zero:") + 5),
        ("Docs", "cfn/template.yaml", line(BACKUP_CFN, "  Docs:") + 3),
    }


# --- db-deletion-protection-missing ----------------------------------------------------------------

DELETION_TF = tf('''
    variable "protect" {
      type = bool
    }

    resource "aws_db_instance" "unset" {
      engine         = "postgres"
      instance_class = "db.t4g.micro"
    }

    resource "aws_db_instance" "off" {
      engine              = "postgres"
      instance_class      = "db.t4g.micro"
      deletion_protection = false
    }

    resource "aws_db_instance" "on" {
      engine              = "postgres"
      instance_class      = "db.t4g.micro"
      deletion_protection = true
    }

    resource "aws_db_instance" "maybe" {
      engine              = "postgres"
      instance_class      = "db.t4g.micro"
      deletion_protection = var.protect
    }

    resource "aws_rds_cluster" "aurora" {
      engine              = "aurora-postgresql"
      deletion_protection = true
    }

    resource "aws_rds_cluster_instance" "aurora" {
      cluster_identifier = aws_rds_cluster.aurora.id
      engine             = "aurora-postgresql"
      instance_class     = "db.r6g.large"
    }

    resource "aws_neptune_cluster" "graph" {
      cluster_identifier = "graph"
    }

    resource "aws_db_instance" "replica" {
      replicate_source_db = aws_db_instance.on.identifier
      instance_class      = "db.t4g.micro"
    }
''')
DELETION_CFN = cfn('''
    Unset:
      Type: AWS::RDS::DBInstance
      DeletionPolicy: Snapshot
      Properties:
        Engine: postgres
        DBInstanceClass: db.t4g.micro
    "Off":
      Type: AWS::RDS::DBInstance
      Properties:
        Engine: postgres
        DBInstanceClass: db.t4g.micro
        DeletionProtection: false
    "On":
      Type: AWS::RDS::DBInstance
      Properties:
        Engine: postgres
        DBInstanceClass: db.t4g.micro
        DeletionProtection: true
    Maybe:
      Type: AWS::RDS::DBInstance
      Properties:
        Engine: postgres
        DBInstanceClass: db.t4g.micro
        DeletionProtection: !Ref Protect
    Aurora:
      Type: AWS::RDS::DBCluster
      Properties:
        Engine: aurora-postgresql
        DeletionProtection: true
    AuroraWriter:
      Type: AWS::RDS::DBInstance
      Properties:
        DBClusterIdentifier: !Ref Aurora
        Engine: aurora-postgresql
        DBInstanceClass: db.r6g.large
    Graph:
      Type: AWS::Neptune::DBCluster
      Properties:
        DBClusterIdentifier: graph
    Replica:
      Type: AWS::RDS::DBInstance
      Properties:
        SourceDBInstanceIdentifier: !Ref "On"
        DBInstanceClass: db.t4g.micro
''', parameters='''
    Protect:
      Type: String
''')


def test_deletion_protection_defaults_clusters_and_replicas(write_tree):
    """Unset (a DeletionPolicy does not count) and false are reported, unknown is not; cluster
    instances follow their cluster; Neptune clusters and read replicas are checked."""
    assert found(write_tree, "db-deletion-protection-missing", DELETION_TF, DELETION_CFN) == {
        ("aws_db_instance.unset", "tf/main.tf", line(DELETION_TF, '"aws_db_instance" "unset"')),
        ("aws_db_instance.off", "tf/main.tf", line(DELETION_TF, "deletion_protection = false")),
        ("aws_neptune_cluster.graph", "tf/main.tf", line(DELETION_TF, '"aws_neptune_cluster" "graph"')),
        ("aws_db_instance.replica", "tf/main.tf", line(DELETION_TF, '"aws_db_instance" "replica"')),
        ("Unset", "cfn/template.yaml", line(DELETION_CFN, "  Unset:")),
        ("Off", "cfn/template.yaml", line(DELETION_CFN, "DeletionProtection: false")),
        ("Graph", "cfn/template.yaml", line(DELETION_CFN, "  Graph:")),
        ("Replica", "cfn/template.yaml", line(DELETION_CFN, "  Replica:")),
    }


# --- the older database policies on Neptune and DocumentDB -----------------------------------------

GRAPH_TF = tf('''
    resource "aws_security_group" "graph" {
      name   = "graph"
      vpc_id = "vpc-1"

      ingress {
        protocol    = "tcp"
        from_port   = 8182
        to_port     = 8182
        cidr_blocks = ["0.0.0.0/0"]
      }
    }

    resource "aws_neptune_cluster" "graph" {
      vpc_security_group_ids = [aws_security_group.graph.id]
      storage_encrypted      = true
      deletion_protection    = true
    }

    resource "aws_neptune_cluster_instance" "graph" {
      cluster_identifier = aws_neptune_cluster.graph.id
      instance_class     = "db.r6g.large"
    }
''')
GRAPH_CFN = cfn('''
    GraphGroup:
      Type: AWS::EC2::SecurityGroup
      Properties:
        GroupDescription: graph
        VpcId: vpc-1
        SecurityGroupIngress:
          - IpProtocol: tcp
            FromPort: 8182
            ToPort: 8182
            CidrIp: 0.0.0.0/0
    Graph:
      Type: AWS::Neptune::DBCluster
      Properties:
        VpcSecurityGroupIds: [!Ref GraphGroup]
        StorageEncrypted: true
        DeletionProtection: true
    GraphInstance:
      Type: AWS::Neptune::DBInstance
      Properties:
        DBClusterIdentifier: !Ref Graph
        DBInstanceClass: db.r6g.large
''')


def test_open_security_group_covers_neptune_clusters(write_tree):
    """Neptune and DocumentDB are modelled as database clusters: the network policies apply."""
    assert found(write_tree, "db-open-security-group", GRAPH_TF, GRAPH_CFN) == {
        ("aws_neptune_cluster.graph", "tf/main.tf", line(GRAPH_TF, "ingress {")),
        ("Graph", "cfn/template.yaml", line(GRAPH_CFN, "- IpProtocol: tcp")),
    }


def test_neptune_and_docdb_engines_are_facts(write_tree):
    from iac_assist.analysis.engine import build_graph

    root = write_tree({"tf/main.tf": ENCRYPTION_TF, "cfn/template.yaml": ENCRYPTION_CFN})
    graph, _ = build_graph([root])
    engines = {c.address: c.get("engine") for c in graph.components.values()
               if c.address.startswith(("aws_neptune", "aws_docdb", "Graph", "Docs"))}
    assert engines == {
        "aws_neptune_cluster.graph": "neptune", "aws_neptune_cluster_instance.graph": "neptune",
        "aws_docdb_cluster.docs": "docdb", "aws_docdb_cluster.docs_plain": "docdb",
        "Graph": "neptune", "GraphInstance": "neptune", "Docs": "docdb", "DocsPlain": "docdb",
    }


# --- db-open-security-group: the ports as network.py describes them --------------------------------

PORTS_TF = tf('''
    variable "port" {
      type = number
    }

    resource "aws_security_group" "db" {
      name   = "db"
      vpc_id = "vpc-1"

      ingress {
        protocol    = "tcp"
        from_port   = var.port
        to_port     = var.port
        cidr_blocks = ["0.0.0.0/0"]
      }
    }

    resource "aws_db_instance" "orders" {
      engine                 = "postgres"
      instance_class         = "db.t4g.micro"
      vpc_security_group_ids = [aws_security_group.db.id]
    }
''')
PORTS_CFN = cfn('''
    Group:
      Type: AWS::EC2::SecurityGroup
      Properties:
        GroupDescription: db
        VpcId: vpc-1
        SecurityGroupIngress:
          - IpProtocol: tcp
            FromPort: !Ref Port
            ToPort: !Ref Port
            CidrIp: 0.0.0.0/0
    Database:
      Type: AWS::RDS::DBInstance
      Properties:
        Engine: postgres
        DBInstanceClass: db.t4g.micro
        VPCSecurityGroups: [!Ref Group]
''', parameters='''
    Port:
      Type: Number
''')


def test_open_security_group_says_when_the_ports_are_not_known(write_tree):
    """A rule open to the internet on ports not known before deployment is still reported (the
    CIDR is the risk), and its message says the ports are not known instead of printing the
    unknown value's internals."""
    root = write_tree({"tf/main.tf": PORTS_TF, "cfn/template.yaml": PORTS_CFN})
    found_messages = messages(root, "db-open-security-group")
    assert len(found_messages) == 2, found_messages
    assert all("admits 0.0.0.0/0 on ports not known." in m for m in found_messages), found_messages
