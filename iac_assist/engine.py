"""The scan pipeline: discover → parse and evaluate → normalize → graph → policies → result."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from iac_assist.discovery import discover, read_text, scan_root
from iac_assist.findings import merge_instances
from iac_assist.graph import ResourceGraph
from iac_assist.model import Component, ScanError
from iac_assist.normalize import ModelBuilder, Normalizer
from iac_assist.policy import Policy
from iac_assist.result import ScanResult

if TYPE_CHECKING:
    from iac_assist.parsers.terraform.inputs import VariableInputs


def build_graph(
    paths: list[Path], exclude: Iterable[str] = (), variables: VariableInputs | None = None
) -> tuple[ResourceGraph, ScanResult]:
    """Parse and normalize everything under ``paths`` into one resource graph. ``variables``:
    Terraform variable values from the command line and environment."""
    root = scan_root(paths)
    found = discover(paths, root, list(exclude))
    result = ScanResult(root=root)
    components: list[Component] = []
    errors: list[ScanError] = []
    files: set[str] = set()

    def collect(builder: ModelBuilder) -> None:
        components.extend(builder.components.values())
        errors.extend(builder.errors)

    if found.terraform:
        from iac_assist.parsers.terraform import load_configuration
        from iac_assist.parsers.terraform.normalizer import NORMALIZER as TERRAFORM

        files.update(p.relative_to(root).as_posix() for p in found.terraform)
        try:
            roots, tf_errors = load_configuration(found.terraform, root, read_text, variables)
        except Exception as err:  # a defect of ours must not switch the gate off silently
            roots, tf_errors = [], [_internal_error(found.terraform[0].relative_to(root).as_posix(), err)]
        errors.extend(tf_errors)
        for scope, resources in roots:
            builder = ModelBuilder(scope=scope)
            _normalize(TERRAFORM, resources, builder, scope)
            collect(builder)

    for path in found.templates:
        rel = path.relative_to(root).as_posix()
        text = read_text(path, rel, errors)
        if text is None:
            continue
        from iac_assist.parsers.cloudformation import looks_like_template

        if not looks_like_template(text):
            continue
        from iac_assist.parsers.cloudformation import NORMALIZER as CLOUDFORMATION
        from iac_assist.parsers.cloudformation import load_template

        files.add(rel)
        try:
            resources, cfn_errors = load_template(path, root)
        except Exception as err:  # a defect of ours must not switch the gate off silently
            resources, cfn_errors = [], [_internal_error(rel, err)]
        errors.extend(cfn_errors)
        builder = ModelBuilder(scope=rel)
        _normalize(CLOUDFORMATION, resources, builder, rel)
        collect(builder)

    graph = ResourceGraph(components)
    result.files = sorted(files)
    result.errors = sorted(set(errors), key=lambda e: (e.file, e.line, e.column, e.message))
    result.graph = graph
    return graph, result


def _internal_error(rel: str, err: Exception) -> ScanError:
    return ScanError(rel, 0, f"internal error while analysing this file ({type(err).__name__}: {err}); "
                     "please report it")


def _normalize(normalizer: Normalizer, resources: list, builder: ModelBuilder, scope: str) -> None:
    try:
        normalizer.run(resources, builder)
    except Exception as err:  # keep what was normalized; the error fails the gate
        builder.errors.append(_internal_error(scope, err))


def scan(
    paths: list[Path],
    *,
    exclude: Iterable[str] = (),
    policies: list[Policy] | None = None,
    variables: VariableInputs | None = None,
) -> ScanResult:
    """Scan ``paths`` and run ``policies`` (all registered ones by default)."""
    if policies is None:
        from iac_assist.policies import all_policies

        policies = all_policies()
    graph, result = build_graph(paths, exclude, variables)
    findings = set()
    for pol in policies:
        findings.update(pol.run(graph))
    result.findings = sorted(merge_instances(findings), key=lambda f: f.sort_key())
    result.policies = list(policies)
    return result
