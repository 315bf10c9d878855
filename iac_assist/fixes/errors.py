"""Why the CloudFormation editor makes no edit: the engine's ``CannotEdit``, with the parameter
the value comes from when that is the reason."""

from __future__ import annotations

from iac_assist.fixes import editor


class CannotEdit(editor.CannotEdit):
    """No edit is made, and ``reason`` says why (shown to the user beside the finding).

    ``parameter`` names the template parameter the value comes from, when that is the reason: the
    caller may set that parameter's default instead."""

    def __init__(self, reason: str, parameter: str | None = None) -> None:
        if len(reason) > 500:  # it may quote the template; a reason is one line of a report
            reason = reason[:497] + "..."
        super().__init__(reason)
        self.reason = reason
        self.parameter = parameter
