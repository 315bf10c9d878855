"""The CloudFormation editor's tree: libyaml's (fast) reading of a template is used only where it
is the pure-Python parser's, span for span; elsewhere the pure parser reads it, or words why not."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from iac_assist.fixes import cfn_tree
from iac_assist.fixes.cfn_tree import Node, yaml_tree
from iac_assist.fixes.errors import CannotEdit

EXAMPLES = Path(__file__).resolve().parent.parent / "policies" / "examples"


def _shape(node: Node) -> tuple[Any, ...]:
    return (node.kind, node.start, node.end, node.flow, node.tag, node.style, type(node.value).__name__,
            repr(node.value), [(_shape(k), _shape(v)) for k, v in node.pairs], [_shape(i) for i in node.items])


def _read(text: str) -> tuple[Any, ...]:
    try:
        return _shape(yaml_tree(text))
    except CannotEdit as err:
        return ("refused", err.reason)


def _pure(text: str, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, ...]:
    with monkeypatch.context() as patched:
        patched.setattr(cfn_tree, "_fast_tree", lambda text: None)
        return _read(text)


def test_every_example_template_reads_the_same_fast(monkeypatch: pytest.MonkeyPatch) -> None:
    templates = sorted(EXAMPLES.rglob("*.yaml"))
    assert len(templates) > 50
    for path in templates:
        text = path.read_text(encoding="utf-8")
        assert cfn_tree._fast_tree(text) is not None, path
        assert _read(text) == _pure(text, monkeypatch), path


@pytest.mark.parametrize("text", [
    "a: {b: }\n",                       # an empty flow value: libyaml marks it after the space
    '{"a": ,"b": 1}\n',
    "a: [x?y]\n",                       # libyaml keeps a ? in a flow scalar; the pure parser refuses it
    "a: {b?: 1}\n",
    "\ufeffa: 1\nb: 2\n",               # libyaml does not count a leading byte order mark
    "a: 1\n\ufeffb: 2\n",               # nor reads one at a line's start as the pure parser does
    "a: \tb\n",                         # a tab between tokens: libyaml takes it
    "a: &x 1\nb: *x\n",                 # an alias: refused, with the pure parser's words
    "a: &x [1]\nb: *x\n",
    "a: &x {c: 1}\nb:\n  <<: *x\n",
    "base: &b {c: 1}\nd:\n  <<: {e: 1}\n",  # a merge key
    "a: 1\n---\nb: 2\n",                # two documents
    "a: [1, 2\n",                       # does not parse
    "",
    "a:\n  b:\n  c: !Ref X\n  d: !GetAtt A.B\n  e: |\n    x\n  f: >-\n    y\n  g: 'q'\n  h: \"w\"\n",
    "a: é😀\r\nb:\r\n  - x\r\n  - {y: 1, z: [2]}\r\n",
])
def test_fast_or_pure_the_same_reading(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _read(text) == _pure(text, monkeypatch)
