"""The CloudFormation editor: a ``Change`` on the model as edits of templates (see ``editor.py``).

Where an edit goes:

* the property the vocabulary table reads the fact from (the first of its paths that is
  written, else the first: the current name); facts the front end's own code reads
  (parsers/cloudformation/normalize_s3.py, normalize_lb.py) have their properties in ``OWN``
  below. CloudFormation has no satellites where Terraform has them: a bucket's public access
  block, versioning and encryption are properties of the bucket;
* when the property is ``!Ref Parameter`` and the value came from that parameter's ``Default``
  (``Fact.provenance``): the Default, only when the template reads the parameter once (otherwise
  the edit would change more than this setting);
* a value located at a line (``Change.at``): the property written on that line, of the names
  ``AT`` allows for the resource type.

The text edits themselves are ``cloudformation_text``'s: spliced at the parser's offsets and
checked by decoding the result. No edit (``CannotEdit``) for a value computed by a function
(``Fn::If``, ``Fn::Sub``, a ``Ref`` to a resource), a parameter given at deployment or by a
parent stack, a resource a transform makes (SAM, ``Fn::ForEach``) or a part of a resource (a
classic load balancer's listener).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from iac_assist.fixes import cfn_document as doc
from iac_assist.fixes.cfn_document import Key, shown
from iac_assist.fixes.cfn_tree import tree
from iac_assist.fixes.cloudformation_text import set_at_line, set_parameter_default, set_properties
from iac_assist.fixes.edits import TextEdit, apply_edits
from iac_assist.fixes.errors import CannotEdit
from iac_assist.fixes.paths import written_at
from iac_assist.model import Component

if TYPE_CHECKING:
    from iac_assist.fixes.declare import Change
    from iac_assist.fixes.editor import Sources
    from iac_assist.model.graph import ResourceGraph

Setting = tuple[tuple[Key, ...], Any]
Own = Callable[[Any, dict], list[Setting]]
"""A fact's value and the resource's decoded properties as settings of its properties."""


def _public_access_block(value: Any, properties: dict) -> list[Setting]:
    from iac_assist.model.vocabulary.s3 import _CFN_PUBLIC_ACCESS_BLOCK

    if not isinstance(value, dict):
        raise CannotEdit("a public access block is a set of flags")
    return [(("PublicAccessBlockConfiguration", theirs), value[ours])
            for theirs, ours in _CFN_PUBLIC_ACCESS_BLOCK.items() if ours in value]


def _versioning(value: Any, properties: dict) -> list[Setting]:
    return [(("VersioningConfiguration", "Status"), value)]


_RULES = ("BucketEncryption", "ServerSideEncryptionConfiguration")


def _encryption(value: Any, properties: dict) -> list[Setting]:
    """The first rule with a default is the bucket's default encryption (normalize_s3 reads it
    so); none: the first rule gets one."""
    rules = _at(properties, _RULES)
    index = next((i for i, rule in enumerate(rules) if isinstance(rule, dict) and "ServerSideEncryptionByDefault"
                  in rule), 0) if isinstance(rules, list) else 0
    return [((*_RULES, index, "ServerSideEncryptionByDefault", "SSEAlgorithm"), value)]


_DROP_INVALID = "routing.http.drop_invalid_header_fields.enabled"


def _drop_invalid_header_fields(value: Any, properties: dict) -> list[Setting]:
    """An entry of LoadBalancerAttributes (normalize_lb reads them): its Value, or a new entry."""
    if not isinstance(value, bool):
        raise CannotEdit("drop_invalid_header_fields is a flag")
    written = "true" if value else "false"
    entries = properties.get("LoadBalancerAttributes")
    entries = entries if isinstance(entries, list) else []
    for i, entry in enumerate(entries):
        if isinstance(entry, dict) and entry.get("Key") == _DROP_INVALID:
            return [(("LoadBalancerAttributes", i, "Value"), written)]
    end = len(entries)
    return [(("LoadBalancerAttributes", end, "Key"), _DROP_INVALID),
            (("LoadBalancerAttributes", end, "Value"), written)]


def _default_actions(value: Any, properties: dict) -> list[Setting]:
    """A listener's one default action, replaced: only a redirect to HTTPS on port 443 is ever
    written (``policies/lb.py`` asks for an HTTPS listener there)."""
    if not (isinstance(value, list) and len(value) == 1 and isinstance(value[0], dict)
            and value[0].get("type") == "redirect" and value[0].get("redirect_protocol") == "HTTPS"):
        raise CannotEdit("only a redirect to HTTPS can be written as a listener's action")
    written = properties.get("DefaultActions")
    if not isinstance(written, list) or len(written) != 1:
        raise CannotEdit(f"the listener has {len(written) if isinstance(written, list) else 'no plain'} default "
                         "actions: edit them by hand")
    redirect = {"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}
    return [(("DefaultActions",), [redirect])]


_ENABLED_TYPES = ("Logging", "ClusterLogging", "EnabledTypes")


def _log_types(value: Any, properties: dict) -> list[Setting]:
    """An EKS cluster's enabled log types: the missing ones appended as ``{Type: t}`` entries."""
    if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
        raise CannotEdit("log types are a list of names")
    written = _at(properties, _ENABLED_TYPES)
    if written is None:
        return [(_ENABLED_TYPES, [{"Type": t} for t in value])]
    if not isinstance(written, list):
        return [(_ENABLED_TYPES, [{"Type": t} for t in value])]  # a function there: refused where written
    have = [e.get("Type") for e in written if isinstance(e, dict)]
    missing = [t for t in value if t not in have]
    return [((*_ENABLED_TYPES, len(written) + i), {"Type": t}) for i, t in enumerate(missing)]


