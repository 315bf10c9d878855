"""Synthetic monorepos: many Terraform root modules and CloudFormation templates on disk.

Every cell is the reference web app (VPC, internet gateway, public and private subnets with
route tables, three security groups, an internet-facing load balancer with listener and target
group, two web servers, a PostgreSQL database in a subnet group, a bucket and a CloudFront
distribution), its resources referring to one another, so the graph has edges to derive and
the attack-path search has networks to walk. Every fifth cell puts its database in the public
subnets, open to the internet: those are the attack paths to find.

Half of the resources are Terraform, half CloudFormation. Each Terraform root module declares
one cell inline (parsing work) and calls a shared local module for a second one (evaluation
work: the module is parsed once and evaluated once per call); each template declares one cell.

    python benchmarks/synthetic.py OUT --resources 10000
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

TF_CELL = """\
resource "aws_vpc" "{p}main" {{
  cidr_block           = "10.{n}.0.0/16"
  enable_dns_hostnames = true
  tags = {{ Name = "{name}" }}
}}

resource "aws_internet_gateway" "{p}igw" {{
  vpc_id = aws_vpc.{p}main.id
}}

resource "aws_route_table" "{p}public" {{
  vpc_id = aws_vpc.{p}main.id
  route {{
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.{p}igw.id
  }}
}}

resource "aws_route_table" "{p}private" {{
  vpc_id = aws_vpc.{p}main.id
}}

resource "aws_subnet" "{p}public_a" {{
  vpc_id            = aws_vpc.{p}main.id
  cidr_block        = "10.{n}.0.0/24"
  availability_zone = "eu-west-1a"
}}

resource "aws_subnet" "{p}public_b" {{
  vpc_id            = aws_vpc.{p}main.id
  cidr_block        = "10.{n}.1.0/24"
  availability_zone = "eu-west-1b"
}}

resource "aws_subnet" "{p}private_a" {{
  vpc_id            = aws_vpc.{p}main.id
  cidr_block        = "10.{n}.10.0/24"
  availability_zone = "eu-west-1a"
}}

resource "aws_subnet" "{p}private_b" {{
  vpc_id            = aws_vpc.{p}main.id
  cidr_block        = "10.{n}.11.0/24"
  availability_zone = "eu-west-1b"
}}

resource "aws_route_table_association" "{p}public_a" {{
  subnet_id      = aws_subnet.{p}public_a.id
  route_table_id = aws_route_table.{p}public.id
}}

resource "aws_route_table_association" "{p}public_b" {{
  subnet_id      = aws_subnet.{p}public_b.id
  route_table_id = aws_route_table.{p}public.id
}}

resource "aws_route_table_association" "{p}private_a" {{
  subnet_id      = aws_subnet.{p}private_a.id
  route_table_id = aws_route_table.{p}private.id
}}

resource "aws_route_table_association" "{p}private_b" {{
  subnet_id      = aws_subnet.{p}private_b.id
  route_table_id = aws_route_table.{p}private.id
}}

resource "aws_security_group" "{p}alb" {{
  name   = "{name}-alb"
  vpc_id = aws_vpc.{p}main.id
  ingress {{
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }}
}}

resource "aws_security_group" "{p}web" {{
  name   = "{name}-web"
  vpc_id = aws_vpc.{p}main.id
  ingress {{
    from_port       = 80
    to_port         = 80
    protocol        = "tcp"
    security_groups = [aws_security_group.{p}alb.id]
  }}
}}

resource "aws_security_group" "{p}db" {{
  name   = "{name}-db"
  vpc_id = aws_vpc.{p}main.id
  ingress {{
    from_port       = 5432
    to_port         = 5432
    protocol        = "tcp"
    cidr_blocks     = {db_cidrs}
    security_groups = [aws_security_group.{p}web.id]
  }}
}}

resource "aws_lb" "{p}app" {{
  name               = "{name}"
  internal           = false
  load_balancer_type = "application"
  subnets            = [aws_subnet.{p}public_a.id, aws_subnet.{p}public_b.id]
  security_groups    = [aws_security_group.{p}alb.id]
}}

resource "aws_lb_target_group" "{p}web" {{
  port     = 80
  protocol = "HTTP"
  vpc_id   = aws_vpc.{p}main.id
}}

