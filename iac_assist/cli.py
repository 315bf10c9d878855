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

import contextlib
import gc
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from iac_assist import __version__, compiled_methods
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
_progress_option = click.option(
    "--progress/--no-progress", "progress", default=None,
    help="A progress line on standard error while the scan works (files found, modules and templates analysed, "
         "time), erased at the end. Default: on a terminal only, and not with --quiet; --progress asks for it "
         "anywhere (in a CI log, a line every few seconds).")
_policies_dir_option = click.option(
    "--policies-dir", "policies_dirs", multiple=True, metavar="DIR",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Also run the policies of one's own in DIR's Python modules (the same @policy shape as the built-in "
         "ones; README: Policies of one's own); repeatable. Runs their code: name only folders you trust.")
_max_file_size_option = click.option(
    "--max-file-size", type=click.IntRange(min=1), metavar="BYTES",
    help="Largest file analysed; a larger IaC file is an error (exit 2), other large YAML/JSON is skipped. "
         "Default: 20 MiB, and 2 MiB for .tf files (the HCL parser needs ~300 bytes of memory per byte).")


def _report_option(formats: tuple[str, ...], listed: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """``--report FORMAT=PATH``: more files from the same analysis, checked before it runs;
    ``formats`` are accepted, ``listed`` says which in the help."""

    def parse(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> tuple[tuple[str, Path], ...]:
        from iac_assist.report.outputs import ReportError, parse_report

        try:
            return tuple(parse_report(value, formats) for value in values)
        except ReportError as err:
            raise _BadParameter(str(err)) from None

    return click.option(
        "--report", "reports", multiple=True, metavar="FORMAT=PATH", callback=parse,
        help=f"Also write the report in FORMAT to PATH, from the same analysis ({listed}); "
             "repeatable. The console still gets --format's output (or --output's file). Each file is written "
             "after the analysis, whole or not at all; the exit code is the same. PATH is relative to the current "
             "folder, as --output's; the configuration file cannot name report files, and no report may overwrite "
             "another, --output's, or a file the run reads (configuration, baseline, variables, parameters).")


def _cache_options(command: Callable[..., None]) -> Callable[..., None]:
    """--no-cache and --cache-dir: the parse cache (iac_assist/inputs/parse_cache.py) is the
    runner's choice, never the configuration file's or the scanned repository's."""
    import functools

    @functools.wraps(command)
    def run(*args: Any, no_cache: bool, cache_dir: Path | None, **kwargs: Any) -> None:
        from iac_assist.inputs import parse_cache
        from iac_assist.inputs.discovery import scan_root

        directory = None if no_cache else (cache_dir or parse_cache.default_directory())
        scanned = list(kwargs.get("paths") or ()) or [Path(".")]
        # The scan root too: files named in two folders are scanned with their common parent.
        refused = parse_cache.configure(directory, [*scanned, scan_root(scanned)])
        if refused:
            click.echo(f"warning: {safe(refused)}", err=True)
        try:
            command(*args, **kwargs)
        finally:
            parse_cache.evict()
            parse_cache.configure(None)

    options = [
        click.option("--no-cache", is_flag=True, default=False, envvar="IAC_ASSIST_NO_CACHE",
                     help="Parse and analyse every file again rather than reading what earlier runs kept: parse "
                          "results, and for scan the outcome of the same scan of unchanged files (also "
                          "IAC_ASSIST_NO_CACHE=1)."),
        click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
                     help="Where parse results and scan outcomes are kept between runs (default: "
                          "$XDG_CACHE_HOME/iac-assist, else ~/.cache/iac-assist). Never a folder inside the scanned "
                          "paths."),
    ]
    for option in reversed(options):
        run = option(run)
    return run


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="iac-assist")
def cli() -> None:
    """Threat analysis for Terraform and CloudFormation, before anything is deployed."""


def _assignments(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    from iac_assist.parsers.terraform.given import parse_assignment

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
        click.option("--exclude", multiple=True, metavar="PATTERN",
                     help="Skip files and folders matching PATTERN, a .gitignore pattern relative to the scan "
                          "root (**/examples/**, modules/*/tests/, !keep.tf); repeatable. A pattern matching "
                          "nothing is a warning."),
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
        _policies_dir_option,
        click.option("--allow-repository-policies", is_flag=True, default=False,
                     envvar="IAC_ASSIST_ALLOW_REPOSITORY_POLICIES",
                     help="Let the configuration found in the scanned repository name folders of policies "
                          "(policies-dirs), whose Python code the scan then runs; without it such a configuration "
                          "is a usage error. Never with --untrusted. Also IAC_ASSIST_ALLOW_REPOSITORY_POLICIES=1."),
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
              help="Write the report to FILE instead of standard output (whole or not at all; relative to the "
                   "current folder; never set by the configuration file).")
@_report_option(REPORT_FORMATS, ", ".join(REPORT_FORMATS))
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
@_cache_options
@_max_file_size_option
@_fail_on_unanalysed_option
@click.option("-v", "--verbose", is_flag=True,
              help="List every file analysed and every file skipped, with why, on standard error; text format: "
                   "also list the resource types no rule models, with their counts.")
@click.option("-q", "--quiet", is_flag=True,
              help="Text format: print the findings' lines only (no summary, warnings or source). What fails the "
                   "gate is still said on standard error: a quiet run is never a silent one.")
@click.option("--color", "color_choice", type=click.Choice(["auto", "always", "never"]), default="auto",
              show_default=True,
              help="Colour the text report's severities and rule ids. auto: on a terminal, unless NO_COLOR is set; "
                   "FORCE_COLOR colours standard output even when it is not a terminal (never a file: -o FILE is "
                   "coloured only with always).")
@click.option("--show-source", is_flag=True,
              help="Text format: follow each finding with the source lines it points at (a few lines of context, "
                   "the finding's marked >).")
@_progress_option
def scan(paths: tuple[Path, ...], fmt: str, output: Path | None, reports: tuple[tuple[str, Path], ...],
         fail_on: str | None, exclude: tuple[str, ...],
         var_files: tuple[Path, ...], assignments: tuple[tuple[str, str], ...], parameters: tuple[str, ...],
         assume_worst: bool | None, config_file: Path | None, select: tuple[str, ...], ignore: tuple[str, ...],
         inline_suppressions: bool | None, untrusted: bool, policies_dirs: tuple[Path, ...],
         allow_repository_policies: bool, baseline_file: Path | None, new_since: str | None,
         jobs: int | None, max_file_size: int | None, fail_on_unanalysed: tuple[str, ...], verbose: bool,
         quiet: bool, color_choice: str, show_source: bool, progress: bool | None) -> None:
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
    from iac_assist.analysis import result_cache
    from iac_assist.inputs.discovery import scan_root
    from iac_assist.parsers.terraform.given import VariableInputs
    from iac_assist.report import render

    if quiet and verbose:
        raise click.UsageError("--quiet and --verbose ask for opposite things: give one")
    settings = _settings(paths, config_file, select=select, ignore=ignore, fail_on=fail_on, exclude=exclude,
                         var_files=var_files, parameters=parameters, inline_suppressions=inline_suppressions,
                         baseline=baseline_file, assume_worst=assume_worst, untrusted=untrusted,
                         fail_on_unanalysed=fail_on_unanalysed, policies_dirs=policies_dirs,
                         allow_repository_policies=allow_repository_policies, activate=True)
    _check_targets(reports, output, settings)
    variables = VariableInputs(settings.var_files, assignments, dict(os.environ))
    template_options = _template_options(settings)
    baseline = _baseline(settings.baseline)
    # The repository's own baseline is applied by trust.report, which counts what it leaves out.
    repository_baseline = baseline if settings.repository_decided("baseline") else None
    fixes = fmt in FIXES_SHOWN or any(report_fmt in FIXES_SHOWN for report_fmt, _ in reports)

    def analyse() -> ScanResult:
        from iac_assist.analysis.engine import scan as run_scan
        from iac_assist.gate import trust
        from iac_assist.policies import all_policies

        with _watching(progress, quiet) as observer:
            result = _run(run_scan, paths, settings, variables=variables, template_options=template_options,
                          baseline=None if repository_baseline else baseline, new_since=new_since, jobs=jobs,
                          max_file_size=max_file_size, progress=observer)
        _add_errors(result, settings.policy_errors)
        trust.report(result, settings, all_policies(), repository_baseline)
        if fixes:
            from iac_assist.fixes.plan import plan
            from iac_assist.fixes.sources import SourceFiles

            result.fixes = plan(result, SourceFiles(result.root, result.digests, max_file_size, unscanned=True),
                                jobs)
        return result

    # A repeated scan of unchanged files reads what this gave last time (analysis/result_cache.py).
    scanned = tuple(paths) or (Path("."),)
    result = result_cache.cached(result_cache.Invocation(
        scanned, scan_root(list(scanned)), settings, assignments, os.environ, template_options, max_file_size, fixes,
        new_since), analyse)
    color = fmt == "text" and _color(color_choice, output)
    report = render(result, fmt, color=color, verbose=verbose, quiet=quiet, show_source=show_source)
    for report_fmt, path in reports:
        # As -o writes it: no colour; complete (--quiet is for the console).
        _write(path, render(result, report_fmt, verbose=verbose, show_source=show_source))
    if output is not None:
        _write(output, report)
    else:
        click.echo(report, nl=False, color=color)  # click strips colour off a pipe: FORCE_COLOR is asking
    if verbose:
        _list_files(result)
    code = result.exit_code(settings.fail_on, settings.fail_on_unanalysed)
    if quiet and fmt == "text" and code:
        _say_why_quietly(result, settings.fail_on, code)
    _gate_gaps(result, settings.fail_on_unanalysed)
    sys.exit(code)


def _color(choice: str, output: Path | None) -> bool:
    """Whether the text report is coloured (``report/color.py``); a file only when asked by name:
    FORCE_COLOR, often set for a whole CI job, is for the log, not for report files."""
    from iac_assist.report.color import wanted

    if output is not None:
        return choice == "always"
    return wanted(choice, _terminal(sys.stdout), os.environ)


def _terminal(stream: Any) -> bool:
    """Whether ``stream`` is a terminal (one place, for the tests to pretend)."""
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or closed
        return False


class _watching:
    """The progress line for the scan in the ``with`` block (``report/progress.py``), or a silent
    observer: ``asked`` is ``--progress`` (True), ``--no-progress`` (False) or neither (None: on a
    terminal, unless quiet). The line is erased however the block ends."""

    def __init__(self, asked: bool | None, quiet: bool = False) -> None:
        from iac_assist.analysis.progress import SILENT, Progress

        self.line = None
        self.observer: Progress = SILENT
        terminal = _terminal(sys.stderr)
        if asked or (asked is None and terminal and not quiet):
            from iac_assist.report.progress import ProgressLine

            self.line = ProgressLine(sys.stderr, in_place=terminal)
            self.observer = self.line

    def __enter__(self) -> Any:
        return self.observer

    def __exit__(self, *exc: object) -> None:
        if self.line is not None:
            self.line.close()


def _list_files(result: ScanResult) -> None:
    """``--verbose``: every file analysed and every file skipped with why, on standard error."""
    skipped = {rel for rel, _ in result.skipped}
    for rel in result.files:
        if rel not in skipped:  # counted among the files, but read as a whole it failed
            click.echo(safe(f"analysed: {rel}"), err=True)
    for rel, why in result.skipped:
        click.echo(safe(f"skipped: {rel}: {why}"), err=True)


def _say_why_quietly(result: ScanResult, fail_on: str, code: int) -> None:
    """``--quiet`` prints findings only; when the gate fails, standard error says why, errors
    first (an input not analysed fails the gate whatever the findings)."""
    from iac_assist.report.text import error_line

    for error in result.errors:
        if error.level == "error":
            click.echo(safe(error_line(error)), err=True)
    if code == 1:
        n = len(result.failing(fail_on))
        click.echo(f"iac-assist: the gate fails (exit 1): {n} finding{'s' if n != 1 else ''} at or above "
                   f"{fail_on}", err=True)
    elif result.has_errors:
        n = sum(1 for e in result.errors if e.level == "error")
        click.echo(f"iac-assist: the gate fails (exit 2): {n} input error{'s' if n != 1 else ''} (inputs not "
                   "analysed)", err=True)


@cli.command("fix", cls=_FilesCommand)
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--write", is_flag=True, help="Apply the fixes to the files (default: print them as a diff only).")
@_input_options
@_gate_options
@_cache_options
@_max_file_size_option
def fix_command(paths: tuple[Path, ...], write: bool, exclude: tuple[str, ...], var_files: tuple[Path, ...],
                assignments: tuple[tuple[str, str], ...], parameters: tuple[str, ...], config_file: Path | None,
                select: tuple[str, ...], ignore: tuple[str, ...], inline_suppressions: bool | None, untrusted: bool,
                policies_dirs: tuple[Path, ...], allow_repository_policies: bool, max_file_size: int | None) -> None:
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
                         parameters=parameters, inline_suppressions=inline_suppressions, untrusted=untrusted,
                         policies_dirs=policies_dirs, allow_repository_policies=allow_repository_policies,
                         activate=True)
    variables = VariableInputs(settings.var_files, assignments, dict(os.environ))
    # One process: the digests of the texts scanned are noted only there (see engine._Digesting).
    result = _run(run_scan, paths, settings, variables=variables, template_options=_template_options(settings),
                  jobs=1, max_file_size=max_file_size)
    _add_errors(result, settings.policy_errors)
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
@_cache_options
@_fail_on_unanalysed_option
@_progress_option
def baseline_command(paths: tuple[Path, ...], output: Path | None, exclude: tuple[str, ...],
                     var_files: tuple[Path, ...], assignments: tuple[tuple[str, str], ...],
                     parameters: tuple[str, ...], assume_worst: bool | None, config_file: Path | None,
                     select: tuple[str, ...], ignore: tuple[str, ...], inline_suppressions: bool | None,
                     untrusted: bool, policies_dirs: tuple[Path, ...], allow_repository_policies: bool,
                     jobs: int | None, fail_on_unanalysed: tuple[str, ...], progress: bool | None) -> None:
    """Record the findings of PATHS today in a baseline file, by fingerprint (rule, resource, file,
    cause: lines may shift); `iac-assist scan --baseline FILE` then reports and gates only new ones.
    Suppressed findings are not recorded.

    Exit code 0 when written; 2 when an input could not be analysed, or input of a category named
    by --fail-on-unanalysed was left out (the file is written, but its findings are missing from it)."""
    from iac_assist.analysis.engine import scan as run_scan
    from iac_assist.gate.baseline import entries, to_json
    from iac_assist.parsers.terraform.given import VariableInputs

    settings = _settings(paths, config_file, select=select, ignore=ignore, exclude=exclude, var_files=var_files,
                         parameters=parameters, inline_suppressions=inline_suppressions, assume_worst=assume_worst,
                         untrusted=untrusted, fail_on_unanalysed=fail_on_unanalysed, policies_dirs=policies_dirs,
                         allow_repository_policies=allow_repository_policies, activate=True)
    target = output or settings.baseline
    if target is None:
        raise click.UsageError("say where to write the baseline: --output FILE (or baseline in the configuration)")
    variables = VariableInputs(settings.var_files, assignments, dict(os.environ))
    with _watching(progress) as observer:
        result = _run(run_scan, paths, settings, variables=variables,
                      template_options=_template_options(settings), jobs=jobs, progress=observer)
    _add_errors(result, settings.policy_errors)
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


