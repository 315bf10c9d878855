"""What a resource holds, for ranking attack paths: its data classification.

Two sources, the file winning: a tag on the resource (a key that reads ``data-classification``,
``DataClassification``, ``data_classification``... case-insensitively, whose value is one of
``CLASSES``), and a small file the user writes and passes with ``--data-classification FILE``::

    # .iac-assist-data.toml
    [classes]
    "module.data.aws_db_instance.main" = "restricted"
    "aws_s3_bucket.*" = "internal"      # globs (fnmatch) on the component id or address
    "Database" = "confidential"         # CloudFormation logical ids alike

The first matching entry, in the file's order, decides. Values other than ``CLASSES`` are
refused (the file is the user's own, so a mistake is a usage error, not a guess).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from fnmatch import fnmatchcase
from pathlib import Path
from typing import TYPE_CHECKING, Any

from iac_assist.model import Fact

if TYPE_CHECKING:
    from iac_assist.model.builder import ModelBuilder
    from iac_assist.model.resource import SourceResource

FACT = "data_classification"
CLASSES = ("public", "internal", "confidential", "restricted")
"""From least to most sensitive."""
MAX_FILE = 1 << 20
MAX_ENTRIES = 10_000
_KEY = re.compile(r"data[-_ ]?classification", re.IGNORECASE)


def from_tags(res: SourceResource) -> tuple[str, tuple[Any, ...]] | None:
    """The class a resource's tags give it, with the path of the tag's value in its body."""
    for name in ("tags", "Tags"):
        tags = res.body.get(name)
        if isinstance(tags, dict):
            for key, value in tags.items():
                if isinstance(key, str) and _KEY.fullmatch(key) and _known(value):
                    return value.lower(), (name, key)
        elif isinstance(tags, list):
            for i, tag in enumerate(tags):
                if isinstance(tag, dict) and isinstance(tag.get("Key"), str) and _KEY.fullmatch(tag["Key"]) \
                        and _known(tag.get("Value")):
                    return tag["Value"].lower(), (name, i, "Value")
    return None


def _known(value: Any) -> bool:
    return isinstance(value, str) and value.lower() in CLASSES


def attach(resources: Iterable[SourceResource], builder: ModelBuilder) -> None:
    """Set ``data_classification`` on the components a tagged resource became."""
    for res in resources:
        found = from_tags(res)
        if found is None:
            continue
        value, path = found
        for comp in builder.by_address(res.address):
            comp.facts[FACT] = Fact(value, res.at(*path))


def read_file(path: Path) -> list[tuple[str, str]]:
    """The (glob, class) entries of a data-classification file, in order; ValueError when it is
    not one."""
    import tomllib  # read for the threat model's classification file only: not at every scan's start

    with path.open("rb") as handle:
        raw = handle.read(MAX_FILE + 1)
    if len(raw) > MAX_FILE:
        raise ValueError(f"{path}: larger than {MAX_FILE} bytes")
    try:
        doc = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise ValueError(f"{path}: not TOML ({err})") from None
    classes = doc.get("classes")
    if not isinstance(classes, dict):
        raise ValueError(f"{path}: a [classes] table mapping resource addresses (globs) to a class is required")
    if len(classes) > MAX_ENTRIES:
        raise ValueError(f"{path}: more than {MAX_ENTRIES} entries")
    out = []
    for pattern, value in classes.items():
        if not isinstance(value, str) or value.lower() not in CLASSES:
            raise ValueError(f"{path}: {pattern!r} must be one of {', '.join(CLASSES)}")
        out.append((pattern, value.lower()))
    return out


def lookup(entries: list[tuple[str, str]], *names: str) -> str | None:
    """The class the first entry matching any of ``names`` gives."""
    for pattern, value in entries:
        if any(fnmatchcase(name, pattern) for name in names if name):
            return value
    return None
