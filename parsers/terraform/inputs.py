"""Values of a root module's input variables, from every place Terraform takes them.

Precedence, lowest first, as ``terraform plan`` applies it: the variable's default; ``TF_VAR_name``
environment variables; ``terraform.tfvars``; ``terraform.tfvars.json``; ``*.auto.tfvars`` and
``*.auto.tfvars.json`` in lexical order; then ``--var-file`` files and ``--var`` assignments in
the order given (all files, then all assignments). A variable given nowhere, without a default,
stays unknown.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from iac_assist.inputs.confine import CATEGORY as OUTSIDE_ROOT
from iac_assist.inputs.confine import Outside, confine
from iac_assist.model import ScanError, Unknown
from iac_assist.parsers.terraform import hcl
from iac_assist.parsers.terraform.budget import EvaluationLimit
from iac_assist.parsers.terraform.config import ModuleConfig

ENV_PREFIX = "TF_VAR_"
PRIMITIVE_TYPES = ("", "string", "number", "bool")
"""Type constraints whose command-line and environment values are taken as raw strings;
values for any other type are parsed as HCL expressions, as Terraform does."""


@dataclass(frozen=True)
class VariableInputs:
    """What the user gave on the command line and in the environment."""

    var_files: tuple[Path, ...] = ()
    assignments: tuple[tuple[str, str], ...] = ()
    """``--var NAME=VALUE`` pairs, in order."""
    environ: Mapping[str, str] = field(default_factory=dict)


Read = Callable[[Path, str, list], "str | None"]


def root_values(config: ModuleConfig, root: Path, inputs: VariableInputs, read: Read) -> tuple[dict[str, Any], list]:
    """The assigned values of ``config``'s variables (defaults left to the module) and errors."""
    values: dict[str, Any] = {}
    errors: list[ScanError] = []
    declared = config.variables

    def assign(name: str, value: Any, file: str, line: int, raw: bool = False) -> None:
        if name not in declared:
            errors.append(ScanError(file, line, f"value for undeclared variable {name!r} ignored", level="warning"))
            return
        if raw:
            value = _raw_value(value, declared[name].type, file, line, errors)
        values[name] = value

    for key, raw in sorted(inputs.environ.items()):
        if key.startswith(ENV_PREFIX) and key[len(ENV_PREFIX):] in declared:
            # Unlike files, Terraform ignores environment values for undeclared variables silently.
            assign(key[len(ENV_PREFIX):], raw, f"${key}", 0, raw=True)

    auto = [config.path / "terraform.tfvars", config.path / "terraform.tfvars.json"]
    auto += sorted(p for p in config.path.iterdir() if p.name.endswith((".auto.tfvars", ".auto.tfvars.json")))
    for path in auto:
        if not path.is_file() and not path.is_symlink():
            continue
        shown = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
        try:
            # Found beside the root module, so written by the repository: confined like file().
            real = confine(path.name, path.parent, root)
        except Outside as why:
            errors.append(ScanError(shown, 0, f"variables file {path.name} {why}; not read", level="warning",
                                    category=OUTSIDE_ROOT))
            continue
        if real.is_file():
            _load_file(real, shown, read, assign, errors, path.name.endswith(".json"))
    for path in inputs.var_files:
        resolved = path.resolve()
        shown = resolved.relative_to(root).as_posix() if resolved.is_relative_to(root) else str(path)
        _load_file(path, shown, read, assign, errors)
    for name, raw in inputs.assignments:
        assign(name, raw, f"--var {name}", 0, raw=True)
    return values, errors


def parse_assignment(text: str) -> tuple[str, str]:
    """``NAME=VALUE`` from ``--var``; raises ValueError without ``=`` or a name."""
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise ValueError(f"expected NAME=VALUE, got {text!r}")
    return name.strip(), value


def _load_file(path: Path, shown: str, read: Read, assign: Callable, errors: list, json: bool | None = None) -> None:
    """Assign the values of the variables file at ``path`` (JSON syntax when ``json``, by default
    when its name ends in ``.json``); problems become errors naming ``shown``."""
    text = read(path, shown, errors)
    if text is None:
        return
    if json if json is not None else path.name.endswith(".json"):
        from iac_assist.inputs.jsonpos import JsonError, loads

        try:
            data, lines = loads(text[1:] if text.startswith("\ufeff") else text)
        except JsonError as err:
            errors.append(ScanError(shown, err.line, err.message, err.column))
            return
        if not isinstance(data, dict):
            errors.append(ScanError(shown, 1, "a .tfvars.json file must hold a JSON object"))
            return
        for name, value in data.items():
            assign(name, value, shown, lines.get((name,), 1))
        return
    try:
        body = hcl.parse(text)
    except hcl.HclError as err:
        errors.append(ScanError(shown, err.line, err.message, err.column))
        return
    for block in body.blocks:
        errors.append(ScanError(shown, block.line, f"a variables file holds assignments only, not a {block.type} "
                                "block", level="warning"))
    evaluator = _literal_evaluator()
    for name, attr in body.attributes.items():
        try:
            value = evaluator.eval(attr.expr)
        except EvaluationLimit as err:
            errors.append(ScanError(shown, err.line or attr.line, err.message))
            value = Unknown(f"variable {name} is not evaluated")
        assign(name, value, shown, attr.line)


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
