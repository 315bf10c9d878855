"""Mapping files for the OTM format: iac-assist's trust zones and component kinds -> a consumer's.

A mapping file (YAML, or TOML when its name ends in ``.toml``; ``iriusrisk`` names the built-in
one, ``otm_mappings/iriusrisk.yaml``, which documents the shape)::

    zones:                  # iac-assist zone -> {id, type, name} (or just a type)
      private: {id: 2ab4..., type: 2ab4..., name: Private Secured}
    components:             # kind or source type (the source type wins) -> component type
      ec2.instance: ec2
      aws_secretsmanager_secret: CD-SECRETS-MANAGER
    default-component: empty-component   # optional: every component not listed

Zones mapped to one id become one trust zone. A malformed file is a usage error, named.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml

BUILT_IN = ("iriusrisk",)
MAX_BYTES = 1 << 20
ZONE_KEYS = frozenset({"id", "type", "name"})


@dataclass(frozen=True)
class ZoneMapping:
    id: str = ""
    type: str = ""
    name: str = ""


@dataclass(frozen=True)
class Mapping:
    zones: dict[str, ZoneMapping] = field(default_factory=dict)
    components: dict[str, str] = field(default_factory=dict)
    default_component: str = ""
    source: str = ""
    """Where it was read from (the built-in's name, or the file's path)."""

    def component_type(self, kind: str, source_type: str) -> str | None:
        return self.components.get(source_type) or self.components.get(kind) or self.default_component or None


def load(name_or_path: str) -> Mapping:
    """The built-in mapping so named, or the mapping file at that path; ``ValueError`` says what is wrong."""
    if name_or_path in BUILT_IN:
        text = (files("iac_assist.threatmodel.formats") / "otm_mappings" / f"{name_or_path}.yaml").read_text("utf-8")
        return parse(yaml.safe_load(text), name_or_path)
    path = Path(name_or_path)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise ValueError(f"{path}: larger than {MAX_BYTES} bytes")
        raw = path.read_bytes()
    except OSError as err:
        raise ValueError(f"{path}: cannot read it ({err.strerror or err})") from None
    try:
        data = _toml(raw.decode("utf-8"), path) if path.suffix == ".toml" else yaml.safe_load(raw.decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError) as err:
        raise ValueError(f"{path}: not valid {'TOML' if path.suffix == '.toml' else 'YAML'}: {err}") from None
    except RecursionError:
        raise ValueError(f"{path}: nested too deeply") from None
    return parse(data, str(path))


def _toml(text: str, path: Path) -> Any:
    try:
        import tomllib
    except ImportError:  # Python 3.10
        raise ValueError(f"{path}: TOML mapping files need Python 3.11 or later; write it in YAML") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ValueError(f"{path}: not valid TOML: {err}") from None


def parse(data: Any, source: str) -> Mapping:
    if not isinstance(data, dict):
        raise ValueError(f"{source}: a mapping file is a table with zones, components, default-component")
    unknown = set(data) - {"zones", "components", "default-component"}
    if unknown:
        raise ValueError(f"{source}: unknown key {sorted(map(str, unknown))[0]!r} "
                         "(zones, components, default-component)")
    zones: dict[str, ZoneMapping] = {}
    for zone, value in _table(data.get("zones"), "zones", source).items():
        if isinstance(value, str):
            zones[zone] = ZoneMapping(type=value)
        elif isinstance(value, dict) and set(value) <= ZONE_KEYS and all(isinstance(v, str) for v in value.values()):
            zones[zone] = ZoneMapping(value.get("id", ""), value.get("type", ""), value.get("name", ""))
        else:
            raise ValueError(f"{source}: zones.{zone}: a type (string) or a table of id, type and name (strings)")
    components = _table(data.get("components"), "components", source)
    for key, value in components.items():
        if not isinstance(value, str) or not value:
            raise ValueError(f"{source}: components.{key}: a component type (a string)")
    default = data.get("default-component", "")
    if not isinstance(default, str):
        raise ValueError(f"{source}: default-component: a component type (a string)")
    return Mapping(zones, dict(components), default, source)


def _table(value: Any, name: str, source: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
        raise ValueError(f"{source}: {name}: a table keyed by names")
    return value
