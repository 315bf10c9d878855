"""AMI and EBS snapshot sharing in Terraform: what the table (``iac_assist/model/vocabulary/ec2.py``,
``ec2.share``) cannot say: the groups each permission names, located where they are written."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from iac_assist.model import Component, Fact, Unknown
from iac_assist.model.builder import ModelBuilder
from iac_assist.model.resource import SourceResource
from iac_assist.parsers.terraform.normalizer import NORMALIZER

_LAUNCH_PERMISSION = ("distribution", "ami_distribution_configuration", "launch_permission")


@NORMALIZER.extend("aws_ami_launch_permission")
def launch_permission(comp: Component, res: SourceResource, b: ModelBuilder) -> None:
    if res.get("group") is not None:
        comp.set("groups", [Fact(res.get("group"), res.at("group"))], res.at("group"))


def _blocks(res: SourceResource, path: tuple[str | int, ...], names: tuple[str, ...]) -> Iterator[tuple[Any, ...]]:
    """The paths of the nested blocks ``names`` (a list of blocks in HCL, an object in JSON
    syntax); an unknown block yields its path with None at the end."""
    if not names:
        yield path
        return
    value = res.get(*path, names[0])
    if isinstance(value, list):
        for i, block in enumerate(value):
            if isinstance(block, dict):
                yield from _blocks(res, (*path, names[0], i), names[1:])
            elif isinstance(block, Unknown):
                yield (*path, names[0], i, None)
    elif isinstance(value, dict):
        yield from _blocks(res, (*path, names[0]), names[1:])
    elif isinstance(value, Unknown):
        yield (*path, names[0], None)


@NORMALIZER.extend("aws_imagebuilder_distribution_configuration")
def distribution(comp: Component, res: SourceResource, b: ModelBuilder) -> None:
    groups: list[Fact] = []
    for path in _blocks(res, (), _LAUNCH_PERMISSION):
        if path[-1] is None:
            groups.append(Fact(Unknown("a distribution is not known"), res.at(*path[:-1])))
            continue
        value = res.get(*path, "user_groups")
        loc = res.at(*path, "user_groups")
        if isinstance(value, list):
            groups += [Fact(v, loc) for v in value]
        elif value is not None:
            groups.append(Fact(value if isinstance(value, Unknown) else Unknown("user_groups is not a list"), loc))
    if groups:
        comp.set("groups", groups, groups[0].loc)
