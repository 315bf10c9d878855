"""The CloudFormation text editor: exact before/after texts, what it refuses and why, and a
round trip over every example template."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from cfnlint.decode import decode_str
from hypothesis import given, settings
from hypothesis import strategies as st

from iac_assist.fixes.cloudformation_text import (
    CannotEdit,
    GetAtt,
    Ref,
    add_resource,
    free_logical_id,
    set_at_line,
    set_parameter_default,
    set_properties,
    set_property,
)
from iac_assist.fixes.edits import apply_edits

EXAMPLES = Path(__file__).resolve().parent.parent / "policies" / "examples"


def prop(text: str, logical_id: str, path: tuple, value: object, file: str = "t.yaml") -> str:
    edit = set_property(text, file, logical_id, path, value)  # type: ignore[arg-type]
    assert edit.path == file
    return apply_edits(text, [edit])


def refused(call, *args) -> CannotEdit:  # type: ignore[no-untyped-def]
    with pytest.raises(CannotEdit) as caught:
        call(*args)
    return caught.value


# --- YAML: replacing a scalar -------------------------------------------------------------------

CDN = """\
Parameters:
  Tls:
    Type: String
    Default: TLSv1  # what the stack started with
Resources:
  # the site
  Site:
    Type: AWS::CloudFront::Distribution
    Properties:
      DistributionConfig:
        Enabled: false
        Aliases: [www.example.com]
        Origins:
          - Id: web
            DomainName: !Sub "origin.${AWS::Region}.example.com"
            CustomOriginConfig:
              OriginProtocolPolicy: 'http-only'
        ViewerCertificate:
          AcmCertificateArn: !GetAtt Cert.Arn
          MinimumProtocolVersion: TLSv1 # weak

  Cert:
    Type: AWS::CertificateManager::Certificate
    Properties: {DomainName: www.example.com}
