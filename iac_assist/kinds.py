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
s3.account_public_access_block
    public_access_block   dict               same shape as on a bucket
lb.load_balancer
    type                  str                application | network | gateway | classic
    scheme                str                internet-facing | internal
    subnets               list[Ref | str]
    security_groups       list[Ref | str]
lb.listener
    load_balancer         Ref
    protocol              str                HTTP, HTTPS, TCP, TLS, UDP, TCP_UDP, SSL, GENEVE
    port                  int
    ssl_policy            str
    default_actions       list[Fact[dict]]   each {"type": forward | redirect | fixed-response |
                                             authenticate-oidc | authenticate-cognito,
                                             "redirect_protocol": str (for redirect),
                                             "target_group": Ref (for forward)}
    instance_protocol     str                classic ELB only
    instance_port         int                classic ELB only
rds.instance / rds.cluster
    publicly_accessible   bool
    subnet_group          Ref | str          DB subnet group
    security_groups       list[Ref | str]    VPC security groups
    engine                str
    port                  int
    cluster               Ref                (rds.instance) the Aurora cluster it belongs to
rds.subnet_group
    name                  str
    subnets               list[Ref | str]
ec2.vpc
    cidr                  str
ec2.subnet
    vpc                   Ref
    cidr                  str
    map_public_ip_on_launch bool
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
    associate_public_ip_address bool
cloudfront.distribution
    origins               list[Fact[dict]]   each {"id": str, "domain_name": Ref | str,
                                             "s3": bool, "oac": Ref | str | None,
                                             "oai": Ref | str | None}
other
    attributes            dict               the whole evaluated body, for references
"""

S3_BUCKET = "s3.bucket"
S3_ACCOUNT_PAB = "s3.account_public_access_block"
LB = "lb.load_balancer"
LB_LISTENER = "lb.listener"
RDS_INSTANCE = "rds.instance"
RDS_CLUSTER = "rds.cluster"
RDS_SUBNET_GROUP = "rds.subnet_group"
VPC = "ec2.vpc"
SUBNET = "ec2.subnet"
ROUTE_TABLE = "ec2.route_table"
INTERNET_GATEWAY = "ec2.internet_gateway"
SECURITY_GROUP = "ec2.security_group"
INSTANCE = "ec2.instance"
CLOUDFRONT = "cloudfront.distribution"
OTHER = "other"

DATABASES = (RDS_INSTANCE, RDS_CLUSTER)
