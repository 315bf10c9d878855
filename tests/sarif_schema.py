"""Validate SARIF documents against the official OASIS SARIF 2.1.0 schema (tests/schemas/)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator

SCHEMA_PATH = Path(__file__).parent / "schemas" / "sarif-schema-2.1.0.json"


@cache
def _validator() -> Draft4Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft4Validator.check_schema(schema)
    # Formats are checked as far as the installed jsonschema extras allow ("uri" and
    # "uri-reference" need rfc3986-validator); without them they are skipped, not failed.
    return Draft4Validator(schema, format_checker=Draft4Validator.FORMAT_CHECKER)


def validate_sarif(doc: dict[str, Any]) -> None:
    """Raise AssertionError listing every schema violation in ``doc`` (a parsed SARIF log)."""
    errors = sorted(_validator().iter_errors(doc), key=lambda e: (e.json_path, e.message))
    if errors:
        lines = [f"{e.json_path}: {e.message}" for e in errors]
        raise AssertionError(f"{len(errors)} SARIF schema violation(s):\n" + "\n".join(lines))
