"""Terraform plans in JSON (``terraform show -json plan.out``) as source resources.

States in JSON (``terraform show -json`` of a state, ``looks_like_state``) are read the same way
from ``values`` instead of ``planned_values`` (``STATE``), and a plan's ``prior_state`` from
``prior_state.values`` (``PRIOR_STATE``): see ``state.py``. What differs: nothing in a state is
unknown or being deleted (the plan's changes are not applied to it); a state has no configuration,
so module folders come from the ``.tf`` files' own module calls and a value equal to another
instance's id or ARN is a reference to it; a state found (not named) beside ``.tf`` files is not
used, as deployed state may be older than the code.

A plan is recognised by its content (``looks_like_plan``), never by its name, and analysed with
the same normalizers and policies as ``.tf`` sources:

- **Resources** come from ``planned_values`` (``root_module`` and ``child_modules``, recursively),
  with their addresses exactly as Terraform writes them (``module.database.aws_db_instance.this``,
  ``aws_subnet.public[0]``, ``aws_s3_bucket.b["logs"]``). Only managed resources are analysed
  (the evaluator skips data sources too), and instances the plan deletes or forgets are not.
  Values the plan cannot know are missing from ``planned_values``;
  ``resource_changes[].change.after_unknown`` says which, and they become ``Unknown``. Nested
  blocks are lists of objects, as the evaluator shapes them, so normalizers work unchanged; null
  attributes are dropped, as an unset argument is absent from an evaluated body. What a provider
  reports of existing resources (the state's computed attributes) is kept: it is what will exist.
  Sensitive values, which a plan holds in clear wherever they came from (``TF_VAR_``, ``-var``),
  become unknown unless the configuration fixes them (a literal, variables left at their
  defaults): a secret given at plan time is not one written in the repository.
- **References.** An unknown id (a resource not created yet) or a literal one (``subnet-0a1b``,
  of a resource that exists) names nothing in the model, so satellites would lose their owner and
  the graph its edges. The ``configuration`` section lists the references of every argument; they
  are followed through module calls (``var.x`` → the caller's argument) and module outputs to
  resource instances of the plan. A known value becomes a ``Ref`` to the instance whose attribute
  holds it; an unknown one a ``Ref`` when a single instance can be meant (``count.index`` and
  ``each.key`` pair instances with the same key; a list of as many unknowns as a collection has
  instances is taken in order), otherwise an ``Unknown`` that remembers its references. Locals are
  not in the plan's configuration: a value computed through one gets no reference.
- **Lines.** A plan has no line numbers. When the plan's folder holds the root module's ``.tf``
  files, each resource, argument and nested block is located there with the project's HCL parser,
  following the local ``source`` of module calls (inside the scanned root only). Otherwise, and
  for resources the ``.tf`` files do not declare, findings point at the resource's entry in the
  plan file itself (line and column: ``terraform show -json`` writes one line).
- **A folder with both** ``.tf`` files and a plan: the plan supersedes the evaluation of that root
  module and of the local modules its configuration calls; their ``.tf`` files only give lines
  (their syntax errors are still reported), so nothing is reported twice. The plan's scope (where
  its addresses are unique) is the plan file, so two plans of one folder stay apart. Anyone can
  write a file that looks like a plan: one the user did not name supersedes only folders whose
  declared resources and module calls are those it claims (``_mismatch``); otherwise it is not
  used, the ``.tf`` files are evaluated and a ``plan-not-used`` warning names it.
- **Errors** name the plan file: invalid JSON with its line and column, a ``format_version`` whose
  major version is not 0 or 1 (the documented promise is that only a major version changes break
  compatibility), a plan without ``planned_values`` (an errored plan).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from iac_assist.model import Location, Ref, ScanError, Unknown
from iac_assist.model.resource import SourceResource
from iac_assist.parsers.terraform.sniff import _FORMAT_KEY
from iac_assist.parsers.terraform.sniff import LoadedPlans as LoadedPlans
from iac_assist.parsers.terraform.sniff import looks_like_plan as looks_like_plan
from iac_assist.parsers.terraform.sniff import looks_like_state as looks_like_state
from iac_assist.parsers.terraform.values import jsonencode_locs

Read = Callable[[Path, str, list], "str | None"]
InstanceKey = int | str | None

SUPPORTED_MAJORS = (0, 1)
"""``format_version`` majors read: 0.x (Terraform 0.12 to 1.0) and 1.x share this shape."""
MAX_DEPTH = 64
"""Nesting of values, expressions and module calls followed; deeper input is cut off."""
NOT_ANALYSED = ({"delete"}, {"forget"})
"""Action sets whose instance does not exist after apply."""

_PLAN_ONLY = ("planned_values", "resource_changes", "configuration", "prior_state", "errored")
"""Top-level members only a plan has: a file with none of them is a state."""
PLANNED = ("planned_values",)
"""Where a plan's resources are: what the apply will leave."""
STATE = ("values",)
"""Where a state's resources are (``terraform show -json`` of a state): what is deployed."""
PRIOR_STATE = ("prior_state", "values")
"""Where a plan keeps the state it was made from: the base of what the plan changes."""
_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"(?:[ \t\n\r]*:)?|[{}\[\],]')
_REF_STEP = re.compile(r'\.?([A-Za-z_][A-Za-z0-9_-]*)|\[(\d+|"(?:[^"\\]|\\.)*"|\*)\]')
_MODULE_STEP = re.compile(r'module\.([A-Za-z_][A-Za-z0-9_-]*)(?:\[(\d+|"(?:[^"\\]|\\.)*")\])?(?:\.|$)')
_NOT_RESOURCES = {"var", "local", "module", "data", "count", "each", "path", "terraform", "self"}
_KNOWN_AFTER_APPLY = "known after apply"


