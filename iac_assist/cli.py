"""The command line: ``iac-assist scan`` and friends.

Exit codes: 0 nothing at or above ``--fail-on``; 1 findings at or above it; 2 a usage error, or
an input that could not be analysed (the gate fails closed on what it did not read).

Only findings that count reach the gate: not waived by an inline suppression, not recorded in
``--baseline``, not present at ``--new-since``. A configuration file that cannot be used (an
unknown key, a name that is no rule), an unreadable baseline or an unknown git revision is a
usage error (2). Warnings (a suppression without a reason, expired or matching nothing) are
reported and do not change the exit code, except that ``--fail-on-unanalysed`` makes warnings
about input not analysed (of the categories it names) fail the gate with 2.

Everything printed that comes from the scanned repository (file names, resource names, values,
a configuration file's keys) goes through ``report.safe_text`` first, on stdout and stderr.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from iac_assist import __version__
from iac_assist.report import FORMATS as REPORT_FORMATS  # names only: each format loads when used

if TYPE_CHECKING:
    from iac_assist.analysis.result import ScanResult
    from iac_assist.gate.baseline import Baseline
    from iac_assist.gate.config import Settings
    from iac_assist.parsers.cloudformation.options import TemplateOptions
    from iac_assist.threatmodel.diff import ModelDiff
    from iac_assist.threatmodel.formats import RenderOptions

FAIL_ON = ("critical", "high", "medium", "low", "none")

_jobs_option = click.option(
    "-j", "--jobs", type=click.IntRange(min=1), metavar="N",
    help="Worker processes that parse files (default: one per CPU when the scan is large enough to gain from "
         "them; 1: none). The result is the same whatever N.")
_untrusted_option = click.option(
    "--untrusted", is_flag=True, default=False, envvar="IAC_ASSIST_UNTRUSTED",
    help="The scanned repository may not weaken the gate: its configuration file is not read (--config FILE "
         "still applies), inline suppressions are void (unless --inline-suppressions), and only a --baseline given "
         "here applies. Also IAC_ASSIST_UNTRUSTED=1. The GitHub Action sets it for pull requests.")


def _categories(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> tuple[str, ...]:
    from iac_assist.analysis.result import unanalysed_categories

    try:
        return tuple(sorted(unanalysed_categories(values)))
    except ValueError as err:
        raise click.BadParameter(str(err)) from None


_fail_on_unanalysed_option = click.option(
    "--fail-on-unanalysed", "fail_on_unanalysed", multiple=True, metavar="CATEGORY,...|all", callback=_categories,
    help="Fail the gate (exit 2) when input of these categories was not analysed (module-not-downloaded, "
         "remote-template, sam-unexpanded, transform-unexpanded, unknown-function, world-cap, ...; all: any); "
         "repeatable or comma-separated. Default: the configuration's fail-on-unanalysed, else none (warnings only).")
_max_file_size_option = click.option(
    "--max-file-size", type=click.IntRange(min=1), metavar="BYTES",
    help="Largest file analysed; a larger IaC file is an error (exit 2), other large YAML/JSON is skipped. "
         "Default: 20 MiB, and 2 MiB for .tf files (the HCL parser needs ~300 bytes of memory per byte).")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="iac-assist")
def cli() -> None:
    """Threat analysis for Terraform and CloudFormation, before anything is deployed."""


def _assignments(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    from iac_assist.parsers.terraform.inputs import parse_assignment

    try:
        return tuple(parse_assignment(v) for v in values)
    except ValueError as err:
        raise click.BadParameter(str(err)) from None


def _remember(ctx: click.Context, param: click.Parameter, value: object) -> object:
    ctx.meta[f"iac_assist.{param.name}"] = value
    return value


def _local_nested() -> bool:
    return bool(click.get_current_context().meta.get("iac_assist.local_nested_templates", True))


def _input_options(command: Callable[..., None]) -> Callable[..., None]:
    """The options scan, baseline and model share: which files, and the deployment's inputs."""
    options = [
        click.option("--exclude", multiple=True, metavar="GLOB",
                     help="Skip files or folders matching GLOB (relative to the scan root); repeatable."),
        click.option("--var-file", "var_files", multiple=True,
                     type=click.Path(exists=True, dir_okay=False, path_type=Path),
                     help="Terraform variables file (.tfvars or .tfvars.json) for the root modules; repeatable."),
        click.option("--var", "assignments", multiple=True, metavar="NAME=VALUE", callback=_assignments,
                     help="Set a Terraform root variable, as terraform -var does; repeatable; wins over --var-file."),
        click.option("--parameters", "parameters", multiple=True, metavar="FILE|KEY=VALUE",
                     help="CloudFormation parameter values: a file (AWS CLI JSON list, {\"Parameters\": {...}}, or "
                          "Key=Value lines) or a Key=Value pair; repeatable."),
        # Read through the context (see _local_nested) rather than passed to every command.
        click.option("--no-local-nested-templates", "local_nested_templates", is_flag=True, flag_value=False,
                     default=True, expose_value=False, callback=_remember,
                     help="CloudFormation: do not follow a nested stack whose TemplateURL is remote (S3, HTTPS) to "
                          "the template of the scan with the same file name; report it as not analysed."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _gate_options(command: Callable[..., None]) -> Callable[..., None]:
    """The options scan and baseline share: the configuration file and the rules it chooses."""
    options = [
        click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                     help="Configuration file (default: .iac-assist.toml, or [tool.iac-assist] in pyproject.toml, "
                          "from the scan root up to the repository root)."),
        click.option("--select", multiple=True, metavar="ID|SLUG|SEVERITY",
                     help="Run only these rules: rule ids, control slugs or severities; repeatable or "
                          "comma-separated."),
        click.option("--ignore", multiple=True, metavar="ID|SLUG|SEVERITY",
                     help="Do not run these rules (ids, slugs or severities); repeatable or comma-separated."),
        click.option("--inline-suppressions/--no-inline-suppressions", default=None,
                     help="Honour iac-assist:ignore comments and CloudFormation Metadata suppressions (default: "
                          "yes; with --untrusted: no); --no-inline-suppressions makes every one void."),
        _untrusted_option,
    ]
    for option in reversed(options):
        command = option(command)
    return command


class _FilesCommand(click.Command):
    """A command pre-commit runs with file names appended: a file named like an option
    (``--exclude=*.tf``) must be read as a file, so the hook passes ``--`` before them (its
    default ``args``). Run by pre-commit (``PRE_COMMIT=1``) without ``--``, the command refuses to
    start rather than read a file name as an option."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if os.environ.get("PRE_COMMIT") == "1" and "--" not in args and not {"-h", "--help"} & set(args):
            raise _SetupError("run by pre-commit without `--` before the file names: a file named like an option "
                              "would be read as one. End the hook's args with \"--\" (args: [--fail-on, high, --]).")
        return super().parse_args(ctx, args)


FIXES_SHOWN = ("json", "sarif", "markdown")
"""Report formats that carry each finding's fix (what ``iac-assist fix`` would edit)."""


@cli.command(cls=_FilesCommand)
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("-f", "--format", "fmt", type=click.Choice(REPORT_FORMATS), default="text", show_default=True,
              help="Report format: text, json, sarif (code scanning), github (workflow annotations), "
                   "junit (CI test reports), markdown (a pull-request summary).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the report to FILE instead of standard output.")
@click.option("--fail-on", type=click.Choice(FAIL_ON),
              help="Lowest severity that makes the exit code 1 (default: the configuration's fail-on, else low).")
@_input_options
@click.option("--assume-worst/--no-assume-worst", default=None,
              help="CloudFormation: report what is insecure in any possible deployment (open conditions, "
                   "AllowedValues), not only in every one.")
@_gate_options
@click.option("--baseline", "baseline_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Leave out the findings recorded in FILE by `iac-assist baseline` (default: the "
                   "configuration's baseline).")
@click.option("--new-since", metavar="REF",
              help="Leave out the findings PATHS already had at git revision REF (a branch, tag or commit), "
                   "read from git objects: nothing is checked out.")
@_jobs_option
@_max_file_size_option
@_fail_on_unanalysed_option
@click.option("-v", "--verbose", is_flag=True,
              help="Text format: also list the resource types no rule models, with their counts.")
def scan(paths: tuple[Path, ...], fmt: str, output: Path | None, fail_on: str | None, exclude: tuple[str, ...],
         var_files: tuple[Path, ...], assignments: tuple[tuple[str, str], ...], parameters: tuple[str, ...],
         assume_worst: bool | None, config_file: Path | None, select: tuple[str, ...], ignore: tuple[str, ...],
         inline_suppressions: bool | None, untrusted: bool, baseline_file: Path | None, new_since: str | None,
         jobs: int | None, max_file_size: int | None, fail_on_unanalysed: tuple[str, ...], verbose: bool) -> None:
    """Scan PATHS (files or folders; default: the current folder) and report findings.

    Terraform root variables take their values as terraform plan gives them: defaults, TF_VAR_name
    environment variables, terraform.tfvars and *.auto.tfvars beside the root module, then
    --var-file and --var. A variable left without a value is unknown, never guessed.

    CloudFormation parameters take --parameters, else their defaults. Where a condition depends
    on a parameter with no value, a finding is reported when it holds whichever way the
    condition goes (or, with --assume-worst, when it holds in any one way).

    Findings waived by an inline suppression (iac-assist:ignore=ID reason) stay in JSON and SARIF,
    marked, and leave the gate; --baseline FILE and --new-since REF leave out what was already
    known. What was not analysed (a module not downloaded, a remote nested stack, an unexpanded
    transform...) is a warning, counted by category; --fail-on-unanalysed makes it fail the gate.
    Options given here win over the configuration file's; what the scanned repository's own
    settings waived is reported (see --untrusted)."""
    from iac_assist.analysis.engine import scan as run_scan
    from iac_assist.gate import trust
    from iac_assist.parsers.terraform.inputs import VariableInputs
    from iac_assist.policies import all_policies
    from iac_assist.report import render

    settings = _settings(paths, config_file, select=select, ignore=ignore, fail_on=fail_on, exclude=exclude,
                         var_files=var_files, parameters=parameters, inline_suppressions=inline_suppressions,
                         baseline=baseline_file, assume_worst=assume_worst, untrusted=untrusted,
                         fail_on_unanalysed=fail_on_unanalysed)
    variables = VariableInputs(settings.var_files, assignments, dict(os.environ))
    template_options = _template_options(settings)
    baseline = _baseline(settings.baseline)
    # The repository's own baseline is applied by trust.report, which counts what it leaves out.
    repository_baseline = baseline if settings.repository_decided("baseline") else None
    result = _run(run_scan, paths, settings, variables=variables, template_options=template_options,
                  baseline=None if repository_baseline else baseline, new_since=new_since, jobs=jobs,
                  max_file_size=max_file_size)
    trust.report(result, settings, all_policies(), repository_baseline)
    if fmt in FIXES_SHOWN:
        from iac_assist.fixes.plan import plan
        from iac_assist.fixes.sources import SourceFiles

        result.fixes = plan(result, SourceFiles(result.root, result.digests, max_file_size, unscanned=True))
    color = output is None and fmt == "text" and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    report = render(result, fmt, color=color, verbose=verbose)
    if output is not None:
        _write(output, report)
    else:
        click.echo(report, nl=False)
    _gate_gaps(result, settings.fail_on_unanalysed)
    sys.exit(result.exit_code(settings.fail_on, settings.fail_on_unanalysed))


@cli.command("fix", cls=_FilesCommand)
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--write", is_flag=True, help="Apply the fixes to the files (default: print them as a diff only).")
@_input_options
@_gate_options
@_max_file_size_option
def fix_command(paths: tuple[Path, ...], write: bool, exclude: tuple[str, ...], var_files: tuple[Path, ...],
                assignments: tuple[tuple[str, str], ...], parameters: tuple[str, ...], config_file: Path | None,
                select: tuple[str, ...], ignore: tuple[str, ...], inline_suppressions: bool | None, untrusted: bool,
                max_file_size: int | None) -> None:
    """Scan PATHS as scan does and print the smallest safe edit for each finding as a unified diff
    (paths a/ and b/ from the scan root: `git apply` takes it). Nothing is written without --write.

    Edits go where each value is set: the attribute, the variables file line, variable default or
    module argument it came from, or a new satellite resource beside the resource (an S3 public
    access block). Findings without a fix are listed on standard error with the reason. Files are
    edited only inside the scanned root, never through a link leaving it or in .git/, and only
    while they still hold what was scanned.

    Exit status: 0 nothing to fix (or all written), 1 a diff was printed, 2 an error (a file that
    could not be written, input that could not be analysed, a configuration that cannot be used),
    as for scan."""
    from iac_assist.analysis.engine import scan as run_scan
    from iac_assist.fixes.diff import diff
    from iac_assist.fixes.editor import CannotEdit
    from iac_assist.fixes.plan import plan
    from iac_assist.fixes.sources import SourceFiles
    from iac_assist.fixes.sources import write as write_file
    from iac_assist.parsers.terraform.inputs import VariableInputs

    settings = _settings(paths, config_file, select=select, ignore=ignore, exclude=exclude, var_files=var_files,
                         parameters=parameters, inline_suppressions=inline_suppressions, untrusted=untrusted)
    variables = VariableInputs(settings.var_files, assignments, dict(os.environ))
    # One process: the digests of the texts scanned are noted only there (see engine._Digesting).
    result = _run(run_scan, paths, settings, variables=variables, template_options=_template_options(settings),
                  jobs=1, max_file_size=max_file_size)
    _report_errors(result)
    fixes = plan(result, SourceFiles(result.root, result.digests, max_file_size))
    for made in fixes.fixes:
        if made.note:
            f = made.finding
            click.echo(safe(f"note: the fix of {f.rule_id} {f.resource} ({f.loc}): {made.note}"), err=True)
    for unfixed in fixes.unfixed:
        f = unfixed.finding
        click.echo(safe(f"no fix: {f.rule_id} {f.resource} ({f.loc}): {unfixed.reason}"), err=True)
    edited = fixes.edited()
    if not write:
        from iac_assist.report.safe_text import guard_lines

        text = diff(fixes.texts, edited)
        # Piped, the diff stays byte for byte what git apply needs; only a CI runner's command
        # (Azure's ##vso[ anywhere: diff lines start with + - or a space) is escaped. On a
        # terminal, control characters are shown as escapes too.
        click.echo(safe(text) if sys.stdout.isatty() else guard_lines(text), nl=False)
        click.echo(f"{len(fixes.fixes)} finding(s) fixed by the diff above in {len(edited)} file(s); "
                   f"{len(fixes.unfixed)} without a fix. Apply it with --write." if edited else
                   f"nothing to fix; {len(fixes.unfixed)} finding(s) without a fix.", err=True)
        sys.exit(2 if result.has_errors else 1 if edited else 0)
    refused = 0
    for rel, after in edited.items():
        try:
            write_file(result.root, rel, fixes.texts[rel], after, max_file_size)
        except CannotEdit as err:
            refused += 1
            click.echo(safe(f"iac-assist: not written: {err.reason}"), err=True)
        else:
            click.echo(safe(f"fixed {rel}"), err=True)
    sys.exit(2 if refused or result.has_errors else 0)


@cli.command("baseline")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="The baseline file to write (default: the configuration's baseline).")
@_input_options
@click.option("--assume-worst/--no-assume-worst", default=None, help="As for scan.")
@_gate_options
@_jobs_option
@_fail_on_unanalysed_option
def baseline_command(paths: tuple[Path, ...], output: Path | None, exclude: tuple[str, ...],
                     var_files: tuple[Path, ...], assignments: tuple[tuple[str, str], ...],
                     parameters: tuple[str, ...], assume_worst: bool | None, config_file: Path | None,
                     select: tuple[str, ...], ignore: tuple[str, ...], inline_suppressions: bool | None,
                     untrusted: bool, jobs: int | None, fail_on_unanalysed: tuple[str, ...]) -> None:
    """Record the findings of PATHS today in a baseline file, by fingerprint (rule, resource, file,
    cause: lines may shift); `iac-assist scan --baseline FILE` then reports and gates only new ones.
    Suppressed findings are not recorded.

    Exit code 0 when written; 2 when an input could not be analysed, or input of a category named
    by --fail-on-unanalysed was left out (the file is written, but its findings are missing from it)."""
    from iac_assist.analysis.engine import scan as run_scan
    from iac_assist.gate.baseline import entries, to_json
    from iac_assist.parsers.terraform.inputs import VariableInputs

    settings = _settings(paths, config_file, select=select, ignore=ignore, exclude=exclude, var_files=var_files,
                         parameters=parameters, inline_suppressions=inline_suppressions, assume_worst=assume_worst,
                         untrusted=untrusted, fail_on_unanalysed=fail_on_unanalysed)
    target = output or settings.baseline
    if target is None:
        raise click.UsageError("say where to write the baseline: --output FILE (or baseline in the configuration)")
    variables = VariableInputs(settings.var_files, assignments, dict(os.environ))
    result = _run(run_scan, paths, settings, variables=variables, template_options=_template_options(settings),
                  jobs=jobs)
    _write(target, to_json(result, target))
    _report_errors(result)
    recorded = len(entries(result.findings))
    click.echo(safe(f"{recorded} finding{'s' if recorded != 1 else ''} recorded in {target}"))
    _gate_gaps(result, settings.fail_on_unanalysed)
    sys.exit(2 if result.has_errors or result.gate_gaps(settings.fail_on_unanalysed) else 0)


