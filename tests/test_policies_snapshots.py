"""snapshot-public: RDS DB and cluster snapshots shared with "all", AMI launch permissions for the
group "all", Image Builder distributions (both formats); unknown values; plan JSON; and the attack
graph, where a public snapshot is a data store reached from the internet."""

from __future__ import annotations

from iac_assist.analysis.engine import scan
from iac_assist.threatmodel.build import build
from tests.policy_examples import cfn, found, line, tf
from tests.test_terraform_plan import plan_text

CONTROL = "snapshot-public"

SNAPSHOTS_TF = tf('''
    variable "accounts" {
      type = list(string)
    }

    variable "group" {}

    resource "aws_db_snapshot" "public" {
      db_instance_identifier = "db"
      db_snapshot_identifier = "public"
      shared_accounts        = ["ALL"]
    }

    resource "aws_db_snapshot" "unknown" {
      db_instance_identifier = "db"
      db_snapshot_identifier = "unknown"
      shared_accounts        = var.accounts
    }

    resource "aws_db_snapshot_copy" "copy" {
      source_db_snapshot_identifier = aws_db_snapshot.public.db_snapshot_arn
      target_db_snapshot_identifier = "copy"
      shared_accounts               = [var.group, "all"]
    }

    resource "aws_ami_launch_permission" "unknown" {
      image_id = "ami-0a1b2c3d4e5f67890"
      group    = var.group
    }

    resource "aws_ami_launch_permission" "account" {
      image_id   = "ami-0a1b2c3d4e5f67890"
      account_id = "123456789012"
    }

    # No group: an EBS snapshot cannot be made public from Terraform.
    resource "aws_snapshot_create_volume_permission" "share" {
      snapshot_id = "snap-0a1b2c3d4e5f67890"
      account_id  = "123456789012"
    }

    resource "aws_imagebuilder_distribution_configuration" "two" {
      name = "two"
      distribution {
        region = "eu-west-1"
        ami_distribution_configuration {
          launch_permission {
            user_ids = ["123456789012"]
          }
        }
      }
      distribution {
        region = "eu-central-1"
        ami_distribution_configuration {
          launch_permission {
            user_groups = ["all"]
          }
        }
      }
    }
''')
SNAPSHOTS_CFN = cfn('''
    Unknown:
      Type: AWS::ImageBuilder::DistributionConfiguration
      Properties:
        Name: unknown
        Distributions:
          - Region: eu-west-1
            AmiDistributionConfiguration:
              LaunchPermissionConfiguration:
                UserGroups: !Ref Groups
    Second:
      Type: AWS::ImageBuilder::DistributionConfiguration
      Properties:
        Name: second
        Distributions:
          - Region: eu-west-1
            AmiDistributionConfiguration:
              LaunchPermissionConfiguration:
                UserIds: ["123456789012"]
          - Region: eu-central-1
            AmiDistributionConfiguration:
              LaunchPermissionConfiguration:
                UserGroups: [all]
''', parameters='''
    Groups:
      Type: CommaDelimitedList
''')


def test_shared_with_all_is_reported_where_it_is_written(write_tree):
    assert found(write_tree, CONTROL, SNAPSHOTS_TF, SNAPSHOTS_CFN) == {
        ("aws_db_snapshot.public", "tf/main.tf", line(SNAPSHOTS_TF, '["ALL"]')),
        ("aws_db_snapshot_copy.copy", "tf/main.tf", line(SNAPSHOTS_TF, '[var.group, "all"]')),
        ("aws_imagebuilder_distribution_configuration.two", "tf/main.tf", line(SNAPSHOTS_TF, 'user_groups = ["all"]')),
        ("Second", "cfn/template.yaml", line(SNAPSHOTS_CFN, "UserGroups: [all]")),
    }


def test_plan_json(tmp_path):
    resources = [{"address": "aws_ami_launch_permission.p", "type": "aws_ami_launch_permission", "name": "p",
                  "values": {"image_id": "ami-0a1b2c3d4e5f67890", "group": "all"}}]
    (tmp_path / "plan.json").write_text(plan_text(resources))
    assert [f.resource for f in scan([tmp_path]).findings if f.control == CONTROL] == ["aws_ami_launch_permission.p"]


def test_a_public_snapshot_is_a_data_store_reached_from_the_internet(tmp_path):
    text = tf('''
        resource "aws_db_snapshot" "orders" {
          db_instance_identifier = "orders"
          db_snapshot_identifier = "orders"
          shared_accounts        = ["all"]
        }

        resource "aws_db_snapshot" "private" {
          db_instance_identifier = "orders"
          db_snapshot_identifier = "private"
        }
    ''')
    (tmp_path / "main.tf").write_text(text)
    model = build(scan([tmp_path])).to_json()
    [path] = model["attack_paths"]
    assert (path["target"], path["hops"], path["exposure"], path["score"]) == \
        ("aws_db_snapshot.orders", ["internet", "aws_db_snapshot.orders"], "internet-reachable", 0.675)
    [step] = path["steps"]
    assert step["kind"] == "public-snapshot"
    assert (step["evidence"][0]["file"], step["evidence"][0]["line"]) == ("main.tf", line(text, '["all"]'))
    states = {t["id"]: t["status"] for t in model["threats"]}
    assert states["snapshot-disclosure@aws_db_snapshot.orders"] == "open"
    assert states["snapshot-disclosure@aws_db_snapshot.private"] == "mitigated"
