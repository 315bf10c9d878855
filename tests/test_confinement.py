"""Paths that repository content names are read only inside the scanned root, never in ``.git``.

A hostile repository names ``../../outside``, ``.git/config`` (where a CI checkout keeps its token)
and symbolic links leading to either, in every place content can name a file: ``file()`` and
kin, ``templatefile()``, ``fileset()``, local module sources, ``modules.json`` folders, variables
files beside a root module and nested stacks' ``TemplateURL``. None of those bytes may reach any
report, nothing there may even be opened, and each refusal is reported at its file and line with
the ``outside-root`` category.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from iac_assist.analysis.engine import scan
from iac_assist.cli import cli
from iac_assist.inputs.confine import Outside, allowed, confine
from tests.sarif_schema import validate_sarif

GIT_TOKEN = "ghs_GITCONFIGMARKER0001"
GIT_CONFIG = f'[remote "origin"]\n\turl = https://x-access-token:{GIT_TOKEN}@github.com/o/r\n'
OUTSIDE_MARKER = "OUTSIDEMARKER0002"
MARKERS = (GIT_TOKEN, OUTSIDE_MARKER, "GITMODULEMARKER0003", "GITSTACKMARKER0004", "TFVARSMARKER0005",
           "GITEXISTS0006", "GITTEMPLATEMARKER0007")
SECRET_BYTES = (GIT_CONFIG.encode(), f"{OUTSIDE_MARKER}\n".encode())
"""Whole files whose hashes and encodings must not be reported either."""


def _admin(sid: str) -> str:
    """An IAM policy whose finding message quotes its statement's Sid: a channel for a leak."""
    return ('jsonencode({Version = "2012-10-17", Statement = [{Sid = ' + sid
            + ', Effect = "Allow", Action = "*", Resource = "*"}]})')


def _stack(sid: str) -> str:
    return ("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Admin:\n    Type: AWS::IAM::ManagedPolicy\n"
            "    Properties:\n      PolicyDocument:\n        Version: '2012-10-17'\n        Statement:\n"
            f"          - Sid: {sid}\n            Effect: Allow\n            Action: '*'\n            Resource: '*'\n")


MAIN_TF = f'''resource "aws_iam_policy" "outside" {{
  policy = {_admin('trimspace(file("../../outside/passwd"))')}
}}
resource "aws_iam_policy" "git" {{
  policy = {_admin('trimspace(file("../.git/config"))')}
}}
resource "aws_iam_policy" "absolute" {{
  policy = {_admin('trimspace(file(var.absolute))')}
}}
resource "aws_iam_policy" "link" {{
  policy = {_admin('trimspace(file("innocent.txt"))')}
}}
resource "aws_iam_policy" "hashes" {{
  policy = {_admin("""join("-", [
    filebase64("../.git/config"),
    filemd5("../.git/config"),
    filesha256("link.txt"),
    filebase64sha256("../../outside/passwd"),
  ])""")}
}}
resource "aws_iam_policy" "exists" {{
  policy = {_admin('fileexists("../.git/config") ? "GITEXISTS0006" : "NOGIT"')}
}}
resource "aws_iam_policy" "template" {{
  policy = {_admin('trimspace(templatefile("../.git/template.tpl", {}))')}
}}
resource "aws_iam_policy" "listing" {{
  policy = {_admin('join(",", fileset("..", "**"))')}
}}
module "git" {{
  source = "../.git/mod"
}}
module "up" {{
  source = "../../outside/mod"
}}
module "registry" {{
  source = "example/git/aws"
}}
module "absolute" {{
  source = "example/outside/aws"
}}
variable "absolute" {{ default = "" }}
variable "sid" {{ default = "x" }}
resource "aws_iam_policy" "vars" {{
  policy = {_admin('var.sid')}
}}
'''

