"""SQS queues and SNS topics, with the access policies folded onto them from
``AWS::SQS::QueuePolicy`` (a ``Queues`` list), ``AWS::SQS::QueueInlinePolicy``,
``AWS::SNS::TopicPolicy`` (a ``Topics`` list) and ``AWS::SNS::TopicInlinePolicy``. When some of a
policy resource's queues or topics are not defined in the template (a parameter, a literal URL or
ARN, an import), the policy resource is also a component of its own (``sqs.queue_policy`` /
``sns.topic_policy``) holding those targets: the policy is still this template's."""

from __future__ import annotations

from typing import Any

from iac_assist.model import Unknown, kinds
from iac_assist.model.builder import ModelBuilder, Normalizer
from iac_assist.model.resource import SourceResource
from iac_assist.model.vocabulary.messaging import name_of
from iac_assist.parsers.cloudformation.normalize_iam import decode

# policy type -> (owner kind, the kind it takes for owners not defined here, the property naming
# the owners, whether that property is a list)
_POLICIES = {
    "AWS::SQS::QueuePolicy": (kinds.SQS_QUEUE, kinds.SQS_QUEUE_POLICY, "Queues", True),
    "AWS::SQS::QueueInlinePolicy": (kinds.SQS_QUEUE, kinds.SQS_QUEUE_POLICY, "Queue", False),
    "AWS::SNS::TopicPolicy": (kinds.SNS_TOPIC, kinds.SNS_TOPIC_POLICY, "Topics", True),
    "AWS::SNS::TopicInlinePolicy": (kinds.SNS_TOPIC, kinds.SNS_TOPIC_POLICY, "TopicArn", False),
}


def register(normalizer: Normalizer) -> None:
    normalizer.register(*_POLICIES, phase=1)(owner_policy)


def owner_policy(res: SourceResource, b: ModelBuilder) -> None:
    kind, orphan_kind, prop, many = _POLICIES[res.type]
    policy = decode(res.get("PolicyDocument")) if res.has("PolicyDocument") else Unknown("no PolicyDocument")
    where = res.at("PolicyDocument")
    targets = res.get(prop)
    if not many:
        targets = [] if targets is None else [targets]
    elif targets is None:
        targets = []
    elsewhere: Any = [] if isinstance(targets, list) else targets
    for target in targets if isinstance(targets, list) else []:
        found = b.owner(name_of(target), kind)
        if found is None:
            elsewhere.append(target)
        else:
            found.set("policy", policy, where, origin=res.address)
    if elsewhere != []:
        comp = b.add(res, orphan_kind)
        comp.set("targets", elsewhere, res.at(prop))
        comp.set("policy", policy, where)