def _settings(paths: tuple[Path, ...], config_file: Path | None, **given: Any) -> Settings:
    """The configuration file's settings with the options given on the command line in their place."""
    from iac_assist.gate.config import ConfigError, resolve
    from iac_assist.inputs.discovery import scan_root

    try:
        return resolve(scan_root(list(paths) or [Path(".")]), config_file, **given)
    except ConfigError as err:
        raise _SetupError(str(err)) from None


def _template_options(settings: Settings) -> TemplateOptions:
    from iac_assist.parsers.cloudformation.options import TemplateOptions, read_parameters

    try:
        return TemplateOptions(read_parameters(list(settings.parameters)), settings.assume_worst,
                               local_nested_templates=_local_nested())
    except (ValueError, OSError) as err:
        raise _BadParameter(str(err), param_hint="--parameters") from None
    except RecursionError:
        raise _BadParameter("a parameters file is nested too deeply", param_hint="--parameters") from None


def _baseline(path: Path | None) -> Baseline | None:
    from iac_assist.gate.baseline import BaselineError, load

    if path is None:
        return None
    try:
        return load(path)
    except BaselineError as err:
        raise _SetupError(str(err)) from None
    except RecursionError:
        raise _SetupError(f"{path}: not a baseline file (nested too deeply)") from None


