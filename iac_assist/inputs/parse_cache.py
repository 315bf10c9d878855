"""A content-addressed cache of parse results on disk: a repeated scan of unchanged files (a
pre-commit hook, a CI re-run, the two sides of ``--base``) does not parse them again.

What is cached is the parser's output for a file's text and nothing later: Terraform's syntax
tree before any variable is known, a template as decoded before parameters, conditions or
transforms apply. The key is a hash of the tool's version, the parser's identity (the source of
the modules that parse, the versions of the libraries they use, the Python version) and the text
itself, so an entry can only ever be what parsing that text gives.

Where: the runner's choice, never the scanned repository's. The user cache directory
(``$XDG_CACHE_HOME/iac-assist``, else ``~/.cache/iac-assist``) or ``--cache-dir``; a folder
inside a scanned path is not used (a repository could ship poisoned entries to blind the gate),
and the configuration file cannot name one. ``--no-cache`` turns it off; library callers of
``engine.scan`` get no cache unless they ``configure`` one.

Format and safety. An entry is a pickle (it keeps line and column marks and the parsers' own
classes exactly, and loads fast), but a pickle runs code when loaded, so it is loaded only when
its HMAC-SHA256, under a random per-user key kept in the cache folder with mode 0600, matches: a
file someone else wrote, without that key, is never unpickled. A key file readable or owned by
someone else turns the cache off. As a second wall the unpickler accepts only the classes of
our syntax trees, the decoder's nodes and plain containers. Entries are written to a temporary
file and renamed, so concurrent runs sharing the folder see a whole entry or none. They are
written by a thread of the process that scans (creating a file costs about a third of a
millisecond here, and the scan goes on meanwhile); worker processes hand theirs over with their
results (``hold``, ``receive``); the process waits for them before it ends (``flush``); anything
unreadable, truncated, forged or failing to load is a miss (parsed again and rewritten), never
an error. The folder is kept under ``MAX_BYTES``: past it, the least recently used entries go.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import hmac
import io
import os
import pickle
import re
import sys
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

FORMAT = b"IACPC001"
"""First bytes of an entry; bumped when the entry layout changes."""
MAX_BYTES = 512 * 1024 * 1024
"""The folder's bound; the least recently used entries are removed past it."""
_MAC_SIZE = 32
_ALLOWED_MODULES = ("iac_assist.", "cfnlint.decode.")
_ALLOWED_GLOBALS = {("builtins", "set"), ("builtins", "frozenset"), ("builtins", "complex"),
                    ("builtins", "slice"), ("builtins", "bytearray"), ("copyreg", "_reconstructor"),
                    ("builtins", "object"), ("builtins", "dict"), ("builtins", "list"), ("builtins", "str"),
                    ("builtins", "int"), ("builtins", "float"), ("collections", "OrderedDict"),
                    # PyYAML's marks (line, column), which some decoded nodes carry:
                    ("yaml.error", "Mark"), ("yaml._yaml", "Mark"), ("yaml._yaml", "__pyx_unpickle_Mark"),
                    # YAML's timestamps, and the decoder's problems (a template that does not decode):
                    ("datetime", "date"), ("datetime", "datetime"), ("datetime", "timedelta"),
                    ("datetime", "timezone"), ("cfnlint.match", "Match")}

_directory: Path | None = None
_store: _Store | None = None
_identities: dict[tuple, bytes] = {}
_held = False


