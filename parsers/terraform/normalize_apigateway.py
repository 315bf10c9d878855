"""API Gateway in Terraform: REST APIs with their resources and methods (v1), HTTP and WebSocket
APIs with their routes (v2)."""

from __future__ import annotations

from iac_assist.model import kinds
from iac_assist.model.builder import ModelBuilder
from iac_assist.model.convert import to_bool, upper
from iac_assist.model.resource import SourceResource
from iac_assist.parsers.terraform.normalizer import NORMALIZER


@NORMALIZER.register("aws_api_gateway_rest_api")
def rest_api(res: SourceResource, b: ModelBuilder) -> None:
    comp = b.add(res, kinds.APIGW_REST_API)
    b.copy(comp, "name", res, "name")


@NORMALIZER.register("aws_api_gateway_resource")
def api_resource(res: SourceResource, b: ModelBuilder) -> None:
    comp = b.add(res, kinds.APIGW_RESOURCE)
    b.copy(comp, "api", res, "rest_api_id")
    b.copy(comp, "parent", res, "parent_id")
    b.copy(comp, "path_part", res, "path_part")


@NORMALIZER.register("aws_api_gateway_method")
def method(res: SourceResource, b: ModelBuilder) -> None:
    comp = b.add(res, kinds.APIGW_METHOD)
    b.copy(comp, "api", res, "rest_api_id")
    b.copy(comp, "resource", res, "resource_id")
    b.copy(comp, "http_method", res, "http_method", convert=upper)
    b.copy(comp, "authorization", res, "authorization", convert=upper)
    b.copy(comp, "api_key_required", res, "api_key_required", convert=to_bool)


@NORMALIZER.register("aws_apigatewayv2_api")
def api(res: SourceResource, b: ModelBuilder) -> None:
    comp = b.add(res, kinds.APIGW_API)
    b.copy(comp, "name", res, "name")
    b.copy(comp, "protocol", res, "protocol_type", convert=upper)
    if res.get("target") not in (None, ""):
        b.copy(comp, "quick_create_target", res, "target")
        b.copy(comp, "quick_create_route", res, "route_key")


@NORMALIZER.register("aws_apigatewayv2_route")
def route(res: SourceResource, b: ModelBuilder) -> None:
    comp = b.add(res, kinds.APIGW_ROUTE)
    b.copy(comp, "api", res, "api_id")
    b.copy(comp, "route_key", res, "route_key")
    b.copy(comp, "authorization", res, "authorization_type", convert=upper)
    b.copy(comp, "api_key_required", res, "api_key_required", convert=to_bool)