def _run(
    run_scan: Callable[..., ScanResult], paths: tuple[Path, ...], settings: Settings, **options: Any,
) -> ScanResult:
    """The engine's scan with the settings' rule choices; a configuration or revision that
    cannot be used is exit 2."""
    from iac_assist.gate.baseline import BaselineError
    from iac_assist.gate.config import ConfigError

    try:
        return run_scan(list(paths) or [Path(".")], exclude=settings.exclude, select=settings.select,
                        ignore=settings.ignore, severity=settings.severity,
                        inline_suppressions=settings.inline_suppressions, **options)
    except (ConfigError, BaselineError) as err:
        raise _SetupError(str(err)) from None


@cli.command("vocabulary")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the document to this file instead of standard output.")
def vocabulary_command(output: Path | None) -> None:
    """The model's vocabulary (every kind, its facts and where each format writes them), as Markdown:
    how docs/vocabulary.md is made."""
    from iac_assist.model import vocabulary

    text = vocabulary.markdown()
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")


@cli.command()
@click.argument("rule", required=False)
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text",
              show_default=True, help="text: a table (or one rule explained); markdown: the docs/rules.md page.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to FILE instead of standard output.")
def rules(rule: str | None, fmt: str, output: Path | None) -> None:
    """List every rule, or explain RULE (a rule id or a control slug): what it checks, why it
    matters, how to fix it in Terraform and CloudFormation."""
    import json

    from iac_assist.policies import all_policies
    from iac_assist.report import rule_docs as docs

    policies = all_policies()
    if rule is not None:
        key = rule.lower()
        policies = [p for p in policies if key in (p.id.lower(), p.control)]
        if not policies:
            raise click.BadParameter(f"no rule or control named {rule!r} (see `iac-assist rules`)", param_hint="RULE")
    if fmt == "json":
        text = json.dumps([{
            "id": p.id, "control": p.control, "title": p.title, "severity": p.severity, "stride": p.stride,
            "cwe": p.cwe, "rationale": p.rationale, "remediation": p.remediation, "references": list(p.references),
            "fix": docs.fix_text(p),
        } for p in policies], indent=2) + "\n"
    elif rule is not None:
        text = docs.rule_markdown(policies[0], level=1)
    elif fmt == "markdown":
        text = docs.rules_document(policies)
    else:
        text = docs.rules_table(policies)
    if output is not None:
        _write(output, text)
    else:
        click.echo(text, nl=False)


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("-f", "--format", "fmt",
              type=click.Choice(["json", "markdown", "mermaid", "dot", "otm", "sarif", "text"]),
              default="markdown", show_default=True,
              help="Output format; sarif: the attack paths as code scanning results, each with its steps as a code "
                   "flow (a category of its own beside the scan's). With --base: json, markdown, text or sarif (one "
                   "result per attack path the change adds, at the line that opened it).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the model to FILE instead of standard output.")
