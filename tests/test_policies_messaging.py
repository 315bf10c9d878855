"""Messaging policies (sqs-sns-public-policy): edge cases, each in Terraform and CloudFormation; the
shipped examples are checked against their snapshots by test_policies_examples.py."""

from __future__ import annotations

import pytest

from tests.policy_examples import cfn, found, hits, line, messages, tf

PUBLIC = "sqs-sns-public-policy"


def tf_queue(statement: str, extra: str = "") -> str:
    """``extra``, then a queue ``aws_sqs_queue.q`` whose policy is ``statement`` (HCL object)."""
    return tf(f'''{extra}
resource "aws_sqs_queue" "q" {{
  name   = "q"
  policy = jsonencode({{ Version = "2012-10-17", Statement = [{statement}] }})
}}
''')


def cfn_queue(statement: str, parameters: str = "") -> str:
    """A queue ``Queue`` and a QueuePolicy ``QueuePolicy`` with ``statement`` (YAML flow mapping)."""
    return cfn(f'''
        Queue:
          Type: AWS::SQS::Queue
        QueuePolicy:
          Type: AWS::SQS::QueuePolicy
          Properties:
            Queues: [!Ref Queue]
            PolicyDocument:
              Statement:
                - {statement}
        ''', parameters)


def verdict(write_tree, tf_statement: str, cfn_statement: str, tf_extra: str = "", cfn_parameters: str = "") -> bool:
    """Whether the statement is reported, the same in both formats (asserted)."""
    result = found(write_tree, PUBLIC, tf_queue(tf_statement, tf_extra), cfn_queue(cfn_statement, cfn_parameters))
    files = {file for _, file, _ in result}
    assert files in (set(), {"tf/main.tf", "cfn/template.yaml"}), result
    return bool(files)


# --- what a statement grants, and to whom ----------------------------------------------------------


@pytest.mark.parametrize(("tf_statement", "cfn_statement", "reported"), [
    ('{ Effect = "Allow", Principal = "*", Action = "sqs:SendMessage", Resource = "*" }',
     '{Effect: Allow, Principal: "*", Action: sqs:SendMessage, Resource: "*"}', True),
    ('{ Effect = "Allow", Principal = { AWS = "*" }, Action = "sqs:*" }',
     '{Effect: Allow, Principal: {AWS: "*"}, Action: "sqs:*"}', True),
    ('{ Effect = "Allow", Principal = { AWS = ["arn:aws:iam::111122223333:root", "*"] }, Action = "sqs:Receive*" }',
     '{Effect: Allow, Principal: {AWS: ["arn:aws:iam::111122223333:root", "*"]}, Action: "sqs:Receive*"}', True),
    ('{ Effect = "Allow", Principal = { AWS = "arn:aws:iam::111122223333:root" }, Action = "sqs:*" }',
     '{Effect: Allow, Principal: {AWS: "arn:aws:iam::111122223333:root"}, Action: "sqs:*"}', False),
    ('{ Effect = "Allow", Principal = { Service = "s3.amazonaws.com" }, Action = "sqs:SendMessage" }',
     '{Effect: Allow, Principal: {Service: s3.amazonaws.com}, Action: sqs:SendMessage}', False),
    ('{ Effect = "Deny", Principal = "*", Action = "sqs:*" }',
     '{Effect: Deny, Principal: "*", Action: "sqs:*"}', False),
    ('{ Effect = "Allow", Principal = "*", NotAction = "sqs:DeleteQueue" }',
     '{Effect: Allow, Principal: "*", NotAction: sqs:DeleteQueue}', True),
    ('{ Effect = "Allow", Principal = "*", NotAction = "*" }',
     '{Effect: Allow, Principal: "*", NotAction: "*"}', False),
], ids=["star", "aws-star", "aws-list-with-star", "account", "service", "deny", "not-action", "not-action-star"])
def test_principal_effect_and_actions(write_tree, tf_statement, cfn_statement, reported):
    assert verdict(write_tree, tf_statement, cfn_statement) is reported


