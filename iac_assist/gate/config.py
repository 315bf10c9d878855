"""Project configuration: ``[tool.iac-assist]`` in ``pyproject.toml``, or ``.iac-assist.toml``.

The file is looked for from the scan root upwards to the repository root (the first folder with
``.git``; outside a repository, only the scan root itself: never a shared folder above it such as
``/tmp``); in each folder ``.iac-assist.toml`` comes before ``pyproject.toml``, and a
``pyproject.toml`` without the table is passed over. ``--config FILE`` names one instead. In
``.iac-assist.toml`` the keys are at the top level::

    select = ["critical", "high", "s3-public-read"]   # rule ids, control slugs or severities
    ignore = ["IAC-LB-003"]
    fail-on = "high"
    exclude = ["**/examples/**"]      # as --exclude: .gitignore patterns, relative to the scan root
    var-files = ["envs/prod.tfvars"]  # relative to the configuration file, as are the two below
    parameters = ["params/prod.json", "Env=prod"]   # or a table: {Env = "prod"}
    baseline = ".iac-assist-baseline.json"
    no-inline-suppressions = true
    assume-worst = false
    fail-on-unanalysed = ["module-not-downloaded"]   # or "all": these gaps fail the gate (exit 2)
    policies-dirs = ["ci/policies"]   # policies of one's own: runs their code (see Trust below)

    [severity]                        # [tool.iac-assist.severity] in pyproject.toml
    IAC-S3-003 = "low"
    s3-versioning-missing = "medium"

A command-line option given replaces the file's value of the same key (lists are not merged).
An unknown key, a value of the wrong type or a name that is no rule is an error naming the key
and the file: a typo must not switch a check off silently.

Trust: a file found in the scanned repository is written by whoever can change the repository,
so its settings are requests. The person running the gate decides: ``untrusted`` (``--untrusted``)
leaves it unread, and voids inline suppressions unless the command line asks for them; otherwise
``Settings.from_repository`` says which values it decided, for ``trust.py`` to report what they
waived. A file named with ``--config`` is the runner's choice and applies either way. Files that a
configuration inside the repository names (var-files, parameters, baseline) must lie inside the
repository (the scan root outside one), not in ``.git``, and within a size cap: a repository
cannot make the gate read, and print, a file of the machine it runs on.

Policies of one's own are code: loading them runs it. A folder named by ``policies-dirs`` in a
configuration found in the repository is loaded only when the runner allows it
(``--allow-repository-policies``, ``IAC_ASSIST_ALLOW_REPOSITORY_POLICIES=1``); otherwise the key is
a usage error, never a policy silently left out. With ``--untrusted`` no folder inside the
repository is loaded, whoever names it (``--policies-dir``, ``--config``): the pull request under
review could have written it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from iac_assist.analysis.findings import SEVERITIES
from iac_assist.inputs.discovery import MAX_FILE_BYTES, repository_root
from iac_assist.model import ScanError

if TYPE_CHECKING:
    from iac_assist.analysis.policy import Policy

FILE_NAME = ".iac-assist.toml"
FAIL_ON = (*SEVERITIES, "none")
MAX_CONFIG_BYTES = 1024 * 1024
"""A configuration file is a few lines; a larger one is refused unread."""
MAX_SIDE_FILE_BYTES = MAX_FILE_BYTES
"""Cap of a file a configuration names (variables, parameters, baseline)."""


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
    policies_dirs: tuple[Path, ...] = ()
    """Folders of policies of one's own (``iac_assist.analysis.custom_policies``)."""
    policy_errors: tuple[ScanError, ...] = ()
    """What loading the policies of one's own reported (``resolve(activate=True)``)."""
    source: Path | None = None
    """The configuration file read, if any."""
    explicit: bool = False
    """``source`` was named with ``--config`` (the runner's choice), not found in the repository."""
    untrusted: bool = False
    """``--untrusted``: nothing the repository provides may weaken the gate."""
    ignored: Path | None = None
    """The repository's configuration file, left unread because of ``untrusted``."""
    from_repository: frozenset[str] = frozenset()
    """The fields whose value a configuration file found in the repository decided."""
    from_command_line: frozenset[str] = frozenset()
    """The fields given on the command line (the configuration file's value, if any, replaced)."""
    lines: Mapping[str, int] = field(default_factory=dict)
    """Line of each key in ``source`` (``"ignore"``, ``"severity.IAC-S3-001"``), for reports."""

    def repository_decided(self, name: str) -> bool:
        """Whether the value of field ``name`` is the scanned repository's request."""
        return name in self.from_repository


