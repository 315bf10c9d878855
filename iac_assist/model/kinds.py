"""The names of the model's component kinds, in one flat namespace, and the groupings policies use.

The kinds and their facts are declared, with where each input format writes them, in
``iac_assist/model/vocabulary/`` (one module per service); ``docs/vocabulary.md`` is generated from
those declarations. This module only re-exports the names, so that code says ``kinds.S3_BUCKET``.
"""

from iac_assist.model.vocabulary.account import ACCOUNT_SETTING  # noqa: F401
from iac_assist.model.vocabulary.apigateway import (  # noqa: F401
    APIGW_API,
    APIGW_DOMAIN_NAME,
    APIGW_METHOD,
    APIGW_RESOURCE,
    APIGW_REST_API,
    APIGW_ROUTE,
    APIGW_STAGE,
)
from iac_assist.model.vocabulary.cdn import CLOUDFRONT  # noqa: F401
from iac_assist.model.vocabulary.cloudtrail import CLOUDTRAIL  # noqa: F401
from iac_assist.model.vocabulary.dynamodb import DYNAMODB_TABLE  # noqa: F401
from iac_assist.model.vocabulary.ec2 import (  # noqa: F401
    AUTOSCALING_GROUP,
    EBS_DEFAULT_ENCRYPTION,
    INSTANCE,
    LAUNCH_CONFIGURATION,
    LAUNCH_TEMPLATE,
    METADATA_DEFAULTS,
    SHARE,
    SNAPSHOT,
    VOLUME,
)
from iac_assist.model.vocabulary.ecr import ECR_REPOSITORY  # noqa: F401
from iac_assist.model.vocabulary.ecs import ECS_TASK_DEFINITION  # noqa: F401
from iac_assist.model.vocabulary.efs import EFS_FILE_SYSTEM  # noqa: F401
from iac_assist.model.vocabulary.eks import EKS_CLUSTER  # noqa: F401
from iac_assist.model.vocabulary.elasticache import ELASTICACHE_CLUSTER, ELASTICACHE_REPLICATION_GROUP  # noqa: F401
from iac_assist.model.vocabulary.glacier import GLACIER_VAULT  # noqa: F401
from iac_assist.model.vocabulary.iam import IAM_ACCESS_KEY, IAM_GROUP, IAM_POLICY, IAM_ROLE, IAM_USER  # noqa: F401
from iac_assist.model.vocabulary.kms import KMS_KEY  # noqa: F401
from iac_assist.model.vocabulary.lambda_functions import LAMBDA_FUNCTION, LAMBDA_PERMISSION, LAMBDA_URL  # noqa: F401
from iac_assist.model.vocabulary.lb import LB, LB_LISTENER, LB_TARGET_GROUP  # noqa: F401
from iac_assist.model.vocabulary.messaging import SNS_TOPIC, SNS_TOPIC_POLICY, SQS_QUEUE, SQS_QUEUE_POLICY  # noqa: F401
from iac_assist.model.vocabulary.other import OTHER  # noqa: F401
from iac_assist.model.vocabulary.rds import RDS_CLUSTER, RDS_INSTANCE, RDS_SNAPSHOT, RDS_SUBNET_GROUP  # noqa: F401
from iac_assist.model.vocabulary.redshift import REDSHIFT_CLUSTER, REDSHIFT_SUBNET_GROUP, REDSHIFT_WORKGROUP  # noqa: F401
from iac_assist.model.vocabulary.resource_policy import RESOURCE_POLICY  # noqa: F401
from iac_assist.model.vocabulary.s3 import S3_ACCOUNT_PAB, S3_BUCKET, S3_BUCKET_POLICY  # noqa: F401
from iac_assist.model.vocabulary.search import SEARCH_DOMAIN  # noqa: F401
from iac_assist.model.vocabulary.secretsmanager import SECRET, SECRET_ROTATION  # noqa: F401
from iac_assist.model.vocabulary.streaming import KINESIS_STREAM, MSK_CLUSTER  # noqa: F401
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
DATABASES = (RDS_INSTANCE, RDS_CLUSTER)
WAREHOUSES = (REDSHIFT_CLUSTER, REDSHIFT_WORKGROUP)
"""Redshift: data stores reached on a port, like databases."""
IAM_PRINCIPALS = (IAM_ROLE, IAM_USER, IAM_GROUP)
ACCOUNT_LEVEL = (ACCOUNT_SETTING, S3_ACCOUNT_PAB, EBS_DEFAULT_ENCRYPTION, METADATA_DEFAULTS, CLOUDTRAIL)
"""What only a configuration of an account's own infrastructure (a baseline) defines."""
