"""Finding the infrastructure code under the paths a user names.

Terraform is recognised by extension (``.tf``); CloudFormation and Terraform plans and states in JSON
(``terraform show -json``) by content, so that other YAML and JSON (workflows, configs, package
manifests) is skipped quietly. A template is recognised by what it is once parsed (``is_template``),
not by how its text looks: a repository could otherwise spell its keys so that a pattern misses
them and the template goes unanalysed.
"""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache, partial
from pathlib import Path
from typing import TYPE_CHECKING

from iac_assist.inputs.excludes import Excludes

if TYPE_CHECKING:
    from iac_assist.model import ScanError

QUIET_DIRS = {".git", ".hg", ".svn", ".terraform"}
"""Folders never walked and never reported: version control metadata, and Terraform's downloaded
modules (analysed through ``.terraform/modules/modules.json`` when a module call uses them)."""
SKIPPED_DIRS = {"node_modules", "__pycache__", ".tox", ".mypy_cache", ".pytest_cache", ".ruff_cache", "cdk.out.bak"}
"""Folders of tools' downloads and caches, not the repository's infrastructure: not analysed, but
IaC files in them are counted and reported (``skipped-iac``), so the rule cannot hide code. A
virtualenv is skipped too, recognised by its ``pyvenv.cfg``, never by its name."""
SKIP_DIRS = QUIET_DIRS | SKIPPED_DIRS
MAX_SKIPPED_ENTRIES = 100_000
"""Files and folders looked at, per scan, to count the IaC in skipped folders."""
MAX_SKIPPED_SNIFF_BYTES = 32 * 1024 * 1024
"""YAML and JSON read, per scan, to tell whether skipped files are templates or plans: beyond,
they are counted as not examined."""
SKIPPED_FILE_BYTES = 256 * 1024
"""Largest skipped file read to tell whether it is a template or a plan; larger ones are counted
as not examined."""
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

TEMPLATE_TYPE_PREFIXES = ("AWS::", "Alexa::", "Custom::")
"""Resource types of CloudFormation (``Custom::`` is a custom resource)."""
MAX_TEMPLATE_PAIRS = 100_000
"""Mapping entries looked at to recognise one template (merge keys can repeat a mapping many
times over: the look is bounded, then the file counts as a candidate for the decoder to judge)."""

Read = Callable[[Path, str, list], "str | None"]

TERRAFORM = "terraform"
"""Kind of discovered file: Terraform configuration (``.tf``, ``.tf.json``), by name."""
DOCUMENT = "document"
"""Kind of discovered file: YAML or JSON that may be IaC (a template, a plan); content decides."""
KINDS = (TERRAFORM, DOCUMENT)
"""The kinds of files discovery finds; which front ends read each is the registry's business
(``iac_assist.analysis.frontends``)."""