def load_plans(candidates: Iterable[Path], terraform: Iterable[Path], root: Path, read: Read,
               named: Iterable[Path] = ()) -> LoadedPlans:
    """Load every plan among ``candidates`` (JSON files; the others are left alone).

    ``terraform`` are the discovered ``.tf`` files; those a plan supersedes come back in
    ``superseded``. ``read(path, rel, errors)`` returns a file's text or None. ``named``: files
    the user named on the command line; a plan among them is used whatever the ``.tf`` files
    say, any other only when it matches the configuration it replaces (see ``Plan.used``)."""
    out = LoadedPlans()
    tf_files = [p.resolve() for p in terraform]
    trusted = {p.resolve() for p in named}
    for path in candidates:
        rel = path.relative_to(root).as_posix()
        # A file that cannot be read is reported by the CloudFormation pass it goes on to.
        text = read(path, rel, [])
        if text is None or not (looks_like_plan(text) or looks_like_state(text)):
            continue
        out.plans.add(path)
        out.files.append(rel)
        try:
            plan = load_plan(path, root, read, text, trusted=path.resolve() in trusted)
        except Exception as err:  # a defect of ours must not switch the gate off silently
            out.errors.append(ScanError(rel, 0, f"internal error while analysing this file "
                                              f"({type(err).__name__}: {err}); please report it"))
            continue
        out.errors.extend(plan.errors)
        if not plan.used:
            continue
        out.roots.append((rel, plan.resources))
        out.files.extend(f for f in plan.tf_files if f not in out.files)
        out.superseded.update(p for p in tf_files if p.parent in plan.folders)
    return out


@dataclass
class Plan:
    """One plan file, loaded."""

    resources: list[SourceResource] = field(default_factory=list)
    errors: list[ScanError] = field(default_factory=list)
    folders: set[Path] = field(default_factory=set)
    """Module folders the plan accounts for: its own and the local modules it calls (none when
    the plan could not be read: the ``.tf`` files beside it are then evaluated as usual)."""
    tf_files: list[str] = field(default_factory=list)
    """``.tf`` files lines were taken from."""
    kind: str = "plan"
    """``plan`` or ``state`` (what the file is), for messages."""
    used: bool = True
    """False for a plan found in a folder (not named) that does not match the configuration it
    would replace: the ``.tf`` files are evaluated instead and a warning names the plan."""


def load_plan(path: Path, root: Path, read: Read, text: str | None = None, trusted: bool = True,
              section: tuple[str, ...] | None = None) -> Plan:
    """Decode one plan or state file into source resources; problems come back as errors, never
    raised. ``trusted``: the user named the file. A plan the scanned repository merely contains
    could be written by anyone: it replaces ``.tf`` files only when it declares what they declare.
    ``section``: where the resources are read (``PLANNED``, ``STATE``, ``PRIOR_STATE``); by
    default the plan's planned values, or a state's values when the file is a state."""
    rel = path.relative_to(root).as_posix()
    out = Plan()
    if text is None:
        text = read(path, rel, out.errors)
        if text is None:
            return out
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        out.errors.append(ScanError(rel, err.lineno, f"invalid JSON: {err.msg}", err.colno))
        return out
    except RecursionError:
        out.errors.append(ScanError(rel, 0, "invalid JSON: nesting too deep"))
        return out
    if not isinstance(data, dict):
        out.errors.append(ScanError(rel, 1, "not a Terraform plan or state: the top level is not a JSON object"))
        return out
    if section is None:
        section = PLANNED if any(key in data for key in _PLAN_ONLY) else STATE
    out.kind = "plan" if section != STATE else "state"
    version = data.get("format_version")
    major = _major(version)
    if major not in SUPPORTED_MAJORS:
        found = _FORMAT_KEY.search(text)
        line = text.count("\n", 0, found.start()) + 1 if found else 1
        out.errors.append(ScanError(rel, line, f"unsupported Terraform {out.kind} format_version {version!r}: "
                                               "iac-assist reads versions 0.x and 1.x"))
        return out
    values = _section(data, section)
    if section == STATE and "values" not in data:
        return out  # nothing deployed: Terraform leaves ``values`` out of an empty state
    if values is None:
        why = {PLANNED: "Terraform plan without planned_values (did the plan fail?)",
               STATE: "Terraform state whose values are not an object",
               PRIOR_STATE: "Terraform plan without prior_state (made before anything was applied?)"}[section]
        out.errors.append(ScanError(rel, 1, f"{why}; nothing analysed", level="warning"))
        return out
    # Only a plan that could be read supersedes the .tf files beside it.
    reader = _PlanReader(data, rel, _positions(text, section),
                         _Sources(path.resolve().parent, root.resolve(), data, read), section)
    if not trusted:
        mismatch = _mismatch(data, reader.sources, section)
        if mismatch is not None:
            out.used = False
            out.errors.append(ScanError(
                rel, 1, f"Terraform {out.kind} not used: {mismatch}; the .tf files are analysed instead (name the "
                        f"{out.kind} on the command line to use it)", level="warning", category="plan-not-used"))
            return out
    out.folders = reader.sources.folders
    try:
        out.resources = reader.resources()
    except RecursionError:
        out.errors.append(ScanError(rel, 0, f"{out.kind} nesting too deep; not analysed"))
    # Superseded files are still read: their syntax errors count, whether lines were needed or not.
    for folder in sorted(reader.sources.folders):
        if folder.is_dir():
            reader.sources.config(folder)
    out.errors.extend(reader.sources.errors)
    out.tf_files = reader.sources.files
    return out