@pytest.mark.parametrize(("tf_condition", "cfn_condition", "reported"), [
    ('{ ArnEquals = { "aws:SourceArn" = "arn:aws:s3:::acme-ingest" } }',
     '{ArnEquals: {"aws:SourceArn": "arn:aws:s3:::acme-ingest"}}', False),
    # SNS's own default policy: Principal "*" confined to the owner account, key spelt in capitals.
    ('{ StringEquals = { "AWS:SourceOwner" = "111122223333" } }', '{StringEquals: {"AWS:SourceOwner": "111122223333"}}',
     False),
    ('{ StringEquals = { "aws:PrincipalOrgID" = "o-abc123" } }', '{StringEquals: {"aws:PrincipalOrgID": o-abc123}}',
     False),
    # Conditions on how a request is made do not confine who makes it.
    ('{ Bool = { "aws:SecureTransport" = "true" } }', '{Bool: {"aws:SecureTransport": "true"}}', True),
    # Shared with resource-policy-public: a negated operator admits everyone else, and a source
    # range that holds the whole internet confines nothing.
    ('{ StringNotEquals = { "aws:SourceAccount" = "111122223333" } }',
     '{StringNotEquals: {"aws:SourceAccount": "111122223333"}}', True),
    ('{ IpAddress = { "aws:SourceIp" = ["0.0.0.0/0"] } }', '{IpAddress: {"aws:SourceIp": ["0.0.0.0/0"]}}', True),
    ('{ IpAddress = { "aws:SourceIp" = ["198.51.100.0/24"] } }', '{IpAddress: {"aws:SourceIp": ["198.51.100.0/24"]}}',
     False),
], ids=["source-arn", "source-owner-capitals", "org-id", "secure-transport", "negated", "open-range", "narrow-range"])
def test_only_conditions_on_the_caller_exempt(write_tree, tf_condition, cfn_condition, reported):
    tf_statement = f'{{ Effect = "Allow", Principal = "*", Action = "sqs:SendMessage", Condition = {tf_condition} }}'
    cfn_statement = f'{{Effect: Allow, Principal: "*", Action: sqs:SendMessage, Condition: {cfn_condition}}}'
    assert verdict(write_tree, tf_statement, cfn_statement) is reported


def test_unknown_parts_give_no_finding(write_tree):
    variable, parameter = 'variable "x" {}', "X:\n  Type: String\n"
    for tf_statement, cfn_statement in [
        ('{ Effect = "Allow", Principal = var.x, Action = "sqs:*" }',
         '{Effect: Allow, Principal: !Ref X, Action: "sqs:*"}'),
        ('{ Effect = "Allow", Principal = "*", Action = var.x }', '{Effect: Allow, Principal: "*", Action: !Ref X}'),
        ('{ Effect = var.x, Principal = "*", Action = "sqs:*" }', '{Effect: !Ref X, Principal: "*", Action: "sqs:*"}'),
    ]:
        assert verdict(write_tree, tf_statement, cfn_statement, variable, parameter) is False, tf_statement


def test_unknown_condition_or_document_gives_no_finding(write_tree):
    terraform = tf('''
        variable "policy" {}
        variable "condition" {}
        resource "aws_sqs_queue" "a" {
          policy = var.policy
        }
        resource "aws_sqs_queue" "b" {
          policy = jsonencode({ Statement = [{ Effect = "Allow", Principal = "*", Action = "sqs:*",
                                               Condition = var.condition }] })
        }
        ''')
    cloudformation = cfn('''
        Queue:
          Type: AWS::SQS::Queue
        QueuePolicy:
          Type: AWS::SQS::QueuePolicy
          Properties:
            Queues: [!Ref Queue]
            PolicyDocument: !Ref Policy
        ''', "Policy:\n  Type: String\n")
    assert found(write_tree, PUBLIC, terraform, cloudformation) == set()


