"""AMI sharing in CloudFormation: the launch permissions an EC2 Image Builder distribution
configuration gives the AMIs it distributes (``ec2.share``), each group located where it is
written. (CloudFormation has no resource that shares an AMI, an EBS snapshot or an RDS snapshot.)"""

from __future__ import annotations

from iac_assist.model import Component, Fact, Unknown
from iac_assist.model.builder import ModelBuilder, Normalizer
from iac_assist.model.resource import SourceResource

_GROUPS = ("AmiDistributionConfiguration", "LaunchPermissionConfiguration", "UserGroups")


def register(normalizer: Normalizer) -> None:
    normalizer.extend("AWS::ImageBuilder::DistributionConfiguration")(distribution)


def distribution(comp: Component, res: SourceResource, b: ModelBuilder) -> None:
    groups: list[Fact] = []
    distributions = res.get("Distributions")
    if isinstance(distributions, Unknown):
        groups.append(Fact(Unknown("the distributions are not known"), res.at("Distributions")))
    for i, entry in enumerate(distributions if isinstance(distributions, list) else []):
        if isinstance(entry, Unknown):
            groups.append(Fact(Unknown("a distribution is not known"), res.at("Distributions", i)))
            continue
        value = res.get("Distributions", i, *_GROUPS)
        if value is None:
            continue
        if isinstance(value, list):
            groups += [Fact(v, res.at("Distributions", i, *_GROUPS, n)) for n, v in enumerate(value)]
        else:
            groups.append(Fact(value if isinstance(value, Unknown) else Unknown("UserGroups is not a list"),
                               res.at("Distributions", i, *_GROUPS)))
    if groups:
        comp.set("groups", groups, groups[0].loc)
