"""Output that cannot be used against its reader (issue 14).

Hostile file names, resource names and values go through every format of ``scan`` and ``model``
and through standard error: no raw control, ANSI/OSC or bidi character survives, no line starts
a CI runner's workflow command (GitHub ``::cmd::`` / ``##[``, Azure ``##vso[``), no markup is
injected, and every output still parses (SARIF against its schema, JUnit as XML, DOT with pydot,
Mermaid with Mermaid's own parser when it is installed).
"""

from __future__ import annotations

import json
import re
import subprocess
import unicodedata
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from click.testing import CliRunner

from iac_assist.cli import cli
from iac_assist.report import FORMATS
from iac_assist.report.safe_text import guard_lines, json_text, visible
from iac_assist.threatmodel.formats import FORMATS as MODEL_FORMATS
from tests.sarif_schema import validate_sarif
from tests.test_threatmodel_formats import CHECKER, _checker_skip_reason

pytestmark = pytest.mark.filterwarnings("ignore:'\\w+' deprecated - use:DeprecationWarning")

BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
GITHUB_COMMAND = re.compile(r"::(error|warning|notice)(?: (?:file|line|endLine|col|title)=[^:,\n]*"
                            r"(?:,(?:file|line|endLine|col|title)=[^:,\n]*)*)?::")

TERRAFORM = r'''
resource "aws_s3_bucket" "evil\u202e\u001b[2J" {
  bucket = "::error::pwn%0A::set-output name=x::y]]><script>-->"
  acl    = "public-read"
  tags   = { Name = "\u001b]8;;http://x\u0007link" }
}

resource "aws_db_instance" "db\u2066\r\n::error::db" {
  engine              = "postgres"
  publicly_accessible = true
  password            = "\u001b[31mhunter2hunter2"
}

module "m" {
  source = "git::https://x/\u202e\n::error::y"
}
'''

ROOT_TERRAFORM = r'''
resource "aws_security_group" "##vso[task.setvariable variable=x]y" {
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
'''

CLOUDFORMATION = '''AWSTemplateFormatVersion: "2010-09-09"
Resources:
  "Evil\\e[2J\\u202eBucket]]><!--":
    Type: AWS::S3::Bucket
    Properties:
      BucketName: "::error::pwn ##vso[task.setvariable variable=x]y"
      AccessControl: PublicRead
  "NoType\\e]0;title\\a\\x9b31m":
    Properties: {}
'''


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    """A repository whose folder, file and resource names and values are hostile (where the
    filesystem permits: newlines, ESC and bidi characters in file names)."""
    root = tmp_path_factory.mktemp("hostile") / "repo"
    folder = root / "tf\x1b[31m\u202e"
    folder.mkdir(parents=True)
    (folder / "main\n::error::file.tf").write_text(TERRAFORM, encoding="utf-8")
    (root / "::error::root.tf").write_text(ROOT_TERRAFORM, encoding="utf-8")
    (root / "cfn").mkdir()
    (root / "cfn" / "t\u2066##[error]x.yaml").write_text(CLOUDFORMATION, encoding="utf-8")
    return root


def invoke(*args: str) -> tuple[int, str, str]:
    outcome = CliRunner().invoke(cli, list(args))
    if outcome.exception is not None and not isinstance(outcome.exception, SystemExit):
        raise outcome.exception
    return outcome.exit_code, outcome.stdout, outcome.stderr


def assert_inert(text: str, fmt: str = "text") -> None:
    """Nothing in ``text`` can drive a terminal, hide behind a bidi override or run a command."""
    for ch in text:
        unsafe = (unicodedata.category(ch) == "Cc" and ch not in "\n") or ch in BIDI or ch in "\u2028\u2029"
        assert not unsafe, f"raw {ch!r} in the {fmt} output"
    assert "##vso[" not in text
    for line in text.splitlines():
        start = line.lstrip()
        if fmt == "github" and start.startswith("::"):
            assert GITHUB_COMMAND.match(start), line  # one of ours, its properties escaped
            assert "\r" not in line
        else:
            assert not start.startswith(("::", "##[")), f"a workflow command in the {fmt} output: {line!r}"


