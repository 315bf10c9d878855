"""Untrusted text made harmless for whoever reads a report: one neutraliser for every channel.

File names, resource names, tags and values come from the scanned repository, which may be
hostile. Printed as they are, they could drive the reader's terminal (ANSI and OSC escapes, C1
controls), reorder what is shown (bidi overrides: U+202A-202E, U+2066-2069, U+200E/F, U+061C),
fake or hide lines, or start a CI runner's workflow command (GitHub's ``::cmd::`` and ``##[cmd]``
at the start of a line, Azure Pipelines' ``##vso[`` anywhere in one).

* :func:`visible` writes every control, format (bidi, zero-width), separator and surrogate
  character as a visible escape (``\\x1b``, ``\\u202e``), so the reader sees that it is there,
  and breaks Azure's ``##vso[`` (``##vso\\x5b``);
  ``breaks`` can turn line breaks into spaces instead where a format is one line per item.
* :func:`guard_lines` is the last pass over a whole report: a line that a CI runner would read
  as a command gets its first character written as an escape of the report's syntax (plain
  text, XML or JSON), so the data stays the same for a parser and inert for the runner.

Our own text is printable ASCII or plain Unicode: these functions leave it unchanged.
"""

from __future__ import annotations

import re
import unicodedata

ESCAPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
"""Controls (C0, DEL, C1), format characters (bidi marks and overrides, zero-width ones),
surrogates (undecodable file names) and line/paragraph separators."""
_NONCHARACTERS = frozenset("\ufffe\uffff")
LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
"""What some reader treats as the end of a line (str.splitlines' list)."""

# A line a runner reads as a command: GitHub (after leading whitespace), Azure anywhere.
_COMMAND_START = re.compile(r"^([ \t]*)(::|##\[)", re.M)
_AZURE = "##vso["

_ESCAPES = {
    # The first character of a command made inert, written in each syntax's own escape.
    "text": {":": "\\x3a", "#": "\\x23", "[": "\\x5b"},
    "xml": {":": "&#58;", "#": "&#35;", "[": "&#91;"},
    "json": {":": "\\u003a", "#": "\\u0023", "[": "\\u005b"},
}


def escape_char(ch: str) -> str:
    """``\\x1b`` for a character up to U+00FF, ``\\u202e`` above (``\\U0001xxxx`` past the BMP)."""
    code = ord(ch)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def is_unsafe(ch: str) -> bool:
    return ch in _NONCHARACTERS or unicodedata.category(ch) in ESCAPED_CATEGORIES


def visible(value: object, breaks: str | None = None) -> str:
    """``value`` as text with every unsafe character written as a visible escape (and Azure's
    ``##vso[`` as ``##vso\\x5b``); with ``breaks`` (``" "``), line breaks become that instead."""
    text = str(value)
    if _AZURE in text:  # a command anywhere in a line, for Azure Pipelines: never a whole one
        text = text.replace(_AZURE, "##vso" + _ESCAPES["text"]["["])
    if text.isprintable():  # the common case: nothing to do (isprintable is false for all of them)
        return text
    out = []
    for ch in text:
        if breaks is not None and ch in LINE_BREAKS:
            out.append(breaks)
        elif is_unsafe(ch):
            out.append(escape_char(ch))
        else:
            out.append(ch)
    return "".join(out)


def guard_lines(report: str, syntax: str = "text") -> str:
    """``report`` with no line a CI runner would execute: ``::`` or ``##[`` at a line's start and
    ``##vso[`` anywhere get one character escaped in ``syntax`` (``text``, ``xml`` or ``json``:
    in JSON, such text can only be inside strings, where ``\\u003a`` is the same data)."""
    escapes = _ESCAPES[syntax]
    if _AZURE in report:
        report = report.replace(_AZURE, "##vso" + escapes["["])
    if "::" not in report and "##[" not in report:
        return report
    return _COMMAND_START.sub(lambda m: m.group(1) + escapes[m.group(2)[0]] + m.group(2)[1:], report)


def json_text(report: str) -> str:
    """JSON text (written with ``ensure_ascii=False``) with every unsafe character left raw by
    the encoder written as a ``\\uXXXX`` escape: the same data, nothing raw for a terminal."""
    if not report.isprintable():
        # Line by line: an indented report is never printable as a whole (its line breaks are
        # not), and looking at each of its characters took most of a large model's rendering.
        # A printable line holds no unsafe character (none of them is printable).
        report = "\n".join(line if line.isprintable() else
                            "".join(_json_escape(ch) if is_unsafe(ch) else ch for ch in line)
                            for line in report.split("\n"))
    return guard_lines(report, "json")


def _json_escape(ch: str) -> str:
    code = ord(ch)
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000  # a UTF-16 surrogate pair, as JSON writes characters past the BMP
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