"""


def test_replaces_a_scalar_in_place_keeping_its_comment_and_everything_else():
    after = prop(CDN, "Site", ("DistributionConfig", "ViewerCertificate", "MinimumProtocolVersion"), "TLSv1.2_2021")
    assert after == CDN.replace("MinimumProtocolVersion: TLSv1 # weak", "MinimumProtocolVersion: TLSv1.2_2021 # weak")


def test_replaces_a_boolean():
    after = prop(CDN, "Site", ("DistributionConfig", "Enabled"), True)
    assert after == CDN.replace("Enabled: false", "Enabled: true")


def test_keeps_the_quoting_style_of_the_value_it_replaces():
    after = prop(CDN, "Site", ("DistributionConfig", "Origins", 0, "CustomOriginConfig", "OriginProtocolPolicy"),
                 "https-only")
    assert after == CDN.replace("'http-only'", "'https-only'")
    quoted = CDN.replace("'http-only'", '"http-only"')
    after = prop(quoted, "Site", ("DistributionConfig", "Origins", 0, "CustomOriginConfig", "OriginProtocolPolicy"),
                 "https-only")
    assert after == quoted.replace('"http-only"', '"https-only"')


@pytest.mark.parametrize(("value", "written"), [
    ("true", '"true"'),            # a plain true is a boolean
    ("1.0", '"1.0"'),              # a number
    ("a: b", '"a: b"'),            # a mapping
    ("x # y", '"x # y"'),          # a comment
    ("*", '"*"'),                  # an alias
    ("", '""'),
    ('say "hi"\\', '"say \\"hi\\"\\\\"'),
    ("two\nlines", '"two\\nlines"'),
    ("sep\u2028arator", '"sep\\u2028arator"'),  # YAML 1.1 reads U+2028 as a line break
    ("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/*"),
    ("ends:", '"ends:"'),
    ("AWS::S3::Bucket", "AWS::S3::Bucket"),
    ("café", '"café"'),  # plain only for ASCII: the cheapest rule known to be right
    (8443, "8443"),
])
def test_escapes_what_a_plain_scalar_cannot_say(value, written):
    after = prop(CDN, "Site", ("DistributionConfig", "ViewerCertificate", "MinimumProtocolVersion"), value)
    assert after == CDN.replace("MinimumProtocolVersion: TLSv1 #", f"MinimumProtocolVersion: {written} #")
    assert decode_str(after)[0]["Resources"]["Site"]["Properties"]["DistributionConfig"]["ViewerCertificate"][
        "MinimumProtocolVersion"] == value


def test_setting_a_value_to_itself_is_a_no_op_edit():
    edit = set_property(CDN, "t.yaml", "Site", ("DistributionConfig", "Enabled"), False)
    assert CDN[edit.start:edit.end] == edit.new == "false"


# --- YAML: inserting ----------------------------------------------------------------------------


def test_inserts_a_missing_key_after_the_last_sibling_at_its_indentation():
    after = prop(CDN, "Site", ("DistributionConfig", "ViewerCertificate", "SslSupportMethod"), "sni-only")
    assert after == CDN.replace(
        "MinimumProtocolVersion: TLSv1 # weak\n",
        "MinimumProtocolVersion: TLSv1 # weak\n          SslSupportMethod: sni-only\n")


def test_inserts_missing_intermediate_mappings():
    after = prop(CDN, "Site", ("DistributionConfig", "Logging", "Bucket"), "logs.s3.amazonaws.com")
    assert after == CDN.replace(
        "MinimumProtocolVersion: TLSv1 # weak\n",
        "MinimumProtocolVersion: TLSv1 # weak\n        Logging:\n          Bucket: logs.s3.amazonaws.com\n")


def test_inserts_properties_when_the_resource_has_none():
    text = "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    DeletionPolicy: Retain\n\nOutputs: {}\n"
    after = prop(text, "Bucket", ("VersioningConfiguration", "Status"), "Enabled")
    assert after == ("Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    DeletionPolicy: Retain\n"
                     "    Properties:\n      VersioningConfiguration:\n        Status: Enabled\n\nOutputs: {}\n")


def test_fills_an_empty_properties_key():
    text = "Resources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    Properties:  # to do\n"
    after = prop(text, "Db", ("StorageEncrypted",), True)
    assert after == text + "      StorageEncrypted: true\n"


def test_inserts_into_a_flow_mapping_in_flow_style():
    after = prop(CDN, "Cert", ("ValidationMethod",), "DNS")
    assert after == CDN.replace("{DomainName: www.example.com}", "{DomainName: www.example.com, ValidationMethod: DNS}")
    after = prop(CDN, "Cert", ("Tags", "Owner"), "a: b")
    assert after == CDN.replace("{DomainName: www.example.com}",
                                '{DomainName: www.example.com, Tags: {Owner: "a: b"}}')


def test_inserts_into_an_empty_flow_mapping():
    text = "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties: {}\n"
    assert prop(text, "Q", ("SqsManagedSseEnabled",), True) == text.replace("{}", "{SqsManagedSseEnabled: true}")


def test_inserts_into_a_flow_style_resource():
    text = "Resources:\n  B: {Type: AWS::S3::Bucket}  # c\n"
    after = prop(text, "B", ("VersioningConfiguration", "Status"), "Enabled")
    assert after == text.replace("Bucket}", "Bucket, Properties: {VersioningConfiguration: {Status: Enabled}}}")


def test_inserts_into_a_list_items_mapping_at_its_column():
    after = prop(CDN, "Site", ("DistributionConfig", "Origins", 0, "OriginPath"), "/web")
    assert after == CDN.replace("              OriginProtocolPolicy: 'http-only'\n",
                                "              OriginProtocolPolicy: 'http-only'\n            OriginPath: /web\n")


def test_inserts_into_a_flow_mapping_written_over_lines():
    text = "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties: {\n      BucketName: b,\n      X: 1\n    }\n"
    after = prop(text, "B", ("Y",), 2)
    assert after == text.replace("X: 1\n", "X: 1,\n      Y: 2\n")


def test_inserts_after_a_block_scalar_without_taking_its_lines():
    text = ("Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Code:\n"
            "        ZipFile: |\n          print('hi')\n\n          print('bye')\n\n  Other:\n    Type: X::Y::Z\n")
    after = prop(text, "Fn", ("Code", "S3Key"), "k")
    assert after == text.replace("print('bye')\n", "print('bye')\n        S3Key: k\n")


def test_inserts_in_a_file_with_windows_line_endings_and_no_final_newline():
    text = "Resources:\r\n  B:\r\n    Type: AWS::S3::Bucket\r\n    Properties:\r\n      BucketName: b"
    after = prop(text, "B", ("VersioningConfiguration", "Status"), "Enabled")
    assert after == text + "\r\n      VersioningConfiguration:\r\n        Status: Enabled"


def test_keeps_comments_tags_blank_lines_and_order_elsewhere():
    after = prop(CDN, "Site", ("DistributionConfig", "HttpVersion"), "http2")
    assert after.replace("        HttpVersion: http2\n", "") == CDN


# --- JSON ---------------------------------------------------------------------------------------

DOC = {
    "Parameters": {"Tls": {"Type": "String", "Default": "TLSv1"}},
    "Resources": {
        "Site": {"Type": "AWS::CloudFront::Distribution", "Properties": {"DistributionConfig": {
            "Enabled": False, "ViewerCertificate": {"MinimumProtocolVersion": {"Ref": "Tls"}}}}},
        "Bucket": {"Type": "AWS::S3::Bucket"},
        "Queue": {"Type": "AWS::SQS::Queue", "Properties": {}},
    },
}


@pytest.mark.parametrize("indent", [2, 4, "\t"])
def test_json_replaces_a_scalar(indent):
    text = json.dumps(DOC, indent=indent) + "\n"
    after = prop(text, "Site", ("DistributionConfig", "Enabled"), True, "t.json")
    assert after == text.replace('"Enabled": false', '"Enabled": true')


@pytest.mark.parametrize("indent", [2, 4, "\t"])
def test_json_inserts_nested_keys_at_the_files_indentation(indent):
    text = json.dumps(DOC, indent=indent) + "\n"
    after = prop(text, "Site", ("DistributionConfig", "Logging", "Bucket"), "logs", "t.json")
    expected = json.loads(text)
    expected["Resources"]["Site"]["Properties"]["DistributionConfig"]["Logging"] = {"Bucket": "logs"}
    assert after == json.dumps(expected, indent=indent) + "\n"


@pytest.mark.parametrize("indent", [2, 4])
def test_json_inserts_properties_and_fills_an_empty_object(indent):
    text = json.dumps(DOC, indent=indent) + "\n"
    expected = json.loads(text)
    expected["Resources"]["Bucket"]["Properties"] = {"VersioningConfiguration": {"Status": "Enabled"}}
    assert prop(text, "Bucket", ("VersioningConfiguration", "Status"), "Enabled", "t.json") == \
        json.dumps(expected, indent=indent) + "\n"
    expected = json.loads(text)
    expected["Resources"]["Queue"]["Properties"] = {"SqsManagedSseEnabled": True}
    assert prop(text, "Queue", ("SqsManagedSseEnabled",), True, "t.json") == json.dumps(expected, indent=indent) + "\n"


def test_json_on_one_line_stays_on_one_line():
    text = json.dumps(DOC)
    after = prop(text, "Bucket", ("VersioningConfiguration", "Status"), "Enabled", "t.json")
    assert after == text.replace('"AWS::S3::Bucket"}', '"AWS::S3::Bucket", "Properties": '
                                 '{"VersioningConfiguration": {"Status": "Enabled"}}}')


def test_json_escapes_strings():
    text = json.dumps(DOC, indent=2)
    after = prop(text, "Site", ("DistributionConfig", "Comment"), 'q"\\\n\u2028é', "t.json")
    assert '"Comment": "q\\"\\\\\\n\\u2028é"' in after
    assert json.loads(after)["Resources"]["Site"]["Properties"]["DistributionConfig"]["Comment"] == 'q"\\\n\u2028é'


# --- parameters ---------------------------------------------------------------------------------


def test_sets_a_parameters_default():
    after = apply_edits(CDN, [set_parameter_default(CDN, "t.yaml", "Tls", "TLSv1.2_2021")])
    assert after == CDN.replace("Default: TLSv1  #", "Default: TLSv1.2_2021  #")


def test_adds_a_missing_default():
    text = "Parameters:\n  Tls:\n    Type: String\nResources:\n  B:\n    Type: AWS::S3::Bucket\n"
    after = apply_edits(text, [set_parameter_default(text, "t.yaml", "Tls", "TLSv1.2_2021")])
    assert after == text.replace("Type: String\n", "Type: String\n    Default: TLSv1.2_2021\n")


def test_json_parameter_default():
    text = json.dumps(DOC, indent=2)
    after = apply_edits(text, [set_parameter_default(text, "t.json", "Tls", "TLSv1.2_2021")])
    assert after == text.replace('"Default": "TLSv1"', '"Default": "TLSv1.2_2021"')


@pytest.mark.parametrize(("declared", "reason"), [
    ("AllowedValues: [TLSv1, TLSv1.1]", "parameter Tls does not allow 'TLSv1.2_2021' (AllowedValues)"),
    ("AllowedPattern: 'TLS.*'", "parameter Tls has an AllowedPattern the new default is not checked against"),
    ("MaxLength: 5", "parameter Tls does not allow 'TLSv1.2_2021' (MaxLength)"),
])
def test_a_default_the_parameter_would_reject_is_refused(declared, reason):
    text = f"Parameters:\n  Tls:\n    Type: String\n    {declared}\nResources: {{}}\n"
    assert refused(set_parameter_default, text, "t.yaml", "Tls", "TLSv1.2_2021").reason == reason
    assert refused(set_parameter_default, text, "t.yaml", "Nope", "x").reason == "no parameter Nope in the template"


# --- adding a resource --------------------------------------------------------------------------

BUCKETS = """\
Resources:
  Logs:
    Type: AWS::S3::Bucket

  # reports, kept for a year
  Reports:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: reports