def test_no_policy_is_the_aws_default_and_an_empty_policy_argument_is_none(write_tree):
    terraform = tf('''
        resource "aws_sqs_queue" "a" {}
        resource "aws_sns_topic" "b" {
          policy = ""
        }
        ''')
    cloudformation = cfn("Queue:\n  Type: AWS::SQS::Queue\nTopic:\n  Type: AWS::SNS::Topic\n")
    assert found(write_tree, PUBLIC, terraform, cloudformation) == set()


# --- where the policy comes from ---------------------------------------------------------------------

PUBLIC_TF = 'jsonencode({ Statement = [{ Effect = "Allow", Principal = "*", Action = "sns:Publish" }] })'
PRIVATE_TF = ('jsonencode({ Statement = [{ Effect = "Allow", Principal = { AWS = "111122223333" }, '
              'Action = "sns:Publish" }] })')


def test_a_policy_resource_replaces_the_inline_policy_and_is_located_at_its_own_line(write_tree):
    terraform = tf(f'''
        resource "aws_sns_topic" "private_now" {{
          name   = "private-now"
          policy = {PUBLIC_TF}
        }}
        resource "aws_sns_topic_policy" "private_now" {{
          arn    = aws_sns_topic.private_now.arn
          policy = {PRIVATE_TF}
        }}
        resource "aws_sns_topic" "public_now" {{
          name   = "public-now"
          policy = {PRIVATE_TF}
        }}
        resource "aws_sns_topic_policy" "public_now" {{
          arn    = aws_sns_topic.public_now.arn
          policy = {PUBLIC_TF}
        }}
        ''')
    root = write_tree({"main.tf": terraform})
    # The public policy is written twice: on the first topic (replaced) and on the second's policy resource.
    written = [n for n, content in enumerate(terraform.splitlines(), 1) if f"policy = {PUBLIC_TF}" in content]
    assert hits(root, PUBLIC) == {("aws_sns_topic.public_now", "main.tf", written[1])}


def test_every_policy_resource_type_of_cloudformation(write_tree):
    statement = '{Effect: Allow, Principal: "*", Action: "*"}'
    cloudformation = cfn(f'''
        First:
          Type: AWS::SQS::Queue
        Second:
          Type: AWS::SQS::Queue
        Third:
          Type: AWS::SQS::Queue
        Topic:
          Type: AWS::SNS::Topic
        Other:
          Type: AWS::SNS::Topic
        Both:
          Type: AWS::SQS::QueuePolicy
          Properties:
            Queues: [!Ref First, !GetAtt Second.QueueUrl]
            PolicyDocument: {{Statement: [{statement}]}}
        Inline:
          Type: AWS::SQS::QueueInlinePolicy
          Properties:
            Queue: !Ref Third
            PolicyDocument: '{{"Statement": [{{"Effect": "Allow", "Principal": "*", "Action": "sqs:*"}}]}}'
        TopicPolicy:
          Type: AWS::SNS::TopicPolicy
          Properties:
            Topics: [!Ref Topic]
            PolicyDocument: {{Statement: [{statement}]}}
        TopicInline:
          Type: AWS::SNS::TopicInlinePolicy
          Properties:
            TopicArn: !Ref Other
            PolicyDocument: {{Statement: [{statement}]}}
        ''')
    root = write_tree({"template.yaml": cloudformation})
    both = line(cloudformation, "Queues: [!Ref First") + 1
    assert hits(root, PUBLIC) == {
        ("First", "template.yaml", both),
        ("Second", "template.yaml", both),
        ("Third", "template.yaml", line(cloudformation, "PolicyDocument: '")),
        ("Topic", "template.yaml", line(cloudformation, "Topics: [!Ref Topic]") + 1),
        ("Other", "template.yaml", line(cloudformation, "TopicArn: !Ref Other") + 1),
    }


