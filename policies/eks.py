"""EKS policies: a Kubernetes API endpoint reachable from the whole internet, secrets without envelope
encryption under a key of the account's, control plane logs not sent."""

from __future__ import annotations

from collections.abc import Iterator

from iac_assist.analysis.policy import Hit, policy
from iac_assist.fixes.declare import Change, NoFix
from iac_assist.model import is_known, kinds
from iac_assist.model.graph import ResourceGraph
from iac_assist.model.network import is_anywhere

_FIX = ("Turn the public endpoint off (endpoint_public_access / EndpointPublicAccess: false, with the private "
        "endpoint on) or list the networks allowed in public_access_cidrs / PublicAccessCidrs.")


@policy(
    id="IAC-EKS-001",
    control="eks-public-endpoint",
    title="EKS cluster API endpoint is open to the internet",
    severity="high",
    stride="SE",
    cwe=668,
    remediation="""
Make the API endpoint private: `vpc_config { endpoint_private_access = true,
endpoint_public_access = false }` on `aws_eks_cluster` (Terraform) / `ResourcesVpcConfig:
{EndpointPrivateAccess: true, EndpointPublicAccess: false}` on `AWS::EKS::Cluster`
(CloudFormation), and reach it through the VPC (VPN, bastion, SSM). If it must stay public, restrict
it to known networks with `public_access_cidrs` / `PublicAccessCidrs` (never 0.0.0.0/0).
""",
    references=(
        "https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html",
        "https://docs.aws.amazon.com/eks/latest/userguide/config-cluster-endpoint.html",
    ),
    no_fix="the addresses that may reach the API server are only known to you",
)
def eks_public_endpoint(graph: ResourceGraph) -> Iterator[Hit]:
    """The cluster's Kubernetes API server accepts requests from wherever its endpoint admits:
    open to the internet, anyone can probe it, try stolen or leaked kubeconfig credentials and
    tokens, and exploit API server or authenticator flaws, and a compromise there controls every
    workload. Reported when the public endpoint is on (AWS's default when unset) and its allowed
    CIDRs include the whole internet: public_access_cidrs / PublicAccessCidrs unset or empty
    (both mean AWS's default 0.0.0.0/0) or holding a CIDR that spans it (0.0.0.0/0, ::/0). The
    finding points at the CIDRs when they are written, else at the public access setting or
    the cluster. Restricted CIDRs are not reported, however wide, nor are unknown values
    (a variable without value may hold a narrow list). Local clusters on AWS Outposts
    (outpost_config / OutpostConfig) only have a private endpoint and are not checked."""
    for cluster in graph.of_kind(kinds.EKS_CLUSTER):
        if cluster.is_true("outpost") or not cluster.is_true("endpoint_public_access", unset=True):
            continue
        cidrs = cluster.get("public_access_cidrs")
        if cidrs is None or cidrs == []:
            unset = "public_access_cidrs is not set" if cidrs is None else "public_access_cidrs is empty"
            yield Hit(cluster, cluster.loc_of("public_access_cidrs" if cidrs == [] else "endpoint_public_access"),
                      f"EKS cluster {cluster.display} has a public API endpoint open to the whole internet: "
                      f"{unset}, so AWS allows 0.0.0.0/0. {_FIX}",
                      cause="public_access_cidrs:default")
            continue
        if not isinstance(cidrs, list):
            continue
        wide = [c.strip() for c in cidrs if is_anywhere(c)]
        if wide:
            yield Hit(cluster, cluster.loc_of("public_access_cidrs"),
                      f"EKS cluster {cluster.display} has a public API endpoint open to the whole internet: "
                      f"public_access_cidrs allows {', '.join(wide)}. {_FIX}",
                      cause="public_access_cidrs:" + ",".join(wide))



