"""Reading resource-based policy documents (bucket, queue and topic policies) the way the
policies judge them: who a statement grants to, whether a condition confines it, what it allows.

Documents arrive as the normalizers left them: parsed JSON whose parts may be ``Unknown`` or
``Ref``. Every helper answers for known values only and leans towards "may be fine" when a part
is not known, so that no definite finding comes from an unknown value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from fnmatch import fnmatchcase
from typing import Any

from iac_assist.model import Ref, is_known

_EVERY_ACTION = re.compile(r"\*+(:\*+)?")

RESTRICTING_KEYS = frozenset({
    "aws:sourcearn", "aws:sourceaccount", "aws:sourceowner", "aws:sourcevpc", "aws:sourcevpce",
    "aws:sourceip", "aws:principalorgid", "aws:principalorgpaths", "aws:principalaccount",
    "aws:principalarn", "aws:sourceorgid", "aws:sourceorgpaths", "aws:userid", "aws:username",
    "aws:principalservicename",
})
"""Global condition keys (lower case) that confine who the caller is or where a request comes
from: a public statement conditioned on one of them is not open to anyone. Their values are not
judged."""


def statement_list(document: Any) -> list[Any] | None:
    """The document's statements (a single Statement object becomes a list of one); None when
    the document or its Statement element is not known."""
    if not isinstance(document, dict):
        return None
    statements = document.get("Statement")
    if isinstance(statements, dict):
        return [statements]
    return statements if isinstance(statements, list) else None


def is_allow(statement: Any) -> bool:
    """The statement's Effect is ``Allow``. AWS compares the Effect value case-sensitively (IAM
    JSON policy reference, "Effect"), so ``allow`` is not Allow; an unknown Effect is not either."""
    return isinstance(statement, dict) and statement.get("Effect") == "Allow"


def public_principal(principal: Any) -> bool:
    """``"*"``, ``{"AWS": "*"}`` or ``{"AWS": [..., "*", ...]}``: anyone, signed in or not."""
    if principal == "*":
        return True
    if isinstance(principal, dict):
        aws = principal.get("AWS")
        return aws == "*" or (isinstance(aws, list) and "*" in aws)
    return False


def principal_is_public(principal: Any) -> bool | None:
    """``public_principal`` for a check that needs a definite "no" too (a Deny that must cover
    everyone): None when the Principal, its AWS element or a member of it is not known and may
    still be ``"*"``."""
    if public_principal(principal):
        return True
    if not is_known(principal):
        return None
    aws = principal.get("AWS") if isinstance(principal, dict) else None
    if not is_known(aws) or (isinstance(aws, list) and not all(map(is_known, aws))):
        return None
    return False


def restricted(condition: Any, keys: Iterable[str] = RESTRICTING_KEYS, prefixes: tuple[str, ...] = ()) -> bool:
    """Whether a Condition element confines a statement: it uses one of ``keys``, or a key
    starting with one of ``prefixes`` (``aws:resourcetag/``), under any operator; keys are
    given in lower case and compared case-insensitively. A condition that is not known may
    confine it."""
    if condition is None:
        return False
    if not isinstance(condition, dict):
        return True  # unknown conditions may restrict: no definite finding
    wanted = keys if isinstance(keys, (set, frozenset)) else frozenset(keys)
    for clauses in condition.values():
        if not isinstance(clauses, dict):
            return True
        for key in clauses:
            if isinstance(key, str) and (key.lower() in wanted or key.lower().startswith(prefixes)):
                return True
    return False


def bool_clause_false(condition: Any, key: str) -> bool | None:
    """Whether the condition holds a ``Bool``/``BoolIfExists`` clause ``key`` (lower case) =
    false (a boolean or the text ``"false"``), such as ``aws:SecureTransport``; None when a
    clause that may be it is not known."""
    if not isinstance(condition, dict):
        return False
    unknown = False
    for operator, clauses in condition.items():
        if not isinstance(operator, str) or operator.lower() not in ("bool", "boolifexists"):
            continue
        if not isinstance(clauses, dict):
            unknown = True
            continue
        for name, value in clauses.items():
            if not isinstance(name, str) or name.lower() != key:
                continue
            values = value if isinstance(value, list) else [value]
            if any(not is_known(v) for v in values):
                unknown = True
            elif any(v is False or (isinstance(v, str) and v.lower() == "false") for v in values):
                return True
    return None if unknown else False


def _patterns(element: Any) -> list[Any] | None:
    """An Action or NotAction element as a list; None when the element itself is not known."""
    if isinstance(element, str):
        return [element]
    return element if isinstance(element, list) else None


def action_allowed(statement: dict[str, Any], action: str) -> bool | None:
    """Whether the statement's Action (or NotAction) covers ``action``, compared
    case-insensitively with IAM wildcards: True or False when that is certain, None when a part
    that decides it is not known (an unknown element of an Action list may match; any unknown
    element of a NotAction list may exclude it) or the statement has neither element."""
    probe = action.lower()
    if "Action" in statement:
        patterns = _patterns(statement["Action"])
        if patterns is None:
            return None
        if any(isinstance(a, str) and fnmatchcase(probe, a.lower()) for a in patterns):
            return True
        return None if any(not isinstance(a, str) for a in patterns) else False
    excluded = _patterns(statement.get("NotAction"))
    if excluded is None or any(not isinstance(a, str) for a in excluded):
        return None
    return not any(fnmatchcase(probe, a.lower()) for a in excluded)


def allowed_actions(statement: dict[str, Any], probes: Iterable[str]) -> list[str]:
    """The ``probes`` the statement's Action (or NotAction) certainly covers, in their order."""
    return [probe for probe in probes if action_allowed(statement, probe) is True]


