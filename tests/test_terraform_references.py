"""References to configured attributes resolve to what the configuration sets: a security group
rule, a route or a flow written with ``aws_vpc.web.cidr_block`` is judged, not dropped, and
``aws_subnet.app.vpc_id`` is the VPC itself."""

from __future__ import annotations

from iac_assist.analysis.engine import scan
from iac_assist.model import Ref
from iac_assist.threatmodel.build import build
from tests.conftest import findings_of

NETWORK = """
variable "open" {
  type = string
}

resource "aws_vpc" "web" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_flow_log" "web" {
  vpc_id          = aws_vpc.web.id
  traffic_type    = "ALL"
  log_destination = "arn:aws:s3:::flow-logs"
}

resource "aws_subnet" "app" {
  vpc_id     = aws_vpc.web.id
  cidr_block = cidrsubnet(aws_vpc.web.cidr_block, 8, 1)
}

resource "aws_subnet" "db" {
  vpc_id     = aws_subnet.app.vpc_id
  cidr_block = "10.0.2.0/24"
}

resource "aws_security_group" "internal" {
  vpc_id = aws_subnet.app.vpc_id

  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [aws_vpc.web.cidr_block]
  }
}

resource "aws_security_group" "open" {
  vpc_id = aws_vpc.web.id

  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [var.open]
  }
}

resource "aws_security_group" "db" {
  vpc_id = aws_vpc.web.id

  ingress {
    from_port   = 5432
    to_port     = 5432
    protocol    = "tcp"
    cidr_blocks = [aws_subnet.app.cidr_block]
  }
}

resource "aws_instance" "app" {
  ami                    = "ami-0123456789abcdef0"
  instance_type          = "t3.micro"
  subnet_id              = aws_subnet.app.id
  vpc_security_group_ids = [aws_security_group.internal.id]

  metadata_options {
    http_tokens = "required"
  }

  root_block_device {
    encrypted = true
  }
}

resource "aws_db_subnet_group" "db" {
  subnet_ids = [aws_subnet.db.id]
}

resource "aws_db_instance" "db" {
  engine                 = "postgres"
  instance_class         = "db.t3.micro"
  db_subnet_group_name   = aws_db_subnet_group.db.name
  vpc_security_group_ids = [aws_security_group.db.id]
  storage_encrypted      = true
  deletion_protection    = true
}
"""


def _tree(write_tree):
    return write_tree({"main.tf": NETWORK, "terraform.tfvars": 'open = "0.0.0.0/0"\n'})


def test_rules_written_with_references_and_variables_are_judged(write_tree):
    # The VPC's own CIDR is not the internet; the variable's value from tfvars is.
    assert findings_of(_tree(write_tree)) == {("sg-admin-ports-open", "aws_security_group.open", "main.tf", 40)}


def test_a_rule_cidr_read_through_a_reference_is_the_configured_value(write_tree):
    graph = scan([_tree(write_tree)]).graph
    group = next(c for c in graph.components.values() if c.address == "aws_security_group.internal")
    assert group.get("ingress")[0].value["cidrs"] == ["10.0.0.0/16"]


def test_an_attribute_configured_as_a_reference_is_that_reference(write_tree):
    graph = scan([_tree(write_tree)]).graph
    by_address = {c.address: c for c in graph.components.values()}
    for address in ("aws_subnet.db", "aws_security_group.internal"):
        comp = by_address[address]
        assert comp.get("vpc") == Ref("aws_vpc.web", "id")
        assert graph.resolve(comp, comp.get("vpc")) is by_address["aws_vpc.web"]


def test_a_flow_admitted_by_a_subnets_cidr_reference_is_derived(write_tree):
    flows = {(f["source"], f["target"], f["port"]) for f in build(scan([_tree(write_tree)])).to_json()["flows"]}
    assert ("aws_instance.app", "aws_db_instance.db", 5432) in flows


def test_a_module_output_of_a_configured_attribute_is_judged_in_the_caller(write_tree):
    root = write_tree({
        "main.tf": """
module "net" {
  source = "./net"
}

resource "aws_security_group" "ssh" {
  vpc_id = module.net.vpc_id

  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [module.net.cidr, module.net.anywhere]
  }
}
""",
        "net/main.tf": """
resource "aws_vpc" "main" {
  cidr_block = "10.1.0.0/16"
}

resource "aws_flow_log" "main" {
  vpc_id          = aws_vpc.main.id
  traffic_type    = "ALL"
  log_destination = "arn:aws:s3:::flow-logs"
}

resource "aws_route_table" "all" {
  vpc_id = aws_vpc.main.id
}

output "vpc_id" {
  value = aws_vpc.main.id
}

output "cidr" {
  value = aws_vpc.main.cidr_block
}

output "anywhere" {
  value = aws_route_table.all.vpc_id == aws_vpc.main.id ? "0.0.0.0/0" : "10.0.0.0/8"
}
""",
    })
    result = scan([root])
    group = next(c for c in result.graph.components.values() if c.address == "aws_security_group.ssh")
    # Known: the VPC's CIDR. Not known before apply: a comparison of generated ids.
    cidrs = group.get("ingress")[0].value["cidrs"]
    assert cidrs[0] == "10.1.0.0/16"
    assert not isinstance(cidrs[1], str)
    assert {(f.control, f.resource) for f in result.findings} == set()
