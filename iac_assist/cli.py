"""The command line: ``iac-assist scan`` and friends.

Exit codes: 0 nothing at or above ``--fail-on``; 1 findings at or above it; 2 a usage error, or
an input that could not be analysed (the gate fails closed on what it did not read).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from iac_assist import __version__

FAIL_ON = ("critical", "high", "medium", "low", "none")


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


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json", "sarif"]), default="text",
              show_default=True, help="Report format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the report to FILE instead of standard output.")
@click.option("--fail-on", type=click.Choice(FAIL_ON), default="low", show_default=True,
              help="Lowest severity that makes the exit code 1.")
@click.option("--exclude", multiple=True, metavar="GLOB",
              help="Skip files or folders matching GLOB (relative to the scan root); repeatable.")
@click.option("--var-file", "var_files", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Terraform variables file (.tfvars or .tfvars.json) for the root modules; repeatable.")
@click.option("--var", "assignments", multiple=True, metavar="NAME=VALUE", callback=_assignments,
              help="Set a Terraform root variable, as terraform -var does; repeatable; wins over --var-file.")
@click.option("--parameters", "parameters", multiple=True, metavar="FILE|KEY=VALUE",
              help="CloudFormation parameter values: a file (AWS CLI JSON list, {\"Parameters\": {...}}, or "
                   "Key=Value lines) or a Key=Value pair; repeatable.")
@click.option("--assume-worst", is_flag=True,
              help="CloudFormation: report what is insecure in any possible deployment (open conditions, "
                   "AllowedValues), not only in every one.")
def scan(paths: tuple[Path, ...], fmt: str, output: Path | None, fail_on: str, exclude: tuple[str, ...],
         var_files: tuple[Path, ...], assignments: tuple[tuple[str, str], ...], parameters: tuple[str, ...],
         assume_worst: bool) -> None:
    """Scan PATHS (files or folders; default: the current folder) and report findings.

    Terraform root variables take their values as terraform plan gives them: defaults, TF_VAR_name
    environment variables, terraform.tfvars and *.auto.tfvars beside the root module, then
    --var-file and --var. A variable left without a value is unknown, never guessed.

    CloudFormation parameters take --parameters, else their defaults. Where a condition depends
    on a parameter with no value, a finding is reported when it holds whichever way the
    condition goes (or, with --assume-worst, when it holds in any one way)."""
    from iac_assist.engine import scan as run_scan
    from iac_assist.parsers.cloudformation.options import TemplateOptions, read_parameters
    from iac_assist.parsers.terraform.inputs import VariableInputs
    from iac_assist.reporters import render

    variables = VariableInputs(var_files, assignments, dict(os.environ))
    try:
        template_options = TemplateOptions(read_parameters(list(parameters)), assume_worst)
    except (ValueError, OSError) as err:
        raise click.BadParameter(str(err), param_hint="--parameters") from None
    result = run_scan(list(paths) or [Path(".")], exclude=exclude, variables=variables,
                      template_options=template_options)
    color = output is None and fmt == "text" and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    report = render(result, fmt, color=color)
    if output is not None:
        _write(output, report)
    else:
        click.echo(report, nl=False)
    sys.exit(result.exit_code(fail_on))


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

    from iac_assist import docs
    from iac_assist.policies import all_policies

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
@click.option("-f", "--format", "fmt", type=click.Choice(["json", "markdown", "mermaid", "dot", "otm"]),
              default="markdown", show_default=True, help="Output format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the model to FILE instead of standard output.")
@click.option("--exclude", multiple=True, metavar="GLOB", help="Skip files or folders matching GLOB; repeatable.")
@click.option("--var-file", "var_files", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Terraform variables file for the root modules; repeatable.")
@click.option("--var", "assignments", multiple=True, metavar="NAME=VALUE", callback=_assignments,
              help="Set a Terraform root variable; repeatable.")
@click.option("--parameters", "parameters", multiple=True, metavar="FILE|KEY=VALUE",
              help="CloudFormation parameter values (as for scan); repeatable.")
def model(paths: tuple[Path, ...], fmt: str, output: Path | None, exclude: tuple[str, ...],
          var_files: tuple[Path, ...], assignments: tuple[tuple[str, str], ...], parameters: tuple[str, ...]) -> None:
    """Draw the threat model of PATHS: components in trust zones, flows across boundaries, attack
    paths from the internet to data stores, and STRIDE threats, open or mitigated.

    Exit code 0 when the model was drawn from everything; 2 when an input could not be analysed."""
    from iac_assist.engine import scan as run_scan
    from iac_assist.parsers.cloudformation.options import TemplateOptions, read_parameters
    from iac_assist.parsers.terraform.inputs import VariableInputs
    from iac_assist.threatmodel.build import build
    from iac_assist.threatmodel.formats import render

    try:
        template_options = TemplateOptions(read_parameters(list(parameters)))
    except (ValueError, OSError) as err:
        raise click.BadParameter(str(err), param_hint="--parameters") from None
    result = run_scan(list(paths) or [Path(".")], exclude=exclude,
                      variables=VariableInputs(var_files, assignments, dict(os.environ)),
                      template_options=template_options)
    text = render(build(result), fmt)
    if output is not None:
        _write(output, text)
    else:
        click.echo(text, nl=False)
    for error in result.errors:
        click.echo(f"{error}", err=True)
    sys.exit(2 if result.has_errors else 0)


def _write(output: Path, text: str) -> None:
    """Write a report; its folder is created (a CI step writing reports/x.sarif expects that)."""
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
    except OSError as err:
        raise _OutputError(f"cannot write {output}: {err.strerror or err}") from None


class _OutputError(click.ClickException):
    exit_code = 2  # 1 means findings: a report that could not be written must not look like that


def main() -> None:
    try:
        cli(standalone_mode=True)
    except KeyboardInterrupt:
        sys.exit(130)
