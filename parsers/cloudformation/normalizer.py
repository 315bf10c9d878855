"""The CloudFormation normalizer: the mapping tables of ``iac_assist/model/vocabulary/`` and, in
normalize_*.py by service, what they cannot say: extensions of a table's component, handlers of
their own, and (phase 1) satellites folded onto their owners (bucket policies, routes, standalone
security group rules...). Types with neither become ``other`` components (``Normalizer.run``).
"""

from __future__ import annotations

from iac_assist.model.builder import Normalizer
from iac_assist.parsers.cloudformation import (
    normalize_apigateway,
    normalize_cloudfront,
    normalize_dynamodb,
    normalize_ec2,
    normalize_ecs,
    normalize_eks,
    normalize_iam,
    normalize_images,
    normalize_lb,
    normalize_messaging,
    normalize_network,
    normalize_policies,
    normalize_rds,
    normalize_s3,
    normalize_search,
    normalize_secretsmanager,
)

NORMALIZER = Normalizer("cloudformation")

for _service in (
    normalize_s3, normalize_lb, normalize_rds, normalize_network, normalize_ec2, normalize_iam, normalize_cloudfront,
    normalize_search, normalize_dynamodb, normalize_eks, normalize_messaging, normalize_apigateway, normalize_images,
    normalize_ecs, normalize_policies, normalize_secretsmanager,
):
    _service.register(NORMALIZER)
