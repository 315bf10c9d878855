"""The model's vocabulary: component kinds and the facts each one carries.

This is the contract between the normalizers (one per input format) and the policies (written
once). A fact that the source leaves unset is absent from ``Component.facts``; a fact whose value
cannot be known statically holds ``Unknown``; a reference to another resource holds ``Ref``.
Booleans are Python bools, ports ints, protocols upper-case strings, CIDRs strings.

s3.bucket
    name                  str                bucket name when configured
    acl                   str                canned ACL: private, public-read, public-read-write,
                                             authenticated-read, ...
    grants                list[Fact[dict]]   each {"grantee": "AllUsers" | "AuthenticatedUsers" |
                                             other id, "permission": READ | WRITE | READ_ACP |
                                             WRITE_ACP | FULL_CONTROL}; one Fact per grant, so each
                                             keeps its line
    policy                dict | Unknown     the bucket policy document (parsed JSON)
    object_ownership      str                BucketOwnerEnforced | BucketOwnerPreferred |
                                             ObjectWriter (Enforced disables ACLs)
    public_access_block   dict               {"block_public_acls", "block_public_policy",
                                             "ignore_public_acls", "restrict_public_buckets"}:
                                             bool | Unknown; missing keys mean false
    versioning            str | Unknown      Enabled | Suspended ("Suspended" also stands for never
                                             enabled: v3 enabled = false, v4 status Disabled);
                                             absent: never enabled
    logging_target        Ref | str | Unknown  target bucket of server access logging (a literal
                                             is a bucket name; a CloudFormation configuration
                                             without destination logs into the bucket itself);
                                             absent: no server access logging
    encryption            str | Unknown      default encryption: AES256 | aws:kms | aws:kms:dsse;
                                             absent: the AWS default, SSE-S3 (AES256)
s3.account_public_access_block
    public_access_block   dict               same shape as on a bucket
s3.bucket_policy                             a bucket policy resource (aws_s3_bucket_policy,
                                             AWS::S3::BucketPolicy) for a bucket the configuration
                                             does not define (a variable or parameter, a literal
                                             name, a data source, an import)
    policy                dict | Unknown     as on a bucket
    targets               list[Ref | str | Unknown]  the bucket it names
lb.load_balancer
    type                  str                application | network | gateway | classic
    scheme                str                internet-facing | internal
    name                  str                load balancer name (literal names and ARNs find it)
    subnets               list[Ref | str]
    security_groups       list[Ref | str]
    access_logs           bool | Unknown     access logging switched on; absent: off
    access_logs_bucket    Ref | str | Unknown  target bucket, present only when access logs are
                                             not known to be off
    drop_invalid_header_fields bool | Unknown  (application) absent: false, the AWS default
    web_acl               Ref | str | Unknown  WAF web ACL associated with it (folded from
                                             aws_wafv2_web_acl_association,
                                             aws_wafregional_web_acl_association,
                                             AWS::WAFv2::WebACLAssociation,
                                             AWS::WAFRegional::WebACLAssociation); Unknown also
                                             when an association's target is not known and may be
                                             this load balancer; absent: no association
    instances             list[Ref | str] | Unknown  (classic) instances registered with it:
                                             instances / Instances, aws_elb_attachment folded in
    ssl_negotiation_policies dict[str, dict] (classic, Terraform) SSLNegotiationPolicyType
                                             policies defined on the ELB by name (folded from
                                             aws_load_balancer_policy): {"reference": Fact[str] |
                                             None, "protocols": list[Fact[dict]]}; the listeners
                                             that use one carry it as ssl_policy / ssl_protocols
lb.listener
    load_balancer         Ref
    protocol              str                HTTP, HTTPS, TCP, TLS, UDP, TCP_UDP, SSL, GENEVE
    port                  int
    ssl_policy            str | Unknown      predefined security policy: ELBv2 SslPolicy, or the
                                             Reference-Security-Policy of the negotiation policy a
                                             classic listener uses (Unknown when it uses a policy
                                             the configuration does not define); absent: the AWS
                                             default, ELBSecurityPolicy-2016-08
    ssl_protocols         list[Fact[dict]]   classic only, a custom negotiation policy without
                                             reference: each {"protocol": "SSLv3" | "TLSv1" |
                                             "TLSv1.1" | "TLSv1.2", "enabled": bool | Unknown}
    default_actions       list[Fact[dict]]   each {"type": forward | redirect | fixed-response |
                                             authenticate-oidc | authenticate-cognito,
                                             "redirect_protocol": str (for redirect),
                                             "target_group": Ref (for forward)}
    instance_protocol     str                classic ELB only
    instance_port         int                classic ELB only
    certificate           Ref | str          classic ELB only (Terraform): SSL certificate
lb.target_group
    name                  str
    port                  int                the port targets receive traffic on
    protocol              str                HTTP, HTTPS, TCP, TLS, UDP, TCP_UDP, GENEVE
    target_type           str                instance | ip | lambda | alb
    vpc                   Ref | str
    targets               list[Fact[dict]]   each {"target": Ref | str (instance id, IP, function),
                                             "port": int | absent}; from aws_lb_target_group_attachment
                                             or the template's Targets. Auto scaling groups name
                                             their groups themselves (ec2.autoscaling_group
                                             target_groups).
ec2.vpc                                      (aws_default_vpc too)
    cidr                  str
ec2.subnet
    vpc                   Ref
    cidr                  str
    map_public_ip_on_launch bool             (aws_default_subnet: true when not written, as AWS
                                             creates default subnets)
    route_table           Ref                the route table associated with it (folded from
                                             aws_route_table_association /
                                             AWS::EC2::SubnetRouteTableAssociation)
ec2.route_table
    vpc                   Ref
    main                  bool               the VPC's main route table (used by subnets that
                                             have no explicit association)
    routes                list[Fact[dict]]   each {"destination": cidr str, "target": Ref | str |
                                             Unknown, "target_type": "gateway" | "nat" |
                                             "instance" | "peering" | "transit" | "endpoint" |
                                             "other"}
ec2.internet_gateway
    vpc                   Ref                (attachment folded in)
ec2.security_group
    name                  str
    vpc                   Ref
    ingress               list[Fact[dict]]   each rule {"protocol": str ("-1" means all,
    egress                list[Fact[dict]]   "tcp", "udp", "icmp", or a number as str),
                                             "from_port": int, "to_port": int,
                                             "cidrs": list[str] (IPv4 and IPv6),
                                             "source_groups": list[Ref | str],
                                             "prefix_lists": list}; ports Unknown when unknown
ec2.instance
    subnet                Ref | str
    security_groups       list[Ref | str]
    associate_public_ip_address bool      (primary network interface)
    launch_template       Ref | str | Unknown  the launch template it is launched from (id or name);
                                             facts the instance leaves unset come from it
    http_tokens           str | Unknown      IMDS: "required" (IMDSv2 only) | "optional"
    http_endpoint         str | Unknown      IMDS: "enabled" | "disabled"
    volumes               list[Fact[dict]] | Unknown  EBS block device mappings, each {"device_name":
                                             str | Unknown, "root": bool (only when the source says
                                             which is the root volume: Terraform root_block_device /
                                             ebs_block_device), "encrypted": bool | Unknown,
                                             "snapshot": Ref | str | Unknown}; keys the source
                                             leaves unset are absent. Instance store and NoDevice
                                             mappings are left out.
    user_data             str | Unknown      the decoded text (base64 and gzip undone)
    instance_profile      Ref | str | Unknown  the IAM instance profile it runs with (name or ARN;
                                             what a launch template or configuration names too)
    elastic_ip            Ref                an Elastic IP associated with it (aws_eip instance,
                                             aws_eip_association, AWS::EC2::EIP InstanceId,
                                             AWS::EC2::EIPAssociation), located at the association
ec2.launch_template
    name                  str
    http_tokens, http_endpoint, volumes, user_data, instance_profile   as on an instance
    associate_public_ip_address bool | Unknown  (network interface at device index 0)
    security_groups       list[Ref | str]    (template-level and primary interface groups)
ec2.launch_configuration
    name                  str
    http_tokens, http_endpoint, volumes, user_data, associate_public_ip_address, security_groups,
    instance_profile
                                             as on a launch template
ec2.autoscaling_group
    name                  str
    launch_template       Ref | str | Unknown  launch template (id or name), also from a mixed
                                             instances policy
    launch_configuration  Ref | str | Unknown  launch configuration (name)
    subnets               list[Ref | str] | Unknown  VPC subnets it launches into
    target_groups         list[Ref | str] | Unknown  load balancer target groups it registers with
                                             (aws_autoscaling_attachment folded in)
    load_balancers        list[Ref | str] | Unknown  classic load balancers (names)
ec2.volume
    encrypted             bool | Unknown
    snapshot              Ref | str | Unknown  the snapshot it is created from
    source_volume         Ref | str | Unknown  the volume it is copied from (CloudFormation)
ec2.snapshot
    volume                Ref | str | Unknown  the volume it is taken of (aws_ebs_snapshot)
    source_snapshot       Ref | str | Unknown  the snapshot it copies (aws_ebs_snapshot_copy)
    encrypted             bool | Unknown     (copies only)
ec2.ebs_default_encryption
    enabled               bool | Unknown     account-wide EBS encryption by default (the Terraform
                                             resource's own default, true, is set when unset)
ec2.metadata_defaults
    http_tokens           str | Unknown      account-wide IMDS default: required | optional |
                                             no-preference
    http_endpoint         str | Unknown      enabled | disabled | no-preference
ec2.network_acl
    vpc                   Ref | str
    subnets               list[Ref | str]    associated subnets (inline and association resources)
    ingress               list[Fact[dict]] | Unknown  each rule {"rule_number": int | Unknown,
    egress                list[Fact[dict]] | Unknown  "action": "allow" | "deny" | Unknown,
                                             "protocol", "from_port", "to_port", "cidrs" as in a
                                             security group rule ("-1": all protocols, ports then
                                             0-65535)}
ec2.flow_log
    resource              Ref | str | Unknown  what it logs
    resource_type         str | Unknown      vpc | subnet | eni | transit_gateway |
                                             transit_gateway_attachment | other
    traffic_type          str | Unknown      ACCEPT | REJECT | ALL
    log_destination       Ref | str | Unknown  the S3 bucket (ARN) it delivers to; absent unless
                                             the destination type is s3
cloudfront.distribution
    origins               list[Fact[dict]]   each {"id": str, "domain_name": Ref | str,
                                             "s3": bool, "oac": Ref | str | None,
                                             "oai": Ref | str | None}; custom origins also
                                             carry "custom": True, "protocol_policy":
                                             Fact[http-only | https-only | match-viewer] (with
                                             the attribute's line) and, on an S3 website
                                             endpoint, "s3_website": True (missing keys mean
                                             false)
    origin_groups         dict[str, list]    origin group id -> its member origin ids
    behaviors             list[Fact[dict]]   cache behaviors, default first: each {"path": str
                                             (None for the default behavior), "target_origin":
                                             origin or group id, "viewer_protocol_policy":
                                             allow-all | https-only | redirect-to-https}, located
                                             at the viewer protocol policy
    aliases               list[str]          alternate domain names (CNAMEs)
    certificate           Ref | str | Unknown  ACM certificate ARN or IAM certificate id; absent:
                                             the default *.cloudfront.net certificate
    default_certificate   bool               cloudfront_default_certificate as written
    minimum_protocol_version str | Unknown   viewer security policy (TLSv1.2_2021...); absent:
                                             the AWS default, TLSv1
    web_acl               Ref | str | Unknown  WAF web ACL (id or ARN); absent: none
    logging_bucket        Ref | str | Unknown  standard logging (legacy) bucket; a literal domain
                                             name (logs.s3.amazonaws.com) is reduced to the
                                             bucket name
    log_delivery_source   Ref                standard logging v2: the CloudWatch Logs delivery
                                             source of the distribution's ACCESS_LOGS
    log_delivery          Ref | str | Unknown  standard logging v2: the destination a delivery
                                             sends that source to (present only with a delivery)
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
"""

