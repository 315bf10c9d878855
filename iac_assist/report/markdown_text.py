"""Untrusted text made safe for GitHub-flavoured Markdown: the findings report and the threat
model report both quote resource names and messages taken from the scanned code. Line breaks
become spaces (a table row is one line); other controls, bidi overrides and invisible characters
become visible escapes (``\\x1b``, ``\\u202e``: see ``report.safe_text``)."""

from __future__ import annotations

import re

from iac_assist.report.safe_text import visible

_LINE_BREAKS = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]+")
_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~&$])")
_MENTION = "@\u200b"  # a zero-width space after "@": GitHub links no mention, readers see "@"


def text(value: object) -> str:
    """Plain text for a paragraph or a table cell: no emphasis, link, HTML, mention or cell break."""
    escaped = _SPECIAL.sub(r"\\\1", visible(_LINE_BREAKS.sub(" ", str(value))))
    return escaped.replace("@", _MENTION)


def code(value: object, cell: bool = True) -> str:
    """An inline code span: the fence is one backtick longer than the longest run inside. In a
    table ``cell``, ``|`` is escaped (GitHub undoes that inside a code span in a table; outside
    tables the backslash would show, and a pipe is harmless there)."""
    body = visible(_LINE_BREAKS.sub(" ", str(value)))
    if cell:
        body = body.replace("|", "\\|")
    if not body.strip():
        return text(value) or " "
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * (longest + 1)
    if body.startswith("`") or body.endswith("`"):
        body = f" {body} "
    return f"{fence}{body}{fence}"


def code_block(body: str, info: str = "") -> list[str]:
    """A fenced code block of ``body``'s lines, each made visible (a control character cannot
    hide in it), fenced with one backtick more than the longest run inside (three at least)."""
    lines = [visible(line) for line in body.split("\n")]
    longest = max((len(run) for line in lines for run in re.findall(r"`+", line)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence + info, *lines, fence]
