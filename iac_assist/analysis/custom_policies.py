"""Policies of one's own: Python modules in a folder (``--policies-dir``) or installed packages
(the ``iac_assist.policies`` entry-point group), written with the same ``@policy`` shape as the
built-in ones.

Loading them runs their code, so only the person running the gate may choose them (see
``iac_assist.gate.config``: a configuration found in the scanned repository names a folder only
when the runner allows it, and ``--untrusted`` never runs code from inside the repository).

A folder's modules are loaded as one package of their own (``from . import _shared`` works; no
``sys.path`` change); a module whose name starts with ``_`` is a helper, loaded only when another
imports it. A module gives its policies as ``POLICIES`` (a list, as the built-in ones do), else
every ``Policy`` at its top level. Their examples are ``DIR/examples/<control>/insecure.tf``...,
which ``iac-assist rules --check-examples DIR`` verifies.

Nothing a policy of one's own does wrong crashes the scan or drops it silently: a syntax error, an
import error, an exception while registering, an id taking the built-in ``IAC-`` prefix, a
duplicate id or control, each is an error naming the file and line (exit 2), and the other
policies still run. An exception while judging is isolated per resource by ``Policy.judge``, its
message naming the policy's file and the line that raised.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import re
import sys
import types
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from iac_assist.analysis.policy import Hit, Policy, PolicySource
from iac_assist.model import ScanError

if TYPE_CHECKING:
    from iac_assist.model.graph import ResourceGraph

ENTRY_POINT_GROUP = "iac_assist.policies"
RESERVED_PREFIX = "IAC-"
"""The built-in rules' id prefix: a policy of one's own never takes it, so ids never collide."""
ID_PATTERN = re.compile(r"[A-Z][A-Z0-9]*(?:[-_.][A-Z0-9]+)+")
"""``ACME-S3-001``: upper-case words and numbers joined by ``-``, ``_`` or ``.``."""
CONTROL_PATTERN = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)+")
"""``acme-bucket-owner-tag``: lower-case words joined by ``-``, as the catalog's slugs."""


@dataclass
class Loaded:
    """The policies of one's own that were loaded, and what went wrong loading the others."""

    policies: list[Policy] = field(default_factory=list)
    errors: list[ScanError] = field(default_factory=list)


_active = Loaded()


def active() -> list[Policy]:
    """The policies of one's own ``activate`` loaded (``all_policies()`` adds them)."""
    return list(_active.policies)


def activate(folders: Iterable[Path] = (), *, root: Path | None = None, entry_points: bool = True,
             repository: Path | None = None) -> Loaded:
    """Load the policies of ``folders`` and (``entry_points``) of the installed packages, and make
    them part of ``all_policies()`` until the next call. ``root``: where reported paths are
    relative to (the scan root; default the current folder). ``repository``: the scanned
    repository, whose own distributions' entry points are refused (see ``load``)."""
    global _active
    _active = Loaded()
    loaded = load(folders, root=root, entry_points=entry_points, repository=repository)
    _active = loaded
    return loaded


def reset() -> None:
    """Back to the built-in policies only."""
    global _active
    _active = Loaded()


def load(folders: Iterable[Path] = (), *, root: Path | None = None, entry_points: bool = True,
         repository: Path | None = None) -> Loaded:
    """The policies of ``folders`` and of the entry points, checked against the built-in ones
    and each other; nothing is activated.

    An entry point of a distribution lying inside ``repository`` (not in the interpreter's own
    site-packages) is not loaded (an error): with ``python -m iac_assist`` the current folder is on
    ``sys.path``, so a ``*.dist-info`` folder the scanned repository holds would otherwise have the
    gate run the repository's code."""
    from iac_assist.policies import builtin_policies

    shown = _Shown(root or Path.cwd())
    out = Loaded()
    candidates: list[Policy] = []
    for number, folder in enumerate(folders):
        found, errors = _load_folder(Path(folder), number, shown)
        candidates.extend(found)
        out.errors.extend(errors)
    if entry_points:
        found, errors = _load_entry_points(shown, repository.resolve() if repository is not None else None)
        candidates.extend(found)
        out.errors.extend(errors)
    ids: dict[str, Policy] = {}
    controls: dict[str, Policy] = {}
    for pol in builtin_policies():
        ids[pol.id.lower()] = pol
        controls[pol.control] = pol
    for pol in candidates:
        problem = _invalid(pol, ids, controls)
        if problem:
            assert pol.source is not None
            out.errors.append(ScanError(pol.source.file, pol.source.line, f"policy {pol.id!r} not loaded: {problem}"))
            continue
        ids[pol.id.lower()] = pol
        controls[pol.control] = pol
        out.policies.append(pol)
    return out


