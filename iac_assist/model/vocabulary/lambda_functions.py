"""Lambda: functions, function URLs and the statements of their resource-based policies."""

from __future__ import annotations

from iac_assist.model.convert import to_bool, upper
from iac_assist.model.mapping import Mapping, src
from iac_assist.model.vocabulary import fact, kind

_FUNCTION_REF = fact("function", "Ref | str | Unknown", "the function (name, ARN or partial ARN)")

LAMBDA_FUNCTION = kind(
    "lambda.function", "A Lambda function.",
    fact("name", "str", "function name"),
)
LAMBDA_URL = kind(
    "lambda.function_url", "A function URL: an HTTPS endpoint that invokes a function.",
    _FUNCTION_REF,
    fact("auth_type", "str | Unknown", "NONE | AWS_IAM (upper case; required by both formats)"),
)
_CONDITIONS = {
    "source_arn": ("SourceArn", "the calling resource's ARN"),
    "source_account": ("SourceAccount", "the calling resource's account"),
    "principal_org_id": ("PrincipalOrgID", "the organization the principal belongs to"),
    "event_source_token": ("EventSourceToken", "the token an Alexa skill presents"),
}
LAMBDA_PERMISSION = kind(
    "lambda.permission", "A statement of a function's resource-based policy.",
    _FUNCTION_REF,
    fact("principal", "str | Unknown", '"*", an account id or ARN, a service principal'),
    fact("action", "str | Unknown", "lambda:InvokeFunction, lambda:InvokeFunctionUrl, lambda:*..."),
    fact("url_auth_type", "str | Unknown", """NONE | AWS_IAM: the statement only applies to function URL
         requests of that auth type""", "any request"),
    fact("invoked_via_url", "bool | Unknown", """the statement only applies to invocations through a
         function URL""", "false"),
    *(fact(name, "Ref | str | Unknown", f"condition of the statement: {meaning}",
           "no such condition (empty text is none either)") for name, (_prop, meaning) in _CONDITIONS.items()),
)

TERRAFORM = {
    "aws_lambda_function": Mapping(LAMBDA_FUNCTION, {"name": "function_name"}),
    "aws_lambda_function_url": Mapping(LAMBDA_URL, {
        "function": "function_name",
        "auth_type": src("authorization_type", convert=upper),
    }),
    "aws_lambda_permission": Mapping(LAMBDA_PERMISSION, {
        "function": "function_name",
        "principal": "principal",
        "action": "action",
        "url_auth_type": src("function_url_auth_type", convert=upper),
        "invoked_via_url": src("invoked_via_function_url", convert=to_bool),
        **{name: src(name, empty_is_unset=True) for name in _CONDITIONS},
    }),
}

CLOUDFORMATION = {
    "AWS::Lambda::Function": Mapping(LAMBDA_FUNCTION, {"name": "FunctionName"}),
    "AWS::Lambda::Url": Mapping(LAMBDA_URL, {
        "function": "TargetFunctionArn",
        "auth_type": src("AuthType", convert=upper),
    }),
    "AWS::Lambda::Permission": Mapping(LAMBDA_PERMISSION, {
        "function": "FunctionName",
        "principal": "Principal",
        "action": "Action",
        "url_auth_type": src("FunctionUrlAuthType", convert=upper),
        "invoked_via_url": src("InvokedViaFunctionUrl", convert=to_bool),
        **{name: src(prop, empty_is_unset=True) for name, (prop, _meaning) in _CONDITIONS.items()},
    }),
}

TABLES = {"terraform": TERRAFORM, "cloudformation": CLOUDFORMATION}