def allows_any(statement: dict[str, Any], probes: tuple[str, ...]) -> str | None:
    """The first of the ``probes`` actions the statement's Action (or NotAction) certainly
    covers; None when none is, or when the element is not known."""
    return next(iter(allowed_actions(statement, probes)), None)


def covers_all(statement: dict[str, Any], probes: Iterable[str]) -> bool | None:
    """Whether the statement's Action (or NotAction) covers every one of ``probes`` (what a Deny
    must, to be the guard a check asks for); None when that depends on unknown parts."""
    verdicts = [action_allowed(statement, probe) for probe in probes]
    if False in verdicts:
        return False
    return None if None in verdicts else True


def excluded_actions(statement: dict[str, Any]) -> list[str] | None:
    """The actions a NotAction statement leaves out, when it grants every other action: None
    for a statement without NotAction, one whose NotAction is not fully known (it may exclude
    everything), or one that excludes every action (it grants nothing)."""
    if "Action" in statement or "NotAction" not in statement:
        return None
    excluded = _patterns(statement["NotAction"])
    if excluded is None or any(not isinstance(a, str) for a in excluded):
        return None
    if any(every_action(a) for a in excluded):
        return None
    return excluded


def granted_actions(statement: dict[str, Any]) -> str | None:
    """What the statement grants, for a message: its known Action patterns, or "every action
    except ..." for a NotAction; None when it grants nothing known (the element is not known, no
    action in it is known, or a NotAction excludes "*")."""
    if "Action" in statement:
        actions = _patterns(statement["Action"])
        if actions is None:
            return None
        known = [a for a in actions if isinstance(a, str) and a]
        return ", ".join(dict.fromkeys(known)) or None
    excluded = excluded_actions(statement)
    return None if excluded is None else "every action except " + ", ".join(excluded)


def every_action(pattern: Any) -> bool:
    """``*`` or ``*:*`` (any number of stars): a pattern every action matches. ``*:`` is not:
    with IAM wildcards it matches no action."""
    return isinstance(pattern, str) and _EVERY_ACTION.fullmatch(pattern) is not None