def _section(data: dict[str, Any], section: tuple[str, ...]) -> dict[str, Any] | None:
    """The object at ``section`` (``planned_values``, ``values``, ``prior_state.values``)."""
    value: Any = data
    for step in section:
        value = value.get(step) if isinstance(value, dict) else None
    return value if isinstance(value, dict) else None


def _major(version: Any) -> int | None:
    if not isinstance(version, str):
        return None
    head = version.split(".", 1)[0]
    return int(head) if head.isdigit() else None


# --- where things are in the plan file -----------------------------------------------------


def _positions(text: str, section: tuple[str, ...] = PLANNED) -> dict[tuple, tuple[int, int, int]]:
    """``(line, column, end line)`` of every member and object element under ``section``,
    keyed by JSON path; one linear pass that stops once ``section`` is closed. The text
    has been decoded already, so the tokens are well formed."""
    out: dict[tuple, tuple[int, int, int]] = {}
    stack: list[list[Any]] = []  # [path, is array, index or current key]
    line, line_start, last = 1, 0, 0
    for match in _TOKEN.finditer(text):
        pos = match.start()
        newlines = text.count("\n", last, pos)
        if newlines:
            line += newlines
            line_start = text.rfind("\n", last, pos) + 1
        last = pos
        token = match.group()
        first = token[0]
        if first == '"':
            if token[-1] == ":" and stack:
                key = token[1:token.rindex('"')]
                if "\\" in key:
                    key = json.loads(f'"{key}"')
                stack[-1][2] = key
                path = stack[-1][0] + (key,)
                if _wanted(path, section):
                    out[path] = (line, pos - line_start + 1, line)
        elif first in "{[":
            path = stack[-1][0] + (stack[-1][2],) if stack else ()
            if stack and stack[-1][1] and _wanted(path, section):
                out[path] = (line, pos - line_start + 1, line)
            stack.append([path, first == "[", 0 if first == "[" else None])
        elif first in "}]":
            if not stack:
                break
            path = stack.pop()[0]
            if path in out:
                start = out[path]
                out[path] = (start[0], start[1], line)
            if path == section:
                break
        elif stack and stack[-1][1]:
            stack[-1][2] += 1
    return out


def _wanted(path: tuple, section: tuple[str, ...]) -> bool:
    return path[:len(section)] == section and len(path) <= 47 + len(section)


# --- the plan ------------------------------------------------------------------------------


@dataclass
class _Instance:
    address: str
    key: InstanceKey
    values: dict[str, Any]
    """Planned values as Terraform wrote them (known parts only)."""


@dataclass(frozen=True)
class _Target:
    address: str
    attr: str
    base: str
    """The resource (module instance, type, name) the instance belongs to."""


