"""The threat model's Markdown, Mermaid, DOT and OTM formats: deterministic, safe with hostile
names, valid for the tools that read them (Mermaid's own parser, a DOT parser, the OTM schema)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path

import pytest

from iac_assist.model import Location
from iac_assist.threatmodel.formats import RenderOptions, mermaid_format, render
from iac_assist.threatmodel.model import INTERNET, AttackPath, Flow, ModelComponent, Threat, ThreatModel
from tests.conftest import REPO, SEED

# pydot's parser still calls pyparsing's old names; that is pydot's business, not this test's.
pytestmark = pytest.mark.filterwarnings("ignore:'\\w+' deprecated - use:DeprecationWarning")

SEEDS = {
    "terraform-insecure": SEED / "terraform" / "insecure",
    "terraform-hardened": SEED / "terraform" / "hardened",
    "cloudformation-insecure": SEED / "cloudformation" / "insecure.yaml",
    "cloudformation-hardened": SEED / "cloudformation" / "hardened.yaml",
}
FORMATS = ("markdown", "mermaid", "dot", "otm")
CHECKER = REPO / "tools" / "mermaid-check"
OTM_SCHEMA = REPO / "tests" / "schemas" / "otm-0.2.0.schema.json"


@cache
def seed_model(name: str) -> ThreatModel:
    from iac_assist.analysis.engine import scan
    from iac_assist.threatmodel.build import build

    result = scan([SEEDS[name]])
    assert not result.has_errors, [str(e) for e in result.errors]
    return build(result)


def fresh_model(name: str) -> ThreatModel:
    seed_model.cache_clear()
    return seed_model(name)


HOSTILE = [
    'bad"name',
    "a[0]",
    'module.x["a"].y',
    "pipe|name",
    "tick`name``x",
    "arrow-->name",
    "line\nbreak\r\nname",
    "%%{init: {'theme': 'dark'}}%%",
    "<img src=x onerror=alert(1)>",
    "#quot;&amp;#35;",
    "end",
    "style z fill:red;",
    "back\\slash\\",
    "ünïcødé – ﬂ°°",
    "a.b",
    "a_b",
    "[link](https://example.com) *em* _u_",
]


def hostile_model() -> ThreatModel:
    """Every hostile name as a component, in every zone, with flows between them and threats on
    them; one VPC is named hostile too."""
    zones = ["edge", "aws", "vpc", "public", "private", "elsewhere"]
    vpc_id = 'vpc"--> x'
    comps = [ModelComponent(vpc_id, "ec2.vpc", "vpc", Location("v.tf", 1), vpc_id, vpc_id, "aws_vpc")]
    for i, name in enumerate(HOSTILE):
        zone = zones[i % len(zones)]
        kind = ("s3.bucket", "ec2.instance", "rds.instance")[i % 3]
        vpc = vpc_id if zone in ("vpc", "public", "private") and i % 2 else None
        comps.append(ModelComponent(name, kind, zone, Location(f"dir|`x`/{name}.tf", i + 1), vpc, name, name))
    flows = [Flow(INTERNET, HOSTILE[0], 443, 'HT"TP|S`', False, ("internet/edge",), Location("f|.tf", 3), 'why "|`')]
    flows += [Flow(a, b, i, "TCP", i % 2 == 0, (), None, f"because {a}")
              for i, (a, b) in enumerate(zip(HOSTILE, HOSTILE[1:], strict=False))]
    threats = [Threat(f"t-{i}@{name}", "STRIDE"[i % 6], name, f"title {name}", "open" if i % 2 else "mitigated",
                      (f"ctl|{i}`",), ("f" * 8,) if i % 2 else ())
               for i, name in enumerate(HOSTILE)]
    threats.append(Threat(f"vpc-t@{vpc_id}", "R", vpc_id, "vpc threat", "open", ("vpc-flow-logs-missing",), ("x",)))
    paths = [AttackPath(HOSTILE[2], (INTERNET, HOSTILE[1], HOSTILE[2]),
                        ((Location("p|`.tf", 9), "hop | one `x`"), (None, "hop\ntwo")))]
    return ThreatModel(sorted(comps, key=lambda c: c.id), flows, threats, paths)


# --- determinism -------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_same_input_gives_byte_identical_output(seed: str, fmt: str):
    first = render(fresh_model(seed), fmt)
    second = render(fresh_model(seed), fmt)
    assert first == second
    assert first.endswith("\n") and not first.endswith("\n\n")


@pytest.mark.parametrize("fmt", FORMATS)
def test_hostile_model_output_is_deterministic_too(fmt: str):
    assert render(hostile_model(), fmt) == render(hostile_model(), fmt)


@pytest.mark.parametrize("fmt", FORMATS)
def test_cli_writes_each_format(fmt: str, tmp_path: Path):
    from click.testing import CliRunner

    from iac_assist.cli import cli

    out = tmp_path / f"model.{fmt}"
    result = CliRunner().invoke(cli, ["model", str(SEEDS["terraform-insecure"]), "-f", fmt, "-o", str(out)])
    assert result.exit_code == 0, result.output
    # The OTM project is named after the scanned folder.
    expected = render(seed_model("terraform-insecure"), fmt, RenderOptions(project_name="insecure"))
    assert out.read_text(encoding="utf-8") == expected


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_empty_model_renders(fmt: str):
    text = render(ThreatModel(), fmt)
    assert text.endswith("\n")
    if fmt == "otm":
        check_otm(json.loads(text))


# --- Mermaid -----------------------------------------------------------------------------------

NODE_LINE = re.compile(r'^ *(n_\w+)(\["|\[\(")([^"]*)("\]|"\)\])$')
SUBGRAPH_LINE = re.compile(r'^ *subgraph (\w+)\["([^"]*)"\]$')
EDGE_LINE = re.compile(r'^ *(\w+) (-->|-\.->)\|"([^"]*)"\| (\w+)$')
STATEMENT = re.compile(r'^ *(flowchart LR|internet\(\("Internet"\)\)|end|classDef \w+ [\w:#,.-]+|class [\w,]+ \w+'
                       r'|linkStyle [\d,]+ [\w:#,.-]+|legend_\w+\["[\w :]+"\]|legend ~~~ internet)$')


def mermaid_statements(text: str) -> dict[str, list[tuple[str, ...]]]:
    """Every line of a diagram, classified; any line of another shape fails the test."""
    out: dict[str, list[tuple[str, ...]]] = {"node": [], "subgraph": [], "edge": [], "other": []}
    for line in text.splitlines():
        for kind, pattern in (("node", NODE_LINE), ("subgraph", SUBGRAPH_LINE), ("edge", EDGE_LINE)):
            match = pattern.match(line)
            if match:
                out[kind].append(match.groups())
                break
        else:
            assert STATEMENT.match(line), f"unexpected Mermaid line: {line!r}"
            out["other"].append((line.strip(),))
    return out


def test_mermaid_escapes_hostile_names():
    model = hostile_model()
    text = render(model, "mermaid")
    parts = mermaid_statements(text)
    # One node per component (the VPC is its subgraph) and one edge per flow: nothing injected.
    assert len(parts["node"]) == len(HOSTILE)
    assert len(parts["edge"]) == len(model.flows)
    ids = [n[0] for n in parts["node"]] + [s[0] for s in parts["subgraph"]]
    assert len(ids) == len(set(ids)), "ids must be unique (a.b and a_b too)"
    # Beyond the entities and our own line breaks, no character Mermaid could read as syntax.
    labels = [n[2].replace("<br/>", " ") for n in parts["node"]] + [s[1] for s in parts["subgraph"]] \
        + [e[2] for e in parts["edge"]]
    for label in labels:
        plain = re.sub(r"#(\d+|quot);", "", label)
        assert not set(plain) & set('"`|%;<>&:#\\'), label
        assert all(32 <= ord(ch) < 127 for ch in label), label
    # Names come back once Mermaid decodes its entities.
    assert "bad#quot;name" in text and "pipe#124;name" in text and "tick#96;name#96;#96;x" in text
    assert "#37;#37;#123;init#58;" in text and "#lt;img" not in text and "#60;img" in text
    assert "&" not in text.replace("#38;", "")


def test_mermaid_draws_zones_flows_plaintext_and_open_threats():
    text = render(seed_model("terraform-insecure"), "mermaid")
    parts = mermaid_statements(text)
    assert text.startswith("flowchart LR\n")
    subgraphs = {title for _, title in parts["subgraph"]}
    assert {"Edge", "AWS", "VPC aws_vpc.main (1 open threat)", "Public subnets", "Private subnets", "Legend"} \
        <= subgraphs
    labels = {label for *_, label, _ in parts["edge"]}
    assert {"HTTPS 443", "HTTP 80 plaintext", "TCP 5432"} <= labels
    # Nesting: the subnets' subgraphs sit inside the VPC's, which sits inside AWS.
    lines = text.splitlines()
    depth = {m.group(2): len(m.group(1)) for line in lines if (m := re.match(r'^( *)subgraph \w+\["([^"]*)"', line))}
    vpc = "VPC aws_vpc.main (1 open threat)"
    assert depth["AWS"] < depth[vpc] < depth["Public subnets"] == depth["Private subnets"]
    # Plaintext edges: dotted, and red through linkStyle at their indexes.
    plaintext = [i for i, (_, arrow, label, _) in enumerate(parts["edge"]) if "plaintext" in label]
    assert all(parts["edge"][i][1] == "-.->" for i in plaintext)
    link_style = next(line for (line,) in parts["other"] if line.startswith("linkStyle"))
    assert link_style.split()[1] == ",".join(map(str, plaintext))
    # Components with open threats carry the class and their count.
    marked = next(line for (line,) in parts["other"] if line.endswith(" openThreat") and line.startswith("class "))
    assert "n_module_database_aws_db_instance_this" in marked and "n_aws_instance_web" not in marked
    # The two instances of aws_instance.web (count = 2) are one node.
    assert 'n_aws_instance_web["aws_instance.web #215;2<br/>ec2.instance' in text


def test_mermaid_leaves_out_plumbing_unless_a_flow_or_an_open_threat_shows_it():
    insecure = render(seed_model("terraform-insecure"), "mermaid")
    for plumbing in ("aws_route_table_public", "aws_subnet_public_0", "aws_lb_listener_http",
                     "aws_lb_target_group_web", "aws_security_group_web", "aws_internet_gateway_main"):
        assert f"n_{plumbing}" not in insecure
    # The database's security group admits the internet (an open threat): it is drawn.
    assert "n_module_database_aws_security_group_this" in insecure
    hardened = render(seed_model("terraform-hardened"), "mermaid")
    assert "security_group" not in hardened and "openThreat" not in hardened
    # A flow to plumbing draws it; components of VPC zones without a VPC go in a generic VPC.
    model = ThreatModel(
        [ModelComponent("sg", "ec2.security_group", "vpc", None), ModelComponent("i", "ec2.instance", "private", None),
         ModelComponent("rt", "ec2.route_table", "vpc", None)],
        [Flow("i", "sg", 22, "TCP", None)],
    )
    text = render(model, "mermaid")
    assert "n_sg[" in text and "n_rt" not in text and 'subgraph z_vpc["VPC (not known)"]' in text


def test_mermaid_empty_model_is_just_the_internet():
    assert render(ThreatModel(), "mermaid") == 'flowchart LR\n  internet(("Internet"))\n'


# --- Markdown ----------------------------------------------------------------------------------


def table_rows(markdown: str) -> list[list[str]]:
    """Rows of every table, split on unescaped pipes."""
    rows = []
    for line in markdown.splitlines():
        if line.startswith("|"):
            cells = re.split(r"(?<!\\)\|", line)
            assert cells[0] == "" and cells[-1] == "", line
            rows.append(cells[1:-1])
    return rows


def tables(markdown: str) -> list[list[list[str]]]:
    out: list[list[list[str]]] = []
    previous = False
    for line in markdown.splitlines():
        is_row = line.startswith("|")
        if is_row and not previous:
            out.append([])
        if is_row:
            out[-1].extend(table_rows(line))
        previous = is_row
    return out


def test_markdown_report_has_every_section():
    model = seed_model("terraform-insecure")
    text = render(model, "markdown")
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert headings == ["# Threat model", "## Top risks", "## Summary", "## Diagram", "## Threats", "## Attack paths",
                        "## Flows"]
    assert text.count("```mermaid\n") == 1
    block = text.split("```mermaid\n", 1)[1].split("\n```\n", 1)[0]
    # The diagram without its legend, which is a table under it (it cannot overlap an edge there).
    assert block.splitlines() == mermaid_format.lines(model, legend=False)
    assert "| Mark | Meaning |" in text
    # Summary counts.
    open_count = sum(t.status == "open" for t in model.threats)
    undetermined = sum(t.status == "undetermined" for t in model.threats)
    assert f"- **Threats:** {open_count} open, {undetermined} undetermined, " \
        f"{len(model.threats) - open_count - undetermined} mitigated." in text
    assert f"- **Attack paths:** {len(model.attack_paths)} from the internet, 2 needing no compromise." in text
    public = sum(c.zone == "public" for c in model.components)
    assert f"| `public` | {public} |" in text and "| D: Denial of service |" in text
    # Threat table: open first, every threat once.
    threats = next(t for t in tables(text) if t[0][0].strip() == "Status")
    statuses = [row[0].strip() for row in threats[2:]]
    assert len(statuses) == len(model.threats)
    assert statuses == sorted(statuses, key=lambda s: s != "**open**")
    assert any("`db-exposure`" in row[1] and row[6].strip() == "4" for row in threats[2:])
    # Attack paths: numbered, each hop with what allows it and where.
    assert "2. `internet` → `aws_internet_gateway.main` → `aws_subnet.public[0]`" in text
    assert "   1. `aws_subnet.public[0]`: subnet aws\\_subnet.public\\[0\\] routes 0.0.0.0/0 to the internet " \
           "gateway (`network.tf:78`)" in text
    assert "(`modules/database/main.tf:62`)" in text
    flows = next(t for t in tables(text) if t[0][0].strip() == "Source")
    assert len(flows) - 2 == len(model.flows)


def test_markdown_report_over_its_budget_says_what_each_table_left_out(monkeypatch):
    # A large architecture's report must still fit a job summary (GitHub keeps 1 MiB and shows
    # nothing of a larger one): the tables stop, saying how many rows they left out.
    from iac_assist.threatmodel.formats import markdown_format

    model = seed_model("terraform-insecure")
    full = render(model, "markdown")
    assert "not shown here" not in full  # the reference app fits whole
    monkeypatch.setattr(markdown_format, "MAX_BYTES", 12_000)
    text = render(model, "markdown")
    assert len(text.encode()) <= 12_000
    left_out = [line for line in text.splitlines() if line.startswith("… and ")]
    assert len(left_out) >= 1 and all(line.endswith("(`iac-assist model --format json` lists them all).")
                                      for line in left_out)
    def threat_rows_of(markdown: str) -> list[list[str]]:
        table = next(t for t in tables(markdown) if t[0][0].strip() == "Status")
        return table[2:]  # after the header and its rule

    threat_rows = threat_rows_of(text)
    shown = re.search(r"… and (\d+) more threats", text)
    assert shown is not None and len(threat_rows) + int(shown.group(1)) == len(model.threats)
    # What is cut is the end of each table: the rows shown are the full report's first ones.
    assert threat_rows == threat_rows_of(full)[:len(threat_rows)]
    assert [row[0] for row in threat_rows] == sorted((row[0] for row in threat_rows),
                                                    key=lambda s: s != " **open** ")
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert headings == ["# Threat model", "## Top risks", "## Summary", "## Diagram", "## Threats", "## Attack paths",
                        "## Flows"]


def test_markdown_budget_counts_bytes_not_characters(monkeypatch):
    from iac_assist.threatmodel.formats import markdown_format

    wide = "\U0001F600" * 40  # four bytes each in UTF-8
    threats = [Threat(f"t{i}@{wide}{i}", "S", f"{wide}{i}", "a title", "open", ()) for i in range(200)]
    model = ThreatModel(components=[], flows=[], threats=threats, attack_paths=[])
    monkeypatch.setattr(markdown_format, "MAX_BYTES", 20_000)
    text = render(model, "markdown")
    assert len(text.encode()) <= 20_000
    assert "more threats not shown here" in text


def test_markdown_hardened_report_says_there_is_no_attack_path():
    text = render(seed_model("cloudformation-hardened"), "markdown")
    assert "- **Attack paths:** 7 from the internet, 0 needing no compromise." in text
    assert "- **Threats:** 0 open" in text


def test_markdown_escapes_hostile_names_in_tables_and_lists():
    text = render(hostile_model(), "markdown")
    for table in tables(text):
        widths = {len(row) for row in table}
        assert len(widths) == 1, f"a cell was split: {table}"
    # Outside code spans (and the diagram), no raw HTML, link or emphasis from a name.
    prose = re.sub(r"(?<![\\`])(`+)(?!`).*?(?<!`)\1(?!`)", "", text.split("```mermaid")[0] + text.split("\n```\n")[1])
    for special in ("<", "](", "*", "_", "`"):
        assert not re.search(rf"(?<!\\){re.escape(special)}", prose.replace("**", "")), special
    for line in text.splitlines():
        if line.startswith("|"):
            assert "\r" not in line
    # Code spans outgrow the backticks inside a name.
    assert "```tick`name``x```" in text
    assert "hop \\| one \\`x\\`" in text and "hop two (not known)" in text


def test_markdown_code_spans():
    from iac_assist.threatmodel.formats.markdown_format import code, text

    assert code("a|b") == "`a\\|b`" and code("a|b", cell=False) == "`a|b`"
    assert code("`x`") == "`` `x` ``"
    assert code("a\nb") == "`a b`"
    assert text("*a* [b](c) <d> `e` | f_g") == "\\*a\\* \\[b\\]\\(c\\) \\<d\\> \\`e\\` \\| f\\_g"


# --- DOT ---------------------------------------------------------------------------------------


def _parse_dot(text: str):
    pydot = pytest.importorskip("pydot", reason="pydot (the test extra) parses DOT")
    graphs = pydot.graph_from_dot_data(text)
    assert graphs is not None and len(graphs) == 1, "not valid DOT"
    return graphs[0]


def _all_nodes(graph) -> list:
    nodes = list(graph.get_nodes())
    for sub in graph.get_subgraphs():
        nodes += _all_nodes(sub)
    return [n for n in nodes if n.get_name() not in ("node", "edge", "graph", '"\\n"')]


@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_dot_is_valid(seed: str):
    model = seed_model(seed)
    graph = _parse_dot(render(model, "dot"))
    # One edge per flow between drawn nodes (instances of a count block are one node).
    assert len(graph.get_edges()) == len(mermaid_format.layout(model).flows)
    clusters = [s.get_name() for s in graph.get_subgraphs()]
    assert all(name.startswith('"cluster_') for name in clusters)


def test_dot_marks_plaintext_and_open_threats():
    text = render(seed_model("terraform-insecure"), "dot")
    graph = _parse_dot(text)
    plaintext = [e for e in graph.get_edges() if "plaintext" in e.get("label")]
    assert plaintext and all(e.get("style") == "dashed" and e.get("color") == '"#d62728"' for e in plaintext)
    db = next(n for n in _all_nodes(graph) if n.get_name() == '"module.database.aws_db_instance.this"')
    assert db.get("penwidth") == "2.5" and "open threats" in db.get("label")
    assert 'subgraph "cluster_vpc:aws_vpc.main:public" {' in text


def test_dot_escapes_hostile_names():
    model = hostile_model()
    text = render(model, "dot")
    graph = _parse_dot(text)
    names = {n.get_name() for n in _all_nodes(graph)}
    assert len(names) == len(HOSTILE) + 1  # and the internet
    assert '"bad\\"name"' in names and '"back\\\\slash\\\\"' in names
    assert len(graph.get_edges()) == len(model.flows)
    assert "\r" not in text and all(line.startswith(("digraph", "  ", "}")) for line in text.splitlines())


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
@pytest.mark.parametrize("model_of", [lambda: seed_model("terraform-insecure"), hostile_model])
def test_graphviz_draws_it(model_of, tmp_path: Path):
    run = subprocess.run(["dot", "-Tsvg"], input=render(model_of(), "dot"), capture_output=True, text=True,
                         timeout=60)
    assert run.returncode == 0, run.stderr


# --- OTM ---------------------------------------------------------------------------------------


@cache
def otm_validator():
    import jsonschema

    schema = json.loads(OTM_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def check_otm(otm: dict) -> None:
    errors = sorted(otm_validator().iter_errors(otm), key=lambda e: list(e.absolute_path))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]
    zones = {z["id"] for z in otm["trustZones"]}
    components = [c["id"] for c in otm["components"]]
    assert len(components) == len(set(components))
    assert all(c["parent"]["trustZone"] in zones for c in otm["components"])
    assert all(z["parent"]["trustZone"] in zones for z in otm["trustZones"] if "parent" in z)
    assert all(f["source"] in components and f["destination"] in components for f in otm["dataflows"])
    flows = [f["id"] for f in otm["dataflows"]]
    assert len(flows) == len(set(flows))
    threats = {t["id"] for t in otm["threats"]}
    mitigations = {m["id"] for m in otm["mitigations"]}
    for element in otm["components"] + otm["dataflows"]:
        for instance in element.get("threats", []):
            assert instance["threat"] in threats
            assert all(m["mitigation"] in mitigations for m in instance["mitigations"])


@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_otm_is_valid_against_the_published_schema(seed: str):
    model = seed_model(seed)
    otm = json.loads(render(model, "otm"))
    check_otm(otm)
    assert otm["otmVersion"] == "0.2.0"
    assert len(otm["components"]) == len(model.components) + 1  # and the internet
    assert len(otm["dataflows"]) == len(model.flows)
    # Every threat of the model is an instance on its component or its flow, with its state.
    instances = [(i["threat"], i["state"]) for e in otm["components"] + otm["dataflows"] for i in e.get("threats", [])]
    assert len(instances) == len(model.threats)
    open_count = sum(t.status == "open" for t in model.threats)
    assert sum(state == "exposed" for _, state in instances) == open_count


def test_otm_maps_zones_flows_threats_and_mitigations():
    otm = json.loads(render(seed_model("terraform-insecure"), "otm"))
    zones = {z["id"]: z for z in otm["trustZones"]}
    assert set(zones) == {"internet", "edge", "aws", "vpc", "public", "private"}
    assert zones["internet"]["risk"]["trustRating"] < zones["public"]["risk"]["trustRating"] \
        < zones["private"]["risk"]["trustRating"]
    assert zones["public"]["parent"] == {"trustZone": "vpc"}
    db = next(c for c in otm["components"] if c["id"] == "module.database.aws_db_instance.this")
    assert db["parent"] == {"trustZone": "public"} and db["type"] == "rds.instance"
    assert db["representations"][0]["file"] == "modules/database/main.tf"
    exposure = next(i for i in db["threats"] if i["threat"] == "db-exposure")
    assert exposure["state"] == "exposed"
    assert {m["mitigation"] for m in exposure["mitigations"]} >= {"db-publicly-accessible", "db-open-security-group"}
    flow = next(f for f in otm["dataflows"] if f["id"] == "internet->aws_lb.web:80/HTTP")
    assert flow["attributes"] | {} == {"protocol": "HTTP", "port": "80", "encrypted": "false",
                                       "crosses": "internet/public", "file": "web.tf", "line": "13"}
    assert any(i["threat"] == "flow-eavesdropping" for i in flow["threats"])
    threat = next(t for t in otm["threats"] if t["id"] == "db-exposure")
    assert threat["categories"] == ["Information disclosure"] and threat["risk"]["impact"] > 0
    mitigation = next(m for m in otm["mitigations"] if m["id"] == "db-publicly-accessible")
    assert mitigation["name"].startswith("Fix: ") and mitigation["riskReduction"] > 0
    hardened = json.loads(render(seed_model("terraform-hardened"), "otm"))
    states = {i["state"] for e in hardened["components"] for i in e.get("threats", [])}
    assert "exposed" not in states and "mitigated" in states  # undetermined: variables, unchecked controls


def test_otm_keeps_hostile_names_as_data():
    model = hostile_model()
    otm = json.loads(render(model, "otm"))
    check_otm(otm)
    assert {c["id"] for c in otm["components"]} == {c.id for c in model.components} | {INTERNET}
    assert {z["id"] for z in otm["trustZones"]} >= {"elsewhere"}


# --- Mermaid, checked by Mermaid itself ----------------------------------------------------------


def _checker_skip_reason() -> str | None:
    if shutil.which("node") is None:
        return "node is not installed: the Mermaid check needs Node.js"
    if not (CHECKER / "node_modules" / "mermaid" / "package.json").is_file():
        return f"the checker's packages are not installed: run `npm ci --prefix {CHECKER.relative_to(REPO)}`"
    return None


@pytest.mark.skipif(_checker_skip_reason() is not None, reason=_checker_skip_reason() or "")
def test_mermaid_parser_accepts_every_diagram(tmp_path: Path):
    """The seed app's diagrams (both formats, insecure and hardened) alone and in their Markdown
    reports, and the hostile model's, parsed by the `mermaid` package in one Node process; a
    broken diagram in the same run shows that the check can fail."""
    files = []
    for name in sorted(SEEDS):
        for fmt, ext in (("mermaid", "mmd"), ("markdown", "md")):
            path = tmp_path / f"{name}.{ext}"
            path.write_text(render(seed_model(name), fmt), encoding="utf-8")
            files.append(path)
    for fmt, ext in (("mermaid", "mmd"), ("markdown", "md")):
        path = tmp_path / f"hostile.{ext}"
        path.write_text(render(hostile_model(), fmt), encoding="utf-8")
        files.append(path)
    broken = tmp_path / "broken.mmd"
    broken.write_text('flowchart LR\n  a["x"y"] --> b\n', encoding="utf-8")
    run = subprocess.run(["node", str(CHECKER / "check.mjs"), *map(str, files), str(broken)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 1, run.stdout + run.stderr
    for path in files:
        assert re.search(rf"^{re.escape(str(path))}(:\d+)?: ok \(flowchart", run.stdout, re.M), \
            f"{path.name} did not parse:\n{run.stderr}"
    assert f"{broken}: Parse error" in run.stderr
