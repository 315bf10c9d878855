"""``file``, ``fileexists``, ``fileset``, ``templatefile`` and kin, confined to the scanned root.

Relative paths resolve against the root module's folder, as Terraform resolves them against its
working directory. A path is resolved by ``iac_assist.inputs.confine`` before anything is opened: one
outside the scanned root, inside ``.git`` or through a link leaving the root is unknown, with a
warning (category ``outside-root``) naming the call's file and line; so is a missing or
unreadable file.

Reading is bounded for the whole scan (``FileReads``): each file is read once, its text shared by
every call (a ``for_each`` of a thousand ``file()`` calls holds one copy), and all of them
together may read MAX_SCAN_FILE_CHARS. Each template is parsed once, the parse charged to the
evaluation budget like its rendering.
"""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from iac_assist.inputs.confine import CATEGORY, Outside, confine
from iac_assist.model import Unknown, is_known
from iac_assist.parsers.terraform import budget
from iac_assist.parsers.terraform.budget import EvaluationLimit
from iac_assist.parsers.terraform.values import scalar

if TYPE_CHECKING:
    from iac_assist.parsers.terraform.evaluator import Evaluator

MAX_TEMPLATE_DEPTH = 8
"""templatefile() calls nested inside rendered templates (a template may call templatefile)."""
MAX_SCAN_FILE_CHARS = 64 * 1024 * 1024
"""Characters the file functions of one scan may read, each file counted once."""
MAX_TEMPLATE_CHARS = 128 * 1024
"""Characters of a template given to templatefile(): the HCL parser takes about 10 µs a character."""
TEMPLATE_PARSE_STEPS = 4
"""Evaluation steps a template's parse is charged per character (a step is about a microsecond)."""
MAX_FILESET_ENTRIES = 10_000
"""Files and folders fileset() may look at in one call."""
MAX_GLOB = 1_000
"""Characters of a fileset() pattern."""

Warn = Callable[[str, str, "tuple[str, int] | None"], None]
"""``warn(message, category, where)``: ``where`` is (file, line) inside a template, None for the
calling expression of the module."""


@dataclass
class FileReads:
    """What the file functions of one scan have read and parsed, shared by every module instance."""

    texts: dict[Path, str | list[str]] = field(default_factory=dict)
    """Resolved path → text, or the messages saying why it could not be read."""
    templates: dict[tuple[Path, str], Any] = field(default_factory=dict)
    """(path, text) → parsed template, or the message saying why it does not parse."""
    derived: dict[tuple[str, Path], str] = field(default_factory=dict)
    """(function, path) → a file's hash or encoding."""
    chars: int = 0
    """Characters read so far (bounded by MAX_SCAN_FILE_CHARS)."""