def test_literal_urls_and_arns_find_the_queue_or_topic_by_name(write_tree):
    terraform = tf(f'''
        resource "aws_sqs_queue" "q" {{
          name = "jobs"
        }}
        resource "aws_sqs_queue_policy" "q" {{
          queue_url = "https://sqs.eu-west-1.amazonaws.com/111122223333/jobs"
          policy    = {PUBLIC_TF}
        }}
        ''')
    cloudformation = cfn('''
        Topic:
          Type: AWS::SNS::Topic
          Properties:
            TopicName: alerts
        TopicPolicy:
          Type: AWS::SNS::TopicPolicy
          Properties:
            Topics: [arn:aws:sns:eu-west-1:111122223333:alerts]
            PolicyDocument: {Statement: [{Effect: Allow, Principal: "*", Action: "sns:Publish"}]}
        ''')
    assert {r for r, _, _ in found(write_tree, PUBLIC, terraform, cloudformation)} == {"aws_sqs_queue.q", "Topic"}


def test_a_policy_for_queues_or_topics_defined_elsewhere_is_reported_on_the_policy_resource(write_tree):
    terraform = tf(f'''
        variable "topic_arn" {{}}
        data "aws_sqs_queue" "shared" {{
          name = "shared"
        }}
        resource "aws_sqs_queue_policy" "shared" {{
          queue_url = data.aws_sqs_queue.shared.url
          policy    = {PUBLIC_TF}
        }}
        resource "aws_sns_topic_policy" "external" {{
          arn    = var.topic_arn
          policy = {PUBLIC_TF}
        }}
        ''')
    cloudformation = cfn('''
        Mine:
          Type: AWS::SQS::Queue
        QueuePolicy:
          Type: AWS::SQS::QueuePolicy
          Properties:
            Queues: [!Ref Mine, "https://sqs.eu-west-1.amazonaws.com/111122223333/theirs"]
            PolicyDocument: {Statement: [{Effect: Allow, Principal: "*", Action: "sqs:*"}]}
        ''')
    root = write_tree({"tf/main.tf": terraform, "cfn/template.yaml": cloudformation})
    policy_line = line(cloudformation, "PolicyDocument:")
    assert hits(root, PUBLIC) == {
        ("aws_sqs_queue_policy.shared", "tf/main.tf", line(terraform, "queue_url") + 1),
        ("aws_sns_topic_policy.external", "tf/main.tf", line(terraform, "arn    = var.topic_arn") + 1),
        ("Mine", "cfn/template.yaml", policy_line),
        ("QueuePolicy", "cfn/template.yaml", policy_line),
    }
    texts = messages(root, PUBLIC)
    assert any("Anyone can use queue https://sqs.eu-west-1.amazonaws.com/111122223333/theirs (defined outside this "
               "configuration): queue policy QueuePolicy statement 1 allows sqs:*" in t for t in texts)
    assert any("Anyone can use queue data.aws_sqs_queue.shared (defined outside this configuration)" in t
               for t in texts)
    assert any("Anyone can use topic a value not known before deployment" in t for t in texts)


def test_message_names_the_statement_and_the_fix(write_tree):
    root = write_tree({"main.tf": tf_queue(
        '{ Sid = "Open", Effect = "Allow", Principal = "*", Action = ["sqs:SendMessage", "sqs:ReceiveMessage"] }')})
    [text] = messages(root, PUBLIC)
    assert text.startswith('Anyone can use queue aws_sqs_queue.q: its policy statement \'Open\' allows '
                           'sqs:SendMessage, sqs:ReceiveMessage to Principal "*" with no condition restricting '
                           'the caller.')
    assert "aws:SourceArn" in text


def test_an_empty_name_is_unset_in_both_formats(write_tree):
    # Drift the tables revealed: Terraform left an empty name (a module's "no name" default) unset,
    # CloudFormation kept "" as the queue's name.
    from iac_assist.analysis.engine import scan

    root = write_tree({
        "tf/main.tf": tf('resource "aws_sqs_queue" "q" {\n  name = ""\n}\n'),
        "cfn/template.yaml": cfn('Queue:\n  Type: AWS::SQS::Queue\n  Properties:\n    QueueName: ""\n'),
    })
    queues = [c for c in scan([root]).graph.components.values() if c.kind == "sqs.queue"]
    assert len(queues) == 2 and not any(q.has("name") for q in queues)