OWN: dict[tuple[str, str], Own] = {
    ("AWS::EKS::Cluster", "log_types"): _log_types,
    ("AWS::S3::Bucket", "public_access_block"): _public_access_block,
    ("AWS::S3::Bucket", "versioning"): _versioning,
    ("AWS::S3::Bucket", "encryption"): _encryption,
    ("AWS::ElasticLoadBalancingV2::LoadBalancer", "drop_invalid_header_fields"): _drop_invalid_header_fields,
    ("AWS::ElasticLoadBalancingV2::Listener", "default_actions"): _default_actions,
}
"""Facts whose properties the front end's own code reads (or whose value is shaped otherwise)."""

AT: dict[str, frozenset[str]] = {
    "AWS::CloudFront::Distribution": frozenset({"ViewerProtocolPolicy"}),
}
"""The properties a value located at a line may be, per resource type (the line of an element
whose property is missing is the element's own, its first key on it)."""


class CloudFormationEditor:
    format = "cloudformation"

    def edits(self, change: Change, graph: ResourceGraph, sources: Sources) -> list[TextEdit]:
        comp = change.component
        if comp.id.rpartition("#")[2] != comp.address:
            raise CannotEdit(f"{comp.id.rpartition('#')[2]} is a part of {comp.address} (written inside it): "
                             "edit it by hand")
        rel = comp.loc.file
        logical_id = comp.address.rpartition(".")[2]  # a nested stack's resources: Parent.Child
        text = sources.text(rel)
        properties = _properties(doc.decode(text), logical_id)
        settings: list[tuple[str, Setting]] = []
        for fact, value in change.facts.items():
            existing = comp.facts.get(fact)
            if existing is not None and existing.origin and existing.origin != comp.address:
                raise CannotEdit(f"{fact} is written by {shown(existing.origin)}: edit it there")
            settings += [(fact, setting) for setting in _settings(comp, fact, value, properties)]
        edits: list[TextEdit] = []
        plain: list[Setting] = []
        alone: list[TextEdit] = []
        for fact, (path, value) in settings:
            try:
                alone = set_properties(text, rel, logical_id, [(path, value)], comp.source_type)
            except CannotEdit as err:
                if err.parameter is None:
                    raise
                edits.append(_parameter_default(comp, fact, err, value, text, rel))
                continue
            plain.append((path, value))
        if len(plain) == 1:
            edits += alone  # the edits of that one setting, just made and checked
        elif plain:
            edits += set_properties(text, rel, logical_id, plain, comp.source_type)
        for loc, value in change.at:
            if loc.file != rel:
                raise CannotEdit(f"{loc} is not in {rel}, where {comp.address} is written")
            names = AT.get(comp.source_type)
            if names is None:
                raise CannotEdit(f"no property of {comp.source_type} is known to be located at a line")
            edits.append(set_at_line(text, rel, logical_id, loc.line, value, names))
        edits = [e for e in edits if text[e.start:e.end] != e.new]
        _reads_back(text, edits)
        return edits


    def combined(self, rel: str, text: str) -> None:
        """Raise CannotEdit unless ``text`` (a template with several fixes applied, each checked
        alone) still reads back: two fixes that each add ``Properties:`` would make it twice."""
        tree(text)
        doc.decode(text)


