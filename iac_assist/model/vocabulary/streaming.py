"""Kinesis data streams and MSK (Kafka) clusters: how their records are encrypted at rest and in
transit. Kinesis Data Firehose, MSK Serverless (TLS only) and MSK Connect are not modelled."""

from __future__ import annotations

from typing import Any

from iac_assist.model.convert import upper
from iac_assist.model.mapping import Mapping, src
from iac_assist.model.vocabulary import fact, kind

KINESIS_STREAM = kind(
    "kinesis.stream", "A Kinesis data stream.",
    fact("name", "str | Unknown", "stream name"),
    fact("encryption_type", "str | Unknown", "server-side encryption: KMS | NONE (upper case)",
         "NONE (the AWS default: records stored unencrypted)"),
    fact("kms_key", "Ref | str | Unknown", "the KMS key (an id, ARN or alias, alias/aws/kinesis included)"),
    service="streaming",
)
MSK_CLUSTER = kind(
    "msk.cluster", "An MSK (Managed Streaming for Apache Kafka) provisioned cluster.",
    fact("name", "str | Unknown", "cluster name"),
    fact("client_broker", "str | Unknown",
         "encryption between clients and brokers: TLS | TLS_PLAINTEXT | PLAINTEXT (upper case)",
         "TLS (the AWS default)"),
    service="streaming",
)


def _setting(value: Any) -> Any:
    """A setting read from the deepest level written: a block or object on the way that is
    written without it says nothing (None, the next path is tried); one not known is unknown."""
    return None if isinstance(value, (dict, list)) else upper(value)


TERRAFORM = {
    "aws_kinesis_stream": Mapping(KINESIS_STREAM, {
        "name": "name",
        "encryption_type": src("encryption_type", convert=upper),
        "kms_key": "kms_key_id",
    }),
    # Levels not known (a dynamic block over a collection not known, a plan) make the setting unknown.
    "aws_msk_cluster": Mapping(MSK_CLUSTER, {
        "name": "cluster_name",
        "client_broker": src(("encryption_info", 0, "encryption_in_transit", 0, "client_broker"),
                             ("encryption_info", 0, "encryption_in_transit"), ("encryption_info", 0), "encryption_info",
                             convert=_setting),
    }),
}

CLOUDFORMATION = {
    "AWS::Kinesis::Stream": Mapping(KINESIS_STREAM, {
        "name": "Name",
        "encryption_type": src(("StreamEncryption", "EncryptionType"), "StreamEncryption", convert=_setting),
        "kms_key": src(("StreamEncryption", "KeyId")),
    }),
    "AWS::MSK::Cluster": Mapping(MSK_CLUSTER, {
        "name": "ClusterName",
        "client_broker": src(("EncryptionInfo", "EncryptionInTransit", "ClientBroker"),
                             ("EncryptionInfo", "EncryptionInTransit"), "EncryptionInfo", convert=_setting),
    }),
}

TABLES = {"terraform": TERRAFORM, "cloudformation": CLOUDFORMATION}
