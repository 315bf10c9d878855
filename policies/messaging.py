"""Messaging policies: SQS queues and SNS topics whose access policy lets anyone in; queues, topics,
Kinesis streams and MSK clusters whose messages are stored or carried unencrypted."""

from __future__ import annotations

from collections.abc import Iterator

from iac_assist.analysis.policy import Hit, policy
from iac_assist.fixes.declare import Change, NoFix
from iac_assist.model import Component, kinds
from iac_assist.model.graph import ResourceGraph
from iac_assist.model.policy_documents import public_grants, statement_label, target_names

_NOUNS = {
    kinds.SQS_QUEUE: "queue",
    kinds.SNS_TOPIC: "topic",
    kinds.SQS_QUEUE_POLICY: "queue",
    kinds.SNS_TOPIC_POLICY: "topic",
}


def _subject(comp: Component) -> tuple[str, str]:
    """What anyone can use, and whose policy lets them: the queue or topic itself, or, for a
    policy resource of queues or topics defined elsewhere, those and the policy resource."""
    noun = _NOUNS[comp.kind]
    if comp.kind in (kinds.SQS_QUEUE, kinds.SNS_TOPIC):
        return f"{noun} {comp.display}", "its policy"
    names = target_names(comp.items("targets"))
    what = f"{noun}{'s' if len(names) > 1 else ''} {', '.join(names)} (defined outside this configuration)"
    return what, f"{noun} policy {comp.display}"



@policy(
    id="IAC-MSG-001",
    control="sqs-sns-public-policy",
    title="SQS queue or SNS topic policy allows anyone",
    severity="high",
    stride="ITD",
    cwe=284,
    remediation="""
Grant the queue or topic to named principals only (an account, role or service), and when a
service principal or `"*"` is needed, add a condition naming the caller: `aws:SourceArn` (the
bucket, topic or rule that sends), `aws:SourceAccount`, `aws:PrincipalOrgID` or `aws:SourceVpce`.
In Terraform, in the `policy` of `aws_sqs_queue` / `aws_sqs_queue_policy` / `aws_sns_topic` /
`aws_sns_topic_policy`; in CloudFormation, in the `PolicyDocument` of `AWS::SQS::QueuePolicy`,
`AWS::SQS::QueueInlinePolicy`, `AWS::SNS::TopicPolicy` or `AWS::SNS::TopicInlinePolicy`.
""",
    references=(
        "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-security-best-practices.html",
        "https://docs.aws.amazon.com/sns/latest/dg/sns-security-best-practices.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html",
    ),
    no_fix="the principals that must be allowed are only known to you",
)
def sqs_sns_public_policy(graph: ResourceGraph) -> Iterator[Hit]:
    """A queue or topic policy that allows Principal "*" without a condition confining the caller
    opens it to every AWS account, and for some actions to unauthenticated callers: anyone can
    read and delete the queue's messages or subscribe an endpoint of theirs to the topic
    (information disclosure), inject forged messages that downstream consumers trust
    (tampering), or flood and purge it (denial of service). Reported once per such statement,
    with Effect Allow, a Principal "*", {"AWS": "*"} or an AWS list containing "*", and no
    condition on a key that confines who calls or from where (aws:SourceArn, aws:SourceAccount,
    aws:SourceOwner, aws:PrincipalOrgID, aws:PrincipalAccount, aws:PrincipalArn, aws:SourceVpce,
    aws:SourceVpc, aws:SourceIp...; the same keys as the S3 controls, compared
    case-insensitively, under a positive operator, their values not judged but for aws:SourceIp,
    which does not confine when it admits 0.0.0.0/0 or ::/0; iac_assist/model/policy_documents.py
    public_grants, shared with resource-policy-public). Decisions: the policy may be written on the
    queue or topic (policy) or come from a policy resource (aws_sqs_queue_policy,
    aws_sns_topic_policy, AWS::SQS::QueuePolicy and AWS::SNS::TopicPolicy for each queue or topic
    they list, AWS::SQS::QueueInlinePolicy, AWS::SNS::TopicInlinePolicy), which replaces the inline
    one as in AWS; the finding names the queue or topic and points at the policy document. A
    policy resource for queues or topics the configuration does not define (a data source, a
    literal URL or ARN of another configuration, an unknown value) is reported on the policy
    resource itself: the policy is still this configuration's. Conditions on other keys
    (aws:SecureTransport, sns:Protocol...) do not exempt the statement, nor do negated operators
    (StringNotEquals aws:SourceAccount admits every other account); a Deny to everyone unless a
    confining condition holds (StringNotEquals aws:SourceVpce...) covering the granted actions
    does; every action counts but read-only metadata alone (Describe*, List*), since any other
    action granted to everyone is public access, and the message names them; the Resource
    element is not judged. A queue or topic without a policy keeps the AWS default
    (owner account only, SNS's conditioned on AWS:SourceOwner) and is not reported. Unknown
    documents, statements, principals, conditions or actions give no finding, nor does a
    NotAction that excludes every action. NotPrincipal is not judged."""
    for comp in graph.of_kind(*_NOUNS):
        for n, statement, granted in public_grants(comp.get("policy")):
            sid = statement.get("Sid")
            subject, holder = _subject(comp)
            yield Hit(
                comp,
                comp.loc_of("policy"),
                f"Anyone can use {subject}: {holder} {statement_label(statement, n)} allows {granted} to Principal "
                "\"*\" with no condition restricting the caller. Name the principals, or add a condition "
                "such as aws:SourceArn, aws:SourceAccount or aws:PrincipalOrgID.",
                cause=f"public:{sid if isinstance(sid, str) and sid else n}",
            )