@policy(
    id="IAC-EKS-002",
    control="eks-secrets-unencrypted",
    title="EKS cluster does not envelope-encrypt Kubernetes secrets with a KMS key",
    severity="medium",
    stride="I",
    cwe=311,
    remediation="""
Encrypt Kubernetes secrets with a KMS key of yours: `encryption_config { resources = ["secrets"]
provider { key_arn = aws_kms_key.eks.arn } }` on `aws_eks_cluster` (Terraform; with
terraform-aws-modules/eks, keep `cluster_encryption_config` / `encryption_config` non-empty) /
`EncryptionConfig: [{Resources: [secrets], Provider: {KeyArn: !GetAtt Key.Arn}}]` on
`AWS::EKS::Cluster` (CloudFormation). It can be added to an existing cluster but never removed.
""",
    references=(
        "https://docs.aws.amazon.com/eks/latest/userguide/enable-kms.html",
        "https://docs.aws.amazon.com/eks/latest/userguide/envelope-encryption.html",
        "https://docs.aws.amazon.com/eks/latest/best-practices/data-encryption-and-secrets-management.html",
    ),
    no_fix="envelope encryption needs a KMS key that is yours to choose",
)
def eks_secrets_unencrypted(graph: ResourceGraph) -> Iterator[Hit]:
    """Kubernetes secrets (service account tokens, registry credentials, database passwords) are
    stored in etcd. Envelope encryption with a KMS key of the account's wraps each data key in
    that key, so reading them takes both etcd data and kms:Decrypt, which the key policy grants
    and CloudTrail records; the key can be disabled to cut access. Clusters on Kubernetes 1.28+
    get envelope encryption by default, but with a key AWS owns, which the account can neither
    audit nor revoke: that is not the control. Reported when the cluster has no encryption
    configuration (encryption_config / EncryptionConfig unset, or a dynamic block over an empty
    list), when it has one whose resources do not include "secrets", or one with no key
    (provider.key_arn / Provider.KeyArn not written). The finding points at the configuration
    when it is written, else at the cluster. Decisions: unknown resources or keys (a variable
    without value, a dynamic block over a collection not known statically, a module output)
    give no finding; any key written counts (its rotation and policy are other controls'). Local
    clusters on AWS Outposts (outpost_config / OutpostConfig) do not support it and are not
    checked."""
    for cluster in graph.of_kind(kinds.EKS_CLUSTER):
        if cluster.is_true("outpost"):
            continue
        resources = cluster.get("encrypted_resources")
        if resources is None:
            yield Hit(cluster, cluster.loc_of("encrypted_resources"),
                      f"EKS cluster {cluster.display} does not envelope-encrypt Kubernetes secrets with a KMS key: "
                      "no encryption_config / EncryptionConfig. Add one for the \"secrets\" resource with a customer "
                      "managed KMS key.",
                      cause="encryption_config:missing")
            continue
        if not isinstance(resources, list) or not all(is_known(r) for r in resources):
            continue
        if "secrets" not in resources:
            listed = ", ".join(str(r) for r in resources) or "none"
            yield Hit(cluster, cluster.loc_of("encrypted_resources"),
                      f"EKS cluster {cluster.display} does not envelope-encrypt Kubernetes secrets: its encryption "
                      f"configuration lists resources {listed}, not \"secrets\". Set resources / Resources to "
                      "[\"secrets\"].",
                      cause="encryption_config:no-secrets")
        elif cluster.is_unset("encryption_key"):
            yield Hit(cluster, cluster.loc_of("encrypted_resources"),
                      f"EKS cluster {cluster.display} encrypts secrets with no KMS key named: the encryption "
                      "configuration has no provider key_arn / Provider.KeyArn. Name a customer managed KMS key.",
                      cause="encryption_config:no-key")


_LOG_TYPES = ("api", "audit", "authenticator")



def _send_control_plane_logs(hit: Hit, graph: ResourceGraph) -> Change | NoFix:
    """Add the api, audit and authenticator logs to the cluster's enabled log types (the ones it
    has stay)."""
    enabled = hit.component.get("log_types") or []
    if not isinstance(enabled, list):
        return NoFix("the cluster's log types are not a list that can be extended")
    return Change(hit.component, {"log_types": [*enabled, *(t for t in _LOG_TYPES if t not in enabled)]})


@policy(
    id="IAC-EKS-003",
    control="eks-control-plane-logging-missing",
    title="EKS cluster does not send the api, audit and authenticator control plane logs",
    severity="low",
    stride="R",
    cwe=778,
    remediation="""
Send the control plane's audit trail to CloudWatch Logs: `enabled_cluster_log_types = ["api",
"audit", "authenticator"]` (controllerManager and scheduler optional) on `aws_eks_cluster`
(Terraform; terraform-aws-modules/eks: `cluster_enabled_log_types`) / `Logging: {ClusterLogging:
{EnabledTypes: [{Type: api}, {Type: audit}, {Type: authenticator}]}}` on `AWS::EKS::Cluster`
(CloudFormation). Set a retention on the `/aws/eks/<cluster>/cluster` log group.
""",
    references=(
        "https://docs.aws.amazon.com/eks/latest/userguide/control-plane-logs.html",
        "https://docs.aws.amazon.com/eks/latest/best-practices/auditing-and-logging.html",
    ),
    fix=_send_control_plane_logs,
)
def eks_control_plane_logging_missing(graph: ResourceGraph) -> Iterator[Hit]:
    """EKS sends no control plane log unless asked. Without the api log (requests to the API
    server), the audit log (who did what, through which identity) and the authenticator log
    (which IAM principal each Kubernetes user maps to), a kubectl exec into a pod, a secret read
    or an RBAC change leaves no trace the account can keep, and an incident cannot be
    reconstructed or attributed. Reported when enabled_cluster_log_types /
    Logging.ClusterLogging.EnabledTypes is unset or lacks any of api, audit and authenticator;
    the message names the missing ones, and the finding points at the list when it is written,
    else at the cluster. controllerManager and scheduler are not required. Decisions: a list that
    is not known, or holds an element that is not (a variable without value), gives no finding:
    that element may be the missing type. Types are compared as AWS spells them (lower case)."""
    for cluster in graph.of_kind(kinds.EKS_CLUSTER):
        enabled = cluster.get("log_types")
        if enabled is None:
            enabled = []
        if not isinstance(enabled, list) or not all(is_known(t) for t in enabled):
            continue
        missing = [t for t in _LOG_TYPES if t not in enabled]
        if not missing:
            continue
        names = " and ".join([", ".join(missing[:-1]), missing[-1]] if len(missing) > 1 else missing)
        how = f"enabled: {', '.join(str(t) for t in enabled)}" if enabled else "no control plane log is enabled"
        yield Hit(cluster, cluster.loc_of("log_types"),
                  f"EKS cluster {cluster.display} does not send the {names} control plane "
                  f"log{'s' if len(missing) > 1 else ''} ({how}), so actions on the Kubernetes API leave no trace. "
                  "Enable api, audit and authenticator in enabled_cluster_log_types / "
                  "Logging.ClusterLogging.EnabledTypes.",
                  cause="log_types:" + ",".join(missing))


POLICIES = [eks_public_endpoint, eks_secrets_unencrypted, eks_control_plane_logging_missing]
