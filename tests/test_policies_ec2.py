"""EC2 controls (IMDS, public addresses, EBS encryption, secrets in user data), each in Terraform
and CloudFormation."""

from __future__ import annotations

import base64
import gzip

import pytest

from iac_assist.policies.ec2 import find_secrets, mask
from tests.policy_examples import hits, messages

CFN = 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n'

# --- IMDS ----------------------------------------------------------------------------------------


def test_instance_follows_its_launch_template(write_tree):
    """The template decides what the instance leaves unset; the instance is not reported twice."""
    root = write_tree({
        "main.tf": '''resource "aws_launch_template" "lt" {
  name = "lt"
  metadata_options {
    http_tokens = "optional"
  }
}
resource "aws_instance" "from_template" {
  launch_template {
    id = aws_launch_template.lt.id
  }
}
resource "aws_instance" "overrides" {
  launch_template {
    name = "lt"
  }
  metadata_options {
    http_tokens = "required"
  }
}
resource "aws_instance" "external_template" {
  launch_template {
    id = "lt-0123456789abcdef0"
  }
}
''',
        "template.yaml": CFN + '''  Lt:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateName: lt
      LaunchTemplateData:
        MetadataOptions: {HttpTokens: optional}
  FromTemplate:
    Type: AWS::EC2::Instance
    Properties:
      LaunchTemplate: {LaunchTemplateId: !Ref Lt, Version: "1"}
  Overrides:
    Type: AWS::EC2::Instance
    Properties:
      LaunchTemplate: {LaunchTemplateName: lt, Version: "1"}
      MetadataOptions: {HttpTokens: required}
  ExternalTemplate:
    Type: AWS::EC2::Instance
    Properties:
      LaunchTemplate: {LaunchTemplateId: lt-0123456789abcdef0, Version: "1"}
''',
    })
    assert hits(root, "ec2-imdsv1-enabled") == {("aws_launch_template.lt", "main.tf", 4),
                                                ("Lt", "template.yaml", 8)}


@pytest.mark.parametrize(("tf_options", "cfn_options", "reported"), [
    pytest.param('http_endpoint = "disabled"', "{HttpEndpoint: disabled}", False, id="endpoint-disabled"),
    pytest.param("http_tokens = var.tokens", "{HttpTokens: !Ref Tokens}", False, id="unknown-tokens"),
    pytest.param('http_endpoint = "enabled"', "{HttpEndpoint: enabled}", True, id="tokens-unset"),
    pytest.param('http_tokens = "optional"\n    http_endpoint = var.endpoint',
                 "{HttpTokens: optional, HttpEndpoint: !Ref Endpoint}", False, id="unknown-endpoint"),
])
def test_launch_configuration_metadata_options(write_tree, tf_options, cfn_options, reported):
    root = write_tree({
        "tf/main.tf": f'''variable "tokens" {{ type = string }}
variable "endpoint" {{ type = string }}
resource "aws_launch_configuration" "lc" {{
  image_id      = "ami-1"
  instance_type = "t3.micro"
  metadata_options {{
    {tf_options}
  }}
}}
''',
        "cfn/template.yaml": f'''AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Tokens: {{Type: String}}
  Endpoint: {{Type: String}}
Resources:
  Lc:
    Type: AWS::AutoScaling::LaunchConfiguration
    Properties:
      ImageId: ami-1
      InstanceType: t3.micro
      MetadataOptions: {cfn_options}
''',
    })
    expected = {("aws_launch_configuration.lc", "tf/main.tf", 7), ("Lc", "cfn/template.yaml", 11)}
    assert hits(root, "ec2-imdsv1-enabled") == (expected if reported else set())


def test_account_wide_imds_default_covers_unset_instances_only(write_tree):
    root = write_tree({"main.tf": '''resource "aws_ec2_instance_metadata_defaults" "imds" {
  http_tokens = "required"
}
resource "aws_instance" "unset" {
  ami = "ami-1"
}
resource "aws_instance" "optional" {
  ami = "ami-1"
  metadata_options {
    http_tokens = "optional"
  }
}
'''})
    assert hits(root, "ec2-imdsv1-enabled") == {("aws_instance.optional", "main.tf", 10)}


