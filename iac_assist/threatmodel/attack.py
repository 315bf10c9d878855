"""The attack graph: how an attacker on the internet walks to what the configuration holds.

Nodes are the model's components (and ``internet``); edges are typed steps, each with the evidence
that allows it (what it is, where it is written):

==========================  ============================================  ===============  ==========
step                        from → to                                     exposure         likelihood
==========================  ============================================  ===============  ==========
``internet-exposure``       internet → instance / ASG admitting it        internet-        0.5
                            (public address, internet route, ACL, rule)   reachable
                            on an admin port (22, 3389) or all ports      authenticated    0.4
                            internet → database or Redshift warehouse     authenticated    0.5
                            reachable on its port
``public-bucket``           internet → bucket public by ACL or policy     internet-        0.9
                                                                          reachable
``public-snapshot``         internet → RDS snapshot, AMI permission or    internet-        0.9
                            Image Builder distribution shared with "all"  reachable
                            (any AWS account restores or launches it)
``public-policy``           internet → secret, KMS key, ECR repository,   internet-        0.9
                            EFS file system, Glacier vault, search        reachable
                            domain or REST API whose resource policy
                            lets anyone act on it
``listener``                internet → load balancer or CDN; CDN → its    internet-        1.0
                            load balancer origin (reaching it is free)    reachable
``application-compromise``  load balancer → its targets                   internal         0.3
``network-reach``           compute → database its security groups let    authenticated    0.5
                            in (ingress and, when written, egress)
``user-data-secret``        the same, when the compute's user data holds   authenticated    0.9
                            a secret (the login is likely at hand)
``credential-theft``        compute → its instance role, IMDSv1 allowed   authenticated    0.8
                            (a request forgery reads the credentials)
``instance-role``           compute → its instance role, IMDSv2 only      internal         0.5
                            (needs code execution on the instance)
``assume-role``             internet → role whose trust policy lets       internet-        0.8
                            anyone assume it (Principal "*", a web        reachable
                            identity trust without a subject condition)
``iam-permission``          role → bucket / secret / KMS key its policies authenticated    0.9
                            allow (``*`` reaches every one of the
                            configuration)
==========================  ============================================  ===============  ==========

A path's likelihood is the product of its steps' (so the k most likely paths per target are the
k shortest for weights ``-log(likelihood)``: ``networkx.shortest_simple_paths``, as ``kpaths`` runs
it); its exposure the least exposed of its steps (``internal`` once a compromise is needed); its impact what the target
holds (``data_classification``: public 0.25, internal 0.5, confidential 0.75, restricted 1.0; not
classified: confidential for a data store, internal for compute and REST APIs); its score likelihood × impact.
Paths are ranked by score over all targets.

Every step is definite: an unknown reference, rule or document adds no edge (no path from what
cannot be known). The graph and the number of paths are bounded (``MAX_NODES``, ``MAX_PATHS``:
past it, the most likely path to each target before any second one).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from fnmatch import fnmatchcase
from typing import Any

import networkx as nx

from iac_assist.model import Component, Fact, Location, Ref, kinds
from iac_assist.model.graph import ResourceGraph
from iac_assist.model.policy_documents import allows_any
from iac_assist.threatmodel import kpaths
from iac_assist.threatmodel.exposure import (
    Exposure,
    database_exposures,
    instance_exposures,
    launch_spec,
    warehouse_exposures,
)
from iac_assist.threatmodel.model import INTERNET, AttackPath, AttackStep, Flow, StepEvidence

K_PATHS = 3
MAX_PATHS = 1000
MAX_NODES = 20_000
ADMIN_PORTS = {22, 3389}
INTERNET_REACHABLE, AUTHENTICATED, INTERNAL = "internet-reachable", "authenticated", "internal"
EXPOSURES = (INTERNAL, AUTHENTICATED, INTERNET_REACHABLE)
"""Least exposed first: a path is as exposed as its least exposed step."""
IMPACT = {"public": 0.25, "internal": 0.5, "confidential": 0.75, "restricted": 1.0}
PROFILE_TYPES = {"aws_iam_instance_profile", "AWS::IAM::InstanceProfile"}
COMPUTE = (kinds.INSTANCE, kinds.AUTOSCALING_GROUP)
POLICY_GUARDED = (kinds.SECRET, kinds.KMS_KEY, kinds.ECR_REPOSITORY, kinds.EFS_FILE_SYSTEM, kinds.GLACIER_VAULT,
                  kinds.SEARCH_DOMAIN, kinds.APIGW_REST_API)
"""What a resource policy guards: reached from the internet when resource-policy-public finds it open."""
ENTRY_POINTS = (*COMPUTE, kinds.APIGW_REST_API)
"""Targets that run code rather than hold data: internal, unless classified otherwise."""
PROBES = {
    # What a role must be allowed to read (or change) a target: the first one allowed is named.
    "bucket": ("s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket"),
    "secret": ("secretsmanager:GetSecretValue",),
    "key": ("kms:Decrypt",),
}
AWS_MANAGED = {
    # AWS managed policies by name: what they allow on every resource.
    "AdministratorAccess": ("*",),
    "PowerUserAccess": ("s3:*", "secretsmanager:*", "kms:*"),
    "AmazonS3FullAccess": ("s3:*",),
    "AmazonS3ReadOnlyAccess": ("s3:Get*", "s3:List*"),
    "SecretsManagerReadWrite": ("secretsmanager:*",),
}


def _step(kind: str, source: str, target: str, exposure: str, likelihood: float,
          evidence: Iterable[StepEvidence]) -> AttackStep:
    return AttackStep(source, target, kind, exposure, likelihood, tuple(evidence))


def steps(graph: ResourceGraph, ids: dict[str, str], flows: list[Flow]) -> list[AttackStep]:
    """Every step the configuration allows, between model ids."""
    out: list[AttackStep] = []
    comp_of = {mid: graph.components[cid] for cid, mid in ids.items() if cid in graph.components}
    for exposure in database_exposures(graph) + warehouse_exposures(graph) + instance_exposures(graph):
        if exposure.target.id in ids:
            out.append(_exposure_step(exposure, ids))
    for flow in flows:
        target = comp_of.get(flow.target)
        source = comp_of.get(flow.source)
        if target is None:
            continue
        evidence = (StepEvidence(flow.target, flow.loc, flow.why),)
        if flow.source == INTERNET:
            if target.kind == kinds.S3_BUCKET:
                out.append(_step("public-bucket", INTERNET, flow.target, INTERNET_REACHABLE, 0.9, evidence))
            elif target.kind in POLICY_GUARDED:
                out.append(_step("public-policy", INTERNET, flow.target, INTERNET_REACHABLE, 0.9, evidence))
            elif target.kind in (kinds.LB, kinds.CLOUDFRONT):
                out.append(_step("listener", INTERNET, flow.target, INTERNET_REACHABLE, 1.0, evidence))
        elif source is None:
            continue
        elif source.kind == kinds.CLOUDFRONT and target.kind == kinds.LB:
            out.append(_step("listener", flow.source, flow.target, INTERNET_REACHABLE, 1.0, evidence))
        elif source.kind == kinds.LB and target.kind in COMPUTE:
            out.append(_step("application-compromise", flow.source, flow.target, INTERNAL, 0.3, evidence))
        elif source.kind in COMPUTE and target.kind in kinds.DATABASES:
            out.append(_step("network-reach", flow.source, flow.target, AUTHENTICATED, 0.5, evidence))
            secret = _user_data_secret(graph, source, ids)
            if secret is not None:
                out.append(_step("user-data-secret", flow.source, flow.target, AUTHENTICATED, 0.9,
                                 (secret, *evidence)))
    out += _public_snapshot_steps(graph, ids)
    out += _role_steps(graph, ids)
    return out


def _public_snapshot_steps(graph: ResourceGraph, ids: dict[str, str]) -> list[AttackStep]:
    """Snapshots and images shared with every AWS account (as the snapshot-public control
    decides): a data store any account restores or launches, no network path needed."""
    from iac_assist.policies.snapshots import public_shares

    out = []
    for share in public_shares(graph):
        if share.comp.id in ids:
            evidence = StepEvidence(ids[share.comp.id], share.loc, share.what)
            out.append(_step("public-snapshot", INTERNET, ids[share.comp.id], INTERNET_REACHABLE, 0.9, (evidence,)))
    return out


def _user_data_secret(graph: ResourceGraph, comp: Component, ids: dict[str, str]) -> StepEvidence | None:
    """A secret in the user data a compute boots with (its own, else its launch spec's): every
    process on it, and a request forgery with IMDSv1, reads it from the metadata service."""
    from iac_assist.policies.ec2 import find_secrets

    holder = comp if comp.has("user_data") else launch_spec(graph, comp)
    text = holder.get("user_data") if holder is not None else None
    if holder is None or not isinstance(text, str):
        return None
    secret = next(find_secrets(text), None)
    if secret is None:
        return None
    return StepEvidence(ids.get(holder.id, holder.address), holder.loc_of("user_data"),
                    f"user data of {holder.display} holds {secret.kind} (line {secret.line} of the user data)")


def _exposure_step(exposure: Exposure, ids: dict[str, str]) -> AttackStep:
    target = exposure.target
    evidence = [StepEvidence(ids.get(h.node, h.node), h.loc, h.message) for h in exposure.hops[1:]]
    if target.kind in (*kinds.DATABASES, *kinds.WAREHOUSES):
        return _step("internet-exposure", INTERNET, ids[target.id], AUTHENTICATED, 0.5, evidence)
    if exposure.port is None or exposure.port in ADMIN_PORTS:
        return _step("internet-exposure", INTERNET, ids[target.id], AUTHENTICATED, 0.4, evidence)
    return _step("internet-exposure", INTERNET, ids[target.id], INTERNET_REACHABLE, 0.5, evidence)


# --- compute → role → what the role may read ---------------------------------------------------


def _entry_roles(graph: ResourceGraph, ids: dict[str, str]) -> list[tuple[Component, AttackStep]]:
    """Roles anyone can assume (as the iam-role-trust-public control decides): entry points, the
    attacker becomes the role (a free AWS account or GitHub repository is all it takes)."""
    from iac_assist.policies.iam import public_trust

    out = []
    for role in graph.of_kind(kinds.IAM_ROLE):
        if role.id not in ids:
            continue
        trust = next(public_trust(graph, role), None)
        if trust is not None:
            evidence = StepEvidence(ids[role.id], trust.loc, f"{role.display}: {trust.why}")
            out.append((role, _step("assume-role", INTERNET, ids[role.id], INTERNET_REACHABLE, 0.8, (evidence,))))
    return out


def _role_steps(graph: ResourceGraph, ids: dict[str, str]) -> list[AttackStep]:
    out: list[AttackStep] = []
    roles: dict[str, Component] = {}
    for role, step in _entry_roles(graph, ids):
        roles[role.id] = role
        out.append(step)
    for comp in graph.of_kind(*COMPUTE):
        if comp.id not in ids:
            continue
        found = _role_of(graph, comp, ids)
        if found is None or found[0].id not in ids:
            continue
        role, evidence = found
        roles[role.id] = role
        imds = _imds_v1(graph, comp)
        if imds is not None:
            out.append(_step("credential-theft", ids[comp.id], ids[role.id], AUTHENTICATED, 0.8,
                             (*evidence, StepEvidence(ids[comp.id], imds[0], imds[1]))))
        else:
            out.append(_step("instance-role", ids[comp.id], ids[role.id], INTERNAL, 0.5, evidence))
    targets = _resource_targets(graph, ids)
    for role in sorted(roles.values(), key=lambda r: r.id):
        for target, target_kind in targets:
            allowed = _allows(graph, role, target, target_kind, ids)
            if allowed is not None:
                out.append(_step("iam-permission", ids[role.id], ids[target.id], AUTHENTICATED, 0.9, (allowed,)))
    return out


def _role_of(graph: ResourceGraph, comp: Component, ids: dict[str, str]) -> tuple[Component, list[StepEvidence]] | None:
    """The instance role a compute runs with, through its (or its launch spec's) instance profile."""
    holder: Component | None = comp
    if not comp.has("instance_profile"):
        holder = launch_spec(graph, comp)
        if holder is None or not holder.has("instance_profile"):
            return None
    assert holder is not None
    value = holder.get("instance_profile")
    profile = graph.resolve(holder, value, kinds.OTHER)
    if profile is None or profile.source_type not in PROFILE_TYPES:
        profile = _profile_named(graph, value)
    if profile is None:
        return None
    attributes = profile.get("attributes")
    if not isinstance(attributes, dict):
        return None
    named = attributes.get("role", attributes.get("Roles"))
    for value in named if isinstance(named, list) else [named]:
        role = graph.resolve(profile, value, kinds.IAM_ROLE)
        if role is not None:
            return role, [StepEvidence(ids.get(holder.id, holder.address), holder.loc_of("instance_profile"),
                                   f"{comp.display} runs with instance profile {profile.display} "
                                   f"(role {role.display})")]
    return None


def _profile_named(graph: ResourceGraph, value: Any) -> Component | None:
    if not isinstance(value, str) or not value:
        return None
    name = value.rsplit("/", 1)[-1]  # an ARN ends in the profile's name
    for other in graph.of_kind(kinds.OTHER):
        attributes = other.get("attributes")
        if other.source_type in PROFILE_TYPES and isinstance(attributes, dict) \
                and name in (attributes.get("name"), attributes.get("InstanceProfileName")):
            return other
    return None


def _imds_v1(graph: ResourceGraph, comp: Component) -> tuple[Location, str] | None:
    """Where IMDSv1 is left allowed (tokens optional, or metadata options not written), or None
    when IMDSv2 is required, the endpoint is off or the setting is not known."""
    holders = [comp] + ([spec] if (spec := launch_spec(graph, comp)) is not None else [])
    for holder in holders:
        if holder.has("http_endpoint") and holder.get("http_endpoint") == "disabled":
            return None
        if holder.has("http_tokens"):
            tokens = holder.get("http_tokens")
            if tokens == "optional":
                return holder.loc_of("http_tokens"), f"{holder.display} allows IMDSv1 (http_tokens optional)"
            return None
    for default in graph.of_kind(kinds.METADATA_DEFAULTS):
        tokens = default.get("http_tokens")
        if tokens == "optional":
            return default.loc_of("http_tokens"), f"the account's IMDS default {default.display} allows IMDSv1"
        if tokens != "no-preference":
            return None  # the account default requires IMDSv2 (or may: not known)
    return holders[-1].loc, f"{holders[-1].display} leaves IMDSv1 allowed (no metadata options: tokens optional)"


def _resource_targets(graph: ResourceGraph, ids: dict[str, str]) -> list[tuple[Component, str]]:
    out = [(b, "bucket") for b in graph.of_kind(kinds.S3_BUCKET)]
    out += [(k, "key") for k in graph.of_kind(kinds.KMS_KEY)]
    out += [(s, "secret") for s in graph.of_kind(kinds.SECRET)]
    return [(c, kind) for c, kind in sorted(out, key=lambda e: e[0].id) if c.id in ids]


def _policies(graph: ResourceGraph, role: Component) -> list[tuple[Component, list[Fact]]]:
    """The role's identity policies (inline and attached), each with its statements."""

    def index() -> dict[str, list[Component]]:
        out: dict[str, list[Component]] = {}
        for policy in graph.of_kind(kinds.IAM_POLICY):
            for principal in graph.resolve_all(policy, policy.get("attached_to"), *kinds.IAM_PRINCIPALS):
                out.setdefault(principal.id, []).append(policy)
        return out

    found = list(graph.derived("attack-policies-by-principal", index).get(role.id, ()))
    for policy in graph.resolve_all(role, role.get("managed_policies"), kinds.IAM_POLICY):
        if policy not in found:
            found.append(policy)
    out = []
    for policy in found:
        statements = policy.get("statements")
        if isinstance(statements, list):
            out.append((policy, [s if isinstance(s, Fact) else Fact(s, policy.loc) for s in statements]))
    return out


def _allows(graph: ResourceGraph, role: Component, target: Component, target_kind: str,
            ids: dict[str, str]) -> StepEvidence | None:
    """What lets ``role`` read ``target``: an Allow statement (no condition) matching one of the
    probes on the target, with no unconditional Deny of it; None otherwise."""
    probes = PROBES[target_kind]
    allowed: StepEvidence | None = None
    for policy, statements in _policies(graph, role):
        for fact in statements:
            statement = fact.value
            if not isinstance(statement, dict) or "Condition" in statement or "NotResource" in statement:
                continue
            probe = allows_any(statement, probes)
            if probe is None or not _names(graph, policy, statement.get("Resource"), target, target_kind):
                continue
            if statement.get("Effect") == "Deny":
                return None
            if statement.get("Effect") == "Allow" and allowed is None:
                resource = statement.get("Resource")
                shown = resource if isinstance(resource, str) else "the resource"
                allowed = StepEvidence(ids.get(policy.id, policy.address), fact.loc,
                                   f"{policy.display} allows {probe} on {shown}")
    if allowed is None:
        for value in role.items("managed_policies"):
            name = value.rsplit("/", 1)[-1] if isinstance(value, str) and value.startswith("arn:aws:iam::aws:") else ""
            for pattern in AWS_MANAGED.get(name, ()):
                probe = allows_any({"Action": pattern}, probes)
                if probe is not None:
                    return StepEvidence(ids.get(role.id, role.address), role.loc_of("managed_policies"),
                                    f"AWS managed policy {name} allows {probe} on *")
    return allowed


def _names(graph: ResourceGraph, policy: Component, resources: Any, target: Component, target_kind: str) -> bool:
    """Whether a statement's Resource names ``target``: ``*``, a reference to it, or an ARN
    pattern matching its name."""
    for value in resources if isinstance(resources, list) else [resources]:
        if value == "*":
            return True
        if isinstance(value, Ref):
            if graph.resolve(policy, value, target.kind) is target:
                return True
            value = value.value
        if isinstance(value, str) and _arn_matches(value, target, target_kind):
            return True
    return False


def _arn_matches(pattern: str, target: Component, target_kind: str) -> bool:
    name = target.get("name")
    if not isinstance(name, str) or not name:
        return False
    if target_kind == "bucket":
        candidates = (f"arn:aws:s3:::{name}", f"arn:aws:s3:::{name}/object")
    elif target_kind == "secret":
        candidates = (f"arn:aws:secretsmanager:region:account:secret:{name}-AbCdEf",)
    else:
        return False
    return any(fnmatchcase(c, pattern.replace("${AWS::Region}", "*").replace("${AWS::AccountId}", "*"))
               for c in candidates)


# --- paths ---------------------------------------------------------------------------------------


def _is_target(comp: Component) -> bool:
    if comp.kind == kinds.RDS_INSTANCE and comp.has("cluster"):
        return False  # clients reach the cluster
    return comp.kind in (*kinds.DATABASES, *kinds.WAREHOUSES, kinds.S3_BUCKET, *POLICY_GUARDED, *COMPUTE)


def classification(comp: Component, entries: list[tuple[str, str]], model_id: str) -> tuple[str, str]:
    """What ``comp`` holds and where that comes from: ``file``, ``tag`` or ``default``."""
    from iac_assist.model.data_classification import lookup

    found = lookup(entries, model_id, comp.address)
    if found is not None:
        return found, "file"
    tagged = comp.get("data_classification")
    if isinstance(tagged, str) and tagged in IMPACT:
        return tagged, "tag"
    return ("internal" if comp.kind in (*ENTRY_POINTS, kinds.IAM_ROLE) else "confidential"), "default"


def paths(graph: ResourceGraph, ids: dict[str, str], flows: list[Flow],
          entries: list[tuple[str, str]] | None = None, k: int = K_PATHS) -> list[AttackPath]:
    """The k most likely paths from the internet to every target, ranked by score."""
    found = steps(graph, ids, flows)
    attack = nx.DiGraph()
    attack.add_node(INTERNET)
    for step in found:
        if attack.number_of_nodes() >= MAX_NODES:
            break
        old = attack.get_edge_data(step.source, step.target)
        if old is None or step.likelihood > old["step"].likelihood:
            attack.add_edge(step.source, step.target, step=step, cost=-math.log(step.likelihood))
    comp_of = {mid: graph.components[cid] for cid, mid in ids.items() if cid in graph.components}
    # The most likely path to every target first, then the next ones while the bound allows: a
    # large configuration keeps one path per target rather than k to the first targets only.
    walks: list[tuple[str, Any, str, str]] = []
    # A role anyone can assume is a target of its own: its permissions are the prize, whatever
    # the configuration shows them to reach.
    # So is a snapshot or image shared with everyone: a copy of the data.
    entry_roles = {step.target for step in found if step.kind in ("assume-role", "public-snapshot")}
    # networkx's search, with the internet's edges sorted once for all targets (see kpaths).
    fanout = kpaths.Fanout(attack, INTERNET, "cost")
    for node in sorted(nx.descendants(attack, INTERNET)):
        comp = comp_of.get(node)
        if comp is not None and (_is_target(comp) or node in entry_roles):
            label, origin = classification(comp, entries or [], node)
            walks.append((node, kpaths.shortest_simple_paths(attack, INTERNET, node, "cost", fanout), label, origin))
    out: list[AttackPath] = []
    for _round in range(k):
        for node, walk_iter, label, origin in walks:
            if len(out) >= MAX_PATHS:
                break
            walk = next(walk_iter, None)
            if walk is not None:
                out.append(_path(node, [attack.edges[a, b]["step"] for a, b in nx.utils.pairwise(walk)], label,
                                 origin))
    out.sort(key=lambda p: (-p.score, -p.likelihood, p.target, len(p.hops), p.hops))
    return [AttackPath(p.target, p.hops, p.steps, p.edges, p.likelihood, p.impact, p.score, rank, p.exposure,
                       p.classification, p.classification_source)
            for rank, p in enumerate(out, 1)]


def _path(target: str, walk: list[AttackStep], label: str, origin: str) -> AttackPath:
    hops: list[str] = [INTERNET]
    evidence: list[tuple[Location | None, str]] = []
    for step in walk:
        if step.kind == "internet-exposure":
            # The network elements of a direct exposure are hops too (gateway, subnet, ACL, rule).
            for item in step.evidence:
                hops.append(item.id)
                evidence.append((item.loc, item.what))
        else:
            hops.append(step.target)
            first = step.evidence[-1] if step.kind == "credential-theft" else step.evidence[0]
            evidence.append((first.loc, first.what))
    likelihood = round(math.prod(s.likelihood for s in walk), 4)
    impact = IMPACT[label]
    exposure = min((s.exposure for s in walk), key=EXPOSURES.index)
    return AttackPath(target, tuple(hops), tuple(evidence), tuple(walk), likelihood, impact,
                      round(likelihood * impact, 4), 0, exposure, label, origin)
