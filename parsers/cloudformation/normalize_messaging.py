"""SQS queues and SNS topics, with the access policies folded onto them from
``AWS::SQS::QueuePolicy`` (a ``Queues`` list), ``AWS::SQS::QueueInlinePolicy``,
``AWS::SNS::TopicPolicy`` (a ``Topics`` list) and ``AWS::SNS::TopicInlinePolicy``. When some of a
policy resource's queues or topics are not defined in the template (a parameter, a literal URL or
ARN, an import), the policy resource is also a component of its own (``sqs.queue_policy`` /
``sns.topic_policy``) holding those targets: the policy is still this template's."""

from __future__ import annotations

from iac_assist.model import Unknown, kinds
from iac_assist.model.builder import ModelBuilder, Normalizer
from iac_assist.model.resource import SourceResource
from iac_assist.model.vocabulary.messaging import fold_policy
from iac_assist.parsers.cloudformation.normalize_iam import decode

# policy type -> (owner kind, the property naming the owners, whether that property is a list)
_POLICIES = {
    "AWS::SQS::QueuePolicy": (kinds.SQS_QUEUE, "Queues", True),
    "AWS::SQS::QueueInlinePolicy": (kinds.SQS_QUEUE, "Queue", False),
    "AWS::SNS::TopicPolicy": (kinds.SNS_TOPIC, "Topics", True),
    "AWS::SNS::TopicInlinePolicy": (kinds.SNS_TOPIC, "TopicArn", False),
}


def register(normalizer: Normalizer) -> None:
    normalizer.register(*_POLICIES, phase=1)(owner_policy)


def owner_policy(res: SourceResource, b: ModelBuilder) -> None:
    kind, prop, many = _POLICIES[res.type]
    written = res.get("PolicyDocument")
    policy = decode(written) if written is not None else Unknown("no PolicyDocument")
    targets = res.get(prop)
    if targets is None:
        targets = []
    elif not many:
        targets = [targets]
    fold_policy(b, res, kind, targets, res.at(prop), policy, res.at("PolicyDocument"))
