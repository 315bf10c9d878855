"""What a user can tell the CloudFormation front end about a deployment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from iac_assist.model import Origin


@dataclass(frozen=True)
class TemplateOptions:
    parameters: Mapping[str, str] = field(default_factory=dict)
    """Parameter values of the deployment (``--parameters``), as strings like the AWS CLI's."""
    assume_worst: bool = False
    """Report what is insecure in any possible deployment, not only in every one."""
    local_nested_templates: bool = True
    """Follow a nested stack whose TemplateURL is remote (S3, HTTPS) to the one template of the
    scan with the same file name (the layout of ``aws cloudformation package`` before upload)."""
    templates: tuple[str, ...] = ()
    """Set by the scan: every template found (paths relative to the scan root), among which a
    remote TemplateURL's file name is looked up."""
    given_origins: Mapping[str, tuple[Origin, ...]] = field(default_factory=dict)
    """Where each of ``parameters`` was written when a template gave it (a nested stack's
    ``Parameters`` in its parent, and the origins of that value in turn); a parameter without
    one was given on the command line."""


def read_parameters(items: list[str]) -> dict[str, str]:
    """Parameter values from ``--parameters`` arguments, in order (later ones win).

    Each is ``Key=Value``, or a file: the AWS CLI's JSON list
    (``[{"ParameterKey": "Env", "ParameterValue": "prod"}]``), a CodePipeline template
    configuration (``{"Parameters": {"Env": "prod"}}``), a plain JSON object, or ``Key=Value``
    lines. Raises ValueError naming the file and what is wrong."""
    import json
    from pathlib import Path

    out: dict[str, str] = {}
    for item in items:
        path = Path(item)
        if not path.is_file():
            key, sep, value = item.partition("=")
            if not sep or not key.strip():
                raise ValueError(f"{item!r} is neither a file nor Key=Value")
            out[key.strip()] = value
            continue
        text = _read(path, item)
        if not text.lstrip().startswith(("[", "{")):
            for number, line in enumerate(text.splitlines(), start=1):
                if line.strip() and not line.lstrip().startswith("#"):
                    key, sep, value = line.partition("=")
                    if not sep or not key.strip():
                        raise ValueError(f"{item}:{number}: expected Key=Value")
                    out[key.strip()] = value.strip()
            continue
        try:
            data = json.loads(text)
        except ValueError as err:
            raise ValueError(f"{item}: not valid JSON ({err})") from None
        except RecursionError:
            raise ValueError(f"{item}: JSON nested too deeply to be read") from None
        if isinstance(data, dict):
            data = data.get("Parameters", data)
            pairs = list(data.items()) if isinstance(data, dict) else None
        elif isinstance(data, list) and all(isinstance(e, dict) and "ParameterKey" in e for e in data):
            pairs = [(e["ParameterKey"], e.get("ParameterValue", "")) for e in data if not e.get("UsePreviousValue")]
        else:
            pairs = None
        if pairs is None:
            raise ValueError(f"{item}: expected [{{\"ParameterKey\": ..., \"ParameterValue\": ...}}] or an object")
        for key, value in pairs:
            if isinstance(key, (list, dict)) or isinstance(value, dict) or (
                    isinstance(value, list) and any(isinstance(v, (list, dict)) for v in value)):
                # Checked before anything is turned into text: a deep structure would overflow the stack.
                raise ValueError(f"{item}: parameter values are strings, numbers, booleans or lists of them")
            out[str(key)] = _text(value)
    return out


MAX_BYTES = 20 * 1024 * 1024
"""Largest parameters file read (like ``iac_assist.inputs.discovery.MAX_FILE_BYTES``)."""


def _read(path: object, item: str) -> str:
    with open(path, "rb") as handle:  # type: ignore[call-overload]
        data = handle.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ValueError(f"{item}: over the limit of {MAX_BYTES} bytes for a parameters file")
    return data.decode("utf-8-sig")


def _text(value: object) -> str:
    """A parameter value as the AWS CLI passes it: a list joined by commas (one level only)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(_text(v) for v in value)
    return str(value)
