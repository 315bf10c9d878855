"""What a person at a terminal sees of a scan (issue 21): clickable finding lines, colour by
flag and environment, the progress line, --verbose, --quiet and --show-source."""

from __future__ import annotations

import io
import re
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from iac_assist import cli as cli_module
from iac_assist.analysis.engine import scan
from iac_assist.analysis.findings import Finding
from iac_assist.analysis.result import ScanResult
from iac_assist.cli import cli
from iac_assist.model import Location, ScanError
from iac_assist.report import progress as progress_module
from iac_assist.report import render
from iac_assist.report.color import wanted
from iac_assist.report.progress import ProgressLine
from iac_assist.report.source_lines import MAX_LINE, SourceLines
from tests.conftest import SEED

PUBLIC_BUCKET = """\
resource "aws_s3_bucket" "site" {
  bucket = "site"
  acl    = "public-read"
}
"""
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def run(*args: str, env: dict[str, str] | None = None, color: bool = False):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False, env=env, color=color)


@pytest.fixture
def bucket(write_tree) -> Path:
    return write_tree({"main.tf": PUBLIC_BUCKET})


@pytest.fixture
def terminal(monkeypatch):
    """Standard output and standard error pretend to be terminals."""
    monkeypatch.setattr(cli_module, "_terminal", lambda stream: True)


# The finding line ---------------------------------------------------------------------------------


def test_a_finding_is_one_clickable_line(bucket):
    result = run("scan", str(bucket), "--select", "IAC-S3-001")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "main.tf:3:1: IAC-S3-001 [high] Anyone on the internet can read bucket aws_s3_bucket.site: its canned ACL "
        "is public-read, and no public access block neutralises it. Remove the public ACL or grant, restrict the "
        "policy's principal or add a condition, and enable all four public access block settings.",
        "",
        "1 finding (1 high) in 1 file"]


def test_seed_app_lines_have_the_compiler_shape():
    result = run("scan", str(SEED / "terraform" / "insecure"))
    findings = [line for line in result.stdout.split("\n\n")[0].splitlines() if not line.startswith(" ")]
    assert len(findings) > 10
    shape = re.compile(r"^[\w./-]+:\d+:\d+: IAC-[A-Z0-9]+-\d{3} \[(critical|high|medium|low)\] \S")
    assert all(shape.match(line) for line in findings), findings
    assert ("modules/database/main.tf:41:1: IAC-RDS-003 [high] Database module.database.aws_db_instance.this is "
            "attached to security group") in result.stdout


def _finding(resource: str, message: str, loc: Location | None = None) -> Finding:
    return Finding("IAC-S3-001", "s3-public-read", "high", "t", resource, loc or Location("main.tf", 3, 5, 7),
                   message)


def test_the_resource_is_named_once_and_the_column_shown_when_known():
    named = _finding("aws_s3_bucket.site", "bucket aws_s3_bucket.site is public")
    unnamed = _finding("aws_s3_bucket.logs", "bucket is public", Location("a.tf", 9))
    out = render(ScanResult(root=Path("."), findings=[named, unnamed], files=["a.tf", "main.tf"]), "text")
    assert out.splitlines()[:2] == [
        "a.tf:9:1: IAC-S3-001 [high] aws_s3_bucket.logs: bucket is public",
        "main.tf:3:7: IAC-S3-001 [high] bucket aws_s3_bucket.site is public"]


def test_a_resource_is_named_by_the_message_only_as_a_whole_word():
    inside_a_word = _finding("Web", "target group WebTargetGroup is open", Location("t.yaml", 4))
    out = render(ScanResult(root=Path("."), findings=[inside_a_word]), "text")
    assert out.splitlines()[0] == "t.yaml:4:1: IAC-S3-001 [high] Web: target group WebTargetGroup is open"


def test_no_wrapping_however_long_the_message():
    long = _finding("r", "word " * 100)
    out = render(ScanResult(root=Path("."), findings=[long]), "text")
    assert out.splitlines()[0].endswith("word word ")
    assert out.splitlines()[1] == ""


# Heading of the problems ----------------------------------------------------------------------------


def test_warnings_alone_are_headed_warnings_and_errors_errors():
    warning = ScanError("a.yaml", 0, "not a template", level="warning")
    error = ScanError("b.tf", 2, "unexpected token")
    only_warnings = render(ScanResult(root=Path("."), errors=[warning]), "text").splitlines()
    assert only_warnings[:2] == ["Warnings", "  a.yaml: warning: not a template"]
    both = render(ScanResult(root=Path("."), errors=[warning, error]), "text").splitlines()
    assert both[:3] == ["Errors", "  a.yaml: warning: not a template", "  b.tf:2: unexpected token"]


