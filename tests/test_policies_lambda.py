"""Lambda policies: each edge-case decision the policy documents gives the same verdict in Terraform
and CloudFormation; the shipped examples are checked against their snapshots by
test_policies_examples.py."""

from __future__ import annotations

from tests.policy_examples import cfn, found, line, tf

URLS_TF = tf('''
    variable "auth" {
      type = string
    }

    resource "aws_lambda_function_url" "open" {
      function_name      = "open-fn"
      authorization_type = "NONE"
    }

    resource "aws_lambda_function_url" "iam" {
      function_name      = "iam-fn"
      authorization_type = "AWS_IAM"
    }

    resource "aws_lambda_function_url" "unknown" {
      function_name      = "unknown-fn"
      authorization_type = var.auth
    }
''')
URLS_CFN = cfn('''
    Open:
      Type: AWS::Lambda::Url
      Properties:
        TargetFunctionArn: arn:aws:lambda:us-east-1:123456789012:function:open-fn
        AuthType: NONE
    Iam:
      Type: AWS::Lambda::Url
      Properties:
        TargetFunctionArn: arn:aws:lambda:us-east-1:123456789012:function:iam-fn
        AuthType: AWS_IAM
    Unknown:
      Type: AWS::Lambda::Url
      Properties:
        TargetFunctionArn: arn:aws:lambda:us-east-1:123456789012:function:unknown-fn
        AuthType: !Ref Auth
''', parameters='''
    Auth:
      Type: String
''')


def test_function_url_auth_types(write_tree):
    """NONE is reported at the auth type, even with no public permission in the configuration;
    AWS_IAM and an unknown auth type are not."""
    assert found(write_tree, "lambda-public-url", URLS_TF, URLS_CFN) == {
        ("aws_lambda_function_url.open", "tf/main.tf", line(URLS_TF, '= "NONE"')),
        ("Open", "cfn/template.yaml", line(URLS_CFN, "AuthType: NONE")),
    }


# One permission per case: (name, Terraform attributes, CloudFormation properties, reported).
PERMISSION_CASES = [
    ("InvokeAnyone", 'action = "lambda:InvokeFunction"', "Action: lambda:InvokeFunction", True),
    ("EveryAction", 'action = "lambda:*"', 'Action: "lambda:*"', True),
    ("ReadCode", 'action = "lambda:GetFunction"', "Action: lambda:GetFunction", True),
    ("UnknownAction", "action = var.action", "Action: !Ref Action", True),
    ("UrlNoneOnly", 'action = "lambda:InvokeFunctionUrl"\n  function_url_auth_type = "NONE"',
     "Action: lambda:InvokeFunctionUrl\n      FunctionUrlAuthType: NONE", True),
    ("UrlIamAnyAccount", 'action = "lambda:InvokeFunctionUrl"\n  function_url_auth_type = "AWS_IAM"',
     "Action: lambda:InvokeFunctionUrl\n      FunctionUrlAuthType: AWS_IAM", True),
    ("ViaUrl", 'action = "lambda:InvokeFunction"\n  invoked_via_function_url = true',
     "Action: lambda:InvokeFunction\n      InvokedViaFunctionUrl: true", True),
    ("SourceArn", 'action = "lambda:InvokeFunction"\n  source_arn = "arn:aws:sns:us-east-1:123456789012:topic"',
     "Action: lambda:InvokeFunction\n      SourceArn: arn:aws:sns:us-east-1:123456789012:topic", False),
    ("SourceAccount", 'action = "lambda:InvokeFunction"\n  source_account = "123456789012"',
     'Action: lambda:InvokeFunction\n      SourceAccount: "123456789012"', False),
    ("OrgId", 'action = "lambda:InvokeFunction"\n  principal_org_id = "o-a1b2c3d4e5"',
     "Action: lambda:InvokeFunction\n      PrincipalOrgID: o-a1b2c3d4e5", False),
    ("EventToken", 'action = "lambda:InvokeFunction"\n  event_source_token = "skill-token"',
     "Action: lambda:InvokeFunction\n      EventSourceToken: skill-token", False),
    ("UnknownSource", 'action = "lambda:InvokeFunction"\n  source_arn = var.source',
     "Action: lambda:InvokeFunction\n      SourceArn: !Ref Source", False),
]


