"""The scan pipeline: discover → parse and evaluate → normalize → graph → policies → result."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from iac_assist.analysis.findings import Finding, merge_instances
from iac_assist.analysis.frontend import FrontEnd, Loaded, Preparation, Read, ScanInputs, Scope, internal_error
from iac_assist.analysis.frontends import check_options, front_ends
from iac_assist.analysis.parallel import Loading
from iac_assist.analysis.policy import Policy
from iac_assist.analysis.result import ScanResult, digest
from iac_assist.inputs.discovery import discover, scan_root
from iac_assist.model import Component, ScanError, kinds
from iac_assist.model.builder import ModelBuilder, Normalizer
from iac_assist.model.graph import ResourceGraph

if TYPE_CHECKING:
    from iac_assist.gate.baseline import Baseline
    from iac_assist.inputs.discovery import Discovered

ACCOUNT_WIDE = {kinds.S3_ACCOUNT_PAB}
"""Kinds whose settings apply to every resource of the account, whichever file declares them."""


def build_graph(
    paths: list[Path],
    exclude: Iterable[str] = (),
    root: Path | None = None,
    jobs: int | None = 1,
    max_file_size: int | None = None,
    **options: object,
) -> tuple[ResourceGraph, ScanResult]:
    """Parse and normalize everything under ``paths`` into one resource graph, with every
    registered front end (see ``frontends.py``). ``root``: the folder reported paths are relative
    to (default: the paths' common folder); ``jobs``: worker processes for parsing (1: none; None:
    one per CPU for a large scan); ``max_file_size``: the largest file read, in bytes (None:
    discovery's defaults); ``options``: each front end's own, by its ``option`` keyword
    (``variables=`` Terraform variable values, ``template_options=`` CloudFormation parameters)."""
    check_options(options)
    root = root or scan_root(paths)
    found = discover(paths, root, list(exclude), max_file_size)
    result = ScanResult(root=root)
    read_text = _Digesting(found.reader(), result.digests)
    components: list[Component] = []
    errors: list[ScanError] = list(found.problems)
    files: set[str] = set()

    prepared = _prepare(found, ScanInputs(root, read_text, frozenset(found.named)), options, errors)
    # Loading, in worker processes when worth it (see parallel.py); all that follows runs here,
    # in the same order either way.
    loading = Loading([p for _, p in prepared], (read_text, *options.values()), jobs)
    try:
        for end, preparation in prepared:
            try:
                loaded = preparation.finish(loading.delivered(preparation))
            except Exception as err:  # a defect of ours must not switch the gate off silently
                loaded = Loaded(errors=[internal_error(_first(preparation.claimed, root), err)])
            errors.extend(loaded.errors)
            files.update(loaded.files)
            result.conditions.update(loaded.conditions)
            for scope in loaded.scopes:
                components.extend(_model(end.normalizer, scope, result, errors))
    finally:
        loading.close()

    graph = ResourceGraph(components)
    result.files = sorted(files)
    result.excluded = found.excluded
    result.errors = sorted(set(errors), key=lambda e: (e.file, e.line, e.column, e.message))
    result.graph = graph
    return graph, result


class _Digesting:
    """The scan's reader, noting a digest of each text it gives (``ScanResult.digests``): a fix
    is refused for a file changed since. Texts read in worker processes are not noted (their copy
    of the dict stays there): ``iac-assist fix`` scans without workers."""

    def __init__(self, read: Read, digests: dict[str, str]) -> None:
        self.read = read
        self.digests = digests

    def __call__(self, path: Path, rel: str, errors: list) -> str | None:
        text = self.read(path, rel, errors)
        if text is not None:
            self.digests[rel] = digest(text)
        return text


def _prepare(found: Discovered, inputs: ScanInputs, options: Mapping[str, object],
             errors: list[ScanError]) -> list[tuple[FrontEnd, Preparation]]:
    """Each front end, in registry order, takes its files among those the ones before it left."""
    offered = found.by_kind()
    claimed: set[Path] = set()
    prepared: list[tuple[FrontEnd, Preparation]] = []
    for end in front_ends():
        mine = {kind: [p for p in offered.get(kind, ()) if p not in claimed] for kind in end.takes}
        if not any(mine.values()):
            continue
        try:
            preparation = end.prepare(mine, inputs, options.get(end.option) if end.option else None)
        except Exception as err:  # a defect of ours must not switch the gate off silently
            errors.append(internal_error(_first([p for paths in mine.values() for p in paths], inputs.root), err))
            continue
        claimed |= preparation.claimed
        prepared.append((end, preparation))
    return prepared


def _model(normalizer: Normalizer, scope: Scope, result: ScanResult, errors: list[ScanError]) -> list[Component]:
    """A scope's components; those of its alternative deployments go to ``result.alternatives``."""
    builder = ModelBuilder(scope=scope.name)
    _normalize(normalizer, scope.resources, builder, scope.name)
    errors.extend(builder.errors)
    for world in scope.alternatives:
        alternative = ModelBuilder(scope=scope.name)
        _normalize(normalizer, world, alternative, scope.name)
        result.alternatives.setdefault(scope.name, []).append(list(alternative.components.values()))
    if scope.alternatives and scope.assume_worst:
        result.assume_worst.add(scope.name)
    return list(builder.components.values())


def _first(files: Iterable[Path], root: Path) -> str:
    """The file an internal error of a front end is reported on: the first of its files."""
    first = min(files, default=root)
    try:
        return first.relative_to(root).as_posix()
    except ValueError:
        return first.as_posix()


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
    """A scope's findings over its possible deployments: those that hold in every one in which
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


def _normalize(normalizer: Normalizer, resources: list, builder: ModelBuilder, scope: str) -> None:
    try:
        normalizer.run(resources, builder)
    except Exception as err:  # keep what was normalized; the error fails the gate
        builder.errors.append(internal_error(scope, err))


def scan(
    paths: list[Path],
    *,
    exclude: Iterable[str] = (),
    policies: list[Policy] | None = None,
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
    **options: object,
) -> ScanResult:
    """Scan ``paths`` and run ``policies`` (all registered ones by default).

    ``select``/``ignore`` keep or drop policies by rule id, control slug or severity, after
    ``severity`` (rule id or slug → severity) has overridden theirs. Findings an inline
    suppression waives are marked (unless ``inline_suppressions`` is false; ``today`` decides
    which have expired); those recorded in ``baseline``, or present at the git revision
    ``new_since``, are left out. Raises ``config.ConfigError`` for a name that is no rule and
    ``baseline.BaselineError`` for a revision that cannot be read. ``jobs``: worker processes
    for parsing (see ``build_graph``); the result is the same whatever their number.
    ``options``: the front ends' own (``variables=``, ``template_options=``: see ``build_graph``)."""
    from iac_assist.gate.config import select_policies

    check_options(options)
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
            at, exclude, policies, tree, jobs, max_file_size, options))
    result = _analyse(paths, exclude, policies, root, jobs, max_file_size, options)
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
    root: Path,
    jobs: int | None,
    max_file_size: int | None,
    options: Mapping[str, object],
) -> ScanResult:
    """Discover, parse, build the graph and run ``policies``: the findings as the code has them."""
    graph, result = build_graph(paths, exclude, root, jobs, max_file_size, **options)
    return _judge(graph, result, policies)