def target_names(targets: list[Any]) -> list[str]:
    """How a policy resource names what it applies to when that is defined outside the
    configuration (``bucket = var.name``, ``QueueUrls``): the literal names, the addresses of
    references, and a placeholder when nothing is known."""
    names = [t if isinstance(t, str) else t.address if isinstance(t, Ref) else "a value not known before deployment"
             for t in targets]
    return names or ["a value not known before deployment"]


# --- trust policies (who may assume a role) ------------------------------------------------------

ASSUME_ROLE_ACTIONS = ("sts:AssumeRole", "sts:AssumeRoleWithWebIdentity", "sts:AssumeRoleWithSAML")
"""The actions a trust policy grants to let its principals become the role."""
WEB_IDENTITY = "sts:AssumeRoleWithWebIdentity"
GITHUB_OIDC = "token.actions.githubusercontent.com"
AUDIENCE_CLAIMS = {
    # Providers whose tokens name the application they were issued for: a condition on it keeps
    # the role to the users of one's own application (a Cognito identity pool, a Google client).
    "cognito-identity.amazonaws.com": ("aud",),
    "accounts.google.com": ("aud", "oaud"),
    "graph.facebook.com": ("app_id",),
    "www.amazon.com": ("app_id",),
    # Issuers of one tenant, whose audience is that tenant: a CircleCI organization, a Bitbucket
    # workspace (a key ending in "/" stands for every issuer it starts).
    "oidc.circleci.com/org/": ("aud",),
    "api.bitbucket.org/2.0/workspaces/": ("aud",),
}
_POSITIVE = re.compile(r"(?:for(?:anyvalue|allvalues):)?string(?:equals|like)(?:ignorecase)?(?:ifexists)?")
_WILDCARDS = frozenset("*?")


def federated(principal: Any) -> list[Any] | None:
    """The Federated element of a Principal as a list ([] when it has none); None when the
    Principal is not known."""
    if not isinstance(principal, dict):
        return [] if is_known(principal) else None
    value = principal.get("Federated")
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def web_identity_provider(value: Any) -> str | None:
    """The identity provider a Federated value names, lower case: the host of an OIDC provider
    ARN (``arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com``) or a
    provider named as itself (``cognito-identity.amazonaws.com``); ``""`` for a SAML provider;
    None when the value is not known (a reference to a provider made at deployment)."""
    if isinstance(value, Ref):
        value = value.value
    if not isinstance(value, str) or not value:
        return None
    if ":saml-provider/" in value:
        return ""
    if ":oidc-provider/" in value:
        return value.split(":oidc-provider/", 1)[1].lower().rstrip("/")
    return value.lower().rstrip("/")


def _only_wildcards(text: str) -> bool:
    return bool(text) and set(text) <= _WILDCARDS


def _pins(value: str, provider: str | None, claim: str) -> bool:
    """Whether a condition value names some subjects of the provider rather than all of them.
    GitHub's subject is ``repo:<owner>/<repository>:...``: a value with a wildcard in the owner
    (``repo:*``, ``repo:*/*``, ``repo:my-org*``) admits repositories anyone can create."""
    text = value.strip()
    if claim == "sub" and provider == GITHUB_OIDC:
        if text.lower().startswith("repo:"):
            owner, slash, _rest = text[5:].partition("/")
            return bool(slash and owner) and not (set(owner) & _WILDCARDS)
        return bool(text) and text[0] not in _WILDCARDS  # a customised subject claim
    return bool(text) and not _only_wildcards(text)


def condition_provider(condition: Any) -> str | None:
    """The web identity provider a Condition's keys name (``token.actions.githubusercontent.com``
    of ``token.actions.githubusercontent.com:aud``), when they name exactly one: what a trust
    statement whose Federated principal is not known (an ARN built at deployment) trusts."""
    if not isinstance(condition, dict):
        return None
    found = set()
    for clauses in condition.values():
        for key in clauses if isinstance(clauses, dict) else ():
            if isinstance(key, str):
                prefix, sep, _claim = key.lower().rpartition(":")
                if sep and "." in prefix:
                    found.add(prefix.rstrip("/"))
    return found.pop() if len(found) == 1 else None