# --- public addresses ----------------------------------------------------------------------------

TF_SUBNETS = '''resource "aws_subnet" "public" {
  vpc_id                  = "vpc-1"
  cidr_block              = "10.0.0.0/24"
  map_public_ip_on_launch = true
}
resource "aws_subnet" "private" {
  vpc_id     = "vpc-1"
  cidr_block = "10.0.1.0/24"
}
'''
CFN_SUBNETS = CFN + '''  Public:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: vpc-1, CidrBlock: 10.0.0.0/24, MapPublicIpOnLaunch: true}
  Private:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: vpc-1, CidrBlock: 10.0.1.0/24}
'''


def test_instance_in_an_auto_assigning_subnet_unless_it_opts_out(write_tree):
    root = write_tree({
        "tf/main.tf": TF_SUBNETS + '''resource "aws_instance" "in_public" {
  ami       = "ami-1"
  subnet_id = aws_subnet.public.id
}
resource "aws_instance" "opts_out" {
  ami                         = "ami-1"
  subnet_id                   = aws_subnet.public.id
  associate_public_ip_address = false
}
resource "aws_instance" "in_private" {
  ami       = "ami-1"
  subnet_id = aws_subnet.private.id
}
resource "aws_instance" "external_subnet" {
  ami       = "ami-1"
  subnet_id = "subnet-0123"
}
''',
        "cfn/template.yaml": CFN_SUBNETS + '''  InPublic:
    Type: AWS::EC2::Instance
    Properties: {ImageId: ami-1, SubnetId: !Ref Public}
  OptsOut:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: ami-1
      NetworkInterfaces:
        - {DeviceIndex: "0", SubnetId: !Ref Public, AssociatePublicIpAddress: false}
  InPrivate:
    Type: AWS::EC2::Instance
    Properties: {ImageId: ami-1, SubnetId: !Ref Private}
''',
    })
    assert hits(root, "ec2-public-ip") == {("aws_instance.in_public", "tf/main.tf", 12),
                                           ("InPublic", "cfn/template.yaml", 11)}


def test_default_subnet_unknown_flag_and_no_subnet(write_tree):
    """A default subnet maps public IPs unless it says otherwise; an instance without a subnet
    lands in the default VPC the configuration does not show; an unknown flag is not definite."""
    root = write_tree({
        "tf/main.tf": '''variable "public" { type = bool }
resource "aws_default_subnet" "a" {
  availability_zone = "eu-west-1a"
}
resource "aws_instance" "in_default_subnet" {
  ami       = "ami-1"
  subnet_id = aws_default_subnet.a.id
}
resource "aws_instance" "no_subnet" {
  ami = "ami-1"
}
resource "aws_instance" "unknown" {
  ami                         = "ami-1"
  associate_public_ip_address = var.public
}
''',
        "cfn/template.yaml": '''AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Public: {Type: String}
Resources:
  NoSubnet:
    Type: AWS::EC2::Instance
    Properties: {ImageId: ami-1}
  Unknown:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: ami-1
      NetworkInterfaces:
        - {DeviceIndex: "0", SubnetId: subnet-1, AssociatePublicIpAddress: !Ref Public}
''',
    })
    assert hits(root, "ec2-public-ip") == {("aws_instance.in_default_subnet", "tf/main.tf", 7)}


def test_elastic_ip_association_is_a_public_address(write_tree):
    root = write_tree({
        "main.tf": '''resource "aws_instance" "a" {
  ami = "ami-1"
}
resource "aws_instance" "b" {
  ami = "ami-1"
}
resource "aws_eip" "a" {
  domain   = "vpc"
  instance = aws_instance.a.id
}
resource "aws_eip" "b" {
  domain = "vpc"
}
resource "aws_eip_association" "b" {
  instance_id   = aws_instance.b.id
  allocation_id = aws_eip.b.id
}
''',
        "template.yaml": CFN + '''  A:
    Type: AWS::EC2::Instance
    Properties: {ImageId: ami-1}
  Eip:
    Type: AWS::EC2::EIP
    Properties:
      Domain: vpc
      InstanceId: !Ref A
''',
    })
    assert hits(root, "ec2-public-ip") == {("aws_instance.a", "main.tf", 9), ("aws_instance.b", "main.tf", 15),
                                           ("A", "template.yaml", 10)}