class _PlanReader:
    def __init__(self, data: dict[str, Any], rel: str, positions: dict[tuple, tuple[int, int, int]],
                 sources: _Sources, section: tuple[str, ...] = PLANNED) -> None:
        self.rel = rel
        self.positions = positions
        self.sources = sources
        self.section = section
        self.configuration = _root_config(data)
        self.variables: dict[str, Any] = _dict(data.get("variables"))
        self.changes: dict[str, dict[str, Any]] = {}
        # The changes describe the planned values; a state, and the state a plan was made from,
        # are what exists: nothing in them is unknown or about to be deleted.
        for change in _list(data.get("resource_changes") if section == PLANNED else None):
            if isinstance(change, dict) and isinstance(change.get("address"), str) and "deposed" not in change:
                self.changes[change["address"]] = _dict(change.get("change"))
        # (module address, module path in the JSON, resource entry, its JSON path)
        self.entries: list[tuple[str, dict[str, Any], tuple]] = []
        self.instances: dict[tuple[str, str, str], list[_Instance]] = {}
        self.modules: dict[str, list[tuple[str, InstanceKey]]] = {}
        """Module instance address → its child module instances (address, key)."""
        self._collect(_dict(_dict(_section(data, section)).get("root_module")), "", section + ("root_module",), 0)
        self.by_key: dict[tuple[str, str, str], dict[InstanceKey, _Instance]] = {}
        for resource, found in self.instances.items():
            found.sort(key=lambda i: _key_order(i.key))
            self.by_key[resource] = {i.key: i for i in found}

    def _collect(self, module: dict[str, Any], address: str, path: tuple, depth: int) -> None:
        if depth > MAX_DEPTH:
            return
        for i, entry in enumerate(_list(module.get("resources"))):
            if not isinstance(entry, dict) or entry.get("mode", "managed") != "managed":
                continue
            if not all(isinstance(entry.get(k), str) for k in ("address", "type", "name")):
                continue
            if "deposed_key" in entry:
                continue  # a state's replaced object awaiting destruction: its address is its successor's
            actions = {a for a in _list(_dict(self.changes.get(entry["address"])).get("actions")) if isinstance(a, str)}
            if actions in NOT_ANALYSED:
                continue
            self.entries.append((address, entry, path + ("resources", i)))
            index = entry.get("index")
            key = index if isinstance(index, (int, str)) and not isinstance(index, bool) else None
            instance = _Instance(entry["address"], key, _dict(entry.get("values")))
            self.instances.setdefault((address, entry["type"], entry["name"]), []).append(instance)
        for i, child in enumerate(_list(module.get("child_modules"))):
            if isinstance(child, dict) and isinstance(child.get("address"), str):
                self._register(child["address"], 0)
                self._collect(child, child["address"], path + ("child_modules", i), depth + 1)

    def _register(self, address: str, depth: int) -> None:
        """Link a module instance to its parent, and that one to its own: by address, so that a
        module instance holding no resources of its own still leads to its children."""
        parent, _name, key = _split_module(address)
        if not _name or depth > MAX_DEPTH:
            return
        children = self.modules.setdefault(parent, [])
        if (address, key) not in children:
            children.append((address, key))
            if parent:
                self._register(parent, depth + 1)

    # --- configuration ---------------------------------------------------------------------

    def module_config(self, module: str) -> dict[str, Any]:
        config = self.configuration
        for name, _key in _module_steps(module):
            config = _dict(_dict(_dict(config.get("module_calls")).get(name)).get("module"))
        return config

    def resource_config(self, module: str, type_: str, name: str) -> dict[str, Any]:
        for entry in _list(self.module_config(module).get("resources")):
            if (isinstance(entry, dict) and entry.get("mode", "managed") == "managed"
                    and entry.get("type") == type_ and entry.get("name") == name):
                return entry
        return {}

    def targets(self, module: str, references: Any, key: InstanceKey, depth: int = 0) -> list[_Target]:
        """The resource instances ``references`` (of an expression in ``module``) can lead to;
        ``key`` is the instance key of what the expression belongs to, for ``count.index`` and
        ``each.key`` pairing."""
        if depth > MAX_DEPTH or not isinstance(references, list):
            return []
        texts = [r for r in references if isinstance(r, str)]
        pair_count = "count.index" in texts and isinstance(key, int) and not isinstance(key, bool)
        pair_each = isinstance(key, str) and any(r.startswith("each.") for r in texts)
        out: list[_Target] = []
        for ref in _significant(texts):
            head = ref[0][1]
            if head == "var" and len(ref) > 1 and module:
                parent, call, module_key = _split_module(module)
                call_config = _dict(_dict(self.module_config(parent).get("module_calls")).get(call))
                expr = _dict(_dict(call_config.get("expressions")).get(ref[1][1]))
                out.extend(self.targets(parent, expr.get("references"), module_key, depth + 1))
            elif head == "module" and len(ref) > 1:
                out.extend(self._output_targets(module, ref[1:], depth))
            elif head not in _NOT_RESOURCES and len(ref) > 1 and ref[1][0] == "a":
                rest = ref[2:]
                wanted: Any = _ANY
                if rest and rest[0][0] == "i":
                    wanted, rest = rest[0][1], rest[1:]
                attr = rest[0][1] if rest and rest[0][0] == "a" else ""
                base = f"{module}.{head}.{ref[1][1]}" if module else f"{head}.{ref[1][1]}"
                keyed = self.by_key.get((module, head, ref[1][1]), {})
                if wanted is not _ANY:
                    found = [keyed[wanted]] if wanted in keyed else []
                elif (pair_count or pair_each) and key in keyed:
                    found = [keyed[key]]
                else:
                    found = self.instances.get((module, head, ref[1][1]), [])
                out.extend(_Target(i.address, attr, base) for i in found)
        unique: dict[str, _Target] = {}
        for target in out:
            unique.setdefault(target.address, target)
        return list(unique.values())

    def _output_targets(self, module: str, steps: tuple, depth: int) -> list[_Target]:
        name = steps[0][1]
        wanted: Any = _ANY
        rest = steps[1:]
        if rest and rest[0][0] == "i":
            wanted, rest = rest[0][1], rest[1:]
        if not rest or rest[0][0] != "a":
            return []
        out: list[_Target] = []
        for child, key in self.modules.get(module, []):
            steps_of_child = _module_steps(child)
            if not steps_of_child or steps_of_child[-1][0] != name or (wanted is not _ANY and key != wanted):
                continue
            output = _dict(_dict(self.module_config(child).get("outputs")).get(rest[0][1]))
            out.extend(self.targets(child, _dict(output.get("expression")).get("references"), None, depth + 1))
        return out

    # --- resources -------------------------------------------------------------------------

    def resources(self) -> list[SourceResource]:
        by_address = {i.address: i for found in self.instances.values() for i in found}
        identities = _identities(by_address.values()) if self.section == STATE else {}
        out = []
        for module, entry, path in self.entries:
            change = self.changes.get(entry["address"], {})
            body = _merge(_dict(entry.get("values")), change.get("after_unknown"), 0)
            body = _clean(body, 0) if isinstance(body, dict) else {}
            config = self.resource_config(module, entry["type"], entry["name"])
            exprs = _dict(config.get("expressions"))
            sensitive = entry.get("sensitive_values", change.get("after_sensitive"))
            if isinstance(sensitive, dict):
                self._mask(body, sensitive, exprs, module)
            self._link_body(body, exprs, module, by_address[entry["address"]].key, by_address, 0)
            if self.section == STATE:
                body = _link_identities(body, entry["address"], identities, 0)
            res = SourceResource(entry["address"], entry["type"], self._loc(path), body, {}, "terraform")
            located = self.sources.locate(module, entry["type"], entry["name"], body)
            if located is not None:
                res.loc, res.locs = located
            else:
                self._json_locs(body, path + ("values",), (), res.locs, 0)
            out.append(res)
        return out

    def _mask(self, body: dict[str, Any], sensitive: dict[str, Any], exprs: dict[str, Any], module: str) -> None:
        """Sensitive values become unknown unless the configuration fixes them. A plan holds them
        in clear, wherever they came from (``TF_VAR_``, ``-var``); the ``.tf`` sources would not
        know a value supplied at plan time, and no secret is a literal of the repository then."""
        for name, mark in sensitive.items():
            if name not in body or not _any_true(mark, 0):
                continue
            if mark is True and self._fixed_by_configuration(module, exprs.get(name), 0):
                continue
            body[name] = _masked(body[name], mark, 0)

    def _fixed_by_configuration(self, module: str, expr: Any, depth: int) -> bool:
        """A literal in place, or variables whose values are the configured defaults."""
        if not _is_expression(expr) or depth > MAX_DEPTH:
            return False
        references = [r for r in _list(expr.get("references")) if isinstance(r, str)]
        if not references:
            return "constant_value" in expr
        for ref in _significant(references):
            if ref[0][1] != "var" or len(ref) < 2:
                return False
            name = ref[1][1]
            if module:
                parent, call, _key = _split_module(module)
                call_config = _dict(_dict(self.module_config(parent).get("module_calls")).get(call))
                argument = _dict(call_config.get("expressions")).get(name)
                if argument is None:
                    declared = _dict(_dict(self.module_config(module).get("variables")).get(name))
                    if "default" not in declared:
                        return False
                elif not self._fixed_by_configuration(parent, argument, depth + 1):
                    return False
            else:
                declared = _dict(_dict(self.configuration.get("variables")).get(name))
                given = _dict(self.variables.get(name))
                if "default" not in declared or given.get("value", declared["default"]) != declared["default"]:
                    return False
        return True

    def _link_body(self, body: dict[str, Any], exprs: dict[str, Any], module: str, key: InstanceKey,
                   by_address: dict[str, _Instance], depth: int) -> None:
        if depth > MAX_DEPTH:
            return
        for name, value in body.items():
            expr = exprs.get(name)
            if _is_expression(expr):
                targets = self.targets(module, expr.get("references"), key)
                if targets:
                    body[name] = _link(value, targets, by_address, 0)
                continue
            blocks = _block_expressions(expr)
            if not blocks:
                continue
            # Sets of blocks come back in the provider's order, not the configuration's: block
            # arguments are linked through the references of every block of the type.
            merged = _merge_blocks(blocks)
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, dict):
                    self._link_body(item, merged, module, key, by_address, depth + 1)

    def _loc(self, path: tuple) -> Location:
        start = self.positions.get(path + ("address",)) or self.positions.get(path)
        whole = self.positions.get(path)
        if start is None:
            return Location(self.rel, 1)
        return Location(self.rel, start[0], whole[2] if whole else start[2], start[1])

    def _json_locs(self, value: Any, path: tuple, body_path: tuple, locs: dict, depth: int) -> None:
        if depth > MAX_DEPTH:
            return
        items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
        for step, inner in items:
            here = path + (step,)
            found = self.positions.get(here)
            if found is not None:
                locs[body_path + (step,)] = Location(self.rel, found[0], found[2], found[1])
            if isinstance(inner, (dict, list)):
                self._json_locs(inner, here, body_path + (step,), locs, depth + 1)