from iac_assist.model.vocabulary.account import ACCOUNT_SETTING  # noqa: F401
from iac_assist.model.vocabulary.apigateway import APIGW_API, APIGW_METHOD, APIGW_RESOURCE, APIGW_REST_API, APIGW_ROUTE  # noqa: F401
from iac_assist.model.vocabulary.cloudtrail import CLOUDTRAIL  # noqa: F401
from iac_assist.model.vocabulary.dynamodb import DYNAMODB_TABLE  # noqa: F401
from iac_assist.model.vocabulary.eks import EKS_CLUSTER  # noqa: F401
from iac_assist.model.vocabulary.elasticache import ELASTICACHE_CLUSTER, ELASTICACHE_REPLICATION_GROUP  # noqa: F401
from iac_assist.model.vocabulary.iam import IAM_GROUP, IAM_POLICY, IAM_ROLE, IAM_USER  # noqa: F401
from iac_assist.model.vocabulary.kms import KMS_KEY  # noqa: F401
from iac_assist.model.vocabulary.lambda_functions import LAMBDA_FUNCTION, LAMBDA_PERMISSION, LAMBDA_URL  # noqa: F401
from iac_assist.model.vocabulary.messaging import SNS_TOPIC, SNS_TOPIC_POLICY, SQS_QUEUE, SQS_QUEUE_POLICY  # noqa: F401
from iac_assist.model.vocabulary.other import OTHER  # noqa: F401
from iac_assist.model.vocabulary.rds import RDS_CLUSTER, RDS_INSTANCE, RDS_SNAPSHOT, RDS_SUBNET_GROUP  # noqa: F401
from iac_assist.model.vocabulary.search import SEARCH_DOMAIN  # noqa: F401

