"""CloudFormation front end: templates into source resources, then model components.

Importing this package must stay cheap: a Terraform-only scan never pays for PyYAML and the
template reader, so the decoder (``template``) is imported only when a template is actually loaded, and the normalizers
(``NORMALIZER``) when first asked for. The scan reaches it through ``frontend.py``.
"""

from __future__ import annotations

import re
from pathlib import Path

from iac_assist.model import ScanError
from iac_assist.model.resource import SourceResource
from iac_assist.parsers.cloudformation.options import TemplateOptions

__all__ = ["NORMALIZER", "TemplateOptions", "load_template", "load_worlds", "looks_like_template"]


def __getattr__(name: str) -> object:
    if name == "NORMALIZER":  # the normalizers of every service: imported when a template is normalized
        from iac_assist.parsers.cloudformation.normalizer import NORMALIZER

        return NORMALIZER
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_FORMAT_VERSION = re.compile(r"\bAWSTemplateFormatVersion\b")
_RESOURCES_KEY = re.compile(r"""^[ \t]*["']?Resources["']?[ \t]*:|["']Resources["'][ \t]*:""", re.MULTILINE)
_AWS_TYPE = re.compile(r"""["']?\bType["']?[ \t]*:[ \t]*["']?AWS::""")


def looks_like_template(text: str) -> bool:
    """Is this YAML or JSON text a CloudFormation template? Decided by parsing it (see
    ``discovery.is_template``); text that cannot be parsed (a broken template, or only the start
    of a file too large to read) is judged by how it looks, so that its problem is reported."""
    from iac_assist.inputs.discovery import is_template

    parsed = is_template(text)
    return parsed if parsed is not None else looks_like_template_text(text)


def looks_like_template_text(text: str) -> bool:
    """How a template's text usually looks, for text that cannot be parsed."""
    if _FORMAT_VERSION.search(text):
        return True
    return _RESOURCES_KEY.search(text) is not None and _AWS_TYPE.search(text) is not None


def load_template(
    path: Path, root: Path, options: TemplateOptions | None = None
) -> tuple[list[SourceResource], list[ScanError]]:
    """Decode ``path`` and resolve its intrinsics into source resources (open conditions unknown).

    Locations name the file relative to ``root``. Problems come back as ``ScanError``s; bad
    input never raises.
    """
    found, errors = load_worlds(path, root, options)
    return found[0], errors


def load_worlds(
    path: Path, root: Path, options: TemplateOptions | None = None
) -> tuple[list[list[SourceResource]], list[ScanError]]:
    """Like ``load_template``, followed by one resource list per alternative deployment when
    conditions are open (see ``worlds``)."""
    # Imported here, not at the top: it pulls in PyYAML and the intrinsics, of no use to a Terraform scan.
    from iac_assist.parsers.cloudformation import template

    return template.load(path, root, options)
