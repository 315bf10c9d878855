"""Which editor edits a component: one per input format, imported only when a fix is made."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from iac_assist.fixes.editor import Editor
    from iac_assist.model import Component

EDITORS: dict[str, str] = {
    "terraform": "iac_assist.fixes.terraform:EDITOR",
    "cloudformation": "iac_assist.fixes.cloudformation:EDITOR",
}
"""Format -> ``module:attribute`` of its editor (an ``editor.Editor``). A format without one gets
no fix, with ``UNAVAILABLE`` as the reason."""

UNAVAILABLE = "{title} editing not available"


def format_of(comp: Component) -> str:
    """The input format that declared ``comp``: CloudFormation types are ``Service::Name::Type``."""
    return "cloudformation" if "::" in comp.source_type else "terraform"


def editor_for(fmt: str) -> Editor | None:
    """The editor of ``fmt``, or None when no editor is registered for it."""
    where = EDITORS.get(fmt)
    if where is None:
        return None
    module, _, name = where.partition(":")
    editor: Editor = getattr(import_module(module), name)
    return editor
