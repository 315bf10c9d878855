"""The model's vocabulary: component kinds and the facts each one carries.

This is the contract between the normalizers (one per input format) and the policies (written
once). A fact that the source leaves unset is absent from ``Component.facts``; a fact whose value
cannot be known statically holds ``Unknown``; a reference to another resource holds ``Ref``.
Booleans are Python bools, ports ints, protocols upper-case strings, CIDRs strings.

iam.policy                                   an identity policy: managed (aws_iam_policy,
                                             AWS::IAM::ManagedPolicy) or inline (aws_iam_role_policy,
                                             aws_iam_user_policy, aws_iam_group_policy, aws_iam_role
                                             inline_policy, AWS::IAM::Policy, AWS::IAM::RolePolicy...,
                                             Policies of AWS::IAM::Role/User/Group). An inline policy
                                             written inside a principal is a part of it: it has the
                                             principal's address and id "<address>.<block>[i]"
    name                  str | Unknown      policy name
    managed               bool               True for a managed (attachable) policy
    document              dict | Unknown     the policy document (parsed JSON; parts may be Unknown)
    statements            list[Fact[dict | Unknown]] | Unknown  the document's statements (a
                                             single Statement object becomes a list of one), each
                                             located at its own line when the source keeps it
                                             (CloudFormation), else at the document's line
    attached_to           list[Ref | str] | Unknown  roles, users and groups it applies to: an inline
                                             policy's owner; for a managed policy, attachment
                                             resources and principals' managed_policy_arns /
                                             ManagedPolicyArns (absent: attached to nothing known)
iam.role / iam.user / iam.group
    name                  str | Unknown
    managed_policies      list[Ref | str] | Unknown  managed policy ARNs the principal lists itself
    trust_policy          dict | Unknown     (iam.role) the assume-role policy document
search.domain                                OpenSearch / Elasticsearch domains (aws_opensearch_domain,
                                             aws_elasticsearch_domain, AWS::OpenSearchService::Domain,
                                             AWS::Elasticsearch::Domain)
    name                  str                domain name
    encrypt_at_rest       bool | Unknown     absent: off (the AWS default)
    node_to_node_encryption bool | Unknown   absent: off (the AWS default)
lambda.function
    name                  str                function name
lambda.function_url
    function              Ref | str | Unknown  the function (name or ARN) the URL invokes
    auth_type             str | Unknown      NONE | AWS_IAM (upper case; required by both formats)
lambda.permission                            a statement of a function's resource-based policy
                                             (aws_lambda_permission, AWS::Lambda::Permission)
    function              Ref | str | Unknown  the function (name, ARN or partial ARN)
    principal             str | Unknown      "*", an account id or ARN, a service principal
    action                str | Unknown      lambda:InvokeFunction, lambda:InvokeFunctionUrl, lambda:*...
    url_auth_type         str | Unknown      NONE | AWS_IAM: the statement only applies to function
                                             URL requests of that auth type; absent: any request
    invoked_via_url       bool | Unknown     (invoked_via_function_url / InvokedViaFunctionUrl) the
                                             statement only applies to invocations through a
                                             function URL; absent: false
    source_arn, source_account, principal_org_id, event_source_token
                          Ref | str | Unknown  the statement's conditions, each present only when set
dynamodb.table                               (aws_dynamodb_table, aws_dynamodb_table_replica,
                                             AWS::DynamoDB::Table, AWS::DynamoDB::GlobalTable)
    name                  str | Unknown      table name
    point_in_time_recovery bool | Unknown    the table's own (main region) PITR; absent: off
    replicas              list[Fact[dict]] | Unknown  global table (v2) replicas (Terraform: in
                                             other regions; CloudFormation: every region), each
                                             {"region": str | Unknown, "point_in_time_recovery":
                                             bool | Unknown (absent key: off)}, located at the
                                             replica's PITR setting, else at the replica
    global_table          bool               True when every region is a replica (CloudFormation
                                             GlobalTable): the table has no setting of its own
    replica_of            Ref | str | Unknown  (aws_dynamodb_table_replica) the global table it joins
elasticache.replication_group                (Redis OSS / Valkey, node-based)
    name                  str                replication group id
    engine                str | Unknown      redis | valkey (lower case); absent: redis
    transit_encryption    bool | Unknown     absent: off (the AWS default)
    transit_encryption_mode str | Unknown    preferred (plaintext still accepted) | required;
                                             absent: required once transit encryption is on
    global_datastore      Ref | str | Unknown  the Global Datastore it joins as a secondary (it
                                             then takes the primary's settings)
elasticache.cluster                          a cache cluster (aws_elasticache_cluster,
                                             AWS::ElastiCache::CacheCluster); serverless caches are
                                             not modelled (always encrypted in transit)
    name                  str                cluster id
    engine                str | Unknown      memcached | redis | valkey (lower case)
    transit_encryption    bool | Unknown     absent: off (the AWS default)
    replication_group     Ref | str | Unknown  the replication group it is a member of (its
                                             settings are the group's)
eks.cluster
    name                  str
    endpoint_public_access bool | Unknown    absent: true (the AWS default)
    endpoint_private_access bool | Unknown   absent: false
    public_access_cidrs   list[str | Unknown] | Unknown  CIDRs allowed to reach the public
                                             endpoint; absent: ["0.0.0.0/0"] (the AWS default)
    subnets               list[Ref | str] | Unknown
    security_groups       list[Ref | str] | Unknown  additional control plane security groups
    outpost               bool               a local cluster on AWS Outposts (private endpoint only)
apigateway.rest_api                          REST API (API Gateway v1)
    name                  str | Unknown
apigateway.resource                          a path segment of a REST API
    api                   Ref | str | Unknown
    parent                Ref | str | Unknown  the parent resource (the API's root_resource_id /
                                             RootResourceId for a top-level segment)
    path_part             str | Unknown
apigateway.method                            a REST API method
    api                   Ref | str | Unknown
    resource              Ref | str | Unknown  the API resource (path) it is on
    http_method           str | Unknown      upper case: GET, POST, ANY, OPTIONS...
    authorization         str | Unknown      NONE | AWS_IAM | CUSTOM | COGNITO_USER_POOLS (upper
                                             case); absent: NONE (the CloudFormation default)
    api_key_required      bool | Unknown     absent: false
apigateway.api                               HTTP or WebSocket API (API Gateway v2)
    name                  str | Unknown
    protocol              str | Unknown      HTTP | WEBSOCKET (upper case)
    quick_create_target   Ref | str | Unknown  quick create (target / Target): API Gateway then
                                             makes a default route without authorization
    quick_create_route    str | Unknown      that route's key; absent: $default
apigateway.route                             an HTTP or WebSocket API route
    api                   Ref | str | Unknown
    route_key             str | Unknown      "GET /orders", "ANY /{proxy+}", "$default", "$connect"...
    authorization         str | Unknown      NONE | AWS_IAM | CUSTOM | JWT (upper case); absent: NONE
    api_key_required      bool | Unknown     (WebSocket) absent: false
cloudtrail.trail                             (aws_cloudtrail, AWS::CloudTrail::Trail)
    name                  str | Unknown      trail name
    multi_region          bool | Unknown     records every region; absent: false (the AWS default)
    log_file_validation   bool | Unknown     digest files make log tampering detectable; absent: false
    kms_key               Ref | str | Unknown  KMS key the log files are encrypted with (SSE-KMS);
                                             "" or absent: SSE-S3 only
    logging               bool | Unknown     the trail records (enable_logging / IsLogging); absent:
                                             true (the Terraform default; CloudFormation requires it)
    organization          bool | Unknown     an organization trail, recording every member account;
                                             absent: false
account.setting                              an account-wide service or setting, which an application
                                             stack does not configure: AWS Organizations, the IAM
                                             password policy and account alias, GuardDuty, AWS Config
                                             recorders and delivery channels, Security Hub, IAM Access
                                             Analyzer, Macie, Detective, Inspector, the EBS default KMS
                                             key, account contacts (s3.account_public_access_block,
                                             ec2.ebs_default_encryption, ec2.metadata_defaults and
                                             cloudtrail.trail are account-wide too)
    setting               str                organizations | iam-password-policy | iam-account-alias |
                                             guardduty | config | securityhub | access-analyzer |
                                             macie | detective | inspector | ebs-default-kms-key |
                                             account-contact
    attributes            dict               the whole evaluated body, as on ``other``
kms.key                                      a customer managed KMS key (aws_kms_key, AWS::KMS::Key;
                                             replica keys follow their primary and are not modelled)
    rotation              bool | Unknown     automatic key rotation; absent: off (the AWS default)
    key_spec              str | Unknown      SYMMETRIC_DEFAULT | RSA_2048 | ECC_NIST_P256 | HMAC_256 |
                                             ...; absent: SYMMETRIC_DEFAULT
    key_usage             str | Unknown      ENCRYPT_DECRYPT | SIGN_VERIFY | GENERATE_VERIFY_MAC |
                                             KEY_AGREEMENT; absent: ENCRYPT_DECRYPT
    origin                str | Unknown      where the key material comes from: AWS_KMS | EXTERNAL
                                             (imported) | AWS_CLOUDHSM | EXTERNAL_KEY_STORE (custom key
                                             stores); absent: AWS_KMS
    enabled               bool | Unknown     absent: true
sqs.queue / sns.topic                        (aws_sqs_queue, aws_sns_topic, AWS::SQS::Queue,
                                             AWS::SNS::Topic)
    name                  str | Unknown      queue / topic name
    policy                dict | Unknown     the access policy (parsed JSON), from the resource itself
                                             or folded from a policy resource (aws_sqs_queue_policy,
                                             aws_sns_topic_policy, AWS::SQS::QueuePolicy,
                                             AWS::SQS::QueueInlinePolicy, AWS::SNS::TopicPolicy,
                                             AWS::SNS::TopicInlinePolicy), located there; absent:
                                             the AWS default (owner account only)
sqs.queue_policy / sns.topic_policy          a policy resource for queues / topics the configuration
                                             does not define (a data source, a literal URL or ARN of
                                             another configuration, a value not known statically)
    policy                dict | Unknown     as on a queue / topic
    targets               list[Ref | str | Unknown] | Unknown  those queue URLs / topic ARNs
any kind
    credentials           list[Fact[dict]]   literal secrets in the resource's evaluated body (set
                                             by the shared Normalizer for every resource, see
                                             iac_assist/model/credentials.py): each {"attribute": path
                                             such as "master_password" or
                                             "Environment.Variables.DB_PASSWORD", "masked": the
                                             first characters + "****"}; the clear value is
                                             never kept. Absent when there is none.
    data_classification   str                what the resource holds, from its tags (a key such as
                                             data-classification, DataClassification,
                                             data_classification): public | internal |
                                             confidential | restricted, lower case; absent when
                                             not tagged so (see iac_assist/model/data_classification.py)
other
    attributes            dict               the whole evaluated body, for references

"""

