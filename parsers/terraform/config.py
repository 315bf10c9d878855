"""A Terraform module folder as declared: variables, locals, resources, module calls, outputs.

Every ``.tf`` file of the folder is parsed (a folder is a module); nothing is evaluated here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from iac_assist.gcpause import paused
from iac_assist.model import Location, ScanError
from iac_assist.parsers.terraform import hcl, parsed
from iac_assist.parsers.terraform.expressions import Expr, Literal
from iac_assist.parsers.terraform.gaps import unknown_functions

META_ARGUMENTS = {"count", "for_each", "depends_on", "provider", "lifecycle", "providers", "source", "version"}


@dataclass
class Declared:
    """A resource, data source or module call block."""

    kind: str
    """``resource``, ``data``, ``module`` or ``provider``."""
    type: str
    """Resource type; for a module call, empty."""
    name: str
    block: hcl.Block
    file: str

    @property
    def loc(self) -> Location:
        return Location(self.file, self.block.line, self.block.end_line)

    def meta(self, name: str) -> hcl.Attribute | None:
        return self.block.body.attributes.get(name)


@dataclass
class VariableDecl:
    name: str
    default: Expr | None
    type: str
    """The type constraint's name (``string``, ``list``, ``object``), empty when none."""
    file: str
    line: int
    type_expr: Expr | None = None
    """The whole type constraint (``object({max = optional(number, 4)})``)."""
    nullable: bool = True
    """``nullable = false``: a null given for the variable means its default."""


@dataclass
class ModuleConfig:
    path: Path
    """Absolute folder."""
    rel: str
    """Folder relative to the scan root (POSIX; ``.`` for the root itself)."""
    files: list[str] = field(default_factory=list)
    variables: dict[str, VariableDecl] = field(default_factory=dict)
    locals: dict[str, tuple[hcl.Attribute, str]] = field(default_factory=dict)
    resources: dict[tuple[str, str], Declared] = field(default_factory=dict)
    data: dict[tuple[str, str], Declared] = field(default_factory=dict)
    modules: dict[str, Declared] = field(default_factory=dict)
    providers: list[Declared] = field(default_factory=list)
    """Provider configurations (``type`` is the provider's name): credentials can be written there."""
    outputs: dict[str, tuple[hcl.Attribute, str]] = field(default_factory=dict)
    errors: list[ScanError] = field(default_factory=list)

    def local_sources(self) -> list[tuple[Declared, str]]:
        """Module calls whose source is a local path, with that path."""
        out = []
        for call in self.modules.values():
            source = call.meta("source")
            value = source.expr.value if source is not None and isinstance(source.expr, Literal) else None
            if isinstance(value, str) and value.startswith(("./", "../")):
                out.append((call, value))
        return out


def load_module(folder: Path, root: Path, files: list[Path], read: callable) -> ModuleConfig:
    """Parse ``files`` (the folder's ``.tf`` files) into a ModuleConfig; errors are collected.
    Override files are merged into the blocks they override, as Terraform does (see
    ``overrides.py``)."""
    # Parsing makes a folder's syntax trees and blocks, which hold no reference cycle: the
    # collector, at each threshold, only walked them again (a tenth of a worker's parsing time
    # on the corpus); they are walked once, after.
    with paused():
        return _load_module(folder, root, files, read)


def _load_module(folder: Path, root: Path, files: list[Path], read: callable) -> ModuleConfig:
    from iac_assist.parsers.terraform.overrides import is_override, merge_overrides

    rel_folder = folder.relative_to(root).as_posix() if folder != root else "."
    config = ModuleConfig(folder, rel_folder)
    primary: list[tuple[hcl.Body, str]] = []
    overrides: list[tuple[hcl.Body, str]] = []
    # Override files come after all the others, in lexicographical order of their names.
    for path in sorted(files, key=lambda p: (is_override(p.name), p.name if is_override(p.name) else "", p)):
        rel = path.relative_to(root).as_posix()
        config.files.append(rel)
        text = read(path, rel, config.errors)
        if text is None:
            continue
        try:
            body = parsed.parse_json(text) if path.name.endswith(".tf.json") else parsed.parse_hcl(text)
        except hcl.HclError as err:
            config.errors.append(ScanError(rel, err.line, err.message, err.column))
            continue
        (overrides if is_override(path.name) else primary).append((body, rel))
    config.files.sort()
    if overrides:
        config.errors.extend(merge_overrides(primary, overrides))
    for body, rel in primary:
        _collect(config, body, rel)
        config.errors.extend(unknown_functions(body, rel))
    return config


def _collect(config: ModuleConfig, body: hcl.Body, rel: str) -> None:
    for block in body.blocks:
        kind, labels = block.type, block.labels
        if kind == "resource" and len(labels) == 2:
            _add(config, config.resources, (labels[0], labels[1]), Declared("resource", *labels, block, rel))
        elif kind == "data" and len(labels) == 2:
            _add(config, config.data, (labels[0], labels[1]), Declared("data", *labels, block, rel))
        elif kind == "module" and len(labels) == 1:
            _add(config, config.modules, labels[0], Declared("module", "", labels[0], block, rel))
        elif kind == "provider" and len(labels) == 1:
            config.providers.append(Declared("provider", labels[0], "", block, rel))
        elif kind == "variable" and len(labels) == 1:
            attrs = block.body.attributes
            default = attrs["default"].expr if "default" in attrs else None
            type_attr = attrs.get("type")
            type_name = _type_name(type_attr.expr) if type_attr else ""
            nullable = attrs.get("nullable")
            config.variables[labels[0]] = VariableDecl(
                labels[0], default, type_name, rel, block.line,
                type_attr.expr if type_attr else None,
                not (nullable is not None and isinstance(nullable.expr, Literal) and nullable.expr.value is False),
            )
        elif kind == "locals":
            for name, attr in block.body.attributes.items():
                config.locals[name] = (attr, attr.file or rel)
        elif kind == "output" and len(labels) == 1 and "value" in block.body.attributes:
            value = block.body.attributes["value"]
            config.outputs[labels[0]] = (value, value.file or rel)


def _add(config: ModuleConfig, table: dict, key: object, decl: Declared) -> None:
    if key in table:
        first = table[key]
        config.errors.append(
            ScanError(decl.file, decl.block.line,
                      f"duplicate {decl.kind} {'.'.join(k for k in (decl.type, decl.name) if k)} "
                      f"(first declared at {first.file}:{first.block.line})", level="warning")
        )
        return
    table[key] = decl


def _type_name(expr: Expr) -> str:
    from iac_assist.parsers.terraform.expressions import Call, Variable

    if isinstance(expr, Variable):
        return expr.name
    if isinstance(expr, Call):
        return expr.name
    return ""