def _encrypt_messages(hit: Hit, graph: ResourceGraph) -> Change | NoFix:
    """Turn on SQS-managed server-side encryption (SSE-SQS) for a queue; topics, streams and Kafka
    clusters need a key or client changes that are the user's to choose."""
    if hit.cause == "sqs:sse-off":
        return Change(hit.component, {"sqs_managed_sse": True})
    return NoFix("it needs a KMS key whose policy admits every publisher (an AWS managed key does not admit "
                 "other AWS services) or clients that speak TLS: yours to choose")


@policy(
    id="IAC-MSG-002",
    control="messaging-unencrypted",
    title="Messages are stored or carried unencrypted (SNS, SQS, Kinesis, MSK)",
    severity="low",
    stride="I",
    cwe=311,
    remediation="""
SNS: `kms_master_key_id` on `aws_sns_topic` / `KmsMasterKeyId` on `AWS::SNS::Topic` (a customer
managed key, or `alias/aws/sns`). SQS: leave `sqs_managed_sse_enabled` / `SqsManagedSseEnabled` at
its default (true), or set `kms_master_key_id` / `KmsMasterKeyId`. Kinesis: `encryption_type =
"KMS"` with `kms_key_id` on `aws_kinesis_stream` / `StreamEncryption: {EncryptionType: KMS, KeyId:
alias/aws/kinesis}` (or a key of yours) on `AWS::Kinesis::Stream`. MSK: `client_broker = "TLS"` in
`encryption_info { encryption_in_transit { ... } }` on `aws_msk_cluster` /
`EncryptionInfo.EncryptionInTransit.ClientBroker: TLS` on `AWS::MSK::Cluster` (the default), with
clients moved to the TLS listeners first.
""",
    references=(
        "https://docs.aws.amazon.com/sns/latest/dg/sns-server-side-encryption.html",
        "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-server-side-encryption.html",
        "https://docs.aws.amazon.com/streams/latest/dev/server-side-encryption.html",
        "https://docs.aws.amazon.com/msk/latest/developerguide/msk-encryption.html",
    ),
    fix=_encrypt_messages,
)
def messaging_unencrypted(graph: ResourceGraph) -> Iterator[Hit]:
    """Messages often carry what the rest of the system protects (orders, personal data, tokens
    in payloads). Stored without server-side encryption they are readable from the service's
    storage and backups outside the access control of a key policy; carried in plaintext between
    Kafka clients and brokers they can be read or altered by anything that captures VPC traffic.
    Reported: an SNS topic without a KMS key (kms_master_key_id / KmsMasterKeyId unset or empty:
    SNS does not encrypt by default); an SQS queue whose SSE-SQS is explicitly off
    (sqs_managed_sse_enabled / SqsManagedSseEnabled false) and that names no KMS key (SSE-SQS is
    on by default, so an unset setting is not reported); a Kinesis stream whose encryption type
    is NONE or unset (aws_kinesis_stream encryption_type, AWS::Kinesis::Stream StreamEncryption:
    Kinesis does not encrypt by default); an MSK cluster whose client-broker encryption is
    PLAINTEXT or TLS_PLAINTEXT (TLS, the default, is not reported). The finding points at the
    setting, else at the resource. Decisions: an AWS managed key (alias/aws/sns,
    alias/aws/kinesis) counts as encryption (whether the key is the account's own is the
    business of key controls); unknown values (a variable or parameter without value, a block
    over a collection not known) give no finding; MSK in-cluster (broker to broker) encryption,
    at-rest encryption (always on for MSK) and MSK Serverless (TLS only) are not judged."""
    for topic in graph.of_kind(kinds.SNS_TOPIC):
        if topic.is_unset("kms_key"):
            yield Hit(topic, topic.loc_of("kms_key"),
                      f"SNS topic {topic.display} stores messages unencrypted: no KMS key (kms_master_key_id / "
                      "KmsMasterKeyId). Set one (a customer managed key, or alias/aws/sns).",
                      cause="sns:no-kms-key")
    for queue in graph.of_kind(kinds.SQS_QUEUE):
        if queue.is_false("sqs_managed_sse") and queue.is_unset("kms_key"):
            yield Hit(queue, queue.loc_of("sqs_managed_sse"),
                      f"SQS queue {queue.display} stores messages unencrypted: SSE-SQS is turned off "
                      "(sqs_managed_sse_enabled / SqsManagedSseEnabled false) and no KMS key is set. Remove the "
                      "setting (SSE-SQS is the default) or set kms_master_key_id / KmsMasterKeyId.",
                      cause="sqs:sse-off")
    for stream in graph.of_kind(kinds.KINESIS_STREAM):
        if stream.equals("encryption_type", "NONE", unset="NONE"):
            how = "encryption_type is NONE" if stream.has("encryption_type") else \
                "no server-side encryption is configured (Kinesis does not encrypt by default)"
            yield Hit(stream, stream.loc_of("encryption_type"),
                      f"Kinesis stream {stream.display} stores records unencrypted: {how}. Set encryption_type = "
                      "\"KMS\" with kms_key_id / StreamEncryption {EncryptionType: KMS, KeyId}.",
                      cause="kinesis:unencrypted")
    for cluster in graph.of_kind(kinds.MSK_CLUSTER):
        if cluster.one_of("client_broker", ("PLAINTEXT", "TLS_PLAINTEXT")):
            mode = cluster.get("client_broker")
            what = "only in plaintext" if mode == "PLAINTEXT" else "in plaintext as well as TLS"
            yield Hit(cluster, cluster.loc_of("client_broker"),
                      f"MSK cluster {cluster.display} lets clients and brokers talk {what}: client_broker is {mode}. "
                      "Set client_broker / ClientBroker to TLS.",
                      cause=f"msk:{mode}")


POLICIES = [sqs_sns_public_policy, messaging_unencrypted]
