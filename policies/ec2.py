"""EC2 policies: instance metadata, public addresses, EBS encryption, secrets in user data."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from iac_assist.analysis.policy import Hit, policy
from iac_assist.fixes.declare import SetFacts
from iac_assist.model import Component, Fact, Unknown, is_known, kinds
from iac_assist.model.credentials import is_placeholder
from iac_assist.model.graph import ResourceGraph

ROOT_DEVICE_NAMES = frozenset({"/dev/xvda", "/dev/sda1", "/dev/sda", "xvda", "sda1"})
"""Root device names of the common AMIs (Amazon Linux: /dev/xvda; Ubuntu, RHEL, Windows: /dev/sda1)."""

_UNRESOLVED = object()
"""A launch template or configuration is named but not in the model (created elsewhere)."""


def _component_word(comp: Component) -> str:
    return {
        kinds.INSTANCE: "Instance",
        kinds.LAUNCH_TEMPLATE: "Launch template",
        kinds.LAUNCH_CONFIGURATION: "Launch configuration",
        kinds.AUTOSCALING_GROUP: "Auto Scaling group",
        kinds.VOLUME: "EBS volume",
        kinds.SNAPSHOT: "EBS snapshot",
    }.get(comp.kind, "Resource")


def _launch_source(graph: ResourceGraph, comp: Component) -> Any:
    """The launch template (instances, Auto Scaling groups) or launch configuration (Auto Scaling
    groups) whose settings ``comp`` launches with: None when it names none, ``_UNRESOLVED`` when
    the one it names is not in the model."""
    if comp.has("launch_template"):
        found = graph.resolve(comp, comp.get("launch_template"), kinds.LAUNCH_TEMPLATE)
        return found if found is not None else _UNRESOLVED
    if comp.has("launch_configuration"):
        found = graph.resolve(comp, comp.get("launch_configuration"), kinds.LAUNCH_CONFIGURATION)
        return found if found is not None else _UNRESOLVED
    return None


# --- IMDS ----------------------------------------------------------------------------------------


def _account_default(graph: ResourceGraph, key: str, protective: str) -> Any:
    """The account-wide IMDS default for ``key``: ``protective`` when a configuration sets it,
    Unknown when one may, None otherwise."""
    values = [c.get(key) for c in graph.of_kind(kinds.METADATA_DEFAULTS) if c.has(key)]
    if protective in values:
        return protective
    if any(not is_known(v) for v in values):
        return Unknown("account default not known")
    return None


@policy(
    id="IAC-EC2-001",
    control="ec2-imdsv1-enabled",
    title="Instance metadata service v1 is allowed",
    severity="high",
    stride="IS",
    cwe=918,
    remediation="""
