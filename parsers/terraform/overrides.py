"""Override files (``override.tf``, ``*_override.tf`` and their ``.tf.json`` forms) merged as
Terraform merges them, so that what a repository overrides is what is analysed.

Terraform loads them after every other file of the module, in lexicographical order of their
names, then by position in each file. Each top-level block merges into the block of the same
header (type and labels) declared in a normal file:

- an argument replaces the argument of the same name;
- nested blocks of a type replace *all* the original's blocks of that type; types the override
  does not write stay; nested blocks are not merged, except ``lifecycle`` in ``resource`` and
  ``data``, merged argument by argument;
- ``locals`` are overridden value by value, whichever block defined them;
- a block with no original is an error, as it is for Terraform (``terraform`` blocks, which
  configure no resource, are not analysed).

Arguments and blocks taken from an override file remember it (``file``), so that a finding on
them points at the override file's line.
"""

from __future__ import annotations

from dataclasses import replace

from iac_assist.model import ScanError
from iac_assist.parsers.terraform import hcl

MERGED_PER_ARGUMENT = {"lifecycle"}
"""Nested blocks of ``resource`` and ``data`` merged argument by argument."""


def is_override(name: str) -> bool:
    """Whether a file name is an override file's, as Terraform decides it."""
    for suffix in (".tf.json", ".tf"):
        if name.endswith(suffix):
            stem = name[: -len(suffix)]
            return stem == "override" or stem.endswith("_override")
    return False


def merge_overrides(primary: list[tuple[hcl.Body, str]], overrides: list[tuple[hcl.Body, str]]) -> list[ScanError]:
    """Merge every override file's blocks into ``primary`` (bodies with their file), in place
    of the original blocks; ``overrides`` come in the order Terraform processes them."""
    errors: list[ScanError] = []
    headers: dict[tuple, tuple[hcl.Body, int]] = {}
    local_values: dict[str, hcl.Block] = {}
    for body, _rel in primary:
        # The calls their parse gathered no longer describe them once merged: walked instead
        # (``gaps.unknown_functions``).
        body.calls = None
        for i, block in enumerate(body.blocks):
            if block.type == "locals":
                for name in block.body.attributes:
                    local_values.setdefault(name, block)
            else:
                headers.setdefault(_header(block), (body, i))
    for body, rel in overrides:
        for block in body.blocks:
            block = _from_file(block, rel)
            if block.type == "locals":
                for name, attr in block.body.attributes.items():
                    original = local_values.get(name)
                    if original is None:
                        errors.append(ScanError(rel, attr.line, f"local value {name} in an override file has no "
                                                                "original definition to override (Terraform "
                                                                "rejects this configuration)"))
                    else:
                        original.body.attributes[name] = attr
                continue
            if block.type == "terraform":
                continue
            found = headers.get(_header(block))
            if found is None:
                what = " ".join([block.type] + [f'"{label}"' for label in block.labels])
                errors.append(ScanError(rel, block.line, f"{what} in an override file has no original block to "
                                                         "override (Terraform rejects this configuration); not "
                                                         "analysed"))
                continue
            target, i = found
            target.blocks[i] = _merged(target.blocks[i], block)
    return errors


def _header(block: hcl.Block) -> tuple:
    header: tuple = (block.type, *block.labels)
    if block.type == "provider":
        # Provider configurations are told apart by their alias.
        alias = block.body.attributes.get("alias")
        header += (getattr(alias.expr, "value", None) if alias is not None else None,)
    return header


def _merged(original: hcl.Block, override: hcl.Block) -> hcl.Block:
    attributes = {**original.body.attributes, **override.body.attributes}
    written = {b.type for b in override.body.blocks}
    blocks = [b for b in original.body.blocks if b.type not in written]
    for block in override.body.blocks:
        if original.type in ("resource", "data") and block.type in MERGED_PER_ARGUMENT:
            base = next((b for b in original.body.blocks if b.type == block.type), None)
            if base is not None:
                block = replace(base, body=hcl.Body({**base.body.attributes, **block.body.attributes},
                                                    base.body.blocks))
        blocks.append(block)
    return replace(original, body=hcl.Body(attributes, blocks))


def _from_file(block: hcl.Block, rel: str, depth: int = 0) -> hcl.Block:
    """A copy of an override file's block whose arguments and nested blocks name that file."""
    if depth > hcl.MAX_DEPTH:
        return replace(block, file=rel)
    body = hcl.Body({name: replace(attr, file=rel) for name, attr in block.body.attributes.items()},
                    [_from_file(b, rel, depth + 1) for b in block.body.blocks])
    return replace(block, body=body, file=rel)
