"""efs-unencrypted, ecr-tag-mutable and secrets-rotation-missing: edge cases, each in Terraform
and CloudFormation (and a Terraform plan); the shipped examples are checked against their
snapshots by test_policies_examples.py."""

from __future__ import annotations

from tests.conftest import findings_of
from tests.policy_examples import cfn, found, line, tf
from tests.test_terraform_plan import plan_text, refs, write

# --- efs-unencrypted -------------------------------------------------------------------------------

EFS_TF = tf('''
variable "encrypted" {
  type = bool
}

resource "aws_efs_file_system" "unset" {
  creation_token = "unset"
}

resource "aws_efs_file_system" "off" {
  encrypted = "false"
}

resource "aws_efs_file_system" "on" {
  encrypted = true
}

resource "aws_efs_file_system" "unknown" {
  encrypted = var.encrypted
}

resource "aws_efs_file_system" "null" {
  encrypted = null
}
''')

EFS_CFN = cfn('''
Unset:
  Type: AWS::EFS::FileSystem
  Properties:
    PerformanceMode: generalPurpose
Disabled:
  Type: AWS::EFS::FileSystem
  Properties:
    Encrypted: "false"
Enabled:
  Type: AWS::EFS::FileSystem
  Properties:
    Encrypted: true
Unknown:
  Type: AWS::EFS::FileSystem
  Properties:
    Encrypted: !Ref Encrypted
''', parameters='''
Encrypted:
  Type: String
''')


def test_efs_unset_and_off_are_reported_on_or_unknown_are_not(write_tree):
    assert found(write_tree, "efs-unencrypted", EFS_TF, EFS_CFN) == {
        ("aws_efs_file_system.unset", "tf/main.tf", line(EFS_TF, '"unset" {')),
        ("aws_efs_file_system.off", "tf/main.tf", line(EFS_TF, 'encrypted = "false"')),
        ("aws_efs_file_system.null", "tf/main.tf", line(EFS_TF, '"null" {')),
        ("Unset", "cfn/template.yaml", line(EFS_CFN, "Unset:")),
        ("Disabled", "cfn/template.yaml", line(EFS_CFN, 'Encrypted: "false"')),
    }


def test_efs_in_a_plan_unknown_encryption_gives_no_finding(tmp_path):
    resources = [
        {"address": "aws_efs_file_system.a", "type": "aws_efs_file_system", "name": "a",
         "values": {"creation_token": "a", "encrypted": False}},
        {"address": "aws_efs_file_system.b", "type": "aws_efs_file_system", "name": "b",
         "values": {"creation_token": "b"}},
    ]
    write(tmp_path, "plan.json", plan_text(resources, unknown={"aws_efs_file_system.b": {"encrypted": True}}))
    assert {(c, r) for c, r, *_ in findings_of(tmp_path) if c == "efs-unencrypted"} == {
        ("efs-unencrypted", "aws_efs_file_system.a")}


# --- ecr-tag-mutable -------------------------------------------------------------------------------

ECR_TF = tf('''
variable "mutability" {
  type = string
}

resource "aws_ecr_repository" "unset" {
  name = "unset"
}

resource "aws_ecr_repository" "lower" {
  name                 = "lower"
  image_tag_mutability = "mutable"
}

resource "aws_ecr_repository" "immutable" {
  name                 = "immutable"
  image_tag_mutability = "IMMUTABLE"
}

resource "aws_ecr_repository" "excluded" {
  name                 = "excluded"
  image_tag_mutability = "MUTABLE_WITH_EXCLUSION"
}

resource "aws_ecr_repository" "unknown" {
  name                 = "unknown"
  image_tag_mutability = var.mutability
}
''')

ECR_CFN = cfn('''
Unset:
  Type: AWS::ECR::Repository
Mutable:
  Type: AWS::ECR::Repository
  Properties:
    ImageTagMutability: MUTABLE
Immutable:
  Type: AWS::ECR::Repository
  Properties:
    ImageTagMutability: IMMUTABLE_WITH_EXCLUSION
Unknown:
  Type: AWS::ECR::Repository
  Properties:
    ImageTagMutability: !Ref Mutability
''', parameters='''
Mutability:
  Type: String
''')


def test_ecr_mutable_or_unset_is_reported_immutable_exclusions_and_unknown_are_not(write_tree):
    assert found(write_tree, "ecr-tag-mutable", ECR_TF, ECR_CFN) == {
        ("aws_ecr_repository.unset", "tf/main.tf", line(ECR_TF, '"unset" {')),
        ("aws_ecr_repository.lower", "tf/main.tf", line(ECR_TF, '"mutable"')),
        ("Unset", "cfn/template.yaml", line(ECR_CFN, "Unset:")),
        ("Mutable", "cfn/template.yaml", line(ECR_CFN, "ImageTagMutability: MUTABLE")),
    }


# --- secrets-rotation-missing ----------------------------------------------------------------------

