"""Finding the infrastructure code under the paths a user names.

Terraform is recognised by extension (``.tf``); CloudFormation and Terraform plans in JSON
(``terraform show -json``) by content, so that other YAML and JSON (workflows, configs, package
manifests) is skipped quietly.
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, field
from pathlib import Path

SKIP_DIRS = {".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", "venv", ".tox", ".terraform",
             ".mypy_cache", ".pytest_cache", ".ruff_cache", "cdk.out.bak"}
TEMPLATE_SUFFIXES = (".yaml", ".yml", ".json", ".template")
TERRAFORM_SUFFIXES = (".tf", ".tf.json")
MAX_FILE_BYTES = 20 * 1024 * 1024


@dataclass
class Discovered:
    root: Path
    terraform: list[Path] = field(default_factory=list)
    templates: list[Path] = field(default_factory=list)
    """Candidate CloudFormation files and Terraform plans (by suffix; content decides later)."""


def scan_root(paths: list[Path]) -> Path:
    """The folder every reported path is relative to: the common parent of the named paths."""
    folders = [p.resolve() if p.is_dir() else p.resolve().parent for p in paths]
    return Path(os.path.commonpath([str(f) for f in folders])) if folders else Path.cwd()


def discover(paths: list[Path], root: Path, exclude: list[str] | None = None) -> Discovered:
    found = Discovered(root)
    patterns = exclude or []
    seen: set[Path] = set()
    for path in paths:
        if path.is_file():
            _add(found, path.resolve(), root, patterns, seen)
            if path.name.endswith(TERRAFORM_SUFFIXES):
                # A Terraform module is its folder: a named file brings its siblings along, so
                # references between files resolve (the pre-commit hook passes single files).
                for sibling in terraform_files(path.resolve().parent):
                    _add(found, sibling, root, patterns, seen)
            continue
        for folder, dirs, files in os.walk(path, followlinks=False):
            here = Path(folder)
            dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not _is_venv(here / d)
                             and not _excluded(here / d, root, patterns))
            for name in sorted(files):
                _add(found, (here / name).resolve(), root, patterns, seen)
    found.terraform.sort()
    found.templates.sort()
    return found


def terraform_files(folder: Path) -> list[Path]:
    """The configuration files of a Terraform module folder, native and JSON syntax."""
    return sorted(p for p in folder.iterdir() if p.name.endswith(TERRAFORM_SUFFIXES) and p.is_file())


def _add(found: Discovered, path: Path, root: Path, patterns: list[str], seen: set[Path]) -> None:
    if path in seen or _excluded(path, root, patterns):
        return
    seen.add(path)
    # A link leading out of the scanned root is not followed: input is untrusted.
    if root != path and root not in path.parents:
        return
    name = path.name
    if name.endswith(TERRAFORM_SUFFIXES):
        found.terraform.append(path)
    elif name.endswith(TEMPLATE_SUFFIXES):
        found.templates.append(path)


def _excluded(path: Path, root: Path, patterns: list[str]) -> bool:
    if not patterns:
        return False
    try:
        rel = path.resolve().relative_to(root).as_posix()
    except ValueError:
        rel = path.as_posix()
    return any(fnmatch.fnmatch(rel, pat) or fnmatch.fnmatch(path.name, pat) or fnmatch.fnmatch(rel, pat + "/*")
               for pat in patterns)


def _is_venv(folder: Path) -> bool:
    return (folder / "pyvenv.cfg").is_file()


def read_text(path: Path, rel: str, errors: list) -> str | None:
    """File text, or None with an error naming the file (binary, not UTF-8, too large)."""
    from iac_assist.model import ScanError

    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            errors.append(ScanError(rel, 0, f"file is {size} bytes, over the {MAX_FILE_BYTES} byte limit"))
            return None
        data = path.read_bytes()
    except OSError as err:
        errors.append(ScanError(rel, 0, f"cannot read: {err.strerror or err}"))
        return None
    if b"\0" in data:
        errors.append(ScanError(rel, 0, "binary file (contains NUL bytes)"))
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        errors.append(ScanError(rel, line, "not valid UTF-8"))
        return None
