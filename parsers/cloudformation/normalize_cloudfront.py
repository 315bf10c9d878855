"""CloudFront distributions and their origins."""

from __future__ import annotations

from typing import Any

from iac_assist.kinds import CLOUDFRONT
from iac_assist.model import Unknown
from iac_assist.normalize import ModelBuilder, Normalizer
from iac_assist.parsers.cloudformation.convert import fact_list
from iac_assist.resource import SourceResource


def register(normalizer: Normalizer) -> None:
    normalizer.register("AWS::CloudFront::Distribution")(distribution)


def distribution(res: SourceResource, builder: ModelBuilder) -> None:
    comp = builder.add(res, CLOUDFRONT)
    fact_list(comp, "origins", res, ("DistributionConfig", "Origins"), _origin)


def _origin(entry: Any) -> dict[str, Any]:
    if not isinstance(entry, dict):
        unknown = Unknown("origin not known before deployment")
        return {"id": unknown, "domain_name": unknown, "s3": unknown, "oac": unknown, "oai": unknown}
    s3 = entry.get("S3OriginConfig")
    return {
        "id": entry.get("Id", Unknown("no Id")),
        "domain_name": entry.get("DomainName", Unknown("no DomainName")),
        "s3": "S3OriginConfig" in entry,
        "oac": _identity(entry.get("OriginAccessControlId")),
        "oai": _identity(s3.get("OriginAccessIdentity") if isinstance(s3, dict) else None),
    }


def _identity(value: Any) -> Any:
    # An empty string is how templates say "no identity" (S3OriginConfig requires the key).
    return None if value == "" else value