def test_a_policy_resource_naming_no_queue_applies_to_nothing_in_both_formats(write_tree):
    # Drift the shared fold_policy() fixed: Terraform kept a policy whose queue_url is null as a
    # policy component of its own (targets []); CloudFormation, without Queues, made none.
    from iac_assist.analysis.engine import scan

    root = write_tree({
        "tf/main.tf": tf('resource "aws_sqs_queue_policy" "p" {\n  queue_url = null\n  policy    = "{}"\n}\n'),
        "cfn/template.yaml": cfn('Policy:\n  Type: AWS::SQS::QueuePolicy\n  Properties:\n    PolicyDocument: {}\n'),
    })
    assert not [c for c in scan([root]).graph.components.values() if c.kind == "sqs.queue_policy"]


# --- messaging-unencrypted -----------------------------------------------------------------------

UNENCRYPTED = "messaging-unencrypted"
_KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"

MESSAGING_TF = tf(f'''
    variable "key" {{
      type = string
    }}

    variable "sse" {{
      type = bool
    }}

    variable "encryption" {{
      type = string
    }}

    variable "broker" {{
      type = string
    }}

    variable "transit" {{
      type = any
    }}

    resource "aws_sns_topic" "plain" {{
      name = "plain"
    }}

    resource "aws_sns_topic" "empty_key" {{
      kms_master_key_id = ""
    }}

    resource "aws_sns_topic" "managed" {{
      kms_master_key_id = "alias/aws/sns"
    }}

    resource "aws_sns_topic" "maybe" {{
      kms_master_key_id = var.key
    }}

    resource "aws_sqs_queue" "default" {{
      name = "default"
    }}

    resource "aws_sqs_queue" "off" {{
      sqs_managed_sse_enabled = false
    }}

    resource "aws_sqs_queue" "kms" {{
      sqs_managed_sse_enabled = false
      kms_master_key_id       = "{_KEY}"
    }}

    resource "aws_sqs_queue" "maybe_off" {{
      sqs_managed_sse_enabled = var.sse
    }}

    resource "aws_sqs_queue" "off_maybe_key" {{
      sqs_managed_sse_enabled = false
      kms_master_key_id       = var.key
    }}

    resource "aws_kinesis_stream" "default" {{
      name        = "default"
      shard_count = 1
    }}

    resource "aws_kinesis_stream" "none" {{
      name            = "none"
      shard_count     = 1
      encryption_type = "NONE"
    }}

    resource "aws_kinesis_stream" "kms" {{
      name            = "kms"
      shard_count     = 1
      encryption_type = "KMS"
      kms_key_id      = "alias/aws/kinesis"
    }}

    resource "aws_kinesis_stream" "maybe" {{
      name            = "maybe"
      shard_count     = 1
      encryption_type = var.encryption
    }}

    resource "aws_msk_cluster" "default" {{
      cluster_name = "default"
    }}

    resource "aws_msk_cluster" "plaintext" {{
      cluster_name = "plaintext"
      encryption_info {{
        encryption_in_transit {{
          client_broker = "PLAINTEXT"
        }}
      }}
    }}

    resource "aws_msk_cluster" "tls" {{
      cluster_name = "tls"
      encryption_info {{
        encryption_in_transit {{
          client_broker = "TLS"
        }}
      }}
    }}

    resource "aws_msk_cluster" "maybe" {{
      cluster_name = "maybe"
      encryption_info {{
        encryption_in_transit {{
          client_broker = var.broker
        }}
      }}
    }}

    resource "aws_msk_cluster" "dynamic" {{
      cluster_name = "dynamic"
      encryption_info {{
        dynamic "encryption_in_transit" {{
          for_each = var.transit
          content {{
            client_broker = encryption_in_transit.value.client_broker
          }}
        }}
      }}
    }}
''')