class FileFunctions:
    def __init__(self, base: Path, root: Path, read: Callable[[Path, str, list], str | None] | None,
                 warn: Warn, reads: FileReads | None = None) -> None:
        self.base = base
        self.root = root.resolve()
        self.read = read
        self.warn = warn
        self.reads = reads if reads is not None else FileReads()
        self.depth = 0
        self._rendering: list[tuple[str, Evaluator]] = []
        """Templates being rendered, innermost last: a call inside one is reported at its line."""

    def table(self) -> dict[str, Callable[..., Any]]:
        return {
            "file": self.file,
            "fileexists": self.fileexists,
            "fileset": self.fileset,
            "templatefile": self.templatefile,
            "filebase64": lambda p: self._derived("filebase64", p, lambda t: base64.b64encode(t).decode()),
            "filemd5": lambda p: self._derived("filemd5", p, lambda t: hashlib.md5(t).hexdigest()),  # noqa: S324
            "filesha1": lambda p: self._derived("filesha1", p, lambda t: hashlib.sha1(t).hexdigest()),  # noqa: S324
            "filesha256": lambda p: self._derived("filesha256", p, lambda t: hashlib.sha256(t).hexdigest()),
            "filesha512": lambda p: self._derived("filesha512", p, lambda t: hashlib.sha512(t).hexdigest()),
            "filebase64sha256": lambda p: self._derived(
                "filebase64sha256", p, lambda t: base64.b64encode(hashlib.sha256(t).digest()).decode()),
            "filebase64sha512": lambda p: self._derived(
                "filebase64sha512", p, lambda t: base64.b64encode(hashlib.sha512(t).digest()).decode()),
        }

    # --- where a path leads ----------------------------------------------------------------

    def _warn(self, message: str, category: str = "") -> None:
        where = None
        if self._rendering:
            file, evaluator = self._rendering[-1]
            where = (file, evaluator.call_line)
        self.warn(message, category, where)

    def _locate(self, value: Any) -> Path | Unknown:
        value = scalar(value)
        if not is_known(value):
            return value if isinstance(value, Unknown) else Unknown()
        if not isinstance(value, str):
            return Unknown("a file path must be a string")
        try:
            return confine(value, self.base, self.root)
        except Outside as why:
            self._warn(f"file {value!r} {why}; not read", CATEGORY)
            return Unknown(f"file {value!r} {why}")

    def _rel(self, target: Path) -> str:
        return target.relative_to(self.root).as_posix()

    # --- reading, once per scan ------------------------------------------------------------

    def _text(self, value: Any) -> tuple[Path, str] | Unknown:
        target = self._locate(value)
        if isinstance(target, Unknown):
            return target
        cached = self.reads.texts.get(target)
        if cached is None:
            cached = self._read(target, scalar(value))
            self.reads.texts[target] = cached
        if isinstance(cached, list):
            for message in cached:
                # What the file holds is unknown: what depends on it is not judged.
                self._warn(message, "missing-file" if message.endswith("does not exist") else "")
            return Unknown(f"file {scalar(value)!r} could not be read")
        return target, cached

    def _read(self, target: Path, name: str) -> str | list[str]:
        if not target.is_file():
            return [f"file {name!r} does not exist"]
        if self.read is None:
            return ["files are not read here"]
        left = MAX_SCAN_FILE_CHARS - self.reads.chars
        size = _size(target)
        if size > left:
            # Not read at all: the bound is on memory, and the file would pass it.
            raise EvaluationLimit(f"file functions may read {MAX_SCAN_FILE_CHARS} characters in a scan; "
                                  f"file {name!r} ({size} bytes) would pass that, it is not read")
        errors: list = []
        text = self.read(target, self._rel(target), errors)
        if text is None:
            return [err.message for err in errors] or [f"file {name!r} could not be read"]
        self.reads.chars += len(text)
        if self.reads.chars > MAX_SCAN_FILE_CHARS:  # it grew since stat saw it
            raise EvaluationLimit(f"file functions may read {MAX_SCAN_FILE_CHARS} characters in a scan; "
                                  f"file {name!r} passes that")
        budget.charge(len(text) // 4096)
        return text

    def _derived(self, fn: str, value: Any, compute: Callable[[bytes], str]) -> Any:
        found = self._text(value)
        if isinstance(found, Unknown):
            return found
        target, text = found
        key = (fn, target)
        if key not in self.reads.derived:
            budget.charge(len(text) // 1024)
            self.reads.derived[key] = compute(text.encode())
        return self.reads.derived[key]

    # --- the functions ---------------------------------------------------------------------

    def file(self, value: Any) -> Any:
        found = self._text(value)
        return found if isinstance(found, Unknown) else found[1]

    def fileexists(self, value: Any) -> Any:
        target = self._locate(value)
        return target if isinstance(target, Unknown) else target.is_file()

    def fileset(self, path: Any, pattern: Any) -> Any:
        """The files under ``path`` whose path relative to it matches the glob ``pattern``
        (``*``, ``**``, ``?``, ``[...]``, ``{a,b}``), as Terraform lists them, never looking into
        ``.git`` or through a link leaving the root."""
        folder = self._locate(path)
        pattern = scalar(pattern)
        if isinstance(folder, Unknown) or not is_known(pattern):
            return folder if isinstance(folder, Unknown) else Unknown("fileset() of an unknown pattern")
        if not isinstance(pattern, str):
            return Unknown("fileset() needs a string pattern")
        from iac_assist.parsers.terraform.functions import FunctionError, _matching, _pattern

        if len(pattern) > MAX_GLOB:
            raise EvaluationLimit(f"fileset() pattern of {len(pattern)} characters, over the limit of {MAX_GLOB}")
        try:
            compiled = _pattern(glob_regex(pattern))
        except (FunctionError, ValueError) as err:
            return Unknown(f"fileset() pattern {pattern!r}: {err}")
        if not folder.is_dir():
            return []
        out = []
        seen = 0
        for here, dirs, files in os.walk(folder, followlinks=False):
            dirs[:] = sorted(d for d in dirs if d.casefold() != ".git")
            seen += len(dirs) + len(files)
            if seen > MAX_FILESET_ENTRIES:
                raise EvaluationLimit(f"fileset() looks at more than {MAX_FILESET_ENTRIES} files and folders")
            budget.charge(len(dirs) + len(files))
            for name in files:
                full = Path(here) / name
                rel = full.relative_to(folder).as_posix()
                if not _matching("fileset()", lambda timeout, r=rel: compiled.fullmatch(r, timeout=timeout)):
                    continue
                try:
                    real = confine(full, folder, self.root)
                except Outside:
                    continue  # a link out of the root: not even its existence is told
                if real.is_file():
                    out.append(rel)
        return sorted(out)

    def templatefile(self, value: Any, variables: Any = None) -> Any:
        from iac_assist.parsers.terraform.evaluator import Evaluator

        found = self._text(value)
        if isinstance(found, Unknown):
            return found
        target, text = found
        variables = scalar(variables) if variables is not None else {}
        if not isinstance(variables, dict):
            return Unknown("templatefile() needs a map of variables")
        if self.depth >= MAX_TEMPLATE_DEPTH:
            return Unknown("templatefile() nested too deeply")
        expr = self._parsed(target, text, scalar(value))
        if isinstance(expr, Unknown):
            return expr
        rel = self._rel(target)
        self.depth += 1
        # A template sees only the variables it is given (and functions), like Terraform's.
        evaluator = Evaluator(lambda name: variables.get(name, Unknown(f"template variable {name} not given")),
                              call_extra=self.table())
        self._rendering.append((rel, evaluator))
        try:
            return evaluator.eval(expr)
        except EvaluationLimit as err:
            # The line is the template's: name its file, not the caller's.
            raise err.at(rel, 0) from None
        finally:
            self._rendering.pop()
            self.depth -= 1

    def _parsed(self, target: Path, text: str, name: str) -> Any:
        """The template parsed, once per scan; its parse charged to the evaluation in progress."""
        from iac_assist.parsers.terraform import hcl

        key = (target, text)
        if key not in self.reads.templates:
            if len(text) > MAX_TEMPLATE_CHARS and ("${" in text or "%{" in text):
                raise EvaluationLimit(f"templatefile(): template {name!r} has {len(text)} characters, over the "
                                      f"limit of {MAX_TEMPLATE_CHARS}")
            budget.charge(len(text) * TEMPLATE_PARSE_STEPS)
            try:
                self.reads.templates[key] = hcl.parse_template(text)
            except hcl.HclError as err:
                self.reads.templates[key] = f"template {name!r}: {err.message}"
        parsed = self.reads.templates[key]
        if isinstance(parsed, str):
            self._warn(parsed)
            return Unknown("invalid template")
        return parsed


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def glob_regex(pattern: str) -> str:
    """A regular expression matching what the glob ``pattern`` matches in a ``/``-separated path:
    ``**`` as a whole segment any number of folders, ``*`` and ``?`` within one, ``[...]`` a
    character (``[!...]`` none of them), ``{a,b}`` either; ``\\`` escapes."""
    import re

    out: list[str] = []
    i, n, braces = 0, len(pattern), 0
    while i < n:
        char = pattern[i]
        if char == "*":
            stars = i
            while i < n and pattern[i] == "*":
                i += 1
            whole = (stars == 0 or pattern[stars - 1] == "/") and i - stars >= 2
            if whole and i < n and pattern[i] == "/":
                i += 1
                if not out or out[-1] != "(?:[^/]*/)*":  # repeated **/ match nothing more
                    out.append("(?:[^/]*/)*")
            elif whole and i == n:
                out.append(".*")
            else:
                out.append("[^/]*")
            continue
        if char == "?":
            out.append("[^/]")
        elif char == "[":
            end = pattern.find("]", i + 2)
            if end < 0:
                out.append(re.escape(char))
            else:
                body = pattern[i + 1:end]
                negate = body[:1] in ("!", "^")
                body = body[1:] if negate else body
                out.append("[" + ("^/" if negate else "") + body.replace("\\", "\\\\").replace("[", "\\[") + "]")
                i = end
        elif char == "{":
            braces += 1
            out.append("(?:")
        elif char == "}" and braces:
            braces -= 1
            out.append(")")
        elif char == "," and braces:
            out.append("|")
        elif char == "\\" and i + 1 < n:
            i += 1
            out.append(re.escape(pattern[i]))
        else:
            out.append(re.escape(char))
        i += 1
    if braces:
        raise ValueError("unclosed {")
    return "".join(out)
