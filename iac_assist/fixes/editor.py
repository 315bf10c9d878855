"""The protocol between the fix engine and a format's editor (``terraform.py``, ``cloudformation.py``).

The engine (``plan.py``) asks a policy's fix for a ``Change`` (declare.py), picks the editor of
the component's format (``editors.py``) and calls ``edits``. The editor returns the text edits
that make the change in the files where the values are set, or raises ``CannotEdit`` with a
reason a user can act on. It never writes: ``apply.py`` checks and writes the edits, only with
``--write``.

What an editor must do:

* Read files only through ``sources.text(rel)``: it gives the text exactly as the scan read it
  (character offsets of ``TextEdit`` count in that text) and refuses, with ``CannotEdit``, a file
  outside the scanned root, through a symbolic link leaving it, in ``.git/``, not a regular file
  or changed since the scan.
* Find where the format writes each fact by reversing the vocabulary's mapping tables
  (``paths.written_at``): a policy never names an attribute. What the tables cannot say (a fact a
  satellite resource writes, a front end's own code) is the editor's own small table.
* Edit where the value is set: the attribute or property; when the value came from elsewhere
  (``Fact.provenance``: a variables file, a default, a module argument, a parameter), that place,
  and only when the edit changes nothing else (the place feeds nothing but this value);
  otherwise raise ``CannotEdit``. An unset fact is inserted; a value computed by an expression,
  a condition, a resource of a plan or a downloaded module is ``CannotEdit`` with its reason.
* Keep the file's formatting: indentation, alignment, comments, key order, quoting style.
* Be deterministic: the same scan gives the same edits byte for byte (snapshots record them).

An editor may also have ``combined(rel, text)``: raise ``CannotEdit`` unless ``text`` (a file with
the edits of several fixes applied, each made alone) still reads back. The engine asks it before
adding a fix to others in the same file; a fix that fails waits for the next run (two CloudFormation
fixes that each add the missing ``Properties:`` would otherwise write it twice).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from iac_assist.fixes.declare import Change
    from iac_assist.fixes.edits import TextEdit
    from iac_assist.model.graph import ResourceGraph


class CannotEdit(Exception):
    """No edit is made: ``reason`` says why, in words for the user (``the value comes from
    module.db's output, which is not in the repository``)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@runtime_checkable
class Sources(Protocol):
    """The scanned files, as the scan read them."""

    root: Path

    def text(self, rel: str) -> str:
        """The text of ``rel`` (relative to ``root``, ``/`` separators) as scanned; raises
        ``CannotEdit`` when it may not be edited (see the module's docstring)."""
        ...


@runtime_checkable
class Editor(Protocol):
    """One input format's editor."""

    format: str
    """The front end's name (``terraform``, ``cloudformation``): components of that format are its."""

    def edits(self, change: Change, graph: ResourceGraph, sources: Sources) -> list[TextEdit]:
        """The edits making ``change`` (a component of this format, facts of its kind's
        vocabulary), in any order and in any files under the root; raises ``CannotEdit``."""
        ...

    # Optional: ``verify(rel, text) -> None``, raising ``CannotEdit`` when a file with every fix
    # applied is broken (it no longer parses). ``plan`` calls it when the editor has it and
    # withdraws the fixes of a file that fails; it is not part of the protocol's checks so that an
    # editor without it still plugs in.