def _add_errors(result: ScanResult, errors: tuple[Any, ...]) -> None:
    """What loading the policies of one's own reported, among the scan's errors (a broken
    policy fails the gate with exit 2; the others' findings are still reported)."""
    if errors:
        result.errors = sorted(set(result.errors) | set(errors), key=lambda e: (e.file, e.line, e.column, e.message))


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
    from iac_assist.gate import unmatched
    from iac_assist.gate.baseline import BaselineError
    from iac_assist.gate.config import ConfigError

    try:
        result = run_scan(list(paths) or [Path(".")], exclude=settings.exclude, select=settings.select,
                          ignore=settings.ignore, severity=settings.severity,
                          inline_suppressions=settings.inline_suppressions, **options)
    except (ConfigError, BaselineError) as err:
        raise _SetupError(str(err)) from None
    unmatched.report(result, settings)
    return result


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
@_policies_dir_option
@click.option("--check-examples", "check_dirs", multiple=True, metavar="DIR",
              type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Check the examples of the policies in DIR (DIR/examples/<control>/insecure.tf, fixed.tf, "
                   "insecure.yaml, fixed.yaml): each insecure twin reports its control, each fixed twin does not. "
                   "Exit 1 when one does not, 2 when a policy could not be loaded.")
def rules(rule: str | None, fmt: str, output: Path | None, policies_dirs: tuple[Path, ...],
          check_dirs: tuple[Path, ...]) -> None:
    """List every rule, or explain RULE (a rule id or a control slug): what it checks, why it
    matters, how to fix it in Terraform and CloudFormation. The policies of one's own
    (--policies-dir, installed packages) are listed with the built-in ones."""
    import json

    from iac_assist.analysis.custom_policies import activate, describe_source
    from iac_assist.policies import all_policies
    from iac_assist.report import rule_docs as docs

    loaded = activate((*policies_dirs, *check_dirs))
    _report_errors_list(loaded.errors)
    if check_dirs:
        _check_examples(loaded.policies, check_dirs, failed_to_load=any(e.level == "error" for e in loaded.errors))
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
            **describe_source(p),
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
    if any(e.level == "error" for e in loaded.errors):
        sys.exit(2)


def _check_examples(policies: list[Any], folders: tuple[Path, ...], failed_to_load: bool) -> None:
    """``rules --check-examples``: one line per twin, then the verdict; exits."""
    import tempfile

    from iac_assist.analysis.examples import check

    # The policies defined in those folders (their files are shown relative to the current one).
    homes = {folder.resolve() for folder in folders}
    mine = [p for p in policies if p.source is not None and (Path.cwd() / p.source.file).resolve().parent in homes]
    with tempfile.TemporaryDirectory(prefix="iac-assist-examples-") as work:
        results = check(mine, Path(work))
    for outcome in results:
        status = "ok  " if outcome.ok else "FAIL"
        detail = f": {outcome.problem}" if outcome.problem else ""
        click.echo(safe(f"{status} {outcome.policy.id} {outcome.twin}{detail}"))
    failures = [r for r in results if not r.ok]
    click.echo(f"{len(results)} example{'s' if len(results) != 1 else ''} of {len(mine)} "
               f"polic{'ies' if len(mine) != 1 else 'y'} checked: "
               + (f"{len(failures)} failed" if failures else "all as expected"))
    if failed_to_load:
        click.echo("some policies could not be loaded (see above)", err=True)
        sys.exit(2)
    sys.exit(1 if failures or not mine else 0)


def _report_errors_list(errors: list[Any]) -> None:
    from iac_assist.report.text import error_line

    for error in errors:
        click.echo(safe(error_line(error)), err=True)


_MODEL_FORMATS = ("json", "markdown", "mermaid", "dot", "otm", "sarif", "html", "text")


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("-f", "--format", "fmt",
              type=click.Choice(_MODEL_FORMATS),
              default="markdown", show_default=True,
              help="Output format; sarif: the attack paths as code scanning results, each with its steps as a code "
                   "flow (a category of its own beside the scan's); html: one self-contained interactive page (pan, "
                   "zoom, search, filters, threats with their findings and source lines, attack paths hop by hop) "
                   "that loads nothing. With --base: json, markdown, text, sarif (one result per attack path the "
                   "change adds, at the line that opened it) or html (the whole model, what the change adds and "
                   "removes marked).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the model to FILE instead of standard output (whole or not at all; relative to the "
                   "current folder).")
@_report_option(_MODEL_FORMATS, "json, markdown, mermaid, dot, otm, sarif, html; with --base: json, markdown, "
                                "text, sarif, html")
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
@_cache_options
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
@_progress_option
def model(paths: tuple[Path, ...], fmt: str, output: Path | None, reports: tuple[tuple[str, Path], ...], view: str,
          project_name: str, project_id: str,
          otm_mapping: str | None, exclude: tuple[str, ...],
          var_files: tuple[Path, ...], assignments: tuple[tuple[str, str], ...], parameters: tuple[str, ...],
          config_file: Path | None, untrusted: bool, jobs: int | None, max_file_size: int | None,
          fail_on_unanalysed: tuple[str, ...], data_classes: Path | None, base: str | None,
          base_state: Path | None, fail_on_new_path: bool, fail_on: str | None, progress: bool | None) -> None:
    """Draw the threat model of PATHS: components in trust zones, flows across boundaries, attack
    paths from the internet to data stores, and STRIDE threats, open or mitigated. With --base REF,
    print what the change since REF does to it instead.

    Exit code 0 when the model was drawn from everything; 1 with --fail-on-new-path when the change
    adds an attack path or opens a threat at or above --fail-on; 2 when an input could not be
    analysed, or input of a category named by --fail-on-unanalysed was left out. Inputs not analysed,
    and their count by category, are printed on standard error."""
    from iac_assist.analysis.engine import scan as run_scan
    from iac_assist.gate import unmatched
    from iac_assist.inputs.excludes import literal
    from iac_assist.parsers.cloudformation.options import TemplateOptions, read_parameters
    from iac_assist.parsers.terraform.given import VariableInputs
    from iac_assist.threatmodel.build import build
    from iac_assist.threatmodel.formats import render

    if base is not None and base_state is not None:
        raise _BadParameter("compare with a git revision or with a deployed state, not both", param_hint="--base-state")
    compared = base or (str(base_state) if base_state else None)
    _check_base_options(fmt, compared, fail_on_new_path, fail_on)
    for report_fmt, path in reports:
        try:
            _check_base_options(report_fmt, compared, False, None)
        except click.BadParameter as err:
            raise _BadParameter(f"{report_fmt}={path}: {err.message}", param_hint="--report") from None
    options = _model_options(paths, fmt, view, project_name, project_id, otm_mapping)
    for report_fmt, _ in reports:
        _model_options(paths, report_fmt, view, project_name, project_id, None)  # the mapping is read once, above
    settings = _settings(paths, config_file, exclude=exclude, var_files=var_files, parameters=parameters,
                         untrusted=untrusted, fail_on_unanalysed=fail_on_unanalysed, fail_on=fail_on)
    _check_targets(reports, output, settings, ("the deployed state", base_state),
                   ("the data classification", data_classes))
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

    def analyse(scanned: list[Path], root: Path | None = None, deployed: bool = False,
                observer: Any = None) -> ScanResult:
        exclude = settings.exclude + (() if deployed else tuple(literal(rel) for rel in state_excluded))
        return run_scan(scanned, root=root, exclude=exclude, variables=variables,
                        template_options=template_options, inline_suppressions=False, jobs=jobs,
                        max_file_size=max_file_size, progress=observer)

    with _watching(progress) as observer:
        result = analyse(list(paths) or [Path(".")], observer=observer)
    unmatched.report(result, settings)
    if state_excluded:
        # The state is analysed, as the base: leaving it out of the working tree's side is no gap.
        result.errors = [e for e in result.errors if not (e.category == "skipped-iac" and e.file in state_excluded)]
        result.excluded = [rel for rel in result.excluded if rel not in state_excluded]
    if base is not None or base_state is not None:
        change, render_diff = _model_diff(result, analyse, paths, base, classes, base_state, options)
        _emit(render_diff, fmt, output, reports)
        _report_errors(result)
        _gate_gaps(result, settings.fail_on_unanalysed)
        if result.has_errors or result.gate_gaps(settings.fail_on_unanalysed):
            sys.exit(2)
        if fail_on_new_path and _opens(change, settings.fail_on):
            click.echo(safe(f"iac-assist: the gate fails (exit 1): {change.summary()['verdict']}"), err=True)
            sys.exit(1)
        sys.exit(0)
    built = build(result, classes)  # once, whatever the number of formats

    def render_model(name: str) -> str:
        from dataclasses import replace

        if name == "sarif":
            from iac_assist.report.locations import repo_locations

            return render(built, name, replace(options, places=repo_locations(result)))
        if name == "html":
            return render(built, name, replace(options, result=result))
        return render(built, name, options)

    _emit(render_model, fmt, output, reports)
    _report_errors(result)
    if result.gaps:
        from iac_assist.report.text import gaps

        click.echo(safe(gaps(result)[0]), err=True)  # the "Not analysed: ..." line; standard error is for problems
    _gate_gaps(result, settings.fail_on_unanalysed)
    sys.exit(2 if result.has_errors or result.gate_gaps(settings.fail_on_unanalysed) else 0)


def _check_base_options(fmt: str, base: str | None, fail_on_new_path: bool, fail_on: str | None) -> None:
    """What only --base reads, and the formats a difference has: checked before the scan."""
    from iac_assist.threatmodel.formats import diff_format, diff_sarif

    formats = (*diff_format.FORMATS, diff_sarif.FORMAT, "html")
    if base is None:
        if fmt == "text":
            raise _BadParameter("text is a format of the difference: give --base REF too", param_hint="--format")
        for given, name in ((fail_on_new_path, "--fail-on-new-path"), (fail_on, "--fail-on")):
            if given:
                raise _BadParameter("it gates what a change does: give --base REF too", param_hint=name)
    elif fmt not in formats:
        raise _BadParameter(f"with --base, the difference is printed as {', '.join(formats)}", param_hint="--format")


def _emit(render: Callable[[str], str], fmt: str, output: Path | None, reports: tuple[tuple[str, Path], ...]) -> None:
    """The --report files, then --format's output to --output or standard output."""
    for report_fmt, path in reports:
        _write(path, render(report_fmt))
    text = render(fmt)
    if output is not None:
        _write(output, text)
    else:
        click.echo(text, nl=False)


def _model_diff(result: ScanResult, analyse: Callable[..., ScanResult], paths: tuple[Path, ...], base: str | None,
                classes: list[tuple[str, str]], base_state: Path | None = None,
                options: RenderOptions | None = None) -> tuple[ModelDiff, Callable[[str], str]]:
    """What the working tree (``result``) changes in the threat model since git revision
    ``base``, whose files are analysed as they were there, or against the deployed ``base_state``
    (a state, or a plan's prior state): the difference, and its renderer by format (the
    difference is computed once, whatever the number of formats)."""
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

    def render(fmt: str) -> str:
        if fmt == "sarif":
            from iac_assist.report.locations import repo_locations
            from iac_assist.threatmodel.formats import diff_sarif

            return diff_sarif.render(change, after, repo_locations(result), before)
        if fmt == "html":
            from dataclasses import replace

            from iac_assist.threatmodel.formats import html_format

            return html_format.render(after, replace(options, result=result, change=change) if options else None)
        text = render_diff(change, fmt, base)
        if fmt == "text":
            text = "".join(safe(line) + "\n" for line in text.splitlines())
        return text

    return change, render


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
    from iac_assist.parsers.terraform.sniff import looks_like_plan, looks_like_state
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


def _check_targets(reports: tuple[tuple[str, Path], ...], output: Path | None, settings: Settings,
                   *more: tuple[str, Path | None]) -> None:
    """The files --output and --report write: each named once, none a file the run reads (the
    settings' files and ``more``)."""
    from iac_assist.report.outputs import ReportError, check_targets

    read = [("the configuration file", settings.source), ("the baseline", settings.baseline),
            *(("a variables file", path) for path in settings.var_files),
            *(("a parameters file", Path(item)) for item in settings.parameters if Path(item).is_file()), *more]
    try:
        check_targets(reports, output, [(what, path) for what, path in read if path is not None])
    except ReportError as err:
        raise _BadParameter(str(err), param_hint="--report" if reports else "--output") from None


def _write(output: Path, text: str) -> None:
    """Write a report, whole or not at all; its folder is created (a CI step writing
    reports/x.sarif expects that)."""
    from iac_assist.report.outputs import write_atomic

    try:
        write_atomic(output, text)
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


GC_THRESHOLD = 5_000
"""Allocations between two runs of the cyclic garbage collector's youngest generation (Python's
default: 700). A scan makes objects by the million (syntax trees, models) and keeps most of them
to its end: at the default, the collector went over them again and again, a fifth of the CPU time
of a serial scan of ../shared/corpus; at this value, for some 2% more memory."""


def main() -> None:
    gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])
    try:
        cli(standalone_mode=True)
        status = 0
    except KeyboardInterrupt:
        status = 130
    except SystemExit as done:
        status = exit_status(done.code)
    leave(status)


def exit_status(code: object) -> int:
    """The status ``sys.exit(code)`` gives: None is 0, a message is printed and gives 1."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def leave(status: int) -> None:
    """End the process once the reports are written, without tearing the interpreter down.

    A scan ends with millions of objects alive (syntax trees, the model, the graph); deallocating
    them one by one at exit took a quarter to half a second of a corpus scan, for nothing the
    operating system does not do at once. Nothing of ours waits for exit handlers: worker pools
    are shut down and cache entries renamed into place before this point. Standard output and
    error are flushed first (a reader that closed the pipe has taken what it wanted)."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    compiled_methods.save()
    parse_cache = sys.modules.get("iac_assist.inputs.parse_cache")
    if parse_cache is not None:
        parse_cache.flush()  # entries still being written (evict, at the end of a scan, waited for them)
    os._exit(status & 0xFF)  # as the operating system keeps it (sys.exit(-1) is 255)