# Colour -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("args", "env", "tty", "coloured"), [
    ((), {}, False, False),  # auto: not a terminal
    ((), {}, True, True),  # auto: a terminal
    ((), {"NO_COLOR": "1"}, True, False),
    ((), {"NO_COLOR": ""}, True, True),  # set but empty: not asked
    ((), {"FORCE_COLOR": "1"}, False, True),
    ((), {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False, False),  # NO_COLOR wins
    (("--color", "never"), {"FORCE_COLOR": "1"}, True, False),
    (("--color", "always"), {"NO_COLOR": "1"}, False, True),  # the flag is the user's word
])
def test_colour_by_flag_terminal_and_environment(bucket, monkeypatch, args, env, tty, coloured):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.setattr(cli_module, "_terminal", lambda stream: tty)
    result = run("scan", str(bucket), "--select", "IAC-S3-001", "--no-progress", *args, env=env, color=True)
    assert ("\x1b[" in result.stdout) is coloured
    if coloured:
        assert "main.tf:3:1: \x1b[1mIAC-S3-001\x1b[0m [\x1b[31mhigh\x1b[0m] Anyone" in result.stdout
    assert ANSI.sub("", result.stdout) == run("scan", str(bucket), "--select", "IAC-S3-001",
                                              "--color", "never").stdout


def test_a_report_file_is_coloured_only_when_asked_by_name(bucket, tmp_path):
    target = tmp_path / "out" / "report.txt"
    run("scan", str(bucket), "-o", str(target), env={"FORCE_COLOR": "1"})
    assert "\x1b" not in target.read_text()
    run("scan", str(bucket), "-o", str(target), "--color", "always")
    assert "\x1b[" in target.read_text()


def test_colour_choice_is_checked():
    assert wanted("auto", True, {}) and not wanted("auto", False, {})
    with pytest.raises(ValueError, match="sometimes"):
        wanted("sometimes", True, {})


def test_a_hostile_name_cannot_emit_a_colour_code(write_tree):
    root = write_tree({"main.tf": 'resource "aws_s3_bucket" "site\\u001b[31m" {\n  acl = "public-read"\n}\n'})
    hostile = _finding("aws_s3_bucket.x\x1b[32m\x1b]0;t\x07", "bucket \x1b[1;31mowned\x1b[0m",
                       Location("evil\x1b[0m.tf", 3))
    error = ScanError("bad\x1b[31m.tf", 1, "oops \x1b[0m", level="warning")
    for out in (render(ScanResult(root=Path("."), findings=[hostile], errors=[error]), "text", color=True),
                run("scan", str(root), "--color", "always", "--show-source", color=True).stdout):
        ours = out
        for code in ("\x1b[0m", "\x1b[1m", "\x1b[1;31m", "\x1b[31m", "\x1b[33m", "\x1b[36m"):
            ours = ours.replace(code, "")
        assert "\x1b" not in ours and "\x07" not in ours, out
    shown = render(ScanResult(root=Path("."), findings=[hostile], errors=[error]), "text", color=True)
    assert "aws_s3_bucket.x\\x1b[32m\\x1b]0;t\\x07" in shown and "evil\\x1b[0m.tf:3:1:" in shown


# Progress -----------------------------------------------------------------------------------------


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_progress_line_waits_a_moment_redraws_in_place_and_is_erased():
    stream, clock = io.StringIO(), _Clock()
    line = ProgressLine(stream, clock=clock, width=lambda: 200)
    line.found(12)
    assert stream.getvalue() == ""  # a quick scan draws nothing
    clock.now += 1.0
    line.step("loading", 3)
    line.advance()
    clock.now += 0.2
    line.analysed(1)
    line.advance()
    assert stream.getvalue() == (
        "\r\x1b[Kiac-assist: 12 files found, loading 0/3, 1.0s"
        "\r\x1b[Kiac-assist: 12 files found, 1 module or template analysed, loading 1/3, 1.2s")
    line.close()
    assert stream.getvalue().endswith("\r\x1b[K") and "\n" not in stream.getvalue()


def test_progress_line_is_cut_to_the_terminal_width():
    stream, clock = io.StringIO(), _Clock()
    line = ProgressLine(stream, clock=clock, width=lambda: 20)
    clock.now += 1
    line.found(5)
    assert stream.getvalue() == "\r\x1b[K" + "iac-assist: 5 files "[:19]