def subject_pinned(condition: Any, provider: str | None) -> bool | None:
    """Whether a web-identity trust statement's Condition keeps it to some identities of the
    ``provider`` (None: not known which): a positive string condition (StringEquals, StringLike,
    their IgnoreCase/IfExists/ForAnyValue forms) on the token's subject, ``<provider>:sub``
    (with an unknown provider, any ``...:sub``), or on the application audience of the providers
    in ``AUDIENCE_CLAIMS``, with every value naming less than every subject. An audience
    condition such as ``token.actions.githubusercontent.com:aud`` alone does not (every GitHub
    token may carry that audience). When the provider is not known, the one the condition's keys
    name stands for it. True, False, or None when a part that decides it is not known."""
    if condition is None:
        return False
    if not isinstance(condition, dict):
        return None
    provider = provider or condition_provider(condition)
    if provider is None:
        return None  # neither the principal nor the condition says which provider
    claims = ("sub", *next((found for name, found in AUDIENCE_CLAIMS.items()
                            if provider == name or (name.endswith("/") and provider.startswith(name))), ()))
    unknown = False
    for operator, clauses in condition.items():
        if not isinstance(clauses, dict):
            unknown = True
            continue
        positive = isinstance(operator, str) and _POSITIVE.fullmatch(operator.lower()) is not None
        for key, values in clauses.items():
            if not isinstance(key, str):
                unknown = True
                continue
            prefix, sep, claim = key.lower().rpartition(":")
            if not sep or claim not in claims or prefix.rstrip("/") != provider:
                continue
            if not positive:
                continue
            listed = values if isinstance(values, list) else [values]
            if not listed or any(not isinstance(v, str) for v in listed):
                unknown = unknown or not listed or any(not is_known(v) for v in listed)
                continue
            if all(_pins(v, provider, claim) for v in listed):
                return True
    return None if unknown else False


# --- statements that open a resource to anyone --------------------------------------------------

_NEGATED = ("stringnot", "arnnot", "notipaddress", "numericnot", "datenot")
_OPEN_CIDRS = frozenset({"0.0.0.0/0", "::/0"})
HARMLESS_PREFIXES = ("describe", "list")
"""Actions (the part after the service prefix, lower case) that only read metadata."""
HARMLESS_ACTIONS = frozenset({
    "kms:getkeypolicy", "kms:getkeyrotationstatus", "kms:getpublickey",
    "secretsmanager:getresourcepolicy", "ecr:getrepositorypolicy", "ecr:getlifecyclepolicy",
    "elasticfilesystem:getfilesystempolicy", "glacier:getvaultaccesspolicy", "glacier:getvaultnotifications",
    "glacier:getvaultlock",
})
"""Read-only metadata actions that do not start with Describe or List (lower case)."""


def _operator(name: str) -> str:
    """A condition operator without its set prefix (ForAnyValue:, ForAllValues:) and IfExists."""
    op = name.lower().split(":", 1)[-1]
    return op[:-len("ifexists")] if op.endswith("ifexists") else op


def confines(condition: Any, keys: Iterable[str] = RESTRICTING_KEYS) -> bool:
    """Whether an Allow statement's Condition confines who may call: a clause on one of ``keys``
    (lower case) under a positive operator (``StringEquals``, ``ArnLike``, ``IpAddress``...), and
    for ``aws:SourceIp`` only ranges narrower than the internet. Negated operators
    (``StringNotEquals``, ``NotIpAddress``: everyone but some) and ``Null`` do not confine. A
    condition, clause or value that is not known may confine (no definite finding)."""
    if condition is None:
        return False
    if not isinstance(condition, dict):
        return True
    wanted = keys if isinstance(keys, (set, frozenset)) else frozenset(keys)
    for operator, clauses in condition.items():
        if not isinstance(clauses, dict) or not isinstance(operator, str):
            return True
        op = _operator(operator)
        if op.startswith(_NEGATED) or op == "null":
            continue
        for key, value in clauses.items():
            if not isinstance(key, str) or key.lower() not in wanted:
                continue
            if key.lower() != "aws:sourceip":
                return True
            values = value if isinstance(value, list) else [value]
            if not all(isinstance(v, str) for v in values) or not any(v.strip() in _OPEN_CIDRS for v in values):
                return True
    return False