MESSAGING_CFN = cfn(f'''
    Plain:
      Type: AWS::SNS::Topic
    EmptyKey:
      Type: AWS::SNS::Topic
      Properties:
        KmsMasterKeyId: ""
    Managed:
      Type: AWS::SNS::Topic
      Properties:
        KmsMasterKeyId: alias/aws/sns
    MaybeTopic:
      Type: AWS::SNS::Topic
      Properties:
        KmsMasterKeyId: !Ref Key
    DefaultQueue:
      Type: AWS::SQS::Queue
    SseOff:
      Type: AWS::SQS::Queue
      Properties:
        SqsManagedSseEnabled: false
    Kms:
      Type: AWS::SQS::Queue
      Properties:
        SqsManagedSseEnabled: "false"
        KmsMasterKeyId: {_KEY}
    MaybeOff:
      Type: AWS::SQS::Queue
      Properties:
        SqsManagedSseEnabled: !Ref Sse
    DefaultStream:
      Type: AWS::Kinesis::Stream
      Properties:
        ShardCount: 1
    KmsStream:
      Type: AWS::Kinesis::Stream
      Properties:
        ShardCount: 1
        StreamEncryption:
          EncryptionType: KMS
          KeyId: alias/aws/kinesis
    MaybeStream:
      Type: AWS::Kinesis::Stream
      Properties:
        ShardCount: 1
        StreamEncryption: !Ref Encryption
    DefaultCluster:
      Type: AWS::MSK::Cluster
      Properties:
        ClusterName: default
    Plaintext:
      Type: AWS::MSK::Cluster
      Properties:
        EncryptionInfo:
          EncryptionInTransit:
            ClientBroker: TLS_PLAINTEXT
    InClusterOnly:
      Type: AWS::MSK::Cluster
      Properties:
        EncryptionInfo:
          EncryptionInTransit:
            InCluster: true
    MaybeCluster:
      Type: AWS::MSK::Cluster
      Properties:
        EncryptionInfo:
          EncryptionInTransit: !Ref Transit
''', parameters='''
    Key:
      Type: String
    Sse:
      Type: String
    Encryption:
      Type: String
    Transit:
      Type: String
''')


def test_unencrypted_messaging_in_both_formats(write_tree):
    """SNS without a key (or an empty one), SQS with SSE-SQS off and no key, Kinesis with no or
    NONE encryption, MSK admitting plaintext clients: reported at the setting, else the resource.
    Defaults that encrypt (SSE-SQS, MSK TLS), an AWS managed key and unknown values are not."""
    assert found(write_tree, UNENCRYPTED, MESSAGING_TF, MESSAGING_CFN) == {
        ("aws_sns_topic.plain", "tf/main.tf", line(MESSAGING_TF, '"aws_sns_topic" "plain"')),
        ("aws_sns_topic.empty_key", "tf/main.tf", line(MESSAGING_TF, 'kms_master_key_id = ""')),
        ("aws_sqs_queue.off", "tf/main.tf", line(MESSAGING_TF, '"aws_sqs_queue" "off"') + 1),
        ("aws_kinesis_stream.default", "tf/main.tf", line(MESSAGING_TF, '"aws_kinesis_stream" "default"')),
        ("aws_kinesis_stream.none", "tf/main.tf", line(MESSAGING_TF, '"NONE"')),
        ("aws_msk_cluster.plaintext", "tf/main.tf", line(MESSAGING_TF, '"PLAINTEXT"')),
        ("Plain", "cfn/template.yaml", line(MESSAGING_CFN, "  Plain:")),
        ("EmptyKey", "cfn/template.yaml", line(MESSAGING_CFN, 'KmsMasterKeyId: ""')),
        ("SseOff", "cfn/template.yaml", line(MESSAGING_CFN, "SqsManagedSseEnabled: false")),
        ("DefaultStream", "cfn/template.yaml", line(MESSAGING_CFN, "  DefaultStream:")),
        ("Plaintext", "cfn/template.yaml", line(MESSAGING_CFN, "ClientBroker: TLS_PLAINTEXT")),
    }


