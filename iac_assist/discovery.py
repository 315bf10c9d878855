"""Finding the infrastructure code under the paths a user names.

Terraform is recognised by extension (``.tf``); CloudFormation and Terraform plans in JSON
(``terraform show -json``) by content, so that other YAML and JSON (workflows, configs, package
manifests) is skipped quietly.
"""

from __future__ import annotations

import errno
import fnmatch
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from iac_assist.model import ScanError

SKIP_DIRS = {".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", "venv", ".tox", ".terraform",
             ".mypy_cache", ".pytest_cache", ".ruff_cache", "cdk.out.bak"}
TEMPLATE_SUFFIXES = (".yaml", ".yml", ".json", ".template")
TERRAFORM_SUFFIXES = (".tf", ".tf.json")
TFVARS_SUFFIXES = (".tfvars", ".tfvars.json")
MAX_FILE_BYTES = 20 * 1024 * 1024
"""Largest file read by default (``--max-file-size``): generous for templates and plans."""
MAX_HCL_BYTES = 2 * 1024 * 1024
"""Largest ``.tf`` file read by default: the HCL parser needs about 300 bytes of memory and 20 µs
per byte of input, so 20 MiB would mean 6 GB and minutes. ``--max-file-size`` overrides it."""
SNIFF_BYTES = 256 * 1024
"""What is read of a large candidate to tell whether it is a template or a plan."""

Read = Callable[[Path, str, list], "str | None"]


@dataclass
class Discovered:
    root: Path
    terraform: list[Path] = field(default_factory=list)
    templates: list[Path] = field(default_factory=list)
    """Candidate CloudFormation files and Terraform plans (by suffix; content decides later)."""
    problems: list[ScanError] = field(default_factory=list)
    """Files that could not be followed (symbolic link loops, links out of the scanned root)."""
    max_file_bytes: int | None = None
    """``--max-file-size``: the largest file read, in bytes; None: MAX_FILE_BYTES (MAX_HCL_BYTES
    for ``.tf``)."""

    def reader(self) -> Read:
        """``read(path, rel, errors)``: a file's text, within this scan's size cap."""
        return partial(read_text, max_bytes=self.max_file_bytes)


def scan_root(paths: list[Path]) -> Path:
    """The folder every reported path is relative to: the common parent of the named paths."""
    folders = [p.resolve() if p.is_dir() else p.resolve().parent for p in paths]
    return Path(os.path.commonpath([str(f) for f in folders])) if folders else Path.cwd()


def discover(paths: list[Path], root: Path, exclude: list[str] | None = None,
             max_file_bytes: int | None = None) -> Discovered:
    """The IaC files under ``paths``. Symbolic links are followed only to files inside ``root``
    (a folder link is never descended into, so a link to a parent folder cannot loop); a link
    that loops or leaves the root is reported in ``problems`` when its name says Terraform."""
    found = Discovered(root, max_file_bytes=max_file_bytes)
    patterns = exclude or []
    seen: set[Path] = set()
    for path in paths:
        if path.is_file():
            _add(found, path, root, patterns, seen)
            if path.name.endswith(TERRAFORM_SUFFIXES + TFVARS_SUFFIXES):
                # A Terraform module is its folder: a named file brings its siblings along, so
                # references between files resolve (the pre-commit hook passes single files),
                # and a changed variables file re-scans the module whose values it sets.
                for sibling in terraform_files(path.resolve().parent):
                    _add(found, sibling, root, patterns, seen, named=False)
            continue
        for folder, dirs, files in os.walk(path, followlinks=False):
            here = Path(folder)
            dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not _is_venv(here / d)
                             and not _excluded(here / d, root, patterns))
            for name in sorted(files):
                _add(found, here / name, root, patterns, seen, named=False)
    found.terraform.sort()
    found.templates.sort()
    return found


