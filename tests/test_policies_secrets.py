"""hardcoded-secret: edge cases, each in Terraform and CloudFormation; the shipped examples are
checked against their snapshots by test_policies_examples.py."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from iac_assist.model.credentials import is_credential_name, mask
from tests.policy_examples import hits, messages

SECRET = "hardcoded-secret"


# --- where a value comes from --------------------------------------------------------------------


def test_literal_variable_default_and_tfvars_are_literals_a_variable_without_value_is_not(write_tree):
    root = write_tree({
        "main.tf": '''
variable "with_default" {
  default = "correct-horse-battery"
}
variable "from_tfvars" {}
variable "no_value" {
  sensitive = true
}
resource "aws_db_instance" "literal" {
  password = "correct-horse-battery"
}
resource "aws_db_instance" "default" {
  password = var.with_default
}
resource "aws_db_instance" "tfvars" {
  password = var.from_tfvars
}
resource "aws_db_instance" "none" {
  password = var.no_value
}
''',
        "terraform.tfvars": 'from_tfvars = "staple-battery-horse"\n',
    })
    assert hits(root, SECRET) == {
        ("aws_db_instance.literal", "main.tf", 10),
        ("aws_db_instance.default", "main.tf", 13),
        ("aws_db_instance.tfvars", "main.tf", 16),
    }


def test_parameter_default_is_a_literal_a_parameter_without_default_is_not(write_tree):
    root = write_tree({"template.yaml": '''AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  WithDefault:
    Type: String
    Default: correct-horse-battery
  NoDefault:
    Type: String
    NoEcho: true
Resources:
  Literal:
    Type: AWS::RDS::DBCluster
    Properties:
      MasterUserPassword: correct-horse-battery
  Default:
    Type: AWS::RDS::DBCluster
    Properties:
      MasterUserPassword: !Ref WithDefault
  None:
    Type: AWS::RDS::DBCluster
    Properties:
      MasterUserPassword: !Ref NoDefault
'''})
    assert hits(root, SECRET) == {("Literal", "template.yaml", 13), ("Default", "template.yaml", 17)}


def test_a_noecho_parameter_default_is_still_a_literal(write_tree):
    root = write_tree({"template.yaml": '''AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Password:
    Type: String
    NoEcho: true
    Default: correct-horse-battery
Resources:
  Db:
    Type: AWS::RDS::DBCluster
    Properties:
      MasterUserPassword: !Ref Password
'''})
    assert hits(root, SECRET) == {("Db", "template.yaml", 11)}


def test_generated_referenced_and_dynamically_resolved_values_are_not_literals(write_tree):
    root = write_tree({
        "tf/main.tf": '''
resource "random_password" "db" {
  length = 32
}
data "aws_secretsmanager_secret_version" "api" {
  secret_id = "api"
}
resource "aws_db_instance" "generated" {
  password = random_password.db.result
}
resource "aws_elasticache_replication_group" "read" {
  auth_token = data.aws_secretsmanager_secret_version.api.secret_string
}
resource "aws_db_instance" "managed" {
  manage_master_user_password = true
  password_wo_version         = 1
}
''',
        "cfn/template.yaml": '''AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Secret:
    Type: AWS::SecretsManager::Secret
    Properties:
      GenerateSecretString:
        SecretStringTemplate: '{"username": "admin"}'
        GenerateStringKey: password
        PasswordLength: 32
  Resolved:
    Type: AWS::RDS::DBInstance
    Properties:
      MasterUserPassword: !Sub "{{resolve:secretsmanager:${Secret}:SecretString:password}}"
  ResolvedLiteral:
    Type: AWS::RDS::DBInstance
    Properties:
      MasterUserPassword: "{{resolve:secretsmanager:prod/db:SecretString:password}}"
  SsmSecure:
    Type: AWS::ElastiCache::ReplicationGroup
    Properties:
      ReplicationGroupDescription: cache
      AuthToken: "{{resolve:ssm-secure:/cache/token:1}}"
  Managed:
    Type: AWS::RDS::DBInstance
    Properties:
      ManageMasterUserPassword: "true"
''',
    })
    assert hits(root, SECRET) == set()


# --- which attributes are credentials ------------------------------------------------------------


@pytest.mark.parametrize("name", [
    "password", "master_password", "MasterUserPassword", "auth_token", "AuthToken", "secret_key", "access_key",
    "SecretAccessKey", "AWS_SECRET_ACCESS_KEY", "private_key", "api_key", "ApiKey", "APIKey", "apikey",
    "client_secret", "secret", "token", "OAuthToken", "secret_string", "SecretString", "DB_PASSWORD",
    "dbPassword", "passphrase", "basic_auth_credentials", "password_wo", "secret_string_wo",
])
def test_credential_names(name):
    assert is_credential_name(name)


@pytest.mark.parametrize("name", [
    "password_length", "PasswordLength", "secret_arn", "SecretArn", "kms_key_id", "KmsKeyId", "db_secret_name",
    "SecretStringTemplate", "GenerateStringKey", "manage_master_user_password_rotation", "public_key", "key",
    "key_name", "password_wo_version", "AWS_ACCESS_KEY_ID", "creation_token", "ClientToken",
    "ClientRequestToken", "TokenValidityUnits", "secret_id", "username", "password_reset_required",
])
def test_names_that_describe_a_secret_are_not_credentials(name):
    assert not is_credential_name(name)


def test_metadata_names_booleans_arns_and_tags_are_not_reported(write_tree):
    root = write_tree({
        "tf/main.tf": '''
resource "aws_secretsmanager_secret_rotation" "r" {
  secret_id = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf"
}
resource "aws_efs_file_system" "fs" {
  creation_token = "shared-files"
  tags = {
    Secret   = "confidential-data"
    Password = "rotated-quarterly"
  }
}
resource "aws_iam_account_password_policy" "p" {
  minimum_password_length = 14
}
resource "aws_cognito_user_pool_client" "c" {
  generate_secret = true
}
''',
        "cfn/template.yaml": '''AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Fs:
    Type: AWS::EFS::FileSystem
    Properties:
      FileSystemTags:
        - Key: Secret
          Value: confidential-data
  Client:
    Type: AWS::Cognito::UserPoolClient
    Properties:
      UserPoolId: pool
      GenerateSecret: "true"
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      MasterUserSecret:
        SecretArn: arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf
      Tags:
        - Key: password
          Value: in-secrets-manager
''',
    })
    assert hits(root, SECRET) == set()


# --- every resource type, nested attributes, map keys and name/value pairs -----------------------


def test_secrets_in_unmodelled_types_nested_blocks_and_environment_maps(write_tree):
    root = write_tree({
        "tf/main.tf": '''
resource "aws_mq_broker" "mq" {
  broker_name = "mq"
  user {
    username = "admin"
    password = "correct-horse-battery"
  }
}
resource "aws_lambda_function" "fn" {
  function_name = "fn"
  environment {
    variables = {
      STRIPE_API_KEY = "sk_live_0123456789abcdef"
      LOG_LEVEL      = "info"
    }
  }
}
resource "aws_ssm_parameter" "p" {
  name  = "/app/signing"
  type  = "SecureString"
  value = "0123456789abcdef0123"
}
resource "aws_directory_service_directory" "ad" {
  name     = "corp.example.com"
  password = 73195502
}
''',
        "cfn/template.yaml": '''AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Mq:
    Type: AWS::AmazonMQ::Broker
    Properties:
      Users:
        - Username: admin
          Password: correct-horse-battery
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Environment:
        Variables:
          STRIPE_API_KEY: sk_live_0123456789abcdef
          LOG_LEVEL: info
''',
    })
    assert hits(root, SECRET) == {
        ("aws_mq_broker.mq", "tf/main.tf", 6),
        ("aws_lambda_function.fn", "tf/main.tf", 12),  # the map's line: HCL keeps no line per key
        ("aws_ssm_parameter.p", "tf/main.tf", 21),
        ("aws_directory_service_directory.ad", "tf/main.tf", 25),
        ("Mq", "cfn/template.yaml", 8),
        ("Fn", "cfn/template.yaml", 14),
    }


def test_container_environment_name_value_pairs(write_tree):
    root = write_tree({
        "tf/main.tf": '''
resource "aws_ecs_task_definition" "app" {
  family = "app"
  container_definitions = jsonencode([{
    name  = "app"
    image = "app:1"
    environment = [
      { name = "DB_HOST", value = "db.internal" },
      { name = "DB_PASSWORD", value = "correct-horse-battery" },
    ]
  }])
}
resource "aws_codebuild_project" "build" {
  name = "build"
  environment {
    environment_variable {
      name  = "NPM_TOKEN"
      value = "/ci/npm-token"
      type  = "PARAMETER_STORE"
    }
    environment_variable {
      name  = "SONAR_TOKEN"
      value = "squ_0123456789abcdef"
    }
  }
}
''',
        "cfn/template.yaml": '''AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Task:
    Type: AWS::ECS::TaskDefinition
    Properties:
      ContainerDefinitions:
        - Name: app
          Image: app:1
          Environment:
            - Name: DB_HOST
              Value: db.internal
            - Name: DB_PASSWORD
              Value: correct-horse-battery
  Env:
    Type: AWS::ElasticBeanstalk::Environment
    Properties:
      ApplicationName: app
      OptionSettings:
        - Namespace: aws:elasticbeanstalk:application:environment
          OptionName: API_TOKEN
          Value: tok_0123456789abcdef
''',
    })
    assert hits(root, SECRET) == {
        ("aws_ecs_task_definition.app", "tf/main.tf", 4),
        ("aws_codebuild_project.build", "tf/main.tf", 23),
        ("Task", "cfn/template.yaml", 13),
        ("Env", "cfn/template.yaml", 21),
    }


def test_provider_credentials(write_tree):
    root = write_tree({"main.tf": '''
provider "aws" {
  region     = "eu-west-1"
  access_key = "AKIAIOSFODNN7EXAMPLE"
  secret_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
}
provider "aws" {
  alias   = "dr"
  region  = "eu-central-1"
  profile = "dr"
}
variable "token" {}
provider "aws" {
  alias = "ci"
  token = var.token
}
provider "aws" {
  alias      = "legacy"
  secret_key = "AnotherSecretKeyValue0123456789"
}
'''})
    assert hits(root, SECRET) == {("provider.aws", "main.tf", 4), ("provider.aws", "main.tf", 5),
                          ("provider.aws.legacy", "main.tf", 19)}


def test_secret_passed_into_a_module_is_reported_where_the_module_uses_it(write_tree):
    # The caller's argument line is not kept on evaluated values: the attribute using it is named.
    root = write_tree({
        "main.tf": 'module "db" {\n  source   = "./db"\n  password = "correct-horse-battery"\n}\n',
        "db/main.tf": ('variable "password" {}\n'
                       'resource "aws_rds_cluster" "this" {\n  master_password = var.password\n}\n'),
    })
    assert hits(root, SECRET) == {("module.db.aws_rds_cluster.this", "db/main.tf", 3)}


# --- data sources, unmodelled types and placeholders ---------------------------------------------


def test_data_source_arguments_are_scanned_and_only_reported_when_they_hold_a_secret(write_tree):
    root = write_tree({
        "main.tf": '''
data "terraform_remote_state" "network" {
  backend = "s3"
  config = {
    bucket     = "state"
    key        = "network.tfstate"
    access_key = "AKIAIOSFODNN7EXAMPLE"
    secret_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
  }
}
variable "secret_key" {}
data "terraform_remote_state" "from_variable" {
  backend = "s3"
  config = {
    secret_key = var.secret_key
  }
}
data "aws_ami" "ubuntu" {
  most_recent = true
  owners      = ["099720109477"]
}
''',
    })
    assert hits(root, SECRET) == {("data.terraform_remote_state.network", "main.tf", 4)}
    [first, second] = sorted(messages(root, SECRET))
    assert "config.access_key (AKIA****)" in first and "config.secret_key (wJal****)" in second
    # A data source is read, not deployed: it stays out of the threat model.
    from iac_assist.analysis.engine import scan
    from iac_assist.threatmodel.build import build

    assert [c.name for c in build(scan([root])).components] == []


def test_unmodelled_types_credentials_and_their_placeholders(write_tree):
    root = write_tree({"template.yaml": '''AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Skill:
    Type: Alexa::ASK::Skill
    Properties:
      AuthenticationConfiguration:
        ClientId: amzn1.application-oa2-client.0123456789
        ClientSecret: 0123456789abcdef0123456789abcdef
        RefreshToken: Atzr|IwEBIExampleRefreshToken0123456789
      VendorId: M123456789
  Documented:
    Type: Alexa::ASK::Skill
    Properties:
      AuthenticationConfiguration:
        ClientId: String
        ClientSecret: String
        RefreshToken: String
      VendorId: String
  Custom:
    Type: Custom::Thing
    Properties:
      ServiceToken: arn:aws:lambda:eu-west-1:123456789012:function:fn
      Password: "${AWS::StackName}"
'''})
    assert hits(root, SECRET) == {("Skill", "template.yaml", 8), ("Skill", "template.yaml", 9)}


@pytest.mark.parametrize("value", [
    "String", "changeme", "ChangeMe123!", "var.db_password", "${var.db_password}", "${AWS::StackName}",
    "{{resolve:secretsmanager:db}}", "<PASSWORD>", "[PASSWORD]", "%DB_PASSWORD%", "$DB_PASSWORD", "xxx", "********",
    "", "password", "YOUR_API_KEY", "your-password-here", "{{ db_password }}", "TODO",
])
def test_placeholders_are_not_secrets(write_tree, value):
    escaped = value.replace("${", "$${").replace("%{", "%%{")  # the text itself, not a template
    root = write_tree({
        "tf/main.tf": f'resource "aws_db_instance" "db" {{\n  password = "{escaped}"\n}}\n',
        "cfn/template.yaml": ('AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  Db:\n'
                              '    Type: AWS::RDS::DBInstance\n    Properties:\n'
                              f'      MasterUserPassword: "{value}"\n'),
    })
    assert hits(root, SECRET) == set()


@pytest.mark.parametrize("value", ["hunter2real", "correct-horse-battery", "MyPassword", "db-password",
                                   "SuperSecretKey", "Password123", "AKIAIOSFODNN7EXAMPLE"])
def test_weak_but_real_values_are_secrets(write_tree, value):
    root = write_tree({"main.tf": f'resource "aws_db_instance" "db" {{\n  password = "{value}"\n}}\n'})
    assert hits(root, SECRET) == {("aws_db_instance.db", "main.tf", 2)}


@pytest.mark.parametrize("name", ["ServiceToken", "key", "key_name", "s3_key", "kms_key_id", "KmsKeyId",
                                  "public_key", "ssh_key_name", "key_pair"])
def test_names_holding_identifiers_are_not_credentials(name):
    assert not is_credential_name(name)


@pytest.mark.parametrize("name", ["api_key", "access_key", "secret_key", "private_key", "client_secret",
                                  "auth_token", "password", "master_password", "db_password", "ClientSecret",
                                  "RefreshToken"])
def test_names_holding_secrets_are_credentials(name):
    assert is_credential_name(name)


# --- never in clear ------------------------------------------------------------------------------


def test_mask_shows_a_few_characters_at_most():
    assert mask("abc") == "****"
    assert mask("hunter2!") == "hu****"
    assert mask("correct-horse") == "cor****"
    assert mask("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY") == "wJal****"


@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
def test_the_secret_never_appears_in_a_report(write_tree, fmt):
    from iac_assist.cli import cli

    secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    root = write_tree({
        "tf/main.tf": f'provider "aws" {{\n  secret_key = "{secret}"\n}}\n',
        "cfn/template.yaml": ('AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  Db:\n'
                              f'    Type: AWS::RDS::DBInstance\n    Properties:\n      MasterUserPassword: {secret}\n'),
    })
    out = CliRunner().invoke(cli, ["scan", str(root), "--format", fmt])
    assert out.exit_code == 1, out.output
    assert secret not in out.output and secret[:5] not in out.output
    assert out.output.count("wJal****") >= 2  # both findings, masked
