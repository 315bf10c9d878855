"""Evaluator defects found while writing fixtures/terraform-repo, each reduced to a minimal
configuration that failed before its fix: what ``terraform plan`` does, we do."""

from __future__ import annotations

import pytest

from iac_assist.analysis.engine import build_graph, scan
from iac_assist.parsers.terraform.inputs import VariableInputs


def bucket_names(root, variables: VariableInputs | None = None) -> dict[str, object]:
    graph, result = build_graph([root], variables=variables)
    assert result.errors == [], [str(e) for e in result.errors]
    return {c.address: c.get("name") for c in graph.components.values() if c.kind == "s3.bucket"}


def test_db_in_public_subnet_accepts_a_subnet_group_with_unknown_subnets(write_tree):
    root = write_tree({"main.tf": '''
variable "subnet_ids" {
  type = list(string)
}
resource "aws_db_subnet_group" "db" {
  subnet_ids = var.subnet_ids
}
resource "aws_db_instance" "db" {
  engine               = "postgres"
  db_subnet_group_name = aws_db_subnet_group.db.name
}
'''})
    result = scan([root])
    assert result.errors == []
    assert [f for f in result.findings if f.control == "db-in-public-subnet"] == []


def test_optional_object_attributes_get_their_defaults(write_tree):
    root = write_tree({
        "main.tf": 'module "asg" {\n  source   = "./asg"\n  capacity = { min = 1 }\n}\n',
        "asg/main.tf": '''
variable "capacity" {
  type = object({
    min     = number
    max     = optional(number, 4)
    desired = optional(number)
  })
}
resource "aws_s3_bucket" "max" {
  bucket = "max-${var.capacity.max}"
}
resource "aws_s3_bucket" "desired" {
  bucket = var.capacity.desired == null ? "desired-unset" : "desired-set"
}
''',
    })
    assert bucket_names(root) == {
        "module.asg.aws_s3_bucket.max": "max-4",
        "module.asg.aws_s3_bucket.desired": "desired-unset",
    }


def test_null_for_a_non_nullable_variable_takes_its_default(write_tree):
    variable = '''
variable "cidrs" {
  type     = list(string)
  default  = ["10.0.0.0/8"]
  nullable = false
}
'''
    root = write_tree({
        "main.tf": variable + '''
module "child" {
  source = "./child"
  cidrs  = null
}
resource "aws_s3_bucket" "root" {
  bucket = "root-${length(var.cidrs)}"
}
''',
        "terraform.tfvars": "cidrs = null\n",
        "child/main.tf": variable + '''
resource "aws_s3_bucket" "child" {
  bucket = "child-${length(var.cidrs)}"
}
''',
    })
    assert bucket_names(root) == {"aws_s3_bucket.root": "root-1", "module.child.aws_s3_bucket.child": "child-1"}


@pytest.mark.parametrize("inputs", [
    VariableInputs(assignments=(("public", "true"), ("copies", "2"))),
    VariableInputs(environ={"TF_VAR_public": "true", "TF_VAR_copies": "2"}),
], ids=["--var", "TF_VAR_"])
def test_root_values_from_the_command_line_take_the_declared_type(write_tree, inputs):
    root = write_tree({"main.tf": '''
variable "public" {
  type = bool
}
variable "copies" {
  type = number
}
resource "aws_s3_bucket" "b" {
  bucket = "b-${var.public == true}-${var.copies == 2}"
}
'''})
    assert bucket_names(root, inputs) == {"aws_s3_bucket.b": "b-true-true"}


@pytest.mark.parametrize(("expression", "expected"), [
    pytest.param('join(",", [for p in setproduct(["a", "b"], ["pub", "priv"]) : join("-", p)])',
                 "a-pub,a-priv,b-pub,b-priv", id="setproduct"),
    pytest.param('"n${sum([1, 2, 3])}"', "n6", id="sum"),
    pytest.param('alltrue([true, 1 < 2]) ? "all" : "not-all"', "all", id="alltrue"),
    pytest.param('anytrue([false, 1 > 2]) ? "any" : "none"', "none", id="anytrue"),
    pytest.param('join(",", regexall("[0-9]+", "a1b22"))', "1,22", id="regexall"),
])
def test_common_pure_functions_are_evaluated(write_tree, expression, expected):
    root = write_tree({"main.tf": f'resource "aws_s3_bucket" "b" {{\n  bucket = {expression}\n}}\n'})
    assert bucket_names(root) == {"aws_s3_bucket.b": expected}
