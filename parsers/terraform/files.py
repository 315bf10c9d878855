"""``file``, ``fileexists``, ``templatefile`` and kin, confined to the scanned root.

Relative paths resolve against the root module's folder, as Terraform resolves them against its
working directory. Anything outside the scanned root, missing or unreadable is unknown, with a
warning naming the call's file and line; nothing outside the root is ever opened.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from iac_assist.model import Unknown, is_known
from iac_assist.parsers.terraform.budget import EvaluationLimit
from iac_assist.parsers.terraform.values import scalar

MAX_TEMPLATE_DEPTH = 8
"""templatefile() calls nested inside rendered templates (a template may call templatefile)."""


class FileFunctions:
    def __init__(self, base: Path, root: Path, read: Callable[[Path, str, list], str | None] | None,
                 warn: Callable[..., None]) -> None:
        self.base = base
        self.root = root
        self.read = read
        self.warn = warn
        self.depth = 0

    def table(self) -> dict[str, Callable[..., Any]]:
        return {
            "file": self.file,
            "fileexists": self.fileexists,
            "templatefile": self.templatefile,
            "filebase64": lambda p: self._map(p, lambda t: base64.b64encode(t.encode()).decode()),
            "filemd5": lambda p: self._map(p, lambda t: hashlib.md5(t.encode()).hexdigest()),  # noqa: S324
            "filesha256": lambda p: self._map(p, lambda t: hashlib.sha256(t.encode()).hexdigest()),
        }

    def _locate(self, value: Any) -> Path | Unknown:
        value = scalar(value)
        if not is_known(value):
            return value if isinstance(value, Unknown) else Unknown()
        if not isinstance(value, str):
            return Unknown("a file path must be a string")
        target = (self.base / value).resolve()
        if not target.is_relative_to(self.root):
            self.warn(f"file {value!r} is outside the scanned root; not read", "outside-root")
            return Unknown(f"file {value!r} is outside the scanned root")
        return target

    def _text(self, value: Any) -> str | Unknown:
        target = self._locate(value)
        if isinstance(target, Unknown):
            return target
        if not target.is_file():
            self.warn(f"file {scalar(value)!r} does not exist")
            return Unknown(f"no file {scalar(value)!r}")
        if self.read is None:
            return Unknown("files are not read")
        errors: list = []
        text = self.read(target, target.relative_to(self.root).as_posix(), errors)
        if text is None:
            for err in errors:
                self.warn(err.message)
            return Unknown(f"file {scalar(value)!r} could not be read")
        return text

    def _map(self, value: Any, fn: Callable[[str], Any]) -> Any:
        text = self._text(value)
        return text if isinstance(text, Unknown) else fn(text)

    def file(self, value: Any) -> Any:
        return self._text(value)

    def fileexists(self, value: Any) -> Any:
        target = self._locate(value)
        return target if isinstance(target, Unknown) else target.is_file()

    def templatefile(self, value: Any, variables: Any = None) -> Any:
        from iac_assist.parsers.terraform import hcl
        from iac_assist.parsers.terraform.evaluator import Evaluator

        text = self._text(value)
        if isinstance(text, Unknown):
            return text
        variables = scalar(variables) if variables is not None else {}
        if not isinstance(variables, dict):
            return Unknown("templatefile() needs a map of variables")
        if self.depth >= MAX_TEMPLATE_DEPTH:
            return Unknown("templatefile() nested too deeply")
        try:
            expr = hcl.parse_template(text)
        except hcl.HclError as err:
            self.warn(f"template {scalar(value)!r}: {err.message}")
            return Unknown("invalid template")
        self.depth += 1
        try:
            # A template sees only the variables it is given (and functions), like Terraform's.
            evaluator = Evaluator(lambda name: variables.get(name, Unknown(f"template variable {name} not given")),
                                  call_extra=self.table())
            try:
                return evaluator.eval(expr)
            except EvaluationLimit as err:
                # The line is the template's: name its file, not the caller's.
                target = self._locate(value)
                raise err.at(target.relative_to(self.root).as_posix() if isinstance(target, Path) else "",
                             0) from None
        finally:
            self.depth -= 1