def test_autoscaling_group_in_auto_assigning_subnets(write_tree):
    root = write_tree({
        "tf/main.tf": TF_SUBNETS + '''resource "aws_launch_template" "unset" {
  name = "unset"
}
resource "aws_launch_template" "private" {
  name = "private"
  network_interfaces {
    associate_public_ip_address = false
  }
}
resource "aws_autoscaling_group" "public" {
  max_size            = 2
  min_size            = 1
  vpc_zone_identifier = [aws_subnet.public.id, aws_subnet.private.id]
  launch_template {
    id = aws_launch_template.unset.id
  }
}
resource "aws_autoscaling_group" "opted_out" {
  max_size            = 2
  min_size            = 1
  vpc_zone_identifier = [aws_subnet.public.id]
  launch_template {
    id = aws_launch_template.private.id
  }
}
''',
        "cfn/template.yaml": CFN_SUBNETS + '''  Unset:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateData: {ImageId: ami-1}
  Asg:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties:
      MaxSize: "2"
      MinSize: "1"
      VPCZoneIdentifier: [!Ref Public, !Ref Private]
      LaunchTemplate: {LaunchTemplateId: !Ref Unset, Version: "1"}
''',
    })
    assert hits(root, "ec2-public-ip") == {("aws_autoscaling_group.public", "tf/main.tf", 22),
                                           ("Asg", "cfn/template.yaml", 18)}


# --- EBS encryption ------------------------------------------------------------------------------


def test_implicit_root_volume_counts_as_unencrypted(write_tree):
    root = write_tree({
        "tf/main.tf": '''resource "aws_instance" "implicit" {
  ami = "ami-1"
}
resource "aws_launch_template" "data_only" {
  name = "data-only"
  block_device_mappings {
    device_name = "/dev/sdf"
    ebs {
      encrypted = "true"
    }
  }
}
resource "aws_launch_template" "root" {
  name = "root"
  block_device_mappings {
    device_name = "/dev/xvda"
    ebs {
      encrypted = "true"
    }
  }
}
resource "aws_instance" "from_template" {
  launch_template {
    id = aws_launch_template.root.id
  }
}
''',
        "cfn/template.yaml": CFN + '''  Implicit:
    Type: AWS::EC2::Instance
    Properties: {ImageId: ami-1}
  DataOnly:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateData:
        BlockDeviceMappings:
          - {DeviceName: /dev/sdf, Ebs: {Encrypted: true}}
  Root:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateData:
        BlockDeviceMappings:
          - {DeviceName: /dev/sda1, Ebs: {Encrypted: true}}
  FromTemplate:
    Type: AWS::EC2::Instance
    Properties:
      LaunchTemplate: {LaunchTemplateId: !Ref Root, Version: "1"}
''',
    })
    assert hits(root, "ebs-unencrypted") == {
        ("aws_instance.implicit", "tf/main.tf", 1), ("aws_launch_template.data_only", "tf/main.tf", 4),
        ("Implicit", "cfn/template.yaml", 3), ("DataOnly", "cfn/template.yaml", 6),
    }


def test_default_encryption_covers_new_volumes_and_its_absence_is_reported(write_tree):
    volumes = '''resource "aws_instance" "implicit" {
  ami = "ami-1"
}
resource "aws_ebs_volume" "says_false" {
  availability_zone = "eu-west-1a"
  size              = 10
  encrypted         = false
}
'''
    on = write_tree({"on/main.tf": volumes + 'resource "aws_ebs_encryption_by_default" "on" {}\n'})
    assert hits(on / "on", "ebs-unencrypted") == set()
    off = write_tree({"off/main.tf": volumes + 'resource "aws_ebs_encryption_by_default" "off" {\n'
                                               '  enabled = false\n}\n'})
    assert hits(off / "off", "ebs-unencrypted") == {
        ("aws_instance.implicit", "main.tf", 1), ("aws_ebs_volume.says_false", "main.tf", 7),
        ("aws_ebs_encryption_by_default.off", "main.tf", 10)}