def repository_root(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` holding ``.git`` (a folder, or a file in a worktree
    or submodule), or None. Only the file system is read: git is never run on untrusted input."""
    folder = start.resolve()
    for candidate in (folder, *folder.parents):  # finite: one step per path component
        if (candidate / ".git").exists():
            return candidate
    return None


def terraform_files(folder: Path) -> list[Path]:
    """The configuration files of a Terraform module folder, native and JSON syntax."""
    return sorted(p for p in folder.iterdir() if p.name.endswith(TERRAFORM_SUFFIXES) and p.is_file())


def _add(found: Discovered, given: Path, root: Path, patterns: list[str], seen: set[Path],
         named: bool = True) -> None:
    from iac_assist.confine import CATEGORY, Outside, check
    from iac_assist.model import ScanError

    name = given.name
    if not name.endswith(TERRAFORM_SUFFIXES + TEMPLATE_SUFFIXES):
        return
    try:
        path = given.resolve(strict=True)
    except (OSError, RuntimeError) as err:  # RuntimeError: a link loop, before Python 3.13
        if given.is_symlink() and name.endswith(TERRAFORM_SUFFIXES) and not _excluded(given, root, patterns):
            why = "a symbolic link loop" if isinstance(err, RuntimeError) or getattr(err, "errno", 0) == errno.ELOOP \
                else "a symbolic link to nothing"
            found.problems.append(ScanError(_shown(given, root), 0, f"{why}; not analysed"))
        return
    if _excluded(path, root, patterns):
        return
    # A link leading out of the scanned root, or into .git, is not followed: input is untrusted.
    try:
        check(path, root)
    except Outside as why:
        if name.endswith(TERRAFORM_SUFFIXES):
            where = "out of the scanned root" if root != path and root not in path.parents else f"whose target {why}"
            found.problems.append(ScanError(_shown(given, root), 0, f"a symbolic link {where} (to {path}); not "
                                            "followed, not analysed", category=CATEGORY))
        return
    if path in seen:
        return
    seen.add(path)
    # Named on the command line, a FIFO or device is read as asked; found in a folder, only
    # regular files are (reading a FIFO would block the scan for ever).
    if not named and not path.is_file():
        return
    if name.endswith(TERRAFORM_SUFFIXES):
        found.terraform.append(path)
    elif name.endswith(TEMPLATE_SUFFIXES) and _may_be_iac(path, found.max_file_bytes or MAX_FILE_BYTES):
        found.templates.append(path)


def _shown(path: Path, root: Path) -> str:
    """A path as reports show it: relative to the root when it is under it (links unresolved)."""
    absolute = Path(os.path.abspath(path))
    try:
        return absolute.relative_to(root).as_posix()
    except ValueError:
        return absolute.as_posix()


def _may_be_iac(path: Path, limit: int) -> bool:
    """False for a YAML or JSON file that cannot be read as text (binary, not UTF-8, over the size
    cap) and does not look like a template or a plan either: not IaC, skipped quietly. One that
    does look like one is kept, for its reading to report why it cannot be analysed."""
    from iac_assist.parsers.cloudformation import looks_like_template
    from iac_assist.parsers.terraform.plan import looks_like_plan

    try:
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError:
        return True  # reported when read
    if len(data) <= limit and b"\0" not in data:
        try:
            data.decode("utf-8")
            return True
        except UnicodeDecodeError:
            pass
    text = data[:SNIFF_BYTES].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data[:SNIFF_BYTES].decode("utf-16", errors="replace")
    return looks_like_template(text) or looks_like_plan(text)


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


def read_text(path: Path, rel: str, errors: list, max_bytes: int | None = None) -> str | None:
    """File text, or None with an error naming the file (binary, not UTF-8, too large) and the
    line and column of the first offending byte. ``max_bytes``: the cap (``--max-file-size``);
    None for the defaults (MAX_HCL_BYTES for ``.tf`` files, MAX_FILE_BYTES for the others)."""
    from iac_assist.model import ScanError

    limit = max_bytes if max_bytes is not None else MAX_HCL_BYTES if path.name.endswith(".tf") else MAX_FILE_BYTES
    try:
        with path.open("rb") as handle:
            # Read one byte past the cap rather than trusting the size stat gives (it may grow).
            data = handle.read(limit + 1)
    except OSError as err:
        errors.append(ScanError(rel, 0, f"cannot read: {err.strerror or err}"))
        return None
    if len(data) > limit:
        size = max(_size(path), len(data))
        hint = "" if max_bytes is not None else " (raise it with --max-file-size)"
        errors.append(ScanError(rel, 0, f"file is {size} bytes, over the limit of {limit} bytes{hint}; not analysed"))
        return None
    nul = data.find(b"\0")
    if nul >= 0:
        line, column = _position(data, nul)
        encoding = " (UTF-16 text? only UTF-8 is read)" if data.startswith((b"\xff\xfe", b"\xfe\xff")) else ""
        errors.append(ScanError(rel, line, f"binary file: a NUL byte{encoding}; not analysed", column))
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line, column = _position(data, err.start)
        errors.append(ScanError(rel, line, f"not valid UTF-8 (byte 0x{data[err.start]:02x}); not analysed", column))
        return None


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _position(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of byte ``offset``."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[line_start:offset].decode("utf-8", errors="replace")) + 1
    return data.count(b"\n", 0, offset) + 1, column
