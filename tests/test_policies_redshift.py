"""Redshift: publicly accessible clusters and Serverless workgroups, the defaults that differ
between Terraform and CloudFormation, unknown values, plan JSON, and the attack graph (a public
warehouse in a public subnet admitted by its security group is a data store reached from the
internet)."""

from __future__ import annotations

from pathlib import Path

from iac_assist.analysis.engine import scan
from iac_assist.threatmodel.build import build
from tests.policy_examples import cfn, found, line, tf
from tests.test_terraform_plan import plan_text

CONTROL = "redshift-publicly-accessible"

CLUSTERS_TF = tf('''
    variable "public" {
      type = bool
    }

    resource "aws_redshift_cluster" "unset" {
      cluster_identifier = "unset"
      node_type          = "ra3.xlplus"
    }

    resource "aws_redshift_cluster" "public" {
      cluster_identifier  = "public"
      node_type           = "ra3.xlplus"
      publicly_accessible = "true"
    }

    resource "aws_redshift_cluster" "private" {
      cluster_identifier  = "private"
      node_type           = "ra3.xlplus"
      publicly_accessible = false
    }

    resource "aws_redshift_cluster" "maybe" {
      cluster_identifier  = "maybe"
      node_type           = "ra3.xlplus"
      publicly_accessible = var.public
    }

    resource "aws_redshiftserverless_workgroup" "unset" {
      namespace_name = "ns"
      workgroup_name = "unset"
    }

    resource "aws_redshiftserverless_workgroup" "maybe" {
      namespace_name      = "ns"
      workgroup_name      = "maybe"
      publicly_accessible = var.public
    }
''')
CLUSTERS_CFN = cfn('''
    Unset:
      Type: AWS::Redshift::Cluster
      Properties:
        NodeType: ra3.xlplus
    Public:
      Type: AWS::Redshift::Cluster
      Properties:
        NodeType: ra3.xlplus
        PubliclyAccessible: "true"
    Maybe:
      Type: AWS::Redshift::Cluster
      Properties:
        NodeType: ra3.xlplus
        PubliclyAccessible: !Ref Public
    Workgroup:
      Type: AWS::RedshiftServerless::Workgroup
      Properties:
        WorkgroupName: wg
        PubliclyAccessible: !Ref Public
''', parameters='''
    Public:
      Type: String
''')


def test_true_is_reported_everywhere_unset_only_where_the_default_is_public(write_tree):
    """Terraform's aws_redshift_cluster defaulted to public before provider 6.0: unset is
    reported at the resource; CloudFormation and Serverless workgroups default to private;
    unknown values are never reported."""
    assert found(write_tree, CONTROL, CLUSTERS_TF, CLUSTERS_CFN) == {
        ("aws_redshift_cluster.unset", "tf/main.tf", line(CLUSTERS_TF, '"aws_redshift_cluster" "unset"')),
        ("aws_redshift_cluster.public", "tf/main.tf", line(CLUSTERS_TF, 'publicly_accessible = "true"')),
        ("Public", "cfn/template.yaml", line(CLUSTERS_CFN, 'PubliclyAccessible: "true"')),
    }


def test_plan_json_carries_the_value_the_provider_chose(tmp_path):
    resources = [
        {"address": "aws_redshift_cluster.a", "type": "aws_redshift_cluster", "name": "a",
         "values": {"cluster_identifier": "a", "publicly_accessible": True}},
        {"address": "aws_redshift_cluster.b", "type": "aws_redshift_cluster", "name": "b",
         "values": {"cluster_identifier": "b", "publicly_accessible": False}},
    ]
    (tmp_path / "plan.json").write_text(plan_text(resources))
    assert [f.resource for f in scan([tmp_path]).findings if f.control == CONTROL] == ["aws_redshift_cluster.a"]


NETWORK = '''
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_internet_gateway" "main" {
  vpc_id = aws_vpc.main.id
}

resource "aws_subnet" "public" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.1.0/24"
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.main.id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.main.id
  }
}

resource "aws_route_table_association" "public" {
  subnet_id      = aws_subnet.public.id
  route_table_id = aws_route_table.public.id
}

resource "aws_security_group" "warehouse" {
  vpc_id = aws_vpc.main.id
  ingress {
    from_port   = 5439
    to_port     = 5439
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_redshift_subnet_group" "main" {
  name       = "main"
  subnet_ids = [aws_subnet.public.id]
}

resource "aws_redshift_cluster" "analytics" {
  cluster_identifier        = "analytics"
  node_type                 = "ra3.xlplus"
  cluster_subnet_group_name = aws_redshift_subnet_group.main.name
  vpc_security_group_ids    = [aws_security_group.warehouse.id]
%s}
'''