def without_code_spans(markdown: str) -> str:
    markdown = re.sub(r"```.*?```", "", markdown, flags=re.S)
    return re.sub(r"(`+)(.+?)\1", "", markdown)


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_scan_format_is_inert_and_still_parses(hostile: Path, fmt: str):
    code, out, err = invoke("scan", str(hostile), "--format", fmt)
    assert code == 2  # the resource without a Type is an error: the gate fails closed
    assert_inert(out, fmt)
    assert_inert(err, "stderr")
    assert "aws_s3_bucket.evil" in out or "aws_s3_bucket.evil" in json.dumps(out)
    if fmt == "json":
        doc = json.loads(out)
        assert "aws_s3_bucket.evil\u202e\u001b[2J" in {f["resource"] for f in doc["findings"]}  # data intact
    elif fmt == "sarif":
        doc = json.loads(out)
        validate_sarif(doc)
        messages = [r["message"]["text"] for r in doc["runs"][0]["results"]]
        assert all(not (set(m) & BIDI) and "\x1b" not in m for m in messages)
        assert any("aws_s3_bucket.evil\\u202e\\x1b[2J" in m for m in messages)
    elif fmt == "junit":
        root = ET.fromstring(out)
        names = [case.get("name") for case in root.iter("testcase")]
        assert any(n.startswith("Evil\\x1b[2J\\u202eBucket]]><!-- at ") for n in names)  # data, not markup
        assert "<!--" not in out and "]]>" not in out and "<script" not in out
    elif fmt == "markdown":
        prose = without_code_spans(out)
        assert "<script" not in prose and "<!--" not in prose
        assert "aws\\_s3\\_bucket.evil\\\\u202e \\[2J" in prose  # a message: escaped, visible
    elif fmt == "text":
        assert "aws_s3_bucket.evil\\u202e\\x1b[2J" in out
        assert "\\x3a:error::root.tf" in out  # the file header would have been a command
    elif fmt == "github":
        assert "::error::root.tf" not in out.replace("%3A%3Aerror%3A%3Aroot.tf", "")


@pytest.mark.parametrize("fmt", MODEL_FORMATS)
def test_every_model_format_is_inert_and_still_parses(hostile: Path, fmt: str, tmp_path: Path):
    code, out, err = invoke("model", str(hostile), "--format", fmt)
    assert code == 2
    assert_inert(out, fmt)
    assert_inert(err, "stderr")
    assert "NoType\\x1b]0;title\\x07\\x9b31m has no Type" in err
    if fmt in ("json", "otm"):
        doc = json.loads(out)
        ids = {c["id"] for c in doc["components"]}
        assert "aws_s3_bucket.evil\u202e\u001b[2J" in ids  # JSON-escaped, the same data
    elif fmt == "sarif":
        validate_sarif(json.loads(out))
    elif fmt == "dot":
        import pydot

        (graph,) = pydot.graph_from_dot_data(out)
        assert graph.get_name() == "threat_model"
    elif fmt == "markdown":
        prose = without_code_spans(out)
        assert "<script" not in prose and "<!--" not in prose
    if fmt in ("mermaid", "markdown") and _checker_skip_reason() is None:
        path = tmp_path / f"hostile.{'mmd' if fmt == 'mermaid' else 'md'}"
        path.write_text(out, encoding="utf-8")
        run = subprocess.run(["node", str(CHECKER / "check.mjs"), str(path)], capture_output=True, text=True,
                             timeout=120)
        assert run.returncode == 0, run.stdout + run.stderr


