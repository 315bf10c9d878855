"""The JSON report: a stable shape for scripts and dashboards. This docstring is its contract.

Shape (``#`` comments are annotations, not output). Every key is always present (except a finding's
"fix" and "no_fix", present when fixes were made: `scan -f json`), in this order;
the text is ``indent=2`` with a trailing newline::

    {
      "tool": {"name": "iac-assist", "version": "0.1.0"},
      "summary": {
        "files": 4,                 # files analysed as IaC
        "findings": 3,              # not suppressed: what the gate counts
        "by_severity": {"critical": 1, "high": 2, "medium": 0, "low": 0},   # all four; not suppressed
        "suppressed": 1,            # also listed in "findings", with "suppressed" set
        "baselined": 0,             # left out: in --baseline FILE or already present at --new-since REF
        "errors": 1,                # entries in "errors", warnings included
        "not_analysed": {           # entries in "errors" by category: every category of
          "module-not-downloaded": 1,   # iac_assist.model.NOT_ANALYSED, in its order, 0 when none
          "remote-template": 0, ...
        },
        "unmodelled": {             # resource blocks of types no rule models (not checked, beyond
          "resources": 3,           # literal secrets); a block counts once whatever its count/for_each
          "by_provider": {"azurerm": 2, "aws": 1},   # most first, then by name
          "by_type": {"AWS::Glue::Job": 1, "azurerm_linux_virtual_machine": 2}   # sorted by type
        }
      },
      "findings": [                 # sorted by file, line, rule, resource
        {
          "rule_id": "IAC-S3-001",
          "control": "s3-public-read",
          "severity": "critical",   # critical | high | medium | low
          "title": "S3 bucket readable by anyone",
          "resource": "aws_s3_bucket.site",   # Terraform address or CloudFormation logical id
          "file": "main.tf",        # relative to the scan root, "/" separators
          "line": 12,               # 1-based
          "end_line": 14,           # equals "line" when the end is unknown or the same line
          "message": "...",
          "fingerprint": "...",     # 32 hex digits, stable across line shifts
          "related": [{"file": "main.tf", "line": 30, "message": "..."}],
          "instances": ["aws_s3_bucket.b[\"logs\"]"],  # count/for_each instances affected, else []
          "path": [{"file": "network.tf", "line": 80, "message": "..."}],  # hops from the internet, else []
          "suppressed": {"reason": "public website", "file": "main.tf", "line": 11},
                                    # the inline suppression waiving it (comment or CloudFormation
                                    # Metadata: where it is written), else null
          "origins": [              # where the value it cites came from when not from its own line
            {"file": "main.tf", "line": 12, "what": "passes public = true to module.db",
             "message": "publicly_accessible is true because main.tf:12 passes public = true to module.db"},
            {"file": "envs/prod.tfvars", "line": 3, "what": "sets db_public = true",
             "message": "publicly_accessible is true because envs/prod.tfvars:3 sets db_public = true"}
          ]                         # nearest first (a module input, then what gave the caller its value):
                                    # a variables file, a variable's default, a CloudFormation parameter's
                                    # Default; "file" "" and "line" 0 for a value given on the command
                                    # line (--var, --parameters, TF_VAR_...); [] when none. The last key
                                    # of a finding, added later: readers of the older shape ignore it
          "fix": {                  # `scan -f json` (when fixes are made): the edit `iac-assist fix`
            "description": "set deletion_protection = true",   # makes, else null
            "edits": [{"file": "main.tf", "line": 11, "column": 30, "end_line": 11, "end_column": 30,
                       "text": "\\n  deletion_protection = true"}],  # 1-based; columns in code points;
                                    # an insertion has an empty range
            "diff": "--- a/main.tf\\n+++ b/main.tf\\n..."   # the unified diff of this fix alone
          },
          "no_fix": null            # with "fix" null: why no edit is made ("the CIDR to allow is
                                    # only known to you"); both keys absent when fixes were not made
        }
      ],
      "errors": [                   # inputs that could not be analysed, fully or in part
        {"file": "broken.tf", "line": 4, "column": 7, "level": "error", "category": "", "message": "..."}
      ]                             # column 0 = unknown; level "error" fails the scan, "warning" does not
    }                               # (unless --fail-on-unanalysed names its category); "category": the
                                    # kind of gap (a key of "not_analysed"), "" for a plain parse error

No absolute path appears anywhere (the scan root is deliberately left out), and nothing depends
on the machine, or on time except through a suppression's ``until`` date, so two runs over the
same input give byte-identical reports. Text is JSON-escaped (``\\u001b``, ``\\u202e``), and a CI
runner's command sequence in a value (``##vso[``) is written with an escaped character.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from iac_assist import __version__
from iac_assist.analysis.findings import SEVERITIES, Finding
from iac_assist.analysis.result import by_provider
from iac_assist.model import ScanError
from iac_assist.report.safe_text import guard_lines

if TYPE_CHECKING:
    from iac_assist.analysis.result import ScanResult
    from iac_assist.fixes.plan import FixPlan


def render(result: ScanResult) -> str:
    """The JSON report of ``result`` (see the module docstring for its shape)."""
    return guard_lines(json.dumps(to_dict(result), indent=2) + "\n", "json")


def to_dict(result: ScanResult) -> dict[str, Any]:
    """The report as plain data, before serialization."""
    return {
        "tool": {"name": "iac-assist", "version": __version__},
        "summary": _summary(result),
        "findings": [_finding(f, result.fixes) for f in result.findings],
        "errors": [_error(e) for e in result.errors],
    }


def _summary(result: ScanResult) -> dict[str, Any]:
    by_severity = dict.fromkeys(SEVERITIES, 0)
    counted = result.unsuppressed
    for finding in counted:
        by_severity[finding.severity] += 1
    return {
        "files": len(result.files),
        "findings": len(counted),
        "by_severity": by_severity,
        "suppressed": len(result.findings) - len(counted),
        "baselined": result.baselined,
        "errors": len(result.errors),
        "not_analysed": result.not_analysed,
        "unmodelled": unmodelled_summary(result.unmodelled),
    }


def unmodelled_summary(unmodelled: dict[str, int]) -> dict[str, Any]:
    """``{"resources", "by_provider", "by_type"}`` of the resource blocks no rule models."""
    return {"resources": sum(unmodelled.values()), "by_provider": by_provider(unmodelled), "by_type": unmodelled}


def _finding(finding: Finding, plan: FixPlan | None = None) -> dict[str, Any]:
    loc = finding.loc
    out = {
        "rule_id": finding.rule_id,
        "control": finding.control,
        "severity": finding.severity,
        "title": finding.title,
        "resource": finding.resource,
        "file": loc.file,
        "line": loc.line,
        # Location uses 0 for "unknown"; consumers get a usable range instead.
        "end_line": max(loc.end_line, loc.line),
        "message": finding.message,
        "fingerprint": finding.fingerprint,
        "related": [{"file": rel.file, "line": rel.line, "message": msg} for rel, msg in finding.related],
        "instances": list(finding.instances),
        "path": [{"file": loc.file, "line": loc.line, "message": msg} for loc, msg in finding.path],
        "suppressed": None if finding.suppressed is None else {
            "reason": finding.suppressed.reason, "file": finding.suppressed.file, "line": finding.suppressed.line,
        },
        "origins": [{"file": o.file, "line": o.line, "what": o.what, "message": finding.because(o)}
                    for o in finding.origins],
    }
    if plan is not None:
        out.update(_fix(finding, plan))
    return out


def _fix(finding: Finding, plan: FixPlan) -> dict[str, Any]:
    from iac_assist.fixes.plan import position

    fix = plan.fix_of(finding)
    if fix is None:
        # A suppressed finding is not fixed: it was decided on.
        reason = "it is suppressed" if finding.suppressed is not None else plan.reason_of(finding)
        return {"fix": None, "no_fix": reason or ""}
    edits = []
    for edit in fix.edits:
        (line, column), (end_line, end_column) = position(plan.texts[edit.path], edit.start), position(
            plan.texts[edit.path], edit.end)
        edits.append({"file": edit.path, "line": line, "column": column, "end_line": end_line,
                      "end_column": end_column, "text": edit.new})
    return {"fix": {"description": fix.description, "edits": edits, "diff": plan.diff_of(fix)}, "no_fix": None}


def _error(error: ScanError) -> dict[str, Any]:
    return {
        "file": error.file,
        "line": error.line,
        "column": error.column,
        "level": error.level,
        "category": error.category,
        "message": error.message,
    }