def test_unencrypted_messaging_threats_open_mitigated_or_undetermined(write_tree):
    from tests.test_threatmodel_states import threats_of

    threats = threats_of(write_tree({"tf/main.tf": MESSAGING_TF, "cfn/template.yaml": MESSAGING_CFN}))
    status = {t["id"]: t["status"] for t in threats.values()
              if t["id"].split("@")[0] in ("messaging-at-rest", "stream-at-rest", "kafka-eavesdropping")}
    expected = {
        "aws_sns_topic.plain": "open", "aws_sns_topic.managed": "mitigated", "aws_sns_topic.maybe": "undetermined",
        "aws_sqs_queue.default": "mitigated", "aws_sqs_queue.off": "open", "aws_sqs_queue.kms": "mitigated",
        "aws_sqs_queue.maybe_off": "undetermined", "aws_sqs_queue.off_maybe_key": "undetermined",
        "aws_kinesis_stream.default": "open", "aws_kinesis_stream.kms": "mitigated",
        "aws_kinesis_stream.maybe": "undetermined",
        "aws_msk_cluster.default": "mitigated", "aws_msk_cluster.plaintext": "open", "aws_msk_cluster.tls": "mitigated",
        "aws_msk_cluster.maybe": "undetermined", "aws_msk_cluster.dynamic": "undetermined",
        "MaybeStream": "undetermined", "MaybeCluster": "undetermined", "MaybeOff": "undetermined",
        "InClusterOnly": "mitigated", "DefaultQueue": "mitigated",
    }
    for resource, state in expected.items():
        [threat] = [s for tid, s in status.items() if tid.endswith("@" + resource)]
        assert threat == state, resource


def test_unencrypted_messaging_in_a_plan(tmp_path):
    """Plan JSON: known values are judged as in the sources; values computed at apply are not."""
    from tests.test_terraform_plan import plan_text, write

    resources = [
        {"address": "aws_sns_topic.t", "type": "aws_sns_topic", "name": "t", "values": {"kms_master_key_id": None}},
        {"address": "aws_sns_topic.k", "type": "aws_sns_topic", "name": "k", "values": {}},
        {"address": "aws_sqs_queue.q", "type": "aws_sqs_queue", "name": "q",
         "values": {"sqs_managed_sse_enabled": False, "kms_master_key_id": None}},
        {"address": "aws_sqs_queue.d", "type": "aws_sqs_queue", "name": "d", "values": {}},
        {"address": "aws_kinesis_stream.s", "type": "aws_kinesis_stream", "name": "s",
         "values": {"name": "s", "encryption_type": "NONE"}},
        {"address": "aws_msk_cluster.m", "type": "aws_msk_cluster", "name": "m",
         "values": {"cluster_name": "m", "encryption_info": [
             {"encryption_in_transit": [{"client_broker": "TLS_PLAINTEXT", "in_cluster": True}]}]}},
        {"address": "aws_msk_cluster.u", "type": "aws_msk_cluster", "name": "u", "values": {"cluster_name": "u"}},
    ]
    unknown = {"aws_sns_topic.k": {"kms_master_key_id": True},
               "aws_sqs_queue.d": {"sqs_managed_sse_enabled": True},
               "aws_msk_cluster.u": {"encryption_info": True}}
    write(tmp_path, "plan.json", plan_text(resources, unknown=unknown))
    assert {r for r, _f, _n in hits(tmp_path, UNENCRYPTED)} == {
        "aws_sns_topic.t", "aws_sqs_queue.q", "aws_kinesis_stream.s", "aws_msk_cluster.m"}
