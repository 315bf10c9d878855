"""ECS task definitions in Terraform: ``container_definitions`` is one JSON document, whether
written as a heredoc, with ``jsonencode()`` (a ``PartialJson`` when parts are not known) or read
with ``file()`` / ``templatefile()``. A container is located at its ``privileged`` key (or itself)
when the attribute is ``jsonencode()`` of a literal, else at the attribute."""

from __future__ import annotations

from iac_assist.model import Component, Unknown
from iac_assist.model.builder import ModelBuilder
from iac_assist.model.resource import SourceResource
from iac_assist.model.vocabulary.ecs import container
from iac_assist.parsers.terraform.normalizer import NORMALIZER
from iac_assist.parsers.terraform.values import JSON_LITERAL, decode_document

ATTRIBUTE = "container_definitions"


@NORMALIZER.extend("aws_ecs_task_definition")
def container_definitions(comp: Component, res: SourceResource, b: ModelBuilder) -> None:
    if res.get(ATTRIBUTE) is None:
        return
    loc = res.at(ATTRIBUTE)
    decoded = decode_document(res.get(ATTRIBUTE))
    if not isinstance(decoded, list):
        comp.set("containers", Unknown("the container definitions are not known"), loc)
        return
    # jsonencode() of a literal keeps where each container and its privileged key were written.
    found = [container(entry, res.at(ATTRIBUTE, JSON_LITERAL, i, "privileged"), "privileged")
             for i, entry in enumerate(decoded)]
    comp.set("containers", [f for f in found if f is not None], loc)
