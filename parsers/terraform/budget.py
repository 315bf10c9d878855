"""How much work evaluating untrusted Terraform may cost before it is stopped and reported.

A configuration is input from a pull request: ``[for i in range(100000) : local.big]``, a chain
of locals doubling a string, ``format("%09999999d", 1)`` or a backtracking regular expression must
not hang the gate or exhaust its memory. Every evaluation step is counted against a budget; the
values functions build are measured before they are built; a bound passed raises
``EvaluationLimit``, which ``try()`` and ``can()`` do not catch and which the module evaluator
reports as an error at the file and line where it happened (the gate fails closed).

Two budgets: one per evaluation started from outside the evaluator (an attribute, a local, a
``count``), which locals and modules it reaches share, and one for the whole scan, so that many
expensive expressions cannot add up to hours either.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from contextvars import ContextVar
from typing import Any

from iac_assist.inputs.bounds import current

MAX_STEPS = 1_000_000
"""Steps of one evaluation (an expression node, a list element built or visited): about a second."""
MAX_SCAN_STEPS = 25_000_000
"""Steps of all evaluations of one scan."""
MAX_DEPTH = 200
"""Nesting of expressions, counted through locals, variables and module outputs they refer to."""
MAX_STRING = 8 * 1024 * 1024
"""Characters of a string built by a function or a template."""
MAX_NUMBER_BITS = 4096
"""Size of an integer result (Terraform's numbers are 512-bit floats; more is a bomb)."""
MAX_REGEX_SECONDS = 1.0
"""One regular expression match (user patterns can backtrack catastrophically)."""
MAX_SCAN_REGEX_SECONDS = 5.0
"""All regular expression matching of one scan."""
MAX_SCAN_VALUE_CHARS = 256 * 1024 * 1024
"""Characters in the attribute values of all resource instances of a scan, a shared string counted
each time it occurs, as the checks reading them will: ``count = 1000`` over ``file()`` of a 20 MiB
file holds one copy, but would be read as 20 GB."""
ELEMENT_CHARS = 16
"""What a list or map element counts for in MAX_SCAN_VALUE_CHARS (about its memory)."""


class EvaluationLimit(Exception):
    """A bound on evaluation was passed: reported as an error, never swallowed by ``try()``."""

    def __init__(self, message: str, line: int = 0, file: str = "", scan_wide: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.file = file
        self.scan_wide = scan_wide
        """The whole scan's budget is spent: every later evaluation would fail too."""

    def at(self, file: str, line: int) -> EvaluationLimit:
        """Fill in where it happened, unless an inner frame already knew better."""
        if not self.file:
            self.file = file
            if line and not self.line:
                self.line = line
        elif not self.line and line and self.file == file:
            self.line = line
        return self


class ScanBudget:
    """What every evaluation of one scan shares."""

    def __init__(self, steps: int = MAX_SCAN_STEPS, regex_seconds: float = MAX_SCAN_REGEX_SECONDS,
                 value_chars: int = MAX_SCAN_VALUE_CHARS) -> None:
        self.steps = steps
        self.regex_seconds = regex_seconds
        self.value_chars = value_chars


class Budget:
    """One evaluation's budget (and its nesting depth), shared by the evaluations it starts."""

    __slots__ = ("left", "granted", "depth", "scan")

    def __init__(self, scan: ScanBudget | None) -> None:
        self.scan = scan
        self.granted = MAX_STEPS if scan is None else max(0, min(MAX_STEPS, scan.steps))
        self.left = self.granted
        self.depth = 0

    def spent(self) -> None:
        """Raise the right message once ``left`` went below zero."""
        if self.scan is not None and self.granted < MAX_STEPS:
            raise EvaluationLimit(f"the scan's evaluation budget of {MAX_SCAN_STEPS} steps is spent; "
                                  "the rest of the Terraform configuration is not analysed", scan_wide=True)
        raise EvaluationLimit(f"evaluation takes more than {MAX_STEPS} steps (a range, for or string "
                              "bomb?); not analysed")

    def close(self) -> None:
        if self.scan is not None:
            self.scan.steps -= self.granted - max(self.left, 0)


_CURRENT: ContextVar[Budget | None] = ContextVar("iac_assist_terraform_budget", default=None)
_SCAN: ContextVar[ScanBudget | None] = ContextVar("iac_assist_terraform_scan_budget", default=None)


def scan_budget() -> AbstractContextManager[ScanBudget]:
    """Bound every evaluation inside the ``with`` block by one scan-wide budget."""
    return current(_SCAN, ScanBudget())


def running() -> Budget | None:
    """The budget of the evaluation in progress, if any: an evaluation started inside another
    (a reference to a local) spends it, without the cost of entering ``evaluation()`` again."""
    return _CURRENT.get()


def evaluation() -> AbstractContextManager[Budget]:
    """The budget of the evaluation in progress, or a new one when none is."""
    return _Evaluation()


class _Evaluation:
    """``evaluation()``'s context: a class rather than a generator, as it is entered for every
    expression evaluated from outside the evaluator (thousands in a repository)."""

    __slots__ = ("_budget", "_token")

    def __enter__(self) -> Budget:
        running = _CURRENT.get()
        if running is not None:
            self._token = None
            return running
        budget = Budget(_SCAN.get())
        if budget.granted == 0:
            budget.spent()
        self._budget = budget
        self._token = _CURRENT.set(budget)
        return budget

    def __exit__(self, *exc: object) -> None:
        if self._token is not None:
            try:
                _CURRENT.reset(self._token)
            finally:
                self._budget.close()


def charge(steps: int = 1) -> None:
    """Count ``steps`` of work against the evaluation in progress (none: nothing to count)."""
    budget = _CURRENT.get()
    if budget is not None:
        budget.left -= steps
        if budget.left < 0:
            budget.spent()


def string_size(size: int, what: str) -> None:
    """Refuse to build a string of ``size`` characters when that is over the limit."""
    if size > MAX_STRING:
        raise EvaluationLimit(f"{what} would build a string of {size} characters, over the limit of {MAX_STRING}")
    charge(size // 4096)


def measure(value: Any, what: str, limit: int = MAX_STEPS) -> int:
    """Elements in ``value``, shared parts counted each time they occur (as a serializer would
    walk them), charged to the budget; a value larger than ``limit`` is refused."""
    count = 0
    stack = [value]
    while stack:
        item = stack.pop()
        count += 1
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str):
            count += len(item) // 4096
        if count > limit:
            raise EvaluationLimit(f"{what}: value with more than {limit} elements")
    charge(count)
    return count


def value_size(value: Any) -> None:
    """Count a resource instance's attribute ``value`` against the scan's MAX_SCAN_VALUE_CHARS."""
    scan = _SCAN.get()
    if scan is None:
        return
    stack = [value]
    while stack and scan.value_chars >= 0:
        item = stack.pop()
        scan.value_chars -= ELEMENT_CHARS
        if isinstance(item, str):
            scan.value_chars -= len(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    if scan.value_chars < 0:
        raise EvaluationLimit(f"the attribute values of this scan's resources hold more than {MAX_SCAN_VALUE_CHARS} "
                              "characters (a large file or string repeated by count, for_each or references?); "
                              "the rest of the Terraform configuration is not analysed", scan_wide=True)


def regex_seconds() -> float:
    """Time the next regular expression match may take; raise when the scan's share is spent."""
    scan = _SCAN.get()
    if scan is None:
        return MAX_REGEX_SECONDS
    if scan.regex_seconds <= 0:
        raise EvaluationLimit(f"regular expressions took more than {MAX_SCAN_REGEX_SECONDS} s in this scan; "
                              "the rest is not evaluated", scan_wide=True)
    return min(MAX_REGEX_SECONDS, scan.regex_seconds)


def regex_spent(seconds: float) -> None:
    scan = _SCAN.get()
    if scan is not None:
        scan.regex_seconds -= seconds