PARENT_YAML = """AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Git:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: ../.git/stack.yaml
  Config:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: ../.git/config
  Up:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: ../../outside/secret.yaml
  Linked:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: ./linked.yaml
"""


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> tuple[Path, Path]:
    """``repo/`` (the scanned root) and ``outside/`` beside it."""
    base = tmp_path_factory.mktemp("confinement")
    outside, repo = base / "outside", base / "repo"
    (outside / "mod").mkdir(parents=True)
    (outside / "passwd").write_text(f"{OUTSIDE_MARKER}\n")
    (outside / "vars.tfvars").write_text('sid = "TFVARSMARKER0005"\n')
    (outside / "secret.yaml").write_text(_stack(OUTSIDE_MARKER))
    (outside / "mod" / "main.tf").write_text('resource "aws_iam_policy" "m" {\n  policy = '
                                             + _admin(f'"{OUTSIDE_MARKER}"') + '\n}\n')
    git = repo / ".git"
    (git / "mod").mkdir(parents=True)
    (git / "config").write_text(GIT_CONFIG)
    (git / "template.tpl").write_text("GITTEMPLATEMARKER0007 ${1 + 1}\n")
    (git / "stack.yaml").write_text(_stack("GITSTACKMARKER0004"))
    (git / "mod" / "main.tf").write_text('resource "aws_iam_policy" "m" {\n  policy = '
                                         + _admin('"GITMODULEMARKER0003"') + '\n}\n')
    tf, cfn = repo / "tf", repo / "cfn"
    cfn.mkdir()
    (tf / ".terraform" / "modules").mkdir(parents=True)
    (tf / "main.tf").write_text(MAIN_TF.replace('default = ""', f'default = "{outside / "passwd"}"'))
    (tf / "innocent.txt").symlink_to("../.git/config")
    (tf / "link.txt").symlink_to(outside / "passwd")
    (tf / "terraform.tfvars").symlink_to(outside / "vars.tfvars")
    (tf / "config.tf").symlink_to("../.git/config")  # discovery follows file links inside the root only
    (cfn / "config.yaml").symlink_to("../.git/config")
    (tf / ".terraform" / "modules" / "modules.json").write_text(json.dumps({"Modules": [
        {"Key": "", "Source": "", "Dir": "."},
        {"Key": "registry", "Source": "example/git/aws", "Dir": "../.git/mod"},
        {"Key": "absolute", "Source": "example/outside/aws", "Dir": str(outside / "mod")},
    ], "padding": 1}, indent=1))
    (cfn / "parent.yaml").write_text(PARENT_YAML)
    (cfn / "linked.yaml").symlink_to(outside / "secret.yaml")
    return repo, outside


def _forbidden(repo: Path, outside: Path) -> tuple[str, ...]:
    return (str(outside), str(repo / ".git"), str(repo.resolve() / ".git"), str(outside.resolve()))


@pytest.fixture(scope="module")
def outputs(hostile) -> dict[str, tuple[int, str]]:
    """Every report of the hostile repository, made while an audit hook records every file
    opened or folder listed under ``outside/`` or ``.git/``."""
    repo, outside = hostile
    forbidden = _forbidden(repo, outside)
    touched: list[str] = []
    active = True

    def audit(event: str, args: tuple) -> None:
        if (active and event in ("open", "os.listdir", "os.scandir") and args and isinstance(args[0], (str, Path))
                and any(str(args[0]).startswith(f) for f in forbidden)):
            touched.append(f"{event} {args[0]}")

    sys.addaudithook(audit)  # it cannot be removed: ``active`` switches it off
    try:
        out = {}
        for fmt in ("text", "json", "sarif", "github", "junit", "markdown"):
            result = CliRunner().invoke(cli, ["scan", str(repo), "--format", fmt], catch_exceptions=False)
            out[fmt] = (result.exit_code, result.output)
        for fmt in ("json", "markdown"):
            result = CliRunner().invoke(cli, ["model", str(repo), "--format", fmt], catch_exceptions=False)
            out[f"model-{fmt}"] = (result.exit_code, result.output)
    finally:
        active = False
    out["touched"] = (0, "\n".join(touched))
    return out


def test_nothing_outside_the_root_or_in_git_is_opened_or_listed(outputs):
    assert outputs["touched"][1] == ""


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github", "junit", "markdown", "model-json",
                                 "model-markdown"])
def test_no_byte_from_outside_reaches_a_report(outputs, fmt):
    _code, text = outputs[fmt]
    for marker in MARKERS:
        assert marker not in text, (fmt, marker)
    for data in SECRET_BYTES:
        for derived in (base64.b64encode(data).decode(), hashlib.md5(data).hexdigest(),  # noqa: S324
                        hashlib.sha256(data).hexdigest(), base64.b64encode(hashlib.sha256(data).digest()).decode()):
            assert derived not in text, (fmt, derived)