def _invalid(pol: Policy, ids: dict[str, Policy], controls: dict[str, Policy]) -> str:
    """What is wrong with a policy of one's own beside the others, or ``""``."""
    if pol.id.upper().startswith(RESERVED_PREFIX):
        return (f"ids starting with {RESERVED_PREFIX} are the built-in rules'; give it a prefix of your own "
                "(ACME-S3-001)")
    if not ID_PATTERN.fullmatch(pol.id):
        return "an id is upper-case words and numbers joined by '-' (ACME-S3-001)"
    if not CONTROL_PATTERN.fullmatch(pol.control):
        return f"control {pol.control!r}: a control is lower-case words joined by '-' (acme-bucket-owner-tag)"
    for key, taken, what in ((pol.id.lower(), ids, "id"), (pol.control, controls, "control")):
        other = taken.get(key)
        if other is not None:
            where = f"{other.source.file}:{other.source.line}" if other.source else "a built-in rule"
            return f"its {what} is {other.id}'s ({where}); each policy needs its own id and control"
    return ""


# Folders ------------------------------------------------------------------------------------------


def _load_folder(folder: Path, number: int, shown: _Shown) -> tuple[list[Policy], list[ScanError]]:
    if not folder.is_dir():
        return [], [ScanError(shown(folder), 0, "policies folder not found: no policy of its own was loaded")]
    real = folder.resolve()
    package = f"iac_assist_custom_policies_{number}"
    _forget(package)
    spec = importlib.machinery.ModuleSpec(package, None, is_package=True)
    spec.submodule_search_locations = [str(real)]
    parent = importlib.util.module_from_spec(spec)
    sys.modules[package] = parent  # relative imports between the folder's modules find it here
    examples = real / "examples"
    policies: list[Policy] = []
    errors: list[ScanError] = []
    modules = sorted(p for p in real.glob("*.py") if p.is_file() and not p.name.startswith("_"))
    if not modules:
        errors.append(ScanError(shown(folder), 0, "policies folder holds no module (*.py): no policy was loaded",
                                level="warning"))
    for path in modules:
        name = f"{package}.{path.stem}"
        module_spec = importlib.util.spec_from_file_location(name, path)
        if module_spec is None or module_spec.loader is None:
            errors.append(ScanError(shown(path), 0, "cannot be loaded as a Python module"))
            continue
        module = importlib.util.module_from_spec(module_spec)
        sys.modules[name] = module
        try:
            module_spec.loader.exec_module(module)
        except (Exception, SystemExit) as err:  # noqa: BLE001 - the author's defect, reported
            sys.modules.pop(name, None)
            errors.append(_load_error(err, path, real, shown))
            continue
        found, problem = _module_policies(module)
        if problem:
            errors.append(ScanError(shown(path), 0, problem))
        elif not found:
            errors.append(ScanError(shown(path), 0, "defines no policy (name a helper module _like_this.py)",
                                    level="warning"))
        policies.extend(_own(pol, shown, examples if examples.is_dir() else None) for pol in found)
    return policies, errors


def _forget(package: str) -> None:
    """A second load in one process (tests, a long-lived caller) starts from the files again."""
    for name in [n for n in sys.modules if n == package or n.startswith(package + ".")]:
        del sys.modules[name]


