"""The scan pipeline: discover → parse and evaluate → normalize → graph → policies → result."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from iac_assist.analysis.findings import Finding, merge_instances
from iac_assist.analysis.parallel import Loading
from iac_assist.analysis.policy import Policy
from iac_assist.analysis.result import ScanResult
from iac_assist.inputs.discovery import discover, scan_root
from iac_assist.model import Component, ScanError, kinds
from iac_assist.model.builder import ModelBuilder, Normalizer
from iac_assist.model.graph import ResourceGraph

if TYPE_CHECKING:
    from iac_assist.gate.baseline import Baseline
    from iac_assist.parsers.cloudformation.options import TemplateOptions
    from iac_assist.parsers.terraform.inputs import VariableInputs

ACCOUNT_WIDE = {kinds.S3_ACCOUNT_PAB}
"""Kinds whose settings apply to every resource of the account, whichever file declares them."""


def build_graph(
    paths: list[Path],
    exclude: Iterable[str] = (),
    variables: VariableInputs | None = None,
    template_options: TemplateOptions | None = None,
    root: Path | None = None,
    jobs: int | None = 1,
    max_file_size: int | None = None,
) -> tuple[ResourceGraph, ScanResult]:
    """Parse and normalize everything under ``paths`` into one resource graph. ``variables``:
    Terraform variable values from the command line and environment; ``template_options``:
    CloudFormation parameter values and whether to assume the worst of open conditions;
    ``root``: the folder reported paths are relative to (default: the paths' common folder);
    ``jobs``: worker processes for parsing (1: none; None: one per CPU for a large scan);
    ``max_file_size``: the largest file read, in bytes (None: discovery's defaults)."""
    root = root or scan_root(paths)
    found = discover(paths, root, list(exclude), max_file_size)
    read_text = found.reader()
    result = ScanResult(root=root)
    components: list[Component] = []
    errors: list[ScanError] = list(found.problems)
    files: set[str] = set()

    def collect(builder: ModelBuilder) -> None:
        components.extend(builder.components.values())
        errors.extend(builder.errors)

    # Terraform plans in JSON, recognised by content: a plan supersedes the evaluation of its root
    # module, whose .tf files then only give lines (see parsers/terraform/plan.py).
    if any(p.name.endswith(".json") for p in found.templates):
        from iac_assist.parsers.terraform.plan import load_plans

        # Only a plan the user named, or one matching the .tf files it replaces, is used: any
        # other JSON of the repository could claim to be the plan of a folder and hide its code.
        plans = load_plans([p for p in found.templates if p.name.endswith(".json")], found.terraform, root,
                           read_text, found.named)
        errors.extend(plans.errors)
        files.update(plans.files)
        found.templates = [p for p in found.templates if p not in plans.plans]
        found.terraform = [p for p in found.terraform if p not in plans.superseded]
        for scope, resources in plans.roots:
            from iac_assist.parsers.terraform.normalizer import NORMALIZER as TERRAFORM_PLAN

            builder = ModelBuilder(scope=scope)
            _normalize(TERRAFORM_PLAN, resources, builder, scope)
            collect(builder)

    # Parsing Terraform folders and CloudFormation stacks, in worker processes when worth it
    # (see parallel.py); all that follows runs here, in the same order either way.
    loading = Loading(found, root, read_text, template_options, jobs)
    if found.terraform:
        from iac_assist.parsers.terraform import load_configuration
        from iac_assist.parsers.terraform.normalizer import NORMALIZER as TERRAFORM

        files.update(p.relative_to(root).as_posix() for p in found.terraform)
        try:
            roots, tf_errors = load_configuration(found.terraform, root, read_text, variables, loading.terraform())
        except Exception as err:  # a defect of ours must not switch the gate off silently
            roots, tf_errors = [], [_internal_error(found.terraform[0].relative_to(root).as_posix(), err)]
        errors.extend(tf_errors)
        for scope, resources in roots:
            builder = ModelBuilder(scope=scope)
            _normalize(TERRAFORM, resources, builder, scope)
            collect(builder)
            # Like resources under an open CloudFormation condition: their findings say so, and what
            # they provide proves no control.
            result.conditions.update(((r.loc.file, r.address), (r.condition,)) for r in resources if r.condition)

    if found.templates:
        from iac_assist.parsers.cloudformation import NORMALIZER as CLOUDFORMATION

        stacks, cfn_errors, cfn_files = loading.stacks()
        errors.extend(cfn_errors)
        files.update(cfn_files)
        for stack in stacks:
            result.conditions.update(stack.conditions)
            builder = ModelBuilder(scope=stack.rel)
            _normalize(CLOUDFORMATION, stack.worlds[0], builder, stack.rel)
            collect(builder)
            for world in stack.worlds[1:]:
                alternative = ModelBuilder(scope=stack.rel)
                _normalize(CLOUDFORMATION, world, alternative, stack.rel)
                result.alternatives.setdefault(stack.rel, []).append(list(alternative.components.values()))

    graph = ResourceGraph(components)
    result.files = sorted(files)
    result.excluded = found.excluded
    result.errors = sorted(set(errors), key=lambda e: (e.file, e.line, e.column, e.message))
    result.graph = graph
    return graph, result


def _run(pol: Policy, graph: ResourceGraph, failures: list[ScanError]) -> list[Finding]:
    """A policy's findings; a defect of ours while it judges one resource fails the gate (exit 2)
    naming that resource, without silencing the policy's findings on the others."""
    findings, errors = pol.judge(graph)
    failures.extend(errors)
    return findings


def _across_worlds(
    graph: ResourceGraph, worlds: list[list[Component]], policies: list[Policy], any_world: bool,
    failures: list[ScanError],
) -> set[Finding]:
    """A template's findings over its possible deployments: those that hold in every one in which
    their resource exists (or, assuming the worst, in any). A resource under a condition is judged
    where it is created, not lost because other deployments do not create it. Account-wide
    settings declared elsewhere still apply."""
    account_wide = [c for c in graph.components.values() if c.kind in ACCOUNT_WIDE]
    found: list[dict[tuple, Finding]] = []
    present: list[set[str]] = []
    for components in worlds:
        world = ResourceGraph(components + [c for c in account_wide if c not in components])
        found.append({_world_key(f): f for pol in policies for f in _run(pol, world, failures)})
        present.append({c.address for c in components})
    kept: dict[tuple, Finding] = {}
    for world_findings in found:
        for key, finding in world_findings.items():
            if key in kept:
                continue
            # The worlds that create the resource; a resource in none of them (declared elsewhere)
            # must hold in all.
            where = [i for i, addresses in enumerate(present) if finding.resource in addresses] or range(len(found))
            if any_world or all(key in found[i] for i in where):
                kept[key] = finding
    return set(kept.values())


def _when(findings: set[Finding], conditions: Mapping[tuple[str, str], tuple[str, ...]]) -> set[Finding]:
    """Findings on resources that exist only under an open condition say which."""
    if not conditions:
        return findings
    out = set()
    for finding in findings:
        names = conditions.get((finding.loc.file, finding.resource))
        if names:
            if len(names) == 1:
                note = f" (when condition {names[0]} holds)"
            else:
                note = f" (when conditions {', '.join(names[:-1])} and {names[-1]} hold)"
            finding = replace(finding, message=finding.message + note)
        out.add(finding)
    return out


def _world_key(finding: Finding) -> tuple:
    # Messages may differ between worlds (they quote values); what is found and where may not.
    return (finding.rule_id, finding.resource, finding.loc.file, finding.loc.line, finding.cause)


def _internal_error(rel: str, err: Exception) -> ScanError:
    return ScanError(rel, 1, f"internal error while analysing this file ({type(err).__name__}: {err}); "
                     "please report it", category="internal-error")


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
    template_options: TemplateOptions | None = None,
    root: Path | None = None,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    severity: Mapping[str, str] | None = None,
    inline_suppressions: bool = True,
    baseline: Baseline | None = None,
    new_since: str | None = None,
    today: date | None = None,
    jobs: int | None = 1,
    max_file_size: int | None = None,
) -> ScanResult:
    """Scan ``paths`` and run ``policies`` (all registered ones by default).

    ``select``/``ignore`` keep or drop policies by rule id, control slug or severity, after
    ``severity`` (rule id or slug → severity) has overridden theirs. Findings an inline
    suppression waives are marked (unless ``inline_suppressions`` is false; ``today`` decides
    which have expired); those recorded in ``baseline``, or present at the git revision
    ``new_since``, are left out. Raises ``config.ConfigError`` for a name that is no rule and
    ``baseline.BaselineError`` for a revision that cannot be read. ``jobs``: worker processes
    for parsing (see ``build_graph``); the result is the same whatever their number."""
    from iac_assist.gate.config import select_policies

    if policies is None:
        from iac_assist.policies import all_policies

        policies = all_policies()
    policies = select_policies(policies, select, ignore, severity)
    root = root or scan_root(paths)
    exclude = tuple(exclude)  # used twice with --new-since
    known_then: set[str] | None = None
    if new_since is not None:
        from iac_assist.gate.baseline import known_at

        known_then, then_warnings = known_at(new_since, paths, root, lambda at, tree: _analyse(
            at, exclude, policies, variables, template_options, tree, jobs, max_file_size))
    result = _analyse(paths, exclude, policies, variables, template_options, root, jobs, max_file_size)
    if inline_suppressions:
        from iac_assist.gate.suppressions import apply as apply_suppressions
        from iac_assist.inputs.discovery import read_text

        # Comments are read again, within the same size cap as the scan's.
        apply_suppressions(result, today, lambda path, rel, errors: read_text(path, rel, errors, max_file_size))
    if baseline is not None:
        from iac_assist.gate.baseline import leave_out

        result.baselined += leave_out(result, baseline.known(result.root))
    if known_then is not None:
        from iac_assist.gate.baseline import leave_out

        result.baselined += leave_out(result, known_then)
        result.errors = sorted(set(result.errors) | set(then_warnings),
                               key=lambda e: (e.file, e.line, e.column, e.message))
    return result


def _analyse(
    paths: list[Path],
    exclude: Iterable[str],
    policies: list[Policy],
    variables: VariableInputs | None,
    template_options: TemplateOptions | None,
    root: Path,
    jobs: int | None = 1,
    max_file_size: int | None = None,
) -> ScanResult:
    """Discover, parse, build the graph and run ``policies``: the findings as the code has them."""
    graph, result = build_graph(paths, exclude, variables, template_options, root, jobs, max_file_size)
    findings: set[Finding] = set()
    failures: list[ScanError] = []
    for pol in policies:
        findings.update(_run(pol, graph, failures))
    assume_worst = template_options is not None and template_options.assume_worst
    for rel, worlds in result.alternatives.items():
        # The base resolution's findings of this stack give way to those across its worlds.
        members = {c.address for comps in worlds for c in comps}
        stack_files = {rel} | {c.loc.file for comps in worlds for c in comps}
        findings = {f for f in findings if f.resource not in members or f.loc.file not in stack_files}
        findings |= _across_worlds(graph, worlds, policies, assume_worst, failures)
    findings = _when(findings, result.conditions)
    result.findings = sorted(merge_instances(findings), key=lambda f: f.sort_key())
    result.errors = sorted(set(result.errors) | set(failures), key=lambda e: (e.file, e.line, e.column, e.message))
    result.policies = list(policies)
    return result