def test_baseline_stderr_and_stdout_are_inert(hostile: Path, tmp_path: Path):
    code, out, err = invoke("baseline", str(hostile), "-o", str(tmp_path / "b\x1b[2J.json"))
    assert code == 2
    assert_inert(out, "stdout")
    assert_inert(err, "stderr")
    assert "recorded in" in out and "b\\x1b[2J.json" in out


def test_a_hostile_configuration_error_is_inert(tmp_path: Path):
    folder = tmp_path / "cfg\x1b]0;x\x07\u202e"
    folder.mkdir()
    (folder / "main.tf").write_text('resource "aws_s3_bucket" "b" {}\n', encoding="utf-8")
    (folder / ".iac-assist.toml").write_text('"\\u001b[2J::error::k" = 1\n', encoding="utf-8")
    code, out, err = invoke("scan", str(folder))
    assert code == 2
    assert "unknown key" in err
    assert_inert(err, "stderr")


def test_fail_on_unanalysed_message_is_inert(hostile: Path):
    code, _out, err = invoke("scan", str(hostile / "tf\x1b[31m\u202e"), "--fail-on-unanalysed", "all")
    assert code == 2
    assert "input not analysed (1 module-not-downloaded)" in err
    assert_inert(err, "stderr")


# The neutraliser itself --------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "shown"), [
    ("plain ünïcødé", "plain ünïcødé"),
    ("esc\x1b[31m", "esc\\x1b[31m"),
    ("osc\x1b]8;;http://x\x07", "osc\\x1b]8;;http://x\\x07"),
    ("csi\x9b31m", "csi\\x9b31m"),
    ("bidi\u202e\u2066\u200f\u061c", "bidi\\u202e\\u2066\\u200f\\u061c"),
    ("a\nb\r\u2028c", "a\\x0ab\\x0d\\u2028c"),
    ("lone\udcff", "lone\\udcff"),
])
def test_visible(raw: str, shown: str):
    assert visible(raw) == shown


def test_line_breaks_can_become_spaces():
    assert visible("a\r\nb\u2029c\x1b", breaks=" ") == "a  b c\\x1b"


@pytest.mark.parametrize(("syntax", "expected"), [
    ("text", "ok\n  \\x3a:error::x\n\\x23#[group]y ##vso\\x5btask]z\n"),
    ("xml", "ok\n  &#58;:error::x\n&#35;#[group]y ##vso&#91;task]z\n"),
    ("json", "ok\n  \\u003a:error::x\n\\u0023#[group]y ##vso\\u005btask]z\n"),
])
def test_guard_lines(syntax: str, expected: str):
    assert guard_lines("ok\n  ::error::x\n##[group]y ##vso[task]z\n", syntax) == expected


def test_json_text_keeps_readable_characters_and_escapes_the_rest():
    text = json.dumps({"k": "ünï\u202e\x85\U0001f600\ud800"}, ensure_ascii=False)
    out = json_text(text)
    assert out == '{"k": "ünï\\u202e\\u0085\U0001f600\\ud800"}'
    assert json.loads(out) == {"k": "ünï\u202e\x85\U0001f600\ud800"}


def test_json_text_escapes_in_an_indented_report_and_reads_only_the_lines_that_need_it(monkeypatch):
    """An indented report is never printable as a whole: its line breaks are not. Looking at
    every character of it was most of a large threat model's rendering."""
    import iac_assist.report.safe_text as safe_text

    looked_at = 0
    real = safe_text.is_unsafe

    def counted(ch: str) -> bool:
        nonlocal looked_at
        looked_at += 1
        return real(ch)

    monkeypatch.setattr(safe_text, "is_unsafe", counted)
    data = {"items": [f"resource {n}" for n in range(10_000)], "k": "a\u202eb\n\x1b"}
    out = json_text(json.dumps(data, indent=2, ensure_ascii=False))
    assert out.endswith('  "k": "a\\u202eb\\n\\u001b"\n}') and json.loads(out) == data
    assert looked_at == len('  "k": "a\u202eb\\n\\u001b"')  # that line's characters only