from iac_assist.model.vocabulary.cdn import CLOUDFRONT  # noqa: F401
from iac_assist.model.vocabulary.ec2 import (  # noqa: F401
    AUTOSCALING_GROUP,
    EBS_DEFAULT_ENCRYPTION,
    INSTANCE,
    LAUNCH_CONFIGURATION,
    LAUNCH_TEMPLATE,
    METADATA_DEFAULTS,
    SNAPSHOT,
    VOLUME,
)
from iac_assist.model.vocabulary.lb import LB, LB_LISTENER, LB_TARGET_GROUP  # noqa: F401
from iac_assist.model.vocabulary.rds import RDS_CLUSTER, RDS_INSTANCE, RDS_SNAPSHOT, RDS_SUBNET_GROUP  # noqa: F401
from iac_assist.model.vocabulary.s3 import S3_ACCOUNT_PAB, S3_BUCKET, S3_BUCKET_POLICY  # noqa: F401
from iac_assist.model.vocabulary.vpc import (  # noqa: F401
    FLOW_LOG,
    INTERNET_GATEWAY,
    NETWORK_ACL,
    ROUTE_TABLE,
    SECURITY_GROUP,
    SUBNET,
    VPC,
)

LAUNCHABLE = (INSTANCE, LAUNCH_TEMPLATE, LAUNCH_CONFIGURATION)
"""What describes how instances launch: metadata options, volumes, user data, public address."""
OTHER = "other"

