"""Project configuration: ``[tool.iac-assist]`` in ``pyproject.toml``, or ``.iac-assist.toml``.

The file is looked for from the scan root upwards to the repository root (the first folder with
``.git``; the filesystem root outside a repository); in each folder ``.iac-assist.toml`` comes
before ``pyproject.toml``, and a ``pyproject.toml`` without the table is passed over. ``--config
FILE`` names one instead. In ``.iac-assist.toml`` the keys are at the top level::

    select = ["critical", "high", "s3-public-read"]   # rule ids, control slugs or severities
    ignore = ["IAC-LB-003"]
    fail-on = "high"
    exclude = ["examples/*"]          # as --exclude: relative to the scan root, or a name
    var-files = ["envs/prod.tfvars"]  # relative to the configuration file, as are the two below
    parameters = ["params/prod.json", "Env=prod"]   # or a table: {Env = "prod"}
    baseline = ".iac-assist-baseline.json"
    no-inline-suppressions = true
    assume-worst = false
    fail-on-unanalysed = ["module-not-downloaded"]   # or "all": these gaps fail the gate (exit 2)

    [severity]                        # [tool.iac-assist.severity] in pyproject.toml
    IAC-S3-003 = "low"
    s3-versioning-missing = "medium"

A command-line option given replaces the file's value of the same key (lists are not merged).
An unknown key, a value of the wrong type or a name that is no rule is an error naming the key
and the file: a typo must not switch a check off silently.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from iac_assist.findings import SEVERITIES

if TYPE_CHECKING:
    from iac_assist.policy import Policy

FILE_NAME = ".iac-assist.toml"
FAIL_ON = (*SEVERITIES, "none")


class ConfigError(ValueError):
    """A configuration that cannot be used (the CLI exits with 2)."""


@dataclass(frozen=True)
class Settings:
    """Everything the configuration decides, after the command line had its say."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: Mapping[str, str] = field(default_factory=dict)
    fail_on: str = "low"
    exclude: tuple[str, ...] = ()
    var_files: tuple[Path, ...] = ()
    parameters: tuple[str, ...] = ()
    inline_suppressions: bool = True
    baseline: Path | None = None
    assume_worst: bool = False
    fail_on_unanalysed: tuple[str, ...] = ()
    """Categories of input not analysed that fail the gate (``iac_assist.model.NOT_ANALYSED``)."""
    source: Path | None = None
    """The configuration file read, if any."""


_LISTS = {"select", "ignore", "exclude", "var-files", "parameters", "fail-on-unanalysed"}
_KEYS = _LISTS | {"severity", "fail-on", "no-inline-suppressions", "baseline", "assume-worst"}


def find(start: Path) -> Path | None:
    """The configuration file for a scan rooted at ``start`` (see the module docstring)."""
    folder = start.resolve()
    if not folder.is_dir():
        folder = folder.parent
    for here in (folder, *folder.parents):
        dedicated = here / FILE_NAME
        if dedicated.is_file():
            return dedicated
        project = here / "pyproject.toml"
        if project.is_file() and _has_table(project):
            return project
        if (here / ".git").exists():
            return None
    return None


def _has_table(path: Path) -> bool:
    try:
        return _table(path, _read(path)) is not None
    except ConfigError:
        return True  # broken: reading it again reports what is wrong


def _read(path: Path) -> dict[str, Any]:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as err:
        raise ConfigError(f"{path}: cannot read: {err.strerror or err}") from None
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path}: not valid TOML: {err}") from None


def _table(path: Path, data: dict[str, Any]) -> dict[str, Any] | None:
    if path.name != "pyproject.toml":
        return data
    tool = data.get("tool")
    table = tool.get("iac-assist") if isinstance(tool, dict) else None
    return table if isinstance(table, dict) else None


def load(path: Path) -> dict[str, Any]:
    """The values a configuration file sets, by ``Settings`` field name, validated; paths in it
    are made absolute against its folder. Raises ConfigError naming the file and the key."""
    table = _table(path, _read(path))
    if table is None:
        raise ConfigError(f"{path}: no [tool.iac-assist] table")
    where = "[tool.iac-assist]" if path.name == "pyproject.toml" else path.name
    folder = path.resolve().parent
    out: dict[str, Any] = {}
    for key, value in table.items():
        if key not in _KEYS:
            hint = difflib.get_close_matches(key.replace("_", "-"), sorted(_KEYS), n=1)
            suggestion = f"; did you mean {hint[0]!r}?" if hint else f"; known keys: {', '.join(sorted(_KEYS))}"
            raise ConfigError(f"{path}: unknown key {key!r} in {where}{suggestion}")

        def bad(expected: str, key: str = key, value: Any = value) -> ConfigError:
            return ConfigError(f"{path}: {key} must be {expected}, not {value!r}")

        if key in _LISTS:
            if key == "parameters" and isinstance(value, dict):
                value = [f"{k}={_scalar(v)}" for k, v in value.items()]
            elif isinstance(value, str):
                value = [value]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise bad("a list of strings")
            if key == "var-files":
                out["var_files"] = tuple(_existing(path, key, folder / v) for v in value)
            elif key == "parameters":
                out["parameters"] = tuple(_parameter(folder, v) for v in value)
            elif key == "fail-on-unanalysed":
                from iac_assist.result import unanalysed_categories

                try:
                    out["fail_on_unanalysed"] = tuple(sorted(unanalysed_categories(value)))
                except ValueError as err:
                    raise ConfigError(f"{path}: {key}: {err}") from None
            else:
                out[key] = tuple(_split(value))
        elif key == "severity":
            if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
                raise bad("a table of rule = severity")
            for rule, level in value.items():
                if level.lower() not in SEVERITIES:
                    raise ConfigError(f"{path}: severity.{rule} must be one of {', '.join(SEVERITIES)}, "
                                      f"not {level!r}")
            out["severity"] = {rule: level.lower() for rule, level in value.items()}
        elif key == "fail-on":
            if not isinstance(value, str) or value.lower() not in FAIL_ON:
                raise bad(f"one of {', '.join(FAIL_ON)}")
            out["fail_on"] = value.lower()
        elif key in ("no-inline-suppressions", "assume-worst"):
            if not isinstance(value, bool):
                raise bad("true or false")
            if key == "assume-worst":
                out["assume_worst"] = value
            else:
                out["inline_suppressions"] = not value
        elif key == "baseline":
            if not isinstance(value, str) or not value:
                raise bad("a file name")
            out["baseline"] = folder / value
    return out


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(_scalar(v) for v in value)
    return str(value)


