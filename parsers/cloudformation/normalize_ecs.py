"""ECS task definitions in CloudFormation: ``ContainerDefinitions``, each container located at its
``Privileged`` property (or at the container when it has none)."""

from __future__ import annotations

from iac_assist.model import Component, Unknown
from iac_assist.model.builder import ModelBuilder, Normalizer
from iac_assist.model.resource import SourceResource
from iac_assist.model.vocabulary.ecs import container

PROPERTY = "ContainerDefinitions"


def register(normalizer: Normalizer) -> None:
    normalizer.extend("AWS::ECS::TaskDefinition")(container_definitions)


def container_definitions(comp: Component, res: SourceResource, builder: ModelBuilder) -> None:
    value = res.get(PROPERTY)
    if value is None:
        return
    if not isinstance(value, list):
        comp.set("containers", Unknown("the container definitions are not known"), res.at(PROPERTY))
        return
    found = []
    for i, entry in enumerate(value):
        loc = res.at(PROPERTY, i, "Privileged") if isinstance(entry, dict) and "Privileged" in entry \
            else res.at(PROPERTY, i)
        fact = container(entry, loc, "Privileged")
        if fact is not None:
            found.append(fact)
    comp.set("containers", found, res.at(PROPERTY))
