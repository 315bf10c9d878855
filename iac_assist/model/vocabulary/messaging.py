"""SQS queues and SNS topics, with their access policies (inline, or folded from the policy
resources that replace them as they do in AWS) and their server-side encryption, and the policy
resources whose queues or topics the configuration does not define. Kinesis streams and MSK
clusters: ``streaming.py``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from iac_assist.model import Location
from iac_assist.model.convert import known_items, to_bool
from iac_assist.model.mapping import Mapping, src
from iac_assist.model.vocabulary import fact, kind

if TYPE_CHECKING:  # the builder needs the vocabulary, not the other way round
    from iac_assist.model.builder import ModelBuilder
    from iac_assist.model.resource import SourceResource

_POLICY = fact("policy", "dict | Unknown", """the access policy (parsed JSON), from the resource itself
               (Terraform: policy) or folded from a policy resource (aws_sqs_queue_policy, aws_sns_topic_policy,
               AWS::SQS::QueuePolicy, AWS::SQS::QueueInlinePolicy, AWS::SNS::TopicPolicy,
               AWS::SNS::TopicInlinePolicy), located there""", "the AWS default (owner account only)")
_ORPHAN = (
    fact("policy", "dict | Unknown", "as on a queue / topic"),
    fact("targets", "list[Ref | str | Unknown] | Unknown", "the queue URLs / topic ARNs it names"),
)

_KMS_KEY = fact("kms_key", "Ref | str | Unknown", "the KMS key of server-side encryption (SSE-KMS)", "none")

SQS_QUEUE = kind(
    "sqs.queue", "An SQS queue.", fact("name", "str | Unknown", "queue name"), _POLICY, _KMS_KEY,
    fact("sqs_managed_sse", "bool | Unknown", "server-side encryption with SQS-owned keys (SSE-SQS)",
         "on (the AWS default since 2022) unless a KMS key is set"))
SNS_TOPIC = kind("sns.topic", "An SNS topic.", fact("name", "str | Unknown", "topic name"), _POLICY, _KMS_KEY)
SQS_QUEUE_POLICY = kind(
    "sqs.queue_policy", """A queue policy resource for queues the configuration does not define (a data
    source, a literal URL of another configuration, a value not known statically).""", *_ORPHAN)
SNS_TOPIC_POLICY = kind(
    "sns.topic_policy", "A topic policy resource for topics the configuration does not define (as above).",
    *_ORPHAN)


def name_of(target: Any) -> Any:
    """The queue or topic name a literal URL or ARN ends with (``.../123456789012/jobs``,
    ``arn:aws:sns:eu-west-1:123456789012:alerts``), as policy resources name their owner; other
    values unchanged."""
    if isinstance(target, str):
        return target.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]
    return target


def fold_policy(b: ModelBuilder, res: SourceResource, owner_kind: str, targets: Any, targets_loc: Location,
                policy: Any, policy_loc: Location) -> None:
    """A policy resource's ``policy`` replaces the policy of every queue or topic (``owner_kind``)
    in ``targets`` the configuration defines; the others (or a list not known) stay with the
    policy resource, then a component of its own (``sqs.queue_policy`` / ``sns.topic_policy``):
    the policy is still this configuration's."""
    elsewhere: Any = [] if isinstance(targets, list) else targets
    for target in known_items(targets):
        found = b.owner(name_of(target), owner_kind)
        if found is None:
            elsewhere.append(target)
        else:
            found.set("policy", policy, policy_loc, origin=res.address)
    if elsewhere != []:
        comp = b.add(res, SQS_QUEUE_POLICY if owner_kind == SQS_QUEUE else SNS_TOPIC_POLICY)
        comp.set("targets", elsewhere, targets_loc)
        comp.set("policy", policy, policy_loc)


# An empty name (a module's "no name" default) lets AWS generate one, as an unset one does.
TERRAFORM = {
    # The inline policy is decoded by the front end's code.
    "aws_sqs_queue": Mapping(SQS_QUEUE, {
        "name": src("name", empty_is_unset=True),
        "kms_key": "kms_master_key_id",
        "sqs_managed_sse": src("sqs_managed_sse_enabled", convert=to_bool),
    }),
    "aws_sns_topic": Mapping(SNS_TOPIC, {"name": src("name", empty_is_unset=True), "kms_key": "kms_master_key_id"}),
}

CLOUDFORMATION = {
    "AWS::SQS::Queue": Mapping(SQS_QUEUE, {
        "name": src("QueueName", empty_is_unset=True),
        "kms_key": "KmsMasterKeyId",
        "sqs_managed_sse": src("SqsManagedSseEnabled", convert=to_bool),
    }),
    "AWS::SNS::Topic": Mapping(SNS_TOPIC, {"name": src("TopicName", empty_is_unset=True), "kms_key": "KmsMasterKeyId"}),
}

TABLES = {"terraform": TERRAFORM, "cloudformation": CLOUDFORMATION}
