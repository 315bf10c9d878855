"""Where the HCL parser's tables (``hcl_extract``) are kept between processes, and their checks.

They are kept as Python keeps compiled modules: in the ``__pycache__`` folder beside this file,
named by the interpreter (marshal's format is the interpreter's) and by a key made of python-hcl2's
grammar and post-lexer files, Lark's version and our format version, so that any change of those
makes new tables. They are written there when Python may write its own ``.pyc`` files there
(``sys.dont_write_bytecode`` unset) and the folder is writable; when it is not (a system-wide
install), into the scan's parse cache folder (``--cache-dir``, by default the user's cache
folder), which is used even when Python writes no bytecode (a container often says so), but not
with ``--no-cache``; when nothing can be written, nothing is kept and the parser is Lark's, as
before tables existed.

A file is written whole under a temporary name and renamed into place (``os.replace``), so two
processes racing each write a complete file and a reader sees one complete file or none. What is
read is bounded (``MAX_BYTES``), must be plain data of the expected shape (no code object: marshal
could carry one) and must name the expected key; anything else is ignored and made again.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import re
import stat
import sys
from pathlib import Path
from typing import Any

FORMAT = 4
"""Bumped whenever the tables' layout or meaning changes (``hcl_extract``, ``hcl_lalr``)."""
MAX_BYTES = 8 << 20
"""The tables take about half a megabyte; a larger file is not read."""

_VERSION = re.compile(r"""^__version__\s*(?::\s*str\s*)?=\s*["']([^"']+)["']""", re.M)


def key(hcl2_folder: Path) -> str:
    """What the tables depend on, as a digest."""
    digest = hashlib.sha256(f"iac-assist HCL tables {FORMAT}\0{sys.implementation.cache_tag}\0".encode())
    digest.update(_lark_version().encode() + b"\0" + sys.version.encode() + b"\0")
    for name in ("hcl2.lark", "postlexer.py"):
        digest.update(name.encode() + b"\0" + (hcl2_folder / name).read_bytes() + b"\0")
    return digest.hexdigest()


def _lark_version() -> str:
    """Lark's version, read from its package without importing it (its import is what is saved)."""
    import importlib.util

    spec = importlib.util.find_spec("lark")
    if spec is None or not spec.origin:
        raise ImportError("lark is not installed")
    source = Path(spec.origin).read_text(encoding="utf-8")
    found = _VERSION.search(source)
    return found.group(1) if found else hashlib.sha256(source.encode()).hexdigest()


def file_name(table_key: str) -> str:
    return f"hcl_tables.{sys.implementation.cache_tag}.{table_key[:24]}.marshal"


def directories() -> list[Path]:
    """Where tables are looked for, in order, and written (the first writable one): the package's
    ``__pycache__``, then the ``hcl-tables`` folder of the scan's parse cache (when it keeps one)
    and of the user's cache folder."""
    from iac_assist.inputs.parse_cache import current, default_directory

    folders = [Path(__file__).resolve().parent / "__pycache__"]
    scan_cache = current()
    if scan_cache is not None:
        folders.append(scan_cache / "hcl-tables")
    with contextlib.suppress(RuntimeError, OSError, KeyError):  # no home folder to find a user cache in
        user = default_directory() / "hcl-tables"
        if user not in folders:
            folders.append(user)
    return folders


def load(table_key: str, folders: list[Path] | None = None) -> dict[str, Any] | None:
    """The tables for ``table_key``, from the first folder holding a valid file; None if none does.
    Their ``actions`` are ``Rows``: each state's row is read and checked when first needed."""
    for folder in directories() if folders is None else folders:
        data = _read(folder / file_name(table_key))
        if isinstance(data, dict) and valid(data, table_key):
            return dict(data, actions=Rows(data["actions"]), compiled=Forms(data["compiled"]))
    return None


class Rows(dict[int, dict[str, int]]):
    """State -> its row of the parse table ({symbol: action}), read from its own marshal data when
    the parser first reaches the state: a small file visits a tenth of the grammar's states, and
    reading all of them was most of the parser's start-up. A row that is not {str: int} is a
    KeyError, which the parser takes as a text it cannot parse (Lark parses it)."""

    __slots__ = ("packed",)

    def __init__(self, packed: list[bytes]) -> None:
        super().__init__()
        self.packed = packed

    def __missing__(self, state: int) -> dict[str, int]:
        try:
            row = marshal.loads(self.packed[state]) if state >= 0 else None
        except (IndexError, ValueError, EOFError, TypeError):
            row = None
        if type(row) is not dict or set(map(type, row)) - {str} or set(map(type, row.values())) - {int}:
            raise KeyError(state)
        self[state] = row
        return row

    def __len__(self) -> int:
        return len(self.packed)


def _read(path: Path) -> Any:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_BYTES:
            return None
        with os.fdopen(fd, "rb", closefd=False) as file:
            raw = file.read(MAX_BYTES + 1)
        return marshal.loads(raw) if len(raw) <= MAX_BYTES else None
    except (OSError, ValueError, EOFError, TypeError):
        return None
    finally:
        os.close(fd)


def writable_directory(force: bool = False, folders: list[Path] | None = None) -> Path | None:
    """The first folder tables may be written to, made if needed; None when none may be. When
    Python is told to write no bytecode, only the scan's own parse cache may hold them (the user
    asked for that cache; a container that writes no bytecode still has it), unless ``force``."""
    from iac_assist.inputs.parse_cache import current

    scan_cache = current()
    for folder in directories() if folders is None else folders:
        if sys.dont_write_bytecode and not force and (scan_cache is None or folder != scan_cache / "hcl-tables"):
            continue
        try:
            _make(folder)
        except OSError:
            continue
        if folder.is_dir() and os.access(folder, os.W_OK | os.X_OK):
            return folder
    return None


