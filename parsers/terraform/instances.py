"""Evaluating a module instance into resource instances, as ``terraform plan`` would.

A ``ModuleInstance`` binds a module's variables (from the caller's arguments or defaults),
evaluates locals and attributes lazily (each at most once; cycles become unknown), expands
``count`` and ``for_each`` into instances, and recurses into local module calls with their
addresses prefixed (``module.db.aws_db_instance.this``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from iac_assist.inputs.confine import CATEGORY as OUTSIDE_ROOT
from iac_assist.inputs.confine import Outside, confine
from iac_assist.model import UNKNOWN, Location, Origin, Ref, ScanError, Unknown, fully_known, iter_refs, shown
from iac_assist.model.resource import SourceResource
from iac_assist.model.trace import OriginTrace
from iac_assist.parsers.terraform import budget, hcl
from iac_assist.parsers.terraform.budget import EvaluationLimit
from iac_assist.parsers.terraform.config import META_ARGUMENTS, Declared, ModuleConfig, VariableDecl
from iac_assist.parsers.terraform.evaluator import ENV_ORIGINS, Evaluator, Namespace, to_number
from iac_assist.parsers.terraform.expressions import Expr
from iac_assist.parsers.terraform.files import FileFunctions, FileReads
from iac_assist.parsers.terraform.inputs import Given
from iac_assist.parsers.terraform.secret_data import DATA_TYPE_PREFIX, names_a_credential
from iac_assist.parsers.terraform.types import convert
from iac_assist.parsers.terraform.values import (
    LazyObject,
    ModuleObject,
    PartialJson,
    ResourceObject,
    jsonencode_locs,
    scalar,
)

MAX_INSTANCES = 1_000
"""Instances one block may expand to; more is refused for that block (``count = 1e9``)."""
MAX_MODULE_DEPTH = 16
MAX_SCAN_INSTANCES = 50_000
"""Resource and module instances of a whole scan: count = 1000 nested in modules multiplies."""
MAX_BLOCK_PARTS = 100_000
"""Nested blocks and their arguments in one resource instance (``dynamic`` blocks expanded)."""
MAX_VALUE_ELEMENTS = 1_000_000
"""Elements of one attribute's value, shared parts counted each time (a list of a list of ...)."""
SKIPPED_BLOCKS = {"lifecycle", "provisioner", "connection"}
RENDERED_DATA = {"aws_iam_policy_document": ("json", "minified_json")}
"""Data sources whose result follows from their arguments: rendered, not left unknown."""

MAX_CYCLE_NAMES = 20
"""Values named in one cycle warning; a longer cycle says how many more it holds."""
MANIFEST = Path(".terraform", "modules", "modules.json")
"""Where ``terraform init`` records the folders it downloaded modules to, in a root module."""

_PENDING = object()