def _permissions_tf() -> str:
    blocks = ['variable "action" {\n  type = string\n}\n', 'variable "source" {\n  type = string\n}\n',
              'variable "principal" {\n  type = string\n}\n']
    for name, attrs, _, _ in PERMISSION_CASES:
        blocks.append(f'resource "aws_lambda_permission" "{name}" {{\n  function_name = "fn"\n  principal = "*"\n'
                      f'  {attrs}\n}}\n')
    blocks.append('resource "aws_lambda_permission" "Account" {\n  function_name = "fn"\n'
                  '  principal = "123456789012"\n  action = "lambda:InvokeFunction"\n}\n')
    blocks.append('resource "aws_lambda_permission" "UnknownPrincipal" {\n  function_name = "fn"\n'
                  '  principal = var.principal\n  action = "lambda:InvokeFunction"\n}\n')
    return "\n".join(blocks)


def _permissions_cfn() -> str:
    body = ""
    for name, _, props, _ in PERMISSION_CASES:
        body += f'{name}:\n  Type: AWS::Lambda::Permission\n  Properties:\n    FunctionName: fn\n' \
                f'    Principal: "*"\n    {props.replace(chr(10) + "      ", chr(10) + "    ")}\n'
    body += 'Account:\n  Type: AWS::Lambda::Permission\n  Properties:\n    FunctionName: fn\n' \
            '    Principal: "123456789012"\n    Action: lambda:InvokeFunction\n'
    body += 'UnknownPrincipal:\n  Type: AWS::Lambda::Permission\n  Properties:\n    FunctionName: fn\n' \
            '    Principal: !Ref Principal\n    Action: lambda:InvokeFunction\n'
    return cfn(body, parameters="Action:\n  Type: String\nSource:\n  Type: String\nPrincipal:\n  Type: String\n")


def test_public_permissions_unless_a_condition_confines_the_caller(write_tree):
    """Principal "*" is reported at the principal whatever the action (an unknown one too), for
    function URL calls of either auth type and calls via the URL; source ARN or account,
    organization and event source token confine it, even with an unknown value; named accounts
    and unknown principals are not reported."""
    terraform, cloudformation = _permissions_tf(), _permissions_cfn()
    tf_lines = {n: i for i, content in enumerate(terraform.splitlines(), 1)
                for n, *_ in PERMISSION_CASES if f'"aws_lambda_permission" "{n}"' in content}
    cfn_lines = {n: i for i, content in enumerate(cloudformation.splitlines(), 1)
                 for n, *_ in PERMISSION_CASES if content == f"  {n}:"}
    expected = set()
    for name, _, _, reported in PERMISSION_CASES:
        if reported:
            expected.add((f"aws_lambda_permission.{name}", "tf/main.tf", tf_lines[name] + 2))
            expected.add((name, "cfn/template.yaml", cfn_lines[name] + 4))
    assert found(write_tree, "lambda-public-url", terraform, cloudformation) == expected