def _load_error(err: BaseException, path: Path, folder: Path, shown: _Shown) -> ScanError:
    """A module that did not load, at the file and line of the cause within the policies folder."""
    if isinstance(err, SyntaxError) and err.filename:
        return ScanError(shown(Path(err.filename)), err.lineno or 0,
                         f"policy module {path.name} could not be loaded: SyntaxError: {err.msg}",
                         column=err.offset or 0)
    file, line = _raised_at(err, lambda f: folder in Path(f).resolve().parents) or (str(path), 0)
    return ScanError(shown(Path(file)), line, f"policy module {path.name} could not be loaded: {_describe(err)}")


def _module_policies(module: types.ModuleType) -> tuple[list[Policy], str]:
    """``POLICIES`` when the module has it, else every ``Policy`` at its top level."""
    declared = getattr(module, "POLICIES", None)
    if declared is not None:
        items = list(declared) if isinstance(declared, (list, tuple)) else None
        if items is None or not all(isinstance(p, Policy) for p in items):
            return [], "POLICIES must be a list of policies made with @policy(...)"
        return items, ""
    seen: dict[int, Policy] = {}
    for value in vars(module).values():
        if isinstance(value, Policy):
            seen.setdefault(id(value), value)
    return list(seen.values()), ""


def _own(pol: Policy, shown: _Shown, examples: Path | None) -> Policy:
    """``pol`` marked as one's own (where it is defined), its check guarded."""
    code = getattr(pol.check, "__code__", None)
    file = code.co_filename if code is not None else "?"
    line = code.co_firstlineno if code is not None else 0
    source = PolicySource(shown(Path(file)), line, str(examples) if examples is not None else "")
    return replace(pol, check=_guarded(pol.check, file, source), source=source)


class CustomPolicyError(Exception):
    """What a policy of one's own raised while judging, with the file and line where it did."""


def _guarded(check: Callable[[ResourceGraph], Iterable[Hit]], file: str,
             source: PolicySource) -> Callable[[ResourceGraph], Iterator[Hit]]:
    def guarded(graph: ResourceGraph) -> Iterator[Hit]:
        try:
            for hit in check(graph):
                if not isinstance(hit, Hit):
                    raise CustomPolicyError(f"yielded {type(hit).__name__}, not a Hit, "
                                            f"at {source.file}:{source.line}")
                yield hit
        except CustomPolicyError:
            raise
        except Exception as err:
            at = _raised_at(err, lambda f: f == file)
            where = f"{source.file}:{at[1]}" if at else f"{source.file}:{source.line}"
            raise CustomPolicyError(f"{_describe(err)} at {where}") from err

    guarded.__doc__ = check.__doc__
    return guarded


# Entry points -------------------------------------------------------------------------------------


def _load_entry_points(shown: _Shown, repository: Path | None) -> tuple[list[Policy], list[ScanError]]:
    """Each entry point of the group names a module (its policies as a folder's), a list of
    policies, one policy, or a function returning them."""
    policies: list[Policy] = []
    errors: list[ScanError] = []
    if not declared():
        return policies, errors
    from importlib.metadata import entry_points

    for point in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda p: p.name):
        label = f"entry point {point.name} = {point.value} ({ENTRY_POINT_GROUP})"
        home = _distribution_home(point)
        if repository is not None and home is not None and (home == repository or repository in home.parents) \
                and home not in _site_dirs():
            errors.append(ScanError(shown(home), 0, f"{label} not loaded: its distribution lies inside the scanned "
                                    "repository, whose code the gate runs only with --allow-repository-policies "
                                    "(never with --untrusted); install the policies where the gate runs"))
            continue
        try:
            value = point.load()
            if callable(value) and not isinstance(value, Policy) and not isinstance(value, types.ModuleType):
                value = value()
        except (Exception, SystemExit) as err:  # noqa: BLE001 - the package's defect, reported
            at = _raised_at(err, lambda f: "importlib" not in Path(f).parts)
            file, line = at if at else ("", 0)
            errors.append(ScanError(shown(Path(file)) if file else "", line,
                                    f"{label} could not be loaded: {_describe(err)}"))
            continue
        if isinstance(value, types.ModuleType):
            found, problem = _module_policies(value)
            module_file = getattr(value, "__file__", None)
            examples = Path(module_file).parent / "examples" if module_file else None
        elif isinstance(value, Policy):
            found, problem, examples = [value], "", None
        else:
            items = list(value) if isinstance(value, (list, tuple)) else None
            ok = items is not None and all(isinstance(p, Policy) for p in items)
            found, problem, examples = (items or []) if ok else [], "" if ok else "gives no list of policies", None
        if problem:
            errors.append(ScanError("", 0, f"{label}: {problem}"))
            continue
        for pol in found:
            home = examples
            if home is None:
                module = sys.modules.get(getattr(pol.check, "__module__", "") or "")
                module_file = getattr(module, "__file__", None)
                home = Path(module_file).parent / "examples" if module_file else None
            policies.append(_own(pol, shown, home if home is not None and home.is_dir() else None))
    return policies, errors


