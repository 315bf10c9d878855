"""The Terraform front end: parsing, evaluation, expansion, modules, satellites, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from iac_assist.analysis.engine import build_graph, scan
from iac_assist.inputs.discovery import read_text
from iac_assist.model import Ref, Unknown
from iac_assist.parsers.terraform import hcl, load_configuration
from iac_assist.parsers.terraform.evaluator import Evaluator


def evaluate(text: str, **names):
    expr = hcl.parse(f"x = {text}\n").attributes["x"].expr
    return Evaluator(lambda n: names.get(n, Unknown(n))).eval(expr)


def resources(root: Path) -> dict[str, dict]:
    files = sorted(root.rglob("*.tf"))
    roots, errors = load_configuration(files, root, read_text)
    return {r.address: r for _, rs in roots for r in rs}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 + 2 * 3", 7),
        ("(1 + 2) * 3", 9),
        ("10 / 4", 2.5),
        ("5 > 3 ? \"yes\" : \"no\"", "yes"),
        ("!true || false", False),
        ('"a-${1 + 1}-b"', "a-2-b"),
        ('"%{if true}on%{else}off%{endif}"', "on"),
        ("[for s in [\"a\", \"b\"] : upper(s)]", ["A", "B"]),
        ("{for k, v in {a = 1, b = 2} : v => k}", {"1": "a", "2": "b"}),
        ("[for n in [1, 2, 3] : n if n > 1]", [2, 3]),
        ("length(concat([1], [2, 3]))", 3),
        ('join(",", ["a", "b"])', "a,b"),
        ('lookup({a = "x"}, "b", "d")', "d"),
        ('merge({a = 1}, {b = 2})', {"a": 1, "b": 2}),
        ('cidrsubnet("10.0.0.0/16", 8, 2)', "10.0.2.0/24"),
        ('jsonencode({b = 1, a = [true]})', '{"a":[true],"b":1}'),
        ('try(tonumber("x"), 7)', 7),
        ('can(tonumber("x"))', False),
        ("[{a = 1}, {a = 2}][*].a", [1, 2]),
        ('coalesce("", "z")', "z"),
        ('element(["a", "b"], 3)', "b"),
        ('format("%s-%03d", "db", 7)', "db-007"),
        ('flatten([[1], [2, [3]]])', [1, 2, 3]),
        ('replace("a.b.c", ".", "-")', "a-b-c"),
        ('split(",", "a,b")', ["a", "b"]),
        ('lower("AbC")', "abc"),
        ('trimspace("  x \n")', "x"),
        ('tolist(toset(["b", "a", "b"]))', ["a", "b"]),
        ('tomap({a = "1"})', {"a": "1"}),
        ("tostring(5)", "5"),
        ('tonumber("5")', 5),
        (r'jsondecode("{\"a\": [1]}")', {"a": [1]}),
        ('yamldecode(yamlencode({a = [1, "x"]}))', {"a": [1, "x"]}),
        ('base64encode("hi")', "aGk="),
        ('cidrhost("10.0.1.0/24", 5)', "10.0.1.5"),
        ('compact(["a", "", "b"])', ["a", "b"]),
        ('distinct([1, 2, 1])', [1, 2]),
        ('keys({b = 1, a = 2})', ["a", "b"]),
        ('values({b = 1, a = 2})', [2, 1]),
        ('zipmap(["a", "b"], [1, 2])', {"a": 1, "b": 2}),
        ('contains(["a"], "a")', True),
        ("range(3)", [0, 1, 2]),
        ("min(3, 1, 2)", 1),
        ("max(3, 1, 2)", 3),
        ("abs(-4)", 4),
        ('upper("ab")', "AB"),
    ],
)
def test_expressions(text, expected):
    assert evaluate(text) == expected


def test_unknown_propagates_and_never_becomes_known():
    assert isinstance(evaluate('"${x}-b"'), Unknown)
    assert isinstance(evaluate("x ? 1 : 2"), Unknown)
    assert evaluate("x ? 1 : 1") == 1
    assert isinstance(evaluate("upper(x)"), Unknown)
    assert evaluate("length([x, x])") == 2
    assert evaluate("false && x") is False


def test_heredoc_with_interpolation_and_trim():
    text = 'x = <<-EOT\n    hello ${"w"}\n      %{ for a in [1, 2] }${a}%{ endfor }\n    EOT\n'
    expr = hcl.parse(text).attributes["x"].expr
    assert Evaluator(lambda n: Unknown()).eval(expr) == "hello w\n  12\n"


@pytest.mark.parametrize("closing", ["EOT  ", "  EOT\t", "EOT \r"])
def test_heredoc_closing_marker_may_have_trailing_blanks(closing):
    # Terraform compares the trimmed line with the marker; real code has "POLICY3  " lines.
    text = f'x = <<EOT\n{{"a": 1}}\n{closing}\ny = 2\n'.replace("\r\n", "\r\n")
    body = hcl.parse(text)
    assert Evaluator(lambda n: Unknown()).eval(body.attributes["x"].expr) == '{"a": 1}\n'
    assert body.attributes["y"].line == 4


def test_syntax_error_names_line():
    with pytest.raises(hcl.HclError) as err:
        hcl.parse('resource "a" "b" {\n  x = \n}\n')
    assert err.value.line == 2  # the attribute left without a value


def test_variables_locals_count_and_references(write_tree):
    root = write_tree({
        "main.tf": '''
variable "env" { default = "prod" }
variable "n" { default = 2 }
locals { name = "${var.env}-site" }
resource "aws_vpc" "main" { cidr_block = "10.0.0.0/16" }
resource "aws_subnet" "s" {
  count      = var.n
  vpc_id     = aws_vpc.main.id
  cidr_block = cidrsubnet(aws_vpc.main.cidr_block, 8, count.index)
  tags       = { Name = "${local.name}-${count.index}" }
}
resource "aws_s3_bucket" "b" { bucket = local.name }
resource "aws_s3_bucket" "off" {
  count  = 0
  bucket = "gone"
}
''',
    })
    found = resources(root)
    assert sorted(found) == ["aws_s3_bucket.b", "aws_subnet.s[0]", "aws_subnet.s[1]", "aws_vpc.main"]
    s1 = found["aws_subnet.s[1]"]
    assert s1.body["cidr_block"] == "10.0.1.0/24"
    assert s1.body["tags"] == {"Name": "prod-site-1"}
    assert s1.body["vpc_id"] == Ref("aws_vpc.main", "id", Unknown())
    assert found["aws_s3_bucket.b"].body["bucket"] == "prod-site"
    assert s1.at("cidr_block").line == 9


def test_for_each_and_dynamic_blocks(write_tree):
    root = write_tree({
        "main.tf": '''
resource "aws_security_group" "sg" {
  for_each = { web = [80, 443], db = [5432] }
  name     = each.key
  dynamic "ingress" {
    for_each = each.value
    content {
      from_port   = ingress.value
      to_port     = ingress.value
      protocol    = "tcp"
      cidr_blocks = ["10.0.0.0/8"]
    }
  }
}
''',
    })
    found = resources(root)
    assert sorted(found) == ['aws_security_group.sg["db"]', 'aws_security_group.sg["web"]']
    web = found['aws_security_group.sg["web"]']
    assert [r["from_port"] for r in web.body["ingress"]] == [80, 443]
    assert web.at("ingress", 1, "from_port").line == 8


def test_local_module_inputs_outputs_and_prefix(write_tree):
    root = write_tree({
        "main.tf": '''
variable "public" { default = true }
module "db" {
  source = "./modules/db"
  public = var.public
}
resource "aws_s3_bucket" "b" { bucket = module.db.name }
''',
        "modules/db/main.tf": '''
variable "public" { default = false }
variable "name" { default = "orders" }
resource "aws_db_instance" "this" {
  identifier          = var.name
  publicly_accessible = var.public
}
output "name" { value = aws_db_instance.this.identifier }
''',
    })
    found = resources(root)
    assert found["module.db.aws_db_instance.this"].body["publicly_accessible"] is True
    assert found["aws_s3_bucket.b"].body["bucket"] == Ref("module.db.aws_db_instance.this", "identifier",
                                                           "orders")
    assert found["module.db.aws_db_instance.this"].loc.file == "modules/db/main.tf"


def test_module_outside_root_and_remote_module_are_reported(tmp_path):
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "main.tf").write_text('resource "aws_s3_bucket" "x" {}\n')
    inner = tmp_path / "scan"
    inner.mkdir()
    (inner / "main.tf").write_text(
        'module "up" {\n  source = "../outside"\n}\nmodule "reg" {\n  source = "terraform-aws-modules/vpc/aws"\n}\n'
    )
    result = scan([inner])
    messages = [(e.file, e.line, e.level, e.message) for e in result.errors]
    assert any(m[1] == 2 and "outside the scanned root" in m[3] and m[2] == "error" for m in messages)
    assert any(m[1] == 4 and "not downloaded" in m[3] and m[2] == "warning" for m in messages)
    assert result.exit_code("low") == 2


def test_module_cycle_is_refused(write_tree):
    root = write_tree({
        "main.tf": 'module "a" {\n  source = "./a"\n}\n',
        "a/main.tf": 'module "b" {\n  source = "../b"\n}\n',
        "b/main.tf": 'module "a" {\n  source = "../a"\n}\nresource "aws_vpc" "v" {}\n',
    })
    result = scan([root])
    assert any("cycle" in e.message for e in result.errors)


def test_huge_count_is_refused_and_the_rest_goes_on(write_tree):
    root = write_tree({
        "main.tf": '''
resource "aws_s3_bucket" "many" { count = 1000000000 }
resource "aws_db_instance" "db" { publicly_accessible = true }
''',
    })
    result = scan([root])
    assert [(e.line, e.level) for e in result.errors] == [(2, "error")]
    assert "db-publicly-accessible" in [f.control for f in result.findings]


def test_syntax_error_in_one_file_keeps_the_others(write_tree):
    root = write_tree({
        "broken/main.tf": 'resource "aws_s3_bucket" "b" {\n  acl = \n}\n',
        "ok/main.tf": 'resource "aws_db_instance" "db" {\n  publicly_accessible = true\n}\n',
    })
    result = scan([root])
    assert [(e.file, e.line) for e in result.errors] == [("broken/main.tf", 2)]
    assert ("db-publicly-accessible", "ok/main.tf", 2) in [(f.control, f.loc.file, f.loc.line) for f in result.findings]


def test_satellites_fold_onto_their_owner_with_their_own_lines(write_tree):
    root = write_tree({
        "main.tf": '''
resource "aws_s3_bucket" "b" { bucket = "logs" }
resource "aws_s3_bucket_acl" "b" {
  bucket = aws_s3_bucket.b.id
  acl    = "public-read"
}
resource "aws_s3_bucket_public_access_block" "by_name" {
  bucket                  = "logs"
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}
''',
    })
    graph, _ = build_graph([root])
    (bucket,) = graph.of_kind("s3.bucket")
    assert bucket.get("acl") == "public-read"
    assert bucket.loc_of("acl").line == 5
    assert bucket.facts["acl"].origin == "aws_s3_bucket_acl.b"
    assert bucket.get("public_access_block")["ignore_public_acls"] is True
    assert bucket.loc_of("public_access_block").line == 7


def test_references_become_graph_edges(write_tree):
    root = write_tree({
        "main.tf": '''
resource "aws_vpc" "v" {}
resource "aws_subnet" "s" { vpc_id = aws_vpc.v.id }
resource "aws_flow_log" "f" { vpc_id = "${aws_vpc.v.id}" }
''',
    })
    graph, _ = build_graph([root])
    edges = {(graph.components[a].address, graph.components[b].address, d["kind"])
             for a, b, d in graph.graph.edges(data=True)}
    assert ("aws_subnet.s", "aws_vpc.v", "reference") in edges
    assert ("aws_flow_log.f", "aws_vpc.v", "reference") in edges


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('"a%{for v in [1, 2]}${v}%{endfor}b%{if false}X%{else}Y%{endif}"', "a12bY"),
        ('"$${not} %%{this}"', "${not} %{this}"),
        ("<<EOT\n%{ if true }T%{ else }F%{ endif }\nEOT\n", "T\n"),
    ],
)
def test_template_directives(source, expected):
    expr = hcl.parse(f"x = {source}\n").attributes["x"].expr
    assert Evaluator(lambda n: Unknown()).eval(expr) == expected


def test_unbalanced_directive_is_a_clear_error():
    with pytest.raises(hcl.HclError, match="without"):
        hcl.parse('x = "%{endif}"\n')


def test_the_parser_is_python_hcl2s_own_tree_for_tree_and_position_for_position():
    # hcl_parser.py builds python-hcl2's parser its own way (for start-up time and speed): the
    # grammar's tables run without Lark (hcl_lalr.py), Lark parses only what they refuse. Same
    # trees, tokens and positions on every Terraform file here, and Lark's own errors. Lark's
    # nodes carry propagated positions (meta); ours do not, and the positions read from a node's
    # edge tokens (hcl.edge_token) are the ones python-hcl2's parser propagates.
    from hcl2.parser import parser as hcl2_parser

    from iac_assist.parsers.terraform.hcl_extract import canonical

    ours, theirs = hcl._parser(), hcl2_parser()
    assert ours is hcl._parser()  # one instance per process
    assert ours.fast is not None  # the tables (made by tests/conftest.py as by a first scan)
    repo = Path(__file__).resolve().parent.parent
    files = sorted((repo / "fixtures").rglob("*.tf")) + sorted((repo / "policies" / "examples").rglob("*.tf"))
    assert len(files) > 20

    def subtrees(tree):
        stack = [tree]
        while stack:
            node = stack.pop()
            if hasattr(node, "data"):
                yield node
                stack.extend(reversed(node.children))

    def outcome(parser, text):
        try:
            tree = parser.parse(text)
        except Exception as err:  # the same error either way
            return type(err).__name__, str(err)
        if parser is ours:
            metas = [(t.data, hcl.edge_token(t, False).line, hcl.edge_token(t, False).column,
                      hcl.edge_token(t, True).end_line) for t in subtrees(tree) if hcl.edge_token(t, False)]
        else:
            metas = [(t.data, t.meta.line, t.meta.column, t.meta.end_line)
                     for t in subtrees(tree) if not t.meta.empty]
        return canonical(tree), metas

    fallbacks = ours.fallbacks
    for path in files:
        text = hcl._closing_markers_trimmed(path.read_text(encoding="utf-8-sig")) + "\n"
        assert outcome(ours, text) == outcome(theirs, text), path
    assert ours.fallbacks == fallbacks  # all parsed on the tables
    # Errors come from Lark's own driver, expected tokens and positions included.
    for broken in ["x = \n", 'resource "a" {\n', "x = [1, 2\n", "x = 1 +* 2\n", "}\n", 'a "b" = 1\n',
                   "x = a ? b\n", "x = \"${\"\n", "x = 1 2\n"]:
        mine = outcome(ours, broken)
        assert mine == outcome(theirs, broken), broken
        assert mine[0].startswith("Unexpected"), broken


def test_regex_functions_work_after_the_parser_kept_regex_out_of_larks_import():
    # hcl_parser.py hides the regex module from Lark's import only: in a fresh interpreter, the
    # parser comes first and regex() must still find the module afterwards.
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from iac_assist.model import Unknown\n"
        "from iac_assist.parsers.terraform import hcl\n"
        "from iac_assist.parsers.terraform.evaluator import Evaluator\n"
        "expr = hcl.parse('x = regex(\"a+\", \"caab\")\\n').attributes['x'].expr\n"
        "print('regex' in sys.modules, Evaluator(lambda n: Unknown(n)).eval(expr), 'regex' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "aa", "True"]