_LISTS = {"select", "ignore", "exclude", "var-files", "parameters", "fail-on-unanalysed", "policies-dirs"}
_KEYS = _LISTS | {"severity", "fail-on", "no-inline-suppressions", "baseline", "assume-worst"}


def find(start: Path) -> Path | None:
    """The configuration file for a scan rooted at ``start`` (see the module docstring)."""
    folder = start.resolve()
    if not folder.is_dir():
        folder = folder.parent
    top = repository_root(folder) or folder
    for here in (folder, *folder.parents):
        dedicated = here / FILE_NAME
        if dedicated.is_file():
            return dedicated
        project = here / "pyproject.toml"
        if project.is_file() and _has_table(project):
            return project
        if here == top:
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
            data = handle.read(MAX_CONFIG_BYTES + 1)
    except OSError as err:
        raise ConfigError(f"{path}: cannot read: {err.strerror or err}") from None
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{path}: larger than {MAX_CONFIG_BYTES} bytes; not a configuration file")
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as err:
        raise ConfigError(f"{path}: not valid TOML: not UTF-8 (byte {err.start})") from None
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path}: not valid TOML: {err}") from None
    except RecursionError:
        raise ConfigError(f"{path}: not valid TOML: nested too deeply") from None


def _table(path: Path, data: dict[str, Any]) -> dict[str, Any] | None:
    if path.name != "pyproject.toml":
        return data
    tool = data.get("tool")
    table = tool.get("iac-assist") if isinstance(tool, dict) else None
    return table if isinstance(table, dict) else None


def load(path: Path, within: Path | None = None) -> dict[str, Any]:
    """The values a configuration file sets, by ``Settings`` field name, validated; paths in it
    are made absolute against its folder and, given ``within``, must lie inside that folder (not
    in ``.git``). Raises ConfigError naming the file and the key."""
    table = _table(path, _read(path))
    if table is None:
        raise ConfigError(f"{path}: no [tool.iac-assist] table")
    where = "[tool.iac-assist]" if path.name == "pyproject.toml" else path.name
    folder = path.resolve().parent
    out: dict[str, Any] = {}
    for key, value in table.items():
        if key not in _KEYS:
            import difflib  # here, not at the top: only a misspelt name needs it

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
                out["var_files"] = tuple(_side_file(path, key, folder / v, within) for v in value)
            elif key == "parameters":
                out["parameters"] = tuple(_parameter(path, folder, v, within) for v in value)
            elif key == "policies-dirs":
                out["policies_dirs"] = tuple(_side_dir(path, key, folder / v, within) for v in value)
            elif key == "fail-on-unanalysed":
                from iac_assist.analysis.result import unanalysed_categories

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
            out["baseline"] = _side_file(path, key, folder / value, within, must_exist=False)
    return out


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        # TOML lists as a comma-separated value, as the AWS CLI writes a CommaDelimitedList; a
        # nested list is no parameter value (and is not recursed into).
        return ",".join(_scalar(v) if not isinstance(v, list | dict) else "" for v in value)
    return str(value)