def declared() -> bool:
    """Whether an installed distribution may declare the group: its ``entry_points.txt`` names it.

    Importing ``importlib.metadata`` costs a scan 35 to 80 ms (email, zipfile, csv), a sixth of a
    pre-commit run; this look at the metadata folders on ``sys.path`` costs about a millisecond,
    and the real lookup runs only when it finds the group's name."""
    for entry in sys.path:
        try:
            with os.scandir(entry or ".") as items:
                names = [item.path for item in items if item.name.endswith((".dist-info", ".egg-info"))]
        except OSError:  # a zip file, a folder that is gone
            continue
        for folder in names:
            try:
                with open(os.path.join(folder, "entry_points.txt"), "rb") as handle:
                    if ENTRY_POINT_GROUP.encode() in handle.read(1 << 20):
                        return True
            except OSError:
                continue
    return False


def _site_dirs() -> set[Path]:
    """Where the running interpreter installs packages: a virtualenv inside the repository (the
    runner made it) holds installed packages, not the repository's."""
    import contextlib
    import site
    import sysconfig

    paths = sysconfig.get_paths()
    found = {paths.get("purelib", ""), paths.get("platlib", "")}
    with contextlib.suppress(AttributeError, OSError):  # a sandboxed interpreter may lack it
        found.add(site.getusersitepackages())
    return {Path(p).resolve() for p in found if p}


def _distribution_home(point: Any) -> Path | None:
    """The folder holding the entry point's distribution metadata (site-packages, or the current
    folder when it is on ``sys.path``); None when it cannot be told."""
    dist = getattr(point, "dist", None)
    try:
        return Path(str(dist.locate_file(""))).resolve() if dist is not None else None
    except (OSError, RuntimeError, AttributeError, TypeError, ValueError):
        return None


# Helpers ------------------------------------------------------------------------------------------


class _Shown:
    """A path as reports show it: relative to the scan root (``../`` above it), as ScanError
    paths are."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def __call__(self, path: Path) -> str:
        try:
            return Path(os.path.relpath(path.resolve(), self.root)).as_posix()
        except ValueError:  # another drive (Windows)
            return path.resolve().as_posix()


def _raised_at(err: BaseException, mine: Callable[[str], bool]) -> tuple[str, int] | None:
    """The innermost frame of ``err``'s traceback in a file ``mine`` accepts."""
    import traceback

    found = None
    for frame in traceback.extract_tb(err.__traceback__):
        if frame.filename and not frame.filename.startswith("<") and mine(frame.filename):
            found = (frame.filename, frame.lineno or 0)
    return found


def _describe(err: BaseException) -> str:
    text = " ".join(str(err).split())
    return f"{type(err).__name__}: {text[:300]}" + ("..." if len(text) > 300 else "")


def describe_source(pol: Policy) -> dict[str, Any]:
    """For ``iac-assist rules --format json``: where a policy of one's own is defined."""
    if pol.source is None:
        return {}
    return {"source": {"file": pol.source.file, "line": pol.source.line}}
