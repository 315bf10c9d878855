"""One run, several reports: ``scan --report FORMAT=PATH`` and ``model --report FORMAT=PATH`` as a CI
step uses them: every file equal to what a separate run with ``--format`` writes, the console
and the exit code unchanged, mistakes caught before the scan, files written whole or not at all."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from iac_assist.cli import cli
from iac_assist.report import FORMATS
from tests.conftest import SEED
from tests.sarif_schema import validate_sarif
from tests.test_threatmodel_diff import DB_TF, repo  # noqa: F401  (the fixture)

INSECURE_TF = str(SEED / "terraform" / "insecure")
MODEL_FORMATS = ("json", "markdown", "mermaid", "dot", "otm", "sarif", "html")
DIFF_FORMATS = ("json", "markdown", "text", "sarif", "html")


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def count_scans(monkeypatch):
    """How many times the engine analysed the inputs."""
    from iac_assist.analysis import engine

    calls: list[int] = []
    real = engine.scan

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(engine, "scan", counted)
    return calls


# scan --------------------------------------------------------------------------------------------


def test_one_scan_writes_every_format_byte_for_byte_as_separate_runs_do(tmp_path, count_scans):
    reports = [f"--report={fmt}={tmp_path / 'one' / f'report.{fmt}'}" for fmt in FORMATS]
    together = run("scan", INSECURE_TF, "--verbose", *reports)
    assert len(count_scans) == 1  # one analysis for seven outputs
    for fmt in FORMATS:
        alone = run("scan", INSECURE_TF, "--verbose", "--format", fmt, "--output", str(tmp_path / f"alone.{fmt}"))
        assert alone.exit_code == together.exit_code == 1
        assert (tmp_path / "one" / f"report.{fmt}").read_bytes() == (tmp_path / f"alone.{fmt}").read_bytes(), fmt
    validate_sarif(json.loads((tmp_path / "one" / "report.sarif").read_text(encoding="utf-8")))
    # The console still has the text report, as without --report.
    assert together.output == run("scan", INSECURE_TF, "--verbose").output


@pytest.mark.parametrize(("fail_on", "code"), [("low", 1), ("none", 0)])
def test_the_console_keeps_format_and_the_exit_code_is_the_gates(tmp_path, fail_on, code):
    result = run("scan", INSECURE_TF, "--fail-on", fail_on, "--format", "json", "--report",
                 f"sarif={tmp_path / 'r.sarif'}")
    assert result.exit_code == code
    assert result.output == run("scan", INSECURE_TF, "--fail-on", fail_on, "--format", "json").output
    assert json.loads((tmp_path / "r.sarif").read_text(encoding="utf-8"))["runs"][0]["results"]


def test_reports_beside_output_each_get_their_format(tmp_path):
    result = run("scan", INSECURE_TF, "-f", "junit", "-o", str(tmp_path / "junit.xml"),
                 "--report", f"markdown={tmp_path / 'summary.md'}")
    assert result.exit_code == 1 and result.output == ""
    assert (tmp_path / "junit.xml").read_text(encoding="utf-8").startswith("<?xml")
    assert (tmp_path / "summary.md").read_text(encoding="utf-8").startswith("## iac-assist\n")


@pytest.fixture
def no_scan(monkeypatch):
    """A scan that must not happen: a usage error is found before it."""
    from iac_assist.analysis import engine

    def refuse(*args, **kwargs):
        raise AssertionError("scanned before the options were checked")

    monkeypatch.setattr(engine, "scan", refuse)


@pytest.mark.parametrize(("spec", "message"), [
    ("pdf=out.pdf", "unknown format 'pdf' in 'pdf=out.pdf'; expected one of text, json, sarif, github, junit, "
                    "markdown"),
    ("sarif", "expected FORMAT=PATH (e.g. sarif=results.sarif), not 'sarif'"),
    ("sarif=", "expected FORMAT=PATH (e.g. sarif=results.sarif), not 'sarif='"),
    ("sarif=reports/", "reports/ is a folder: name the file to write (sarif=reports/report)"),
    ("sarif=existing", "existing is a folder: name the file to write (sarif=existing/report)"),
    ("sarif=a-file/new/r.sarif", "a-file/new/r.sarif: a-file is a file, not a folder"),
])
def test_a_report_that_cannot_be_written_is_a_usage_error_before_the_scan(tmp_path, monkeypatch, no_scan, spec,
                                                                           message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "existing").mkdir()
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    result = CliRunner().invoke(cli, ["scan", INSECURE_TF, "--report", spec])
    assert result.exit_code == 2
    assert f"Error: Invalid value for '--report': {message}\n" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "existing"]  # nothing written


@pytest.mark.parametrize(("args", "message"), [
    (["--report", "sarif=r.sarif", "--report", "json=./r.sarif"], "json=r.sarif writes the same file as sarif=r.sarif"),
    (["-o", "r.sarif", "--report", "sarif=r.sarif"], "sarif=r.sarif writes the same file as --output r.sarif"),
    (["--report", "json=.iac-assist.toml"], "json=.iac-assist.toml would overwrite the configuration file, which "
                                            "this run reads"),
    (["--config", "other.toml", "-o", "other.toml"], "--output other.toml would overwrite the configuration file, "
                                                     "which this run reads"),
    (["--baseline", "base.json", "--report", "json=base.json"], "json=base.json would overwrite the baseline, which "
                                                                "this run reads"),
    (["--var-file", "prod.tfvars", "--report", "text=prod.tfvars"], "text=prod.tfvars would overwrite a variables "
                                                                    "file, which this run reads"),
    (["--parameters", "params.json", "--report", "json=params.json"], "json=params.json would overwrite a "
                                                                      "parameters file, which this run reads"),
])
def test_two_outputs_in_one_file_or_over_an_input_are_usage_errors(write_tree, monkeypatch, no_scan, args, message):
    root = write_tree({"main.tf": "", ".iac-assist.toml": 'fail-on = "high"\n', "other.toml": "",
                       "base.json": "{}", "prod.tfvars": "", "params.json": "[]"})
    monkeypatch.chdir(root)
    before = {p.name: p.read_bytes() for p in root.iterdir()}
    result = CliRunner().invoke(cli, ["scan", ".", *args])
    assert result.exit_code == 2, result.output
    hint = "--output" if args[-2] == "-o" else "--report"
    assert f"Error: Invalid value for {hint}: {message}\n" in result.output
    assert {p.name: p.read_bytes() for p in root.iterdir()} == before


def test_a_report_is_written_whole_or_not_at_all(tmp_path, monkeypatch):
    target = tmp_path / "results.sarif"
    target.write_text("the previous run's report\n", encoding="utf-8")

    def full_disk(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    result = CliRunner().invoke(cli, ["scan", INSECURE_TF, "--report", f"sarif={target}"])
    assert result.exit_code == 2  # not 1: the findings were not all reported
    assert f"Error: cannot write {target}: No space left on device\n" in result.output
    assert target.read_text(encoding="utf-8") == "the previous run's report\n"  # untouched
    assert [p.name for p in tmp_path.iterdir()] == ["results.sarif"]  # no temporary file left behind


def test_a_report_replaces_the_previous_one_and_is_readable_as_output_files_are(tmp_path):
    target = tmp_path / "deep" / "results.json"
    target.parent.mkdir()
    target.write_text("x" * 1_000_000, encoding="utf-8")  # longer than the new report: no tail is left
    run("scan", INSECURE_TF, "--report", f"json={target}")
    assert json.loads(target.read_text(encoding="utf-8"))["findings"]
    assert sorted(p.name for p in target.parent.iterdir()) == ["results.json"]
    run("scan", INSECURE_TF, "-f", "json", "-o", str(tmp_path / "plain.json"))
    assert target.stat().st_mode & 0o777 == (tmp_path / "plain.json").stat().st_mode & 0o777


def test_a_report_path_that_is_a_link_is_written_where_it_leads(tmp_path):
    # As `-o /dev/stdout` with standard output redirected to a file: the link stays a link.
    target, link = tmp_path / "real.json", tmp_path / "link.json"
    target.write_text("", encoding="utf-8")
    link.symlink_to(target)
    run("scan", INSECURE_TF, "--report", f"json={link}")
    assert link.is_symlink() and json.loads(target.read_text(encoding="utf-8"))["findings"]


@pytest.mark.skipif(not Path("/dev/stdout").exists(), reason="no /dev/stdout")
def test_output_to_dev_stdout_reaches_standard_output():
    code = "from iac_assist.cli import main; main()"
    done = subprocess.run([sys.executable, "-c", code, "scan", INSECURE_TF, "-f", "json", "-o", "/dev/stdout"],
                          capture_output=True, text=True, timeout=120)  # a pipe: never a file to replace
    assert done.returncode == 1, done.stderr
    assert json.loads(done.stdout)["findings"]


# model -------------------------------------------------------------------------------------------


def test_one_model_run_renders_every_format_from_one_model(tmp_path, monkeypatch, count_scans):
    from iac_assist.threatmodel import build

    builds: list[int] = []
    real = build.build
    monkeypatch.setattr(build, "build", lambda *a, **k: builds.append(1) or real(*a, **k))
    reports = [f"--report={fmt}={tmp_path / f'model.{fmt}'}" for fmt in MODEL_FORMATS]
    together = run("model", INSECURE_TF, *reports)
    assert (len(count_scans), len(builds)) == (1, 1)
    for fmt in MODEL_FORMATS:
        alone = run("model", INSECURE_TF, "--format", fmt, "--output", str(tmp_path / f"alone.{fmt}"))
        assert alone.exit_code == together.exit_code == 0
        assert (tmp_path / f"model.{fmt}").read_bytes() == (tmp_path / f"alone.{fmt}").read_bytes(), fmt
    validate_sarif(json.loads((tmp_path / "model.sarif").read_text(encoding="utf-8")))
    assert together.output == run("model", INSECURE_TF).output  # the Markdown model, as without --report


def test_with_base_every_difference_format_comes_from_one_comparison(repo, tmp_path):  # noqa: F811
    (repo / "infra" / "main.tf").write_text(DB_TF["open"], encoding="utf-8")
    infra = str(repo / "infra")
    reports = [f"--report={fmt}={tmp_path / f'diff.{fmt}'}" for fmt in DIFF_FORMATS]
    together = run("model", infra, "--base", "HEAD", "-f", "json", *reports)
    for fmt in DIFF_FORMATS:
        alone = run("model", infra, "--base", "HEAD", "-f", fmt, "-o", str(tmp_path / f"alone.{fmt}"))
        assert alone.exit_code == together.exit_code == 0
        assert (tmp_path / f"diff.{fmt}").read_bytes() == (tmp_path / f"alone.{fmt}").read_bytes(), fmt
    doc = json.loads((tmp_path / "diff.sarif").read_text(encoding="utf-8"))
    validate_sarif(doc)
    assert [r["ruleId"] for r in doc["runs"][0]["results"]] == ["IAC-TM-PATH"]
    assert "opens 1 attack path" in (tmp_path / "diff.text").read_text(encoding="utf-8")
    assert together.output == run("model", infra, "--base", "HEAD", "-f", "json").output


@pytest.mark.parametrize(("args", "message"), [
    (["--report", "text=m.txt"], "Invalid value for --report: text=m.txt: text is a format of the difference: "
                                 "give --base REF too"),
    (["--base", "HEAD", "--report", "mermaid=m.mmd"], "Invalid value for --report: mermaid=m.mmd: with --base, "
                                                      "the difference is printed as json, markdown, text, sarif, "
                                                      "html"),
    (["--report", "junit=m.xml"], "Invalid value for '--report': unknown format 'junit' in 'junit=m.xml'"),
    (["--view", "per-vpc", "--report", "mermaid=m.mmd"], "Invalid value for --view: per-vpc draws several "
                                                         "diagrams"),
    (["-o", "m.json", "--report", "json=m.json"], "Invalid value for --report: json=m.json writes the same file as "
                                                  "--output m.json"),
])
def test_model_reports_are_checked_before_the_scan(tmp_path, monkeypatch, no_scan, args, message):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["model", INSECURE_TF, *args])
    assert result.exit_code == 2
    assert f"Error: {message}" in result.output
    assert list(tmp_path.iterdir()) == []


def test_a_model_report_may_not_overwrite_the_data_classification_it_reads(tmp_path, monkeypatch, no_scan):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "classes.toml").write_text("", encoding="utf-8")
    result = CliRunner().invoke(cli, ["model", INSECURE_TF, "--data-classification", "classes.toml",
                                      "--report", "json=classes.toml"])
    assert result.exit_code == 2
    assert ("Error: Invalid value for --report: json=classes.toml would overwrite the data classification, which "
            "this run reads\n") in result.output
    assert (tmp_path / "classes.toml").read_text(encoding="utf-8") == ""


def test_the_process_ends_with_the_scans_status_and_everything_written(tmp_path):
    # main() leaves without tearing the interpreter down (cli.leave): the status and the output
    # must be those of a normal exit.
    out = tmp_path / "report.sarif"
    done = subprocess.run([sys.executable, "-m", "iac_assist", "scan", INSECURE_TF, "-f", "json",
                           "--report", f"sarif={out}"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    assert json.loads(done.stdout)["findings"] and json.loads(out.read_text(encoding="utf-8"))["runs"]
    usage = subprocess.run([sys.executable, "-m", "iac_assist", "scan", "--no-such-option"], capture_output=True,
                           text=True, timeout=120)
    assert usage.returncode == 2 and "No such option" in usage.stderr
    clean = subprocess.run([sys.executable, "-m", "iac_assist", "--version"], capture_output=True, text=True,
                           timeout=120)
    assert clean.returncode == 0 and clean.stdout.startswith("iac-assist")


def test_exit_statuses_are_those_of_sys_exit():
    from iac_assist.cli import exit_status

    assert [exit_status(None), exit_status(0), exit_status(2)] == [0, 0, 2]
    assert exit_status("a message") == 1
