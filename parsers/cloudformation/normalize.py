"""The CloudFormation normalizer: one handler per modelled resource type, grouped by service.

Phase 0 handlers create components; phase 1 handlers fold satellites (bucket policies, routes,
standalone security group rules...) onto their owners. Types without a handler become ``other``
components (done by ``Normalizer.run``).
"""

from __future__ import annotations

from iac_assist.model.builder import Normalizer
from iac_assist.parsers.cloudformation import (
    normalize_cloudfront,
    normalize_dynamodb,
    normalize_ec2,
    normalize_eks,
    normalize_iam,
    normalize_lb,
    normalize_messaging,
    normalize_network,
    normalize_rds,
    normalize_s3,
    normalize_search,
)

NORMALIZER = Normalizer("cloudformation")

for _service in (
    normalize_s3, normalize_lb, normalize_rds, normalize_network, normalize_ec2, normalize_iam, normalize_cloudfront,
    normalize_search, normalize_dynamodb, normalize_eks, normalize_messaging,
):
    _service.register(NORMALIZER)