def _side_file(config: Path, key: str, path: Path, within: Path | None, must_exist: bool = True) -> Path:
    """``path``, named by ``config`` under ``key``, checked: inside ``within`` (when given), not in
    ``.git``, a regular file within the size cap. Symbolic links are resolved before the check."""
    try:
        real = path.resolve()
    except (OSError, RuntimeError):  # a link loop
        raise ConfigError(f"{config}: {key}: cannot resolve {path}") from None
    if within is not None:
        if real != within and within not in real.parents:
            raise ConfigError(f"{config}: {key}: {path} is outside the repository ({within}); "
                              "a configuration in the repository may only name files inside it")
        if ".git" in real.relative_to(within).parts:
            raise ConfigError(f"{config}: {key}: {path} is inside .git; not read")
    if not real.exists() and not must_exist:
        return path
    if not real.is_file():
        raise ConfigError(f"{config}: {key}: no such file {path}")
    try:
        size = real.stat().st_size
    except OSError as err:
        raise ConfigError(f"{config}: {key}: cannot read {path}: {err.strerror or err}") from None
    if size > MAX_SIDE_FILE_BYTES:
        raise ConfigError(f"{config}: {key}: {path} is larger than {MAX_SIDE_FILE_BYTES} bytes; not read")
    return path


def _side_dir(config: Path, key: str, path: Path, within: Path | None) -> Path:
    """A folder ``config`` names, inside ``within`` when given and not in ``.git``."""
    try:
        real = path.resolve()
    except (OSError, RuntimeError):
        raise ConfigError(f"{config}: {key}: cannot resolve {path}") from None
    if within is not None:
        if real != within and within not in real.parents:
            raise ConfigError(f"{config}: {key}: {path} is outside the repository ({within}); "
                              "a configuration in the repository may only name folders inside it")
        if ".git" in real.relative_to(within).parts:
            raise ConfigError(f"{config}: {key}: {path} is inside .git; not read")
    if not real.is_dir():
        raise ConfigError(f"{config}: {key}: no such folder {path}")
    return path


def _parameter(config: Path, folder: Path, item: str, within: Path | None) -> str:
    """A parameter file (relative to the configuration) or a ``Key=Value`` pair."""
    candidate = folder / item
    if candidate.is_file() or "=" not in item:
        return str(_side_file(config, "parameters", candidate, within))
    return item


_HEADER = re.compile(r"\s*(\[\[?)\s*([^\[\]]+?)\s*\]")
_PART = r"""(?:[A-Za-z0-9_\-]+|"[^"\n]*"|'[^'\n]*')"""
_KEY = re.compile(rf"\s*({_PART}(?:\s*\.\s*{_PART})*)\s*=")


def key_lines(path: Path) -> dict[str, int]:
    """The line of each key of the configuration in ``path`` (``"ignore"``, ``"severity"``,
    ``"severity.IAC-S3-001"``), first occurrence; only to point reports at the setting (a line
    of a multi-line string that looks like a key may mislead it, never the settings)."""
    try:
        with path.open("rb") as handle:
            text = handle.read(MAX_CONFIG_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return {}
    prefix = ["tool", "iac-assist"] if path.name == "pyproject.toml" else []
    table: list[str] | None = None if prefix else []  # the current table within ours; None: another
    out: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            parts = _dotted(header.group(2))
            inside = header.group(1) == "[" and parts[:len(prefix)] == prefix
            table = parts[len(prefix):] if inside else None
            if table:
                out.setdefault(".".join(table), number)
            continue
        match = _KEY.match(line)
        if match is not None and table is not None:
            out.setdefault(".".join(table + _dotted(match.group(1))), number)
    return out


def _dotted(key: str) -> list[str]:
    return [part.strip().strip("\"'") for part in re.findall(r"""(?:"[^"]*"|'[^']*'|[^.])+""", key)]


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
    untrusted: bool = False,
    fail_on_unanalysed: Iterable[str] = (),
    policies: list[Policy] | None = None,
    policies_dirs: Iterable[Path] = (),
    allow_repository_policies: bool = False,
    activate: bool = False,
) -> Settings:
    """The settings of a scan rooted at ``start``: the configuration file (``config``, else the
    one found), with what was given on the command line (empty or None: not given) in its place.
    ``untrusted``: the file found in the repository is not read, and inline suppressions are void
    unless ``inline_suppressions`` is true (``config`` still applies: the runner named it).
    Rule names are checked against ``policies`` (every registered one by default).

    ``policies_dirs``: folders of policies of one's own (``--policies-dir``), in place of the
    file's ``policies-dirs``, which a file found in the repository may name only with
    ``allow_repository_policies``; with ``untrusted`` no folder inside the repository is allowed.
    ``activate``: load them (and the installed ones) before the rule names are checked, their
    problems in ``Settings.policy_errors``."""
    found = None if config is not None else find(start)
    path = config if config is not None else None if untrusted else found
    values = load(path, _confinement(start, path)) if path is not None else {}
    from_repository = frozenset(values) if config is None else frozenset()
    lines = key_lines(path) if path is not None else {}
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
        "policies_dirs": tuple(policies_dirs),
    }
    from_command_line = frozenset(key for key, value in given.items() if value is not None and value != ())
    for key in from_command_line:
        values[key] = given[key]
    from_repository -= from_command_line
    if untrusted and inline_suppressions is None:
        values["inline_suppressions"] = False
    if untrusted and not values.get("fail_on_unanalysed"):
        # A repository that may not be trusted must not hide code in what is not analysed (an
        # unknown function around a value, an include, a module it knows is not downloaded):
        # every gap fails the gate unless the runner accepts some with --fail-on-unanalysed.
        from iac_assist.analysis.result import unanalysed_categories

        values["fail_on_unanalysed"] = tuple(sorted(unanalysed_categories(["all"])))
    settings = replace(Settings(source=path, explicit=config is not None, untrusted=untrusted,
                                ignored=found if untrusted else None, from_repository=from_repository,
                                from_command_line=from_command_line, lines=lines), **values)
    if activate:
        _check_policies_dirs(start, settings, allow_repository_policies)
        from iac_assist.analysis.custom_policies import activate as load_policies

        # The repository's own installed distributions run only where its policies folders may.
        inside_allowed = allow_repository_policies and not settings.untrusted
        loaded = load_policies(settings.policies_dirs, root=_folder(start),
                               repository=None if inside_allowed else repository_root(_folder(start)) or _folder(start))
        settings = replace(settings, policy_errors=tuple(loaded.errors))
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