def analyse_loaded(loaded: Loaded, normalizer: Normalizer, root: Path, policies: list[Policy] | None = None
                   ) -> ScanResult:
    """What a scan gives for resources a front end's reader produced outside discovery (a plan's
    prior state: ``parsers/terraform/state.py``): the same model and policies (all registered
    ones by default); no suppressions or baseline."""
    if policies is None:
        from iac_assist.policies import all_policies

        policies = all_policies()
    result = ScanResult(root=root)
    errors = list(loaded.errors)
    components: list[Component] = []
    result.conditions.update(loaded.conditions)
    for scope in loaded.scopes:
        components.extend(_model(normalizer, scope, result, errors))
    graph = ResourceGraph(components)
    result.files = sorted(loaded.files)
    result.errors = sorted(set(errors), key=lambda e: (e.file, e.line, e.column, e.message))
    result.graph = graph
    return _judge(graph, result, policies)


def _judge(graph: ResourceGraph, result: ScanResult, policies: list[Policy]) -> ScanResult:
    """``policies`` run on the graph: the findings, in ``result``."""
    findings: set[Finding] = set()
    failures: list[ScanError] = []
    for pol in policies:
        findings.update(_run(pol, graph, failures))
    for rel, worlds in result.alternatives.items():
        # The base resolution's findings of this scope give way to those across its alternatives.
        members = {c.address for comps in worlds for c in comps}
        scope_files = {rel} | {c.loc.file for comps in worlds for c in comps}
        findings = {f for f in findings if f.resource not in members or f.loc.file not in scope_files}
        findings |= _across_worlds(graph, worlds, policies, rel in result.assume_worst, failures)
    findings = _when(findings, result.conditions)
    result.findings = sorted(merge_instances(findings), key=lambda f: f.sort_key())
    result.errors = sorted(set(result.errors) | set(failures), key=lambda e: (e.file, e.line, e.column, e.message))
    result.policies = list(policies)
    return result