def _make(folder: Path) -> None:
    """``folder`` and its missing parents, each made readable by its owner only (the user cache's
    folder holds the parse cache's key too): ``mkdir(parents=True)`` would make the parents with
    the default permissions."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        if folder.parent == folder:
            break
        folder = folder.parent
    for path in reversed(missing):
        path.mkdir(mode=0o700, exist_ok=True)


def store(tables: dict[str, Any], table_key: str, folder: Path) -> Path | None:
    """Write ``tables`` into ``folder`` atomically; the path, or None when it could not be written."""
    rows, forms = tables["actions"], tables["compiled"]
    data = dict(tables, format=FORMAT, key=table_key, actions=[marshal.dumps(dict(rows[s])) for s in range(len(rows))],
                compiled=[marshal.dumps(forms[i]) for i in range(len(forms))])
    raw = marshal.dumps(data)
    path = folder / file_name(table_key)
    temporary = folder / f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp"
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
        with os.fdopen(fd, "wb") as file:
            file.write(raw)
        os.replace(temporary, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        return None
    return path


class Forms(dict[int, Any]):
    """Terminal -> its expression's compiled program (``hcl_extract.sre_form``: None or
    ``(pattern, flags, [int], groups, {name: int}, (name or None, ...))``), read when the terminal
    is first needed. One of another shape is a KeyError: the expression is compiled."""

    __slots__ = ("packed",)

    def __init__(self, packed: list[bytes]) -> None:
        super().__init__()
        self.packed = packed

    def __missing__(self, terminal: int) -> Any:
        try:
            form = marshal.loads(self.packed[terminal]) if terminal >= 0 else ()
        except (IndexError, ValueError, EOFError, TypeError):
            form = ()
        if form is not None and not _form(form):
            raise KeyError(terminal)
        self[terminal] = form
        return form

    def __len__(self) -> int:
        return len(self.packed)


def _form(form: Any) -> bool:
    if type(form) is not tuple or len(form) != 6:
        return False
    pattern, flags, code, groups, groupindex, indexgroup = form
    return (type(pattern) is str and type(flags) is int and type(code) is list and not set(map(type, code)) - {int}
            and type(groups) is int and type(groupindex) is dict and not set(map(type, groupindex)) - {str}
            and not set(map(type, groupindex.values())) - {int} and type(indexgroup) is tuple
            and not set(map(type, indexgroup)) - {str, type(None)})


_STR_LISTS = ("ignore", "newline", "operators")


def valid(data: Any, table_key: str) -> bool:
    """Whether ``data`` is tables of the expected layout, for ``table_key``, made of plain data only."""
    try:
        return _valid(data, table_key)
    except (TypeError, ValueError, KeyError, IndexError, AttributeError):
        return False


def _valid(data: Any, table_key: str) -> bool:
    if type(data) is not dict or data.get("format") != FORMAT or data.get("key") != table_key:
        return False
    actions, rules, lexers = data["actions"], data["rules"], data["lexers"]
    if type(actions) is not list or type(rules) is not list or type(lexers) is not list:
        return False
    if set(map(type, actions)) - {bytes}:  # each row is checked when it is read (Rows)
        return False
    for rule in rules:
        origin, size, name, expand1, shape = rule
        if type(rule) is not tuple or type(origin) is not str or type(size) is not int or type(name) is not str \
                or type(expand1) is not bool:
            return False
        if shape is not None:
            include, append_none = shape
            if type(shape) is not tuple or type(include) is not tuple or type(append_none) is not int:
                return False
            if not all(type(i) is int and type(x) is bool and type(n) is int for i, x, n in include):
                return False
    state_lexer = data["state_lexer"]
    if type(state_lexer) is not list or len(state_lexer) != len(actions):
        return False
    if not all(type(i) is int and 0 <= i < len(lexers) for i in state_lexer):
        return False
    terminals, pieces, first, compiled = data["terminals"], data["pieces"], data["first"], data["compiled"]
    if any(type(x) is not list or len(x) != len(terminals) for x in (terminals, pieces, first, compiled)):
        return False
    if set(map(type, terminals)) - {str} or set(map(type, pieces)) - {str} or set(map(type, compiled)) - {bytes}:
        return False
    if not all(f is None or (type(f) is tuple and len(f) == 2 and type(f[0]) is str and type(f[1]) is bool)
               for f in first):
        return False
    if not all(type(order) is list and all(type(t) is int and 0 <= t < len(terminals) for t in order)
               for order in lexers):
        return False
    unless = data["unless"]
    if type(unless) is not list or len(unless) != len(lexers):
        return False
    for words in unless:
        if type(words) is not dict or not all(type(k) is str and type(v) is dict for k, v in words.items()):
            return False
        if not all(type(a) is str and type(b) is str for w in words.values() for a, b in w.items()):
            return False
    if any(type(data[name]) is not list or not all(type(s) is str for s in data[name]) for name in _STR_LISTS):
        return False
    return (type(data["merged_newline"]) is str and type(data["flags"]) is int
            and all(type(data[n]) is int and 0 <= data[n] < len(actions) for n in ("start", "end")))