S3_BUCKET = "s3.bucket"
S3_ACCOUNT_PAB = "s3.account_public_access_block"
S3_BUCKET_POLICY = "s3.bucket_policy"
LB = "lb.load_balancer"
LB_LISTENER = "lb.listener"
LB_TARGET_GROUP = "lb.target_group"
VPC = "ec2.vpc"
SUBNET = "ec2.subnet"
ROUTE_TABLE = "ec2.route_table"
INTERNET_GATEWAY = "ec2.internet_gateway"
SECURITY_GROUP = "ec2.security_group"
INSTANCE = "ec2.instance"
LAUNCH_TEMPLATE = "ec2.launch_template"
LAUNCH_CONFIGURATION = "ec2.launch_configuration"
AUTOSCALING_GROUP = "ec2.autoscaling_group"
VOLUME = "ec2.volume"
SNAPSHOT = "ec2.snapshot"
EBS_DEFAULT_ENCRYPTION = "ec2.ebs_default_encryption"
METADATA_DEFAULTS = "ec2.metadata_defaults"
NETWORK_ACL = "ec2.network_acl"
FLOW_LOG = "ec2.flow_log"
LAUNCHABLE = (INSTANCE, LAUNCH_TEMPLATE, LAUNCH_CONFIGURATION)
"""What describes how instances launch: metadata options, volumes, user data, public address."""
CLOUDFRONT = "cloudfront.distribution"

DATABASES = (RDS_INSTANCE, RDS_CLUSTER)

IAM_PRINCIPALS = (IAM_ROLE, IAM_USER, IAM_GROUP)

ACCOUNT_LEVEL = (ACCOUNT_SETTING, S3_ACCOUNT_PAB, EBS_DEFAULT_ENCRYPTION, METADATA_DEFAULTS, CLOUDTRAIL)
"""What only a configuration of an account's own infrastructure (a baseline) defines."""