@dataclass
class ScanContext:
    """What every module instance of one scan shares."""

    root: Path
    load: Callable[[Path], ModuleConfig | None]
    """Loads (and caches) a module folder inside the scan root."""
    read: Callable[[Path, str, list], str | None] | None = None
    """Reads a file inside the scan root (``file()``, ``templatefile()``, ``modules.json``)."""
    errors: list[ScanError] = field(default_factory=list)
    reported: set[tuple[str, int, str]] = field(default_factory=set)
    _manifests: dict[Path, dict[str, tuple[str, int]]] = field(default_factory=dict)
    files: FileReads = field(default_factory=FileReads)
    """What ``file()`` and kin have read in this scan (each file once, bounded in total)."""
    instances: int = 0
    """Resource and module instances made so far (bounded by MAX_SCAN_INSTANCES)."""
    exhausted: bool = False
    """A scan-wide bound was reached: nothing more is evaluated."""
    evaluating: list[tuple[object, str, str, int]] = field(default_factory=list)
    """Values being evaluated, outermost first: (key, name, file, line). A value asked for while
    it is on this stack depends on itself: the entries from it to the top are the cycle."""
    origins: OriginTrace = field(default_factory=OriginTrace)
    """Where the variables read by the values being evaluated got their values (see
    ``ModuleInstance._once``): values stay plain, their origins are kept beside."""

    def manifest(self, base: Path) -> dict[str, tuple[str, int]]:
        """``{module key: (folder, line)}`` from ``<base>/.terraform/modules/modules.json`` (cached)."""
        if base not in self._manifests:
            self._manifests[base] = self._read_manifest(base)
        return self._manifests[base]

    def manifest_file(self, base: Path) -> str:
        return (base / MANIFEST).relative_to(self.root).as_posix()

    def _read_manifest(self, base: Path) -> dict[str, tuple[str, int]]:
        from iac_assist.inputs.jsonpos import JsonError, loads

        path = base / MANIFEST
        if self.read is None or not path.is_file():
            return {}
        rel = self.manifest_file(base)
        try:
            real = confine(path, base, self.root)
        except Outside as why:
            self.warn(rel, 1, f"the module manifest {why}; not read, downloaded modules are not analysed", "error",
                      OUTSIDE_ROOT)
            return {}
        text = self.read(real, rel, self.errors)
        if text is None:
            return {}
        try:
            data, lines = loads(text)
        except JsonError as err:
            self.warn(rel, err.line, f"cannot read the module manifest: {err.message}; downloaded modules are not "
                      "analysed", "error", column=err.column)
            return {}
        modules = data.get("Modules") if isinstance(data, dict) else None
        out: dict[str, tuple[str, int]] = {}
        for i, entry in enumerate(modules if isinstance(modules, list) else []):
            if isinstance(entry, dict) and isinstance(entry.get("Key"), str) and isinstance(entry.get("Dir"), str):
                out[entry["Key"]] = (entry["Dir"], lines.get(("Modules", i, "Dir"), lines.get(("Modules", i), 1)))
        return out

    def warn(self, file: str, line: int, message: str, level: str = "warning", category: str = "",
             column: int = 0) -> None:
        key = (file, line, message)
        if key not in self.reported:
            self.reported.add(key)
            self.errors.append(ScanError(file, line, message, column, level=level, category=category))

    def cycle(self, key: object) -> None:
        """Report the values from ``key`` (on the stack) to the top: a cycle Terraform rejects."""
        start = next((i for i, entry in enumerate(self.evaluating) if entry[0] == key), None)
        if start is None:
            return
        members = self.evaluating[start:]
        # The same cycle entered elsewhere is reported once: start it at its first name.
        first = min(range(len(members)), key=lambda i: members[i][1])
        members = members[first:] + members[:first]
        names = [f"{name} ({file}:{line})" for _key, name, file, line in members[:MAX_CYCLE_NAMES]]
        if len(members) > MAX_CYCLE_NAMES:
            names.append(f"{len(members) - MAX_CYCLE_NAMES} more")
        _key, _name, file, line = members[0]
        self.warn(file, line, "values depend on each other in a cycle and are not known: "
                  + " -> ".join([*names, names[0]]), category="value-cycle")

    def limit(self, err: EvaluationLimit, file: str, line: int) -> None:
        """Report a bound passed while evaluating something declared at ``file``:``line``."""
        err.at(file, line)
        if err.scan_wide:
            if self.exhausted:
                return
            self.exhausted = True
        self.warn(err.file, err.line, err.message, "error")

    def count_instances(self, n: int, file: str, line: int) -> bool:
        """Account for ``n`` more instances; False (reported) past the scan's limit."""
        if self.instances + n > MAX_SCAN_INSTANCES:
            self.warn(file, line, f"the scan's limit of {MAX_SCAN_INSTANCES} resource and module instances is "
                      "reached; this block is not analysed", "error")
            return False
        self.instances += n
        return True


InstanceKey = int | str | None


def address_of(prefix: str, decl: Declared, key: InstanceKey) -> str:
    base = f"{prefix}{'data.' if decl.kind == 'data' else ''}{decl.type}.{decl.name}"
    return base + _key_suffix(key)


def _key_suffix(key: InstanceKey) -> str:
    if key is None:
        return ""
    # Quotes and backslashes in a key are escaped, as Terraform writes addresses.
    return f"[{key}]" if isinstance(key, int) else f"[{json.dumps(key, ensure_ascii=False)}]"


def _reference_key(value: Any) -> str:
    """The instance key standing for a ``for_each`` element known only after apply: what it
    refers to (``module.app.aws_security_group.app.id``), else ``?``."""
    refs = list(iter_refs(value))
    if len(refs) != 1:
        return "?"
    ref = refs[0]
    return f"{ref.address}.{ref.attribute}" if ref.attribute else ref.address


class Arguments:
    """The arguments of one instance of a module call, evaluated in the caller when the child
    first reads them (as Terraform's graph does: a module input is a value of its own, so two
    modules may take each other's outputs as long as no value depends on itself)."""

    def __init__(self, caller: ModuleInstance, decl: Declared, env: dict[str, Any]) -> None:
        self.caller = caller
        self.decl = decl
        self.env = env

    def __contains__(self, name: str) -> bool:
        return name not in META_ARGUMENTS and name in self.decl.block.body.attributes

    def where(self, name: str) -> tuple[str, int]:
        attr = self.decl.block.body.attributes[name]
        return attr.file or self.decl.file, attr.line

    def __getitem__(self, name: str) -> Any:
        attr = self.decl.block.body.attributes[name]
        try:
            return self.caller._eval(attr.file or self.decl.file, attr.expr, self.env)
        except EvaluationLimit as err:
            raise err.at(attr.file or self.decl.file, attr.line) from None


