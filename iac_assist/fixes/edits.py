"""A text edit: the one shape every editor produces and every consumer (the diff, ``--write``,
SARIF ``fixes``, the Markdown suggestion) reads."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class TextEdit:
    """Replace ``text[start:end]`` of one file with ``new``.

    Offsets count characters of the file's text as read (UTF-8 decoded, newlines not translated),
    so an edit made on the text a front end parsed applies to the same bytes on disk."""

    path: str
    """Path of the file relative to the scanned root, with ``/`` separators."""
    start: int
    end: int
    new: str

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise ValueError(f"bad edit range {self.start}..{self.end} in {self.path}")


def apply_edits(text: str, edits: list[TextEdit]) -> str:
    """The text with non-overlapping edits applied (overlapping ones are an error: two fixes that
    touch the same characters cannot both be the smallest safe edit)."""
    out: list[str] = []
    pos = 0
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        if edit.start < pos:
            raise ValueError(f"overlapping edits at offset {edit.start} in {edit.path}")
        if edit.end > len(text):
            raise ValueError(f"edit past the end of {edit.path}")
        out.append(text[pos:edit.start])
        out.append(edit.new)
        pos = edit.end
    out.append(text[pos:])
    return "".join(out)
