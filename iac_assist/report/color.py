"""Whether the text report is coloured: ``--color auto|always|never``, ``NO_COLOR`` and
``FORCE_COLOR`` (https://no-color.org, https://force-color.org).

``always`` and ``never`` are the user's word and win over the environment. ``auto`` colours
only a terminal, unless ``NO_COLOR`` is set to something (no colour) or ``FORCE_COLOR`` is (colour
even into a pipe or a CI log that renders it); ``NO_COLOR`` wins when both are set, since a
missing colour never hides anything. Colour codes are ours only: the text report styles the
severity, the rule id and its own headings, never text from the scanned files (see ``text.py``).
"""

from __future__ import annotations

from collections.abc import Mapping

CHOICES = ("auto", "always", "never")


def wanted(choice: str, is_terminal: bool, environ: Mapping[str, str]) -> bool:
    """Whether to colour output whose destination ``is_terminal`` (or not), for ``--color choice``."""
    if choice not in CHOICES:
        raise ValueError(f"unknown colour choice {choice!r}; expected one of {', '.join(CHOICES)}")
    if choice != "auto":
        return choice == "always"
    if environ.get("NO_COLOR"):
        return False
    if environ.get("FORCE_COLOR"):
        return True
    return is_terminal
