"""Literal secrets never reach a report through a fix: a diff shows the lines around an edit, and a
suggestion whole lines, of files that may hold a password in clear (hardcoded-secret's findings
show only a masked prefix; a fix must not undo that).

A line holds a secret when the scan found a literal credential there, or when it writes a value
under a credential's name (``MasterUserPassword: ...``, ``password = "..."``), found or not."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from iac_assist.model.graph import ResourceGraph

HIDDEN = "(a line holding a secret, not shown)"
_KEY = re.compile(r"""^\s*(?:-\s+)?["']?([A-Za-z_][A-Za-z0-9_.-]*)["']?\s*[:=]""")


def secret_lines(graph: ResourceGraph | None) -> dict[str, set[int]]:
    """File -> the 1-based lines where the scan found a literal credential."""
    from iac_assist.model.credentials import FACT

    out: dict[str, set[int]] = defaultdict(set)
    for comp in graph.components.values() if graph is not None else ():
        fact = comp.facts.get(FACT)
        for found in fact.value if fact is not None and isinstance(fact.value, list) else ():
            loc = getattr(found, "loc", None)
            if loc is not None and loc.line > 0:
                out[loc.file].add(loc.line)
    return dict(out)


_NOT_LITERAL = ("!", "{", "[", "${", "var.", "local.", "module.", "data.", "random_", "aws_", "#")
_WORDS = {"", "true", "false", "yes", "no", "on", "off", "null", "~"}


def holds_secret(line: str) -> bool:
    """Whether ``line`` writes a literal under a credential's name (not a flag, a reference or a
    function: ``manage_master_user_password = true`` holds none)."""
    from iac_assist.model.credentials import is_credential_name

    key = _KEY.match(line)
    if key is None or not is_credential_name(key.group(1)):
        return False
    value = line[key.end():].strip().rstrip(",").strip().strip("\"'")
    return value.lower() not in _WORDS and not value.startswith(_NOT_LITERAL)


def secret_texts(text: str, lines: set[int]) -> set[str]:
    """The text of the found lines and of every line that writes a credential."""
    all_lines = text.split("\n")
    out = {all_lines[n - 1] for n in lines if 0 < n <= len(all_lines)}
    return out | {line for line in all_lines if holds_secret(line)}


def masked_diff(diff: str, secrets: set[str]) -> str:
    """``diff`` with every line that holds a secret replaced by a note, its indentation kept."""
    out = []
    for line in diff.split("\n"):
        body = line[1:]
        if line[:1] in (" ", "-", "+") and not line.startswith(("--- ", "+++ ")) and \
                (body in secrets or holds_secret(body)):
            line = line[:1] + body[:len(body) - len(body.lstrip())] + HIDDEN
        out.append(line)
    return "\n".join(out)