@click.option("--view", type=click.Choice(["full", "attack-paths", "per-vpc"]), default="full", show_default=True,
              help="Diagrams (markdown, mermaid, dot): everything, only the attack paths, or one diagram per VPC "
                   "(markdown and dot only).")
@click.option("--project-name", default="", help="OTM: the project's name. Default: the scanned folder's name.")
@click.option("--project-id", default="", help="OTM: the project's id. Default: made from the project's name.")
@click.option("--otm-mapping", "otm_mapping", default=None, metavar="FILE|iriusrisk",
              help="OTM: map trust zones and component types to a consumer's (a YAML or TOML mapping file, or "
                   "'iriusrisk' for the built-in IriusRisk/StartLeft AWS mapping).")
@_input_options
@click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Configuration file, as for scan (its exclude, var-files and parameters apply).")
@_untrusted_option
@_jobs_option
@_max_file_size_option
@_fail_on_unanalysed_option
@click.option("--data-classification", "data_classes", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="TOML file mapping resource addresses (globs) to public, internal, confidential or "
                   "restricted, to rank attack paths by what their targets hold (README: threat model).")
@click.option("--base", metavar="REF",
              help="Print what the working tree changes in the threat model since git revision REF (a branch, tag "
                   "or commit, read from git objects: nothing is checked out): flows, attack paths and components "
                   "added or removed, threats opened, closed or now undetermined.")
