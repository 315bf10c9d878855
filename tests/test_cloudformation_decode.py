"""The template decoder (parsers/cloudformation/decode.py) gives what cfn-lint's ``decode_str``
gives, mark for mark and error for error, without importing cfn-lint."""

from __future__ import annotations

import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cfnlint.decode import decode_str as cfn_lint_decode

from iac_assist.parsers.cloudformation.decode import decode_str

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus"

EDGE_CASES = [
    "",
    "a",
    "- 1\n- 2\n",
    "A: 1\nA: 2\nA: 3\n",
    "A:\n  B: 1\n  B: 2\nC: 1\nC: 2\n",
    "? null\n: 1\n",
    "~: 1\n",
    "A: &x {a: 1}\nB:\n  <<: *x\n  a: 2\n  a: 3\n",
    "? [1, 2]\n: x\n",
    "? {a: 1}\n: x\n",
    "A: !GetAtt a.b.c\nB: !GetAtt [a, b]\nC: !GetAtt {a: b}\nD: !Ref x\nE: !Condition c\nF: !Sub [a, {b: c}]\n"
    "G: !Foo {x: 1}\n",
    "A: !GetAtt\n",
    "x: *nope\n",
    "a: 1\n---\nb: 2\n",
    "a: !!python/object:os.system x\n",
    '{\n\t"a": 1\n}',
    '{\n\t"a": 1,\n\t"a": 2\n}',
    '{"a": "\\/x"}',
    '{\n\t"a": 1,,\n}',
    '{\n\t"a": \n}',
    "a: [1, 2\n",
    "a: b: c\n",
    "a: 'x\n",
    '"a": "\\q"\n',
    "a: 1\n\tb: 2\n",
    # Aliases expanding to a million nodes: refused.
    "a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
    "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
    "f: [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n",
    "a: 1.5\nb: yes\nc: 2020-01-01\nd: !!binary aGk=\ne: 0o17\n",
    "Resources:\n  B:\n    Type: X\n    Properties: !If [c, {A: 1}, !Ref AWS::NoValue]\n",
    "[a, b]: 1\n",
]


def shape(node: Any) -> Any:
    """A node with its class name and marks, recursively: what callers can observe."""
    marks = None
    if hasattr(node, "start_mark"):
        marks = [(m.line, m.column) for m in (node.start_mark, node.end_mark)]
    if isinstance(node, dict):
        return type(node).__name__, marks, [(shape(k), shape(v)) for k, v in node.items()]
    if isinstance(node, list):
        return type(node).__name__, marks, [shape(v) for v in node]
    return type(node).__name__, marks, repr(node)


def decoded(decode: Any, text: str) -> tuple[Any, list[tuple[str, int, int]]]:
    template, problems = decode(text)
    return shape(template), [(p.message, p.linenumber, p.columnnumber) for p in problems]


@pytest.mark.parametrize("text", EDGE_CASES)
def test_same_nodes_marks_and_errors_as_cfn_lint(text: str) -> None:
    assert decoded(decode_str, text) == decoded(cfn_lint_decode, text)


def test_duplicate_keys_are_reported_at_both_lines() -> None:
    template, problems = decode_str("Resources:\n  A: 1\n  A: 2\n")
    assert template is None
    assert [(p.message, p.linenumber, p.columnnumber) for p in problems] == [
        ("Duplicate found 'A' (line 2)", 2, 3),
        ("Duplicate found 'A' (line 3)", 3, 3),
    ]


def test_every_template_of_the_repository_and_corpus_decodes_alike() -> None:
    files = [p for root in (REPO / "fixtures", REPO / "policies" / "examples", CORPUS) if root.is_dir()
             for p in sorted(root.rglob("*")) if p.suffix in (".yaml", ".yml", ".json", ".template") and p.is_file()]
    assert len(files) > 50
    for path in files:
        text = path.read_text(encoding="utf-8-sig", errors="replace")
        assert decoded(decode_str, text) == decoded(cfn_lint_decode, text), path


def test_nodes_survive_pickling_with_their_marks() -> None:
    # Worker processes and a parse cache hand decoded nodes on; cfn-lint's classes cannot be pickled.
    template, _ = decode_str("A:\n  B: !Ref C\n  D: [x]\n")
    again = pickle.loads(pickle.dumps(template))
    assert shape(again) == shape(template)


def test_decoding_imports_no_cfn_lint_but_for_what_only_its_json_decoder_reads() -> None:
    code = (
        "import sys\nfrom iac_assist.parsers.cloudformation.decode import decode_str\n"
        "t, _ = decode_str(sys.argv[1])\nprint(t is not None, 'cfnlint' in sys.modules)\n"
    )
    def run(text: str) -> str:
        return subprocess.run([sys.executable, "-c", code, text], capture_output=True, text=True,
                              check=True).stdout.split()
    assert run("Resources:\n  B:\n    Type: AWS::S3::Bucket\n") == ["True", "False"]
    # An escape YAML does not know: cfn-lint then tries JSON, and so do we, with its decoder.
    assert run('{"Resources": {"B": {"Type": "AWS::S3::Bucket", "Properties": {"N": "\\q"}}}}') == ["False", "True"]
