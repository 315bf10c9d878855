"""JSON with the line of every value: ``loads(text) -> (value, lines)``.

``lines`` maps a path into the value (``("resource", "aws_s3_bucket", "b", "acl")``, list indexes
as ints) to the 1-based line where that member's key (or that list element) starts. The standard
library's decoder keeps no positions, and cfn-lint's costs half a second to import; Terraform's
JSON syntax and plan files need lines without that. Nesting is bounded: input is untrusted.
"""

from __future__ import annotations

import bisect
import json
import re
from typing import Any

MAX_DEPTH = 256
MAX_NUMBER_CHARS = 1000
MAX_LINE_DEPTH = 32
"""Lines are kept for paths this deep at most: a path key costs memory in its length, so a deep
file would cost values × depth (a 20 MiB file nested 250 deep: gigabytes). Nothing asks for the
line of a deeper value; it is reported at its nearest recorded ancestor."""

_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?")
_STRING = re.compile(r'"(?:[^"\\\x00-\x1f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"')
_LITERALS = {"true": True, "false": False, "null": None}


class JsonError(ValueError):
    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(f"{message} (line {line}, column {column})")
        self.message = message
        self.line = line
        self.column = column


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.newlines = [m.start() for m in re.finditer("\n", text)]
        self.lines: dict[tuple, int] = {}

    def line(self, pos: int) -> int:
        return bisect.bisect_left(self.newlines, pos) + 1

    def error(self, message: str, pos: int) -> JsonError:
        line = self.line(pos)
        start = self.newlines[line - 2] + 1 if line > 1 else 0
        return JsonError(message, line, pos - start + 1)

    def skip(self, pos: int) -> int:
        return _WS.match(self.text, pos).end()

    def value(self, pos: int, path: tuple, depth: int) -> tuple[Any, int]:
        if depth > MAX_DEPTH:
            raise self.error(f"nesting deeper than {MAX_DEPTH} levels", pos)
        pos = self.skip(pos)
        char = self.text[pos:pos + 1]
        if char == "{":
            return self.object(pos + 1, path, depth)
        if char == "[":
            return self.array(pos + 1, path, depth)
        if char == '"':
            return self.string(pos)
        match = _NUMBER.match(self.text, pos)
        if match:
            literal = match.group()
            if len(literal) > MAX_NUMBER_CHARS:
                # Python refuses to convert an integer of more than 4300 digits anyway.
                raise self.error(f"number longer than {MAX_NUMBER_CHARS} characters", pos)
            return (float(literal) if match.group(1) or match.group(2) else int(literal)), match.end()
        for word, result in _LITERALS.items():
            if self.text.startswith(word, pos):
                return result, pos + len(word)
        raise self.error("expected a value" if char else "unexpected end of input", pos)

    def string(self, pos: int) -> tuple[str, int]:
        match = _STRING.match(self.text, pos)
        if not match:
            raise self.error("invalid string", pos)
        return json.loads(match.group()), match.end()

    def object(self, pos: int, path: tuple, depth: int) -> tuple[dict, int]:
        out: dict[str, Any] = {}
        pos = self.skip(pos)
        if self.text.startswith("}", pos):
            return out, pos + 1
        while True:
            pos = self.skip(pos)
            if not self.text.startswith('"', pos):
                raise self.error("expected a member name in double quotes", pos)
            key_pos = pos
            key, pos = self.string(pos)
            pos = self.skip(pos)
            if not self.text.startswith(":", pos):
                raise self.error("expected ':'", pos)
            if key in out:
                raise self.error(f"duplicate member {key!r}", key_pos)
            here = path + (key,)
            if len(here) <= MAX_LINE_DEPTH:
                self.lines[here] = self.line(key_pos)
            out[key], pos = self.value(pos + 1, here, depth + 1)
            pos = self.skip(pos)
            if self.text.startswith(",", pos):
                pos += 1
            elif self.text.startswith("}", pos):
                return out, pos + 1
            else:
                raise self.error("expected ',' or '}'", pos)

    def array(self, pos: int, path: tuple, depth: int) -> tuple[list, int]:
        out: list[Any] = []
        pos = self.skip(pos)
        if self.text.startswith("]", pos):
            return out, pos + 1
        while True:
            pos = self.skip(pos)
            here = path + (len(out),)
            if len(here) <= MAX_LINE_DEPTH:
                self.lines[here] = self.line(pos)
            item, pos = self.value(pos, here, depth + 1)
            out.append(item)
            pos = self.skip(pos)
            if self.text.startswith(",", pos):
                pos += 1
            elif self.text.startswith("]", pos):
                return out, pos + 1
            else:
                raise self.error("expected ',' or ']'", pos)


def loads(text: str) -> tuple[Any, dict[tuple, int]]:
    """Decode ``text``; raise ``JsonError`` (with line and column) on invalid or duplicate input."""
    parser = _Parser(text)
    value, pos = parser.value(0, (), 0)
    pos = parser.skip(pos)
    if pos != len(text):
        raise parser.error("unexpected content after the JSON value", pos)
    return value, parser.lines