def test_snapshots_follow_their_volumes(write_tree):
    root = write_tree({"main.tf": '''resource "aws_ebs_volume" "plain" {
  availability_zone = "eu-west-1a"
  size              = 10
  encrypted         = false
}
resource "aws_ebs_snapshot" "plain" {
  volume_id = aws_ebs_volume.plain.id
}
resource "aws_ebs_volume" "restored" {
  availability_zone = "eu-west-1a"
  snapshot_id       = aws_ebs_snapshot.plain.id
}
resource "aws_ebs_volume" "restored_encrypted" {
  availability_zone = "eu-west-1a"
  snapshot_id       = aws_ebs_snapshot.plain.id
  encrypted         = true
}
resource "aws_ebs_volume" "from_shared_snapshot" {
  availability_zone = "eu-west-1a"
  snapshot_id       = "snap-0123456789abcdef0"
}
resource "aws_ebs_snapshot_copy" "copy" {
  source_snapshot_id = aws_ebs_snapshot.plain.id
  source_region      = "eu-west-1"
}
resource "aws_ebs_snapshot_copy" "encrypted_copy" {
  source_snapshot_id = aws_ebs_snapshot.plain.id
  source_region      = "eu-west-1"
  encrypted          = true
}
'''})
    assert hits(root, "ebs-unencrypted") == {
        ("aws_ebs_volume.plain", "main.tf", 4), ("aws_ebs_snapshot.plain", "main.tf", 7),
        ("aws_ebs_volume.restored", "main.tf", 11), ("aws_ebs_snapshot_copy.copy", "main.tf", 23)}


def test_unknown_encryption_is_not_reported(write_tree):
    root = write_tree({
        "tf/main.tf": '''variable "encrypt" { type = bool }
resource "aws_ebs_volume" "v" {
  availability_zone = "eu-west-1a"
  size              = 10
  encrypted         = var.encrypt
}
resource "aws_instance" "i" {
  ami = "ami-1"
  root_block_device {
    encrypted = var.encrypt
  }
}
''',
        "cfn/template.yaml": '''AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Encrypt: {Type: String}
Resources:
  V:
    Type: AWS::EC2::Volume
    Properties: {AvailabilityZone: eu-west-1a, Size: 10, Encrypted: !Ref Encrypt}
  I:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: ami-1
      BlockDeviceMappings:
        - {DeviceName: /dev/xvda, Ebs: {Encrypted: !Ref Encrypt}}
''',
    })
    assert hits(root, "ebs-unencrypted") == set()


# --- secrets in user data ------------------------------------------------------------------------

SCRIPT = """#!/bin/bash
export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
echo 'admin:Sup3rS3cret' | chpasswd
"""


@pytest.mark.parametrize("variant", ["plain", "base64", "gzip"])
def test_user_data_is_decoded_and_secrets_are_masked(write_tree, variant):
    if variant == "plain":
        tf_value, cfn_value = f"<<-EOT\n{SCRIPT}EOT", "!Base64 |\n        " + SCRIPT.replace("\n", "\n        ")
        tf_attr = "user_data"
    elif variant == "base64":
        tf_value = 'base64encode("' + SCRIPT.replace("\n", "\\n") + '")'
        cfn_value = base64.b64encode(SCRIPT.encode()).decode()
        tf_attr = "user_data_base64"
    else:
        encoded = base64.b64encode(gzip.compress(SCRIPT.encode())).decode()
        tf_value, cfn_value, tf_attr = f'"{encoded}"', encoded, "user_data_base64"
    root = write_tree({
        "tf/main.tf": f'resource "aws_instance" "i" {{\n  ami = "ami-1"\n  {tf_attr} = {tf_value}\n}}\n',
        "cfn/template.yaml": CFN + f"  I:\n    Type: AWS::EC2::Instance\n    Properties:\n      ImageId: ami-1\n"
                                   f"      UserData: {cfn_value}\n",
    })
    assert hits(root, "secret-in-user-data") == {("aws_instance.i", "tf/main.tf", 3), ("I", "cfn/template.yaml", 7)}
    found = messages(root, "secret-in-user-data")
    assert len(found) == 4  # the secret key assignment and the chpasswd line, in both formats
    text = " ".join(found)
    assert "wJalrXUtnFEMI" not in text and "Sup3rS3cret" not in text
    assert "wJal****" in text and "Su****" in text