@click.option("--base-state", type=click.Path(exists=True, dir_okay=False, path_type=Path), metavar="FILE",
              help="Like --base, against what is deployed: FILE is `terraform show -json` of a state (or a plan, "
                   "whose prior state is the base): what the next apply changes, and drift where the deployed "
                   "state has what the code no longer says.")
@click.option("--fail-on-new-path", is_flag=True,
              help="With --base: exit 1 when the change adds an attack path, or opens a threat whose findings reach "
                   "--fail-on (a threat no finding rates counts as low).")
@click.option("--fail-on", type=click.Choice(FAIL_ON),
              help="With --fail-on-new-path: the lowest severity of an opened threat that fails (default: the "
                   "configuration's fail-on, else low).")
def model(paths: tuple[Path, ...], fmt: str, output: Path | None, view: str, project_name: str, project_id: str,
          otm_mapping: str | None, exclude: tuple[str, ...],
          var_files: tuple[Path, ...], assignments: tuple[tuple[str, str], ...], parameters: tuple[str, ...],
          config_file: Path | None, untrusted: bool, jobs: int | None, max_file_size: int | None,
          fail_on_unanalysed: tuple[str, ...], data_classes: Path | None, base: str | None,
          base_state: Path | None, fail_on_new_path: bool, fail_on: str | None) -> None:
    """Draw the threat model of PATHS: components in trust zones, flows across boundaries, attack
    paths from the internet to data stores, and STRIDE threats, open or mitigated. With --base REF,
    print what the change since REF does to it instead.

    Exit code 0 when the model was drawn from everything; 1 with --fail-on-new-path when the change
    adds an attack path or opens a threat at or above --fail-on; 2 when an input could not be
    analysed, or input of a category named by --fail-on-unanalysed was left out. Inputs not analysed,
    and their count by category, are printed on standard error."""
    from iac_assist.analysis.engine import scan as run_scan
    from iac_assist.parsers.cloudformation.options import TemplateOptions, read_parameters
    from iac_assist.parsers.terraform.inputs import VariableInputs
    from iac_assist.threatmodel.build import build
    from iac_assist.threatmodel.formats import render

    if base is not None and base_state is not None:
        raise _BadParameter("compare with a git revision or with a deployed state, not both", param_hint="--base-state")
    _check_base_options(fmt, base or (str(base_state) if base_state else None), fail_on_new_path, fail_on)
    options = _model_options(paths, fmt, view, project_name, project_id, otm_mapping)
    settings = _settings(paths, config_file, exclude=exclude, var_files=var_files, parameters=parameters,
                         untrusted=untrusted, fail_on_unanalysed=fail_on_unanalysed, fail_on=fail_on)
    classes: list[tuple[str, str]] = []
    if data_classes is not None:
        from iac_assist.model.data_classification import read_file

        try:
            classes = read_file(data_classes)
        except (ValueError, OSError) as err:
            raise _BadParameter(str(err), param_hint="--data-classification") from None
    try:
        template_options = TemplateOptions(read_parameters(list(settings.parameters)),
                                           local_nested_templates=_local_nested())
    except (ValueError, OSError) as err:
        raise _BadParameter(str(err), param_hint="--parameters") from None
    except RecursionError:
        raise _BadParameter("a parameters file is nested too deeply", param_hint="--parameters") from None
    # The model shows the architecture as it is: rule choices and waivers are the gate's business.
    variables = VariableInputs(settings.var_files, assignments, dict(os.environ))

    state_excluded = _inside(base_state, list(paths) or [Path(".")])

    def analyse(scanned: list[Path], root: Path | None = None, deployed: bool = False) -> ScanResult:
        exclude = settings.exclude + (() if deployed else state_excluded)
        return run_scan(scanned, root=root, exclude=exclude, variables=variables,
                        template_options=template_options, inline_suppressions=False, jobs=jobs,
                        max_file_size=max_file_size)

    result = analyse(list(paths) or [Path(".")])
    if state_excluded:
        # The state is analysed, as the base: leaving it out of the working tree's side is no gap.
        result.errors = [e for e in result.errors if not (e.category == "skipped-iac" and e.file in state_excluded)]
        result.excluded = [rel for rel in result.excluded if rel not in state_excluded]
    if base is not None or base_state is not None:
        change = _model_diff(result, analyse, paths, base, fmt, output, classes, base_state)
        _report_errors(result)
        _gate_gaps(result, settings.fail_on_unanalysed)
        if result.has_errors or result.gate_gaps(settings.fail_on_unanalysed):
            sys.exit(2)
        if fail_on_new_path and _opens(change, settings.fail_on):
            click.echo(safe(f"iac-assist: the gate fails (exit 1): {change.summary()['verdict']}"), err=True)
            sys.exit(1)
        sys.exit(0)
    if fmt == "sarif":
        from dataclasses import replace

        from iac_assist.report.locations import repo_locations

        options = replace(options, places=repo_locations(result))
    text = render(build(result, classes), fmt, options)
    if output is not None:
        _write(output, text)
    else:
        click.echo(text, nl=False)
    _report_errors(result)
    if result.gaps:
        from iac_assist.report.text import gaps

        click.echo(safe(gaps(result)[0]), err=True)  # the "Not analysed: ..." line; standard error is for problems
    _gate_gaps(result, settings.fail_on_unanalysed)
    sys.exit(2 if result.has_errors or result.gate_gaps(settings.fail_on_unanalysed) else 0)


