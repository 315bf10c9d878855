"""ECS task definitions: privileged containers however the definitions are written (heredoc,
jsonencode(), file(), templatefile(), a template's list, a plan's JSON text), and no finding from
definitions or settings that are not known."""

from __future__ import annotations

import json

import pytest

from tests.policy_examples import cfn, hits, line, tf
from tests.test_terraform_plan import plan_text

CONTROL = "ecs-task-privileged"
CONTAINERS = [{"name": "app", "image": "nginx"}, {"name": "shipper", "image": "fluent-bit", "privileged": True}]


def task(definitions: str, extra: str = "") -> str:
    return tf(f'''
        {extra}
        resource "aws_ecs_task_definition" "t" {{
          family                = "t"
          container_definitions = {definitions}
        }}
    ''')


def test_file_and_templatefile_are_read_within_the_root(write_tree):
    text = task('file("${path.module}/containers.json")') + tf('''
        resource "aws_ecs_task_definition" "u" {
          family                = "u"
          container_definitions = templatefile("${path.module}/containers.json.tpl", { privileged = true })
        }
    ''')
    root = write_tree({
        "main.tf": text,
        "containers.json": json.dumps(CONTAINERS),
        "containers.json.tpl": '[{"name": "agent", "image": "x", "privileged": ${privileged}}]',
    })
    assert hits(root, CONTROL) == {
        ("aws_ecs_task_definition.t", "main.tf", line(text, '= file("')),
        ("aws_ecs_task_definition.u", "main.tf", line(text, "templatefile(")),
    }


def test_jsonencode_names_the_privileged_line(write_tree):
    text = task('''jsonencode([
            { name = "app", image = "nginx" },
            {
              name       = "shipper"
              image      = "fluent-bit"
              privileged = true
            },
          ])''')
    assert hits(write_tree({"main.tf": text}), CONTROL) == {
        ("aws_ecs_task_definition.t", "main.tf", line(text, "privileged = true"))}


@pytest.mark.parametrize(("definitions", "extra"), [
    pytest.param("var.definitions", 'variable "definitions" { type = string }', id="variable"),
    pytest.param('jsonencode([{ name = "app", privileged = var.privileged }])',
                 'variable "privileged" { type = bool }', id="privileged-not-known"),
    pytest.param('file("${path.module}/missing.json")', "", id="file-not-there"),
    pytest.param('"not json"', "", id="not-json"),
    pytest.param('jsonencode({ name = "app", privileged = true })', "", id="an-object-not-a-list"),
    pytest.param('jsonencode([{ name = "app", privileged = false }])', "", id="privileged-false"),
])
def test_definitions_or_settings_not_known_give_no_finding(write_tree, definitions, extra):
    assert hits(write_tree({"main.tf": task(definitions, extra)}), CONTROL) == set()


def test_cloudformation_names_the_privileged_property_and_skips_parameters(write_tree):
    template = cfn('''
        Task:
          Type: AWS::ECS::TaskDefinition
          Properties:
            ContainerDefinitions:
              - Name: app
                Image: nginx
              - Name: shipper
                Image: fluent-bit
                Privileged: "true"
        Unknown:
          Type: AWS::ECS::TaskDefinition
          Properties:
            ContainerDefinitions:
              - Name: app
                Image: nginx
                Privileged: !Ref Privileged
    ''', parameters='''
        Privileged:
          Type: String
    ''')
    assert hits(write_tree({"t.yaml": template}), CONTROL) == {("Task", "t.yaml", line(template, 'Privileged: "true"'))}


def test_a_plan_holds_the_definitions_as_json_text(write_tree):
    resources = [{"address": "aws_ecs_task_definition.t", "type": "aws_ecs_task_definition", "name": "t",
                  "values": {"family": "t", "container_definitions": json.dumps(CONTAINERS)}}]
    root = write_tree({"plan.json": plan_text(resources)})
    assert {(r, f) for r, f, _n in hits(root, CONTROL)} == {("aws_ecs_task_definition.t", "plan.json")}
    unknown = {"aws_ecs_task_definition.t": {"container_definitions": True}}
    resources[0]["values"].pop("container_definitions")
    (root / "plan.json").write_text(plan_text(resources, unknown=unknown), encoding="utf-8")
    assert hits(root, CONTROL) == set()


def test_a_plan_beside_its_sources_points_at_the_privileged_line(write_tree):
    text = task('''jsonencode([
            { name = "app", image = "nginx" },
            { name = "shipper", image = "fluent-bit", privileged = true },
          ])''')
    resources = [{"address": "aws_ecs_task_definition.t", "type": "aws_ecs_task_definition", "name": "t",
                  "values": {"family": "t", "container_definitions": json.dumps(CONTAINERS)}}]
    root = write_tree({"main.tf": text, "plan.json": plan_text(resources)})
    assert hits(root, CONTROL) == {("aws_ecs_task_definition.t", "main.tf", line(text, "privileged = true"))}