def test_progress_in_a_log_is_a_line_now_and_then_never_erased():
    stream, clock = io.StringIO(), _Clock()
    line = ProgressLine(stream, in_place=False, clock=clock)
    clock.now += 1
    line.found(3)
    line.step("checking", 10)  # too soon after the last line
    clock.now += 2.5
    line.advance(4)
    line.close()
    assert stream.getvalue() == ("iac-assist: 3 files found, 1.0s\n"
                                 "iac-assist: 3 files found, checking 4/10, 3.5s\n")


def test_progress_counts_what_completes_from_any_thread():
    line = ProgressLine(io.StringIO(), clock=_Clock())
    line.step("loading", 400)
    threads = [threading.Thread(target=lambda: [line.advance() for _ in range(100)]) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert line.done == 400


class _Recorder:
    def __init__(self) -> None:
        self.events: list[tuple] = []

    def found(self, files: int) -> None:
        self.events.append(("found", files))

    def step(self, name: str, total: int) -> None:
        self.events.append(("step", name, total))

    def advance(self, done: int = 1) -> None:
        self.events.append(("advance", done))

    def analysed(self, scopes: int) -> None:
        self.events.append(("analysed", scopes))


@pytest.mark.parametrize("jobs", [1, 2])
def test_the_engine_reports_each_step_as_it_completes(jobs):
    recorder = _Recorder()
    result = scan([SEED], jobs=jobs, progress=recorder)
    events = recorder.events
    assert events[0] == ("found", 20)
    loading = events[1]
    assert loading[:2] == ("step", "loading")
    checking = events.index(("step", "checking", len(result.policies)))
    # Every piece of loading work completes once, whether a worker or this process did it.
    assert sum(e[1] for e in events[2:checking] if e[0] == "advance") == loading[2]
    assert sum(e[1] for e in events[2:checking] if e[0] == "analysed") >= 3  # two root modules, two templates
    assert events[checking + 1:] == [("advance", 1)] * len(result.policies)


def test_progress_is_drawn_on_a_terminal_only_and_never_on_stdout(bucket, monkeypatch, terminal):
    monkeypatch.setattr(progress_module, "DELAY", 0.0)
    monkeypatch.setattr(progress_module, "INTERVAL", 0.0)
    shown = run("scan", str(bucket), "--color", "never")
    assert "\r\x1b[Kiac-assist: 1 file found" in shown.stderr and shown.stderr.endswith("\r\x1b[K")
    assert "\r" not in shown.stdout and "files found" not in shown.stdout
    assert run("scan", str(bucket), "--no-progress").stderr == ""
    assert run("scan", str(bucket), "--quiet", "--fail-on", "none").stderr == ""  # quiet: no progress unless asked


def test_no_progress_in_a_ci_log_unless_asked(bucket, monkeypatch):
    monkeypatch.setattr(progress_module, "DELAY", 0.0)
    assert run("scan", str(bucket)).stderr == ""
    asked = run("scan", str(bucket), "--progress")
    assert asked.stderr.startswith("iac-assist: 1 file found") and "\r" not in asked.stderr


# --verbose, --quiet ---------------------------------------------------------------------------------


def test_verbose_lists_every_file_analysed_and_skipped_with_why(write_tree):
    root = write_tree({"main.tf": PUBLIC_BUCKET, "examples/e.tf": PUBLIC_BUCKET,
                       "node_modules/m/m.tf": PUBLIC_BUCKET, "ci.yml": "on: push\n", "README.md": "# notes\n",
                       "big.tf": "# " + "x" * 2000 + "\n"})
    (root / "bin.json").write_bytes(b"{\0}")
    result = run("scan", str(root), "--exclude", "examples", "--verbose", "--max-file-size", "1000")
    assert result.stderr.splitlines() == [
        "analysed: main.tf",
        "skipped: big.tf: file is 2003 bytes, over the limit of 1000 bytes; not analysed",
        "skipped: bin.json: not IaC: binary, not UTF-8 or too large, and not like a template or a plan",
        "skipped: ci.yml: not IaC: no CloudFormation template, Terraform plan or state",
        "skipped: examples/: excluded by 'examples' (--exclude or the configuration's exclude)",
        "skipped: node_modules/: a node_modules folder, skipped",
    ]


def test_verbose_names_a_link_out_of_the_root_and_escapes_names(write_tree, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside") / "secret.tf"
    outside.write_text(PUBLIC_BUCKET)
    root = write_tree({"main.tf": PUBLIC_BUCKET, "ex\x1b[31m/a.tf": PUBLIC_BUCKET})
    (root / "link.tf").symlink_to(outside)
    result = run("scan", str(root), "--exclude", "ex*", "--verbose")
    assert "skipped: link.tf: a symbolic link whose target is outside the scanned root; not followed" in \
        result.stderr.splitlines()
    assert "skipped: ex\\x1b[31m/: excluded by 'ex*' (--exclude or the configuration's exclude)" in \
        result.stderr.splitlines()
    assert "\x1b" not in result.stderr


def test_quiet_prints_the_findings_lines_only(bucket):
    result = run("scan", str(bucket), "--quiet", "--fail-on", "none")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 6 and all(re.match(r"main\.tf:\d+:1: IAC-S3-\d{3} \[", line) for line in lines)
    assert result.stderr == ""


def test_quiet_never_hides_what_fails_the_gate(write_tree, tmp_path):
    root = write_tree({"main.tf": PUBLIC_BUCKET, "broken.tf": 'resource "x" "y" {\n  a = = 1\n}\n'})
    result = run("scan", str(root), "--quiet")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == "iac-assist: the gate fails (exit 2): 1 input error (inputs not analysed)"
    assert result.stderr.startswith("broken.tf:2:")
    (root / "broken.tf").unlink()
    written = run("scan", str(root), "--quiet", "-o", str(tmp_path / "r.txt"), "--fail-on", "high")
    assert (written.exit_code, written.stdout) == (1, "")
    assert written.stderr == "iac-assist: the gate fails (exit 1): 1 finding at or above high\n"


def test_quiet_and_verbose_together_is_a_usage_error(bucket):
    result = run("scan", str(bucket), "--quiet", "--verbose")
    assert result.exit_code == 2 and "--quiet and --verbose" in result.stderr


# --show-source ----------------------------------------------------------------------------------


def test_show_source_follows_each_finding_with_its_lines(write_tree):
    root = write_tree({"main.tf": "# header\n\n\n" + PUBLIC_BUCKET + "\n# trailer\n"})
    result = run("scan", str(root), "--select", "IAC-S3-001", "--show-source")
    assert result.stdout.splitlines()[:7] == [
        result.stdout.splitlines()[0],
        "      4 | resource \"aws_s3_bucket\" \"site\" {",
        "      5 |   bucket = \"site\"",
        "    > 6 |   acl    = \"public-read\"",
        "      7 | }",
        "      8 |",
        "",
    ]
    assert result.stdout.splitlines()[0].startswith("main.tf:6:1: IAC-S3-001 [high]")


def test_show_source_escapes_and_bounds_what_it_shows(write_tree):
    root = write_tree({"main.tf": 'resource "aws_s3_bucket" "site" {\n  acl = "public-read" # \x1b]0;x\x07\u202e'
                                  + "y" * 500 + "\n\tbucket = \"b\"\n}\n"})
    out = run("scan", str(root), "--select", "IAC-S3-001", "--show-source").stdout
    assert "\x1b" not in out and "\u202e" not in out and "\x07" not in out
    assert '    > 2 |   acl = "public-read" # \\x1b]0;x\\x07\\u202e' in out
    assert "y" * (MAX_LINE - 40) in out and "y" * 500 not in out
    assert '      3 |     bucket = "b"' in out  # a tab expanded, not shown as \x09


def test_source_lines_are_read_only_inside_the_root(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    (tmp_path / "outside.tf").write_text("secret\n")
    (root / "link.tf").symlink_to(tmp_path / "outside.tf")
    (root / ".git").mkdir()
    (root / ".git" / "config").write_text("token\n")
    sources = SourceLines(root)
    for rel in ("link.tf", "../outside.tf", ".git/config"):
        assert sources.lines(_finding("r", "m", Location(rel, 1))) == []


@pytest.mark.parametrize("command", [["baseline", "-o", "{tmp}/baseline.json"], ["model", "-f", "json"]])
def test_baseline_and_model_draw_progress_too_never_on_stdout(bucket, tmp_path, monkeypatch, terminal, command):
    monkeypatch.setattr(progress_module, "DELAY", 0.0)
    args = [a.replace("{tmp}", str(tmp_path)) for a in command]
    result = run(args[0], str(bucket), *args[1:])
    assert result.exit_code == 0
    assert "\r\x1b[Kiac-assist: 1 file found" in result.stderr and "\r" not in result.stdout
    assert run(args[0], str(bucket), *args[1:], "--no-progress").stderr == ""


def test_a_hostile_file_name_stays_inert_in_a_coloured_report(write_tree):
    root = write_tree({"evil\x1b[32m\u202e.tf": PUBLIC_BUCKET})
    out = run("scan", str(root), "--select", "IAC-S3-001", "--color", "always", color=True).stdout
    assert out.startswith("evil\\x1b[32m\\u202e.tf:3:1: \x1b[1mIAC-S3-001\x1b[0m [\x1b[31mhigh\x1b[0m] ")
    assert "\u202e" not in out and "\x1b[32m" not in out
