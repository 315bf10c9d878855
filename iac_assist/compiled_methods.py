"""The methods ``@dataclass`` writes, compiled once per installation rather than once per run.

``dataclasses`` writes each class's ``__init__``, ``__repr__``, ``__eq__``, ``__hash__`` and the
frozen ``__setattr__``/``__delattr__`` as source text and compiles it (``exec``) at import time:
some 370 compilations for a scan of one Terraform file, a fifth of a pre-commit run (45 ms of
~210). The text is the same on every run of the same code, so its compiled code is kept, as
Python keeps a module's bytecode, in the package's ``__pycache__`` folder (or
``sys.pycache_prefix``'s), marked with the interpreter's bytecode magic number, written only
where Python itself would write bytecode and looked up by the exact text it was compiled from:
different text (another version of a class, of Python, of a library) is compiled as before.

The hook is ``dataclasses``'s own name ``exec`` (every version from 3.10 to 3.13 compiles its
methods with ``exec(text, globals, namespace)``), so classes come out exactly as ``dataclasses``
makes them; only where the code object comes from changes.
"""

from __future__ import annotations

import builtins
import contextlib
import dataclasses
import marshal
import os
import sys
from importlib._bootstrap_external import MAGIC_NUMBER, cache_from_source  # type: ignore[attr-defined]
from typing import Any

MAX_BYTES = 8 * 1024 * 1024
"""A larger file is not read (ours is ~0.3 MB)."""
MAX_ENTRIES = 4000
"""Past this, a save keeps only the methods this run used (old versions' text drops out)."""

_CODE = type(compile("", "", "exec"))
_known: dict[str, Any] = {}
_used: set[str] = set()
_compiled = 0
_path = ""


def _cache_file() -> str:
    """Beside this package's bytecode: ``__pycache__/dataclass-methods.<tag>.bin``."""
    bytecode = cache_from_source(__file__)  # honours sys.pycache_prefix; raises without a cache tag
    return os.path.join(os.path.dirname(bytecode), f"dataclass-methods.{sys.implementation.cache_tag}.bin")


def _load(path: str) -> dict[str, Any]:
    try:
        with open(path, "rb") as file:
            data = file.read(MAX_BYTES + 1)
    except OSError:
        return {}
    if len(data) > MAX_BYTES or not data.startswith(MAGIC_NUMBER):
        return {}
    try:
        table = marshal.loads(data[len(MAGIC_NUMBER):])
    except (EOFError, ValueError, TypeError):
        return {}
    if not isinstance(table, dict):
        return {}
    return {text: code for text, code in table.items() if type(text) is str and type(code) is _CODE}


def _exec(source: Any, globals: Any = None, locals: Any = None) -> None:
    global _compiled
    if type(source) is str:
        code = _known.get(source)
        if code is None:
            # dont_inherit: compiled as ``dataclasses`` would, without this module's __future__ flags.
            code = compile(source, "<string>", "exec", dont_inherit=True)
            _known[source] = code
            _compiled += 1
        _used.add(source)
        source = code
    builtins.exec(source, globals, locals)


def install() -> None:
    """Serve ``dataclasses``'s compilations from the kept file (once per process)."""
    global _path
    if getattr(dataclasses, "exec", None) is _exec:
        return
    try:
        _path = _cache_file()
    except (NotImplementedError, ValueError):  # no bytecode cache on this interpreter
        _path = ""
    if _path:
        _known.update(_load(_path))
    dataclasses.exec = _exec  # type: ignore[attr-defined]


def save() -> None:
    """Keep what this run compiled, where and when Python would write bytecode; never fails."""
    global _compiled
    if not _compiled or not _path or sys.dont_write_bytecode:
        return
    table = _known if len(_known) <= MAX_ENTRIES else {text: _known[text] for text in _used}
    temporary = f"{_path}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(_path), exist_ok=True)
        with open(temporary, "wb") as file:
            file.write(MAGIC_NUMBER + marshal.dumps(table))
        os.replace(temporary, _path)  # two runs saving at once: one whole file wins
        _compiled = 0
    except (OSError, ValueError):
        with contextlib.suppress(OSError):
            os.unlink(temporary)