EDITOR = CloudFormationEditor()


def _properties(document: dict, logical_id: str) -> dict:
    resources = document.get("Resources")
    resource = resources.get(logical_id) if isinstance(resources, dict) else None
    properties = resource.get("Properties") if isinstance(resource, dict) else None
    return properties if isinstance(properties, dict) else {}


def _settings(comp: Component, fact: str, value: Any, properties: dict) -> list[Setting]:
    own = OWN.get((comp.source_type, fact))
    if own is not None:
        return own(value, properties)
    source = written_at("cloudformation", comp.source_type, fact)
    if source is None or not source.paths:
        raise CannotEdit(f"no property of {comp.source_type} is known to write {fact}")
    written = next((path for path in source.paths if _at(properties, path) is not None), source.paths[0])
    if not written:
        raise CannotEdit(f"{fact} is the whole of the resource's properties: edit them by hand")
    if source.convert is not None and not doc.same(_converted(source.convert, value), value):
        # The table reads the property through a conversion that reshapes it (a list of
        # entries into names): the value itself is not what the property holds.
        raise CannotEdit(f"{fact} is read from {'.'.join(map(str, written))} in another shape: no edit is known")
    return [(written, value)]


def _converted(convert: Callable[[Any], Any], value: Any) -> Any:
    try:
        return convert(value)
    except Exception:  # noqa: BLE001 - a converter given a value it does not expect
        return None


def _at(value: Any, path: tuple) -> Any:
    for key in path:
        if isinstance(key, int) and isinstance(value, list) and 0 <= key < len(value):
            value = value[key]
        elif isinstance(key, str) and isinstance(value, dict):
            value = value.get(key)
        else:
            return None
    return value


def _parameter_default(comp: Component, fact: str, err: CannotEdit, value: Any, text: str, rel: str) -> TextEdit:
    """The edit of the Default the value came from, when that changes nothing else."""
    name = str(err.parameter)
    existing = comp.facts.get(fact)
    provenance = existing.provenance if existing is not None else ()
    given = next((o for o in provenance if o.what.startswith(("--parameters", "passes "))), None)
    if given is not None:
        raise CannotEdit(f"{err.reason}, whose value is given at deployment ({given}): change it there")
    default = next((o for o in provenance if o.what.startswith(f"sets the Default {name} = ")), None)
    if default is None or default.file != rel:
        raise CannotEdit(f"{err.reason}, whose Default is not where the value comes from")
    uses = _references(doc.decode(text), name)
    if uses != 1:
        raise CannotEdit(f"{err.reason}, which the template reads {uses} times: changing its Default would change "
                         "more than this setting")
    return set_parameter_default(text, rel, name, value)


def _references(document: Any, name: str) -> int:
    """How many times the template reads parameter ``name`` (``Ref``, ``${name}`` in ``Fn::Sub``)."""
    count = 0
    sub = re.compile(r"\$\{" + re.escape(name) + r"\}")
    stack = [document]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            for key, child in value.items():
                if key == "Ref" and child == name:
                    count += 1
                elif key == "Fn::Sub":
                    template = child[0] if isinstance(child, list) and child else child
                    if isinstance(template, str):
                        count += len(sub.findall(template))
                stack.append(child)
        elif isinstance(value, list):
            stack.extend(value)
    return count


def _reads_back(text: str, edits: list[TextEdit]) -> None:
    """Edits each checked alone (a property, a Default) must still read back together."""
    if len(edits) < 2:
        return
    try:
        after = apply_edits(text, edits)
    except ValueError:
        raise CannotEdit("two edits of the fix overlap") from None
    doc.decode(after)
