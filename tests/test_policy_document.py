"""``data "aws_iam_policy_document"`` rendered like the AWS provider, directly on evaluated bodies; and the
questions every check asks of a policy document (``iac_assist.model.policy_documents``)."""

from __future__ import annotations

import json

from iac_assist.model import Location, Ref, Unknown
from iac_assist.model.policy_documents import (
    action_allowed,
    allowed_actions,
    allows_any,
    bool_clause_false,
    covers_all,
    every_action,
    excluded_actions,
    granted_actions,
    is_allow,
    principal_is_public,
    restricted,
)
from iac_assist.parsers.terraform.policy_document import render, statement_locations
from iac_assist.parsers.terraform.values import PartialJson


def test_defaults_version_effect_and_single_elements_collapse():
    doc = render({"statement": [{"actions": ["s3:GetObject"], "resources": ["arn:aws:s3:::b/*"]}]})
    assert doc == {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}],
    }


def test_sets_are_deduplicated_and_sorted_in_reverse_and_keys_follow_the_provider_order():
    doc = render({
        "policy_id": "p1",
        "statement": [{
            "sid": "Read",
            "effect": "Deny",
            "not_actions": ["s3:GetObject", "s3:ListBucket", "s3:GetObject"],
            "not_resources": ["a", "c", "b"],
        }],
    })
    statement = doc["Statement"][0]
    assert list(doc) == ["Version", "Id", "Statement"] and doc["Id"] == "p1"
    assert list(statement) == ["Sid", "Effect", "NotAction", "NotResource"]
    assert statement["NotAction"] == ["s3:ListBucket", "s3:GetObject"]
    assert statement["NotResource"] == ["c", "b", "a"]


