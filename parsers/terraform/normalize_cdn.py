"""CloudFront in Terraform."""

from __future__ import annotations

from iac_assist import kinds
from iac_assist.model import Fact
from iac_assist.normalize import ModelBuilder
from iac_assist.parsers.terraform.normalizer import NORMALIZER
from iac_assist.resource import SourceResource


@NORMALIZER.register("aws_cloudfront_distribution")
def distribution(res: SourceResource, b: ModelBuilder) -> None:
    comp = b.add(res, kinds.CLOUDFRONT)
    origins = []
    for i, origin in res.blocks("origin"):
        s3_config = origin.get("s3_origin_config")
        s3 = isinstance(s3_config, list) and bool(s3_config)
        oai = s3_config[0].get("origin_access_identity") if s3 else None
        origins.append(Fact({
            "id": origin.get("origin_id"),
            "domain_name": origin.get("domain_name"),
            "s3": s3 or origin.get("custom_origin_config") is None,
            "oac": origin.get("origin_access_control_id"),
            "oai": oai,
        }, res.at("origin", i)))
    comp.set("origins", origins, res.at("origin"))