def _denies_others(condition: Any, keys: frozenset[str]) -> bool:
    """Whether a Deny statement's Condition spares only confined callers: a clause on one of
    ``keys`` under a negated operator (deny unless the caller is of the organisation, comes
    through the endpoint or from the ranges...)."""
    if not isinstance(condition, dict):
        return False
    for operator, clauses in condition.items():
        if not isinstance(operator, str) or not isinstance(clauses, dict):
            continue
        if _operator(operator).startswith(_NEGATED) and any(
                isinstance(k, str) and k.lower() in keys for k in clauses):
            return True
    return False


def harmless_only(statement: dict[str, Any]) -> bool:
    """Whether the statement's Action grants only read-only metadata actions (Describe*,
    List*, reading the resource's own policy): every known pattern is one (a wildcard only after
    such a prefix, ``kms:Describe*``). A NotAction grants every other action: not harmless."""
    actions = _patterns(statement.get("Action")) if "Action" in statement else None
    if actions is None:
        return False
    known = [a for a in actions if isinstance(a, str)]
    for action in known:
        service, _, name = action.lower().partition(":")
        literal = re.split(r"[*?]", name, maxsplit=1)[0]
        wild = literal != name
        if not service or not name:
            return False
        if not literal.startswith(HARMLESS_PREFIXES) and (wild or action.lower() not in HARMLESS_ACTIONS):
            return False
    return bool(known)


def _guarded(statement: dict[str, Any], denies: list[dict[str, Any]], keys: frozenset[str]) -> bool:
    """Whether a Deny to everyone unless a confining condition holds covers every action the
    public Allow ``statement`` grants."""
    granted = _patterns(statement.get("Action")) if "Action" in statement else None
    for deny in denies:
        if granted is None:
            if not any(every_action(a) for a in (_patterns(deny.get("Action")) or [])):
                continue
        elif not all(isinstance(a, str) and action_allowed(deny, a) is True for a in granted):
            continue
        if "Condition" not in deny or _denies_others(deny.get("Condition"), keys):
            return True  # everyone is denied, or everyone but confined callers
    return False


def public_grants(document: Any, keys: Iterable[str] = RESTRICTING_KEYS) -> list[tuple[int, dict[str, Any], str]]:
    """The statements of a resource policy that let anyone act on the resource, as (position,
    statement, what it grants): Effect Allow, Principal ``"*"`` (or ``{"AWS": "*"}``, or an AWS
    list holding ``"*"``), no condition that ``confines`` the caller on one of ``keys``, granting
    more than read-only metadata (``harmless_only``), and no Deny to everyone unless confined
    (``StringNotEquals aws:SourceVpce``, ``NotIpAddress aws:SourceIp``...) covering what it grants.
    Unknown documents, statements, principals, conditions or actions give none. NotPrincipal is
    not judged."""
    wanted = keys if isinstance(keys, frozenset) else frozenset(keys)
    statements = statement_list(document) or []
    denies = [s for s in statements if isinstance(s, dict) and s.get("Effect") == "Deny"
              and principal_is_public(s.get("Principal")) is True]
    out = []
    for n, statement in enumerate(statements):
        if not is_allow(statement) or not public_principal(statement.get("Principal")):
            continue
        if confines(statement.get("Condition"), wanted) or harmless_only(statement):
            continue
        granted = granted_actions(statement)
        if granted is None or _guarded(statement, denies, wanted):
            continue
        out.append((n, statement, granted))
    return out


def statement_label(statement: dict[str, Any], n: int) -> str:
    """How a message names a statement: its Sid, else its position."""
    sid = statement.get("Sid")
    return f"statement {sid!r}" if isinstance(sid, str) and sid else f"statement {n + 1}"
