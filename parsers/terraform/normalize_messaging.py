"""SQS queues and SNS topics in Terraform, with their access policies: inline (``policy``) or
folded from ``aws_sqs_queue_policy`` / ``aws_sns_topic_policy``, which replace it as they do in
AWS. A policy resource whose queue or topic the configuration does not define stays a component
of its own (``sqs.queue_policy`` / ``sns.topic_policy``): the policy is still this
configuration's."""

from __future__ import annotations

from typing import Any

from iac_assist.model import Component, Unknown, kinds
from iac_assist.model.builder import ModelBuilder
from iac_assist.model.resource import SourceResource
from iac_assist.model.vocabulary.messaging import fold_policy
from iac_assist.parsers.terraform.normalizer import NORMALIZER
from iac_assist.parsers.terraform.values import decode_document

# policy resource type -> (owner kind, the argument naming the owner)
_POLICIES = {
    "aws_sqs_queue_policy": (kinds.SQS_QUEUE, "queue_url"),
    "aws_sns_topic_policy": (kinds.SNS_TOPIC, "arn"),
}


def document(value: Any) -> Any:
    """A policy argument as a document: a dict (parts may be Unknown) or Unknown."""
    decoded = decode_document(value)
    return decoded if isinstance(decoded, (dict, Unknown)) else Unknown("the policy document is not known")


def _written(res: SourceResource, attr: str) -> bool:
    # ``= ""`` (a module's "no policy" default) leaves the AWS default policy, as ``= null`` does.
    return res.get(attr) not in (None, "")


def written_policy(res: SourceResource, attr: str = "policy") -> Any:
    """The document a policy resource writes in ``attr``; Unknown when it writes none."""
    return document(res.get(attr)) if _written(res, attr) else Unknown(f"no {attr}")


def set_inline(comp: Component, res: SourceResource, attr: str = "policy") -> None:
    """An inline policy argument (``policy``, ``access_policy``...) as the ``policy`` fact, when written."""
    if _written(res, attr):
        comp.set("policy", document(res.get(attr)), res.at(attr))


@NORMALIZER.extend("aws_sqs_queue", "aws_sns_topic")
def inline_policy(comp: Component, res: SourceResource, b: ModelBuilder) -> None:
    set_inline(comp, res)


@NORMALIZER.register(*_POLICIES, phase=1)
def owner_policy(res: SourceResource, b: ModelBuilder) -> None:
    kind, attr = _POLICIES[res.type]
    target = res.get(attr)
    policy = document(res.get("policy")) if _written(res, "policy") else Unknown("no policy")
    fold_policy(b, res, kind, [target] if target is not None else [], res.at(attr), policy, res.at("policy"))
