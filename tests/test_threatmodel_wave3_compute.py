"""Wave 3 controls on compute and the network's edge in the threat model: a finding opens the
threat on its component, a configuration that passes mitigates it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.policy_examples import EXAMPLES
from tests.test_threatmodel_states import threats_of


@pytest.mark.parametrize(("control", "name", "threat"), [
    ("default-security-group-open", "insecure.tf", "default-sg-exposure@aws_default_security_group.default"),
    ("nacl-admin-ports-open", "insecure.tf", "nacl-wide-open@aws_network_acl.public"),
    ("nacl-admin-ports-open", "insecure.yaml", "nacl-wide-open@PublicNetworkAcl"),
    ("ecs-task-privileged", "insecure.tf", "container-escape@aws_ecs_task_definition.app"),
    ("ecs-task-privileged", "insecure.tf", "container-escape@aws_ecs_task_definition.agent"),
    ("ecs-task-privileged", "insecure.yaml", "container-escape@AppTaskDefinition"),
])
def test_the_examples_open_then_mitigate_their_threat(tmp_path: Path, control: str, name: str, threat: str):
    for variant, status in (("insecure", "open"), ("fixed", "mitigated")):
        folder = tmp_path / variant
        folder.mkdir()
        twin = name.replace("insecure", variant)
        (folder / twin).write_text((EXAMPLES / control / twin).read_text(encoding="utf-8"), encoding="utf-8")
        found = threats_of(folder)[threat]
        assert found["status"] == status, (variant, found)


def test_a_plaintext_target_group_opens_the_load_balancer_and_its_flow_to_the_targets(write_tree):
    tail = '''
resource "aws_vpc" "main" { cidr_block = "10.0.0.0/16" }
resource "aws_internet_gateway" "gw" { vpc_id = aws_vpc.main.id }
resource "aws_subnet" "public" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.1.0/24"
}
resource "aws_route_table" "public" {
  vpc_id = aws_vpc.main.id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.gw.id
  }
}
resource "aws_route_table_association" "public" {
  subnet_id      = aws_subnet.public.id
  route_table_id = aws_route_table.public.id
}
resource "aws_subnet" "private" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.2.0/24"
}
resource "aws_instance" "web" {
  ami           = "ami-0123456789abcdef0"
  instance_type = "t3.micro"
  subnet_id     = aws_subnet.private.id
}
resource "aws_lb_target_group_attachment" "web" {
  target_group_arn = aws_lb_target_group.web.arn
  target_id        = aws_instance.web.id
  port             = %d
}
'''
    for variant, port, status in (("insecure", 80, "open"), ("fixed", 443, "mitigated")):
        text = (EXAMPLES / "lb-target-plaintext" / f"{variant}.tf").read_text(encoding="utf-8").replace(
            '["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]', "[aws_subnet.public.id]")
        root = write_tree({f"{variant}/main.tf": text + tail % port}) / variant
        threats = threats_of(root)
        assert threats["lb-target-eavesdropping@aws_lb.web"]["status"] == status, variant
        flows = {k: t for k, t in threats.items() if k.startswith("flow-target-eavesdropping@")}
        assert [t["status"] for t in flows.values()] == [status], (variant, flows)


def test_container_definitions_not_known_leave_the_escape_undetermined(write_tree):
    root = write_tree({"main.tf": '''variable "definitions" { type = string }
resource "aws_ecs_task_definition" "t" {
  family                = "t"
  container_definitions = var.definitions
}
'''})
    assert threats_of(root)["container-escape@aws_ecs_task_definition.t"]["status"] == "undetermined"