Require IMDSv2 session tokens: `metadata_options { http_tokens = "required" }` on
`aws_instance`, `aws_launch_template` and `aws_launch_configuration` (Terraform);
`MetadataOptions: {HttpTokens: required}` on `AWS::EC2::Instance`, in the
`LaunchTemplateData` of `AWS::EC2::LaunchTemplate`, or on
`AWS::AutoScaling::LaunchConfiguration` (CloudFormation). Account-wide, Terraform's
`aws_ec2_instance_metadata_defaults` with `http_tokens = "required"` covers instances that leave
it unset.
""",
    references=(
        "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-IMDS-new-instances.html",
        "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instance-metadata-v2-how-it-works.html",
    ),
    fix=SetFacts({"http_tokens": "required"},
                 note="software on the instance that still calls IMDSv1 (old SDKs, curl scripts) must ask for a "
                      "token first"),
)
def ec2_imdsv1_enabled(graph: ResourceGraph) -> Iterator[Hit]:
    """IMDSv1 answers any plain GET to 169.254.169.254, so one server-side request forgery in an
    application hands out the instance role's credentials; IMDSv2 needs a session token from a PUT
    that such requests cannot make. Reported on instances, launch templates and launch
    configurations whose metadata options leave http_tokens "optional" or unset (unset allows
    IMDSv1, whatever the AMI). An instance launched from a launch template takes what it leaves
    unset from the template: it is then not reported itself (the template is, once), nor when the
    template is not in the configuration. Auto Scaling groups are judged through their template or
    configuration. Not reported: a disabled metadata endpoint (http_endpoint "disabled"), unset
    options when the configuration requires tokens account-wide
    (aws_ec2_instance_metadata_defaults), and unknown values."""
    tokens_default = _account_default(graph, "http_tokens", "required")
    endpoint_default = _account_default(graph, "http_endpoint", "disabled")
    for comp in graph.of_kind(*kinds.LAUNCHABLE):
        tokens, endpoint = comp.get("http_tokens"), comp.get("http_endpoint")
        if comp.kind == kinds.INSTANCE and comp.has("launch_template"):
            if tokens is None:
                continue  # decided by the template, reported there (or not known)
            template = _launch_source(graph, comp)
            if endpoint is None and template is not _UNRESOLVED and template is not None:
                endpoint = template.get("http_endpoint")
            elif endpoint is None and template is _UNRESOLVED:
                endpoint = Unknown("launch template not in the configuration")
        if endpoint is None:
            endpoint = endpoint_default
        if endpoint == "disabled" or not is_known(endpoint):
            continue
        what = _component_word(comp)
        if tokens is None:
            if tokens_default is not None:
                continue  # required account-wide, or may be
            yield Hit(comp, comp.loc_of("http_endpoint"),
                      f"{what} {comp.display} leaves the metadata option http_tokens unset, so IMDSv1 is allowed: "
                      "an SSRF flaw can read the instance role's credentials. Set http_tokens / HttpTokens to "
                      "\"required\".",
                      cause="http_tokens:unset")
        elif tokens == "optional":
            yield Hit(comp, comp.loc_of("http_tokens"),
                      f"{what} {comp.display} sets http_tokens to \"optional\", so IMDSv1 is allowed: an SSRF flaw "
                      "can read the instance role's credentials. Set http_tokens / HttpTokens to \"required\".",
                      cause="http_tokens:optional")


# --- public addresses ----------------------------------------------------------------------------


def _auto_assigning(graph: ResourceGraph, near: Component, subnets: Any) -> list[Component]:
    """The subnets among ``subnets`` that give every instance launched in them a public IPv4."""
    found = graph.resolve_all(near, subnets if isinstance(subnets, list) else [subnets], kinds.SUBNET)
    return [s for s in found if s.is_true("map_public_ip_on_launch")]


@policy(
    id="IAC-EC2-002",
    control="ec2-public-ip",
    title="Instance gets a public IP address",
    severity="medium",
    stride="I",
    cwe=668,
    remediation="""