def _model(tmp_path: Path, setting: str) -> dict:
    (tmp_path / "main.tf").write_text(NETWORK % setting)
    return build(scan([tmp_path])).to_json()


def test_a_public_warehouse_in_a_public_subnet_is_reached_from_the_internet(tmp_path):
    model = _model(tmp_path, "")
    text = (tmp_path / "main.tf").read_text()
    [path] = model["attack_paths"]
    assert path["target"] == "aws_redshift_cluster.analytics" and path["exposure"] == "authenticated"
    assert path["hops"] == ["internet", "aws_internet_gateway.main", "aws_subnet.public",
                            "aws_security_group.warehouse", "aws_redshift_cluster.analytics"]
    [step] = path["steps"]
    assert step["kind"] == "internet-exposure"
    # The last hop is the cluster itself, at the resource (the setting is left unset).
    assert (step["evidence"][-1]["file"], step["evidence"][-1]["line"]) == \
        ("main.tf", line(text, '"aws_redshift_cluster" "analytics"'))
    assert ("internet", "aws_redshift_cluster.analytics", 5439) in \
        {(f["source"], f["target"], f["port"]) for f in model["flows"]}
    states = {t["id"]: t["status"] for t in model["threats"]}
    assert states["warehouse-exposure@aws_redshift_cluster.analytics"] == "open"
    assert states["flow-direct-access@internet->aws_redshift_cluster.analytics:5439"] == "open"


def test_a_private_warehouse_has_no_path_and_its_threat_is_mitigated(tmp_path):
    model = _model(tmp_path, "  publicly_accessible       = false\n")
    assert model["attack_paths"] == []
    states = {t["id"]: t["status"] for t in model["threats"]}
    assert states["warehouse-exposure@aws_redshift_cluster.analytics"] == "mitigated"


NETWORK_CFN = cfn('''
    Vpc:
      Type: AWS::EC2::VPC
      Properties: {CidrBlock: 10.0.0.0/16}
    Gateway:
      Type: AWS::EC2::InternetGateway
    Attachment:
      Type: AWS::EC2::VPCGatewayAttachment
      Properties: {VpcId: !Ref Vpc, InternetGatewayId: !Ref Gateway}
    Public:
      Type: AWS::EC2::Subnet
      Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.1.0/24}
    Routes:
      Type: AWS::EC2::RouteTable
      Properties: {VpcId: !Ref Vpc}
    DefaultRoute:
      Type: AWS::EC2::Route
      Properties: {RouteTableId: !Ref Routes, DestinationCidrBlock: 0.0.0.0/0, GatewayId: !Ref Gateway}
    Association:
      Type: AWS::EC2::SubnetRouteTableAssociation
      Properties: {SubnetId: !Ref Public, RouteTableId: !Ref Routes}
    WarehouseGroup:
      Type: AWS::EC2::SecurityGroup
      Properties:
        GroupDescription: warehouse
        VpcId: !Ref Vpc
        SecurityGroupIngress:
          - {IpProtocol: tcp, FromPort: 5439, ToPort: 5439, CidrIp: 0.0.0.0/0}
    Subnets:
      Type: AWS::Redshift::ClusterSubnetGroup
      Properties: {Description: warehouse, SubnetIds: [!Ref Public]}
    Warehouse:
      Type: AWS::Redshift::Cluster
      Properties:
        NodeType: ra3.xlplus
        ClusterType: single-node
        ClusterSubnetGroupName: !Ref Subnets
        VpcSecurityGroupIds: [!GetAtt WarehouseGroup.GroupId]
        PubliclyAccessible: true
''')


def test_cloudformation_gives_the_same_path(tmp_path):
    (tmp_path / "template.yaml").write_text(NETWORK_CFN)
    model = build(scan([tmp_path])).to_json()
    [path] = model["attack_paths"]
    assert path["hops"] == ["internet", "Gateway", "Public", "WarehouseGroup", "Warehouse"]
    assert path["steps"][0]["evidence"][-1]["line"] == line(NETWORK_CFN, "PubliclyAccessible: true")
    # Left out, CloudFormation's default is private: no path.
    private = "".join(text for text in NETWORK_CFN.splitlines(keepends=True) if "PubliclyAccessible" not in text)
    (tmp_path / "template.yaml").write_text(private)
    assert build(scan([tmp_path])).to_json()["attack_paths"] == []
