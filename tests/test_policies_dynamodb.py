"""DynamoDB policies: each edge-case decision the policy documents gives the same verdict in
Terraform and CloudFormation; the shipped examples are checked against their snapshots by
test_policies_examples.py."""

from __future__ import annotations

from tests.policy_examples import cfn, found, line, tf

TABLES_TF = tf('''
    variable "pitr" {
      type = bool
    }

    resource "aws_dynamodb_table" "unset" {
      name     = "unset"
      hash_key = "id"
    }

    resource "aws_dynamodb_table" "off" {
      name     = "off"
      hash_key = "id"
      point_in_time_recovery {
        enabled = false
      }
    }

    resource "aws_dynamodb_table" "unknown" {
      name     = "unknown"
      hash_key = "id"
      point_in_time_recovery {
        enabled = var.pitr
      }
    }

    resource "aws_dynamodb_table" "on" {
      name     = "on"
      hash_key = "id"
      point_in_time_recovery {
        enabled = true
      }
    }
''')
TABLES_CFN = cfn('''
    Unset:
      Type: AWS::DynamoDB::Table
      Properties:
        TableName: unset
    "Off":
      Type: AWS::DynamoDB::Table
      Properties:
        PointInTimeRecoverySpecification:
          PointInTimeRecoveryEnabled: false
    FlagLeftOut:
      Type: AWS::DynamoDB::Table
      Properties:
        PointInTimeRecoverySpecification:
          RecoveryPeriodInDays: 7
    Unknown:
      Type: AWS::DynamoDB::Table
      Properties:
        PointInTimeRecoverySpecification:
          PointInTimeRecoveryEnabled: !Ref Pitr
    "On":
      Type: AWS::DynamoDB::Table
      Properties:
        PointInTimeRecoverySpecification:
          PointInTimeRecoveryEnabled: "true"
''', parameters='''
    Pitr:
      Type: String
''')


def test_unset_is_off_and_unknown_is_not_reported(write_tree):
    """Unset is reported at the table, off at the flag; a CloudFormation specification without
    its flag is off (at the specification); unknown values are not reported."""
    assert found(write_tree, "dynamodb-pitr-missing", TABLES_TF, TABLES_CFN) == {
        ("aws_dynamodb_table.unset", "tf/main.tf", line(TABLES_TF, '"aws_dynamodb_table" "unset"')),
        ("aws_dynamodb_table.off", "tf/main.tf", line(TABLES_TF, "enabled = false")),
        ("Unset", "cfn/template.yaml", line(TABLES_CFN, "  Unset:")),
        ("Off", "cfn/template.yaml", line(TABLES_CFN, "PointInTimeRecoveryEnabled: false")),
        ("FlagLeftOut", "cfn/template.yaml", line(TABLES_CFN, "RecoveryPeriodInDays: 7") - 1),
    }


REPLICAS_TF = tf('''
    variable "pitr" {
      type = bool
    }

    resource "aws_dynamodb_table" "global" {
      name             = "global"
      hash_key         = "id"
      stream_enabled   = true
      stream_view_type = "NEW_AND_OLD_IMAGES"
      point_in_time_recovery {
        enabled = true
      }
      replica {
        region_name = "eu-west-1"
      }
      replica {
        region_name            = "eu-central-1"
        point_in_time_recovery = false
      }
      replica {
        region_name            = "ap-southeast-2"
        point_in_time_recovery = var.pitr
      }
      replica {
        region_name            = "us-west-2"
        point_in_time_recovery = true
      }
    }

    resource "aws_dynamodb_table_replica" "separate" {
      global_table_arn = aws_dynamodb_table.global.arn
    }

    resource "aws_dynamodb_table_replica" "separate_on" {
      global_table_arn       = aws_dynamodb_table.global.arn
      point_in_time_recovery = true
    }
''')
REPLICAS_CFN = cfn('''
    Global:
      Type: AWS::DynamoDB::GlobalTable
      Properties:
        Replicas:
          - Region: us-east-1
            PointInTimeRecoverySpecification:
              PointInTimeRecoveryEnabled: true
          - Region: eu-west-1
          - Region: eu-central-1
            PointInTimeRecoverySpecification:
              PointInTimeRecoveryEnabled: false
          - Region: ap-southeast-2
            PointInTimeRecoverySpecification:
              PointInTimeRecoveryEnabled: !Ref Pitr
    AllOn:
      Type: AWS::DynamoDB::GlobalTable
      Properties:
        Replicas:
          - Region: us-east-1
            PointInTimeRecoverySpecification:
              PointInTimeRecoveryEnabled: true
''', parameters='''
    Pitr:
      Type: String
''')


def test_every_replica_of_a_global_table_has_its_own_switch(write_tree):
    """A replica without PITR is reported at the replica, one switched off at its flag; an
    unknown one is not; a CloudFormation GlobalTable has no table-level setting to report; a
    Terraform replica resource is judged like a table."""
    assert found(write_tree, "dynamodb-pitr-missing", REPLICAS_TF, REPLICAS_CFN) == {
        ("aws_dynamodb_table.global", "tf/main.tf", line(REPLICAS_TF, 'region_name = "eu-west-1"') - 1),
        ("aws_dynamodb_table.global", "tf/main.tf", line(REPLICAS_TF, "point_in_time_recovery = false")),
        ("aws_dynamodb_table_replica.separate", "tf/main.tf",
         line(REPLICAS_TF, '"aws_dynamodb_table_replica" "separate"')),
        ("Global", "cfn/template.yaml", line(REPLICAS_CFN, "- Region: eu-west-1")),
        ("Global", "cfn/template.yaml", line(REPLICAS_CFN, "PointInTimeRecoveryEnabled: false")),
    }


def test_a_null_replica_switch_is_off_in_both_formats(write_tree):
    # Drift the tables revealed: a replica's null PITR flag was an unknown value (no finding) in
    # both front ends, where a table's null is unset, hence off.
    terraform = tf('''
        resource "aws_dynamodb_table" "t" {
          name     = "t"
          hash_key = "id"
          point_in_time_recovery {
            enabled = true
          }
          replica {
            region_name            = "eu-west-1"
            point_in_time_recovery = null
          }
        }
    ''')
    cloudformation = cfn('''
        Global:
          Type: AWS::DynamoDB::GlobalTable
          Properties:
            Replicas:
              - Region: eu-west-1
                PointInTimeRecoverySpecification:
                  PointInTimeRecoveryEnabled: null
    ''')
    assert found(write_tree, "dynamodb-pitr-missing", terraform, cloudformation) == {
        ("aws_dynamodb_table.t", "tf/main.tf", line(terraform, "replica {")),
        ("Global", "cfn/template.yaml", line(cloudformation, "PointInTimeRecoverySpecification:")),
    }
