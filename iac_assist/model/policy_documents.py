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


def public_principal(principal: Any) -> bool:
    """``"*"``, ``{"AWS": "*"}`` or ``{"AWS": [..., "*", ...]}``: anyone, signed in or not."""
    if principal == "*":
        return True
    if isinstance(principal, dict):
        aws = principal.get("AWS")
        return aws == "*" or (isinstance(aws, list) and "*" in aws)
    return False


def restricted(condition: Any, keys: Iterable[str] = RESTRICTING_KEYS) -> bool:
    """Whether a Condition element confines a statement to known callers or sources: it uses one
    of ``keys`` (lower case) under any operator. A condition that is not known may confine it."""
    if condition is None:
        return False
    if not isinstance(condition, dict):
        return True  # unknown conditions may restrict: no definite finding
    wanted = keys if isinstance(keys, (set, frozenset)) else frozenset(keys)
    for clauses in condition.values():
        if not isinstance(clauses, dict):
            return True
        for key in clauses:
            if isinstance(key, str) and key.lower() in wanted:
                return True
    return False


def allows_any(statement: dict[str, Any], probes: tuple[str, ...]) -> str | None:
    """The first of the ``probes`` actions the statement's Action (or NotAction) allows, compared
    case-insensitively with IAM wildcards; None when none is, or when the element is not known."""
    if "Action" in statement:
        actions = statement["Action"]
        actions = [actions] if isinstance(actions, str) else actions
        if not isinstance(actions, list):
            return None
        for probe in probes:
            if any(isinstance(a, str) and fnmatchcase(probe.lower(), a.lower()) for a in actions):
                return probe
        return None
    excluded = statement.get("NotAction")
    excluded = [excluded] if isinstance(excluded, str) else excluded
    if not isinstance(excluded, list) or any(not isinstance(a, str) for a in excluded):
        return None
    for probe in probes:
        if not any(fnmatchcase(probe.lower(), a.lower()) for a in excluded):
            return probe
    return None


def granted_actions(statement: dict[str, Any]) -> str | None:
    """What the statement grants, for a message: its known Action patterns, or "every action
    except ..." for a NotAction; None when it grants nothing known (the element is not known, no
    action in it is known, or a NotAction excludes "*")."""
    if "Action" in statement:
        actions = statement["Action"]
        actions = [actions] if isinstance(actions, str) else actions
        if not isinstance(actions, list):
            return None
        known = [a for a in actions if isinstance(a, str) and a]
        return ", ".join(dict.fromkeys(known)) or None
    if "NotAction" in statement:
        excluded = statement["NotAction"]
        excluded = [excluded] if isinstance(excluded, str) else excluded
        if not isinstance(excluded, list) or any(not isinstance(a, str) for a in excluded):
            return None  # an unknown exclusion may exclude everything
        if any(_every_action(a) for a in excluded):
            return None
        return "every action except " + ", ".join(excluded)
    return None


def _every_action(pattern: str) -> bool:
    """``*`` or ``*:*``: a pattern every action matches."""
    return _EVERY_ACTION.fullmatch(pattern) is not None


def target_names(targets: list[Any]) -> list[str]:
    """How a policy resource names what it applies to when that is defined outside the
    configuration (``bucket = var.name``, ``QueueUrls``): the literal names, the addresses of
    references, and a placeholder when nothing is known."""
    from iac_assist.model import Ref

    names = [t if isinstance(t, str) else t.address if isinstance(t, Ref) else "a value not known before deployment"
             for t in targets]
    return names or ["a value not known before deployment"]
