"""Resource policies that open a resource to anyone: KMS keys, Secrets Manager secrets, ECR
repositories, EFS file systems, Glacier vaults, OpenSearch / Elasticsearch domains outside a VPC
and API Gateway REST APIs. (S3 buckets have s3-public-read/write, queues and topics
sqs-sns-public-policy, Lambda functions lambda-public-url: the same reading of the documents,
``iac_assist.model.policy_documents.public_grants``.)"""

from __future__ import annotations

from collections.abc import Iterator

from iac_assist.analysis.policy import Hit, policy
from iac_assist.model import Component, kinds
from iac_assist.model.graph import ResourceGraph
from iac_assist.model.policy_documents import RESTRICTING_KEYS, public_grants, statement_label, target_names

# kind -> (what it is, what its policy is called, keys of that service that confine the caller too)
GUARDED = {
    kinds.KMS_KEY: ("KMS key", "key policy", frozenset({"kms:calleraccount"})),
    kinds.SECRET: ("secret", "resource policy", frozenset()),
    kinds.ECR_REPOSITORY: ("ECR repository", "repository policy", frozenset()),
    kinds.EFS_FILE_SYSTEM: ("EFS file system", "file system policy",
                            frozenset({"elasticfilesystem:accessedviamounttarget"})),
    kinds.GLACIER_VAULT: ("Glacier vault", "access policy", frozenset()),
    kinds.SEARCH_DOMAIN: ("search domain", "access policy", frozenset()),
    kinds.APIGW_REST_API: ("REST API", "resource policy", frozenset()),
}


def _subject(comp: Component) -> tuple[str, str, frozenset[str]]:
    """What anyone can act on, whose policy lets them, and the service's own confining keys: the
    resource itself, or, for a policy resource of a resource defined elsewhere, that resource and
    the policy resource."""
    if comp.kind != kinds.RESOURCE_POLICY:
        noun, holder, keys = GUARDED[comp.kind]
        return f"{noun} {comp.display}", f"its {holder}", keys
    noun, holder, keys = GUARDED.get(comp.get("governs"), ("resource", "policy", frozenset()))
    names = target_names(comp.items("targets"))
    return f"{noun} {', '.join(names)} (defined outside this configuration)", f"{holder} {comp.display}", keys


def _judged(comp: Component) -> bool:
    """A search domain's access policy is its only guard when the domain has a public endpoint
    (no VPC subnets, definitely) and no fine-grained access control (definitely off); a secret's
    policy is not deployed when Secrets Manager is asked to block public policies."""
    if comp.kind == kinds.SECRET:
        return comp.is_false("block_public_policy", unset=False)
    if comp.kind != kinds.SEARCH_DOMAIN:
        return True
    subnets = comp.get("vpc_subnets")
    outside_vpc = subnets is None or subnets == []
    return outside_vpc and comp.is_false("fine_grained_access", unset=False)


