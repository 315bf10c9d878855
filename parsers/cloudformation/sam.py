"""The SAM transform: templates declaring ``Transform: AWS::Serverless-2016-10-31`` are expanded
with AWS's own translator (``aws-sam-translator``, the optional ``sam`` extra) before their
intrinsics are resolved, so that every policy sees the roles, functions, APIs and tables a SAM
resource turns into.

The translator is heavy (about half a second to import, more with some jsonschema extras): it is
imported only when a template declares the transform and has serverless resources.

Input is untrusted and nothing is fetched: the translator runs without AWS credentials, network
or configuration files.

- Its region is given (``us-east-1``, so the ``aws`` partition in the ARNs it writes itself), by a
  stand-in for the boto3 session it asks; ``AWS::Region`` and ``AWS::Partition`` stay unresolved
  references (the translator would otherwise substitute that region into the template).
- Managed policies named in ``Policies`` come from the translator's bundled list of AWS managed
  policies; a name missing from it is taken for the AWS managed policy of that name
  (``arn:aws:iam::aws:policy/<Name>``), where the real transform would ask IAM.
- ``AWS::Serverless::Application`` from the Serverless Application Repository is left out and
  reported as not analysed (expanding it downloads the application's template). One with a
  template URL or path becomes the ``AWS::CloudFormation::Stack`` the transform makes of it.
- Local code and definition paths (``CodeUri: src/``, which ``sam package`` would upload) become
  a placeholder S3 location, since the translator accepts only S3 ones.
- The translator sees the values of ``--parameters`` and the parameters' defaults; it resolves
  a few properties itself (``AutoPublishAlias``, ``CodeUri``...). The expanded template is then
  resolved like any other, per world, so parameters and conditions work as usual elsewhere.

Locations. A resource that is in the template as written (same logical id and type) keeps its
decoded nodes, hence its lines; parts the transform added to it (an S3 event's notification on a
bucket) fall back to the resource's line. A generated resource is located at the SAM resource it
comes from (line and end line): ``MyFunctionRole`` at ``MyFunction``. Within it, a value that is
written in that SAM resource (or in its ``Globals`` section) keeps the line it is written on: the
statements of an inline policy in a function's ``Policies`` point at their own lines in the
generated role; the rest falls back to the SAM resource's line. Where a resource comes from is
known exactly for what a SAM resource generates itself; otherwise it is the SAM resource whose
logical id is the longest prefix of the generated one (``MyFunctionDeploymentGroup``), the first
function or state machine with an event on the implicit API for ``ServerlessRestApi`` and
``ServerlessHttpApi`` (and their stages and deployments), the first function with a
``DeploymentPreference`` for the shared CodeDeploy application and role, else the ``Transform``
line.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import sys
import types
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from iac_assist.model import ScanError
from iac_assist.parsers.cloudformation.intrinsics import MAX_DEPTH, to_plain

# The translator logs what it does (and warns about its metrics on exit); problems reach the
# caller as ScanErrors instead.
logging.getLogger("samtranslator").addHandler(logging.NullHandler())

SAM_TRANSFORM = "AWS::Serverless-2016-10-31"
_SERVERLESS = "AWS::Serverless::"
_FOR_EACH = "Fn::ForEach::"

_REGION = "us-east-1"
_ORIGIN = "iac-assist:sam-origin"
"""Metadata key naming the SAM resource; the translator passes Metadata on to what it generates."""

# A value starting with "{{IntrinsicFunction:" is a placeholder the translator leaves unresolved
# (recent versions); older ones substitute it, and ``_restore_pseudo`` turns it back.
_PSEUDO = {name: "{{IntrinsicFunction:iac-assist/" + name + "}}" for name in ("AWS::Region", "AWS::Partition")}
_PLACEHOLDER_URI = "s3://iac-assist-placeholder/local-artifact"
_PLACEHOLDER_IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/iac-assist-placeholder:latest"

# Generated resources not named after the SAM resource they come from: chosen by what declares them.
_IMPLICIT_REST_API = "ServerlessRestApi"
_IMPLICIT_HTTP_API = "ServerlessHttpApi"
_CODE_DEPLOY = ("ServerlessDeploymentApplication", "CodeDeployServiceRole")


class GeneratedId(str):
    """The logical id of a resource the transform generated, carrying the mark of the SAM
    resource it comes from (``origin``), so that it is located there."""

    origin: str
    start_mark: Any
    end_mark: Any

    def __new__(cls, name: str, origin: Any) -> GeneratedId:
        self = super().__new__(cls, name)
        self.origin = str(origin)
        self.start_mark = getattr(origin, "start_mark", None)
        self.end_mark = getattr(origin, "end_mark", None)
        return self


def declares_sam(template: Mapping[Any, Any]) -> bool:
    """Whether the template's ``Transform`` (a name or a list of names) includes SAM's."""
    declared = template.get("Transform")
    names = declared if isinstance(declared, list) else [declared]
    return any(isinstance(name, str) and name.strip() == SAM_TRANSFORM for name in names)


def expand(template: dict, file: str, given: Mapping[str, str]) -> tuple[dict, list[ScanError]]:
    """The template with its SAM resources expanded (the template itself when it does not
    declare the transform), and the problems met. ``template`` is the decoder's tree, with a
    ``Resources`` mapping; the result is one too (nodes that keep their marks, plain values
    elsewhere). When the transform cannot be applied, the result holds the template's other
    resources, and the reason is reported. Never raises for bad input."""
    resources = template.get("Resources")
    if not declares_sam(template) or not isinstance(resources, dict):
        return template, []
    if not any(_is_serverless(node) or _has(node, "Connectors") for node in resources.values()):
        return template, []
    transform_line = _line(_key(template, "Transform")) or 1
    try:
        translate = _translator()
    except ImportError:
        message = (f"SAM transform not expanded: install iac-assist[sam]; the {_SERVERLESS}* resources of "
                   "this template are not analysed")
        return _without_serverless(template), [ScanError(file, transform_line, message, level="warning",
                                                          category="sam-unexpanded")]
    except Exception as exc:  # installed but broken (a dependency of another version...)
        message = f"SAM transform not expanded: the SAM translator cannot be loaded ({exc})"
        return _without_serverless(template), [ScanError(file, transform_line, message, category="sam-unexpanded")]
    sam_input, notes = _prepare(template, file)
    try:
        output = translate(sam_input, _parameter_values(template, given))
    except Exception as exc:  # third-party code fed untrusted input
        errors = [ScanError(file, _error_line(cause, template) or transform_line,
                            f"SAM transform failed: {_message(cause)}") for cause in _causes(exc)]
        return _without_serverless(template), notes + errors
    return _Merger(template, _restore_pseudo(output)).merge(), notes


# -- the translator ---------------------------------------------------------------------------


class _OfflineSession:
    """Stands in for the boto3 session the translator reads its region from (a real one would
    read the user's AWS configuration)."""

    region_name = _REGION


class _AwsManagedPolicies(dict):
    """The managed-policy lookup the translator falls back on (the real transform asks IAM):
    any name is taken for the AWS managed policy of that name."""

    def get(self, name: Any, default: Any = None) -> Any:
        if isinstance(name, str) and name and not name.startswith("arn:"):
            return f"arn:aws:iam::aws:policy/{name}"
        return default

    def __bool__(self) -> bool:
        return True  # the translator skips an empty-looking map


_UNUSED_OPTIONAL_IMPORTS = ("rfc3987_syntax",)
"""Modules the translator's imports load when installed, for what it never uses: jsonschema
imports ``rfc3987_syntax`` (which builds some forty Lark grammars, a second or more) for its
``iri`` format check, and the translator validates no such format."""


@contextlib.contextmanager
def _optional_imports_skipped(names: tuple[str, ...]) -> Iterator[None]:
    """Optional imports of ``names`` fail (an ImportError, which the importers expect) meanwhile."""
    absent = [name for name in names if name not in sys.modules]
    for name in absent:
        sys.modules[name] = None  # type: ignore[assignment]
    try:
        yield
    finally:
        for name in absent:
            if sys.modules.get(name, 0) is None:
                del sys.modules[name]


class _Refused:
    """Any object of the AWS SDK the translator would make (a session, a client, its settings)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the SAM transform asked for the AWS SDK (none is used offline)")


class _SdkError(Exception):
    """The SDK's exceptions the translator catches: never raised here."""


def _refused_call(*args: Any, **kwargs: Any) -> Any:
    raise RuntimeError("the SAM transform asked for an AWS client (none is used offline)")


_SDK_STAND_INS: dict[str, dict[str, Any]] = {
    "boto3": {"Session": _Refused, "DEFAULT_SESSION": None, "client": _refused_call},
    "boto3.session": {"Session": _Refused},
    "botocore": {},
    "botocore.client": {"BaseClient": _Refused},
    "botocore.config": {"Config": _Refused},
    "botocore.exceptions": {"ClientError": _SdkError, "EndpointConnectionError": _SdkError},
}
"""What the translator's modules import of the AWS SDK (aws-sam-translator 1.x)."""


@contextlib.contextmanager
def _aws_sdk_left_out() -> Iterator[None]:
    """The translator's modules import stand-ins for boto3 and botocore (unless the SDK is
    already imported), each name refusing to be used.

    The translator imports the SDK (0.15 s and some 30 MB, in each process that expands a
    template) for a session, which it is handed here (``_OfflineSession``), and for calls this
    use of it never makes (the Serverless Application Repository, AppConfig feature toggles, a
    region's service list). A real session would read the user's AWS configuration; with the
    stand-ins any such call fails the transform of that template, which is then reported as not
    expanded. Afterwards the names import the real SDK for anyone else in the process (a policy of
    one's own, say). A translator version importing more of the SDK gets the real one (see
    ``_translator``)."""
    if "boto3" in sys.modules or "botocore" in sys.modules:
        yield
        return
    stand_ins = {}
    for name, attributes in _SDK_STAND_INS.items():
        module = types.ModuleType(name)
        module.__dict__.update(attributes)
        stand_ins[name] = sys.modules[name] = module
    for name, module in stand_ins.items():
        parent, _, child = name.rpartition(".")
        if parent:
            setattr(stand_ins[parent], child, module)
    try:
        yield
    finally:
        for name, module in stand_ins.items():
            if sys.modules.get(name) is module:
                del sys.modules[name]


def _translator() -> Callable[[dict, dict], dict]:
    """A function translating a plain SAM template; raises ImportError without the sam extra."""
    present = set(sys.modules)
    try:
        with _optional_imports_skipped(_UNUSED_OPTIONAL_IMPORTS), _aws_sdk_left_out():
            Parser, ServerlessAppPlugin, Translator = _translator_classes()
    except ImportError as err:
        if (err.name or "").split(".")[0] not in ("boto3", "botocore"):
            raise
        # Another version importing more of the SDK than the stand-ins have: the real one.
        for name in set(sys.modules) - present:
            if name.split(".")[0] == "samtranslator":  # they hold the stand-ins
                del sys.modules[name]
        with _optional_imports_skipped(_UNUSED_OPTIONAL_IMPORTS):
            Parser, ServerlessAppPlugin, Translator = _translator_classes()

    def translate(sam_template: dict, parameter_values: dict) -> dict:
        translator = Translator(
            managed_policy_map=None,  # the bundled map of AWS managed policies is used first
            sam_parser=Parser(),
            # Its own plugin would create a Serverless Application Repository client; this one
            # refuses to (such applications are left out before translating anyway).
            plugins=[ServerlessAppPlugin(sar_client_creator=_no_aws_client)],
            boto_session=_OfflineSession(),  # type: ignore[arg-type]
        )
        try:
            return translator.translate(
                sam_template,
                parameter_values=parameter_values,
                passthrough_metadata=True,  # carries _ORIGIN to each generated resource
                get_managed_policy_map=_AwsManagedPolicies,
            )
        finally:
            translator.metrics.publish()  # to no one; unpublished metrics are logged as a warning

    return translate


def _translator_classes() -> tuple[Any, Any, Any]:
    from samtranslator.parser.parser import Parser
    from samtranslator.plugins.application.serverless_app_plugin import ServerlessAppPlugin
    from samtranslator.translator.translator import Translator

    _policy_templates_validated_once()
    return Parser, ServerlessAppPlugin, Translator


def _policy_templates_validated_once() -> None:
    """Each translation builds its policy-template plugin anew, validating the bundled templates
    against their JSON schema again (some 25 ms per SAM template, a second on the corpus): the validated
    templates are kept for the process instead. They are read-only (a statement is made from a
    deep copy of one), so sharing them changes nothing."""
    from samtranslator.plugins.policies.policy_templates_plugin import PolicyTemplatesForResourcePlugin
    from samtranslator.policy_template_processor.processor import PolicyTemplatesProcessor
    from samtranslator.translator import translator as module

    if getattr(module.make_policy_template_for_function_plugin, "_iac_assist", False):
        return
    processor = PolicyTemplatesProcessor(PolicyTemplatesProcessor.get_default_policy_templates_json())

    def plugin() -> Any:
        return PolicyTemplatesForResourcePlugin(processor)

    plugin._iac_assist = True  # type: ignore[attr-defined]
    module.make_policy_template_for_function_plugin = plugin


def _no_aws_client() -> Any:
    raise RuntimeError("iac-assist does not call AWS")


def _parameter_values(template: Mapping[Any, Any], given: Mapping[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {**_PSEUDO, **given}
    parameters = template.get("Parameters")
    parameters = parameters if isinstance(parameters, dict) else {}
    # The translator cannot publish an alias whose name it does not know, and rejects the
    # template; a parameter without a value gets a stand-in name (what cfn-lint did).
    for props in _function_properties(template):
        alias = props.get("AutoPublishAlias")
        name = alias.get("Ref") if isinstance(alias, dict) and len(alias) == 1 else None
        spec = parameters.get(name) if isinstance(name, str) else None
        if isinstance(spec, dict) and "Default" not in spec and name not in given:
            values[str(name)] = "live"
    return values


def _function_properties(template: Mapping[Any, Any]) -> Iterator[Mapping[Any, Any]]:
    sections = template.get("Globals")
    function_globals = sections.get("Function") if isinstance(sections, dict) else None
    if isinstance(function_globals, dict):
        yield function_globals
    resources = template.get("Resources")
    for node in resources.values() if isinstance(resources, dict) else []:
        if isinstance(node, dict) and node.get("Type") == "AWS::Serverless::Function":
            props = node.get("Properties")
            if isinstance(props, dict):
                yield props


# -- before: the translator's input -----------------------------------------------------------


def _prepare(template: Mapping[Any, Any], file: str) -> tuple[dict, list[ScanError]]:
    """The template as plain data the translator accepts, and what is left out of it."""
    plain = to_plain(template)
    notes: list[ScanError] = []
    resources = plain["Resources"]
    keys = {str(k): k for k in template["Resources"]}
    sections = plain.get("Globals")
    globals_ = sections if isinstance(sections, dict) else {}
    for section in globals_.values():
        if isinstance(section, dict):
            for prop in ("CodeUri", "ContentUri", "DefinitionUri"):
                _local_uri(section, prop)
    global_code = isinstance(globals_.get("Function"), dict) and any(
        k in globals_["Function"] for k in ("CodeUri", "InlineCode", "ImageUri"))
    for name, node in list(resources.items()):
        if name.startswith(_FOR_EACH) or not isinstance(node, dict) or not isinstance(node.get("Type"), str):
            del resources[name]  # the reader reports these
            continue
        kind = node["Type"]
        if not kind.startswith(_SERVERLESS):
            continue
        metadata = node.get("Metadata", {})
        if isinstance(metadata, dict):
            node["Metadata"] = {**metadata, _ORIGIN: name}
        props = node.get("Properties")
        if not isinstance(props, dict):
            continue
        if kind == "AWS::Serverless::Function":
            if props.get("PackageType") == "Image":
                props.setdefault("ImageUri", _PLACEHOLDER_IMAGE)
            elif "InlineCode" not in props and ("CodeUri" in props or not global_code):
                props.setdefault("CodeUri", ".")
                _local_uri(props, "CodeUri")
        elif kind == "AWS::Serverless::LayerVersion":
            _local_uri(props, "ContentUri")
        elif kind in ("AWS::Serverless::Api", "AWS::Serverless::HttpApi", "AWS::Serverless::StateMachine"):
            _local_uri(props, "DefinitionUri")
        elif kind == "AWS::Serverless::Application" and isinstance(props.get("Location"), dict):
            del resources[name]
            message = (f"{name}: an AWS::Serverless::Application from the Serverless Application Repository "
                       "is not fetched, it is not analysed")
            notes.append(ScanError(file, _line(keys.get(name)) or 1, message, level="warning",
                                   category="remote-template"))
    return plain, notes


def _local_uri(props: dict, prop: str) -> None:
    """Replace a local path (or a parameter naming one) with a placeholder S3 location."""
    value = props.get(prop)
    local = isinstance(value, str) and not value.startswith("s3://")
    if local or (isinstance(value, dict) and list(value) == ["Ref"]):
        props[prop] = _PLACEHOLDER_URI


def _without_serverless(template: Mapping[Any, Any]) -> dict:
    """The template without its SAM resources: what is analysed when they cannot be expanded."""
    out = dict(template)
    out["Resources"] = {k: v for k, v in template["Resources"].items() if not _is_serverless(v)}
    return out


# -- after: the expanded template with its locations ------------------------------------------


def _restore_pseudo(value: Any, depth: int = 0) -> Any:
    """Turn pseudo parameter placeholders the translator substituted back into references."""
    if depth > MAX_DEPTH:
        return value
    if isinstance(value, dict):
        sub = value.get("Fn::Sub") if len(value) == 1 else None
        if isinstance(sub, str):
            return {"Fn::Sub": _sub_text(sub)}
        if isinstance(sub, list) and sub and isinstance(sub[0], str):
            return {"Fn::Sub": [_sub_text(sub[0]), *(_restore_pseudo(v, depth + 1) for v in sub[1:])]}
        return {k: _restore_pseudo(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_restore_pseudo(v, depth + 1) for v in value]
    if isinstance(value, str) and "{{IntrinsicFunction:iac-assist/" in value:
        for name, placeholder in _PSEUDO.items():
            if value == placeholder:
                return {"Ref": name}
        return {"Fn::Sub": _sub_text(value.replace("${", "${!"))}
    return value


def _sub_text(text: str) -> str:
    for name, placeholder in _PSEUDO.items():
        text = text.replace(placeholder, "${" + name + "}")
    return text


class _Merger:
    """Builds the expanded template from the translator's output and the decoded original."""

    def __init__(self, template: Mapping[Any, Any], output: Mapping[str, Any]) -> None:
        self.template = template
        self.output = output
        self.original: dict[Any, Any] = template["Resources"]
        self.keys = {str(k): k for k in self.original}
        self.serverless = {str(k) for k, v in self.original.items() if _is_serverless(v)}
        self.transform_key = _key(template, "Transform")
        sections = template.get("Globals")
        self.globals = sections if isinstance(sections, dict) else {}
        self._indexes: dict[str, dict[str, Any]] = {}

    def merge(self) -> dict:
        generated = self.output.get("Resources")
        generated = generated if isinstance(generated, dict) else {}
        by_origin: dict[str, dict[Any, Any]] = {}
        kept: dict[str, Any] = {}
        loose: dict[Any, Any] = {}
        for name, node in generated.items():
            written = self.original.get(name)
            if name in self.keys and name not in self.serverless and _type(written) == _type(node):
                kept[name] = _adopt(node, [written], {})
                continue
            origin, node = self._origin(name, node)
            if origin is None:
                loose[GeneratedId(name, self.transform_key)] = node
                continue
            key = self.keys[origin] if name == origin else GeneratedId(name, self.keys[origin])
            olds = [self.original[self.keys[origin]], self._globals_of(origin)] if name == origin else []
            by_origin.setdefault(origin, {})[key] = _adopt(node, olds, self._index(origin))
        resources: dict[Any, Any] = {}
        for name, key in self.keys.items():  # in the order they are written
            if name in self.serverless:
                resources.update(by_origin.get(name, {}))
            else:
                # Left out of the translation when not in its output (Fn::ForEach, no Type):
                # the reader reports those.
                resources[key] = kept.get(name, self.original[key])
        resources.update(loose)
        expanded = dict(self.template)
        expanded["Resources"] = resources
        added = self.output.get("Conditions")
        if isinstance(added, dict):
            conditions = self.template.get("Conditions")
            merged = dict(conditions) if isinstance(conditions, dict) else {}
            merged.update({k: v for k, v in added.items() if k not in merged})
            expanded["Conditions"] = merged
        return expanded

    def _origin(self, name: str, node: Any) -> tuple[str | None, Any]:
        """The SAM resource ``name`` comes from, and its node without our marker."""
        origin = None
        metadata = node.get("Metadata") if isinstance(node, dict) else None
        if isinstance(metadata, dict) and _ORIGIN in metadata:
            origin = str(metadata[_ORIGIN])
            rest = {k: v for k, v in metadata.items() if k != _ORIGIN}
            node = {k: v for k, v in node.items() if k != "Metadata"}
            written = self.original.get(origin)
            # Passed on from the SAM resource by ``passthrough_metadata``: not the transform's own.
            if rest and (name == origin or rest != to_plain(_get(written, "Metadata"))):
                node["Metadata"] = rest
        if origin not in self.serverless:
            origin = self._declared_by(name)
        return origin, node

    def _declared_by(self, name: str) -> str | None:
        prefixed = [s for s in self.serverless if name.startswith(s)]
        if prefixed:
            return max(prefixed, key=len)
        if name.startswith(_IMPLICIT_REST_API):
            return self._first_with_event("Api", "RestApiId")
        if name.startswith(_IMPLICIT_HTTP_API):
            return self._first_with_event("HttpApi", "ApiId")
        if name in _CODE_DEPLOY:
            global_preference = _has(self.globals.get("Function"), "DeploymentPreference")
            for origin in self._serverless_in_order("AWS::Serverless::Function"):
                if global_preference or _has(_get(self.original[self.keys[origin]], "Properties"),
                                             "DeploymentPreference"):
                    return origin
        return None

    def _first_with_event(self, kind: str, api_property: str) -> str | None:
        for origin in self._serverless_in_order("AWS::Serverless::Function", "AWS::Serverless::StateMachine"):
            events = _get(_get(self.original[self.keys[origin]], "Properties"), "Events")
            for event in events.values() if isinstance(events, dict) else []:
                props = _get(event, "Properties")
                if _get(event, "Type") == kind and not _has(props, api_property):
                    return origin
        return None

    def _serverless_in_order(self, *kinds: str) -> Iterator[str]:
        for name, key in self.keys.items():
            if name in self.serverless and _type(self.original[key]) in kinds:
                yield name

    def _globals_of(self, origin: str) -> Any:
        """The ``Globals`` section that applies to ``origin``, shaped like a resource."""
        kind = _type(self.original[self.keys[origin]]) or ""
        section = self.globals.get(kind.removeprefix(_SERVERLESS))
        return {"Properties": section} if isinstance(section, dict) else None

    def _index(self, origin: str) -> dict[str, Any]:
        """The mappings and lists written in ``origin`` and its Globals, by value."""
        if origin not in self._indexes:
            index: dict[str, Any] = {}
            _collect(self.original[self.keys[origin]], index, 0)
            _collect(self._globals_of(origin), index, 0)
            self._indexes[origin] = index
        return self._indexes[origin]


def _adopt(new: Any, olds: list[Any], index: Mapping[str, Any], depth: int = 0) -> Any:
    """``new`` (the translator's output) made of the decoded nodes it was translated from, where
    it can be told: an equal node at the same place in ``olds`` (the resource as written), else
    an equal mapping or list anywhere in ``index``; mapping keys found in ``olds`` keep their
    marks. Other parts stay plain and are located at the resource."""
    olds = [old for old in olds if old is not None]
    if depth > MAX_DEPTH:
        return new
    canon = _canon(new)
    for old in olds:
        if _canon(old) == canon:
            return old
    if isinstance(new, (dict, list)) and new and canon in index:
        return index[canon]
    if isinstance(new, dict):
        out: dict[Any, Any] = {}
        for name, value in new.items():
            found = [old for old in olds if isinstance(old, dict) and name in old]
            key = _key(found[0], name) if found else name
            out[key] = _adopt(value, [old[name] for old in found], index, depth + 1)
        return out
    if isinstance(new, list):
        aligned = [old for old in olds if isinstance(old, list) and len(old) == len(new)]
        return [_adopt(v, [old[i] for old in aligned], index, depth + 1) for i, v in enumerate(new)]
    return new


def _collect(node: Any, index: dict[str, Any], depth: int) -> None:
    if depth > MAX_DEPTH or not isinstance(node, (dict, list)):
        return
    if node:
        index.setdefault(_canon(node), node)
    for child in node.values() if isinstance(node, dict) else node:
        _collect(child, index, depth + 1)


def _canon(value: Any) -> str:
    """Equal for equal values, decoded or plain (``true`` and ``1`` differ, unlike in Python)."""
    return json.dumps(to_plain(value), sort_keys=True, default=repr)


# -- errors -----------------------------------------------------------------------------------

_NAMED = re.compile(r"(?:Resource|Event) with id \[([^\]]+)\]")
_EVENT = re.compile(r"Event with id \[([^\]]+)\]")


def _causes(exc: BaseException, depth: int = 0) -> Iterator[BaseException]:
    """The errors an exception of the translator stands for (it nests them)."""
    causes = getattr(exc, "causes", None)
    if not causes or depth > MAX_DEPTH:
        yield exc
        return
    for cause in causes:
        yield from _causes(cause, depth + 1)


def _message(cause: BaseException) -> str:
    message = getattr(cause, "message", None)
    return str(message) if isinstance(message, str) else str(cause) or type(cause).__name__


def _error_line(cause: BaseException, template: Mapping[Any, Any]) -> int:
    """The line of what the translator's error names: its resource (an event of it when named),
    the Globals section; 0 when it names nothing in the template."""
    message = _message(cause)
    named = getattr(cause, "_logical_id", None)
    if isinstance(named, list):
        named = named[0] if named else None
    if not isinstance(named, str):
        found = _NAMED.search(message)
        named = found.group(1) if found else None
    if named == "Globals":
        return _line(_key(template, "Globals"))
    resources = template["Resources"]
    names = {str(k): k for k in resources}
    event = _EVENT.search(message)
    event_name = event.group(1) if event else getattr(cause, "_event_id", None)
    candidates = [n for n in names if isinstance(named, str) and named.startswith(n)]
    if candidates:
        key = names[max(candidates, key=len)]
    else:  # an event named alone: the resource declaring it
        key = next((names[n] for n in names if isinstance(event_name, str)
                    and _has(_get(_get(resources[names[n]], "Properties"), "Events"), event_name)), None)
    if key is None:
        return 0
    events = _get(_get(resources[key], "Properties"), "Events")
    if isinstance(event_name, str) and _has(events, event_name):
        return _line(_key(events, event_name)) or _line(key)
    return _line(key)


# -- helpers ----------------------------------------------------------------------------------


def _is_serverless(node: Any) -> bool:
    kind = _type(node)
    return kind is not None and kind.startswith(_SERVERLESS)


def _type(node: Any) -> str | None:
    kind = node.get("Type") if isinstance(node, dict) else None
    return str(kind) if isinstance(kind, str) else None


def _get(node: Any, name: str) -> Any:
    return node.get(name) if isinstance(node, dict) else None


def _has(node: Any, name: str) -> bool:
    return isinstance(node, dict) and name in node


def _line(node: Any) -> int:
    """1-based line of a decoder node; 0 when it carries no mark."""
    line = getattr(getattr(node, "start_mark", None), "line", None)
    return line + 1 if isinstance(line, int) else 0


def _key(mapping: Mapping[Any, Any], name: str) -> Any:
    """The key object itself (it carries the mark) of ``name`` in ``mapping``."""
    for key in mapping:
        if key == name:
            return key
    return None
