"""The Terraform front end: module folders → evaluated resource instances → model components.

``load_configuration`` is the entry point: it receives the ``.tf`` files discovered in a scan,
groups them into module folders, works out which folders are root modules (those no other
scanned folder calls as a local module) and evaluates each root with its local modules.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from iac_assist.model import ScanError
from iac_assist.parsers.terraform.inputs import VariableInputs, root_values
from iac_assist.resource import SourceResource


def load_configuration(
    files: list[Path], root: Path, read, inputs: VariableInputs | None = None
) -> tuple[list[tuple[str, list[SourceResource]]], list[ScanError]]:
    """Evaluate every root module among ``files``: its folder (relative to ``root``, the scope
    its addresses are unique in) with its resources. ``read(path, rel, errors)`` returns text;
    ``inputs`` are the variable values given on the command line and in the environment."""
    from iac_assist.discovery import terraform_files
    from iac_assist.parsers.terraform.config import ModuleConfig, load_module
    from iac_assist.parsers.terraform.instances import ModuleInstance, ScanContext

    by_folder: dict[Path, list[Path]] = defaultdict(list)
    for path in files:
        by_folder[path.parent.resolve()].append(path.resolve())
    real_root = root.resolve()
    cache: dict[Path, ModuleConfig | None] = {}

    def load(folder: Path) -> ModuleConfig | None:
        folder = folder.resolve()
        if folder not in cache:
            tf_files = by_folder.get(folder)
            if tf_files is None:
                # A module folder's files, minus links leading out of the scanned root.
                tf_files = [p for p in terraform_files(folder) if p.resolve().is_relative_to(real_root)
                            ] if folder.is_dir() else []
            cache[folder] = load_module(folder, real_root, tf_files, read) if tf_files else None
        return cache[folder]

    ctx = ScanContext(real_root, load, read)
    inputs = inputs or VariableInputs()
    called: set[Path] = set()
    for folder in sorted(by_folder):
        config = load(folder)
        if config is None:
            continue
        for _call, source in config.local_sources():
            called.add((folder / source).resolve())

    roots: list[tuple[str, list[SourceResource]]] = []
    for folder in sorted(by_folder):
        if folder in called:
            continue
        config = load(folder)
        if config is not None:
            values, input_errors = root_values(config, real_root, inputs, read)
            ctx.errors.extend(input_errors)
            roots.append((config.rel, ModuleInstance(config, ctx, inputs=values).resources()))
    errors = [e for c in cache.values() if c is not None for e in c.errors] + ctx.errors
    return roots, errors