def _check_base_options(fmt: str, base: str | None, fail_on_new_path: bool, fail_on: str | None) -> None:
    """What only --base reads, and the formats a difference has: checked before the scan."""
    from iac_assist.threatmodel.formats import diff_format, diff_sarif

    formats = (*diff_format.FORMATS, diff_sarif.FORMAT)
    if base is None:
        if fmt == "text":
            raise _BadParameter("text is a format of the difference: give --base REF too", param_hint="--format")
        for given, name in ((fail_on_new_path, "--fail-on-new-path"), (fail_on, "--fail-on")):
            if given:
                raise _BadParameter("it gates what a change does: give --base REF too", param_hint=name)
    elif fmt not in formats:
        raise _BadParameter(f"with --base, the difference is printed as {', '.join(formats)}", param_hint="--format")


def _model_diff(result: ScanResult, analyse: Callable[..., ScanResult], paths: tuple[Path, ...], base: str | None,
                fmt: str, output: Path | None, classes: list[tuple[str, str]],
                base_state: Path | None = None) -> ModelDiff:
    """Print what the working tree (``result``) changes in the threat model since git revision
    ``base``, whose files are analysed as they were there, or against the deployed ``base_state``
    (a state, or a plan's prior state); the difference."""
    from iac_assist.gate.baseline import BaselineError, at_revision
    from iac_assist.threatmodel.build import build
    from iac_assist.threatmodel.diff import diff
    from iac_assist.threatmodel.formats.diff_format import render as render_diff
    from iac_assist.threatmodel.model import ThreatModel

    if base_state is not None:
        then, base = _deployed(base_state, analyse, result.root), f"the deployed state {base_state.name}"
    else:
        assert base is not None
        try:
            then = at_revision(base, list(paths) or [Path(".")], result.root, analyse, option="--base")
        except BaselineError as err:
            raise _SetupError(str(err)) from None
    if then is not None and then.has_errors:
        click.echo(safe(f"iac-assist: warning: some inputs could not be analysed as they were at {base}; what they "
                        "held reads as added"), err=True)
    before = build(then, classes) if then is not None else ThreatModel()
    severities = {f.fingerprint: f.severity for f in (*(then.findings if then else ()), *result.findings)}
    after = build(result, classes)
    change = diff(before, after, severities)
    if fmt == "sarif":
        from iac_assist.report.locations import repo_locations
        from iac_assist.threatmodel.formats import diff_sarif

        text = diff_sarif.render(change, after, repo_locations(result), before)
    else:
        text = render_diff(change, fmt, base)
    if fmt == "text":
        text = "".join(safe(line) + "\n" for line in text.splitlines())
    if output is not None:
        _write(output, text)
    else:
        click.echo(text, nl=False)
    return change