def _existing(config: Path, key: str, path: Path) -> Path:
    if not path.is_file():
        raise ConfigError(f"{config}: {key}: no such file {path}")
    return path


def _parameter(folder: Path, item: str) -> str:
    """A parameter file (relative to the configuration) or a ``Key=Value`` pair."""
    candidate = folder / item
    if candidate.is_file() or "=" not in item:
        return str(candidate)
    return item


def _split(values: Iterable[str]) -> list[str]:
    """``["a,b", "c"]`` → ``["a", "b", "c"]``: lists may be written either way."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def resolve(
    start: Path,
    config: Path | None = None,
    *,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    fail_on: str | None = None,
    exclude: Iterable[str] = (),
    var_files: Iterable[Path] = (),
    parameters: Iterable[str] = (),
    inline_suppressions: bool | None = None,
    baseline: Path | None = None,
    assume_worst: bool | None = None,
    fail_on_unanalysed: Iterable[str] = (),
    policies: list[Policy] | None = None,
) -> Settings:
    """The settings of a scan rooted at ``start``: the configuration file (``config``, else the
    one found), with what was given on the command line (empty or None: not given) in its place.
    Rule names are checked against ``policies`` (every registered one by default)."""
    path = config or find(start)
    values = load(path) if path is not None else {}
    given = {
        "select": tuple(_split(select)),
        "ignore": tuple(_split(ignore)),
        "fail_on": fail_on,
        "exclude": tuple(exclude),
        "var_files": tuple(var_files),
        "parameters": tuple(parameters),
        "inline_suppressions": inline_suppressions,
        "baseline": baseline,
        "assume_worst": assume_worst,
        "fail_on_unanalysed": tuple(fail_on_unanalysed),
    }
    for key, value in given.items():
        if value is not None and value != ():
            values[key] = value
    settings = replace(Settings(source=path), **values)
    if policies is None:
        from iac_assist.policies import all_policies

        policies = all_policies()
    for key, origin in (("select", "--select"), ("ignore", "--ignore"), ("severity", "severity")):
        chosen = getattr(settings, key)
        from_file = path is not None and given.get(key, ()) == ()
        try:
            check_names(chosen, policies, severities=key != "severity")
        except ConfigError as err:
            raise ConfigError(f"{path}: {key}: {err}" if from_file else f"{origin}: {err}") from None
    return settings


def check_names(names: Iterable[str], policies: list[Policy], *, severities: bool = True) -> None:
    """Raise ConfigError for a name that is no rule id, control slug (or severity)."""
    known = {p.id.lower() for p in policies} | {p.control for p in policies}
    for name in names:
        key = name.lower()
        if key in known or (severities and key in SEVERITIES):
            continue
        hint = difflib.get_close_matches(key, sorted(known), n=1)
        what = "rule id, control slug or severity" if severities else "rule id or control slug"
        raise ConfigError(f"{name!r} is no {what}" + (f" (did you mean {hint[0]!r}?)" if hint else ""))


def select_policies(
    policies: list[Policy],
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    severity: Mapping[str, str] | None = None,
) -> list[Policy]:
    """The policies to run: their severity overridden by ``severity`` (rule id or slug →
    severity), then kept when ``select`` (if any) names them, their control or their severity and
    ``ignore`` does not. Raises ConfigError for a name that is no rule, control or severity."""
    select = [select] if isinstance(select, str) else list(select)
    ignore = [ignore] if isinstance(ignore, str) else list(ignore)
    severity = dict(severity or {})
    check_names(select, policies)
    check_names(ignore, policies)
    check_names(severity, policies, severities=False)
    overrides = {key.lower(): level.lower() for key, level in severity.items()}
    chosen = []
    for pol in policies:
        level = overrides.get(pol.id.lower(), overrides.get(pol.control, pol.severity))
        if level not in SEVERITIES:
            raise ConfigError(f"severity of {pol.id}: {level!r} is no severity")
        if level != pol.severity:
            pol = replace(pol, severity=level)
        names = {pol.id.lower(), pol.control, pol.severity}
        if select and not names & {s.lower() for s in select}:
            continue
        if names & {i.lower() for i in ignore}:
            continue
        chosen.append(pol)
    return chosen