Keep instances in private subnets and reach them through a load balancer, SSM Session Manager or
EC2 Instance Connect Endpoint. Set `associate_public_ip_address = false` (instance, launch
template `network_interfaces`, launch configuration) / `AssociatePublicIpAddress: false`
(`NetworkInterfaces` of an instance or launch template, launch configuration), launch into
subnets with `map_public_ip_on_launch` / `MapPublicIpOnLaunch` false, and do not attach Elastic
IPs (`aws_eip`, `aws_eip_association`, `AWS::EC2::EIP`, `AWS::EC2::EIPAssociation`) to instances.
""",
    references=(
        "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-ip-addressing.html",
        "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/using-instance-addressing.html",
    ),
    no_fix="whether the instance must be reached from, or reach, the internet without a NAT gateway "
           "is only known to you",
)
def ec2_public_ip(graph: ResourceGraph) -> Iterator[Hit]:
    """A public address puts the instance on the internet: only its security groups and network
    ACLs then stand between every service it runs and every scanner. Reported: an instance, launch
    template (primary network interface) or launch configuration that sets
    associate_public_ip_address true; an Elastic IP associated with an instance; an instance that
    leaves the setting unset (itself and in its launch template) and is placed in a subnet of the
    configuration with map_public_ip_on_launch true (a default subnet counts as such unless it says
    otherwise), pointing at its subnet; an Auto Scaling group whose template or configuration
    leaves it unset and that launches into such subnets. An instance without any subnet lands in
    the default VPC, which the configuration does not show: not reported. Unknown values, and
    templates or subnets not in the configuration, are not reported."""
    for comp in graph.of_kind(*kinds.LAUNCHABLE):
        if comp.is_true("associate_public_ip_address"):
            yield Hit(comp, comp.loc_of("associate_public_ip_address"),
                      f"{_component_word(comp)} {comp.display} associates a public IP address: its instances are "
                      "reachable from the internet. Set associate_public_ip_address / AssociatePublicIpAddress to "
                      "false and reach them through a load balancer or Session Manager.",
                      cause="associate_public_ip_address")
    for inst in graph.of_kind(kinds.INSTANCE):
        eip = inst.facts.get("elastic_ip")
        if eip is not None:
            yield Hit(inst, eip.loc,
                      f"Instance {inst.display} has Elastic IP {eip.origin or eip.value} associated: it is reachable "
                      "from the internet at a fixed address. Remove the association and reach it privately.",
                      cause="elastic_ip")
        if inst.has("associate_public_ip_address"):
            continue
        template = _launch_source(graph, inst)
        if template is _UNRESOLVED or (template is not None and template.has("associate_public_ip_address")):
            continue  # reported on the template when true; unknown when the template is not here
        for subnet in _auto_assigning(graph, inst, inst.get("subnet")):
            yield Hit(inst, inst.loc_of("subnet"),
                      f"Instance {inst.display} is launched into subnet {subnet.address}, which assigns a public IP "
                      "address to every instance (map_public_ip_on_launch), and does not opt out. Set "
                      "associate_public_ip_address / AssociatePublicIpAddress to false or use a private subnet.",
                      cause=f"subnet:{subnet.address}",
                      related=((subnet.loc_of("map_public_ip_on_launch"), f"{subnet.address} maps public IPs"),))
    for group in graph.of_kind(kinds.AUTOSCALING_GROUP):
        source = _launch_source(graph, group)
        if source is None or source is _UNRESOLVED or source.has("associate_public_ip_address"):
            continue
        public = _auto_assigning(graph, group, group.get("subnets"))
        if not public:
            continue
        names = ", ".join(sorted(s.address for s in public))
        yield Hit(group, group.loc_of("subnets"),
                  f"Auto Scaling group {group.display} launches instances into subnets that assign public IP "
                  f"addresses ({names}) and its {_component_word(source).lower()} {source.address} does not opt out. "
                  "Set associate_public_ip_address / AssociatePublicIpAddress to false or use private subnets.",
                  cause="subnets:" + names,
                  related=tuple((s.loc_of("map_public_ip_on_launch"), f"{s.address} maps public IPs") for s in public))


# --- EBS encryption ------------------------------------------------------------------------------


def _default_encryption(graph: ResourceGraph) -> Any:
    """Account-wide EBS encryption by default: True when a configuration enables it, Unknown when
    one may, False otherwise."""
    values = [c.get("enabled") for c in graph.of_kind(kinds.EBS_DEFAULT_ENCRYPTION)]
    if True in values:
        return True
    if any(not is_known(v) for v in values):
        return Unknown("default encryption not known")
    return False


@dataclass(frozen=True)
class _State:
    encrypted: bool | None
    """None: not known."""
    why: str = ""


_ENCRYPTED = _State(True)
_UNKNOWN = _State(None)


class _Ebs:
    """Whether volumes and snapshots are encrypted, following snapshots to their volumes."""

    def __init__(self, graph: ResourceGraph) -> None:
        self.graph = graph
        self.default = _default_encryption(graph)

    def new_volume(self, near: Component, spec: dict[str, Any], seen: frozenset[str] = frozenset()) -> _State:
        """A volume created now, from ``{"encrypted", "snapshot", "source_volume"}``."""
        encrypted = spec.get("encrypted")
        if encrypted is True or self.default is True:
            return _ENCRYPTED  # with encryption by default every new volume is encrypted
        if (encrypted is not None and not isinstance(encrypted, bool)) or not is_known(self.default):
            return _UNKNOWN
        if encrypted is False:
            return _State(False, "encrypted is false")
        if spec.get("snapshot") is not None:
            state = self.snapshot(near, spec["snapshot"], seen)
            return _State(False, f"it is created from unencrypted snapshot {state.why}") \
                if state.encrypted is False else state
        if spec.get("source_volume") is not None:
            state = self.volume(near, spec["source_volume"], seen)
            return _State(False, f"it copies unencrypted volume {state.why}") if state.encrypted is False else state
        return _State(False, "encryption is left unset")

    def volume(self, near: Component, ref: Any, seen: frozenset[str]) -> _State:
        vol = self.graph.resolve(near, ref, kinds.VOLUME)
        if vol is None or vol.id in seen:
            return _UNKNOWN
        state = self.new_volume(vol, {k: vol.get(k) for k in ("encrypted", "snapshot", "source_volume")},
                                seen | {vol.id})
        return _State(False, vol.address) if state.encrypted is False else state

    def snapshot(self, near: Component, ref: Any, seen: frozenset[str]) -> _State:
        snap = self.graph.resolve(near, ref, kinds.SNAPSHOT)
        if snap is None or snap.id in seen:
            return _UNKNOWN
        state = self.of_snapshot(snap, seen | {snap.id})
        return _State(False, snap.address) if state.encrypted is False else state

    def of_snapshot(self, snap: Component, seen: frozenset[str] = frozenset()) -> _State:
        if snap.has("volume"):
            # A snapshot is encrypted exactly when its volume is.
            state = self.volume(snap, snap.get("volume"), seen | {snap.id})
            return _State(False, f"volume {state.why} is not encrypted") if state.encrypted is False else state
        if snap.has("source_snapshot"):
            encrypted = snap.get("encrypted")
            if encrypted is True or self.default is True:
                return _ENCRYPTED
            if (encrypted is not None and not isinstance(encrypted, bool)) or not is_known(self.default):
                return _UNKNOWN
            state = self.snapshot(snap, snap.get("source_snapshot"), seen | {snap.id})
            return _State(False, f"it copies unencrypted snapshot {state.why} without encrypting it") \
                if state.encrypted is False else state
        return _UNKNOWN


def _is_root(volume: dict[str, Any]) -> bool:
    root = volume.get("root")
    return root is True or (root is None and volume.get("device_name") in ROOT_DEVICE_NAMES)


def _may_be_root(volume: dict[str, Any]) -> bool:
    return volume.get("root") is None and not isinstance(volume.get("device_name"), str)


@policy(
    id="IAC-EC2-003",
    control="ebs-unencrypted",
    no_fix=("encrypting a volume replaces it (a new volume, its data copied through a snapshot): a change to "
            "plan, not an edit to apply; or turn on EBS encryption by default for the account"),
    title="EBS volume is not encrypted",
    severity="medium",
    stride="I",
    cwe=311,
    remediation="""