PAIRED_TF = tf('''
    resource "aws_lambda_function" "api" {
      function_name = "api"
      role          = "arn:aws:iam::123456789012:role/api"
      runtime       = "python3.12"
      handler       = "app.handler"
      filename      = "api.zip"
    }

    resource "aws_lambda_function_url" "api" {
      function_name      = aws_lambda_function.api.function_name
      authorization_type = "NONE"
    }

    resource "aws_lambda_permission" "url" {
      action                 = "lambda:InvokeFunctionUrl"
      function_name          = "arn:aws:lambda:us-east-1:123456789012:function:api"
      principal              = "*"
      function_url_auth_type = "NONE"
    }

    resource "aws_lambda_permission" "via_url" {
      action                   = "lambda:InvokeFunction"
      function_name            = aws_lambda_function.api.function_name
      principal                = "*"
      invoked_via_function_url = true
    }

    resource "aws_lambda_permission" "direct" {
      action        = "lambda:InvokeFunction"
      function_name = aws_lambda_function.api.arn
      principal     = "*"
    }

    resource "aws_lambda_permission" "other_function" {
      action                 = "lambda:InvokeFunctionUrl"
      function_name          = "reports"
      principal              = "*"
      function_url_auth_type = "NONE"
    }
''')
PAIRED_CFN = cfn('''
    Api:
      Type: AWS::Lambda::Function
      Properties:
        FunctionName: api
        Role: arn:aws:iam::123456789012:role/api
        Runtime: python3.12
        Handler: index.handler
        Code:
          ZipFile: "def handler(event, context): return 1"
    ApiUrl:
      Type: AWS::Lambda::Url
      Properties:
        TargetFunctionArn: !GetAtt Api.Arn
        AuthType: NONE
    UrlPermission:
      Type: AWS::Lambda::Permission
      Properties:
        FunctionName: arn:aws:lambda:us-east-1:123456789012:function:api
        Action: lambda:InvokeFunctionUrl
        Principal: "*"
        FunctionUrlAuthType: NONE
    ViaUrlPermission:
      Type: AWS::Lambda::Permission
      Properties:
        FunctionName: !Ref Api
        Action: lambda:InvokeFunction
        Principal: "*"
        InvokedViaFunctionUrl: true
    DirectPermission:
      Type: AWS::Lambda::Permission
      Properties:
        FunctionName: !GetAtt Api.Arn
        Action: lambda:InvokeFunction
        Principal: "*"
    OtherFunctionPermission:
      Type: AWS::Lambda::Permission
      Properties:
        FunctionName: reports
        Action: lambda:InvokeFunctionUrl
        Principal: "*"
        FunctionUrlAuthType: NONE
''')


def test_permissions_that_only_open_a_reported_url_are_named_on_it(write_tree):
    """The URL is reported once, with the permissions that open it (by reference, name or ARN)
    as related locations; a direct invoke permission is its own finding, and so is a URL
    permission for a function whose URL is not in the configuration."""
    from iac_assist.analysis.engine import scan

    assert found(write_tree, "lambda-public-url", PAIRED_TF, PAIRED_CFN) == {
        ("aws_lambda_function_url.api", "tf/main.tf", line(PAIRED_TF, 'authorization_type = "NONE"')),
        ("aws_lambda_permission.direct", "tf/main.tf",
         line(PAIRED_TF, "function_name = aws_lambda_function.api.arn") + 1),
        ("aws_lambda_permission.other_function", "tf/main.tf", line(PAIRED_TF, '"reports"') + 1),
        ("ApiUrl", "cfn/template.yaml", line(PAIRED_CFN, " AuthType: NONE")),
        ("DirectPermission", "cfn/template.yaml", line(PAIRED_CFN, "FunctionName: !GetAtt Api.Arn") + 2),
        ("OtherFunctionPermission", "cfn/template.yaml", line(PAIRED_CFN, "FunctionName: reports") + 2),
    }
    root = write_tree({"tf/main.tf": PAIRED_TF, "cfn/template.yaml": PAIRED_CFN})
    related = {f.resource: {(loc.file, loc.line) for loc, _ in f.related}
               for f in scan([root]).findings if f.control == "lambda-public-url"}
    principal = [n for n, content in enumerate(PAIRED_TF.splitlines(), 1) if 'principal' in content]
    assert related["aws_lambda_function_url.api"] == {("tf/main.tf", principal[0]), ("tf/main.tf", principal[1])}
    cfn_principal = [n for n, content in enumerate(PAIRED_CFN.splitlines(), 1) if "Principal:" in content]
    assert related["ApiUrl"] == {("cfn/template.yaml", cfn_principal[0]), ("cfn/template.yaml", cfn_principal[1])}