def test_launch_templates_and_configurations_user_data(write_tree):
    script = "#cloud-config\\nusers:\\n  - name: ops\\n    plain_text_passwd: 'Tr0ub4dor&3'\\n"
    root = write_tree({
        "tf/main.tf": f'''resource "aws_launch_template" "lt" {{
  name      = "lt"
  user_data = base64encode("{script}")
}}
resource "aws_launch_configuration" "lc" {{
  image_id      = "ami-1"
  instance_type = "t3.micro"
  user_data     = "-----BEGIN OPENSSH PRIVATE KEY-----\\nb3BlbnNzaC1rZXktdjEAAAA\\n-----END OPENSSH PRIVATE KEY-----\\n"
}}
''',
        "cfn/template.yaml": CFN + '''  Lt:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateData:
        UserData: !Base64 |
          #cloud-config
          users:
            - name: ops
              plain_text_passwd: 'Tr0ub4dor&3'
''',
    })
    assert hits(root, "secret-in-user-data") == {("aws_launch_template.lt", "tf/main.tf", 3),
                                                 ("aws_launch_configuration.lc", "tf/main.tf", 8),
                                                 ("Lt", "cfn/template.yaml", 7)}


def test_unknown_user_data_is_skipped_without_error(write_tree):
    root = write_tree({
        "tf/main.tf": '''variable "db_password" {
  type      = string
  sensitive = true
}
resource "aws_instance" "i" {
  ami       = "ami-1"
  user_data = "#!/bin/bash\\nexport DB_PASSWORD='${var.db_password}'\\n"
}
''',
        "cfn/template.yaml": CFN + '''  I:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: ami-1
      UserData: !Base64
        Fn::Sub: |
          #!/bin/bash
          echo ${AWS::Region}
          export DB_PASSWORD=${Password}
''',
    })
    assert hits(root, "secret-in-user-data") == set()


NOT_SECRETS = """#!/bin/bash
TOKEN=$(curl -s -X PUT http://169.254.169.254/latest/api/token -H "X-aws-ec2-metadata-token-ttl-seconds: 60")
DB_PASSWORD="$(aws ssm get-parameter --name /app/db --with-decryption --query Parameter.Value --output text)"
export API_KEY=${API_KEY}
sed -i 's/^PasswordAuthentication .*/PasswordAuthentication no/' /etc/ssh/sshd_config
echo "password_length=32" >> /etc/app.conf
SECRET_ARN=arn:aws:secretsmanager:eu-west-1:123456789012:secret:db
ADMIN_PASSWORD={{resolve:secretsmanager:db:SecretString:password}}
lock_passwd: false
password: xxxxxxxx
"""


def test_references_and_configuration_words_are_not_secrets():
    assert list(find_secrets(NOT_SECRETS)) == []


