"""A scan's outcome kept between runs: a repeated scan of an unchanged repository (a pre-commit
hook, a CI re-run) skips parsing, evaluation, the graph, the policies and fix planning.

What is kept: the ``ScanResult`` the scan command hands to its reports, after the gate's own
steps (inline suppressions, baselines, the repository's waivers, the fix plan), before any
format is rendered. Exit code and every report are computed from it exactly as after a full scan,
so the output is the same byte for byte.

The key is a digest of everything that result can depend on; any difference is a miss:

- the code: the tool's version, every file of its packages (parsers and policies included), the
  versions of the libraries the analysis uses, the Python version;
- the invocation: working folder, the paths as given, the scan root, every setting the
  configuration and the command line decided (``Settings``), Terraform variable assignments and
  ``TF_VAR_*`` environment variables, CloudFormation parameters and options, ``IAC_ASSIST_*``
  environment variables, ``--max-file-size``, whether fixes are planned, today's date (a
  suppression expires by it);
- the files: the whole tree under the scan root (``inputs/tree_state.py``: every name, link and
  content: a new file anywhere, a changed module, a variables file, a template invalidates), and
  the files named from outside it (variables files, parameters files, the configuration file, the
  baseline, every file of ``--policies-dir`` folders).

Not cached (computed every time): ``--new-since``, which reads git; a scan while an installed
package declares policies of its own (their code is not ours to identify); a tree too large for
its digest to be cheap. The tree is summed again after the scan (reading again only files whose
times moved): a result is stored only when nothing changed while it was computed, and not when a
time bound cut the analysis short (``TIME_BOUND``: a less busy run may go further).

Storage is the parse cache's folder, with its rules (``inputs/parse_cache.py``): the runner's
cache folder only, never one inside the scanned paths; HMAC-signed entries, restricted
unpickling, atomic writes, the same size bound; ``--no-cache`` turns both off. Policies are
stored by id and found again in the registry when an entry is loaded.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import sys
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any

from iac_assist.gcpause import paused
from iac_assist.inputs import parse_cache

if TYPE_CHECKING:
    from iac_assist.analysis.policy import Policy
    from iac_assist.analysis.result import ScanResult

FORMAT = "IACRC001"
"""Part of every key; bumped when what an entry holds changes shape."""
DISTRIBUTIONS = ("python-hcl2", "lark", "cfn-lint", "pyyaml", "aws-sam-translator", "regex", "pathspec",
                 "networkx", "tomli", "sarif-om")
"""Libraries whose behaviour the analysis inherits (their versions are part of the key)."""
_ALLOWED = frozenset({("pathlib", "PosixPath"), ("pathlib", "WindowsPath"), ("pathlib", "PurePosixPath"),
                      ("pathlib", "PureWindowsPath")})

enabled = True
"""Off in the test session (``tests/conftest.py``): tests patch code in the process, which the
key, made of the code on disk, cannot see."""

_code: str | None = None
_policies: dict[str, Policy] | None = None


@dataclasses.dataclass(frozen=True)
class Invocation:
    """What the scan command was asked, beside the files: everything its result depends on."""

    paths: tuple[Path, ...]
    root: Path
    settings: object
    """``gate.config.Settings``."""
    assignments: tuple[tuple[str, str], ...]
    environ: Mapping[str, str]
    template_options: object
    max_file_size: int | None
    fixes: bool
    new_since: str | None = None


TIME_BOUND = (
    "(catastrophic backtracking?)",  # parsers/terraform/functions.py: one match ran out of time
    "regular expressions took more than",  # parsers/terraform/budget.py: the scan's share of time is spent
    "takes too long to match a path",  # inputs/discovery.py: an exclude pattern dropped as too slow
)
"""What the errors of a result bounded by time say: another run, less loaded, may go further,
so such a result is not kept (it would fail the gate again and again for a busy moment)."""


def cached(invocation: Invocation, compute: Callable[[], ScanResult]) -> ScanResult:
    """``compute()``, or the result it gave for the same invocation on the same files."""
    seen: dict = {}
    key = _key(invocation, seen) if enabled else None
    if key is None:
        return compute()
    found = _load(key)
    if found is not None:
        return found
    result = compute()
    # Summed again: a result is the files' only if nothing changed while it was computed.
    if _key(invocation, seen) == key and not any(m in e.message for e in result.errors for m in TIME_BOUND):
        from iac_assist.analysis.policy import Policy

        parse_cache.put_entry(key, result, {Policy: _reduce_policy})
    return result


def _load(key: str) -> ScanResult | None:
    from iac_assist.analysis.result import ScanResult

    global _policies
    _policies = None  # this run's registry: policies of one's own are loaded per run
    # Unpickling makes many small objects: the collector would walk them all for nothing.
    with paused():
        found = parse_cache.get_entry(key, _ALLOWED)
    return found if isinstance(found, ScanResult) else None


def _key(invocation: Invocation, seen: dict) -> str | None:
    """The digest of everything the result depends on; None when it is not to be cached."""
    from iac_assist.analysis.custom_policies import declared
    from iac_assist.inputs.discovery import MAX_FILE_BYTES
    from iac_assist.inputs.tree_state import tree_digest

    if invocation.new_since is not None or parse_cache.current() is None or declared():
        return None
    code = _code_identity()
    if code is None:
        return None
    settings = invocation.settings
    large = invocation.max_file_size or MAX_FILE_BYTES
    tree = tree_digest(invocation.root, large, seen=seen)
    if tree is None:
        return None
    named: list[Path] = [*getattr(settings, "var_files", ()), *(Path(p) for p in getattr(settings, "parameters", ()))]
    named += [p for p in (getattr(settings, "source", None), getattr(settings, "baseline", None)) if p is not None]
    folders = []
    for folder in getattr(settings, "policies_dirs", ()):
        digest = tree_digest(folder, large, seen=seen)
        if digest is None:
            return None
        folders.append((os.fspath(folder), digest))
    parts = {
        "format": FORMAT,
        "code": code,
        "cwd": os.getcwd(),
        "paths": [os.fspath(p) for p in invocation.paths],
        "root": os.fspath(invocation.root),
        "tree": tree,
        "settings": _canonical(settings),
        "named files": [(os.fspath(p), _file_digest(p)) for p in named],
        "policies dirs": folders,
        "assignments": [list(a) for a in invocation.assignments],
        "environment": sorted((k, v) for k, v in invocation.environ.items()
                              if k.startswith(("TF_VAR_", "IAC_ASSIST_"))),
        "template options": _canonical(invocation.template_options),
        "max file size": invocation.max_file_size,
        "fixes": invocation.fixes,
        "today": date.today().isoformat(),
    }
    text = json.dumps(parts, sort_keys=True, ensure_ascii=True, default=repr)
    return hashlib.sha256(text.encode()).hexdigest()


def _canonical(value: Any) -> Any:
    """``value`` as JSON the same in every process (sets sorted: their order depends on the
    process's hash seed)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = dataclasses.fields(value)
        return [type(value).__qualname__, {f.name: _canonical(getattr(value, f.name)) for f in fields}]
    if isinstance(value, Mapping):
        return sorted(([_canonical(k), _canonical(v)] for k, v in value.items()), key=repr)
    if isinstance(value, (set, frozenset)):
        return sorted((_canonical(v) for v in value), key=repr)
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    if isinstance(value, PurePath):
        return os.fspath(value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return [type(value).__qualname__, repr(value)]


def _file_digest(path: Path) -> str:
    """A named file's content (it lies outside the tree, or may): absent or unreadable is a state."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as err:
        return f"unreadable:{err.errno}"


def _code_identity() -> str | None:
    """Every file of the tool's packages, the libraries' versions, Python's: None when a part
    cannot be read (then nothing is cached: an entry must never outlive the code that made it)."""
    global _code
    if _code is None:
        import importlib.util

        import iac_assist

        digest = hashlib.sha256(f"{iac_assist.__version__}\0{sys.version}\0".encode())
        try:
            folders = set(iac_assist.__path__)
            for name in ("iac_assist.parsers", "iac_assist.policies"):
                spec = importlib.util.find_spec(name)
                folders.update((spec.submodule_search_locations or ()) if spec else ())
            for folder in sorted(folders):
                _add_sources(digest, folder)
        except (OSError, ImportError, ValueError):
            return None
        installed = parse_cache._installed()
        for dist in DISTRIBUTIONS:
            digest.update(f"{dist}=={installed.get(parse_cache._normal(dist), '-')}\0".encode())
        _code = digest.hexdigest()
    return _code


def _add_sources(digest: Any, folder: str) -> None:
    """The package's files, by their status rather than their contents (reading and hashing
    some 220 files was a sixth of a pre-commit run): size, modification time, as Python decides
    whether a module's bytecode is still its source's, and the change time and inode, which no
    copy or install keeps, so a reinstalled or rewritten file is another file even where a
    reproducible build gave it the same size and time. Not the policies' examples
    (documentation, read by ``rules`` and rendered into SARIF's help, after the cache: two thirds
    of the files, none of the analysis)."""
    with os.scandir(folder) as scan:
        entries = sorted(scan, key=lambda e: e.name)
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            if entry.name not in ("__pycache__", "examples"):
                _add_sources(digest, entry.path)
        elif not entry.name.endswith((".pyc", ".pyo")):
            status = entry.stat()
            digest.update(f"{entry.path}\0{status.st_size}\0{status.st_mtime_ns}\0{status.st_ctime_ns}\0"
                          f"{status.st_ino}\0".encode())


def _reduce_policy(policy: Policy) -> tuple:
    return _policy, (policy.id,)


def _policy(rule_id: str) -> Policy:
    """A stored policy, found again in the registry (a policy gone since: the entry is a miss)."""
    global _policies
    if _policies is None:
        from iac_assist.policies import all_policies

        _policies = {p.id: p for p in all_policies()}
    return _policies[rule_id]