def test_the_reports_still_work_and_the_gate_fails_closed(outputs):
    code, text = outputs["sarif"]
    validate_sarif(json.loads(text))
    assert code == 2  # modules and nested stacks that are not analysed fail the gate
    code, text = outputs["json"]
    report = json.loads(text)
    # What is written in the root itself is still analysed.
    assert {"aws_iam_policy.outside", "aws_iam_policy.git", "aws_iam_policy.vars"} <= {
        f["resource"] for f in report["findings"]}


def _line(snippet: str, text: str = MAIN_TF) -> int:
    return text[:text.index(snippet)].count("\n") + 1


EXPECTED = [
    # (file, line, level, part of the message)
    ("tf/main.tf", _line("../../outside/passwd"), "warning",
     "file '../../outside/passwd' is outside the scanned root; not read"),
    ("tf/main.tf", _line("file(\"../.git/config"), "warning", "file '../.git/config' is inside .git/"),
    ("tf/main.tf", _line("var.absolute"), "warning", "is outside the scanned root; not read"),
    ("tf/main.tf", _line("innocent.txt"), "warning", "file 'innocent.txt' is inside .git/"),
    ("tf/main.tf", _line("filebase64(\"../.git"), "warning", "file '../.git/config' is inside .git/"),
    ("tf/main.tf", _line("filemd5(\"../.git"), "warning", "file '../.git/config' is inside .git/"),
    ("tf/main.tf", _line("filesha256"), "warning", "file 'link.txt' is outside the scanned root"),
    ("tf/main.tf", _line("filebase64sha256"), "warning", "file '../../outside/passwd' is outside the scanned root"),
    ("tf/main.tf", _line("fileexists"), "warning", "file '../.git/config' is inside .git/"),
    ("tf/main.tf", _line("templatefile"), "warning", "file '../.git/template.tpl' is inside .git/"),
    ("tf/main.tf", _line("../.git/mod"), "error", "module git: source '../.git/mod' is inside .git/"),
    ("tf/main.tf", _line("../../outside/mod"), "error",
     "module up: source '../../outside/mod' is outside the scanned root"),
    ("tf/.terraform/modules/modules.json", 11, "error",
     "module registry: its downloaded folder '../.git/mod' is inside .git/"),
    ("tf/.terraform/modules/modules.json", 16, "error",
     "module absolute: its downloaded folder"),
    ("tf/terraform.tfvars", 0, "warning", "variables file terraform.tfvars is outside the scanned root"),
    ("tf/config.tf", 0, "error", "a symbolic link whose target is inside .git/"),
    ("cfn/parent.yaml", 6, "error", "Git: nested stack template '../.git/stack.yaml' is inside .git/"),
    ("cfn/parent.yaml", 10, "error", "Config: nested stack template '../.git/config' is inside .git/"),
    ("cfn/parent.yaml", 14, "error", "Up: nested stack template '../../outside/secret.yaml' is outside the scanned"),
    ("cfn/parent.yaml", 18, "error", "Linked: nested stack template './linked.yaml' is outside the scanned root"),
]


def test_each_refusal_is_reported_at_its_reference_with_its_category(hostile):
    repo, _outside = hostile
    result = scan([repo])
    refusals = {(e.file, e.line, e.level, e.message) for e in result.errors if e.category == "outside-root"}
    for file, line, level, part in EXPECTED:
        assert [r for r in refusals if r[:3] == (file, line, level) and part in r[3]], (file, line, part, refusals)
    assert len(refusals) == len(EXPECTED), sorted(refusals)


def test_fileset_lists_the_root_but_not_git_nor_links_out_of_it(hostile):
    repo, _outside = hostile
    result = scan([repo])
    listing = next(f for f in result.findings if f.resource == "aws_iam_policy.listing")
    assert "tf/main.tf" in listing.message and "cfn/parent.yaml" in listing.message
    assert ".git" not in listing.message and "link.txt" not in listing.message


def test_confine_resolves_links_and_refuses_git_in_any_case(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / ".GIT").mkdir()
    (tmp_path / "a" / "f").write_text("x")
    (tmp_path / "a" / "loop").symlink_to("loop")
    assert confine("a/../a/f", tmp_path, tmp_path) == (tmp_path / "a" / "f").resolve()
    for name, why in [("../x", "outside"), (".GIT/config", ".git"), ("a/loop", "loop"), ("a/\0", "NUL"),
                      ("/etc/passwd", "outside")]:
        with pytest.raises(Outside, match=why):
            confine(name, tmp_path, tmp_path)
    assert allowed(tmp_path / "a" / "f", tmp_path) and not allowed(tmp_path / ".GIT" / "x", tmp_path)
    if os.name == "posix":
        assert not allowed(Path("/etc/passwd"), tmp_path)


