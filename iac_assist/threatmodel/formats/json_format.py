"""The threat model as JSON: the contract documented in ``iac_assist.threatmodel.model``."""

from __future__ import annotations

import json

from iac_assist.report.safe_text import json_text
from iac_assist.threatmodel.model import ThreatModel


def render(model: ThreatModel) -> str:
    # Readable non-ASCII stays; controls and bidi characters are written as \u escapes.
    return json_text(json.dumps(model.to_json(), indent=2, ensure_ascii=False) + "\n")