def _inside(state: Path | None, paths: list[Path]) -> tuple[str, ...]:
    """The deployed state named by --base-state, as an exclude of the scanned folder holding it:
    the working tree's side is the code (or plan), not the state it is compared with."""
    if state is None:
        return ()
    for path in paths:
        if not path.is_dir():
            continue  # a plan compared with its own prior state is the head all the same
        try:
            return (state.resolve().relative_to(path.resolve()).as_posix(),)
        except ValueError:
            continue
    return ()


def _deployed(state: Path, analyse: Callable[..., ScanResult], root: Path) -> ScanResult:
    """The scan of what is deployed: a state file on its own, or the prior state of a plan."""
    from iac_assist.inputs.discovery import read_text
    from iac_assist.parsers.terraform.plan import looks_like_plan, looks_like_state
    from iac_assist.parsers.terraform.state import scan_prior_state

    problems: list = []
    text = read_text(state, state.name, problems) or ""
    if problems:
        raise _BadParameter(str(problems[0]), param_hint="--base-state")
    # Paths relative to the working tree's root when the state lies in it, so both sides read alike.
    inside = state.resolve().is_relative_to(root.resolve())
    if looks_like_plan(text):
        return scan_prior_state(state, root if inside else None)
    if not looks_like_state(text):
        raise _BadParameter(f"{state.name} is not `terraform show -json` of a state or a plan",
                            param_hint="--base-state")
    return analyse([state], root if inside else state.resolve().parent, deployed=True)