_ANY = object()
IDENTITIES = ("id", "arn")
"""Attributes that name a deployed resource: a state's values refer to others by them."""
OWN_NAMES = frozenset({"name", "name_prefix", "identifier", "description", "tags", "tags_all"})
"""Top-level attributes that name or describe the resource itself, never another: a security
group called ``db`` is not a reference to a subnet group whose id is ``db``. Left as text, the
name still finds the resource's satellites."""


def _identities(instances: Iterable[_Instance]) -> dict[str, Ref | None]:
    """Every ``id`` and ``arn`` of the state's instances → a reference to its instance; None
    when two instances share it (an S3 satellite's id is its bucket's name): it then names no
    one, and satellites find their owners by name instead."""
    out: dict[str, Ref | None] = {}
    for instance in instances:
        for attr in IDENTITIES:
            value = instance.values.get(attr)
            if isinstance(value, str) and value:
                out[value] = None if value in out else Ref(instance.address, attr, value)
    return out


def _link_identities(value: Any, own: str, identities: dict[str, Ref | None], depth: int) -> Any:
    """A state has no configuration, so no references: a value equal to another instance's id
    or ARN (``vpc_security_group_ids = ["sg-0a1b"]``) is taken as a reference to it, as the
    code's ``aws_security_group.db.id`` would be."""
    if depth > MAX_DEPTH:
        return value
    if isinstance(value, str):
        ref = identities.get(value)
        return ref if ref is not None and ref.address != own else value
    if isinstance(value, list):
        return [_link_identities(v, own, identities, depth + 1) for v in value]
    if isinstance(value, dict):
        return {k: v if depth == 0 and k in OWN_NAMES else _link_identities(v, own, identities, depth + 1)
                for k, v in value.items()}
    return value


def _link(value: Any, targets: list[_Target], by_address: dict[str, _Instance], depth: int) -> Any:
    """``value`` with the references it stands for put in: see the module docstring."""
    if depth > MAX_DEPTH:
        return value
    if isinstance(value, Unknown):
        if len(targets) == 1:
            return Ref(targets[0].address, targets[0].attr)
        return Unknown(value.reason, tuple(Ref(t.address, t.attr) for t in targets))
    if isinstance(value, str):
        for target in targets:
            instance = by_address.get(target.address)
            values = instance.values if instance else {}
            for attr in (target.attr,) if target.attr else ("id", "arn", "name"):
                if values.get(attr) == value:
                    return Ref(target.address, attr, value)
        return value
    if isinstance(value, list):
        # ``aws_subnet.public[*].id``: as many unknown elements as the collection has instances.
        in_order = len(targets) > 1 and len(value) == len(targets) and len({t.base for t in targets}) == 1
        return [
            Ref(targets[i].address, targets[i].attr) if in_order and isinstance(item, Unknown)
            else _link(item, targets, by_address, depth + 1)
            for i, item in enumerate(value)
        ]
    if isinstance(value, dict):
        return {k: _link(v, targets, by_address, depth + 1) for k, v in value.items()}
    return value