def test_what_counts_as_a_secret():
    text = """#!/bin/bash
mysql -e "CREATE USER 'app'@'%' IDENTIFIED BY 'hunter2hunter2'"
git clone https://deploy:glpat-abcdefghijklmnop@gitlab.example.com/app.git
/opt/app/setup --db-password=Correct-Horse-9
{"clientSecret": "s3cr3t-v4lue"}
-----BEGIN RSA PRIVATE KEY-----
key=ASIAIOSFODNN7EXAMPLE
"""
    found = list(find_secrets(text))
    assert sorted((s.kind, s.line) for s in found) == [
        ("a SQL password", 2), ("a clientSecret assignment", 5), ("a db-password assignment", 4),
        ("a password in a URL", 3), ("a private key", 6), ("an AWS access key id", 7)]
    shown = " ".join(s.shown for s in found)
    for secret in ("hunter2hunter2", "glpat-abcdefghijklmnop", "Correct-Horse-9", "s3cr3t-v4lue",
                   "IOSFODNN7EXAMPLE"):
        assert secret not in shown


def test_mask_never_shows_more_than_a_quarter():
    assert mask("AKIAIOSFODNN7EXAMPLE") == "AKIA****"
    assert mask("hunter22") == "hu****"
    assert mask("abcd") == "a****"


# --- the model the threat model builds on ---------------------------------------------------------


def test_autoscaling_group_facts_in_both_formats(write_tree):
    from iac_assist.analysis.engine import build_graph

    root = write_tree({
        "tf/main.tf": '''resource "aws_lb_target_group" "web" {
  name = "web"
}
resource "aws_launch_template" "web" {
  name = "web"
}
resource "aws_autoscaling_group" "web" {
  max_size            = 2
  min_size            = 1
  vpc_zone_identifier = ["subnet-1"]
  mixed_instances_policy {
    launch_template {
      launch_template_specification {
        launch_template_name = "web"
      }
    }
  }
}
resource "aws_autoscaling_attachment" "web" {
  autoscaling_group_name = aws_autoscaling_group.web.id
  lb_target_group_arn    = aws_lb_target_group.web.arn
}
''',
        "cfn/template.yaml": CFN + '''  Tg:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties: {Port: 80, Protocol: HTTP, VpcId: vpc-1}
  Lt:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateData: {ImageId: ami-1}
  Asg:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties:
      MaxSize: "2"
      MinSize: "1"
      VPCZoneIdentifier: [subnet-1]
      TargetGroupARNs: [!Ref Tg]
      LaunchTemplate: {LaunchTemplateId: !Ref Lt, Version: "1"}
''',
    })
    graph, _ = build_graph([root])
    found = set()
    for group in graph.of_kind("ec2.autoscaling_group"):
        template = graph.resolve(group, group.get("launch_template"), "ec2.launch_template")
        targets = tuple(t.address for t in graph.resolve_all(group, group.get("target_groups")))
        found.add((template.address, targets, tuple(group.get("subnets"))))
    assert found == {("aws_launch_template.web", ("aws_lb_target_group.web",), ("subnet-1",)),
                     ("Lt", ("Tg",), ("subnet-1",))}


def test_user_data_secrets_behind_escaped_quotes_and_placeholders(write_tree):
    """User data that writes JSON or YAML inside a heredoc or block scalar keeps its quotes escaped
    (\\"...\\"): the value is still read; a placeholder (changeme, <PASSWORD>) is not a secret."""
    root = write_tree({
        "tf/main.tf": '''resource "aws_instance" "json" {
  ami       = "ami-1"
  user_data = <<-EOT
    #!/bin/bash
    echo "{\\"password\\": \\"s3cr3tvalue\\"}" > /etc/app.json
  EOT
}
resource "aws_instance" "placeholder" {
  ami       = "ami-1"
  user_data = "#!/bin/bash\\nexport DB_PASSWORD=\\"changeme\\"\\n"
}
''',
        "cfn/template.yaml": '''AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Yaml:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: ami-1
      UserData:
        Fn::Base64: |
          #!/bin/bash
          cat > /etc/app.yaml <<EOF
          password: \\"s3cr3tvalue\\"
          EOF
  Placeholder:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: ami-1
      UserData: !Base64 "export DB_PASSWORD=\\"<PASSWORD>\\"\\n"
''',
    })
    assert hits(root, "secret-in-user-data") == {("aws_instance.json", "tf/main.tf", 3),
                                                 ("Yaml", "cfn/template.yaml", 7)}