Encrypt every volume: `encrypted = true` in `root_block_device` / `ebs_block_device` (instances,
launch configurations), in `block_device_mappings { ebs { } }` (launch templates) and on
`aws_ebs_volume`; `Encrypted: true` in the `Ebs` of `BlockDeviceMappings` and on
`AWS::EC2::Volume` (CloudFormation); add `kms_key_id` / `KmsKeyId` for a customer managed key.
Best, turn on encryption by default for the account and region: `aws_ebs_encryption_by_default`
with `enabled = true`. Copy unencrypted snapshots with encryption on.
""",
    references=(
        "https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption.html",
        "https://docs.aws.amazon.com/ebs/latest/userguide/encryption-by-default.html",
    ),
)
def ebs_unencrypted(graph: ResourceGraph) -> Iterator[Hit]:
    """Unencrypted EBS volumes and snapshots expose their data to anyone who gets hold of a
    snapshot (a share, a copy to another account) or of the disks, and break most compliance
    baselines. Reported: an EBS volume of an instance, launch template or launch configuration
    (root or attached), an aws_ebs_volume / AWS::EC2::Volume, that sets encryption false or leaves
    it unset (a volume created from a snapshot is as encrypted as the snapshot; one from a
    snapshot outside the configuration is not known); a snapshot of an unencrypted volume, and a
    snapshot copy of an unencrypted snapshot that does not encrypt; account-wide encryption by
    default explicitly disabled. A root volume left implicit (no root block device mapping: none
    marked root, none on /dev/xvda or /dev/sda1) counts as unencrypted; an instance launched from a
    launch template leaves it to the template. Encryption by default enabled anywhere in the
    scanned configurations (aws_ebs_encryption_by_default; CloudFormation has no such resource)
    makes every new volume and snapshot copy encrypted, even one that says encrypted false, so
    nothing new is reported then. Unknown values are not reported."""
    ebs = _Ebs(graph)
    for setting in graph.of_kind(kinds.EBS_DEFAULT_ENCRYPTION):
        if setting.is_false("enabled"):
            yield Hit(setting, setting.loc_of("enabled"),
                      f"{setting.display} disables EBS encryption by default for the account and region: new "
                      "volumes are created unencrypted unless each one asks. Set enabled = true.",
                      cause="default-encryption-disabled")
    for vol in graph.of_kind(kinds.VOLUME):
        spec = {k: vol.get(k) for k in ("encrypted", "snapshot", "source_volume")}
        state = ebs.new_volume(vol, spec, frozenset({vol.id}))
        if state.encrypted is False:
            where = next((vol.loc_of(k) for k in ("encrypted", "snapshot", "source_volume") if vol.has(k)), vol.loc)
            yield Hit(vol, where, f"EBS volume {vol.display} is not encrypted: {state.why}. Set encrypted / "
                      "Encrypted to true.", cause="volume")
    for snap in graph.of_kind(kinds.SNAPSHOT):
        state = ebs.of_snapshot(snap)
        if state.encrypted is False:
            where = snap.loc_of("volume") if snap.has("volume") else snap.loc_of("source_snapshot")
            yield Hit(snap, where, f"EBS snapshot {snap.display} is not encrypted: {state.why}. Encrypt the "
                      "volume, or copy the snapshot with encryption on.", cause="snapshot")
    for comp in graph.of_kind(*kinds.LAUNCHABLE):
        yield from _launch_volumes(graph, ebs, comp)


def _launch_volumes(graph: ResourceGraph, ebs: _Ebs, comp: Component) -> Iterator[Hit]:
    volumes = comp.get("volumes")
    if volumes is not None and not isinstance(volumes, list):
        return  # the mappings are not known
    what = _component_word(comp)
    entries = [(v.value, v.loc) if isinstance(v, Fact) else (v, comp.loc_of("volumes")) for v in volumes or []]
    entries = [(v, loc) for v, loc in entries if isinstance(v, dict)]
    for n, (volume, loc) in enumerate(entries):
        state = ebs.new_volume(comp, volume)
        if state.encrypted is not False:
            continue
        kind = "root volume" if _is_root(volume) else "volume"
        device = volume.get("device_name")
        name = f"{kind} {device}" if isinstance(device, str) else kind
        yield Hit(comp, loc, f"{what} {comp.display} has an unencrypted EBS {name}: {state.why}. Set encrypted / "
                  "Encrypted to true.", cause=f"volume:{device if isinstance(device, str) else n}")
    if any(_is_root(v) for v, _ in entries) or any(_may_be_root(v) for v, _ in entries):
        return
    if comp.kind == kinds.INSTANCE and comp.has("launch_template"):
        return  # the template's block device mappings decide (and are checked there)
    if ebs.default is not False:
        return
    yield Hit(comp, comp.loc, f"{what} {comp.display} leaves its root volume implicit: it is created from the "
              "AMI's snapshot without asking for encryption. Declare the root volume with encrypted / Encrypted "
              "true, or enable EBS encryption by default.", cause="root:implicit")


# --- secrets in user data ------------------------------------------------------------------------

_AWS_KEY_ID = re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])")
_PRIVATE_KEY = re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")
# A quoted value, also with its quotes escaped (user data written inside a JSON or HCL string
# that is not decoded: \"hunter2\").
_QUOTED = r"\\\"[^\"\n]*?\\\"|\"[^\"\n]*\"|'[^'\n]*'"
_ASSIGNMENT = re.compile(
    r"(?<![A-Za-z0-9_.-])(?P<key>[A-Za-z_][A-Za-z0-9_.-]*)(?:\\?[\"'])?[ \t]*(?:=|:)[ \t]*"
    rf"(?P<value>{_QUOTED}|[^\s\"'#;&|,}}]+)"
)
_FLAG = re.compile(rf"(?<![\w-])--(?P<key>[A-Za-z0-9-]+)(?:=|[ \t]+)(?P<value>{_QUOTED}|[^\s\"'#;&|]+)")
_CHPASSWD = re.compile(r"echo[ \t]+[\"']?[\w.-]+:(?P<value>[^\s\"']+)[\"']?[ \t]*\|[ \t]*(?:sudo[ \t]+)?chpasswd")
_IDENTIFIED_BY = re.compile(r"(?i)\bidentified[ \t]+by[ \t]+(?P<value>'[^'\n]*'|\"[^\"\n]*\")")
_URL_CREDENTIALS = re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s:/@'\"]+:(?P<value>[^\s@/'\"]+)@")
_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
_SECRET_WORDS = {"password", "passwd", "pwd", "passphrase", "secret", "token"}
_KEY_QUALIFIERS = {"access", "secret", "private", "api", "auth", "client"}
_NOT_SECRET_TOKENS = {"creation", "client", "request", "idempotency", "next", "verification", "metadata", "imds"}
_NOT_SECRET_VALUES = {"true", "false", "yes", "no", "none", "null", "nil", "on", "off", "enabled", "disabled",
                      "required", "optional"}


def _words(name: str) -> list[str]:
    out: list[str] = []
    for part in re.split(r"[^A-Za-z0-9]+", name):
        out.extend(w.lower() for w in _WORDS.findall(part))
    return out


def _secret_name(name: str) -> bool:
    """A name whose LAST word names a secret: DB_PASSWORD, adminPassword, api_key, GITHUB_TOKEN;
    not password_length, PasswordAuthentication, secret_arn or SECRET_NAME."""
    parts = _words(name)
    if not parts:
        return False
    last = parts[-1]
    if last in _SECRET_WORDS:
        return not (last == "token" and len(parts) > 1 and parts[-2] in _NOT_SECRET_TOKENS)
    return last == "key" and len(parts) > 1 and parts[-2] in _KEY_QUALIFIERS


def _literal(value: str) -> str | None:
    """The value without quotes when it is a literal secret; None for references, variables,
    command substitutions, placeholders, paths, ARNs and booleans."""
    text = value.strip()
    if len(text) >= 4 and text.startswith('\\"') and text.endswith('\\"'):
        text = text[2:-2]
    elif len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        text = text[1:-1]
    if len(text) < 4 or text.lower() in _NOT_SECRET_VALUES:
        return None
    if text[0] in "$<%{/@*[(" or "${" in text or "$(" in text or "`" in text or "{{" in text:
        return None
    if text.startswith("arn:") or "secretsmanager" in text or "ssm:" in text:
        return None
    if len(set(text)) == 1 or is_placeholder(text):
        return None  # xxxx, ****, changeme, <PASSWORD>: a placeholder
    return text


def mask(secret: str) -> str:
    """Enough of a secret to recognise it, never enough to use it: at most 4 characters and at
    most a quarter of it, then ****."""
    return secret[: min(4, len(secret) // 4)] + "****"


@dataclass(frozen=True)
class Secret:
    kind: str
    line: int
    """Line within the user data, from 1."""
    shown: str
    """Masked: never the secret itself."""
    key: str = ""


def find_secrets(text: str) -> Iterator[Secret]:
    """What looks like a credential in user data text: AWS access key ids, private key blocks,
    password/secret/token assignments (shell, YAML, JSON, INI), --password style flags, chpasswd
    input, SQL IDENTIFIED BY, credentials in URLs."""

    def line(pos: int) -> int:
        return text.count("\n", 0, pos) + 1

    for m in _AWS_KEY_ID.finditer(text):
        yield Secret("an AWS access key id", line(m.start()), mask(m.group()))
    for m in _PRIVATE_KEY.finditer(text):
        yield Secret("a private key", line(m.start()), m.group())
    for pattern in (_ASSIGNMENT, _FLAG):
        for m in pattern.finditer(text):
            key = m.group("key")
            value = _literal(m.group("value"))
            if value is not None and _secret_name(key) and not _AWS_KEY_ID.fullmatch(value):
                yield Secret(f"a {key} assignment", line(m.start()), mask(value), key)
    for pattern, kind in ((_CHPASSWD, "a password fed to chpasswd"), (_IDENTIFIED_BY, "a SQL password"),
                          (_URL_CREDENTIALS, "a password in a URL")):
        for m in pattern.finditer(text):
            value = _literal(m.group("value"))
            if value is not None:
                yield Secret(kind, line(m.start()), mask(value))


@policy(
    id="IAC-EC2-004",
    control="secret-in-user-data",
    title="User data contains a secret",
    severity="high",
    stride="I",
    cwe=798,
    remediation="""