class ModuleInstance:
    def __init__(
        self,
        config: ModuleConfig,
        ctx: ScanContext,
        prefix: str = "",
        inputs: dict[str, Any] | Arguments | None = None,
        stack: tuple[Path, ...] = (),
        base: Path | None = None,
        module_path: tuple[str, ...] = (),
        call_loc: Location | None = None,
        given_origins: dict[str, Given] | None = None,
    ) -> None:
        self.config = config
        self.ctx = ctx
        self.prefix = prefix
        self.stack = stack + (config.path,)
        self.base = base or config.path
        """The root module's folder: Terraform's working directory."""
        self.module_path = module_path
        """Module call names from the root (``("app", "db")``), the keys of ``modules.json``."""
        self.call_loc = call_loc
        """Inside a downloaded module: the outermost ``module`` block leading here that is written in
        the scanned configuration itself (the downloaded files are not part of the repository)."""
        self._inputs = inputs
        """The root's assigned values, or a child's call arguments (evaluated on demand)."""
        self._given_origins = given_origins or {}
        """For the root: where each assigned value was given (a tfvars line, ``--var``)."""
        self._origins: dict[tuple, tuple[Origin, ...]] = {}
        """Beside ``_cache``: where each value's variables got their values, when any did."""
        self.condition = ""
        """Set when this module instance exists only if an unknown ``count``/``for_each`` allows."""
        self._uncertain: dict[tuple[str, str, str], str] = {}
        """Blocks whose instances are not known: the condition of their representative instance."""
        self._cache: dict[tuple, Any] = {}
        """Every value evaluated once: locals, variables, outputs, attributes, instances."""
        self._files: list[str] = []
        """Files of the expressions being evaluated, innermost last."""
        files = FileFunctions(self.base, ctx.root, ctx.read, self._warn_call, ctx.files)
        self.evaluator = Evaluator(self._root, call_extra=files.table(), on_bound=ctx.origins.note)
        self._namespaces = {
            "var": Namespace(self.variable),
            "local": Namespace(self.local),
            "module": Namespace(self.module_value),
            "data": Namespace(lambda t: Namespace(lambda n: self.declared_value("data", t, n))),
            "path": Namespace(self._path),
            "terraform": Namespace(lambda n: "default" if n == "workspace" else UNKNOWN),
        }

    def _once(self, key: tuple, name: str, file: str, line: int, compute: Callable[[], Any],
              carry: bool = True) -> Any:
        """``compute()`` evaluated at most once. Asked for again while it is being evaluated, the
        value depends on itself: it is unknown, and the cycle is reported (with every value in it).
        Past a bound, it stays unknown and the bound is raised for the caller to report.
        The value's origins are kept beside it and, when ``carry``, given to the value whose
        evaluation asked for it (each time it is asked for, cached or not)."""
        cache = self._cache
        if key in cache:
            value = cache[key]
            if value is _PENDING:
                self.ctx.cycle((self, key))
                return Unknown(f"{name} depends on itself")
            if carry:
                self.ctx.origins.note(self._origins.get(key, ()))
            return value
        cache[key] = _PENDING
        evaluating = self.ctx.evaluating
        evaluating.append(((self, key), name, file, line))
        trace = self.ctx.origins
        trace.push()
        try:
            value = compute()
        except BaseException as err:
            cache[key] = Unknown(f"{name} is not evaluated: {getattr(err, 'message', err)}")
            raise
        finally:
            evaluating.pop()
            found = trace.pop()
        cache[key] = value
        if found:
            self._origins[key] = found
            if carry:
                trace.note(found)
        return value

    def _traced(self, file: str, expr: Expr, env: dict[str, Any]) -> tuple[Any, tuple[Origin, ...]]:
        """``expr`` evaluated with the origins of what it read (also given to the enclosing value)."""
        trace = self.ctx.origins
        trace.push()
        try:
            value = self._eval(file, expr, env)
        finally:
            found = trace.pop()
        trace.note(found)
        return value, found

    # --- names an expression can use -------------------------------------------------------

    def _root(self, name: str) -> Any:
        space = self._namespaces.get(name)
        if space is not None:
            return space
        if name in ("self", "count", "each"):
            return UNKNOWN
        return Namespace(lambda n, t=name: self.declared_value("resource", t, n))

    def _path(self, name: str) -> Any:
        if name == "module":
            return Path(os.path.relpath(self.config.path, self.base)).as_posix()
        if name in ("root", "cwd"):
            return "."
        return UNKNOWN

    def _eval(self, file: str, expr: Expr, env: dict[str, Any] | None = None) -> Any:
        """Evaluate ``expr``, written in ``file``: the expression tree keeps lines, not files, and
        a function call's warning names both."""
        self._files.append(file)
        try:
            return self.evaluator.eval(expr, env)
        finally:
            self._files.pop()

    def _warn_call(self, message: str, category: str = "", where: tuple[str, int] | None = None) -> None:
        if where is None:
            file = self._files[-1] if self._files else self.config.files[0] if self.config.files else self.config.rel
            where = (file, self.evaluator.call_line)
        self.ctx.warn(where[0], where[1], message, category=category)

    def variable(self, name: str) -> Any:
        decl = self.config.variables.get(name)
        given = self._inputs or {}
        if decl is None:
            if isinstance(given, Arguments):
                return Unknown(f"undeclared variable {name}")
            return given[name] if name in given else Unknown(f"undeclared variable {name}")
        file, line = given.where(name) if isinstance(given, Arguments) and name in given else (decl.file, decl.line)
        return self._once(("var", name), f"{self.prefix}var.{name}", file, line, lambda: self._variable(decl, given))

    def _variable(self, decl: VariableDecl, given: Any) -> Any:
        name = decl.name
        if name in given:
            value = given[name]
            if not (value is None and not decl.nullable):
                value = convert(value, decl.type_expr)
                self._given(name, value, given)
                return value
        if decl.default is None:
            return Unknown(f"variable {name} has no value")
        try:
            value = convert(self._eval(decl.file, decl.default), decl.type_expr)
        except EvaluationLimit as err:
            raise err.at(decl.file, decl.line) from None
        if not isinstance(value, Unknown):
            self.ctx.origins.first(Origin(decl.file, getattr(decl.default, "line", 0) or decl.line,
                               f"sets the default {name} = {shown(value)}"))
        return value

    def _given(self, name: str, value: Any, given: Any) -> None:
        """Record where the value of variable ``name`` was given: a module input, or for the root
        a variables file or the command line."""
        if isinstance(value, Unknown):
            return
        if isinstance(given, Arguments):
            file, line = given.where(name)
            self.ctx.origins.first(Origin(file, line, f"passes {name} = {shown(value)} to {self.prefix.rstrip('.')}"))
        elif name in self._given_origins:
            self.ctx.origins.first(self._given_origins[name].origin(name, value))

    def local(self, name: str) -> Any:
        entry = self.config.locals.get(name)
        if entry is None:
            return Unknown(f"undeclared local {name}")
        return self._named("local", name, *entry)

    def _named(self, kind: str, name: str, attr: hcl.Attribute, file: str) -> Any:
        """A local or an output: evaluated once, on first use, its cycles named."""

        def compute() -> Any:
            try:
                return self._eval(file, attr.expr)
            except EvaluationLimit as err:
                raise err.at(file, attr.line) from None

        return self._once((kind, name), f"{self.prefix}{kind}.{name}", file, attr.line, compute)

    # --- resources as values ---------------------------------------------------------------

    def declared_value(self, kind: str, type_: str, name: str) -> Any:
        """``aws_s3_bucket.site``: one object, a list (count) or a map (for_each) of instances."""
        table = self.config.resources if kind == "resource" else self.config.data
        decl = table.get((type_, name))
        if decl is None:
            return Unknown(f"undeclared {kind} {type_}.{name}")
        cached = self._cache.get(("objects", kind, type_, name))
        if cached is not None:
            return cached
        keys = self.instance_keys(decl)
        if keys is None:
            return Unknown(f"instances of {type_}.{name} are not known")
        objects = {k: self._object(decl, k, env) for k, env in keys}
        if decl.meta("count") is not None:
            value: Any = [objects[k] for k, _ in keys]
        elif decl.meta("for_each") is not None:
            value = {str(k): objects[k] for k, _ in keys}
        else:
            value = objects.get(None, Unknown())
        # Built once: a block of a thousand instances is referenced from many places.
        self._cache[("objects", kind, type_, name)] = value
        return value

    def _object(self, decl: Declared, key: InstanceKey, env: dict[str, Any]) -> ResourceObject:
        address = address_of(self.prefix, decl, key)
        if decl.kind == "data" and decl.type in RENDERED_DATA:
            return ResourceObject(address, lambda attr: self._rendered(decl, key, env, attr))
        # Another resource's attribute is an edge of the graph, not where this value came from.
        return ResourceObject(address, lambda attr: self.configured(decl, key, env, attr, carry=False))

    def _rendered(self, decl: Declared, key: InstanceKey, env: dict[str, Any], attr: str) -> Any:
        """A data source computed from its arguments alone, as its provider would compute it."""
        if attr not in RENDERED_DATA[decl.type]:
            return self.configured(decl, key, env, attr, carry=False)

        def compute() -> Any:
            from iac_assist.parsers.terraform.policy_document import render

            document = render(self._evaluate(decl, key, env).body)
            # Fully known: the JSON text itself, usable in string functions; otherwise the
            # structure, so that policies still read what is known.
            return json.dumps(document) if fully_known(document) else PartialJson(document)

        address = address_of(self.prefix, decl, key)
        return self._once(("rendered", address_of("", decl, None), key), address, decl.file, decl.block.line,
                          compute)

    def configured(self, decl: Declared, key: InstanceKey, env: dict[str, Any], attr: str,
                   carry: bool = True) -> Any:
        """The value an instance's attribute is configured with, or Unknown (computed); its origins
        are kept (see ``attribute_origins``) and, when ``carry``, given to the value asking."""
        expr = decl.block.body.attributes.get(attr)
        if expr is None or attr in META_ARGUMENTS:
            return UNKNOWN

        def compute() -> Any:
            try:
                return self._eval(expr.file or decl.file, expr.expr, env)
            except EvaluationLimit as err:
                raise err.at(expr.file or decl.file, expr.line) from None

        address = address_of(self.prefix, decl, key)
        return self._once(_attr_key(decl, key, attr), f"{address}.{attr}", decl.file, expr.line, compute, carry)

    def attribute_origins(self, decl: Declared, key: InstanceKey, attr: str) -> tuple[Origin, ...]:
        """Where the variables an instance's attribute read got their values (after ``configured``)."""
        return self._origins.get(_attr_key(decl, key, attr), ())

    def instance_keys(self, decl: Declared) -> list[tuple[InstanceKey, dict[str, Any]]] | None:
        """The instances a block expands to, each with its ``count``/``each`` binding."""
        meta = decl.meta("count") or decl.meta("for_each")
        if meta is None:
            return [(None, {})]
        base = address_of(self.prefix, decl, None) if decl.kind != "module" else f"{self.prefix}module.{decl.name}"
        once = ("keys", decl.kind, decl.type, decl.name)
        keys = self._once(once, f"{base}.{meta.name}", decl.file, meta.line, lambda: self._instance_keys(decl),
                          carry=False)
        if isinstance(keys, Unknown):
            return None
        found = self._origins.get(once)
        if found and meta.name == "for_each":
            # ``each`` is where the collection came from; ``count.index`` is no value of it.
            for _key, env in keys:
                env.setdefault(ENV_ORIGINS, {})["each"] = found
        return keys

    def _instance_keys(self, decl: Declared) -> list[tuple[InstanceKey, dict[str, Any]]] | None:
        count_attr, each_attr = decl.meta("count"), decl.meta("for_each")
        if count_attr is not None:
            count = scalar(self._meta_value(decl, count_attr))
            if isinstance(count, Unknown):
                # Terraform could not plan this either; analyse one representative instance, which
                # may not exist: what it provides (a WAF association) proves nothing.
                self._uncertain[(decl.kind, decl.type, decl.name)] = f"{self._block(decl)}.count > 0"
                return [(0, {"count": {"index": 0}})]
            try:
                n = int(to_number(count))
            except Exception:
                self.ctx.warn(decl.file, count_attr.line, f"count is not a number: {count!r}", "error")
                return []
            if n < 0:
                self.ctx.warn(decl.file, count_attr.line, f"count = {n} is negative; not analysed", "error")
                return []
            if n > MAX_INSTANCES:
                self.ctx.warn(decl.file, count_attr.line,
                              f"count = {n} is over the limit of {MAX_INSTANCES} instances; not analysed", "error")
                return []
            return [(i, {"count": {"index": i}}) for i in range(n)]
        coll = scalar(self._meta_value(decl, each_attr))
        if isinstance(coll, Unknown):
            self._uncertain[(decl.kind, decl.type, decl.name)] = f"{self._block(decl)}.for_each is not empty"
            return [("?", {"each": {"key": UNKNOWN, "value": UNKNOWN}})]
        if isinstance(coll, PartialJson):
            return None
        if isinstance(coll, list):
            return self._set_keys(decl, each_attr, coll)
        if not isinstance(coll, dict):
            self.ctx.warn(decl.file, each_attr.line, "for_each needs a map or a set of strings", "error")
            return []
        if len(coll) > MAX_INSTANCES:
            self.ctx.warn(decl.file, each_attr.line,
                          f"for_each over {len(coll)} elements is over the limit of {MAX_INSTANCES}", "error")
            return []
        return [(k, {"each": {"key": k, "value": v}}) for k, v in sorted(coll.items())]

    def _set_keys(self, decl: Declared, attr: hcl.Attribute, coll: list[Any]
                  ) -> list[tuple[InstanceKey, dict[str, Any]]]:
        """Instances of a ``for_each`` over a set. An element known only after apply (another
        resource's id: ``toset(var.client_sg_ids)``) gets an instance named after what it refers
        to, its ``each.key`` and ``each.value`` that reference: its rule still folds onto its group
        and its edges still exist, where Terraform would ask for ``-target``."""
        out: dict[str, tuple[InstanceKey, dict[str, Any]]] = {}
        for v in coll:
            value = scalar(v)
            if not isinstance(value, Unknown):
                key = str(value)
                out.setdefault(key, (key, {"each": {"key": key, "value": v}}))
                continue
            key = _reference_key(v)
            out.setdefault(key, (key, {"each": {"key": v, "value": v}}))
        if len(out) > MAX_INSTANCES:
            self.ctx.warn(decl.file, attr.line,
                          f"for_each over {len(out)} elements is over the limit of {MAX_INSTANCES}", "error")
            return []
        return [out[k] for k in sorted(out)]

    def _block(self, decl: Declared) -> str:
        return address_of(self.prefix, decl, None) if decl.kind != "module" else f"{self.prefix}module.{decl.name}"

    def _condition(self, decl: Declared) -> str:
        return self._uncertain.get((decl.kind, decl.type, decl.name), "") or self.condition

    def _meta_value(self, decl: Declared, attr: hcl.Attribute) -> Any:
        try:
            return self._eval(decl.file, attr.expr)
        except EvaluationLimit as err:
            raise err.at(decl.file, attr.line) from None

    # --- modules ---------------------------------------------------------------------------

    def module_value(self, name: str) -> Any:
        decl = self.config.modules.get(name)
        if decl is None:
            return Unknown(f"undeclared module {name}")
        instances = self.child_instances(decl)
        if instances is None:
            return Unknown(f"module {name} is not analysed")
        objects = {k: ModuleObject(child.prefix.rstrip("."), child.output) for k, child in instances}
        if decl.meta("count") is not None:
            return list(objects.values())
        if decl.meta("for_each") is not None:
            return {str(k): v for k, v in objects.items()}
        return objects.get(None, Unknown())

    def child_instances(self, decl: Declared) -> list[tuple[InstanceKey, ModuleInstance]] | None:
        """The instances of a module call (made once; their inputs are evaluated on demand)."""

        def compute() -> list[tuple[InstanceKey, ModuleInstance]] | None:
            try:
                return self._make_children(decl)
            except EvaluationLimit as err:
                raise err.at(decl.file, decl.block.line) from None

        result = self._once(("module", decl.name), f"{self.prefix}module.{decl.name}", decl.file, decl.block.line,
                            compute)
        return None if isinstance(result, Unknown) else result

    def _make_children(self, decl: Declared) -> list[tuple[InstanceKey, ModuleInstance]] | None:
        source_attr = decl.meta("source")
        source = scalar(self._eval(decl.file, source_attr.expr)) if source_attr else None
        if not isinstance(source, str):
            self.ctx.warn(decl.file, decl.block.line, f"module {decl.name}: source is not a literal string")
            return None
        call_loc = self.call_loc
        if source.startswith(("./", "../")):
            try:
                folder = confine(source, self.config.path, self.ctx.root)
            except Outside as why:
                self.ctx.warn(decl.file, source_attr.line,
                              f"module {decl.name}: source {source!r} {why}; not analysed", "error", OUTSIDE_ROOT)
                return None
        else:
            call_loc = call_loc or decl.loc
            entry = self.ctx.manifest(self.base).get(".".join(self.module_path + (decl.name,)))
            if entry is None:
                self.ctx.warn(decl.file, decl.block.line,
                              f"module {decl.name} not analysed (not downloaded): source {source!r}",
                              category="module-not-downloaded")
                return None
            try:
                # Read, never fetched: the folder ``terraform init`` downloaded the module to.
                folder = confine(entry[0], self.base, self.ctx.root)
            except Outside as why:
                self.ctx.warn(self.ctx.manifest_file(self.base), entry[1],
                              f"module {'.'.join(self.module_path + (decl.name,))}: its downloaded folder "
                              f"{entry[0]!r} {why}; not analysed", "error", OUTSIDE_ROOT)
                return None
        if folder in self.stack or len(self.stack) >= MAX_MODULE_DEPTH:
            self.ctx.warn(decl.file, source_attr.line,
                          f"module {decl.name}: module calls form a cycle or nest too deeply; not analysed",
                          "error")
            return None
        config = self.ctx.load(folder)
        if config is None:
            self.ctx.warn(decl.file, source_attr.line,
                          f"module {decl.name}: no Terraform files in {source!r}", "error")
            return None
        keys = self.instance_keys(decl)
        if keys is None:
            return None
        if not self.ctx.count_instances(len(keys), decl.file, decl.block.line):
            return None
        for name, attr in decl.block.body.attributes.items():
            if name not in META_ARGUMENTS and name not in config.variables:
                self.ctx.warn(decl.file, attr.line, f"module {decl.name}: no variable {name!r} in {source}")
        out = []
        for key, env in keys:
            prefix = f"{self.prefix}module.{decl.name}{_key_suffix(key)}."
            child = ModuleInstance(config, self.ctx, prefix, Arguments(self, decl, env), self.stack, self.base,
                                   self.module_path + (decl.name,), call_loc)
            child.condition = self._condition(decl)
            out.append((key, child))
        return out

    def output(self, name: str) -> Any:
        entry = self.config.outputs.get(name)
        if entry is None:
            return Unknown(f"no output {name}")
        return self._named("output", name, *entry)

    # --- the plan --------------------------------------------------------------------------

    def resources(self) -> list[SourceResource]:
        """Every managed resource instance of this module and its children, evaluated. A block
        whose evaluation passes a bound (see ``budget``) is reported and left out; the rest goes on."""
        out: list[SourceResource] = []
        for decl in self.config.resources.values():
            if self.ctx.exhausted:
                return out
            try:
                keys = self.instance_keys(decl) or []
                if not self.ctx.count_instances(len(keys), decl.file, decl.block.line):
                    continue
                # Past a bound, the block's other instances would pass it the same way: not tried.
                for key, env in keys:
                    res = self._evaluate(decl, key, env)
                    res.condition = self._condition(decl)
                    out.append(res)
            except EvaluationLimit as err:
                self.ctx.limit(err, decl.file, decl.block.line)
            except RecursionError:
                self.ctx.warn(decl.file, decl.block.line, "expression nesting too deep; resource not analysed",
                              "error")
        for decl in self.config.providers:
            try:
                out.append(self._provider(decl))
            except EvaluationLimit as err:
                self.ctx.limit(err, decl.file, decl.block.line)
        out.extend(self._data_with_credentials())
        for decl in self.config.modules.values():
            try:
                children = self.child_instances(decl) or []
            except EvaluationLimit as err:
                self.ctx.limit(err, decl.file, decl.block.line)
                continue
            for _key, child in children:
                out.extend(child.resources())
        return out

    def _data_with_credentials(self) -> list[SourceResource]:
        """Data sources whose arguments name a credential, evaluated for the secret scan only
        (see ``secret_data``); each instance typed ``data.<type>``."""
        out: list[SourceResource] = []
        for decl in self.config.data.values():
            if decl.type in RENDERED_DATA or not names_a_credential(decl.block.body):
                continue
            try:
                keys = self.instance_keys(decl) or []
                if not self.ctx.count_instances(len(keys), decl.file, decl.block.line):
                    continue
                for key, env in keys:
                    res = self._evaluate(decl, key, env)
                    res.type = DATA_TYPE_PREFIX + decl.type
                    out.append(res)
            except EvaluationLimit as err:
                self.ctx.limit(err, decl.file, decl.block.line)
        return out

    def _provider(self, decl: Declared) -> SourceResource:
        """A provider configuration as a resource of type ``provider`` (``provider.aws.west``)."""
        alias = scalar(self._eval(decl.file, decl.meta("alias").expr)) if decl.meta("alias") else None
        address = f"{self.prefix}provider.{decl.type}" + (f".{alias}" if isinstance(alias, str) else "")
        res = SourceResource(address, "provider", decl.loc, {}, {}, "terraform", call_loc=self.call_loc)
        for name, attr in decl.block.body.attributes.items():
            res.body[name] = finalize(self._eval(attr.file or decl.file, attr.expr))
            res.locs[(name,)] = Location(attr.file or decl.file, attr.line, attr.end_line)
        self._blocks(decl, decl.block.body, {}, res.body, res, (), 0)
        return res

    def _evaluate(self, decl: Declared, key: InstanceKey, env: dict[str, Any]) -> SourceResource:
        address = address_of(self.prefix, decl, key)
        res = SourceResource(address, decl.type, decl.loc, {}, {}, "terraform", call_loc=self.call_loc)
        for name, attr in decl.block.body.attributes.items():
            if name in META_ARGUMENTS:
                continue
            value = self.configured(decl, key, env, name)
            res.body[name] = finalize(value)
            res.locs[(name,)] = Location(attr.file or decl.file, attr.line, attr.end_line)
            jsonencode_locs(attr.expr, attr.file or decl.file, (name,), res.locs)
            found = self.attribute_origins(decl, key, name)
            if found:
                res.origins[(name,)] = found
        self._blocks(decl, decl.block.body, env, res.body, res, (), 0)
        return res

    def _blocks(self, decl: Declared, body: hcl.Body, env: dict[str, Any], out: dict[str, Any],
                res: SourceResource, path: tuple, depth: int) -> None:
        if depth > 32:
            self.ctx.warn(decl.file, decl.block.line, "nested blocks too deep; inner blocks not analysed")
            return
        for block in body.blocks:
            if block.type in SKIPPED_BLOCKS:
                continue
            if block.type == "dynamic" and block.labels:
                self._dynamic(decl, block, env, out, res, path, depth)
                continue
            items = out.setdefault(block.type, [])
            if not isinstance(items, list):
                continue
            self._block_item(decl, block.body, block, env, items, res, path + (block.type,), depth)

    def _block_item(self, decl: Declared, body: hcl.Body, block: hcl.Block, env: dict[str, Any],
                    items: list, res: SourceResource, path: tuple, depth: int) -> None:
        locs = res.locs
        if len(locs) > MAX_BLOCK_PARTS:
            # dynamic blocks nested in dynamic blocks multiply: a thousand of a thousand of ...
            raise EvaluationLimit(f"more than {MAX_BLOCK_PARTS} nested blocks and arguments in one resource",
                                  block.line, decl.file)
        i = len(items)
        item: dict[str, Any] = {}
        items.append(item)
        here = path + (i,)
        locs[here] = Location(block.file or decl.file, block.line, block.end_line)
        for name, attr in body.attributes.items():
            value, found = self._traced(attr.file or decl.file, attr.expr, env)
            item[name] = finalize(value)
            locs[here + (name,)] = Location(attr.file or decl.file, attr.line, attr.end_line)
            if found:
                res.origins[here + (name,)] = found
        self._blocks(decl, body, env, item, res, here, depth + 1)

    def _dynamic(self, decl: Declared, block: hcl.Block, env: dict[str, Any], out: dict[str, Any],
                 res: SourceResource, path: tuple, depth: int) -> None:
        name = block.labels[0]
        attrs = block.body.attributes
        content = next((b for b in block.body.blocks if b.type == "content"), None)
        if content is None or "for_each" not in attrs:
            return
        iterator = name
        if "iterator" in attrs:
            it = attrs["iterator"].expr
            iterator = getattr(it, "name", name)
        coll, found = self._traced(decl.file, attrs["for_each"].expr, env)
        coll = scalar(coll)
        items = out.setdefault(name, [])
        if not isinstance(items, list):
            return
        if isinstance(coll, Unknown) or coll is None:
            # Unknown number of blocks: keep one whose values are unknown, so nothing is
            # reported as definitely present or absent from it.
            pairs: list[tuple[Any, Any]] = [(UNKNOWN, UNKNOWN)] if isinstance(coll, Unknown) else []
        elif isinstance(coll, dict):
            pairs = sorted(coll.items())
        elif isinstance(coll, list):
            pairs = list(enumerate(coll))
        else:
            pairs = []
        for k, v in pairs[:MAX_INSTANCES]:
            inner = dict(env)
            inner[iterator] = {"key": k, "value": v}
            if found:
                inner[ENV_ORIGINS] = {**env.get(ENV_ORIGINS, {}), iterator: found}
            self._block_item(decl, content.body, block, inner, items, res, path + (name,), depth)


def _attr_key(decl: Declared, key: InstanceKey, attr: str) -> tuple:
    return ("attr", address_of("", decl, None), key, attr)


def finalize(value: Any, depth: int = 0) -> Any:
    """Values as handed to normalizers: objects standing for resources become references. A value
    with more than MAX_VALUE_ELEMENTS elements (shared parts counted each time) is refused."""
    if depth == 0:
        if isinstance(value, (list, dict)):
            budget.measure(value, "attribute value", MAX_VALUE_ELEMENTS)
        budget.value_size(value)
    if depth > 64:
        return Unknown("nesting too deep")
    if isinstance(value, ResourceObject):
        return Ref(value.address)
    if isinstance(value, LazyObject):
        return Unknown()
    if isinstance(value, list):
        return [finalize(v, depth + 1) for v in value]
    if isinstance(value, dict):
        return {k: finalize(v, depth + 1) for k, v in value.items()}
    return value
