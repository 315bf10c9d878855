"""The Component questions (is_true, is_false, equals, one_of, is_unset, below): an unknown value
is never the answer a check reports on, whichever way the question is put."""

from __future__ import annotations

import pytest

from iac_assist.model import Component, Location, Ref, Unknown


def _comp(**facts: object) -> Component:
    # An undeclared kind: the strict vocabulary check does not apply to it.
    comp = Component("x", "test.thing", "x", "test", Location("main.tf", 1))
    for key, value in facts.items():
        comp.set(key, value)
    return comp


UNKNOWNS = [Unknown("a variable without value"), Ref("aws_s3_bucket.b", "id"), Ref("aws_s3_bucket.b", "id", "name")]


@pytest.mark.parametrize("value", UNKNOWNS, ids=["unknown", "ref", "ref-with-value"])
def test_unknown_answers_no_question(value):
    comp = _comp(v=value)
    assert not comp.is_true("v", unset=True)
    assert not comp.is_false("v", unset=False)
    assert not comp.equals("v", "name")
    assert not comp.equals("v", Unknown())
    assert not comp.one_of("v", ("name", Unknown(), None))
    assert not comp.is_unset("v")
    assert not comp.below("v", 10)


def test_known_values():
    comp = _comp(on=True, off=False, text="HTTP", number=7, flag_one=1, empty="", null=None)
    assert comp.is_true("on") and not comp.is_false("on")
    assert comp.is_false("off") and not comp.is_true("off")
    assert not comp.is_true("flag_one")  # 1 is not True: a number is not a switch
    assert comp.equals("text", "HTTP") and not comp.equals("text", "http")
    assert comp.one_of("text", ("HTTPS", "HTTP")) and not comp.one_of("text", ())
    assert comp.below("number", 8) and not comp.below("number", 7)
    assert not comp.below("on", 2)  # a boolean is not a number
    assert comp.is_unset("absent") and comp.is_unset("empty") and comp.is_unset("null")
    assert not comp.is_unset("off") and not comp.is_unset("number")


def test_unset_stands_for_the_default():
    comp = _comp()
    assert comp.is_false("multi_region", unset=False) and not comp.is_false("multi_region")
    assert comp.is_true("enabled", unset=True) and not comp.is_true("enabled")
    assert comp.equals("authorization", "NONE", unset="NONE") and not comp.equals("authorization", "NONE")
    assert comp.one_of("protocol", ("HTTP",), unset="HTTP")
    assert comp.below("retention", 1, unset=0) and not comp.below("retention", 1)


def test_a_null_fact_is_an_unset_fact():
    """null is unset (as in the mapping tables): a fact holding None answers like one not written."""
    comp = _comp(logging=None, protocol=None)
    assert comp.is_false("logging", unset=False) and not comp.is_false("logging")
    assert comp.is_true("logging", unset=True)
    assert comp.equals("protocol", "HTTP", unset="HTTP") and comp.is_unset("protocol")
