"""The Terraform front end: module folders → evaluated resource instances → model components.

``load_configuration`` is the entry point: it receives the ``.tf`` files discovered in a scan,
groups them into module folders, works out which folders are root modules (those no other
scanned folder calls as a local module, and those with their own ``terraform.tfvars``) and
evaluates each root with its local modules.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from iac_assist.model import ScanError
from iac_assist.model.resource import SourceResource
from iac_assist.parsers.terraform.budget import scan_budget
from iac_assist.parsers.terraform.given import VariableInputs

if TYPE_CHECKING:
    from iac_assist.parsers.terraform.config import ModuleConfig
    from iac_assist.parsers.terraform.inputs import Read


def module_folders(files: list[Path]) -> dict[Path, list[Path]]:
    """``files`` grouped by module folder (resolved paths): each folder is parsed as one module."""
    by_folder: dict[Path, list[Path]] = defaultdict(list)
    # Each folder resolved once, not once per file and again for the file (a few hundred
    # lstat walks on a large repository); a file itself is resolved only when it is a link.
    folders: dict[Path, Path] = {}
    for path in files:
        folder = folders.get(path.parent)
        if folder is None:
            folder = folders[path.parent] = path.parent.resolve()
        by_folder[folder].append(path.resolve() if path.is_symlink() else folder / path.name)
    return by_folder


def load_configuration(
    files: list[Path], root: Path, read: Read, inputs: VariableInputs | None = None,
    parsed: dict[Path, ModuleConfig] | None = None,
) -> tuple[list[tuple[str, list[SourceResource]]], list[ScanError]]:
    """Evaluate every root module among ``files``: its folder (relative to ``root``, the scope
    its addresses are unique in) with its resources. ``read(path, rel, errors)`` returns text;
    ``inputs`` are the variable values given on the command line and in the environment;
    ``parsed``: folders of ``module_folders(files)`` already parsed (by worker processes, see
    ``frontend.py``), as ``load_module`` parses them."""
    from iac_assist.inputs.confine import allowed
    from iac_assist.inputs.discovery import terraform_files
    from iac_assist.parsers.terraform.config import load_module
    from iac_assist.parsers.terraform.instances import ModuleInstance, ScanContext

    by_folder = module_folders(files)
    real_root = root.resolve()
    cache: dict[Path, ModuleConfig | None] = dict(parsed or {})

    def load(folder: Path) -> ModuleConfig | None:
        folder = folder.resolve()
        if folder not in cache:
            tf_files = by_folder.get(folder)
            if tf_files is None:
                # A module folder's files, minus links leading out of the scanned root or into .git.
                tf_files = [p for p in terraform_files(folder) if allowed(p, real_root)
                            ] if allowed(folder, real_root) and folder.is_dir() else []
            cache[folder] = load_module(folder, real_root, tf_files, read) if tf_files else None
        return cache[folder]

    from iac_assist.parsers.terraform.inputs import root_values

    ctx = ScanContext(real_root, load, read)
    inputs = inputs or VariableInputs()
    roots: list[tuple[str, list[SourceResource]]] = []
    with scan_budget():
        for folder in _root_folders(sorted(by_folder), load, real_root):
            config = load(folder)
            if config is not None:
                given = root_values(config, real_root, inputs, read)
                ctx.errors.extend(given.errors)
                module = ModuleInstance(config, ctx, inputs=given.values, given_origins=given.origins)
                roots.append((config.rel, module.resources()))
    errors = [e for c in cache.values() if c is not None for e in c.errors] + ctx.errors
    return roots, errors


def has_own_values(folder: Path) -> bool:
    """Whether a folder holds the variable values Terraform reads for a root module
    (``terraform.tfvars``, ``*.auto.tfvars`` and their JSON forms): it is applied on its own,
    whatever other folder also calls it as a module."""
    try:
        return any(p.name in ("terraform.tfvars", "terraform.tfvars.json")
                   or p.name.endswith((".auto.tfvars", ".auto.tfvars.json")) for p in folder.iterdir())
    except OSError:
        return False


def _root_folders(folders: list[Path], load: Callable[[Path], ModuleConfig | None], root: Path) -> list[Path]:
    """The root modules among ``folders``: those no other folder calls as a local module, and
    those that hold their own variable values (``has_own_values``): a repository could otherwise
    call a root module from anywhere, with harmless inputs, and only that call would be analysed.
    A folder reached from no root (its calls form a cycle: ``source = "./"``) is a root too, so
    that the cycle is reported rather than the folder skipped silently."""
    calls: dict[Path, list[Path]] = {}

    def callees(folder: Path) -> list[Path]:
        if folder not in calls:
            config = load(folder)
            calls[folder] = [callee for _call, source in config.local_sources()
                             if (callee := _local_folder(source, folder, root)) is not None
                             ] if config is not None else []
        return calls[folder]

    called = {callee for folder in folders for callee in callees(folder) if callee != folder}
    roots = [f for f in folders if f not in called or has_own_values(f)]
    reached: set[Path] = set()

    def reach(start: Path) -> None:
        todo = [start]
        while todo:
            folder = todo.pop()
            if folder not in reached:
                reached.add(folder)
                todo.extend(callees(folder))

    for folder in roots:
        reach(folder)
    for folder in folders:
        if folder not in reached:
            roots.append(folder)
            reach(folder)
    return sorted(roots)


def _local_folder(source: str, folder: Path, root: Path) -> Path | None:
    """The folder a local module source names, None when it may not be read (the module
    instance reports why, at the call)."""
    from iac_assist.inputs.confine import Outside, confine

    try:
        return confine(source, folder, root)
    except Outside:
        return None
