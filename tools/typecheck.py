"""mypy over the package as it is installed: ``python tools/typecheck.py [MYPY OPTION...]``.

pyproject.toml installs the top-level ``parsers/`` and ``policies/`` as ``iac_assist.parsers``
and ``iac_assist.policies`` ([tool.setuptools.package-dir]); mypy finds modules by their folders
and cannot follow the editable install's import hook, so it would not resolve
``iac_assist.parsers.terraform``. This builds that layout as a tree of symbolic links under
``build/typecheck/`` (``iac_assist/`` holding links to each entry of the repository's
``iac_assist/`` plus ``parsers`` and ``policies``) and runs mypy there with the repository's
[tool.mypy] settings, which name files by their installed paths. mypy's cache stays beside it,
so a second run takes a few seconds. The exit code is mypy's.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

REPO = Path(__file__).resolve().parent.parent
WORK = REPO / "build" / "typecheck"


def installed_layout(root: Path) -> Path:
    """``root/iac_assist``: links to what ``iac_assist`` holds once installed; returns ``root``."""
    setuptools = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    if root.exists():
        shutil.rmtree(root)
    package = root / "iac_assist"
    package.mkdir(parents=True)
    for entry in (REPO / "iac_assist").iterdir():
        if entry.name != "__pycache__":
            os.symlink(entry, package / entry.name, target_is_directory=entry.is_dir())
    for name, folder in setuptools.get("package-dir", {}).items():
        top, _, sub = name.partition(".")
        if top != "iac_assist" or "." in sub:
            raise SystemExit(f"typecheck: package-dir entry {name!r} is not a subpackage of iac_assist")
        os.symlink(REPO / folder, package / sub, target_is_directory=True)
    return root


def main(argv: list[str]) -> int:
    source = installed_layout(WORK / "src")
    command = [sys.executable, "-m", "mypy", "--config-file", str(REPO / "pyproject.toml"),
               "--cache-dir", str(WORK / "mypy_cache"), *argv]
    return subprocess.run(command, cwd=source).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
