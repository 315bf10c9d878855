"""A fix plan as a unified diff that ``git apply`` and ``patch -p1`` take."""

from __future__ import annotations

import difflib

NO_NEWLINE = "\\ No newline at end of file\n"


def unified(rel: str, before: str, after: str, context: int = 3) -> str:
    """The diff of one file, paths ``a/rel`` and ``b/rel``; empty when nothing changed."""
    if before == after:
        return ""
    lines = difflib.unified_diff(_lines(before), _lines(after),
                                 f"a/{rel}", f"b/{rel}", n=context)
    out = []
    for line in lines:
        if line.endswith("\n"):
            out.append(line)
        else:
            # The last line of a file without a final newline: said the way diff and git say it.
            out.append(line + "\n" + NO_NEWLINE)
    return "".join(out)


def _lines(text: str) -> list[str]:
    """Lines as git counts them: ended by ``\n`` only (``str.splitlines`` also splits at form
    feeds and Unicode separators, which would shift every hunk of a file holding one)."""
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def diff(texts: dict[str, str], edited: dict[str, str]) -> str:
    """Every edited file's diff, by path."""
    return "".join(unified(rel, texts[rel], edited[rel]) for rel in sorted(edited))