@dataclass
class Discovered:
    root: Path
    terraform: list[Path] = field(default_factory=list)
    templates: list[Path] = field(default_factory=list)
    """Candidate CloudFormation files and Terraform plans (by suffix; content decides later)."""
    problems: list[ScanError] = field(default_factory=list)
    """Files that could not be followed (symbolic link loops, links out of the scanned root) and
    IaC left out by an exclude or a folder rule (``skipped-iac`` warnings)."""
    named: set[Path] = field(default_factory=set)
    """Files named on the command line (resolved), as opposed to found in a folder."""
    max_file_bytes: int | None = None
    """``--max-file-size``: the largest file read, in bytes; None: MAX_FILE_BYTES (MAX_HCL_BYTES
    for ``.tf``)."""
    excluded: list[str] = field(default_factory=list)
    """IaC files an exclude pattern left out, relative to the root, sorted (the configuration's
    excludes are reported by name: see ``trust``)."""
    skipped: list[tuple[str, str]] = field(default_factory=list)
    """Files (with an IaC file's suffix) and folders not taken, as shown, each with why: what
    ``--verbose`` lists (folders never walked, like ``.git``, are not named)."""
    unmatched_excludes: list[str] = field(default_factory=list)
    """Exclude patterns that matched no file or folder of the scan, in the order given."""

    def by_kind(self) -> dict[str, list[Path]]:
        """The files found, by kind (``KINDS``), each list sorted."""
        return {TERRAFORM: list(self.terraform), DOCUMENT: list(self.templates)}

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
    that loops or leaves the root is reported in ``problems`` when its name says Terraform.
    ``exclude``: gitignore patterns, relative to ``root`` (see ``excludes``)."""
    found = Discovered(root, max_file_bytes=max_file_bytes)
    patterns = Excludes(exclude or [])
    seen: set[Path] = set()
    skipped = _Skipped(root, found.max_file_bytes or MAX_FILE_BYTES)
    real_root = root.resolve()  # once: each file found is checked against it
    for path in paths:
        if path.is_file():
            found.named.add(path.resolve())
            _add(found, path, root, patterns, seen, skipped=skipped, real_root=real_root)
            if path.name.endswith(TERRAFORM_SUFFIXES + TFVARS_SUFFIXES):
                # A Terraform module is its folder: a named file brings its siblings along, so
                # references between files resolve (the pre-commit hook passes single files),
                # and a changed variables file re-scans the module whose values it sets.
                for sibling in terraform_files(path.resolve().parent):
                    _add(found, sibling, root, patterns, seen, named=False, skipped=skipped, real_root=real_root)
            continue
        for folder, dirs, files in os.walk(path, followlinks=False):
            here = Path(folder)
            kept = []
            for name in sorted(dirs):
                why = _skip_reason(here / name, root, patterns)
                if why is None:
                    kept.append(name)
                elif why:
                    skipped.folder(here / name, why)
                    found.skipped.append((_shown(here / name, root) + "/", why))
            dirs[:] = kept
            for name in sorted(files):
                _add(found, here / name, root, patterns, seen, named=False, skipped=skipped,
                     real_root=real_root)
    found.terraform.sort()
    found.templates.sort()
    found.problems.extend(skipped.warnings())
    found.excluded = sorted(set(skipped.excluded))
    found.unmatched_excludes = patterns.unmatched
    if patterns.too_slow:
        from iac_assist.model import ScanError

        found.problems.extend(ScanError("", 0, f"exclude pattern {p!r} takes too long to match a path (catastrophic "
                                        "backtracking): not applied, what it would leave out is scanned",
                                        level="warning") for p in patterns.too_slow)
    return found


def _skip_reason(folder: Path, root: Path, patterns: Excludes) -> str | None:
    """Why a folder is not walked: None when it is; empty for folders skipped without a word."""
    name = folder.name
    if name in QUIET_DIRS:
        if patterns:
            patterns.note(_shown(folder, root) + "/")  # `.terraform/` excluded by habit matches it
        return ""
    pattern = _exclusion(folder, root, patterns, folder=True)
    if pattern is not None:
        return _excluded_why(pattern)
    if name in SKIPPED_DIRS:
        return f"a {name} folder, skipped"
    if _is_venv(folder):
        return "a Python virtualenv (pyvenv.cfg), skipped"
    return None


class _Skipped:
    """IaC files left out by an exclude or a folder rule, counted and reported in groups: one
    warning per skipped folder, one per exclude pattern for files excluded one by one."""

    def __init__(self, root: Path, max_bytes: int) -> None:
        self.root = root
        self.max_bytes = max_bytes
        self.groups: dict[tuple[str, str], list] = {}  # (shown, why) → [IaC files, not examined]
        self.first: dict[str, tuple[str, str]] = {}  # why → the group of files excluded for it
        self.entries = MAX_SKIPPED_ENTRIES
        self.sniff = MAX_SKIPPED_SNIFF_BYTES
        self.excluded: list[str] = []
        """IaC files left out by an exclude pattern (not by a folder rule), as shown."""

    def file(self, path: Path, why: str) -> None:
        """A file (not a folder) left out: counted when it is IaC, with the others left out for
        the same reason; the group is shown by its first file."""
        iac = self._is_iac(path)
        if iac and why.startswith(_EXCLUDED):
            self.excluded.append(_shown(path, self.root))
        if iac is not False:
            key = self.first.setdefault(why, (_shown(path, self.root), why))
            group = self.groups.setdefault(key, [0, 0])
            group[0 if iac else 1] += 1

    def folder(self, folder: Path, why: str) -> None:
        if folder.is_symlink():
            return  # never walked: a link may lead anywhere, out of the scanned root
        count = unexamined = 0
        for here, dirs, files in os.walk(folder, followlinks=False):
            dirs[:] = sorted(d for d in dirs if d not in QUIET_DIRS)
            self.entries -= len(dirs) + len(files)
            if self.entries < 0:
                unexamined += 1  # the walk stops here: say so
                break
            for name in sorted(files):
                if name.endswith(TERRAFORM_SUFFIXES + TEMPLATE_SUFFIXES):
                    iac = self._is_iac(Path(here, name))
                    count += iac is True
                    if iac and why.startswith(_EXCLUDED):
                        self.excluded.append(_shown(Path(here, name), self.root))
                    unexamined += iac is None
        # Tools' folders hold many large JSON files: those beyond the reading budget are named
        # only beside IaC found in the same folder, or every scan of a checkout holding a
        # virtualenv would warn.
        if count:
            self.groups[(_shown(folder, self.root), why)] = [count, unexamined]

    def _is_iac(self, path: Path) -> bool | None:
        """True for Terraform (by name) and for templates and plans (by content); None for YAML
        or JSON not examined (the reading budget is spent, or too large)."""
        name = path.name
        if name.endswith(TERRAFORM_SUFFIXES):
            return True
        if not name.endswith(TEMPLATE_SUFFIXES) or path.is_symlink():
            return False
        try:
            size = path.stat().st_size
        except OSError:
            return False
        if size > min(self.max_bytes, SKIPPED_FILE_BYTES) or size > self.sniff:
            return None
        self.sniff -= size
        return _is_iac_text(path, size)

    def warnings(self) -> list[ScanError]:
        from iac_assist.model import ScanError

        out = []
        for (shown, why), (count, unexamined) in sorted(self.groups.items()):
            what = [f"{count} IaC file{'s' if count != 1 else ''}"] if count else []
            if unexamined:
                what.append(f"{unexamined} YAML or JSON file{'s' if unexamined != 1 else ''} not examined")
            out.append(ScanError(shown, 0, f"{' and '.join(what)} not analysed: {why}", level="warning",
                                 category="skipped-iac"))
        return out


def _is_iac_text(path: Path, size: int) -> bool:
    from iac_assist.parsers.cloudformation import looks_like_template
    from iac_assist.parsers.terraform.sniff import looks_like_plan, looks_like_state

    try:
        with path.open("rb") as handle:
            data = handle.read(size + 1)
    except OSError:
        return False
    # Most of a tool folder's JSON cannot be a template or a plan, and is never decoded.
    if not _may_be_template_bytes(data) and b"format_version" not in data:
        return False
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return looks_like_template(text) or looks_like_plan(text) or looks_like_state(text)


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


def _add(found: Discovered, given: Path, root: Path, patterns: Excludes, seen: set[Path],
         named: bool = True, skipped: _Skipped | None = None, real_root: Path | None = None) -> None:
    from iac_assist.inputs.confine import CATEGORY, Outside, check
    from iac_assist.model import ScanError

    name = given.name
    if not name.endswith(TERRAFORM_SUFFIXES + TEMPLATE_SUFFIXES):
        if patterns:
            patterns.note(_shown(given, root))  # a pattern naming other files does match something
        return
    try:
        path = given.resolve(strict=True)
    except (OSError, RuntimeError) as err:  # RuntimeError: a link loop, before Python 3.13
        if given.is_symlink() and name.endswith(TERRAFORM_SUFFIXES) and not _excluded(given, root, patterns):
            why = "a symbolic link loop" if isinstance(err, RuntimeError) or getattr(err, "errno", 0) == errno.ELOOP \
                else "a symbolic link to nothing"
            found.problems.append(ScanError(_shown(given, root), 0, f"{why}; not analysed"))
        found.skipped.append((_shown(given, root), "a symbolic link that leads nowhere (a loop, or to nothing)"))
        return
    pattern = _exclusion(given, root, patterns)
    if pattern is not None:
        if skipped is not None and path not in seen and path.is_file() and root in path.parents:
            skipped.file(path, _excluded_why(pattern))
        if path not in seen:
            found.skipped.append((_shown(given, root), _excluded_why(pattern)))
        seen.add(path)
        return
    # A link leading out of the scanned root, or into .git, is not followed: input is untrusted.
    # Checked before ``seen``: each link that leads there is named, not only the first.
    try:
        check(path, root, real_root)
    except Outside as why:
        if name.endswith(TERRAFORM_SUFFIXES):
            where = "out of the scanned root" if root != path and root not in path.parents else f"whose target {why}"
            found.problems.append(ScanError(_shown(given, root), 0, f"a symbolic link {where} (to {path}); not "
                                            "followed, not analysed", category=CATEGORY))
        found.skipped.append((_shown(given, root), f"a symbolic link whose target {why}; not followed"))
        return
    if path in seen:
        return
    seen.add(path)
    # Named on the command line, a FIFO or device is read as asked; found in a folder, only
    # regular files are (reading a FIFO would block the scan for ever).
    if not named and not path.is_file():
        found.skipped.append((_shown(given, root), "not a regular file (a FIFO or a device is read only when named)"))
        return
    if name.endswith(TERRAFORM_SUFFIXES):
        found.terraform.append(path)
    elif _may_be_iac(path, found.max_file_bytes or MAX_FILE_BYTES):
        found.templates.append(path)
    else:
        found.skipped.append((_shown(given, root), "not IaC: binary, not UTF-8 or too large, and not like a "
                                                   "template or a plan"))


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
    from iac_assist.parsers.cloudformation import looks_like_template_text
    from iac_assist.parsers.terraform.sniff import looks_like_plan, looks_like_state

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
    return looks_like_template_text(text) or looks_like_plan(text) or looks_like_state(text)


def _excluded(path: Path, root: Path, patterns: Excludes) -> bool:
    return _exclusion(path, root, patterns) is not None


def _exclusion(path: Path, root: Path, patterns: Excludes, folder: bool = False) -> str | None:
    """The exclude pattern that leaves ``path`` out, or None."""
    if not patterns:
        return None
    try:
        rel = path.resolve().relative_to(root).as_posix()
    except ValueError:
        # A link leading out of the root: matched where it lies (it is not followed anyway).
        rel = _shown(path, root)
    return patterns.why(rel, folder) if rel not in (".", "") else None


_EXCLUDED = "excluded by "


def _excluded_why(pattern: str) -> str:
    return f"{_EXCLUDED}{pattern!r} (--exclude or the configuration's exclude)"


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
        errors.append(ScanError(rel, 0, f"file is {size} bytes, over the limit of {limit} bytes{hint}; not analysed",
                                category="skipped-iac"))
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


def is_template(text: str) -> bool | None:
    """Whether ``text`` is a CloudFormation template: a mapping holding
    ``AWSTemplateFormatVersion``, or ``Resources`` with at least one entry whose ``Type`` is a
    CloudFormation type, in any YAML or JSON spelling (flow style, quoted or escaped keys,
    anchors, aliases and merge keys). None when it cannot be parsed (the caller decides from its
    text, so that a broken template is still reported)."""
    if not may_be_template(text):
        return False
    body = text[1:] if text.startswith("\ufeff") else text
    if body.lstrip(" \t\r\n").startswith("{"):
        import json

        try:
            return _json_template(json.loads(body))
        except (ValueError, RecursionError):
            pass  # JSON with comments or YAML flow style: YAML may still read it
    try:
        import yaml

        # Composing gives the node graph without constructing values: CloudFormation's tags
        # (!Ref, !Sub) need no constructor, and an alias is the same node, never a copy.
        node = yaml.compose(body, Loader=_composer())
    except (yaml.YAMLError, RecursionError, ValueError):
        return None
    return _yaml_template(node)


_ESCAPE = re.compile(r"\\[uUx\r\n]")
_ESCAPE_BYTES = re.compile(rb"\\[uUx\r\n]")


def may_be_template(text: str) -> bool:
    """False only when no spelling of a template can be in ``text``: its words are written
    (``AWSTemplateFormatVersion``, or ``Resources`` and the ``::`` of a type) unless escaped,
    and only escapes of a code point (``\\u``, ``\\x``, ``\\U``) or of a line break (inside
    a YAML double-quoted key) could spell them."""
    if _ESCAPE.search(text):
        return True
    return "AWSTemplateFormatVersion" in text or ("Resources" in text and "::" in text)


def _may_be_template_bytes(data: bytes) -> bool:
    if _ESCAPE_BYTES.search(data):
        return True
    return b"AWSTemplateFormatVersion" in data or (b"Resources" in data and b"::" in data)


@lru_cache(maxsize=1)
def _composer() -> type:
    """A YAML loader resolving no plain scalar but the merge key: recognition compares key
    strings only, and resolving every scalar's type was most of the time taken."""
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    merge = re.compile(r"^(?:<<)$")
    return type("_Composer", (base,), {"yaml_implicit_resolvers": {"<": [("tag:yaml.org,2002:merge", merge)]}})