DATABASES = (RDS_INSTANCE, RDS_CLUSTER)

IAM_POLICY = "iam.policy"
IAM_ROLE = "iam.role"
IAM_USER = "iam.user"
IAM_GROUP = "iam.group"
IAM_PRINCIPALS = (IAM_ROLE, IAM_USER, IAM_GROUP)

SEARCH_DOMAIN = "search.domain"
LAMBDA_FUNCTION = "lambda.function"
LAMBDA_URL = "lambda.function_url"
LAMBDA_PERMISSION = "lambda.permission"
DYNAMODB_TABLE = "dynamodb.table"
ELASTICACHE_REPLICATION_GROUP = "elasticache.replication_group"
ELASTICACHE_CLUSTER = "elasticache.cluster"
EKS_CLUSTER = "eks.cluster"
APIGW_REST_API = "apigateway.rest_api"
APIGW_RESOURCE = "apigateway.resource"
APIGW_METHOD = "apigateway.method"
APIGW_API = "apigateway.api"
APIGW_ROUTE = "apigateway.route"

CLOUDTRAIL = "cloudtrail.trail"
ACCOUNT_SETTING = "account.setting"
ACCOUNT_LEVEL = (ACCOUNT_SETTING, S3_ACCOUNT_PAB, EBS_DEFAULT_ENCRYPTION, METADATA_DEFAULTS, CLOUDTRAIL)
"""What only a configuration of an account's own infrastructure (a baseline) defines."""
KMS_KEY = "kms.key"
SQS_QUEUE = "sqs.queue"
SQS_QUEUE_POLICY = "sqs.queue_policy"
SNS_TOPIC = "sns.topic"
SNS_TOPIC_POLICY = "sns.topic_policy"