def default_directory() -> Path:
    """The user cache directory (XDG base directory rules; ``~/.cache`` when unset)."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".cache"
    return root / "iac-assist"


def configure(directory: Path | None, scanned: Sequence[Path] = ()) -> str | None:
    """Use ``directory`` for this process (None: no cache). Returns why it is not used, if it is
    not: a folder inside a scanned path is refused."""
    global _directory, _store
    if _store is not None:
        _store.flush()  # the entries of the folder used so far
    _directory, _store = None, None
    if directory is None:
        return None
    resolved = Path(os.path.abspath(directory.expanduser()))
    with contextlib.suppress(OSError):
        resolved = resolved.resolve()
    for path in scanned:
        try:
            root = path.resolve()
        except OSError:
            continue
        root = root if root.is_dir() else root.parent
        if resolved == root or root in resolved.parents:
            return f"the cache folder {directory} is inside the scanned {path}: not used"
    _directory = resolved
    return None


def current() -> Path | None:
    """The folder in use (what a worker process is given)."""
    return _directory


def cached(kind: str, text: str, parse: Callable[[str], T], modules: Iterable[str] = (),
           distributions: Iterable[str] = (), reducers: Mapping[type, Callable[[Any], tuple]] | None = None) -> T:
    """``parse(text)``, from the cache when an entry for this text, this parser and this tool
    version is there. ``kind`` names the parser; ``modules`` (module names) and
    ``distributions`` (installed packages) are what its result depends on: their source and
    versions are part of the key. ``reducers``: how to pickle classes pickle cannot name (see
    ``copyreg``); their functions must live in an allowed module. An exception ``parse`` raises is
    not cached, nor a result that does not pickle."""
    store = _open_store()
    if store is None:
        return parse(text)
    key = _key(kind, tuple(modules), tuple(distributions), text)
    if key is None:
        return parse(text)
    found = store.get(key)
    if found is not _MISS:
        return found  # type: ignore[no-any-return]
    value = parse(text)
    store.put(key, value, reducers)
    return value


def hold() -> None:
    """In a worker process: entries are kept, not written, until ``held_entries`` hands them to
    the parent, which writes them (``receive``) while it evaluates alone: creating a file is
    about a third of a millisecond here, and the workers are the busy ones."""
    global _held, _store
    _held = True
    # A forked worker's copy of the parent's store is not its own (its lock may be held by a
    # writer thread that exists only in the parent): reopened, held, on first use.
    _store = None


def held_entries() -> list[tuple[str, bytes]]:
    """The entries a worker made since it last handed them over (see ``hold``)."""
    if _store is None or not _store.held:
        return []
    with _store.lock:
        out = list(_store.pending.items())
        _store.pending.clear()
    return out


def receive(entries: Iterable[tuple[str, bytes]]) -> None:
    """Write the entries a worker made (``held_entries``): whole entries, HMAC included, under
    the same key file, so they are checked like any other when read."""
    store = _open_store()
    if store is not None:
        for key, entry in entries:
            if _KEY.fullmatch(key) and entry.startswith(FORMAT):
                store.deliver(key, entry)


def flush() -> None:
    """Wait until every entry made so far is on disk (before the process ends)."""
    if _store is not None:
        _store.flush()


def get_entry(key: str, allowed: frozenset[tuple[str, str]] = frozenset()) -> Any:
    """The value stored under ``key`` (a hex digest the caller made of everything the value
    depends on), or ``MISS``; ``allowed``: more globals its unpickling may name. For caches of
    other results sharing this folder, its key, its bound and its safety rules."""
    store = _open_store()
    return MISS if store is None else store.get(key, allowed)


def put_entry(key: str, value: object, reducers: Mapping[type, Callable[[Any], tuple]] | None = None) -> None:
    """Store ``value`` under ``key`` (see ``get_entry``); nothing when there is no cache."""
    store = _open_store()
    if store is not None:
        store.put(key, value, reducers)


def evict() -> None:
    """Keep the folder under MAX_BYTES (once, at the end of a run that wrote entries)."""
    if _store is not None and _store.wrote:
        _store.flush()
        _store.evict(MAX_BYTES)


_flush_at_exit: list[bool] = []
_KEY = re.compile(r"[0-9a-f]{64}")

MISS = _MISS = object()
"""What ``get_entry`` returns when there is no entry to use."""


def _open_store() -> _Store | None:
    global _store, _directory
    if _directory is None:
        return None
    if _store is None:
        try:
            _store = _Store(_directory)
        except OSError:
            _directory = None  # an unusable folder: scan without a cache
            return None
    return _store


def _key(kind: str, modules: tuple[str, ...], distributions: tuple[str, ...], text: str) -> str | None:
    identity = _identity(kind, modules, distributions)
    if not identity:
        return None
    digest = hashlib.sha256(identity)
    digest.update(text.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def _identity(kind: str, modules: tuple[str, ...], distributions: tuple[str, ...]) -> bytes:
    """The tool's version, the parser's source and libraries, the Python version; empty when a
    part cannot be known (then nothing is cached: an entry must never outlive its parser)."""
    import iac_assist

    # The version is read each time (cheap) so that a changed version is never served old entries.
    memo = (kind, modules, distributions)
    if memo not in _identities:
        digest = hashlib.sha256(FORMAT + kind.encode() + b"\0" + sys.version.encode())
        try:
            for name in modules:
                module = sys.modules.get(name) or __import__(name, fromlist=["_"])
                digest.update(name.encode() + b"\0" + Path(module.__file__ or "").read_bytes())
            installed = _installed() if distributions else {}
            for dist in distributions:
                digest.update(f"{dist}=={installed[_normal(dist)]}".encode())
        except Exception:
            _identities[memo] = b""
        else:
            _identities[memo] = digest.digest()
    base = _identities[memo]
    return base + iac_assist.__version__.encode() + b"\0" if base else b""


_versions: dict[str, str] | None = None


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def _installed() -> dict[str, str]:
    """Installed distributions' versions, from their ``<name>-<version>.dist-info`` folders on
    ``sys.path`` (the first one found wins, as an import would). Not ``importlib.metadata``: its
    import alone costs a pre-commit hook tens of milliseconds on every run."""
    global _versions
    if _versions is None:
        found: dict[str, str] = {}
        for entry in sys.path:
            try:
                names = os.listdir(entry or ".")
            except OSError:
                continue
            for folder in names:
                if folder.endswith((".dist-info", ".egg-info")):
                    name, _, version = folder.rsplit(".", 1)[0].partition("-")
                    found.setdefault(_normal(name), version)
        _versions = found
    return _versions


class _Store:
    """The folder: ``<hh>/<key>`` entries and the HMAC key."""

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.directory = directory
        self.secret = _secret(directory)
        self.wrote = False
        self.held = _held
        # Entries made but not on disk yet (served from here meanwhile), written in order by a
        # thread of their own while the scan goes on: files are created with the interpreter's
        # lock released, on a core the scan's serial part leaves idle.
        self.pending: dict[str, bytes] = {}
        self.lock = threading.Lock()
        self.writer: threading.Thread | None = None

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / key

    def get(self, key: str, allowed: frozenset[tuple[str, str]] = frozenset()) -> Any:
        path = self._path(key)
        data = self.pending.get(key)
        if data is None:
            try:
                with open(path, "rb") as handle:
                    data = handle.read()
            except OSError:
                return _MISS
        head = len(FORMAT) + _MAC_SIZE
        if len(data) < head or data[:len(FORMAT)] != FORMAT:
            return _MISS
        payload = data[head:]
        expected = hmac.new(self.secret, key.encode() + payload, hashlib.sha256).digest()
        if not hmac.compare_digest(expected, data[len(FORMAT):head]):
            return _MISS
        try:
            value = _Unpickler(io.BytesIO(payload), allowed).load()
        except Exception:
            return _MISS
        with contextlib.suppress(OSError):
            os.utime(path)  # recently used: evicted last
        return value

    def put(self, key: str, value: object, reducers: Mapping[type, Callable[[Any], tuple]] | None = None) -> None:
        buffer = io.BytesIO()
        pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
        if reducers:
            import copyreg

            pickler.dispatch_table = {**copyreg.dispatch_table, **reducers}
        try:
            pickler.dump(value)
            payload = buffer.getvalue()
        except Exception:  # a result that does not pickle (or nests too deeply) is not cached
            return
        mac = hmac.new(self.secret, key.encode() + payload, hashlib.sha256).digest()
        self.deliver(key, FORMAT + mac + payload)

    def deliver(self, key: str, entry: bytes) -> None:
        """``entry`` (made whole: format, HMAC, payload) is to be written under ``key``."""
        self.wrote = True
        with self.lock:
            self.pending[key] = entry
            if self.held or self.writer is not None:
                return
            self.writer = threading.Thread(target=self._drain, name="iac-assist parse cache", daemon=True)
            self.writer.start()
        if not _flush_at_exit:
            _flush_at_exit.append(True)
            atexit.register(flush)  # a library caller's process ends normally: entries first

    def _drain(self) -> None:
        while True:
            with self.lock:
                if not self.pending:
                    self.writer = None
                    return
                key, entry = next(iter(self.pending.items()))
            self._write(key, entry)
            with self.lock:
                if self.pending.get(key) is entry:
                    del self.pending[key]

    def _write(self, key: str, entry: bytes) -> None:
        path = self._path(key)
        try:
            path.parent.mkdir(exist_ok=True, mode=0o700)
            handle, temporary = _temporary(path.parent, ".tmp-")
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(entry)
                os.replace(temporary, path)  # atomic: a reader sees the whole entry or none
            except BaseException:
                os.unlink(temporary)
                raise
        except OSError:
            return

    def flush(self) -> None:
        while True:
            with self.lock:
                writer = self.writer
            if writer is None or not writer.is_alive():
                return
            writer.join()

    def evict(self, limit: int) -> None:
        entries = []
        total = 0
        try:
            for sub in os.scandir(self.directory):
                if not sub.is_dir(follow_symlinks=False):
                    continue
                for entry in os.scandir(sub.path):
                    try:
                        stat = entry.stat(follow_symlinks=False)
                    except OSError:
                        continue
                    entries.append((stat.st_mtime, entry.path, stat.st_size))
                    total += stat.st_size
        except OSError:
            return
        if total <= limit:
            return
        # Down to 80 % of the bound, so that the next runs do not each evict a few entries.
        for _, path, size in sorted(entries):
            if total <= limit * 0.8:
                break
            try:
                os.unlink(path)
            except OSError:
                continue
            total -= size


def _secret(directory: Path) -> bytes:
    """The per-user HMAC key, created once (two runs creating it at once agree on one)."""
    path = directory / "key"
    try:
        return _read_secret(path)
    except FileNotFoundError:
        pass
    handle, temporary = _temporary(directory, ".key-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(os.urandom(32))  # what secrets.token_bytes returns
        with contextlib.suppress(FileExistsError):  # another run made it first: use theirs
            os.link(temporary, path)
    finally:
        os.unlink(temporary)
    return _read_secret(path)


_TEMPORARY_FLAGS = (os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
                    | getattr(os, "O_BINARY", 0))


def _temporary(directory: Path, prefix: str) -> tuple[int, str]:
    """A new file of mode 0600 with a random name in ``directory``, opened, as
    ``tempfile.mkstemp`` makes it: that module (and random, shutil, bz2 and lzma with it) cost
    a first scan milliseconds to import, and a pre-commit hook pays them on every commit."""
    for _ in range(100):
        name = os.path.join(directory, prefix + os.urandom(8).hex())
        try:
            return os.open(name, _TEMPORARY_FLAGS, 0o600), name
        except FileExistsError:
            continue
    raise FileExistsError(f"no new temporary file name in {directory}")


def _read_secret(path: Path) -> bytes:
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    try:
        stat = os.fstat(descriptor)
        if hasattr(os, "getuid") and (stat.st_uid != os.getuid() or stat.st_mode & 0o077):
            raise PermissionError(f"{path}: not a private key of this user")
        secret = os.read(descriptor, 64)
    finally:
        os.close(descriptor)
    if len(secret) < 32:
        raise PermissionError(f"{path}: too short")
    return secret


class _Unpickler(pickle.Unpickler):
    """Only the classes a parse result is made of (defence in depth behind the HMAC), and the
    ``allowed`` globals a caller of ``get_entry`` names."""

    def __init__(self, file: io.BytesIO, allowed: frozenset[tuple[str, str]] = frozenset()) -> None:
        super().__init__(file)
        self.allowed = allowed

    def find_class(self, module: str, name: str) -> Any:
        if module.startswith(_ALLOWED_MODULES) or (module, name) in _ALLOWED_GLOBALS or (module, name) in self.allowed:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not part of a parse result")
