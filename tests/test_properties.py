"""Property-based tests: whatever text or structure comes in, the front ends and the evaluator
raise nothing but the tool's own error types, and a scan never ends in an internal error.

Example counts are modest so that the suite stays fast; ``HYPOTHESIS_PROFILE=thorough`` runs
many more (``HYPOTHESIS_PROFILE=thorough python -m pytest tests/test_properties.py``).
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from iac_assist.inputs.jsonpos import JsonError, loads
from iac_assist.model import Ref, Unknown
from iac_assist.parsers.terraform import expressions as ex
from iac_assist.parsers.terraform import functions, hcl, tfjson
from iac_assist.parsers.terraform.budget import EvaluationLimit
from iac_assist.parsers.terraform.evaluator import EvalError, Evaluator

# No example database: CI starts from a clean clone (.hypothesis/ still caches constants; it is ignored).
_COMMON = {"deadline": None, "database": None,
           "suppress_health_check": [HealthCheck.too_slow, HealthCheck.function_scoped_fixture]}
settings.register_profile("default", max_examples=60, **_COMMON)
settings.register_profile("thorough", max_examples=2000, **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

# --- text that looks a little like HCL ----------------------------------------------------------

HCL_TOKENS = [
    "resource", '"aws_s3_bucket"', '"b"', "locals", "variable", "module", "output", "data", "dynamic",
    "content", "for_each", "count", "x", "var.x", "local.y", "each.key", "count.index", "aws_s3_bucket.b.id",
    "{", "}", "[", "]", "(", ")", "=", ":", ",", ".", "*", "...", "?", "=>", "+", "-", "/", "%", "==", "!=",
    "&&", "||", "!", "<", ">=", "for", "in", "if", "true", "false", "null", "0", "1", "1e9", "3.5",
    "-1", '"s"', '"${', '"%{', "}\"", "${", "%{", "~}", "endif", "endfor", "else", "<<EOT\n", "<<-EOT\n",
    "\nEOT\n", "\n", "\r\n", "\t", " ", "#c\n", "//c\n", "/*", "*/", '\\"', "\\", "\ufeff", "\x00", "é",
    "range(", "join(", "format(", "regex(", "lookup(", "merge(", "jsonencode(", "templatefile(", "file(",
]

hcl_like = st.lists(st.sampled_from(HCL_TOKENS), max_size=60).map(" ".join)


def _identifier() -> st.SearchStrategy[str]:
    return st.from_regex(r"[a-z][a-z0-9_]{0,6}", fullmatch=True)


literal_text = st.one_of(
    st.integers(-10**6, 10**6).map(str),
    st.floats(allow_nan=False, allow_infinity=False, width=32).map(repr),
    st.sampled_from(["true", "false", "null"]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters='"\\$%\n\r'),
            max_size=8).map(lambda s: f'"{s}"'),
)


def _expression_text(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    fn = st.sampled_from(sorted(functions.FUNCTIONS))
    return st.one_of(
        st.tuples(children, st.sampled_from(["+", "-", "*", "/", "%", "==", "!=", "<", "&&", "||"]), children)
        .map(lambda t: f"{t[0]} {t[1]} {t[2]}"),
        st.lists(children, max_size=4).map(lambda xs: "[" + ", ".join(xs) + "]"),
        st.lists(st.tuples(_identifier(), children), max_size=3)
        .map(lambda kvs: "{" + ", ".join(f"{k} = {v}" for k, v in kvs) + "}"),
        st.tuples(fn, st.lists(children, max_size=3)).map(lambda t: f"{t[0]}({', '.join(t[1])})"),
        st.tuples(children, children, children).map(lambda t: f"{t[0]} ? {t[1]} : {t[2]}"),
        st.tuples(_identifier(), children, children).map(lambda t: f"[for {t[0]} in {t[1]} : {t[2]}]"),
        children.map(lambda c: f'"a${{{c}}}b"'),
        children.map(lambda c: f"({c})"),
        children.map(lambda c: f"!{c}"),
        children.map(lambda c: f"{c}[0]"),
        children.map(lambda c: f"{c}.attr"),
    )


expression_text = st.recursive(
    st.one_of(literal_text, st.sampled_from(["var.v", "local.l", "each.key", "count.index", "aws_s3_bucket.b.id"])),
    _expression_text, max_leaves=12,
)

hcl_config = st.lists(
    st.one_of(
        st.tuples(_identifier(), expression_text).map(lambda t: f"locals {{\n  {t[0]} = {t[1]}\n}}\n"),
        st.tuples(_identifier(), st.lists(st.tuples(_identifier(), expression_text), max_size=4)).map(
            lambda t: f'resource "aws_s3_bucket" "{t[0]}" {{\n'
            + "".join(f"  {k} = {v}\n" for k, v in t[1]) + "}\n"),
        expression_text.map(lambda e: f'variable "v" {{\n  default = {e}\n}}\n'),
    ),
    max_size=4,
).map("".join)


@given(st.text(max_size=300))
@example("x = " + "9" * 5000)
@example("x = " + "(" * 10_000 + "1" + ")" * 10_000)
def test_hcl_front_end_on_arbitrary_text_raises_only_hcl_error(text):
    try:
        hcl.parse(text)
    except hcl.HclError as err:
        assert err.message


@given(hcl_like)
def test_hcl_front_end_on_near_hcl_raises_only_hcl_error(text):
    try:
        hcl.parse(text)
    except hcl.HclError as err:
        assert err.message


@given(hcl_config)
def test_hcl_front_end_parses_generated_configurations(text):
    with contextlib.suppress(hcl.HclError):
        hcl.parse(text)


@given(st.text(max_size=200))
def test_template_strings_raise_only_hcl_error(text):
    with contextlib.suppress(hcl.HclError):
        hcl.parse_template(text, 3)


# --- JSON with positions -------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=25,
)


@given(st.text(max_size=300))
@example("1" * 5000)
@example("[" * 100_000)
def test_jsonpos_on_arbitrary_text_raises_only_json_error(text):
    try:
        loads(text)
    except JsonError as err:
        assert err.line >= 1 and err.column >= 1


@given(json_values, st.sampled_from([None, 0, 2]))
def test_jsonpos_reads_what_the_standard_library_writes(value, indent):
    text = json.dumps(value, indent=indent)
    decoded, lines = loads(text)
    assert decoded == json.loads(text)
    assert all(1 <= line <= text.count("\n") + 1 for line in lines.values())


@given(json_values)
def test_tf_json_front_end_raises_only_hcl_error(value):
    with contextlib.suppress(hcl.HclError):
        tfjson.parse(json.dumps({"resource": {"aws_s3_bucket": {"b": value}}, "locals": value}))


# --- the expression evaluator --------------------------------------------------------------------

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10**12, 10**12), st.floats(), st.integers(), st.text(max_size=12),
    st.just(Unknown()), st.just(Ref("aws_s3_bucket.b", "id")), st.just(Ref("aws_s3_bucket.b", "bucket", "name")),
)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
    st.text(max_size=5), inner, max_size=4), max_leaves=15)


def _expressions(children: st.SearchStrategy[ex.Expr]) -> st.SearchStrategy[ex.Expr]:
    names = st.sampled_from(sorted(functions.FUNCTIONS) + ["nosuchfunction", "provider::aws::x"])
    return st.one_of(
        st.builds(ex.BinaryOp, st.sampled_from(["+", "-", "*", "/", "%", "==", "!=", "<", ">", "<=", ">=",
                                                "&&", "||"]), children, children, st.integers(0, 9)),
        st.builds(ex.UnaryOp, st.sampled_from(["!", "-"]), children, st.integers(0, 9)),
        st.builds(ex.Call, names, st.lists(children, max_size=4).map(tuple), st.booleans(), st.integers(0, 9)),
        st.builds(ex.TupleExpr, st.lists(children, max_size=4).map(tuple)),
        st.builds(ex.ObjectExpr, st.lists(st.tuples(children, children), max_size=3).map(tuple)),
        st.builds(ex.Conditional, children, children, children),
        st.builds(ex.Index, children, children),
        st.builds(ex.GetAttr, children, st.sampled_from(["a", "id", "key", "value", "x"])),
        st.builds(ex.Splat, children, st.just(ex.GetAttr(ex.SplatItem(), "a"))),
        st.builds(ex.ForExpr, st.sampled_from([None, "k"]), st.just("v"), children, children,
                  st.one_of(st.none(), children), st.one_of(st.none(), children), st.booleans()),
        st.builds(ex.Template, st.lists(st.one_of(st.text(max_size=5), children), max_size=4).map(tuple)),
        st.builds(lambda c, t, o: ex.Template((ex.TemplateIf(c, (t,), (o,)),)), children, children, children),
        st.builds(lambda coll, body: ex.Template((ex.TemplateFor(None, "v", coll, (body,)),)), children, children),
    )


expressions = st.recursive(
    st.one_of(
        st.builds(ex.Literal, values, st.integers(0, 9)),
        st.builds(ex.Variable, st.sampled_from(["v", "k", "var", "local", "missing", "each", "count"])),
    ),
    _expressions, max_leaves=20,
)


def _root(name: str):
    return {"var": {"a": 1, "b": "x"}, "local": Unknown("local")}.get(name, Unknown(f"no {name}"))


@given(expressions, st.dictionaries(st.sampled_from(["v", "k"]), values, max_size=2))
def test_evaluator_raises_only_its_own_limit_on_arbitrary_expression_trees(expr, env):
    try:
        Evaluator(_root).eval(expr, env)
    except EvaluationLimit as err:
        assert err.message


@given(values, values)
@example([1, 2], float("nan"))
@example([1, 2], float("-inf"))
def test_indexing_any_value_by_any_key_raises_only_evaluation_errors(obj, key):
    # obj[key] and obj.key: NaN, infinities, unknowns and references included.
    for expr in (ex.Index(ex.Literal(obj), ex.Literal(key)), ex.GetAttr(ex.Literal(obj), str(key))):
        with contextlib.suppress(EvalError, functions.FunctionError):
            Evaluator(_root).eval_strict(expr)


@given(st.sampled_from(sorted(functions.FUNCTIONS)), st.lists(values, max_size=4))
def test_functions_raise_only_rejections_or_limits(name, args):
    with contextlib.suppress(functions.FunctionError, EvaluationLimit):
        functions.call(name, args)


# --- the template front end ----------------------------------------------------------------------

INTRINSICS = ["Ref", "Fn::GetAtt", "Fn::Sub", "Fn::Join", "Fn::Select", "Fn::Split", "Fn::If", "Fn::Equals",
              "Fn::Not", "Fn::And", "Fn::Or", "Fn::FindInMap", "Fn::Base64", "Fn::Cidr", "Fn::GetAZs",
              "Fn::ImportValue", "Fn::Length", "Fn::ToJsonString", "Condition"]
NAMES = ["A", "B", "P", "C", "M", "AWS::Region", "AWS::NoValue", "AWS::AccountId"]

cfn_leaf = st.one_of(st.none(), st.booleans(), st.integers(-5, 5),
                     st.sampled_from(NAMES + ["", "x", "${A}", "${P.Arn}"]))
cfn_values = st.recursive(
    cfn_leaf,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(NAMES + ["Type", "Properties", "Default", "Value"]), inner, max_size=3),
        st.tuples(st.sampled_from(INTRINSICS), inner).map(lambda t: {t[0]: t[1]}),
    ),
    max_leaves=20,
)
cfn_resource = st.one_of(
    cfn_values,
    st.fixed_dictionaries({"Type": st.sampled_from(["AWS::S3::Bucket", "AWS::EC2::SecurityGroup",
                                                    "AWS::CloudFormation::Stack", "AWS::Serverless::Function", 5]),
                           "Properties": cfn_values},
                          optional={"Condition": cfn_values, "DependsOn": cfn_values, "Metadata": cfn_values}),
)
cfn_templates = st.fixed_dictionaries(
    {"AWSTemplateFormatVersion": st.just("2010-09-09")},
    optional={
        "Parameters": st.one_of(cfn_values, st.dictionaries(st.sampled_from(NAMES), st.one_of(
            cfn_values,
            st.fixed_dictionaries(
                {"Type": st.sampled_from(["String", "Number", "CommaDelimitedList", "List<Number>", 3])},
                optional={"Default": cfn_values, "AllowedValues": cfn_values, "NoEcho": cfn_values})),
            max_size=3)),
        "Conditions": st.one_of(cfn_values, st.dictionaries(st.sampled_from(NAMES), cfn_values, max_size=3)),
        "Mappings": st.one_of(cfn_values, st.dictionaries(st.sampled_from(NAMES), st.dictionaries(
            st.sampled_from(NAMES), cfn_values, max_size=2), max_size=2)),
        "Resources": st.one_of(cfn_values,
                               st.dictionaries(st.sampled_from(NAMES), cfn_resource, min_size=1, max_size=3)),
        "Outputs": st.one_of(cfn_values, st.dictionaries(st.sampled_from(NAMES), st.fixed_dictionaries(
            {"Value": cfn_values}), max_size=2)),
        "Transform": st.sampled_from(["AWS::Serverless-2016-10-31", ["AWS::LanguageExtensions"], 7]),
        "Globals": cfn_values,
    },
)


def _parse_template(text: str) -> list:
    from iac_assist.parsers.cloudformation import template

    worlds, errors = template.parse(text, "t.yaml")
    internal = [e for e in errors if "internal error" in e.message]
    assert not internal, internal
    return worlds


@given(st.text(max_size=300))
def test_template_front_end_on_arbitrary_text_reports_no_internal_error(text):
    _parse_template("AWSTemplateFormatVersion: '2010-09-09'\n" + text)


@given(cfn_templates)
def test_template_front_end_on_arbitrary_json_structures_reports_no_internal_error(template):
    _parse_template(json.dumps(template))


@given(cfn_templates)
def test_template_front_end_on_arbitrary_yaml_structures_reports_no_internal_error(template):
    _parse_template(yaml.safe_dump(template))


# --- whole scans: never an internal error, never a traceback ------------------------------------


def _scan(folder: Path):
    from iac_assist.analysis.engine import scan

    result = scan([folder])
    internal = [str(e) for e in result.errors if "internal error" in e.message]
    assert not internal, internal
    return result


@settings(max_examples=25)
@given(hcl_config)
def test_scanning_generated_terraform_never_fails_internally(tmp_path_factory, text):
    folder = tmp_path_factory.mktemp("tf")
    (folder / "main.tf").write_text(text, encoding="utf-8")
    _scan(folder)


@settings(max_examples=15)
@given(cfn_templates)
def test_scanning_generated_templates_never_fails_internally(tmp_path_factory, template):
    folder = tmp_path_factory.mktemp("cfn")
    (folder / "t.json").write_text(json.dumps(template), encoding="utf-8")
    _scan(folder)


@pytest.mark.parametrize("name", ["main.tf", "main.tf.json", "t.yaml", "t.json"])
@settings(max_examples=10)
@given(data=st.binary(max_size=200))
def test_scanning_arbitrary_bytes_never_fails_internally(tmp_path_factory, name, data):
    folder = tmp_path_factory.mktemp("bytes")
    prefix = b"AWSTemplateFormatVersion: '2010-09-09'\n" if name.startswith("t.") else b""
    (folder / name).write_bytes(prefix + data)
    _scan(folder)


def test_json_lines_cost_memory_bounded_by_a_depth_not_by_the_nesting():
    # A path key per value costs its length: 240 levels deep, every value would hold a 250-long
    # key. Lines stop at MAX_LINE_DEPTH; deeper values are placed at their nearest ancestor.
    from iac_assist.inputs import jsonpos
    depth = 120  # an object and a list a level: 240 levels deep
    text = "".join('{"a": [1, 2, ' for _ in range(depth)) + "3" + "]}" * depth
    value, lines = jsonpos.loads(text)
    assert max(len(path) for path in lines) == jsonpos.MAX_LINE_DEPTH
    assert len(lines) < 4 * jsonpos.MAX_LINE_DEPTH