def _merge(value: Any, unknown: Any, depth: int) -> Any:
    """Planned values with ``after_unknown``'s marks put in as Unknown."""
    if unknown is True:
        return Unknown(_KNOWN_AFTER_APPLY)
    if depth > MAX_DEPTH or not _any_true(unknown, 0):
        return value
    if isinstance(unknown, dict) and (isinstance(value, dict) or value is None):
        out = dict(value or {})
        for key, mark in unknown.items():
            if _any_true(mark, 0):
                out[key] = _merge(out.get(key), mark, depth + 1)
        return out
    if isinstance(unknown, list) and (isinstance(value, list) or value is None):
        items = list(value or [])
        merged = [_merge(items[i] if i < len(items) else None, mark, depth + 1) for i, mark in enumerate(unknown)]
        return merged + items[len(unknown):]
    return value


def _masked(value: Any, mark: Any, depth: int) -> Any:
    if mark is True or depth > MAX_DEPTH:
        return Unknown("sensitive value of the plan")
    if isinstance(mark, dict) and isinstance(value, dict):
        return {k: _masked(v, mark[k], depth + 1) if _any_true(mark.get(k), 0) else v for k, v in value.items()}
    if isinstance(mark, list) and isinstance(value, list):
        return [_masked(v, mark[i], depth + 1) if i < len(mark) and _any_true(mark[i], 0) else v
                for i, v in enumerate(value)]
    return value


def _any_true(mark: Any, depth: int) -> bool:
    if mark is True:
        return True
    if depth > MAX_DEPTH:
        return False
    if isinstance(mark, dict):
        return any(_any_true(m, depth + 1) for m in mark.values())
    if isinstance(mark, list):
        return any(_any_true(m, depth + 1) for m in mark)
    return False


def _clean(value: Any, depth: int) -> Any:
    """Null members dropped: an evaluated body holds only the arguments that were set."""
    if depth > MAX_DEPTH:
        return Unknown("nesting too deep")
    if isinstance(value, dict):
        return {k: _clean(v, depth + 1) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_clean(v, depth + 1) for v in value]
    return value


def _is_expression(expr: Any) -> bool:
    return isinstance(expr, dict) and bool(expr) and set(expr) <= {"constant_value", "references"}


def _block_expressions(expr: Any) -> list[dict[str, Any]]:
    """The block-expressions of a nested block type: one (``single`` nesting) or a list."""
    if isinstance(expr, list):
        return [e for e in expr if isinstance(e, dict)]
    if isinstance(expr, dict) and expr and not _is_expression(expr):
        return [expr]
    return []