def _folder(start: Path) -> Path:
    folder = start.resolve()
    return folder if folder.is_dir() else folder.parent


def _check_policies_dirs(start: Path, settings: Settings, allowed: bool) -> None:
    """Policies of one's own run code: the runner decides which (see the module docstring)."""
    if settings.repository_decided("policies_dirs") and not allowed:
        assert settings.source is not None
        line = settings.lines.get("policies-dirs", 0)
        raise ConfigError(f"{settings.source}:{line}: policies-dirs asks the gate to run Python code of the "
                          "scanned repository; it runs only when the runner allows it: "
                          "--allow-repository-policies (or IAC_ASSIST_ALLOW_REPOSITORY_POLICIES=1), or name the "
                          "folder with --policies-dir")
    if not settings.untrusted or not settings.policies_dirs:
        return
    folder = _folder(start)
    top = repository_root(folder) or folder
    for path in settings.policies_dirs:
        try:
            real = path.resolve()
        except (OSError, RuntimeError):
            raise ConfigError(f"policies folder {path}: cannot resolve it") from None
        if real == top or top in real.parents:
            raise ConfigError(f"policies folder {path} is inside the scanned repository ({top}), and --untrusted "
                              "never runs code the repository holds: the change under review could have written "
                              "it. Load policies from a trusted checkout outside it (the base branch's)")


def _confinement(start: Path, config: Path | None) -> Path | None:
    """The folder the files named by ``config`` must lie in: the repository (the scan root
    outside one) when the configuration is inside it; None for a file of the runner's own
    elsewhere, whose names are the runner's."""
    if config is None:
        return None
    folder = start.resolve()
    if not folder.is_dir():
        folder = folder.parent
    top = repository_root(folder) or folder
    real = config.resolve()
    return top if top in real.parents else None


def check_names(names: Iterable[str], policies: list[Policy], *, severities: bool = True) -> None:
    """Raise ConfigError for a name that is no rule id, control slug (or severity)."""
    known = {p.id.lower() for p in policies} | {p.control for p in policies}
    for name in names:
        key = name.lower()
        if key in known or (severities and key in SEVERITIES):
            continue
        import difflib  # here, not at the top: only a misspelt name needs it

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