# --- file functions: read once, parsed once, bounded ------------------------------------------

def _sids(result) -> dict[str, str]:
    """The statement Sid each admin policy's finding quotes, by resource."""
    out = {}
    for f in result.findings:
        if f.control == "iam-wildcard-admin":
            out[f.resource] = f.message.split("statement ", 1)[1].split(" allows", 1)[0]
    return out


def test_a_warning_names_the_file_of_the_call_in_a_module_of_many_files(write_tree):
    root = write_tree({
        "a.tf": 'resource "aws_iam_policy" "a" {\n  policy = ' + _admin("local.sid") + "\n}\n",
        "b.tf": 'locals {\n  other = 1\n\n  sid = file("../elsewhere.txt")\n}\n',
    })
    result = scan([root])
    assert [(e.file, e.line, e.category) for e in result.errors] == [("b.tf", 4, "outside-root")]


def test_a_file_is_read_once_and_a_template_parsed_once(write_tree, monkeypatch):
    from iac_assist.parsers.terraform import hcl

    parsed: list[str] = []
    real = hcl.parse_template
    monkeypatch.setattr(hcl, "parse_template", lambda text, line=1: parsed.append(text) or real(text, line))
    root = write_tree({
        "main.tf": ('resource "aws_iam_policy" "p" {\n  count  = 50\n'
                    '  policy = ' + _admin('templatefile("sid.tpl", { n = count.index })') + "\n}\n"
                    'resource "aws_iam_policy" "q" {\n  policy = ' + _admin('templatefile("sid.tpl", { n = 7 })')
                    + "\n}\n"),
        "sid.tpl": "Sid${n}",
    })
    result = scan([root])
    assert parsed == ["Sid${n}"]
    sids = _sids(result)
    assert sids["aws_iam_policy.q"] == "'Sid7'"


def test_file_functions_read_a_bounded_amount_per_scan(write_tree, monkeypatch):
    from iac_assist.parsers.terraform import files

    monkeypatch.setattr(files, "MAX_SCAN_FILE_CHARS", 100)
    root = write_tree({
        "main.tf": "".join(f'resource "aws_iam_policy" "p{i}" {{\n  policy = ' + _admin(f'file("{i}.txt")') + "\n}\n"
                           for i in range(3)),
        **{f"{i}.txt": "s" * 40 for i in range(3)},
    })
    result = scan([root])
    assert [(e.file, e.line, e.level) for e in result.errors] == [("main.tf", 8, "error")]
    assert "file functions may read 100 characters in a scan; file '2.txt' (40 bytes)" in result.errors[0].message
    assert set(_sids(result)) == {"aws_iam_policy.p0", "aws_iam_policy.p1"}  # the third is not analysed


def test_a_large_template_is_refused_before_it_is_parsed(write_tree):
    root = write_tree({
        "main.tf": 'resource "aws_iam_policy" "p" {\n  policy = ' + _admin('templatefile("big.tpl", {})') + "\n}\n",
        "big.tpl": "${1}" + "x" * (128 * 1024),
    })
    result = scan([root])
    assert [(e.file, e.line, e.level) for e in result.errors] == [("main.tf", 2, "error")]
    assert "templatefile(): template 'big.tpl' has 131076 characters, over the limit of 131072" in \
        result.errors[0].message


@pytest.mark.parametrize(("pattern", "expected"), [
    ("*", ["a.txt", "b.json"]),
    ("**", ["a.txt", "b.json", "sub/c.txt", "sub/deep/d.txt"]),
    ("**/*.txt", ["a.txt", "sub/c.txt", "sub/deep/d.txt"]),
    ("sub/**/*.txt", ["sub/c.txt", "sub/deep/d.txt"]),
    ("{a,b}.*", ["a.txt", "b.json"]),
    ("[ab].t?t", ["a.txt"]),
    ("[!a]*", ["b.json"]),
])
def test_fileset_matches_like_terraform(write_tree, pattern, expected):
    from iac_assist.parsers.terraform.files import FileFunctions

    root = write_tree({"a.txt": "", "b.json": "", "sub/c.txt": "", "sub/deep/d.txt": ""})
    (root / ".git").mkdir()
    (root / ".git" / "e.txt").write_text("")
    functions = FileFunctions(root, root, None, lambda *_: None)
    assert functions.fileset(".", pattern) == expected
