"""Hostile input never breaks the gate: the real CLI, in a subprocess with an address-space limit
and a timeout, over each hostile case of ``tests/hostile/`` (and the big or binary ones made here
at run time) with a healthy folder beside it.

Each case asserts the errors (file, line, and column where known), exit code 2 when an IaC file
could not be analysed (fail closed), no traceback and no internal error, bounded time and memory,
and that the healthy sibling's finding is still reported. Errors are checked in JSON, text and
SARIF (``invocations[0].toolExecutionNotifications``), and the same input gives byte-identical
JSON and SARIF, whatever ``PYTHONHASHSEED``.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.sarif_schema import validate_sarif

pytestmark = pytest.mark.slow  # each case is a CLI subprocess with limits (about a minute in all)

HOSTILE = Path(__file__).resolve().parent / "hostile"
ADDRESS_SPACE = 1536 * 1024 * 1024
"""The scan runs within 1.5 GiB of address space: a bomb that allocates fails the test."""
TIMEOUT = 150
"""Seconds after which the scan is killed (the test fails)."""
BOUND = 60
"""Seconds a scan must take at most, cases running two at a time on a slow CI machine."""
HEALTHY = ("db-publicly-accessible", "healthy/main.tf", 3)


@dataclass
class Case:
    files: Callable[[Path], None]
    """Writes the case into ``case/`` of the folder it is given."""
    errors: list[tuple[str, int, int | None, str]]
    """(file, line, column or None when not known, part of the message) of each error expected."""
    code: int = 2
    args: tuple[str, ...] = ()
    findings: list[tuple[str, str, int]] = field(default_factory=list)
    """(control, file, line) of findings the case itself must still yield."""


def _copy(name: str) -> Callable[[Path], None]:
    return lambda root: shutil.copytree(HOSTILE / name, root / "case")


def _write(files: dict[str, bytes | str]) -> Callable[[Path], None]:
    def write(root: Path) -> None:
        for rel, content in files.items():
            target = root / "case" / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, str):
                target.write_text(content, encoding="utf-8", newline="")
            else:
                target.write_bytes(content)

    return write


PUBLIC_DB = 'resource "aws_db_instance" "db" {\n  publicly_accessible = true\n}\n'
PUBLIC_BUCKET_YAML = ("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Bucket:\n    Type: AWS::S3::Bucket\n"
                      "    Properties:\n      AccessControl: PublicRead\n")
MIB = 1024 * 1024


def _huge(root: Path) -> None:
    case = root / "case"
    case.mkdir()
    # Just over the default caps: 2 MiB for .tf, 20 MiB for the others.
    (case / "big.tf").write_text("# padding\n" * (MIB // 5 + 1), encoding="utf-8")
    body = b'{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {}, "Padding": "' + b"x" * (21 * MIB) + b'"}'
    (case / "template.json").write_bytes(body)
    (case / "data.json").write_bytes(b'{"data": "' + b"y" * (21 * MIB) + b'"}')  # not IaC: skipped quietly


def _symlinks(root: Path) -> None:
    case = root / "case"
    (case / "loop").mkdir(parents=True)
    outside = root.parent / f"{root.name}-outside"
    outside.mkdir()
    (outside / "main.tf").write_text(PUBLIC_DB, encoding="utf-8")
    (case / "escape.tf").symlink_to(outside / "main.tf")
    (case / "outside").symlink_to(outside, target_is_directory=True)
    (case / "loop" / "a.tf").symlink_to("b.tf")
    (case / "loop" / "b.tf").symlink_to("a.tf")
    (case / "loop" / "up").symlink_to("..", target_is_directory=True)  # a folder loop: not followed
    (case / "loop" / "parent").symlink_to(root, target_is_directory=True)
    os.mkfifo(case / "pipe.tf")  # reading a FIFO would block for ever: not a regular file, not read


def _amplified(root: Path) -> None:
    shutil.copytree(HOSTILE / "billion_laughs", root / "case")
    lines = ["AWSTemplateFormatVersion: '2010-09-09'", "Metadata:", '  Big: &big "' + "x" * MIB + '"',
             "Resources:", "  Bucket:", "    Type: AWS::S3::Bucket", "    Properties:", "      BucketName: !Join",
             "        - ''", "        - [" + ", ".join(["*big"] * 5000) + "]"]
    (root / "case" / "amplified.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _nested_stacks(root: Path) -> None:
    """Thirty nested stacks in each of five levels: 810,000 templates to resolve."""
    case = root / "case"
    case.mkdir()
    levels = "abcde"
    for i, name in enumerate(levels):
        lines = ["AWSTemplateFormatVersion: '2010-09-09'", "Resources:", "  Bucket:", "    Type: AWS::S3::Bucket"]
        for j in range(30 if i + 1 < len(levels) else 0):
            lines += [f"  S{j}:", "    Type: AWS::CloudFormation::Stack", "    Properties:",
                      f"      TemplateURL: ./{levels[i + 1]}.yaml"]
        (case / f"{name}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _deep_side_files(root: Path) -> None:
    """Variables files and a module manifest nested 100,000 levels deep."""
    _write({
        "main.tf": 'variable "x" { default = 1 }\nmodule "m" {\n  source = "example/m/aws"\n}\n',
        "terraform.tfvars": "x = " + "[" * 100_000 + "]" * 100_000 + "\n",
        "terraform.tfvars.json": '{"x": ' + "[" * 100_000 + "]" * 100_000 + "}",
        ".terraform/modules/modules.json": '{"Modules": ' + "[" * 100_000 + "]" * 100_000 + "}",
    })(root)


def _shared_strings(root: Path) -> None:
    """A 1 MiB parameter referred to 3,000 times, and a !Join of it repeated through a YAML alias:
    gigabytes if each reference were a copy."""
    case = root / "case"
    case.mkdir()
    head = ["AWSTemplateFormatVersion: '2010-09-09'", "Parameters:", "  P:", "    Type: String",
            "    Default: " + "x" * MIB, "Resources:", "  B:", "    Type: AWS::S3::Bucket", "    Properties:",
            "      Tags:"]
    refs = head + ["        - {Key: b, Value: !Ref P}"] * 3000
    (case / "refs.yaml").write_text("\n".join(refs) + "\n", encoding="utf-8")
    joined = head + ["        - Key: a", "          Value: &j !Join ['', [!Ref P, !Ref P, !Ref P, !Ref P, !Ref P]]"]
    joined += ["        - {Key: b, Value: *j}"] * 2000
    (case / "alias_join.yaml").write_text("\n".join(joined) + "\n", encoding="utf-8")


def _file_functions(root: Path) -> None:
    """A 60 KB template rendered 300 times (parsed once, not 300 times), and a 17 MiB file read
    by a hundred instances (one copy, and what they add up to bounded). The latter, spending the
    scan's budget, is in ``zz/``: roots are evaluated in order, ``healthy/`` first."""
    case = root / "case"
    case.mkdir()
    (case / "page.tpl").write_text("<p>${i} ${upper(name)}</p>\n" * 2500, encoding="utf-8")
    (case / "main.tf").write_text('resource "aws_s3_object" "page" {\n  count   = 300\n  bucket  = "b"\n'
                                  '  key     = "p${count.index}"\n'
                                  '  content = templatefile("page.tpl", { i = count.index, name = "x" })\n}\n',
                                  encoding="utf-8")
    zz = root / "zz"
    zz.mkdir()
    (zz / "big.txt").write_text(("y" * 99 + "\n") * (17 * MIB // 100), encoding="utf-8")
    (zz / "main.tf").write_text('resource "aws_s3_object" "copies" {\n  count   = 100\n  bucket  = "b"\n'
                                '  key     = "k${count.index}"\n  content = file("big.txt")\n}\n', encoding="utf-8")


CASES: dict[str, Case] = {
    "binary": Case(_write({
        "binary.tf": b'resource "aws_s3_bucket" "b" {\n  acl = "\x00\x01\x02"\n}\n',
        "image.json": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00",  # not IaC: skipped quietly
        "template.yaml": PUBLIC_BUCKET_YAML.encode() + b"      Tags: \x00\n",
    }), [("case/binary.tf", 2, 10, "binary file"), ("case/template.yaml", 7, 13, "binary file")]),
    "invalid_utf8": Case(_write({
        "latin1.tf": 'resource "aws_s3_bucket" "b" {\n  bucket = "café"\n}\n'.encode("latin-1"),
        "latin1-config.yaml": "name: café\n".encode("latin-1"),  # not IaC: skipped quietly
        "latin1-template.yaml": (PUBLIC_BUCKET_YAML + "      Tags: [{Key: café, Value: x}]\n").encode("latin-1"),
    }), [("case/latin1.tf", 2, 16, "not valid UTF-8"), ("case/latin1-template.yaml", 7, 23, "not valid UTF-8")]),
    "bom": Case(_write({
        "main.tf": "\ufeff" + PUBLIC_DB,
        "other.tf.json": '\ufeff{"resource": {"aws_db_instance": {"j": {"publicly_accessible": true}}}}',
        "template.yaml": "\ufeff" + PUBLIC_BUCKET_YAML,
        "terraform.tfvars": "\ufeffname = \"x\"\n",
    }), [], code=1, findings=[("db-publicly-accessible", "case/main.tf", 2),
                              ("db-publicly-accessible", "case/other.tf.json", 1),
                              ("s3-public-read", "case/template.yaml", 6)]),
    "crlf": Case(_write({
        "main.tf": "# windows\r\n" + PUBLIC_DB.replace("\n", "\r\n"),
        "heredoc.tf": ('resource "aws_db_instance" "h" {\r\n  publicly_accessible = true\r\n  tags = {\r\n'
                       '    Note = <<EOT\r\nline\r\nEOT\r\n  }\r\n}\r\n'),
        "template.yaml": PUBLIC_BUCKET_YAML.replace("\n", "\r\n"),
    }), [], code=1, findings=[("db-publicly-accessible", "case/main.tf", 3),
                              ("db-publicly-accessible", "case/heredoc.tf", 2),
                              ("s3-public-read", "case/template.yaml", 6)]),
    "tabs": Case(_copy("tabs"), [("case/template.yaml", 3, 1, "could not be decoded")],
                 findings=[("db-publicly-accessible", "case/main.tf", 2)]),
    "empty": Case(_copy("empty"), [], code=1),
    "deep_hcl": Case(_write({
        "parens.tf": "locals {\n  x = " + "(" * 10_000 + "1" + ")" * 10_000 + "\n}\n",
        "number.tf": "locals {\n  n = " + "9" * 5000 + "\n}\n",
    }), [("case/parens.tf", 2, 405, "nesting deeper than 400 levels"),
         ("case/number.tf", 2, 7, "more than 1000 digits")]),
    # A template directive our own pattern matched in quadratic time: minutes for 200,000 spaces.
    "quadratic_pattern": Case(_write({
        "directive.tf": ('resource "aws_db_instance" "d" {\n  publicly_accessible = true\n  tags = { Note = <<EOT\n'
                         "%{ if" + " " * 200_000 + "true ~}\nok\n%{ endif }\nEOT\n  }\n}\n"),
    }), [], code=1, findings=[("db-publicly-accessible", "case/directive.tf", 2)]),
    # A template's duplicate keys were looked for by comparing every pair of keys of a mapping:
    # 60,000 keys took a minute per decoding, and a fix in the template decodes it again and again.
    "wide_mapping": Case(_write({
        "template.yaml": PUBLIC_BUCKET_YAML + "Metadata:\n" + "".join(f"  K{i}: {i}\n" for i in range(60_000)),
    }), [], code=1, findings=[("s3-public-read", "case/template.yaml", 6)]),
    "deep_data": Case(_write({
        "template.json": ('{"AWSTemplateFormatVersion": "2010-09-09",\n "Resources": {"B": {"Type": "AWS::S3::Bucket",'
                          '\n "Properties": {"Tags": ' + "[" * 5000 + "]" * 5000 + "}}}}"),
        "template.yaml": ("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  B:\n    Type: AWS::S3::Bucket\n"
                          "    Properties:\n      Tags: " + "[" * 5000 + "]" * 5000 + "\n"),
        "deep.tf.json": '{"locals": {"x":\n' + "[" * 5000 + "]" * 5000 + "}}",
    }), [("case/template.json", 3, None, "maximum nesting depth"), ("case/template.yaml", 6, None, "nesting depth"),
         ("case/deep.tf.json", 2, 256, "nesting deeper than 256 levels")]),
    "huge": Case(_huge, [("case/big.tf", 0, None, "over the limit of 2097152 bytes"),
                         ("case/template.json", 0, None, "over the limit of 20971520 bytes")]),
    "max_file_size": Case(_write({"main.tf": PUBLIC_DB + "# " + "padding " * 20 + "\n"}),
                          [("case/main.tf", 0, None, "file is 228 bytes, over the limit of 200 bytes")],
                          args=("--max-file-size", "200")),
    "billion_laughs": Case(_amplified, [
        ("case/template.yaml", 1, 1, "YAML alias amplification"),
        ("case/amplified.yaml", 10, 11, "once YAML aliases are expanded (alias amplification?)"),
    ]),
    "count": Case(_copy("count"), [("case/main.tf", 2, 0, "count = 1000000000 is over the limit of 1000"),
                                   ("case/main.tf", 7, 0, "count = -5 is negative")]),
    "for_each": Case(_copy("for_each"), [("case/main.tf", 6, 0, "for_each over 100000 elements"),
                                         ("case/main.tf", 11, 0, "range() of 1000000000 elements")]),
    "module_recursion": Case(_copy("module_cycle"), [
        ("case/b/main.tf", 2, 0, "module a: module calls form a cycle"),
        ("case/self/main.tf", 2, 0, "module again: module calls form a cycle"),
    ]),
    "evaluation_bombs": Case(_copy("bombs"), [
        ("case/main.tf", 9, 0, "string template would build a string of 16777216 characters"),
        ("case/main.tf", 44, 0, "range() of 1000000 elements"),
        ("case/main.tf", 48, 0, "evaluation takes more than 1000000 steps"),
        ("case/main.tf", 52, 0, "format(): width or precision '%09999999d'"),
        ("case/main.tf", 60, 0, "replace() would build a string of 1099511627776 characters"),
        ("case/main.tf", 73, 0, "evaluation takes more than 1000000 steps"),
        ("case/main.tf", 77, 0, "jsonencode(): value with more than 1000000 elements"),
    ]),
    "regex_bomb": Case(_copy("regex"), [("case/main.tf", 2, 0, "regular expression takes more than 1 s")]),
    "template_sections": Case(_copy("cfn_sections"), [
        ("case/resources_list.yaml", 2, 1, "Resources is not a mapping (it is a list)"),
        ("case/sections.json", 3, 3, "Parameters is not a mapping (it is a list)"),
        ("case/sections.json", 4, 3, "Conditions is not a mapping (it is a string)"),
        ("case/sections.json", 6, 0, "the Properties of Bucket are not a mapping"),
        ("case/sections.yaml", 2, 1, "Parameters is not a mapping (it is a string)"),
        ("case/sections.yaml", 3, 1, "Conditions is not a mapping (it is a number)"),
        ("case/sections.yaml", 4, 1, "Mappings is not a mapping (it is a list)"),
        ("case/sections.yaml", 5, 1, "Outputs is not a mapping (it is a list)"),
        ("case/sections.yaml", 7, 0, "the Properties of Bucket are not a mapping"),
        ("case/sections.yaml", 10, 0, "resource Numbered has no Type"),
        ("case/sections.yaml", 12, 0, "resource Bare has no Type"),
    ]),
    "nested_stacks": Case(_nested_stacks, [("case/d.yaml", 24, 0, "more than 1000 nested stacks to resolve")]),
    "deep_side_files": Case(_deep_side_files, [
        ("case/.terraform/modules/modules.json", 1, 269, "cannot read the module manifest: nesting deeper than 256"),
        ("case/terraform.tfvars", 1, 205, "nesting deeper than 400 levels"),
        ("case/terraform.tfvars.json", 1, 263, "nesting deeper than 256 levels"),
    ]),
    "shared_strings": Case(_shared_strings, [
        ("case/refs.yaml", 7, None, "resolving this stack produces more than 268435456 characters"),
        ("case/alias_join.yaml", 7, None, "resolving this stack produces more than 268435456 characters"),
    ]),
    "file_functions": Case(_file_functions, [
        ("zz/main.tf", 1, None, "the attribute values of this scan's resources hold more than 268435456 characters"),
    ]),
    "symlinks": Case(_symlinks, [
        ("case/escape.tf", 0, None, "a symbolic link out of the scanned root"),
        ("case/loop/a.tf", 0, None, "a symbolic link loop"),
        ("case/loop/b.tf", 0, None, "a symbolic link loop"),
    ]),
}


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def report(self) -> dict:
        return json.loads(self.stdout)


def _limit_address_space() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def run_cli(*args: str, seed: str = "0") -> Run:
    env = {**os.environ, "PYTHONHASHSEED": seed, "NO_COLOR": "1"}
    start = time.monotonic()
    try:
        proc = subprocess.run([sys.executable, "-m", "iac_assist", *args], capture_output=True, text=True,
                              timeout=TIMEOUT, preexec_fn=_limit_address_space, env=env, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return Run(-1, "", f"killed after {TIMEOUT} s", time.monotonic() - start)
    return Run(proc.returncode, proc.stdout, proc.stderr, time.monotonic() - start)


def _tree(parent: Path, name: str, case: Case) -> Path:
    root = parent / name
    root.mkdir()
    shutil.copytree(HOSTILE / "healthy", root / "healthy")
    case.files(root)
    return root


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, tuple[Path, Run]]:
    """Every case scanned as JSON, two at a time (each its own process, limit and timeout)."""
    parent = tmp_path_factory.mktemp("hostile")
    roots = {name: _tree(parent, name, case) for name, case in CASES.items()}
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {name: pool.submit(run_cli, "scan", str(roots[name]), "--format", "json", *CASES[name].args)
                   for name in CASES}
        return {name: (roots[name], future.result()) for name, future in futures.items()}


def _errors(report: dict) -> list[tuple[str, int, int, str]]:
    return [(e["file"], e["line"], e["column"], e["message"]) for e in report["errors"]]


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_case_is_reported_and_bounded_and_the_rest_goes_on(runs, name):
    case = CASES[name]
    _root, run = runs[name]
    assert run.seconds < BOUND, f"{name} took {run.seconds:.1f} s"
    assert "Traceback" not in run.stderr and run.stdout, run.stderr[-3000:]
    report = run.report
    errors = _errors(report)
    assert not [e for e in errors if "internal error" in e[3]], errors
    for file, line, column, part in case.errors:
        matching = [e for e in errors if e[0] == file and e[1] == line and part in e[3]]
        assert matching, f"no error {file}:{line} {part!r} in {errors}"
        if column is not None:
            assert [e for e in matching if e[2] == column], f"{file}:{line}: expected column {column}: {matching}"
    # Nothing else fails the gate: every error is one the case expects.
    expected = {(f, ln) for f, ln, _c, _p in case.errors}
    assert {(e["file"], e["line"]) for e in report["errors"] if e["level"] == "error"} <= expected, errors
    assert run.code == case.code, (run.code, errors)
    found = {(f["control"], f["file"], f["line"]) for f in report["findings"]}
    assert HEALTHY in found, "the healthy sibling lost its finding"
    for finding in case.findings:
        assert finding in found, (finding, sorted(found))


def test_a_folder_link_to_its_parent_is_not_followed(runs):
    """The scan ends, and what the loop would repeat is reported once."""
    _root, run = runs["symlinks"]
    healthy = [f for f in run.report["findings"] if f["file"].endswith("healthy/main.tf")]
    assert [f["file"] for f in healthy].count("healthy/main.tf") == len(healthy)
    assert len({(f["rule_id"], f["resource"]) for f in healthy}) == len(healthy)


ALONE = {"huge", "max_file_size", "symlinks", "quadratic_pattern", "wide_mapping", "regex_bomb", "nested_stacks",
         "shared_strings", "file_functions"}
"""Cases scanned on their own only: big, slow or bound to their tree."""


@pytest.fixture(scope="module")
def everything(tmp_path_factory) -> Path:
    """All cases side by side, for the formats and determinism (big generated files left out)."""
    parent = tmp_path_factory.mktemp("everything")
    root = parent / "all"
    root.mkdir()
    shutil.copytree(HOSTILE / "healthy", root / "healthy")
    for name, case in CASES.items():
        if name in ALONE:
            continue
        holder = parent / name
        holder.mkdir()
        case.files(holder)
        shutil.move(holder / "case", root / name)
    return root


def _expected_everywhere() -> list[tuple[str, int, int | None, str]]:
    return [(file.replace("case/", f"{name}/", 1), line, column, part)
            for name, case in CASES.items() if name not in ALONE
            for file, line, column, part in case.errors]


@pytest.fixture(scope="module")
def formats(everything) -> dict[str, list[Run]]:
    jobs = [("json", "0"), ("json", "12345"), ("sarif", "0"), ("sarif", "987"), ("text", "0")]
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [(fmt, pool.submit(run_cli, "scan", str(everything), "--format", fmt, seed=seed))
                   for fmt, seed in jobs]
        out: dict[str, list[Run]] = {}
        for fmt, future in futures:
            out.setdefault(fmt, []).append(future.result())
    return out


def test_every_error_is_in_the_text_report(formats):
    run = formats["text"][0]
    assert run.code == 2 and "Traceback" not in run.stderr
    for file, line, column, part in _expected_everywhere():
        where = f"{file}:{line}" + (f":{column}" if column else "") if line else file
        assert any(ln.strip().startswith(where) and part in ln for ln in run.stdout.splitlines()), (where, part)


def test_every_error_is_a_sarif_tool_execution_notification(formats):
    run = formats["sarif"][0]
    assert run.code == 2 and "Traceback" not in run.stderr
    doc = json.loads(run.stdout)
    validate_sarif(doc)
    invocation = doc["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    notes = []
    for note in invocation["toolExecutionNotifications"]:
        (location,) = note["locations"]
        physical = location["physicalLocation"]
        region = physical.get("region", {})
        notes.append((physical["artifactLocation"]["uri"], region.get("startLine", 0), region.get("startColumn"),
                      note["level"], note["message"]["text"]))
    for file, line, column, part in _expected_everywhere():
        matching = [n for n in notes if n[0] == file and n[1] == line and part in n[4] and n[3] == "error"]
        assert matching, (file, line, part)
        if column:
            assert [n for n in matching if n[2] == column], (file, line, column, matching)


def test_every_error_is_in_the_json_report(formats):
    run = formats["json"][0]
    assert run.code == 2
    errors = _errors(run.report)
    for file, line, _column, part in _expected_everywhere():
        assert [e for e in errors if e[0] == file and e[1] == line and part in e[3]], (file, line, part)
    assert HEALTHY in {(f["control"], f["file"], f["line"]) for f in run.report["findings"]}


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_output_is_byte_identical_whatever_the_hash_seed(formats, fmt):
    first, second = formats[fmt]
    assert first.code == second.code == 2
    assert first.stdout == second.stdout


def test_a_parameters_file_nested_too_deeply_is_a_usage_error(tmp_path):
    (tmp_path / "template.yaml").write_text(PUBLIC_BUCKET_YAML, encoding="utf-8")
    params = tmp_path / "params.json"
    params.write_text('[{"ParameterKey": "A", "ParameterValue": ' + "[" * 100_000 + "]" * 100_000 + "}]")
    for command in ("scan", "model"):
        run = run_cli(command, str(tmp_path / "template.yaml"), "--parameters", str(params))
        assert run.code == 2 and "Traceback" not in run.stderr, run.stderr[-2000:]
        assert "params.json: JSON nested too deeply to be read" in run.stderr


def test_model_takes_the_file_size_cap_too(tmp_path):
    (tmp_path / "main.tf").write_text(PUBLIC_DB + "# " + "padding " * 20 + "\n", encoding="utf-8")
    run = run_cli("model", str(tmp_path), "--format", "json", "--max-file-size", "200")
    assert run.code == 2
    assert "main.tf" in run.stderr and "file is 228 bytes, over the limit of 200 bytes" in run.stderr, run.stderr
    assert run_cli("model", str(tmp_path), "--format", "json").code == 0


def test_deep_nesting_is_reported_at_the_same_place_whatever_the_callers_stack():
    # The depth check decides, not the interpreter's recursion limit: a caller deeper in the stack
    # (the parse cache's wrappers) must not move the position the error names.
    from iac_assist.parsers.terraform import hcl

    text = "x = " + "[" * 20_000 + "]" * 20_000 + "\n"

    def at_depth(n: int) -> tuple[int, int]:
        if n:
            return at_depth(n - 1)
        with pytest.raises(hcl.HclError) as err:
            hcl.parse(text)
        return err.value.line, err.value.column

    assert {at_depth(n) for n in (0, 200, 600)} == {(1, 205)}