@policy(
    id="IAC-RP-001",
    control="resource-policy-public",
    title="Resource policy lets anyone act on the resource",
    severity="critical",
    stride="ITE",
    cwe=284,
    remediation="""
Grant the resource to named principals only (an account root, a role, a service), and when
`"*"` is needed (a service principal acting for many accounts, an organisation), confine it with
a condition on the caller: `aws:PrincipalOrgID`, `aws:PrincipalAccount`, `aws:SourceAccount`,
`aws:SourceArn`, `aws:SourceVpce` or `aws:SourceIp` (ranges narrower than the internet); for KMS,
`kms:CallerAccount`; for EFS, `elasticfilesystem:AccessedViaMountTarget`. A Deny to `"*"` with a
negated condition (`StringNotEquals aws:SourceVpce`, `NotIpAddress aws:SourceIp`) also keeps the
others out. Terraform: `policy` of `aws_kms_key` / `aws_kms_key_policy`, `aws_secretsmanager_secret`
/ `aws_secretsmanager_secret_policy`, `aws_ecr_repository_policy`, `aws_efs_file_system_policy`,
`aws_api_gateway_rest_api` / `aws_api_gateway_rest_api_policy`; `access_policy` of
`aws_glacier_vault`; `access_policies` of `aws_opensearch_domain` / `aws_elasticsearch_domain` and
their `_policy` resources (or put the domain in a VPC). CloudFormation: `KeyPolicy`,
`AWS::SecretsManager::ResourcePolicy`, `RepositoryPolicyText`, `FileSystemPolicy`,
`AccessPolicies` (or `VPCOptions`), the REST API's `Policy` (SAM: `Auth.ResourcePolicy`).
""",
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html",
        "https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html",
        "https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_resource-policies.html",
        "https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-policies.html",
        "https://docs.aws.amazon.com/efs/latest/ug/iam-access-control-nfs-efs.html",
        "https://docs.aws.amazon.com/opensearch-service/latest/developerguide/ac.html",
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-resource-policies.html",
    ),
    no_fix="the principals that must be allowed are only known to you",
)
def resource_policy_public(graph: ResourceGraph) -> Iterator[Hit]:
    """A resource policy that allows Principal "*" without a condition confining the caller lets
    every AWS account (and, for some actions, unauthenticated callers) act on the resource: decrypt
    with or re-grant a KMS key, read or overwrite a secret, pull or push images, mount and write a
    file system, read or delete archives, query or change a search index, invoke an API that was
    meant to stay private. Reported once per such statement on a KMS key (policy, KeyPolicy,
    aws_kms_key_policy), a Secrets Manager secret (policy, aws_secretsmanager_secret_policy,
    AWS::SecretsManager::ResourcePolicy), an ECR repository (aws_ecr_repository_policy,
    RepositoryPolicyText), an EFS file system (aws_efs_file_system_policy, FileSystemPolicy), a
    Glacier vault (access_policy; CloudFormation has no vault type), an OpenSearch or
    Elasticsearch domain (access_policies, the domain policy resources, AccessPolicies) and an
    API Gateway REST API (policy, aws_api_gateway_rest_api_policy, Policy; SAM's
    Auth.ResourcePolicy as translated); a policy resource replaces the inline policy, as in AWS.
    The statements are read as sqs-sns-public-policy reads them (policy_documents.public_grants):
    Effect Allow, Principal "*", {"AWS": "*"} or an AWS list holding "*", and no condition under a
    positive operator on a key that confines the caller (aws:SourceArn, aws:SourceAccount,
    aws:SourceOwner, aws:PrincipalOrgID, aws:PrincipalAccount, aws:PrincipalArn, aws:SourceVpc,
    aws:SourceVpce, aws:SourceIp unless it admits 0.0.0.0/0 or ::/0; for KMS kms:CallerAccount,
    for EFS elasticfilesystem:AccessedViaMountTarget, which keeps access to the VPC's mount
    targets). Decisions: negated operators (StringNotEquals aws:SourceAccount: every other
    account) and conditions on other keys (aws:SecureTransport, kms:ViaService alone) do not
    confine; a Deny to everyone with a negated confining condition (StringNotEquals
    aws:SourceVpce, NotIpAddress aws:SourceIp) covering every action granted does; a statement
    granting only read-only metadata (Describe*, List*, reading the policy itself,
    kms:GetPublicKey) is not reported; a search domain in a VPC (subnets written, or not known)
    or with fine-grained access control on (or not known) is not judged, its endpoint or the
    domain's own users guarding it; a secret whose policy resource sets block_public_policy /
    BlockPublicPolicy true (or a value not known) is not reported, since Secrets Manager rejects a
    public policy then (the default is not to block it); a REST API whose policy allows execute-api:Invoke to anyone is
    reported even though its methods' authorization still applies (apigw-no-authorization judges
    that), since the policy then keeps no caller out, for a private API not even other accounts'
    VPC endpoints. A policy resource whose resource the configuration does not define (a data
    source, a literal ARN, an unknown value) is reported on the policy resource itself, as
    sqs-sns-public-policy does: the policy is still this configuration's; but for a search
    domain's (whether the domain is in a VPC is not known). Unknown documents, statements,
    principals, conditions or actions give no finding; NotPrincipal and the Resource element are
    not judged. The finding points at the policy."""
    for comp in graph.of_kind(*GUARDED, kinds.RESOURCE_POLICY):
        if not _judged(comp):
            continue
        subject, holder, own_keys = _subject(comp)
        for n, statement, granted in public_grants(comp.get("policy"), RESTRICTING_KEYS | own_keys):
            sid = statement.get("Sid")
            yield Hit(
                comp,
                comp.loc_of("policy"),
                f"Anyone can act on {subject}: {holder} {statement_label(statement, n)} allows {granted} to "
                "Principal \"*\" with no condition restricting the caller. Name the principals, or add a condition "
                "such as aws:PrincipalOrgID, aws:SourceAccount, aws:SourceArn or aws:SourceVpce.",
                cause=f"public:{sid if isinstance(sid, str) and sid else n}",
            )


POLICIES = [resource_policy_public]