Outputs:
  Name: {Value: !Ref Reports}
"""

BLOCK = {"BlockPublicAcls": True, "RestrictPublicBuckets": True}


def test_adds_a_resource_after_the_last_one():
    edit = add_resource(BUCKETS, "t.yaml", "ReportsPolicy", "AWS::S3::BucketPolicy", {
        "Bucket": Ref("Reports"),
        "PolicyDocument": {"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*",
                                          "Resource": [GetAtt("Reports", "Arn"), "x"]}]},
    }, after="Reports")
    assert apply_edits(BUCKETS, [edit]) == BUCKETS.replace("      BucketName: reports\n", """\
      BucketName: reports

  ReportsPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Reports
      PolicyDocument:
        Statement:
          - Effect: Deny
            Principal: "*"
            Action: s3:*
            Resource:
              - !GetAtt Reports.Arn
              - x
""")


def test_adds_a_resource_in_the_middle_before_the_next_ones_comment():
    edit = add_resource(BUCKETS, "t.yaml", "Logs", "AWS::S3::BucketPolicy", {"Bucket": Ref("Logs")}, after="Logs")
    assert apply_edits(BUCKETS, [edit]) == BUCKETS.replace("    Type: AWS::S3::Bucket\n\n  # reports", """\
    Type: AWS::S3::Bucket

  Logs2:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Logs

  # reports""")


def test_a_new_logical_id_is_unique_in_the_template():
    assert free_logical_id(BUCKETS, "Name") == "Name2"  # an output
    assert free_logical_id(BUCKETS, "Logs") == "Logs2"
    assert free_logical_id(BUCKETS, "Log-Bucket!") == "LogBucket"
    loop = ("Transform: AWS::LanguageExtensions\nResources:\n  Fn::ForEach::B:\n    - N\n    - [a, b]\n"
            "    - Bucket${N}:\n        Type: AWS::S3::Bucket\n")
    assert free_logical_id(loop, "Bucketa") == "FixBucketa"  # any Bucket... may be generated


def test_json_adds_a_resource_in_the_middle():
    text = json.dumps(DOC, indent=4) + "\n"
    edit = add_resource(text, "t.json", "BucketBlock", "AWS::S3::BucketPolicy",
                        {"Bucket": Ref("Bucket"), "Arns": [GetAtt("Bucket", "Arn")]}, after="Bucket")
    expected = json.loads(text)
    resources = list(expected["Resources"].items())
    resources.insert(2, ("BucketBlock", {"Type": "AWS::S3::BucketPolicy", "Properties": {
        "Bucket": {"Ref": "Bucket"}, "Arns": [{"Fn::GetAtt": ["Bucket", "Arn"]}]}}))
    expected["Resources"] = dict(resources)
    assert apply_edits(text, [edit]) == json.dumps(expected, indent=4) + "\n"


def test_sequences_follow_the_files_dash_indentation():
    text = "Resources:\n  A:\n    Type: X::Y::Z\n    Properties:\n      L:\n      - 1\n"
    edit = add_resource(text, "t.yaml", "B", "X::Y::Z", {"L": [{"K": 1, "V": 2}]}, after="A")
    assert apply_edits(text, [edit]) == text + "  B:\n    Type: X::Y::Z\n    Properties:\n      L:\n      - K: 1\n" \
        "        V: 2\n"


@pytest.mark.parametrize(("args", "reason"), [
    (("N", "AWS::S3::BucketPolicy", {"Bucket": Ref("Nope")}, "Logs"),
     "the new resource would refer to Nope, which the template does not declare"),
    (("N", "AWS::S3::BucketPolicy", {}, "Nope"), "no resource Nope in the template"),
    (("N", "not a type", {}, "Logs"), "'not a type' is not a resource type"),
    (("N", "AWS::S3::BucketPolicy", {"A": 1.5}, "Logs"), "cannot write a value of type float"),
])
def test_add_resource_refuses(args, reason):
    assert refused(add_resource, BUCKETS, "t.yaml", *args).reason == reason


# --- what is refused ----------------------------------------------------------------------------

VIEWER = ("DistributionConfig", "ViewerCertificate", "MinimumProtocolVersion")


@pytest.mark.parametrize(("value", "reason", "parameter"), [
    ("!Ref Tls", "Resources.Site.Properties.DistributionConfig.ViewerCertificate.MinimumProtocolVersion is set "
                 "from parameter Tls (!Ref Tls)", "Tls"),
    ("!Ref Other", "Resources.Site.Properties.DistributionConfig.ViewerCertificate.MinimumProtocolVersion refers "
                   "to Other (!Ref Other)", None),
    ("{Ref: AWS::Region}", "Resources.Site.Properties.DistributionConfig.ViewerCertificate.MinimumProtocolVersion "
                           "refers to AWS::Region (Ref AWS::Region)", None),
    ("!If [Old, TLSv1, TLSv1.2_2021]", "Resources.Site.Properties.DistributionConfig.ViewerCertificate."
                                       "MinimumProtocolVersion is chosen by a condition (!If)", None),
    ("{'Fn::If': [Old, a, b]}", "Resources.Site.Properties.DistributionConfig.ViewerCertificate."
                                "MinimumProtocolVersion is chosen by a condition (Fn::If)", None),
    ("!Sub '${Tls}'", "Resources.Site.Properties.DistributionConfig.ViewerCertificate.MinimumProtocolVersion is "
                      "computed at deployment (!Sub)", None),
    ("{A: 1}", "Resources.Site.Properties.DistributionConfig.ViewerCertificate.MinimumProtocolVersion is a "
               "mapping, not a single value", None),
    ("|\n            TLSv1", "Resources.Site.Properties.DistributionConfig.ViewerCertificate.MinimumProtocolVersion "
                             "is a block scalar", None),
])
def test_a_value_not_written_plainly_is_refused_with_the_reason(value, reason, parameter):
    text = CDN.replace("MinimumProtocolVersion: TLSv1 # weak", f"MinimumProtocolVersion: {value}")
    err = refused(set_property, text, "t.yaml", "Site", VIEWER, "TLSv1.2_2021")
    assert (err.reason, err.parameter) == (reason, parameter)


def test_a_mapping_chosen_by_a_condition_is_refused():
    text = CDN.replace("        ViewerCertificate:\n", "        ViewerCertificate: !If\n          - Old\n"
                       "          - {MinimumProtocolVersion: TLSv1}\n          - !Ref AWS::NoValue\n        Unused:\n")
    assert refused(set_property, text, "t.yaml", "Site", VIEWER, "x").reason == \
        "Resources.Site.Properties.DistributionConfig.ViewerCertificate is chosen by a condition (!If)"


def test_json_intrinsic_is_refused():
    text = json.dumps(DOC, indent=2)
    err = refused(set_property, text, "t.json", "Site", VIEWER, "TLSv1.2_2021")
    assert (err.reason, err.parameter) == ("Resources.Site.Properties.DistributionConfig.ViewerCertificate."
                                           "MinimumProtocolVersion is set from parameter Tls (Ref Tls)", "Tls")


@pytest.mark.parametrize(("text", "reason"), [
    ("Resources:\n  Site: &s\n    Type: X::Y::Z\n  Copy: *s\n",
     "the template uses YAML aliases (*s, line 4)"),
    ("Resources:\n  Site:\n    Type: X::Y::Z\n---\nResources: {}\n", "the file holds more than one YAML document"),
    ("Resources:\n  Site:\n\tType: X::Y::Z\n", "the template indents with tabs"),
    ("Resources:\n  Site:\n    Type: X::Y::Z\n    Properties:\n      A: 1\n      A: 2\n",
     "the template does not decode: Duplicate found 'A' (line 5)"),
    ("Resources:\n  Site:\n    Type: X::Y::Z\n    Properties:\n      <<: {A: 1}\n",
     "the template merges mappings with << (line 5)"),
    ("Transform: AWS::LanguageExtensions\nResources:\n  Fn::ForEach::S:\n    - N\n    - [a]\n"
     "    - Site${N}:\n        Type: X::Y::Z\n",
     "resource Site is not written in the template (a Fn::ForEach loop may generate it: no edit is made inside a "
     "loop)"),
    ("Transform: AWS::Serverless-2016-10-31\nResources: {}\n",
     "resource Site is not written in the template (a transform may generate it)"),
    ("Resources: {}\n", "no resource Site in the template"),
    ("Outputs: {}\n", "the template has no Resources section"),
    ("Resources:\n  Site:\n    Type: X::Y::Z\n    Properties:\n      A: [1]\n",
     "Resources.Site.Properties.A is not a mapping"),
    ("Resources:\n  Site:\n    Type: X::Y::Z\n    Properties: [1]\n", "Resources.Site.Properties is not a mapping"),
    ("- a\n", "the template is not a mapping"),
    ("Resources: {\n", "the template does not parse: while parsing a flow node expected the node content, but found "
                       "'<stream end>' in \"<unicode string>\", line 2, column 1: ^"),
])
def test_a_template_that_is_not_plain_is_refused(text, reason):
    assert refused(set_property, text, "t.yaml", "Site", ("A", "B"), "x").reason == reason


def test_a_list_item_is_appended_or_made_first_never_elsewhere():
    text = "Resources:\n  Site:\n    Type: X::Y::Z\n    Properties:\n      L: [a]\n"
    assert prop(text, "Site", ("L", 1), "x") == text.replace("[a]", "[a, x]")
    assert prop(text, "Site", ("M", 0), "x") == text + "      M:\n        - x\n"
    assert refused(set_property, text, "t.yaml", "Site", ("L", 2), "x").reason == \
        "Resources.Site.Properties.L has no item 2"
    assert refused(set_property, text, "t.yaml", "Site", ("M", 1), "x").reason == \
        "Resources.Site.Properties.M[1]: a list item cannot be added there"


def test_values_are_bounded():
    assert refused(set_property, CDN, "t.yaml", "Site", VIEWER, "x" * 5000).reason == \
        "a string to write is longer than 4096 characters"
    assert refused(set_property, CDN, "t.yaml", "Site", VIEWER, 10**20).reason == "a number to write is too large"
    assert refused(set_property, CDN, "t.yaml", "Site", VIEWER, None).reason == "cannot set a property to a NoneType"
    deep: dict = {}
    for _ in range(40):
        deep = {"A": deep}
    assert refused(add_resource, BUCKETS, "t.yaml", "N", "X::Y::Z", deep, "Logs").reason == \
        "the value to write is too large"


def test_a_deeply_nested_template_is_refused_not_crashed():
    text = "Resources:\n  Site:\n    Type: X::Y::Z\n    Properties:\n      A: " + "[" * 5000 + "]" * 5000 + "\n"
    assert "nested too deeply" in refused(set_property, text, "t.yaml", "Site", ("B",), "x").reason


# --- round trip over the examples ---------------------------------------------------------------

TEMPLATES = sorted(EXAMPLES.glob("*/insecure.yaml")) + sorted(EXAMPLES.glob("*/fixed.yaml"))


def _leaves(value, path=()):
    """(path, scalar) of every plainly written scalar under a resource's Properties."""
    if isinstance(value, dict):
        if len(value) == 1 and (next(iter(value)) == "Ref" or next(iter(value)).startswith("Fn::")):
            return
        for key, child in value.items():
            yield from _leaves(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _leaves(child, (*path, index))
    elif isinstance(value, (bool, int, str)):
        yield path, value


def _mappings(value, path=()):
    if isinstance(value, dict):
        if len(value) == 1 and (next(iter(value)) == "Ref" or next(iter(value)).startswith("Fn::")):
            return
        yield path
        for key, child in value.items():
            yield from _mappings(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _mappings(child, (*path, index))


def _variants(template: Path):
    text = template.read_text(encoding="utf-8")
    yield "yaml", text
    document = json.loads(json.dumps(decode_str(text)[0], default=str))
    yield "json", json.dumps(document, indent=2) + "\n"


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_round_trip_over_the_examples(template):
    for form, text in _variants(template):
        document = decode_str(text)[0]
        for logical_id, resource in document["Resources"].items():
            properties = resource.get("Properties") or {}
            for path, value in itertools.islice(_leaves(properties), 40):
                edit = set_property(text, f"t.{form}", logical_id, path, value)
                assert edit.new == text[edit.start:edit.end], (logical_id, path)
            for path in list(_mappings(properties))[:10]:
                after = apply_edits(text, [set_property(text, f"t.{form}", logical_id, (*path, "ZzProbe"), "on")])
                expected = decode_str(text)[0]
                container = expected["Resources"][logical_id].setdefault("Properties", {})
                for key in path:
                    container = container[key]
                container["ZzProbe"] = "on"
                assert decode_str(after)[0] == expected
                assert after.count("\n") > text.count("\n") or form == "yaml"


def test_names_from_the_template_are_quoted_in_reasons_when_not_plain():
    text = CDN.replace("MinimumProtocolVersion: TLSv1 # weak", 'MinimumProtocolVersion: !Ref "x\\e[31m"')
    assert refused(set_property, text, "t.yaml", "Site", VIEWER, "x").reason.endswith(
        "refers to 'x\\x1b[31m' (!Ref 'x\\x1b[31m')")


# --- several settings, lists, whole values ------------------------------------------------------

S3 = """\
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: b  # the name
      PublicAccessBlockConfiguration:
        BlockPublicAcls: false
  Lb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      LoadBalancerAttributes:
        - Key: idle_timeout.timeout_seconds
          Value: "60"
  Listener:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      Port: 80
      DefaultActions:
        - Type: forward
          TargetGroupArn: !Ref Lb
"""

PAB = ("PublicAccessBlockConfiguration",)


def test_settings_of_one_new_mapping_are_one_edit():
    edits = set_properties(S3, "t.yaml", "Bucket", [
        ((*PAB, "BlockPublicAcls"), True), ((*PAB, "BlockPublicPolicy"), True), ((*PAB, "IgnorePublicAcls"), True),
        (("BucketEncryption", "ServerSideEncryptionConfiguration", 0, "ServerSideEncryptionByDefault",
          "SSEAlgorithm"), "aws:kms"),
        (("BucketEncryption", "ServerSideEncryptionConfiguration", 0, "BucketKeyEnabled"), True),
    ])
    assert apply_edits(S3, edits) == S3.replace("        BlockPublicAcls: false\n", """\
        BlockPublicAcls: true
        BlockPublicPolicy: true
        IgnorePublicAcls: true
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault:
              SSEAlgorithm: aws:kms
            BucketKeyEnabled: true
""")


def test_appends_a_list_item():
    edits = set_properties(S3, "t.yaml", "Lb", [
        (("LoadBalancerAttributes", 1, "Key"), "routing.http.drop_invalid_header_fields.enabled"),
        (("LoadBalancerAttributes", 1, "Value"), "true")])
    assert apply_edits(S3, edits) == S3.replace('          Value: "60"\n', '          Value: "60"\n'
                                                "        - Key: routing.http.drop_invalid_header_fields.enabled\n"
                                                '          Value: "true"\n')


def test_json_appends_a_list_item():
    text = json.dumps(decode_str(S3)[0], indent=2)
    edits = set_properties(text, "t.json", "Lb", [(("LoadBalancerAttributes", 1), {"Key": "k", "Value": "true"})])
    expected = json.loads(text)
    expected["Resources"]["Lb"]["Properties"]["LoadBalancerAttributes"].append({"Key": "k", "Value": "true"})
    assert apply_edits(text, edits) == json.dumps(expected, indent=2)


def test_replaces_a_whole_list():
    action = [{"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}]
    (edit,) = set_properties(S3, "t.yaml", "Listener", [(("DefaultActions",), action)])
    assert apply_edits(S3, [edit]) == S3.replace("""\
        - Type: forward
          TargetGroupArn: !Ref Lb
""", """\
        - Type: redirect
          RedirectConfig:
            Protocol: HTTPS
            Port: "443"
            StatusCode: HTTP_301
""")
    text = json.dumps(decode_str(S3)[0], indent=4)
    (edit,) = set_properties(text, "t.json", "Listener", [(("DefaultActions",), action)])
    expected = json.loads(text)
    expected["Resources"]["Listener"]["Properties"]["DefaultActions"] = action
    assert apply_edits(text, [edit]) == json.dumps(expected, indent=4)


def test_a_setting_already_true_changes_nothing():
    (edit,) = set_properties(S3, "t.yaml", "Listener", [(("Port",), 80)])
    assert S3[edit.start:edit.end] == edit.new


def test_a_resource_written_as_another_type_is_refused():
    text = "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n"
    assert refused(set_properties, text, "t.yaml", "Fn", [(("A",), 1)], "AWS::Lambda::Function").reason == \
        "Fn is written as AWS::Serverless::Function, which a transform makes into AWS::Lambda::Function: " \
        "edit it by hand"


def test_one_value_set_twice_alike_is_one_edit():
    (edit,) = set_properties(S3, "t.yaml", "Listener", [(("Port",), 443), (("Port",), 443)])
    assert apply_edits(S3, [edit]) == S3.replace("Port: 80", "Port: 443")


def test_two_settings_of_one_place_that_differ_are_refused():
    assert refused(set_properties, S3, "t.yaml", "Bucket", [(("A", "B"), 1), (("A", "B"), 2)]).reason == \
        "two settings write Resources.Bucket.Properties.A.B differently"


def test_sets_the_property_written_on_a_line():
    text = CDN.replace("        Origins:", "        DefaultCacheBehavior: {ViewerProtocolPolicy: allow-all}\n"
                       "        Origins:")
    line = text[:text.index("DefaultCacheBehavior")].count("\n") + 1
    after = apply_edits(text, [set_at_line(text, "t.yaml", "Site", line, "redirect-to-https")])
    assert after == text.replace("allow-all", "redirect-to-https")
    assert refused(set_at_line, text, "t.yaml", "Site", 1, "x").reason == "no property of Site is written on line 1"
    assert refused(set_at_line, text, "t.yaml", "Site", line + 2, "x", {"ViewerProtocolPolicy"}).reason == \
        f"no property of Site is written on line {line + 2}"  # `- Id: web`: the origin's own line


def test_a_parameters_default_is_written_as_text():
    text = "Parameters:\n  Public:\n    Type: String\n    Default: 'true'\nResources: {}\n"
    after = apply_edits(text, [set_parameter_default(text, "t.yaml", "Public", False)])
    assert after == text.replace("'true'", "'false'")
    text = "Parameters:\n  Days:\n    Type: Number\n    Default: 1\nResources: {}\n"
    assert apply_edits(text, [set_parameter_default(text, "t.yaml", "Days", 7)]) == text.replace("1\n", '"7"\n')
    edit = set_parameter_default(text, "t.yaml", "Days", 1)
    assert text[edit.start:edit.end] == edit.new


@pytest.mark.parametrize("text", [
    "Resources:\r  Site:\r    Type: X::Y::Z\r",
    "Resources:\n  Site:\n    Type: X::Y::Z\n    Properties:\n      A: \"a\u2028b\"\n",
])
def test_other_line_breaks_are_refused(text):
    assert refused(set_property, text, "t.yaml", "Site", ("B",), "x").reason == \
        "the template has line breaks other than \\n and \\r\\n (a lone \\r, U+0085, U+2028, U+2029)"


def test_an_edit_that_would_not_read_back_as_intended_is_refused():
    # A kept block scalar owns the blank lines after it: an insertion there would take one.
    text = "Resources:\n  Site:\n    Type: X::Y::Z\n    Properties:\n      Script: |+\n        echo\n\n  Other:\n" \
           "    Type: X::Y::Z\n"
    assert refused(set_property, text, "t.yaml", "Site", ("B",), "x").reason == \
        "the edited template would read back differently than intended; no edit is made"


def test_edits_of_one_template_do_not_change_each_other():
    # The decoded template is kept for the next edit of the same text: no edit may change it.
    text = "Resources:\n  Logs:\n    Type: AWS::S3::Bucket\n  Site:\n    Type: AWS::S3::Bucket\n"
    first = set_properties(text, "t.yaml", "Site", [(("VersioningConfiguration", "Status"), "Enabled")])
    added = add_resource(text, "t.yaml", "Policy", "AWS::S3::BucketPolicy", {"Bucket": Ref("Site")}, "Site")
    again = set_properties(text, "t.yaml", "Site", [(("VersioningConfiguration", "Status"), "Enabled")])
    assert first == again
    assert apply_edits(text, [added]).endswith("  Policy:\n    Type: AWS::S3::BucketPolicy\n    Properties:\n"
                                               "      Bucket: !Ref Site\n")
    assert refused(set_property, text, "t.yaml", "Policy", ("Bucket",), "x").reason == \
        "no resource Policy in the template"


# --- any value reads back as itself -------------------------------------------------------------

TEXTS = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
SCALARS = st.one_of(st.booleans(), st.integers(-(10**17), 10**17), TEXTS)


@settings(max_examples=60, deadline=None)
@given(value=SCALARS, form=st.sampled_from(["yaml", "flow", "json"]), missing=st.booleans())
def test_any_scalar_written_reads_back_as_itself(value, form, missing):
    text = {"yaml": CDN, "flow": CDN.replace("Properties: {DomainName: www.example.com}",
                                            "Properties: {DomainName: www.example.com, Flag: x}"),
            "json": json.dumps(decode_str(CDN)[0], indent=2)}[form]
    logical_id, path = ("Cert", ("Flag" if not missing else "New",)) if form == "flow" else (
        "Site", ("DistributionConfig", "ViewerCertificate", "New" if missing else "MinimumProtocolVersion"))
    after = prop(text, logical_id, path, value)
    written = decode_str(after)[0]["Resources"][logical_id]["Properties"]
    for key in path:
        written = written[key]
    assert written == value and type(written) is type(value) or isinstance(value, str) and written == value
