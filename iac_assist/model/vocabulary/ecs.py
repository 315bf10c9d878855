"""ECS task definitions: the containers they run and how much of the host each may touch.

A task definition's containers are one JSON document in Terraform (``container_definitions``:
a heredoc, ``jsonencode()``, or ``file()`` / ``templatefile()``, decoded by the front end) and a
list property in CloudFormation (``ContainerDefinitions``); both become the same ``containers``
fact, through ``container`` below."""

from __future__ import annotations

from typing import Any

from iac_assist.model import Fact, Location, Unknown
from iac_assist.model.convert import as_text, to_bool
from iac_assist.model.mapping import Mapping
from iac_assist.model.vocabulary import fact, kind

ECS_TASK_DEFINITION = kind(
    "ecs.task_definition", "An ECS task definition.",
    fact("family", "str | Unknown", "its family (name)"),
    fact("task_role", "Ref | str | Unknown", "the IAM role its containers act as"),
    fact("execution_role", "Ref | str | Unknown", "the IAM role ECS pulls images and reads secrets with"),
    fact("containers", "list[Fact[dict]] | Unknown",
         """its container definitions, each {"name": str | Unknown, "privileged": bool | Unknown (absent
         when not written: false, the ECS default)}, located at the container (CloudFormation) or at
         container_definitions (Terraform: one JSON document); Unknown when the definitions are not
         known (a variable, a file outside the scanned root, JSON that does not parse)""",
         "no container known"),
    service="ecs",
)


def container(entry: Any, loc: Location, privileged_key: str) -> Fact | None:
    """One container definition as the ``containers`` fact holds it; None for what is not an object
    (a definition list of the wrong shape says nothing about privileges)."""
    if isinstance(entry, Unknown):
        return Fact({"name": Unknown("container not known"), "privileged": Unknown("container not known")}, loc)
    if not isinstance(entry, dict):
        return None
    out: dict[str, Any] = {"name": as_text(entry.get("name", entry.get("Name")))}
    privileged = entry.get(privileged_key)
    if privileged is not None:
        out["privileged"] = to_bool(privileged)
    return Fact(out, loc)


TERRAFORM = {
    # container_definitions is decoded by the front end's code (parsers/terraform/normalize_ecs.py).
    "aws_ecs_task_definition": Mapping(ECS_TASK_DEFINITION, {
        "family": "family", "task_role": "task_role_arn", "execution_role": "execution_role_arn"}),
}

CLOUDFORMATION = {
    # ContainerDefinitions: parsers/cloudformation/normalize_ecs.py.
    "AWS::ECS::TaskDefinition": Mapping(ECS_TASK_DEFINITION, {
        "family": "Family", "task_role": "TaskRoleArn", "execution_role": "ExecutionRoleArn"}),
}

TABLES = {"terraform": TERRAFORM, "cloudformation": CLOUDFORMATION}
