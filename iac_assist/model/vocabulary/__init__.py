"""The model's vocabulary, declared: every component kind and the facts it carries.

This is the contract between the front ends (which set facts) and the policies and the threat
model (which read them). Each service declares its kinds in a module of this package
(``vocabulary/rds.py``), together with the tables that say where each input format writes each
fact (see ``iac_assist.model.mapping``). ``docs/vocabulary.md`` is generated from the declarations
(``iac-assist vocabulary --output docs/vocabulary.md``), and the tests hold the code to them:
with strict checking on (``IAC_ASSIST_STRICT_VOCABULARY=1``, set by the test suite), setting or
reading a fact a kind does not declare raises.

Conventions for every kind: a fact the source leaves unset is absent; a value that cannot be known
statically is ``Unknown``; a reference to another resource is a ``Ref``. Booleans are Python
bools, ports ints, protocols upper-case strings, CIDRs strings.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib import import_module
from types import ModuleType
from typing import TYPE_CHECKING, Any

from iac_assist import model

if TYPE_CHECKING:
    from iac_assist.model.mapping import Table


@dataclass(frozen=True)
class FactSpec:
    """One fact of a kind: its name, its type (as the policies see it), what it means and what an
    unset fact stands for."""

    name: str
    type: str
    meaning: str
    default: str = ""
    """What an absent fact means (usually the AWS default); empty when absence needs no words."""


@dataclass(frozen=True)
class KindSpec:
    name: str
    meaning: str
    facts: dict[str, FactSpec]
    service: str


def fact(name: str, type: str, meaning: str, default: str = "") -> FactSpec:
    return FactSpec(name, type, " ".join(meaning.split()), " ".join(default.split()))


VOCABULARY: dict[str, KindSpec] = {}
"""Every declared kind by name, in declaration order."""


def kind(name: str, meaning: str, *facts: FactSpec | tuple[FactSpec, ...], service: str = "") -> str:
    """Declare a kind; its name is returned, so ``RDS_INSTANCE = kind("rds.instance", ...)`` is
    the constant the code uses. Facts may be given one by one or as shared tuples."""
    flat: list[FactSpec] = []
    for item in facts:
        flat.extend(item if isinstance(item, tuple) else (item,))
    table = {f.name: f for f in flat}
    if name in VOCABULARY or len(table) != len(flat):
        raise ValueError(f"kind {name} declared twice, or with a fact declared twice")
    VOCABULARY[name] = KindSpec(name, " ".join(meaning.split()), table, service or name.split(".")[0])
    return name


ANY_KIND: dict[str, FactSpec] = {
    f.name: f
    for f in (
        fact("credentials", "list[Fact[dict]]",
             """literal secrets in the resource's evaluated body (set for every resource, see
             iac_assist/model/credentials.py): each {"attribute": path such as "master_password" or
             "Environment.Variables.DB_PASSWORD", "masked": the first characters + "****"}; the
             clear value is never kept""", "there is none"),
        fact("data_classification", "str",
             """what the resource holds, from its tags (a key such as data-classification,
             DataClassification, data_classification): public | internal | confidential |
             restricted, lower case (see iac_assist/model/data_classification.py)""",
             "not tagged so"),
    )
}
"""Facts any kind may carry."""

SERVICES = (
    "s3", "cdn", "lb", "rds", "ec2", "vpc", "iam", "search", "lambda_functions", "dynamodb",
    "elasticache", "eks", "ecs", "apigateway", "cloudtrail", "account", "kms", "messaging", "streaming",
    "redshift", "secretsmanager", "ecr", "efs", "glacier", "resource_policy", "other",
)
"""The service modules of this package, in the order the documentation lists them."""


def services() -> list[ModuleType]:
    """Every service module (importing one declares its kinds)."""
    found = []
    for name in SERVICES:
        try:
            found.append(import_module(f"{__name__}.{name}"))
        except ModuleNotFoundError as err:
            if err.name != f"{__name__}.{name}":
                raise
    return found


def tables(front_end: str) -> list[Table]:
    """The mapping tables of every service for ``front_end`` (``terraform``, ``cloudformation``):
    source type(s) → ``mapping.Mapping``. A front end outside this package brings its own."""
    return [module.TABLES[front_end] for module in services() if front_end in getattr(module, "TABLES", {})]


def declares(kind_name: str, fact_name: str) -> bool:
    spec = VOCABULARY.get(kind_name)
    return fact_name in ANY_KIND or (spec is not None and fact_name in spec.facts)


def facts_of(kind_name: str) -> dict[str, FactSpec]:
    spec = VOCABULARY.get(kind_name)
    return {**(spec.facts if spec else {}), **ANY_KIND}


TITLES = {"terraform": "Terraform", "cloudformation": "CloudFormation"}


def _check(kind_name: str, fact_name: str) -> None:
    if kind_name in VOCABULARY and not declares(kind_name, fact_name):
        raise KeyError(f"fact {fact_name!r} is not declared for kind {kind_name!r} (iac_assist/model/vocabulary/)")


def strict(on: bool = True) -> None:
    """Make setting or reading an undeclared fact raise (the tests run so)."""
    services()
    model.VOCABULARY_CHECK = _check if on else None


if os.environ.get("IAC_ASSIST_STRICT_VOCABULARY") == "1":
    strict()


def markdown() -> str:
    """The vocabulary as a Markdown document (``docs/vocabulary.md``)."""
    services()
    out = [
        "# The model's vocabulary",
        "",
        "Generated from `iac_assist/model/vocabulary/` by `iac-assist vocabulary`; do not edit.",
        "",
        "Policies and the threat model read these facts whatever the input format. A fact the source",
        "leaves unset is absent (the *unset* column says what that means); a value that cannot be",
        "known before deployment is `Unknown`; a reference to another resource is a `Ref`.",
        "",
    ]
    for spec in _in_service_order():
        written = _written(spec.name)
        out += [f"## `{spec.name}`", "", spec.meaning, ""]
        for front_end, types in sorted(_types(spec.name).items()):
            out += [f"{TITLES.get(front_end, front_end)}: " + ", ".join(f"`{t}`" for t in types) + ".", ""]
        out += ["| Fact | Type | Meaning | Unset | Written as |", "|---|---|---|---|---|"]
        for f in spec.facts.values():
            where = "<br>".join(f"{TITLES.get(fe, fe)}: `{_cell(path)}`" for fe, path in written.get(f.name, ()))
            out.append(f"| `{f.name}` | `{_cell(f.type)}` | {_cell(f.meaning)} | {_cell(f.default)} | {where} |")
        out.append("")
    out += ["## Any kind", "", "| Fact | Type | Meaning | Unset |", "|---|---|---|---|"]
    for f in ANY_KIND.values():
        out.append(f"| `{f.name}` | `{_cell(f.type)}` | {_cell(f.meaning)} | {_cell(f.default)} |")
    return "\n".join(out) + "\n"


def _in_service_order() -> list[KindSpec]:
    """Every kind, service by service as ``SERVICES`` lists them (import order varies: whoever
    imports ``kinds`` first declares its services first), in declaration order within one."""
    rank = {name: n for n, name in enumerate(SERVICES)}
    return sorted(VOCABULARY.values(), key=lambda spec: rank.get(spec.service, len(rank)))


def _mappings() -> list[tuple[str, str, Any]]:
    from iac_assist.model.mapping import by_type

    found = []
    for module in services():
        for front_end, table in getattr(module, "TABLES", {}).items():
            found += [(front_end, source_type, m) for source_type, m in by_type(table).items()]
    return found


def _types(kind_name: str) -> dict[str, list[str]]:
    """Source types whose components are of ``kind_name``, by front end (from the tables)."""
    out: dict[str, list[str]] = {}
    for front_end, source_type, m in _mappings():
        if m.kind == kind_name:
            out.setdefault(front_end, []).append(source_type)
    return out


def _written(kind_name: str) -> dict[str, list[tuple[str, str]]]:
    """For each fact, the distinct (front end, attribute or property) it is read from."""
    out: dict[str, list[tuple[str, str]]] = {}
    for front_end, _type, m in _mappings():
        if m.kind != kind_name:
            continue
        for name, source in m.sources().items():
            entry = (front_end, source.describe())
            if entry not in out.setdefault(name, []):
                out[name].append(entry)
    return out


def _cell(text: str) -> str:
    return text.replace("|", "\\|")