def _merge_blocks(blocks: list[dict[str, Any]]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for block in blocks:
        for name, expr in block.items():
            if _is_expression(expr):
                current = merged.get(name)
                if current is None or _is_expression(current):
                    refs = list(_list((current or {}).get("references")))
                    refs += [r for r in _list(expr.get("references")) if r not in refs]
                    merged[name] = {"references": refs} if refs else {"constant_value": None}
            else:
                current = merged.get(name)
                nested = current if isinstance(current, list) else []
                merged[name] = nested + _block_expressions(expr)
    return merged


def _significant(references: list[str]) -> tuple[tuple, ...]:
    return _significant_of(tuple(references))


@lru_cache(maxsize=4096)
def _significant_of(references: tuple[str, ...]) -> tuple[tuple, ...]:
    """Parsed references minus those another one implies (``a.b`` next to ``a.b.id``); every
    instance of a block has the same ones, hence the cache."""
    parsed = [p for p in (_parse_reference(r) for r in references) if p]
    unique = list(dict.fromkeys(parsed))
    return tuple(p for p in unique if not any(len(q) > len(p) and q[:len(p)] == p for q in unique))


def _parse_reference(text: str) -> tuple | None:
    steps: list[tuple[str, Any]] = []
    pos = 0
    while pos < len(text):
        match = _REF_STEP.match(text, pos)
        if match is None or match.end() == pos or (match.group(1) and pos and text[pos] != "."):
            return None
        if match.group(1) is not None:
            steps.append(("a", match.group(1)))
        else:
            raw = match.group(2)
            if raw == "*":
                return tuple(steps) or None
            steps.append(("i", int(raw) if raw.isdigit() else json.loads(raw)))
        pos = match.end()
    return tuple(steps) or None


def _module_steps(address: str) -> list[tuple[str, InstanceKey]]:
    """``module.a[0].module.b`` → ``[("a", 0), ("b", None)]``."""
    steps: list[tuple[str, InstanceKey]] = []
    pos = 0
    while pos < len(address):
        match = _MODULE_STEP.match(address, pos)
        if match is None:
            return []
        raw = match.group(2)
        key: InstanceKey = None if raw is None else int(raw) if raw.isdigit() else json.loads(raw)
        steps.append((match.group(1), key))
        pos = match.end()
    return steps


def _split_module(address: str) -> tuple[str, str, InstanceKey]:
    """A module instance address → (its parent's address, the call name, its instance key)."""
    starts = []
    pos = 0
    while pos < len(address):
        match = _MODULE_STEP.match(address, pos)
        if match is None:
            return "", "", None
        starts.append(pos)
        pos = match.end()
    if not starts:
        return "", "", None
    # The parent's address is cut from the text, as Terraform spelled it, not rebuilt.
    name, key = _module_steps(address[starts[-1]:])[0]
    return address[:starts[-1]].rstrip("."), name, key


def _key_order(key: InstanceKey) -> tuple:
    return (0, key, "") if isinstance(key, int) else (1, 0, str(key))


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _root_config(data: dict[str, Any]) -> dict[str, Any]:
    return _dict(_dict(data.get("configuration")).get("root_module"))


# --- does the plan match the configuration it replaces? ------------------------------------


def _mismatch(data: dict[str, Any], sources: _Sources, section: tuple[str, ...] = PLANNED) -> str | None:
    """Why the plan does not correspond to the ``.tf`` files it would supersede (None when it
    does): in each module folder it replaces, the managed resources and module calls it claims
    (its configuration's and its planned values') must be those the folder declares. Values
    cannot be checked, so a matching plan is trusted; one that does not match would hide code.
    A state has no configuration: its module calls are those the ``.tf`` files declare."""
    kind = "plan" if section != STATE else "state"
    if section == STATE and sources.folder is not None and sources.config(sources.folder) is not None:
        # A plan is made from the code beside it; a state is what was deployed, maybe long ago:
        # found in a folder, it must not stand in for the code a change is reviewed in.
        return "it says what is deployed, the .tf files beside it what the code deploys"
    claims = _claims(data, section)
    todo: list[tuple[tuple[str, ...], Path, dict[str, Any]]] = []
    if sources.folder is not None:
        todo.append(((), sources.folder, sources.configuration))
    seen = 0
    while todo and seen <= 10_000:
        path, folder, module = todo.pop()
        seen += 1
        config = sources.config(folder) if folder.is_dir() else None
        resources, calls = claims.get(path, (set(), set()))
        if config is not None:
            declared = {f"{t}.{n}" for t, n in config.resources}
            shown = config.rel if config.rel != "." else "the scanned folder"
            missing = sorted(declared - resources)
            extra = sorted(resources - declared)
            if missing or extra:
                what = f"{shown} declares {missing[0]}, which the {kind} does not have" if missing \
                    else f"the {kind} has {extra[0]}, which {shown} does not declare"
                return what + (f" ({len(missing) + len(extra) - 1} more differences)" if len(missing) + len(extra) > 1
                               else "")
            if calls != set(config.modules):
                odd = sorted(calls ^ set(config.modules))[0]
                return f"module {odd} is called by only one of the {kind} and {shown}"
        if len(path) >= MAX_DEPTH:
            continue
        for name, child, child_module in sources.calls(module, folder):
            todo.append((path + (name,), child, child_module))
    return None


def _claims(data: dict[str, Any], section: tuple[str, ...] = PLANNED
            ) -> dict[tuple[str, ...], tuple[set[str], set[str]]]:
    """Module path (call names) → the managed resources (``type.name``) and module calls the
    plan says that module has, from its configuration and its values (at ``section``)."""
    out: dict[tuple[str, ...], tuple[set[str], set[str]]] = {}

    def entry(path: tuple[str, ...]) -> tuple[set[str], set[str]]:
        return out.setdefault(path, (set(), set()))

    todo: list[tuple[tuple[str, ...], dict[str, Any]]] = [((), _root_config(data))]
    while todo and len(out) <= 10_000:
        path, module = todo.pop()
        resources, calls = entry(path)
        for res in _list(module.get("resources")):
            if isinstance(res, dict) and res.get("mode", "managed") == "managed":
                resources.add(f"{res.get('type')}.{res.get('name')}")
        for name, call in _dict(module.get("module_calls")).items():
            calls.add(name)
            if len(path) < MAX_DEPTH:
                todo.append((path + (name,), _dict(_dict(call).get("module"))))
    planned: list[dict[str, Any]] = [_dict(_dict(_section(data, section)).get("root_module"))]
    while planned and len(out) <= 10_000:
        module = planned.pop()
        address = module.get("address")
        steps = tuple(name for name, _key in _module_steps(address)) if isinstance(address, str) else ()
        if isinstance(address, str) and not steps:
            continue
        resources, calls = entry(steps)
        if steps:
            entry(steps[:-1])[1].add(steps[-1])
        for res in _list(module.get("resources")):
            if isinstance(res, dict) and res.get("mode", "managed") == "managed":
                resources.add(f"{res.get('type')}.{res.get('name')}")
        if len(steps) < MAX_DEPTH:
            planned.extend(c for c in _list(module.get("child_modules")) if isinstance(c, dict))
    return out


# --- lines from the .tf files next to the plan ---------------------------------------------


class _Sources:
    """The root module's ``.tf`` files (and its local modules'), when they are next to the plan."""

    def __init__(self, folder: Path, root: Path, data: dict[str, Any], read: Read) -> None:
        self.root = root
        self.read = read
        self.configuration = configuration = _root_config(data)
        self.errors: list[ScanError] = []
        self.files: list[str] = []
        self.folder = folder if _inside(folder, root) else None
        self._configs: dict[Path, Any] = {}
        self.declared = not configuration
        """No configuration (a state): module calls are read from the ``.tf`` files."""
        self.folders: set[Path] = {folder}
        self._follow(configuration, folder, 0)

    def _follow(self, module: dict[str, Any], folder: Path, depth: int) -> None:
        """Every local module folder the configuration calls (inside the root), recursively."""
        if depth > MAX_DEPTH:
            return
        for _name, child, child_module in self.calls(module, folder):
            if child not in self.folders:
                self.folders.add(child)
                self._follow(child_module, child, depth + 1)

    def calls(self, module: dict[str, Any], folder: Path | None) -> list[tuple[str, Path, dict[str, Any]]]:
        """The local module calls of a module: (name, folder inside the root, its configuration).
        A plan's configuration says them; a state has none, so the ``.tf`` files of the folder do."""
        out = []
        if not self.declared:
            for name, call in _dict(module.get("module_calls")).items():
                child = _local_folder(_dict(call).get("source"), folder, self.root)
                if child is not None:
                    out.append((name, child, _dict(_dict(call).get("module"))))
            return out
        config = self.config(folder) if folder is not None and folder.is_dir() else None
        for call, source in config.local_sources() if config is not None else ():
            child = _local_folder(source, folder, self.root)
            if child is not None:
                out.append((call.name, child, {}))
        return out

    def folder_of(self, module: str) -> Path | None:
        steps = _module_steps(module)
        if module and not steps:
            return None
        folder = self.folder
        config = self.configuration
        for name, _key in steps:
            found = next(((child, inner) for call, child, inner in self.calls(config, folder) if call == name), None)
            if found is None:
                return None
            folder, config = found
        return folder

    def config(self, folder: Path) -> Any:
        """The folder's module as declared (parsed once), None without configuration files."""
        from iac_assist.inputs.confine import allowed
        from iac_assist.inputs.discovery import terraform_files
        from iac_assist.parsers.terraform.config import load_module

        if folder not in self._configs:
            files = [p for p in terraform_files(folder) if allowed(p, self.root)]
            config = load_module(folder, self.root, files, self.read) if files else None
            if config is not None:
                self.errors.extend(config.errors)
                self.files.extend(config.files)
            self._configs[folder] = config
        return self._configs[folder]

    def locate(self, module: str, type_: str, name: str, body: dict[str, Any]
               ) -> tuple[Location, dict[tuple, Location]] | None:
        """The resource's block and the lines of its arguments and nested blocks, if declared."""
        from iac_assist.parsers.terraform.config import META_ARGUMENTS

        folder = self.folder_of(module)
        config = self.config(folder) if folder is not None and folder.is_dir() else None
        decl = config.resources.get((type_, name)) if config is not None else None
        if decl is None:
            return None
        locs: dict[tuple, Location] = {}
        for attr_name, attr in decl.block.body.attributes.items():
            if attr_name not in META_ARGUMENTS:
                locs[(attr_name,)] = Location(decl.file, attr.line, attr.end_line)
                jsonencode_locs(attr.expr, decl.file, (attr_name,), locs)
        _block_locs(decl.file, decl.block.body, body, (), locs, 0)
        return decl.loc, locs


def _block_locs(file: str, hcl_body: Any, value: Any, path: tuple, locs: dict[tuple, Location], depth: int) -> None:
    """Nested blocks of the plan's body matched with the blocks written in the source."""
    from iac_assist.parsers.terraform.instances import SKIPPED_BLOCKS

    if depth > 32 or not isinstance(value, dict):
        return
    written: dict[str, list[Any]] = {}
    for block in hcl_body.blocks:
        if block.type in SKIPPED_BLOCKS:
            continue
        name = block.labels[0] if block.type == "dynamic" and block.labels else block.type
        written.setdefault(name, []).append(block)
    for name, blocks in written.items():
        items = value.get(name)
        if not isinstance(items, list):
            continue
        for i, block in _match_blocks(items, blocks):
            here = path + (name, i)
            locs[here] = Location(file, block.line, block.end_line)
            inner = block.body
            if block.type == "dynamic":
                content = next((b for b in block.body.blocks if b.type == "content"), None)
                if content is None:
                    continue
                inner = content.body
            for attr_name, attr in inner.attributes.items():
                locs[here + (attr_name,)] = Location(file, attr.line, attr.end_line)
            _block_locs(file, inner, items[i], here, locs, depth + 1)


def _match_blocks(items: list[Any], blocks: list[Any]) -> list[tuple[int, Any]]:
    """Pair each planned block with the written block it came from. Providers may reorder a set
    of blocks, so a block is chosen by the literal arguments it shares with the planned one;
    a ``dynamic`` block stands for every item no static block accounts for."""
    from iac_assist.parsers.terraform.expressions import Literal

    static = [b for b in blocks if b.type != "dynamic"]
    dynamic = next((b for b in blocks if b.type == "dynamic"), None)
    free = list(range(len(static)))
    pairs: list[tuple[int, Any]] = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        best, best_score = None, -1
        for n in free:
            score = sum(1 for attr_name, attr in static[n].body.attributes.items()
                        if isinstance(attr.expr, Literal) and item.get(attr_name) == attr.expr.value)
            if score > best_score:
                best, best_score = n, score
        if best is not None:
            free.remove(best)
            pairs.append((i, static[best]))
        elif dynamic is not None:
            pairs.append((i, dynamic))
    return pairs


def _local_folder(source: Any, folder: Path | None, root: Path) -> Path | None:
    """A module call's local source as a folder inside the scanned root, else None."""
    if folder is None or not isinstance(source, str) or not source.startswith(("./", "../")):
        return None
    from iac_assist.inputs.confine import Outside, confine

    try:
        return confine(source, folder, root)
    except Outside:
        return None


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents
