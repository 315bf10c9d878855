"""SAM templates (Transform: AWS::Serverless-2016-10-31): expanded with AWS's translator, located
at the SAM resources they come from, never fetching anything."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from iac_assist.analysis.engine import scan
from iac_assist.model import Location, Ref, Unknown
from iac_assist.model.resource import SourceResource
from iac_assist.parsers.cloudformation import load_template
from iac_assist.parsers.cloudformation.options import TemplateOptions
from tests.conftest import FIXTURES

APP = FIXTURES / "sam"


@pytest.fixture(scope="module", autouse=True)
def translator():
    """The translator takes a second or two to import: once for the module, before any test."""
    return pytest.importorskip("samtranslator.translator.translator")


def write(tmp_path: Path, text: str, name: str = "template.yaml") -> tuple[Path, str]:
    text = textwrap.dedent(text).lstrip("\n")
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path, text


def load(path: Path, root: Path, **options) -> tuple[dict[str, SourceResource], list]:
    resources, errors = load_template(path, root, TemplateOptions(**options))
    return {r.address: r for r in resources}, errors


def line_of(text: str, snippet: str, nth: int = 1) -> int:
    hits = [n for n, line in enumerate(text.splitlines(), 1) if snippet in line]
    return hits[nth - 1]


def findings(root: Path, control: str, **options) -> set[tuple[str, str, int]]:
    result = scan([root], template_options=TemplateOptions(**options))
    assert not result.has_errors, [str(e) for e in result.errors]
    return {(f.loc.file, f.resource, f.loc.line) for f in result.findings if f.control == control}


# -- the fixture app in YAML and JSON ---------------------------------------------------------


def test_function_role_with_admin_inline_policy_is_found_at_the_function() -> None:
    text = (APP / "app.yaml").read_text()
    statement = line_of(text, "- Effect: Allow")
    assert findings(APP / "app.yaml", "iam-wildcard-admin") == {("app.yaml", "WorkerRole", statement)}
    worker = load(APP / "app.yaml", APP)[0]["WorkerRole"].loc
    assert worker.line == line_of(text, "  Worker:") < statement <= worker.end_line


def test_serverless_resources_expand_to_what_they_deploy() -> None:
    resources, errors = load(APP / "app.yaml", APP)
    assert errors == []
    kinds = {address: r.type for address, r in resources.items()}
    assert {k: v for k, v in kinds.items() if "Deployment" not in k} == {
        "Uploads": "AWS::S3::Bucket",
        "Worker": "AWS::Lambda::Function",
        "WorkerRole": "AWS::IAM::Role",
        "WorkerListPermissionProd": "AWS::Lambda::Permission",
        "WorkerUploadedPermission": "AWS::Lambda::Permission",
        "ServerlessRestApi": "AWS::ApiGateway::RestApi",
        "ServerlessRestApiProdStage": "AWS::ApiGateway::Stage",
        "Orders": "AWS::DynamoDB::Table",
        "Backoffice": "AWS::ApiGateway::RestApi",
        "BackofficeStage": "AWS::ApiGateway::Stage",
    }
    deployments = sorted(k for k in kinds if "Deployment" in k)
    # Named after a hash of the API's definition.
    unhashed = [re.sub("[0-9a-f]{10}$", "", d) for d in deployments]
    assert unhashed == ["BackofficeDeployment", "ServerlessRestApiDeployment"]
    assert {kinds[d] for d in deployments} == {"AWS::ApiGateway::Deployment"}
    assert not any(t.startswith("AWS::Serverless::") for t in kinds.values())
    # What the translator wrote, resolved like any template: references become graph edges.
    worker, role = resources["Worker"], resources["WorkerRole"]
    assert worker.body["Role"] == Ref("WorkerRole", "Arn")
    assert worker.body["Environment"] == {"Variables": {"TABLE": Ref("Orders", "Ref")}}
    assert worker.body["Timeout"] == 10  # from Globals
    assert resources["Orders"].body["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
    assert role.body["ManagedPolicyArns"] == [
        "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
        "arn:aws:iam::aws:policy/AWSLambdaExecute",
    ]
    assert role.body["Policies"][0]["PolicyDocument"] == {
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def test_generated_resources_are_located_at_their_sam_resource() -> None:
    text = (APP / "app.yaml").read_text()
    resources, _ = load(APP / "app.yaml", APP)
    worker = Location("app.yaml", line_of(text, "  Worker:"), end_line=line_of(text, "Events: s3:ObjectCreated"))
    orders = Location("app.yaml", line_of(text, "  Orders:"), end_line=line_of(text, "Type: String", 2))
    backoffice = Location("app.yaml", line_of(text, "  Backoffice:"), end_line=line_of(text, "StageName: !Ref Stage"))
    for address, res in resources.items():
        if address.startswith(("Worker", "ServerlessRestApi")):  # the implicit API: its first user
            assert res.loc == worker, address
        elif address.startswith("Backoffice"):
            assert res.loc == backoffice, address
    assert resources["Orders"].loc == orders
    role, function = resources["WorkerRole"], resources["Worker"]
    # Values written in the SAM resource (or its Globals) keep their lines; the rest falls back.
    assert role.at("Policies", 0, "PolicyDocument", "Statement", 0).line == line_of(text, "- Effect: Allow")
    assert role.at("AssumeRolePolicyDocument") == worker
    assert role.at("Policies", 0, "PolicyName") == worker
    assert function.at("Handler").line == line_of(text, "Handler: app.handler")
    assert function.at("Environment", "Variables", "TABLE").line == line_of(text, "TABLE: !Ref Orders")
    assert function.at("Timeout").line == line_of(text, "Timeout: 10")
    assert function.at("Code") == worker


def test_plain_resources_in_a_sam_template_keep_their_lines() -> None:
    text = (APP / "app.yaml").read_text()
    uploads = load(APP / "app.yaml", APP)[0]["Uploads"]
    assert uploads.loc == Location("app.yaml", line_of(text, "  Uploads:"), end_line=line_of(text, "uploads-${Stage}"))
    assert uploads.at("BucketName").line == line_of(text, "BucketName:")
    assert uploads.body["BucketName"] == "uploads-dev"
    # The S3 event adds the notification to the bucket: located at the bucket.
    notification = uploads.body["NotificationConfiguration"]["LambdaConfigurations"][0]
    assert notification == {"Event": "s3:ObjectCreated:*", "Function": Ref("Worker", "Arn")}
    assert uploads.at("NotificationConfiguration") == uploads.loc


def test_json_and_yaml_give_the_same_result() -> None:
    from cfnlint.decode import decode_str

    from iac_assist.parsers.cloudformation.intrinsics import to_plain

    yaml_text, json_text = (APP / "app.yaml").read_text(), (APP / "app.json").read_text()
    assert to_plain(decode_str(yaml_text)[0]) == json.loads(json_text)  # the same template
    from_yaml, errors_yaml = load(APP / "app.yaml", APP)
    from_json, errors_json = load(APP / "app.json", APP)
    assert errors_yaml == errors_json == []
    assert {a: (r.type, r.body) for a, r in from_yaml.items()} == {a: (r.type, r.body) for a, r in from_json.items()}
    assert list(from_yaml) == list(from_json)
    result = scan([APP])
    assert not result.has_errors
    by_file = {name: {(f.control, f.resource) for f in result.findings if f.loc.file == name}
               for name in ("app.yaml", "app.json")}
    assert by_file["app.yaml"] == by_file["app.json"]
    assert ("iam-wildcard-admin", "WorkerRole") in by_file["app.json"]
    # JSON lines: the SAM resource's key to its closing brace.
    role = from_json["WorkerRole"]
    assert role.loc.line == line_of(json_text, '"Worker": {')
    assert role.loc.end_line == line_of(json_text, '"Orders": {') - 1
    assert json_text.splitlines()[role.loc.end_line - 1].strip() == "},"
    # A JSON object starts at its brace, the line before its first member.
    assert role.at("Policies", 0, "PolicyDocument", "Statement", 0).line == line_of(json_text, '"Effect": "Allow"') - 1


# -- deployment values, pseudo parameters ---------------------------------------------------


GATED = """
Transform: [AWS::LanguageExtensions, AWS::Serverless-2016-10-31]
Parameters:
  Env:
    Type: String
  Actions:
    Type: String
    Default: s3:GetObject
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Condition: IsProd
    Properties:
      Handler: app.handler
      Runtime: python3.12
      InlineCode: "def handler(event, context): pass"
      Environment:
        Variables:
          REGION: !Ref AWS::Region
          TOPIC: !Sub "arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:events"
      Policies:
        - Statement:
            - Effect: Allow
              Action: !Ref Actions
              Resource: "*"
"""


def test_parameters_and_conditions_apply_to_the_expanded_template(tmp_path: Path) -> None:
    _, text = write(tmp_path, GATED)
    statement = ("template.yaml", "FnRole", line_of(text, "- Effect: Allow"))
    assert findings(tmp_path, "iam-wildcard-admin") == set()
    assert findings(tmp_path, "iam-wildcard-admin", parameters={"Actions": "*", "Env": "prod"}) == {statement}
    # The role comes with the function's condition: never created outside prod.
    assert findings(tmp_path, "iam-wildcard-admin", parameters={"Actions": "*", "Env": "dev"}) == set()
    # Env unknown: judged in the deployments that create the role (prod), where it holds.
    assert findings(tmp_path, "iam-wildcard-admin", parameters={"Actions": "*"}) == {statement}
    assert findings(tmp_path, "iam-wildcard-admin", parameters={"Actions": "*"}, assume_worst=True) == {statement}
    result = scan([tmp_path], template_options=TemplateOptions(parameters={"Actions": "*"}))
    admin = [f for f in result.findings if f.control == "iam-wildcard-admin"]
    assert [f.message.endswith("(when condition IsProd holds)") for f in admin] == [True]


def test_pseudo_parameters_stay_unresolved(tmp_path: Path) -> None:
    path, _ = write(tmp_path, GATED)
    resources, errors = load(path, tmp_path, parameters={"Env": "prod"})
    assert errors == []
    variables = resources["Fn"].body["Environment"]["Variables"]
    assert isinstance(variables["REGION"], Unknown) and isinstance(variables["TOPIC"], Unknown)
    everything = repr([r.body for r in resources.values()])
    assert "us-east-1" not in everything and "IntrinsicFunction" not in everything


def test_pseudo_parameters_a_translator_substituted_are_turned_back() -> None:
    from iac_assist.parsers.cloudformation.sam import _PSEUDO, _restore_pseudo

    region, partition = _PSEUDO["AWS::Region"], _PSEUDO["AWS::Partition"]
    assert _restore_pseudo({"A": [region], "B": {"Fn::Sub": f"arn:{partition}:s3:::${{Bucket}}"},
                            "C": f"{region}-x ${{literal}}"}) == {
        "A": [{"Ref": "AWS::Region"}],
        "B": {"Fn::Sub": "arn:${AWS::Partition}:s3:::${Bucket}"},
        "C": {"Fn::Sub": "${AWS::Region}-x ${!literal}"},
    }


# -- where resources come from --------------------------------------------------------------


def test_the_implicit_api_is_located_at_its_first_user(tmp_path: Path) -> None:
    path, text = write(tmp_path, """
        Transform: AWS::Serverless-2016-10-31
        Globals:
          Function:
            Runtime: python3.12
            CodeUri: s3://artifacts/code.zip
            Handler: index.handler
        Resources:
          Quiet:
            Type: AWS::Serverless::Function
          First:
            Type: AWS::Serverless::Function
            Properties:
              Events:
                Call:
                  Type: HttpApi
                  Properties: {Path: /first, Method: get}
          Second:
            Type: AWS::Serverless::Function
            Properties:
              Events:
                Call:
                  Type: HttpApi
                  Properties: {Path: /second, Method: get}
        """)
    resources, errors = load(path, tmp_path)
    assert errors == []
    assert resources["ServerlessHttpApi"].type == "AWS::ApiGatewayV2::Api"
    assert resources["ServerlessHttpApi"].loc.line == line_of(text, "  First:")
    assert resources["SecondCallPermission"].loc.line == line_of(text, "  Second:")
    assert resources["QuietRole"].loc.line == line_of(text, "  Quiet:")
    assert resources["Quiet"].at("Runtime").line == line_of(text, "Runtime: python3.12")


# -- failures -------------------------------------------------------------------------------


INVALID_EVENT = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Site:
    Type: AWS::S3::Bucket
    Properties:
      AccessControl: PublicRead
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      CodeUri: s3://artifacts/fn.zip
      Events:
        Get:
          Type: Api
          Properties:
            Path: /
"""


def test_translator_failure_is_an_error_at_the_resource_and_the_rest_is_analysed(tmp_path: Path) -> None:
    path, text = write(tmp_path, INVALID_EVENT)
    resources, errors = load(path, tmp_path)
    assert [(e.file, e.line, e.level) for e in errors] == [("template.yaml", line_of(text, "Get:"), "error")]
    assert errors[0].message.startswith("SAM transform failed: Resource with id [Fn] is invalid.")
    assert "Method" in errors[0].message
    assert list(resources) == ["Site"]
    result = scan([tmp_path])
    assert result.has_errors
    assert {(f.control, f.resource) for f in result.findings} >= {("s3-public-read", "Site")}


def test_invalid_globals_are_an_error_at_globals(tmp_path: Path) -> None:
    path, text = write(tmp_path, """
        Transform: AWS::Serverless-2016-10-31
        Globals:
          Function:
            NotAProperty: 1
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Handler: app.handler
              Runtime: python3.12
              InlineCode: x
        """)
    resources, errors = load(path, tmp_path)
    assert resources == {}
    assert [(e.line, e.level) for e in errors] == [(line_of(text, "Globals:"), "error")]
    assert "'Globals' section is invalid" in errors[0].message


def test_without_the_translator_a_warning_names_the_transform_line(tmp_path: Path, monkeypatch) -> None:
    for name in [m for m in sys.modules if m == "samtranslator" or m.startswith("samtranslator.")]:
        monkeypatch.setitem(sys.modules, name, None)  # as if the sam extra were not installed
    path, text = write(tmp_path, INVALID_EVENT)  # its invalid event is not seen: nothing is translated
    resources, errors = load(path, tmp_path)
    assert [(e.file, e.line, e.level) for e in errors] == [("template.yaml", line_of(text, "Transform:"), "warning")]
    assert errors[0].message.startswith("SAM transform not expanded: install iac-assist[sam]")
    assert list(resources) == ["Site"]


def test_samtranslator_is_imported_only_for_sam_templates(tmp_path: Path) -> None:
    plain = tmp_path / "plain.yaml"
    plain.write_text("Resources:\n  B:\n    Type: AWS::S3::Bucket\n")
    # Declaring the transform without serverless resources: nothing to expand.
    declared = tmp_path / "declared.yaml"
    declared.write_text("Transform: AWS::Serverless-2016-10-31\nResources:\n  B:\n    Type: AWS::S3::Bucket\n")
    code = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from iac_assist.parsers.cloudformation import load_template
        for name in ("plain.yaml", "declared.yaml"):
            resources, errors = load_template(Path({str(tmp_path)!r}) / name, Path({str(tmp_path)!r}))
            assert [r.address for r in resources] == ["B"] and errors == [], (resources, errors)
        print("samtranslator" in sys.modules)
        """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# -- nothing is fetched -----------------------------------------------------------------------


def test_no_network_no_aws_session(tmp_path: Path, monkeypatch) -> None:
    import boto3.session
    import botocore.endpoint

    def refuse(*_args, **_kwargs):
        raise AssertionError("the SAM expansion tried to reach the network or AWS")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(boto3.session.Session, "__init__", refuse)
    monkeypatch.setattr(botocore.endpoint.Endpoint, "make_request", refuse)
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "missing-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "missing-credentials"))
    path, text = write(tmp_path, """
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Shared:
            Type: AWS::Serverless::Application
            Properties:
              Location:
                ApplicationId: arn:aws:serverlessrepo:us-east-1:123456789012:applications/shared
                SemanticVersion: 1.0.0
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Handler: app.handler
              Runtime: python3.12
              CodeUri: src/
              Policies:
                - AWSLambdaExecute
                - TeamBoundaryPolicy
                - arn:aws:iam::123456789012:policy/custom
              Events:
                Get:
                  Type: Api
                  Properties:
                    Path: /
                    Method: get
        """)
    resources, errors = load(path, tmp_path)
    assert [(e.line, e.level) for e in errors] == [(line_of(text, "  Shared:"), "warning")]
    assert "Serverless Application Repository" in errors[0].message and "not analysed" in errors[0].message
    assert "Shared" not in resources
    assert resources["FnRole"].body["ManagedPolicyArns"] == [
        "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
        "arn:aws:iam::aws:policy/AWSLambdaExecute",  # from the translator's bundled list
        "arn:aws:iam::aws:policy/TeamBoundaryPolicy",  # named, not looked up
        "arn:aws:iam::123456789012:policy/custom",
    ]
    assert resources["ServerlessRestApi"].type == "AWS::ApiGateway::RestApi"


def test_the_bundled_policy_templates_are_validated_once_per_process(tmp_path: Path, monkeypatch) -> None:
    # Each translation would validate them against their schema again (some 25 ms a template).
    from samtranslator.policy_template_processor.processor import PolicyTemplatesProcessor

    checks: list[int] = []
    real = PolicyTemplatesProcessor._is_valid_templates_dict

    def counted(*args: object) -> bool:
        checks.append(1)
        return real(*args)

    monkeypatch.setattr(PolicyTemplatesProcessor, "_is_valid_templates_dict", staticmethod(counted))
    for name in ("a", "b", "c"):
        template = tmp_path / f"{name}.yaml"
        template.write_text(textwrap.dedent("""\
            Transform: AWS::Serverless-2016-10-31
            Resources:
              Fn:
                Type: AWS::Serverless::Function
                Properties:
                  Runtime: python3.12
                  Handler: app.handler
                  InlineCode: "def handler(e, c): pass"
                  Policies:
                    - S3ReadPolicy:
                        BucketName: data
            """))
        resources, errors = load_template(template, tmp_path)
        assert errors == [] and "FnRole" in [r.address for r in resources]
    assert len(checks) <= 1


def test_the_translator_does_not_load_jsonschemas_iri_grammars() -> None:
    # rfc3987_syntax (jsonschema's optional check of the iri format) builds some forty Lark
    # grammars on import, a second or more; the translator never checks that format.
    code = textwrap.dedent("""
        import sys
        from iac_assist.parsers.cloudformation import sam
        sam._translator()
        print("samtranslator" in sys.modules, "rfc3987_syntax" in sys.modules)
        """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "False"]


SAM_FUNCTION = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      InlineCode: "def handler(e, c): pass"
      Events:
        Get:
          Type: Api
          Properties: {Path: /, Method: get}
"""


def _translated_in_a_fresh_process(tmp_path: Path, before: str = "") -> list[str]:
    (tmp_path / "t.yaml").write_text(SAM_FUNCTION)
    code = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        {before}
        from iac_assist.parsers.cloudformation import load_template
        resources, errors = load_template(Path({str(tmp_path)!r}) / "t.yaml", Path({str(tmp_path)!r}))
        assert errors == [], errors
        print(sorted(r.address for r in resources))
        print(*[name in sys.modules and getattr(sys.modules[name], "__file__", None) is not None
                for name in ("boto3", "botocore")])
        import boto3
        print(boto3.__file__ is not None)  # the real SDK for anyone importing it afterwards
        """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return out.stdout.splitlines()


def test_the_translator_runs_without_importing_the_aws_sdk(tmp_path: Path) -> None:
    # boto3 and botocore: 0.15 s and some 30 MB per process, for a session the translator is
    # handed and clients it never makes offline.
    addresses, loaded, real_afterwards = _translated_in_a_fresh_process(tmp_path)
    assert "FnRole" in addresses and "ServerlessRestApi" in addresses
    assert (loaded, real_afterwards) == ("False False", "True")


def test_a_translator_importing_more_of_the_sdk_gets_the_real_one(tmp_path: Path) -> None:
    # As if a newer translator imported a module the stand-ins lack: the same result, real SDK.
    patch = 'from iac_assist.parsers.cloudformation import sam; del sam._SDK_STAND_INS["botocore.config"]'
    assert _translated_in_a_fresh_process(tmp_path, patch) == [
        _translated_in_a_fresh_process(tmp_path)[0], "True True", "True"]


def test_the_sdk_stand_ins_refuse_any_use() -> None:
    from iac_assist.parsers.cloudformation import sam

    if "boto3" in sys.modules or "botocore" in sys.modules:
        saved = {n: m for n, m in sys.modules.items() if n.split(".")[0] in ("boto3", "botocore")}
        for name in saved:
            del sys.modules[name]
    else:
        saved = {}
    try:
        with sam._aws_sdk_left_out():
            import boto3
            from botocore.config import Config

            for call in (boto3.Session, boto3.session.Session, boto3.client, Config):
                with pytest.raises(RuntimeError, match="AWS"):
                    call("serverlessrepo")
        assert "boto3" not in sys.modules and "botocore.config" not in sys.modules
    finally:
        sys.modules.update(saved)