SECRETS_TF = tf('''
resource "aws_secretsmanager_secret" "plain" {
  name = "plain"
}

resource "aws_secretsmanager_secret" "by_ref" {
  name = "by-ref"
}

resource "aws_secretsmanager_secret_rotation" "by_ref" {
  secret_id           = aws_secretsmanager_secret.by_ref.id
  rotation_lambda_arn = "arn:aws:lambda:eu-west-1:123456789012:function:rotate"
  rotation_rules {
    automatically_after_days = 30
  }
}

resource "aws_secretsmanager_secret" "by_name" {
  name = "by-name"
}

resource "aws_secretsmanager_secret_rotation" "by_name" {
  secret_id           = "by-name"
  rotation_lambda_arn = "arn:aws:lambda:eu-west-1:123456789012:function:rotate"
  rotation_rules {
    automatically_after_days = 30
  }
}

resource "aws_secretsmanager_secret" "counted" {
  count = 2
  name  = "counted-${count.index}"
}

resource "aws_secretsmanager_secret_rotation" "counted" {
  count               = 2
  secret_id           = aws_secretsmanager_secret.counted[count.index].id
  rotation_lambda_arn = "arn:aws:lambda:eu-west-1:123456789012:function:rotate"
  rotation_rules {
    automatically_after_days = 30
  }
}
''')

SECRETS_CFN = cfn('''
Plain:
  Type: AWS::SecretsManager::Secret
Rotated:
  Type: AWS::SecretsManager::Secret
Rotation:
  Type: AWS::SecretsManager::RotationSchedule
  Properties:
    SecretId: !Ref Rotated
    HostedRotationLambda:
      RotationType: PostgreSQLSingleUser
    RotationRules:
      AutomaticallyAfterDays: 30
''')


def test_secret_without_rotation_is_reported_at_the_secret(write_tree):
    assert found(write_tree, "secrets-rotation-missing", SECRETS_TF, SECRETS_CFN) == {
        ("aws_secretsmanager_secret.plain", "tf/main.tf", line(SECRETS_TF, '"plain" {')),
        ("Plain", "cfn/template.yaml", line(SECRETS_CFN, "Plain:")),
    }


def test_a_rotation_of_a_secret_not_told_statically_silences_the_configuration(write_tree):
    terraform = tf('''
    variable "secret" {
      type = string
    }

    resource "aws_secretsmanager_secret" "maybe" {
      name = "maybe"
    }

    resource "aws_secretsmanager_secret_rotation" "r" {
      secret_id           = var.secret
      rotation_lambda_arn = "arn:aws:lambda:eu-west-1:123456789012:function:rotate"
      rotation_rules {
        automatically_after_days = 30
      }
    }
    ''')
    cloudformation = cfn('''
    Maybe:
      Type: AWS::SecretsManager::Secret
    Rotation:
      Type: AWS::SecretsManager::RotationSchedule
      Properties:
        SecretId: !Ref Secret
        RotationLambdaARN: arn:aws:lambda:eu-west-1:123456789012:function:rotate
    ''', parameters='''
    Secret:
      Type: String
    ''')
    assert found(write_tree, "secrets-rotation-missing", terraform, cloudformation) == set()


def test_secret_rotation_in_a_plan_follows_the_configuration_references(tmp_path):
    resources = [
        {"address": "aws_secretsmanager_secret.s", "type": "aws_secretsmanager_secret", "name": "s",
         "values": {"name": "s"}},
        {"address": "aws_secretsmanager_secret.t", "type": "aws_secretsmanager_secret", "name": "t",
         "values": {"name": "t"}},
        {"address": "aws_secretsmanager_secret_rotation.s", "type": "aws_secretsmanager_secret_rotation",
         "name": "s", "values": {"rotation_rules": [{"automatically_after_days": 30}]}},
    ]
    unknown = {"aws_secretsmanager_secret.s": {"id": True, "arn": True},
               "aws_secretsmanager_secret.t": {"id": True, "arn": True},
               "aws_secretsmanager_secret_rotation.s": {"secret_id": True, "id": True}}
    config = {"resources": [{"address": "aws_secretsmanager_secret_rotation.s", "mode": "managed",
                             "type": "aws_secretsmanager_secret_rotation", "name": "s",
                             "expressions": {"secret_id": refs("aws_secretsmanager_secret.s.id",
                                                               "aws_secretsmanager_secret.s")}}]}
    write(tmp_path, "plan.json", plan_text(resources, config=config, unknown=unknown))
    assert {(c, r) for c, r, *_ in findings_of(tmp_path) if c == "secrets-rotation-missing"} == {
        ("secrets-rotation-missing", "aws_secretsmanager_secret.t")}


def test_the_legacy_inline_rotation_of_provider_v2_counts(write_tree):
    terraform = tf('''
    resource "aws_secretsmanager_secret" "legacy" {
      name                = "legacy"
      rotation_lambda_arn = "arn:aws:lambda:eu-west-1:123456789012:function:rotate"
      rotation_rules {
        automatically_after_days = 30
      }
    }

    resource "aws_secretsmanager_secret" "rules_only" {
      name = "rules-only"
      rotation_rules {
        automatically_after_days = 30
      }
    }
    ''')
    assert found(write_tree, "secrets-rotation-missing", terraform) == {
        ("aws_secretsmanager_secret.rules_only", "tf/main.tf", line(terraform, '"rules_only" {'))}