resource "aws_lb_listener" "{p}https" {{
  load_balancer_arn = aws_lb.{p}app.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = "arn:aws:acm:eu-west-1:123456789012:certificate/{name}"
  default_action {{
    type             = "forward"
    target_group_arn = aws_lb_target_group.{p}web.arn
  }}
}}

resource "aws_instance" "{p}web_a" {{
  ami                    = "ami-0123456789abcdef0"
  instance_type          = "t3.micro"
  subnet_id              = aws_subnet.{p}private_a.id
  vpc_security_group_ids = [aws_security_group.{p}web.id]
  metadata_options {{
    http_tokens = "required"
  }}
}}

resource "aws_instance" "{p}web_b" {{
  ami                    = "ami-0123456789abcdef0"
  instance_type          = "t3.micro"
  subnet_id              = aws_subnet.{p}private_b.id
  vpc_security_group_ids = [aws_security_group.{p}web.id]
  metadata_options {{
    http_tokens = "required"
  }}
}}

resource "aws_lb_target_group_attachment" "{p}web_a" {{
  target_group_arn = aws_lb_target_group.{p}web.arn
  target_id        = aws_instance.{p}web_a.id
}}

resource "aws_lb_target_group_attachment" "{p}web_b" {{
  target_group_arn = aws_lb_target_group.{p}web.arn
  target_id        = aws_instance.{p}web_b.id
}}

resource "aws_db_subnet_group" "{p}db" {{
  name       = "{name}-db"
  subnet_ids = {db_subnets}
}}

resource "aws_db_instance" "{p}db" {{
  identifier             = "{name}-db"
  engine                 = "postgres"
  instance_class         = "db.t3.micro"
  allocated_storage      = 20
  username               = "app"
  manage_master_user_password = true
  db_subnet_group_name   = aws_db_subnet_group.{p}db.name
  vpc_security_group_ids = [aws_security_group.{p}db.id]
  publicly_accessible    = {exposed}
  storage_encrypted      = true
  deletion_protection    = true
}}

resource "aws_s3_bucket" "{p}site" {{
  bucket = "{name}-site"
}}

resource "aws_cloudfront_distribution" "{p}cdn" {{
  enabled = true
  origin {{
    domain_name = aws_s3_bucket.{p}site.bucket_regional_domain_name
    origin_id   = "site"
  }}
  origin {{
    domain_name = aws_lb.{p}app.dns_name
    origin_id   = "app"
    custom_origin_config {{
      http_port              = 80
      https_port             = 443
      origin_protocol_policy = "https-only"
      origin_ssl_protocols   = ["TLSv1.2"]
    }}
  }}
  default_cache_behavior {{
    target_origin_id       = "site"
    viewer_protocol_policy = "redirect-to-https"
    allowed_methods        = ["GET", "HEAD"]
    cached_methods         = ["GET", "HEAD"]
    cache_policy_id        = "658327ea-f89d-4fab-a63d-7e88639e58f6"
  }}
  restrictions {{
    geo_restriction {{
      restriction_type = "none"
    }}
  }}
  viewer_certificate {{
    cloudfront_default_certificate = true
  }}
}}
"""

TF_MODULE_HEAD = """\
variable "name" {
  type = string
}

variable "n" {
  type = number
}

variable "exposed" {
  type    = bool
  default = false
}

locals {
  public     = [aws_subnet.public_a.id, aws_subnet.public_b.id]
  private    = [aws_subnet.private_a.id, aws_subnet.private_b.id]
  db_subnets = var.exposed ? local.public : local.private
}

output "db_endpoint" {
  value = aws_db_instance.db.address
}