Take the secret out of `user_data` / `user_data_base64` (Terraform) / `UserData` (CloudFormation)
and rotate it. Give the instance an IAM role (`iam_instance_profile` / `IamInstanceProfile`) and
fetch secrets at boot from Secrets Manager (`aws secretsmanager get-secret-value`) or SSM
Parameter Store (`aws ssm get-parameter --with-decryption`); never put AWS access keys on an
instance at all.
""",
    references=(
        "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/user-data.html",
        "https://docs.aws.amazon.com/secretsmanager/latest/userguide/retrieving-secrets.html",
    ),
    no_fix="the secret must be rotated and read at boot from a secret store: an edit cannot do that",
)
def secret_in_user_data(graph: ResourceGraph) -> Iterator[Hit]:
    """User data is not secret: anyone allowed ec2:DescribeInstanceAttribute or
    DescribeLaunchTemplateVersions reads it, every process on the instance can fetch it from the
    metadata service, and it sits in the repository and the state file. Reported for instances,
    launch templates and launch configurations whose decoded user data (base64 and gzip undone)
    holds an AWS access key id (AKIA/ASIA), a private key block, or a literal assigned to a name
    ending in password, passwd, pwd, passphrase, secret, token or access/secret/private/api key
    (shell, YAML, JSON, --flag=value; quoted, also with escaped quotes as in JSON written inside a
    heredoc), a chpasswd line, a SQL IDENTIFIED BY or a URL with a password. Values that are
    variables, command substitutions ($(...), ${...}), dynamic references ({{resolve:...}}), ARNs,
    paths, booleans or placeholders (xxxx, changeme, PASSWORD in brackets, the same placeholders
    as hardcoded-secret's) are not secrets. User data
    that is not known before deployment (a template with unknown parts) is not scanned. The
    secret is never shown: only a masked prefix."""
    for comp in graph.of_kind(*kinds.LAUNCHABLE):
        text = comp.get("user_data")
        if not isinstance(text, str):
            continue
        seen: set[str] = set()
        for secret in find_secrets(text):
            cause = f"{secret.kind}:{secret.key or secret.shown}"
            if cause in seen:
                cause = f"{cause}:{secret.line}"
            seen.add(cause)
            yield Hit(comp, comp.loc_of("user_data"),
                      f"User data of {_component_word(comp).lower()} {comp.display} holds {secret.kind} "
                      f"({secret.shown}, line {secret.line} of the user data): anyone who can describe the instance "
                      "or reach its metadata service reads it. Fetch secrets at boot from Secrets Manager or "
                      "Parameter Store.",
                      cause=cause)


POLICIES = [ec2_imdsv1_enabled, ec2_public_ip, ebs_unencrypted, secret_in_user_data]
