"""API Gateway: REST APIs with their resources and methods (v1), HTTP and WebSocket APIs with
their routes (v2)."""

from __future__ import annotations

from iac_assist.model.builder import ModelBuilder, Normalizer
from iac_assist.model.convert import to_bool, upper
from iac_assist.model.kinds import APIGW_API, APIGW_METHOD, APIGW_RESOURCE, APIGW_REST_API, APIGW_ROUTE
from iac_assist.model.resource import SourceResource


def register(normalizer: Normalizer) -> None:
    normalizer.register("AWS::ApiGateway::RestApi")(rest_api)
    normalizer.register("AWS::ApiGateway::Resource")(api_resource)
    normalizer.register("AWS::ApiGateway::Method")(method)
    normalizer.register("AWS::ApiGatewayV2::Api")(api)
    normalizer.register("AWS::ApiGatewayV2::Route")(route)


def rest_api(res: SourceResource, builder: ModelBuilder) -> None:
    comp = builder.add(res, APIGW_REST_API)
    builder.copy(comp, "name", res, "Name")


def api_resource(res: SourceResource, builder: ModelBuilder) -> None:
    comp = builder.add(res, APIGW_RESOURCE)
    builder.copy(comp, "api", res, "RestApiId")
    builder.copy(comp, "parent", res, "ParentId")
    builder.copy(comp, "path_part", res, "PathPart")


def method(res: SourceResource, builder: ModelBuilder) -> None:
    comp = builder.add(res, APIGW_METHOD)
    builder.copy(comp, "api", res, "RestApiId")
    builder.copy(comp, "resource", res, "ResourceId")
    builder.copy(comp, "http_method", res, "HttpMethod", convert=upper)
    builder.copy(comp, "authorization", res, "AuthorizationType", convert=upper)
    builder.copy(comp, "api_key_required", res, "ApiKeyRequired", convert=to_bool)


def api(res: SourceResource, builder: ModelBuilder) -> None:
    comp = builder.add(res, APIGW_API)
    builder.copy(comp, "name", res, "Name")
    builder.copy(comp, "protocol", res, "ProtocolType", convert=upper)
    if res.get("Target") not in (None, ""):
        builder.copy(comp, "quick_create_target", res, "Target")
        builder.copy(comp, "quick_create_route", res, "RouteKey")


def route(res: SourceResource, builder: ModelBuilder) -> None:
    comp = builder.add(res, APIGW_ROUTE)
    builder.copy(comp, "api", res, "ApiId")
    builder.copy(comp, "route_key", res, "RouteKey")
    builder.copy(comp, "authorization", res, "AuthorizationType", convert=upper)
    builder.copy(comp, "api_key_required", res, "ApiKeyRequired", convert=to_bool)