"""

TF_ROOT_CALL = """
module "{name}" {{
  source  = "../../modules/cell"
  name    = "{name}"
  n       = {n}
  exposed = {exposed}
}}
"""

CFN_CELL = """\
AWSTemplateFormatVersion: "2010-09-09"
Description: Synthetic cell {name}
Resources:
  VPC:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.{n}.0.0/16
      EnableDnsHostnames: true
  InternetGateway:
    Type: AWS::EC2::InternetGateway
  GatewayAttachment:
    Type: AWS::EC2::VPCGatewayAttachment
    Properties:
      VpcId: !Ref VPC
      InternetGatewayId: !Ref InternetGateway
  PublicRouteTable:
    Type: AWS::EC2::RouteTable
    Properties:
      VpcId: !Ref VPC
  PublicRoute:
    Type: AWS::EC2::Route
    Properties:
      RouteTableId: !Ref PublicRouteTable
      DestinationCidrBlock: 0.0.0.0/0
      GatewayId: !Ref InternetGateway
  PrivateRouteTable:
    Type: AWS::EC2::RouteTable
    Properties:
      VpcId: !Ref VPC
  PublicSubnetA:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref VPC
      CidrBlock: 10.{n}.0.0/24
      AvailabilityZone: eu-west-1a
  PublicSubnetB:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref VPC
      CidrBlock: 10.{n}.1.0/24
      AvailabilityZone: eu-west-1b
  PrivateSubnetA:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref VPC
      CidrBlock: 10.{n}.10.0/24
      AvailabilityZone: eu-west-1a
  PrivateSubnetB:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref VPC
      CidrBlock: 10.{n}.11.0/24
      AvailabilityZone: eu-west-1b
  PublicSubnetARoutes:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties:
      SubnetId: !Ref PublicSubnetA
      RouteTableId: !Ref PublicRouteTable
  PublicSubnetBRoutes:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties:
      SubnetId: !Ref PublicSubnetB
      RouteTableId: !Ref PublicRouteTable
  PrivateSubnetARoutes:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties:
      SubnetId: !Ref PrivateSubnetA
      RouteTableId: !Ref PrivateRouteTable
  PrivateSubnetBRoutes:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties:
      SubnetId: !Ref PrivateSubnetB
      RouteTableId: !Ref PrivateRouteTable
  AlbSecurityGroup:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: load balancer
      VpcId: !Ref VPC
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 443
          ToPort: 443
          CidrIp: 0.0.0.0/0
  WebSecurityGroup:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: web servers
      VpcId: !Ref VPC
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 80
          ToPort: 80
          SourceSecurityGroupId: !Ref AlbSecurityGroup
  DbSecurityGroup:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: database
      VpcId: !Ref VPC
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 5432
          ToPort: 5432
          SourceSecurityGroupId: !Ref WebSecurityGroup
{db_open_rule}  LoadBalancer:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Scheme: internet-facing
      Type: application
      Subnets: [!Ref PublicSubnetA, !Ref PublicSubnetB]
      SecurityGroups: [!Ref AlbSecurityGroup]
  TargetGroup:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties:
      Port: 80
      Protocol: HTTP
      VpcId: !Ref VPC
      Targets:
        - Id: !Ref WebServerA
        - Id: !Ref WebServerB
  Listener:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !Ref LoadBalancer
      Port: 443
      Protocol: HTTPS
      SslPolicy: ELBSecurityPolicy-TLS13-1-2-2021-06
      Certificates:
        - CertificateArn: arn:aws:acm:eu-west-1:123456789012:certificate/{name}
      DefaultActions:
        - Type: forward
          TargetGroupArn: !Ref TargetGroup
  WebServerA:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: ami-0123456789abcdef0
      InstanceType: t3.micro
      SubnetId: !Ref PrivateSubnetA
      SecurityGroupIds: [!Ref WebSecurityGroup]
      MetadataOptions:
        HttpTokens: required
  WebServerB:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: ami-0123456789abcdef0
      InstanceType: t3.micro
      SubnetId: !Ref PrivateSubnetB
      SecurityGroupIds: [!Ref WebSecurityGroup]
      MetadataOptions:
        HttpTokens: required
  DbSubnetGroup:
    Type: AWS::RDS::DBSubnetGroup
    Properties:
      DBSubnetGroupDescription: database subnets
      SubnetIds: [{db_subnets}]
  Database:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      DBInstanceClass: db.t3.micro
      AllocatedStorage: "20"
      MasterUsername: app
      ManageMasterUserPassword: true
      DBSubnetGroupName: !Ref DbSubnetGroup
      VPCSecurityGroups: [!Ref DbSecurityGroup]
      PubliclyAccessible: {exposed}
      StorageEncrypted: true
      DeletionProtection: true
  SiteBucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: {name}-site
  Distribution:
    Type: AWS::CloudFront::Distribution
    Properties:
      DistributionConfig:
        Enabled: true
        Origins:
          - Id: site
            DomainName: !GetAtt SiteBucket.RegionalDomainName
            S3OriginConfig: {{}}
          - Id: app
            DomainName: !GetAtt LoadBalancer.DNSName
            CustomOriginConfig:
              OriginProtocolPolicy: https-only
              OriginSSLProtocols: [TLSv1.2]
        DefaultCacheBehavior:
          TargetOriginId: site
          ViewerProtocolPolicy: redirect-to-https
          CachePolicyId: 658327ea-f89d-4fab-a63d-7e88639e58f6
        ViewerCertificate:
          CloudFrontDefaultCertificate: true