def _opens(change: ModelDiff, fail_on: str) -> bool:
    """Whether the change adds an attack path, or opens a threat at or above ``fail_on`` (one
    that no finding rates counts as low: it is open all the same)."""
    from iac_assist.analysis.findings import at_or_above

    if change.attack_paths["added"]:
        return True
    return any(at_or_above(t["severity"] or "low", fail_on) for t in change.threats["opened"])


def _model_options(paths: tuple[Path, ...], fmt: str, view: str, project_name: str, project_id: str,
                   otm_mapping: str | None) -> RenderOptions:
    """Checked before the scan: a usage error costs no time."""
    from iac_assist.threatmodel.formats import RenderOptions
    from iac_assist.threatmodel.formats.otm_mapping import load

    if view == "per-vpc" and fmt == "mermaid":
        raise _BadParameter("per-vpc draws several diagrams, which one Mermaid text cannot hold: use --format "
                            "markdown or dot", param_hint="--view")
    mapping = None
    if otm_mapping is not None:
        try:
            mapping = load(otm_mapping)
        except ValueError as err:
            raise _BadParameter(str(err), param_hint="--otm-mapping") from None
    if not project_name:
        # The scanned folder's name (a file's folder); never anything read from .git.
        first = (paths[0] if paths else Path(".")).resolve()
        project_name = (first if first.is_dir() else first.parent).name or "Threat model"
    return RenderOptions(view, project_id, project_name, mapping)


def safe(text: str) -> str:
    """``text`` for a terminal or a CI log: no control or bidi character, no runner command."""
    from iac_assist.report.safe_text import guard_lines, visible

    return guard_lines(visible(text))


def _report_errors(result: ScanResult) -> None:
    """The errors and warnings of ``result`` on standard error, one line each, made safe."""
    from iac_assist.report.text import error_line

    for error in result.errors:
        click.echo(safe(error_line(error)), err=True)


def _gate_gaps(result: ScanResult, categories: tuple[str, ...]) -> None:
    """Say on standard error why the gate fails for input not analysed (--fail-on-unanalysed)."""
    failing = result.gate_gaps(categories)
    if not failing:
        return
    counts: dict[str, int] = {}
    for error in failing:
        counts[error.category] = counts.get(error.category, 0) + 1
    detail = ", ".join(f"{n} {category}" for category, n in sorted(counts.items()))
    click.echo(f"iac-assist: the gate fails (exit 2): input not analysed ({detail}), as --fail-on-unanalysed "
               "asks", err=True)


def _write(output: Path, text: str) -> None:
    """Write a report; its folder is created (a CI step writing reports/x.sarif expects that)."""
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
    except OSError as err:
        raise _OutputError(f"cannot write {output}: {err.strerror or err}") from None


class _SafeMessage:
    """Click's error message made safe: it can quote a configuration file's keys, a parameters
    file or a path from the scanned repository."""

    def format_message(self) -> str:
        return safe(super().format_message())  # type: ignore[misc]


class _BadParameter(_SafeMessage, click.BadParameter):
    pass


class _OutputError(_SafeMessage, click.ClickException):
    exit_code = 2  # 1 means findings: a report that could not be written must not look like that


class _SetupError(_SafeMessage, click.ClickException):
    exit_code = 2  # a configuration, baseline or revision that cannot be used: a usage error


def main() -> None:
    try:
        cli(standalone_mode=True)
    except KeyboardInterrupt:
        sys.exit(130)