def test_empty_sid_and_empty_sets_are_omitted_and_null_means_default():
    doc = render({"version": None, "statement": [{"sid": "", "effect": None, "actions": [], "resources": ["*"]}]})
    assert doc == {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": "*"}]}


def test_no_statement_renders_no_statement_key():
    assert render({}) == {"Version": "2012-10-17"}


def test_principals_wildcard_type_becomes_star_other_types_stay_maps():
    star = render({"statement": [{"actions": ["s3:GetObject"], "principals": [{"type": "*", "identifiers": ["*"]}]}]})
    assert star["Statement"][0]["Principal"] == "*"
    aws_star = render({"statement": [{"principals": [{"type": "AWS", "identifiers": ["*"]}]}]})
    assert aws_star["Statement"][0]["Principal"] == {"AWS": "*"}


def test_principal_blocks_of_one_type_merge_and_numbers_become_strings():
    doc = render({"statement": [{
        "principals": [
            {"type": "AWS", "identifiers": [123456789012]},
            {"type": "AWS", "identifiers": ["arn:aws:iam::111122223333:root"]},
            {"type": "Service", "identifiers": ["ec2.amazonaws.com", "lambda.amazonaws.com"]},
        ],
        "not_principals": [{"type": "AWS", "identifiers": ["arn:aws:iam::444455556666:root"]}],
    }]})
    statement = doc["Statement"][0]
    assert statement["Principal"] == {
        "AWS": ["123456789012", "arn:aws:iam::111122223333:root"],
        "Service": ["lambda.amazonaws.com", "ec2.amazonaws.com"],
    }
    assert statement["NotPrincipal"] == {"AWS": "arn:aws:iam::444455556666:root"}


def test_conditions_group_by_test_and_variable_keep_order_and_collapse_single_values():
    doc = render({"statement": [{"condition": [
        {"test": "StringEquals", "variable": "aws:SourceVpce", "values": ["vpce-2", "vpce-1"]},
        {"test": "Bool", "variable": "aws:SecureTransport", "values": [False]},
        {"test": "StringEquals", "variable": "aws:PrincipalOrgID", "values": ["o-1"]},
    ]}]})
    assert doc["Statement"][0]["Condition"] == {
        "StringEquals": {"aws:SourceVpce": ["vpce-2", "vpce-1"], "aws:PrincipalOrgID": "o-1"},
        "Bool": {"aws:SecureTransport": "false"},
    }


def test_policy_variables_written_with_ampersand_become_dollar_except_in_the_2008_version():
    body = {"statement": [{"resources": ["arn:aws:s3:::b/&{aws:username}/*"]}]}
    assert render(body)["Statement"][0]["Resource"] == "arn:aws:s3:::b/${aws:username}/*"
    legacy = render({**body, "version": "2008-10-17"})
    assert legacy["Version"] == "2008-10-17"
    assert legacy["Statement"][0]["Resource"] == "arn:aws:s3:::b/&{aws:username}/*"


def test_unknown_values_stay_unknown_inside_the_document():
    doc = render({"statement": [{
        "actions": Unknown("var.actions"),
        "resources": ["*", Unknown("an arn")],
        "principals": [{"type": Unknown(), "identifiers": ["x"]}],
        "condition": [{"test": "StringEquals", "variable": "aws:SourceArn", "values": Unknown()}],
    }]})
    statement = doc["Statement"][0]
    assert isinstance(statement["Action"], Unknown)
    assert statement["Resource"][0] == "*" and isinstance(statement["Resource"][1], Unknown)
    assert isinstance(statement["Principal"], Unknown)
    assert isinstance(statement["Condition"]["StringEquals"]["aws:SourceArn"], Unknown)


def test_a_single_unknown_element_stands_for_the_whole_value():
    doc = render({"statement": [{"actions": [Unknown()], "effect": Unknown()}]})
    assert isinstance(doc["Statement"][0]["Action"], Unknown)
    assert isinstance(doc["Statement"][0]["Effect"], Unknown)


def test_references_become_their_configured_value_or_unknown_with_the_reference_kept():
    bucket = Ref("aws_s3_bucket.b", "arn")
    doc = render({"statement": [{"resources": [bucket, Ref("aws_s3_bucket.b", "bucket", "site")]}]})
    resource = doc["Statement"][0]["Resource"]
    assert resource[0] == "site"
    assert isinstance(resource[1], Unknown) and resource[1].refs == (bucket,)


def test_source_documents_come_first_and_own_statements_replace_same_sid():
    source = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "A", "Effect": "Allow", "Action": "s3:*", "Resource": "*"},
        {"Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"},
    ]})
    doc = render({
        "source_policy_documents": [source],
        "statement": [{"sid": "A", "actions": ["s3:GetObject"], "resources": ["arn:aws:s3:::b/*"]}],
    })
    assert doc["Statement"] == [
        {"Sid": "A", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"},
        {"Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"},
    ]


def test_override_documents_come_last_and_win():
    override = PartialJson({"Statement": {"Sid": "A", "Effect": "Deny", "Action": "*", "Resource": "*"}})
    doc = render({
        "override_policy_documents": [override],
        "statement": [{"sid": "A", "actions": ["*"], "resources": ["*"]}, {"actions": ["s3:*"]}],
    })
    assert doc["Statement"] == [
        {"Sid": "A", "Effect": "Deny", "Action": "*", "Resource": "*"},
        {"Effect": "Allow", "Action": "s3:*"},
    ]


def test_unknown_source_adds_an_unknown_statement_and_unknown_override_forgets_statements_with_sid():
    doc = render({
        "source_policy_documents": [Unknown("data.x.json")],
        "statement": [{"sid": "A", "actions": ["*"], "resources": ["*"]}],
    })
    assert isinstance(doc["Statement"][0], Unknown)
    assert doc["Statement"][1]["Sid"] == "A"
    overridden = render({
        "override_policy_documents": Unknown(),
        "statement": [{"sid": "A", "actions": ["*"], "resources": ["*"]}, {"actions": ["s3:*"], "resources": ["*"]}],
    })
    assert isinstance(overridden["Statement"][0], Unknown)
    assert overridden["Statement"][1] == {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}
    assert isinstance(overridden["Statement"][2], Unknown)


def test_invalid_source_json_is_unknown_not_an_error():
    doc = render({"source_policy_documents": ["{not json"], "statement": [{"actions": ["s3:*"]}]})
    assert isinstance(doc["Statement"][0], Unknown)
    assert doc["Statement"][1]["Action"] == "s3:*"


def test_statement_locations_follow_the_blocks():
    where = Location("main.tf", 3)
    assert statement_locations({"statement": [{}, {}]}, {("statement", 0): where}) == [where, None]


def test_rendered_document_round_trips_through_json():
    doc = render({"statement": [{"actions": ["s3:GetObject", "s3:ListBucket"], "resources": ["*"],
                                 "principals": [{"type": "AWS", "identifiers": ["arn:aws:iam::1:root"]}]}]})
    assert json.loads(json.dumps(doc)) == doc


# --- policy_documents: the one place every check asks its policy document questions --------------


def test_action_allowed_is_certain_only_for_known_patterns():
    assert action_allowed({"Action": "S3:Get*"}, "s3:GetObject") is True
    assert action_allowed({"Action": ["s3:PutObject"]}, "s3:GetObject") is False
    # An unknown element of an Action list may match; a known match is certain regardless.
    assert action_allowed({"Action": ["s3:PutObject", Unknown()]}, "s3:GetObject") is None
    assert action_allowed({"Action": ["s3:*", Unknown()]}, "s3:GetObject") is True
    assert action_allowed({"Action": Unknown()}, "s3:GetObject") is None
    # NotAction: every action except those listed; any unknown element may exclude it.
    assert action_allowed({"NotAction": "iam:*"}, "s3:GetObject") is True
    assert action_allowed({"NotAction": ["S3:*"]}, "s3:GetObject") is False
    assert action_allowed({"NotAction": ["iam:*", Ref("x")]}, "s3:GetObject") is None
    assert action_allowed({}, "s3:GetObject") is None


def test_allowed_actions_allows_any_and_covers_all_agree():
    statement = {"Action": ["iam:Put*", Unknown()]}
    probes = ("iam:PassRole", "iam:PutRolePolicy", "iam:PutUserPolicy")
    assert allowed_actions(statement, probes) == ["iam:PutRolePolicy", "iam:PutUserPolicy"]
    assert allows_any(statement, probes) == "iam:PutRolePolicy"
    assert covers_all(statement, probes) is None  # the unknown element may cover iam:PassRole
    assert covers_all(statement, probes[1:]) is True
    assert covers_all({"NotAction": "iam:PassRole"}, probes) is False


def test_excluded_and_granted_actions():
    assert excluded_actions({"NotAction": ["iam:*"]}) == ["iam:*"]
    assert excluded_actions({"NotAction": "*"}) is None and excluded_actions({"NotAction": "*:*"}) is None
    assert excluded_actions({"NotAction": ["iam:*", Unknown()]}) is None
    assert excluded_actions({"Action": "*"}) is None
    assert granted_actions({"NotAction": "*:"}) == "every action except *:"
    assert every_action("**") and every_action("*:*") and not every_action("*:") and not every_action(Unknown())


def test_effect_is_compared_case_sensitively_like_aws():
    assert is_allow({"Effect": "Allow"})
    assert not is_allow({"Effect": "allow"}) and not is_allow({"Effect": Unknown()}) and not is_allow("Allow")


def test_principal_is_public_says_no_only_when_it_knows():
    assert principal_is_public("*") is True and principal_is_public({"AWS": ["a", "*"]}) is True
    assert principal_is_public({"AWS": "arn:aws:iam::111122223333:root"}) is False
    assert principal_is_public({"Service": "logs.amazonaws.com"}) is False
    assert principal_is_public(Unknown()) is None
    assert principal_is_public({"AWS": Ref("aws_iam_role.r", "arn")}) is None
    assert principal_is_public({"AWS": ["arn:aws:iam::111122223333:root", Unknown()]}) is None


def test_restricted_by_keys_or_prefixes():
    tagged = {"StringEquals": {"aws:ResourceTag/team": "a"}}
    assert not restricted(tagged, ())
    assert restricted(tagged, (), ("aws:resourcetag/",))
    assert restricted({"StringEquals": {"AWS:SourceAccount": "1"}})
    assert restricted(Unknown()) and restricted({"StringEquals": Unknown()}, ())
    assert not restricted(None)


def test_bool_clause_false():
    key = "aws:securetransport"
    assert bool_clause_false({"Bool": {"aws:SecureTransport": "false"}}, key) is True
    assert bool_clause_false({"BoolIfExists": {"aws:SecureTransport": [False]}}, key) is True
    assert bool_clause_false({"Bool": {"aws:SecureTransport": "true"}}, key) is False
    assert bool_clause_false({"StringEquals": {"aws:SecureTransport": "false"}}, key) is False
    assert bool_clause_false({"Bool": {"aws:SecureTransport": Unknown()}}, key) is None
    assert bool_clause_false({"Bool": Unknown()}, key) is None