Outputs:
  DatabaseEndpoint:
    Value: !GetAtt Database.Endpoint.Address
"""

CFN_OPEN_RULE = """\
  DbOpenToTheInternet:
    Type: AWS::EC2::SecurityGroupIngress
    Properties:
      GroupId: !Ref DbSecurityGroup
      IpProtocol: tcp
      FromPort: 5432
      ToPort: 5432
      CidrIp: 0.0.0.0/0
"""

TF_RESOURCES = TF_CELL.count('\nresource "') + 1
CFN_RESOURCES = CFN_CELL.count("\n    Type: AWS::")


def generate(out: Path, resources: int) -> dict[str, int]:
    """Write a monorepo of about ``resources`` resources into ``out`` (emptied first); returns
    what was written."""
    if out.exists():
        shutil.rmtree(out)
    (out / "modules" / "cell").mkdir(parents=True)
    module = TF_CELL.format(p="", n="${var.n}", name="${var.name}", exposed="var.exposed",
                            db_cidrs='var.exposed ? ["0.0.0.0/0"] : []', db_subnets="local.db_subnets")
    (out / "modules" / "cell" / "main.tf").write_text(TF_MODULE_HEAD + module)
    # Each Terraform root holds two cells (inline and through the module); each template one.
    roots = max(1, resources // (4 * TF_RESOURCES))
    templates = max(1, (resources - roots * 2 * TF_RESOURCES) // (CFN_RESOURCES + 0.1))
    cell = 0
    counts = {"terraform_roots": 0, "templates": 0, "resources": 0, "exposed_databases": 0, "bytes": 0}
    for root in range(roots):
        folder = out / "terraform" / f"root-{root:05d}"
        folder.mkdir(parents=True)
        inline = _tf_cell(cell)
        called = TF_ROOT_CALL.format(name=f"cell{cell + 1}", n=(cell + 1) % 250, exposed=_exposed(cell + 1, "true",
                                                                                                  "false"))
        text = inline + called
        (folder / "main.tf").write_text(text)
        counts["exposed_databases"] += (cell % 5 == 0) + ((cell + 1) % 5 == 0)
        counts["bytes"] += len(text)
        cell += 2
        counts["terraform_roots"] += 1
        counts["resources"] += 2 * TF_RESOURCES
    for index in range(int(templates)):
        folder = out / "cloudformation" / f"group-{index // 100:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        text = _cfn_cell(cell)
        (folder / f"cell-{cell:05d}.yaml").write_text(text)
        counts["exposed_databases"] += cell % 5 == 0
        counts["bytes"] += len(text)
        counts["resources"] += CFN_RESOURCES + (cell % 5 == 0)
        counts["templates"] += 1
        cell += 1
    return counts


def _exposed(cell: int, yes: str, no: str) -> str:
    return yes if cell % 5 == 0 else no


def _tf_cell(cell: int) -> str:
    p = ""
    exposed = cell % 5 == 0
    subnets = ("public_a", "public_b") if exposed else ("private_a", "private_b")
    return TF_CELL.format(
        p=p, n=cell % 250, name=f"cell{cell}", exposed="true" if exposed else "false",
        db_cidrs='["0.0.0.0/0"]' if exposed else "[]",
        db_subnets="[" + ", ".join(f"aws_subnet.{p}{s}.id" for s in subnets) + "]",
    )


def _cfn_cell(cell: int) -> str:
    exposed = cell % 5 == 0
    subnets = ("PublicSubnetA", "PublicSubnetB") if exposed else ("PrivateSubnetA", "PrivateSubnetB")
    return CFN_CELL.format(
        n=cell % 250, name=f"cell{cell}", exposed="true" if exposed else "false",
        db_open_rule=CFN_OPEN_RULE if exposed else "",
        db_subnets=", ".join(f"!Ref {s}" for s in subnets),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--resources", type=int, default=1000)
    args = parser.parse_args()
    print(generate(args.out, args.resources))


if __name__ == "__main__":
    main()
