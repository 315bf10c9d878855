"""Values of a root module's input variables, from every place Terraform takes them.

Precedence, lowest first, as ``terraform plan`` applies it: the variable's default; ``TF_VAR_name``
environment variables; ``terraform.tfvars``; ``terraform.tfvars.json``; ``*.auto.tfvars`` and
``*.auto.tfvars.json`` in lexical order; then ``--var-file`` files and ``--var`` assignments in
the order given (all files, then all assignments). A variable given nowhere, without a default,
stays unknown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from iac_assist.inputs.confine import CATEGORY as OUTSIDE_ROOT
from iac_assist.inputs.confine import Outside, confine
from iac_assist.model import Origin, ScanError, Unknown, shown
from iac_assist.parsers.terraform import hcl, parsed
from iac_assist.parsers.terraform.budget import EvaluationLimit
from iac_assist.parsers.terraform.config import ModuleConfig
from iac_assist.parsers.terraform.given import VariableInputs as VariableInputs
from iac_assist.parsers.terraform.given import parse_assignment as parse_assignment

ENV_PREFIX = "TF_VAR_"
PRIMITIVE_TYPES = ("", "string", "number", "bool")
"""Type constraints whose command-line and environment values are taken as raw strings;
values for any other type are parsed as HCL expressions, as Terraform does."""


Read = Callable[[Path, str, list], "str | None"]


@dataclass(frozen=True)
class Given:
    """Where a root variable's value was given: a file's line, or ``said`` how it was given outside
    the repository's files (``--var``, ``TF_VAR_name``)."""

    file: str
    line: int
    said: str = ""

    def origin(self, name: str, value: Any) -> Origin:
        """The origin of ``value`` (as the variable's type made it) given for variable ``name``."""
        sets = f"sets {name} = {shown(value)}"
        return Origin("", 0, f"{self.said} {sets}") if self.said else Origin(self.file, self.line, sets)


@dataclass
class RootValues:
    """The values assigned to a root module's variables, where each came from, and the problems."""

    values: dict[str, Any] = field(default_factory=dict)
    origins: dict[str, Given] = field(default_factory=dict)
    """Per variable, the assignment that won: a file's line, or ``--var`` and kin (no file)."""
    errors: list[ScanError] = field(default_factory=list)


def root_values(config: ModuleConfig, root: Path, inputs: VariableInputs, read: Read) -> RootValues:
    """The assigned values of ``config``'s variables (defaults left to the module), where each
    came from, and errors."""
    out = RootValues()
    values, errors = out.values, out.errors
    declared = config.variables

    def assign(name: str, value: Any, file: str, line: int, raw: bool = False, said: str = "") -> None:
        """``said``: how a value given outside the repository's files was given (``--var``)."""
        if name not in declared:
            errors.append(ScanError(file, line, f"value for undeclared variable {name!r} ignored", level="warning"))
            return
        if raw:
            value = _raw_value(value, declared[name].type, file, line, errors)
        values[name] = value
        out.origins[name] = Given(file, line, said)

    for key, raw in sorted(inputs.environ.items()):
        if key.startswith(ENV_PREFIX) and key[len(ENV_PREFIX):] in declared:
            # Unlike files, Terraform ignores environment values for undeclared variables silently.
            assign(key[len(ENV_PREFIX):], raw, f"${key}", 0, raw=True, said=key)

    auto = [config.path / "terraform.tfvars", config.path / "terraform.tfvars.json"]
    auto += sorted(p for p in config.path.iterdir() if p.name.endswith((".auto.tfvars", ".auto.tfvars.json")))
    for path in auto:
        if not path.is_file() and not path.is_symlink():
            continue
        rel = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
        try:
            # Found beside the root module, so written by the repository: confined like file().
            real = confine(path.name, path.parent, root)
        except Outside as why:
            errors.append(ScanError(rel, 0, f"variables file {path.name} {why}; not read", level="warning",
                                    category=OUTSIDE_ROOT))
            continue
        if real.is_file():
            _load_file(real, rel, read, assign, errors, path.name.endswith(".json"))
    for path in inputs.var_files:
        resolved = path.resolve()
        if resolved.is_relative_to(root):
            _load_file(path, resolved.relative_to(root).as_posix(), read, assign, errors)
        else:
            # Outside the scanned tree: no place a report can point at, and no absolute path shown.
            def outside(name: str, value: Any, file: str, line: int, label: str = f"--var-file {path.name}") -> None:
                assign(name, value, file, line, said=label)

            _load_file(path, str(path), read, outside, errors)
    for name, raw in inputs.assignments:
        assign(name, raw, f"--var {name}", 0, raw=True, said="--var")
    return out


def _load_file(path: Path, label: str, read: Read, assign: Callable, errors: list, json: bool | None = None) -> None:
    """Assign the values of the variables file at ``path`` (JSON syntax when ``json``, by default
    when its name ends in ``.json``); problems become errors naming ``label``."""
    text = read(path, label, errors)
    if text is None:
        return
    if json if json is not None else path.name.endswith(".json"):
        from iac_assist.inputs.jsonpos import JsonError, loads

        try:
            data, lines = loads(text[1:] if text.startswith("\ufeff") else text)
        except JsonError as err:
            errors.append(ScanError(label, err.line, err.message, err.column))
            return
        if not isinstance(data, dict):
            errors.append(ScanError(label, 1, "a .tfvars.json file must hold a JSON object"))
            return
        for name, value in data.items():
            assign(name, value, label, lines.get((name,), 1))
        return
    try:
        body = parsed.parse_hcl(text)
    except hcl.HclError as err:
        errors.append(ScanError(label, err.line, err.message, err.column))
        return
    for block in body.blocks:
        errors.append(ScanError(label, block.line, f"a variables file holds assignments only, not a {block.type} "
                                "block", level="warning"))
    evaluator = _literal_evaluator()
    for name, attr in body.attributes.items():
        try:
            value = evaluator.eval(attr.expr)
        except EvaluationLimit as err:
            errors.append(ScanError(label, err.line or attr.line, err.message))
            value = Unknown(f"variable {name} is not evaluated")
        assign(name, value, label, attr.line)


def _raw_value(raw: Any, type_name: str, file: str, line: int, errors: list) -> Any:
    if not isinstance(raw, str) or type_name in PRIMITIVE_TYPES:
        return raw
    try:
        expr = hcl.parse_expression(raw, line)
    except hcl.HclError as err:
        errors.append(ScanError(file, line, f"not a valid value for a {type_name}: {err.message}"))
        return Unknown(f"invalid value in {file}")
    try:
        return _literal_evaluator().eval(expr)
    except EvaluationLimit as err:
        errors.append(ScanError(file, line, err.message))
        return Unknown(f"value in {file} not evaluated")


def _literal_evaluator() -> Any:
    from iac_assist.parsers.terraform.evaluator import Evaluator

    # Variable files hold values only: a reference has nothing to refer to.
    return Evaluator(lambda name: Unknown(f"{name} cannot be referred to in a variables file"))
