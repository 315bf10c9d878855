"""Literal secrets in resources: a format-independent scan of every evaluated body.

Values reach the normalizers evaluated, so a literal is whatever the repository itself decides:
a string written in place, a local, a variable's default or a tfvars value, a CloudFormation
parameter's ``Default``. A variable without value, a generated password, a reference to another
resource or a dynamic reference (``{{resolve:secretsmanager:...}}``) is not a literal.

Which attributes hold credentials is read from their names (snake_case, camelCase and
PascalCase alike, case-insensitively), with the same rules for map keys (environment
variables, connection properties) and for ``{"name": ..., "value": ...}`` pairs (container and
build environments): the name must END in a credential word (password, passwd, pwd,
passphrase, secret, token, credential(s)) or compound (access/secret/private/api/auth/client/
signing key, secret string); a trailing "wo" (Terraform write-only arguments) is ignored. A name
that only mentions a credential (``password_length``, ``secret_arn``, ``kms_key_id``,
``db_secret_name``, ``SecretStringTemplate``, ``GenerateStringKey``) is metadata, not the
secret. A value must be a known, non-empty string (or a number: a numeric PIN) that is not a
boolean word, not an ARN (a reference to a secret), holds no dynamic reference and is not a
placeholder (``is_placeholder``). Tags are never scanned. JSON text (a
task's container definitions) is decoded and scanned too. The clear value is never kept:
only a masked prefix.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from iac_assist.model import Fact, Withheld, number_text
from iac_assist.model.kinds import OTHER
from iac_assist.model.resource import SourceResource

if TYPE_CHECKING:
    from iac_assist.model.builder import ModelBuilder

FACT = "credentials"
MAX_DEPTH = 32

_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
_SECRET_WORDS = {"password", "passwd", "pwd", "passphrase", "secret", "token", "credential", "credentials"}
_KEY_QUALIFIERS = {"access", "secret", "private", "api", "auth", "client", "signing"}
_SINGLE_WORD = {"apikey": ("api", "key"), "authtoken": ("auth", "token"), "accesskey": ("access", "key")}
# Tokens that are identifiers, not secrets: creation_token (EFS), ClientToken, ClientRequestToken,
# IdempotencyToken, NextToken, VerificationToken (published in DNS), ServiceToken (a custom
# resource's Lambda function or SNS topic ARN).
_NOT_SECRET_TOKENS = {"creation", "client", "request", "idempotency", "continuation", "next", "pagination",
                      "verification", "service"}
_NOT_SECRET_VALUES = {"true", "false", "yes", "no", "none", "null", "nil", "enabled", "disabled", "on", "off"}
_SKIPPED_KEYS = {"tags_all", "tag", "tagspecifications", "tagging"}
"""Tags are labels, never credentials: these keys, and every key ending in "tags" (FileSystemTags)."""
_NAME_KEYS = ("name", "optionname")
"""Keys naming the value of a name/value pair (Elastic Beanstalk option settings: OptionName)."""
_REFERENCE_TYPES = {"parameter_store", "secrets_manager"}
_SECURE_TYPES = {"securestring"}


def words(name: str) -> list[str]:
    """``MasterUserPassword`` / ``master_user_password`` / ``DB_PASSWORD`` -> [master, user, password]."""
    out: list[str] = []
    for part in re.split(r"[^A-Za-z0-9]+", name):
        out.extend(w.lower() for w in _WORDS.findall(part))
    return out


def is_credential_name(name: str) -> bool:
    found = words(name)
    if found and found[-1] == "wo":
        found = found[:-1]  # Terraform write-only arguments: password_wo, secret_string_wo
    if not found:
        return False
    last = found[-1]
    if last in _SINGLE_WORD:
        return True
    if last == "token" and len(found) >= 2 and found[-2] in _NOT_SECRET_TOKENS:
        return False
    if last in _SECRET_WORDS:
        return True
    if len(found) >= 2 and last == "key" and found[-2] in _KEY_QUALIFIERS:
        return True
    return len(found) >= 2 and found[-2:] == ["secret", "string"]


def literal_text(value: Any) -> str | None:
    """A known scalar as text: a string, or a number (a numeric PIN is still a secret)."""
    if isinstance(value, Withheld):
        value = value.literal  # unknown to other policies, but written in the repository
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return number_text(value)
    return None  # Unknown, Ref, booleans, null, structures


def is_literal_secret(value: Any) -> bool:
    text = literal_text(value)
    if text is None:
        return False
    text = text.strip()
    if not text or text.lower() in _NOT_SECRET_VALUES:
        return False
    if "{{resolve:" in text:
        return False  # a CloudFormation dynamic reference
    if text.lower().startswith("arn:"):
        return False  # names a secret, does not hold one
    return not is_placeholder(text)


_PLACEHOLDER_WORDS = {
    "string", "value", "example", "sample", "placeholder", "dummy", "redacted", "hidden", "masked", "secret",
    "password", "passwd", "pwd", "passphrase", "token", "key", "apikey", "todo", "tbd", "fixme", "undefined",
    "notset", "unset", "empty", "default", "na",
}
"""Words written where a secret is to be filled in (after stripping separators and case)."""
_PLACEHOLDER_PREFIXES = ("changeme", "changeit", "replaceme", "replacewith", "replacethis", "fillme", "fillin",
                         "enteryour", "insertyour", "putyour", "setme")
_PLACEHOLDER_SHAPES = re.compile(
    r"<[^<>]*>"  # <PASSWORD>, <your-token>
    r"|\[[A-Za-z _-]*\]"  # [PASSWORD]
    r"|\{[A-Za-z _-]*\}"  # {PASSWORD}
    r"|(?:var|local|data|module|each|count|self)\.[A-Za-z_][\w.\[\]\"'-]*"  # var.x written in quotes
    r"|(?:your|enter|insert)[-_ ]?[A-Za-z_ -]*"  # YOUR_API_KEY, enter-password
    r"|[A-Za-z_ -]*[-_ ]here",  # password_here, put-token-here
    re.IGNORECASE,
)
_ENVIRONMENT_REFERENCE = re.compile(r"\$[A-Z_][A-Z0-9_]*|%[A-Z_][A-Z0-9_]*%")
"""$DB_PASSWORD, %DB_PASSWORD%: an environment variable by convention (upper case; $ecret is not)."""
_TEMPLATE_MARKERS = ("${", "{{", "$(", "#{")
"""Text another tool fills in: a CloudFormation ``${AWS::...}`` outside Fn::Sub, a Terraform
``${var.x}`` in a file not read as HCL, Jinja or Mustache, shell substitutions."""


def is_placeholder(text: str) -> bool:
    """Whether ``text`` stands where a secret is to be filled in, rather than being one: a type
    name (String), a word (changeme, password, <PASSWORD>, xxx), a reference or template left as
    text (var.x in quotes, ${var.x}, ${AWS::StackName}, {{ secret }}, $DB_PASSWORD)."""
    if any(marker in text for marker in _TEMPLATE_MARKERS):
        return True
    compact = re.sub(r"[^a-z0-9]", "", text.lower())
    if len(set(compact or text)) <= 1:
        return True  # xxx, ****, 0000, ...
    if compact in _PLACEHOLDER_WORDS or compact.startswith(_PLACEHOLDER_PREFIXES):
        return True
    return _PLACEHOLDER_SHAPES.fullmatch(text) is not None or _ENVIRONMENT_REFERENCE.fullmatch(text) is not None


def mask(value: str) -> str:
    """A few leading characters, enough to recognise the value, never enough to use it."""
    text = value.strip()
    shown = 0 if len(text) < 6 else 2 if len(text) < 12 else 3 if len(text) < 16 else 4
    return text[:shown] + "****"


def find(res: SourceResource) -> list[Fact]:
    """Every literal credential in ``res``, each located at its attribute."""
    found: dict[tuple, Fact] = {}
    for path, label, value in _walk(res.body, (), "", 0):
        masked = mask(literal_text(value) or "")
        found.setdefault((path, label), Fact({"attribute": label, "masked": masked}, res.at(*path)))
    return list(found.values())


def _partial_json() -> type | None:
    """The Terraform evaluator's ``PartialJson``, or None when no value of it can exist: its
    module is not loaded (a CloudFormation-only scan need not import the Terraform evaluator)."""
    module = sys.modules.get("iac_assist.parsers.terraform.values")
    return getattr(module, "PartialJson", None)


def _walk(node: Any, path: tuple[str | int, ...], label: str, depth: int) -> Iterator[tuple[tuple, str, Any]]:
    if depth > MAX_DEPTH:
        return
    partial_json = _partial_json()
    if partial_json is not None and isinstance(node, partial_json):
        # jsonencode() of a structure with unknown parts: its literal parts are still literals.
        node = node.value
    if isinstance(node, dict):
        yield from _walk_dict(node, path, label, depth)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _walk(item, path + (i,), f"{label}[{i}]", depth + 1)
    elif isinstance(node, str) and node.lstrip()[:1] in ("{", "["):
        # JSON text (container definitions, a policy): scanned inside, located at its attribute.
        try:
            decoded = json.loads(node)
        except (ValueError, RecursionError):
            return
        for _inner, inner_label, value in _walk(decoded, (), label, depth + 1):
            yield path, inner_label, value


def _walk_dict(node: dict, path: tuple[str | int, ...], label: str, depth: int) -> Iterator[tuple[tuple, str, Any]]:
    pair = _name_value(node)
    if pair is not None and (is_credential_name(pair[0]) or _secure_parameter(node)):
        # {"name": "DB_PASSWORD", "value": ...}, or an SSM SecureString parameter: the value is
        # the secret whatever the key holding it is called.
        name, key = pair
        if is_literal_secret(node[key]):
            yield path + (key,), f"{_join(label, key)} ({name})", node[key]
    elif _secure_parameter(node):
        key = next(k for k in node if isinstance(k, str) and k.lower() == "value")
        if is_literal_secret(node[key]):
            yield path + (key,), _join(label, key), node[key]
    for key, value in node.items():
        if not isinstance(key, str) or key.lower() in _SKIPPED_KEYS or key.lower().endswith("tags"):
            continue
        here = _join(label, key)
        if literal_text(value) is not None and is_credential_name(key):
            if is_literal_secret(value):
                yield path + (key,), here, value
            continue
        yield from _walk(value, path + (key,), here, depth + 1)


def _name_value(node: dict) -> tuple[str, str] | None:
    """``{"name": "DB_PASSWORD", "value": "..."}``: the name and the key holding the value."""
    keys = {k.lower(): k for k in node if isinstance(k, str)}
    name_key = next((keys[k] for k in _NAME_KEYS if k in keys and isinstance(node[keys[k]], str)), None)
    if name_key is None or "value" not in keys:
        return None
    kind = node.get(keys["type"]) if "type" in keys else None
    if isinstance(kind, str) and kind.lower() in _REFERENCE_TYPES:
        return None  # CodeBuild: the value names a parameter or secret
    return node[name_key], keys["value"]


def _secure_parameter(node: dict) -> bool:
    """An SSM parameter of type SecureString: its ``value`` is a secret whatever its name."""
    kind = next((v for k, v in node.items() if isinstance(k, str) and k.lower() == "type"), None)
    has_value = any(isinstance(k, str) and k.lower() == "value" for k in node)
    return has_value and isinstance(kind, str) and kind.lower() in _SECURE_TYPES


def _join(label: str, key: str) -> str:
    return f"{label}.{key}" if label else key


def attach(resources: Iterable[SourceResource], builder: ModelBuilder) -> None:
    """Set ``credentials`` on the component each resource became (the resource itself, not one
    of its parts). A satellite folded onto its owner has no component of its own: when it holds
    a literal secret, it is kept as an ``other`` component so the finding can name it."""
    for res in resources:
        found = find(res)
        if not found:
            continue
        own = builder.by_address(res.address)
        comp = own[0] if own else builder.add(res, OTHER)
        if not own:
            comp.set("attributes", res.body)
        comp.facts[FACT] = Fact(found, found[0].loc)
