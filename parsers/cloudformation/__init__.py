"""CloudFormation front end: templates into source resources, then model components.

Importing this package must stay cheap: a Terraform-only scan never pays for cfn-lint, so the
decoder (``template``) is imported only when a template is actually loaded.
"""

from __future__ import annotations

import re
from pathlib import Path

from iac_assist.model import ScanError
from iac_assist.parsers.cloudformation.normalize import NORMALIZER
from iac_assist.resource import SourceResource

__all__ = ["NORMALIZER", "load_template", "looks_like_template"]

_FORMAT_VERSION = re.compile(r"\bAWSTemplateFormatVersion\b")
_RESOURCES_KEY = re.compile(r"""^[ \t]*["']?Resources["']?[ \t]*:|["']Resources["'][ \t]*:""", re.MULTILINE)
_AWS_TYPE = re.compile(r"""["']?\bType["']?[ \t]*:[ \t]*["']?AWS::""")


def looks_like_template(text: str) -> bool:
    """Cheap content check (no parse): is this YAML or JSON text a CloudFormation template?"""
    if _FORMAT_VERSION.search(text):
        return True
    return _RESOURCES_KEY.search(text) is not None and _AWS_TYPE.search(text) is not None


def load_template(path: Path, root: Path) -> tuple[list[SourceResource], list[ScanError]]:
    """Decode ``path`` and resolve its intrinsics into source resources.

    Locations name the file relative to ``root``. Problems come back as ``ScanError``s; bad
    input never raises.
    """
    # Imported here, not at the top: it pulls in cfn-lint, which takes half a second to import.
    from iac_assist.parsers.cloudformation import template

    return template.load(path, root)
