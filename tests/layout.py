"""The source tree as Python sees it once installed.

pyproject.toml's ``[tool.setuptools.package-dir]`` installs the top-level ``parsers/`` and
``policies/`` inside ``iac_assist``; tests that reason about modules by their files (packaging,
import cycles) map paths to module names through it, as the installed package names them.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from tests.conftest import REPO


@cache
def pyproject() -> dict[str, Any]:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def roots() -> dict[str, Path]:
    """Each top-level package name (and each package-dir mapped one) and the folder it comes from."""
    mapped = pyproject()["tool"]["setuptools"].get("package-dir", {})
    return {"iac_assist": REPO / "iac_assist", **{name: REPO / folder for name, folder in mapped.items()}}


def modules() -> dict[str, Path]:
    """Every module of the installed package (packages by their ``__init__.py``) and its file."""
    found: dict[str, Path] = {}
    for name, folder in roots().items():
        for path in sorted(folder.rglob("*.py")):
            parts = path.relative_to(folder).with_suffix("").parts
            if any(part == "__pycache__" for part in parts):
                continue
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join((name, *parts))] = path
    return found


def packages() -> set[str]:
    return {name for name, path in modules().items() if path.name == "__init__.py"}
