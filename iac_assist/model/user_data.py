"""User data as the instance reads it, decoded the same way whatever the format wrote: base64 undone
where the source says it is encoded, or where text that is base64 was written (EC2, CloudFormation
and the Terraform provider all pass such text through as already encoded), then gzip undone
(cloud-init reads gzipped user data). The user data policies and the secret scan read the result."""

from __future__ import annotations

import base64
import binascii
import io
import re
from typing import Any

from iac_assist.model import Unknown, is_known

MAX_USER_DATA = 1 << 20
"""User data is at most 16 KB in AWS; anything decoding past 1 MB is not user data (or a bomb)."""
_BASE64 = re.compile(r"[A-Za-z0-9+/]+={0,2}")


def decode(value: Any, *, encoded: bool = False, pending: str = "user data not known before apply") -> Any:
    """User data as text. ``encoded``: the attribute holds base64 (Terraform's user_data_base64, a
    launch template's user_data), Unknown when it is not; otherwise text that is base64 (and
    decodes to text) is decoded, other text kept as written. ``pending`` says why a value not
    known yet is unknown."""
    if not is_known(value):
        return value if isinstance(value, Unknown) else Unknown(pending)
    if not isinstance(value, str):
        return Unknown("user data is not text")
    if encoded:
        try:
            data = base64.b64decode(value.encode("utf-8"), validate=False)
        except (binascii.Error, ValueError):
            return Unknown("user data is not valid base64")
        data = _gunzip(data)
        return data if isinstance(data, Unknown) else data.decode("utf-8", errors="replace")
    compact = "".join(value.split())
    if not (len(compact) >= 8 and len(compact) % 4 == 0 and _BASE64.fullmatch(compact)):
        return value
    try:
        data = _gunzip(base64.b64decode(compact, validate=True))
    except (binascii.Error, ValueError):
        return value
    if isinstance(data, Unknown):
        return data
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return value  # not encoded text after all: scan it as written


def _gunzip(data: bytes) -> bytes | Unknown:
    import gzip  # here: only compressed user data needs it

    if data[:2] != b"\x1f\x8b":
        return data
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            data = stream.read(MAX_USER_DATA + 1)
    except (OSError, EOFError):
        return Unknown("user data is not valid gzip")
    return Unknown("user data too large") if len(data) > MAX_USER_DATA else data