def _json_template(value: object) -> bool:
    if not isinstance(value, dict):
        return False
    if "AWSTemplateFormatVersion" in value:
        return True
    resources = value.get("Resources")
    return isinstance(resources, dict) and any(
        isinstance(entry, dict) and isinstance(entry.get("Type"), str)
        and entry["Type"].startswith(TEMPLATE_TYPE_PREFIXES) for entry in resources.values())


def _yaml_template(node: object) -> bool | None:
    import yaml

    budget = [MAX_TEMPLATE_PAIRS]

    def pairs(mapping: object) -> list[tuple[object, object]]:
        """A mapping node's entries, merge keys (``<<: *base``) expanded, within the budget."""
        out: list[tuple[object, object]] = []
        todo = [mapping]
        seen: set[int] = set()
        while todo:
            current = todo.pop()
            if not isinstance(current, yaml.MappingNode) or id(current) in seen:
                continue
            seen.add(id(current))
            for key, value in current.value:
                budget[0] -= 1
                if budget[0] < 0:
                    raise OverflowError
                if isinstance(key, yaml.ScalarNode) and key.tag == "tag:yaml.org,2002:merge":
                    todo.extend(value.value if isinstance(value, yaml.SequenceNode) else [value])
                else:
                    out.append((key, value))
        return out

    def named(entries: list[tuple[object, object]], name: str) -> list[object]:
        return [v for k, v in entries if isinstance(k, yaml.ScalarNode) and k.value == name]

    try:
        top = pairs(node)
        if named(top, "AWSTemplateFormatVersion"):
            return True
        for resources in named(top, "Resources"):
            for _name, entry in pairs(resources):
                for kind in named(pairs(entry), "Type"):
                    if isinstance(kind, yaml.ScalarNode) and kind.value.startswith(TEMPLATE_TYPE_PREFIXES):
                        return True
    except OverflowError:
        return None
    return False
