"""Threat model diagrams that hold on real architectures: count/for_each instances as one node,
plumbing in a table, controls as badges, views (attack paths, per VPC), Mermaid's size limit,
pictures Graphviz draws; and OTM other tools import (project, mapping, data assets)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path

import pytest
from click.testing import CliRunner

from iac_assist.cli import cli
from iac_assist.policies import all_policies
from iac_assist.threatmodel.formats import RenderOptions, markdown_diagram, mermaid_format, render
from iac_assist.threatmodel.formats.views import BADGES
from iac_assist.threatmodel.model import INTERNET, Flow, ModelComponent, Threat, ThreatModel
from tests.test_threatmodel_formats import (
    CHECKER,
    SEEDS,
    _checker_skip_reason,
    _parse_dot,
    check_otm,
    hostile_model,
    mermaid_statements,
    seed_model,
    tables,
)

pytestmark = pytest.mark.filterwarnings("ignore:'\\w+' deprecated - use:DeprecationWarning")

SERVICE = '''
resource "aws_instance" "{p}svc{j}" {{
  ami                    = "ami-0123456789abcdef0"
  instance_type          = "t3.micro"
  subnet_id              = aws_subnet.{p}private_a.id
  vpc_security_group_ids = [aws_security_group.{p}web.id]
  metadata_options {{
    http_tokens = "required"
  }}
}}
'''


def write_large(out: Path, vpcs: int = 3, services: int = 80) -> Path:
    """A large architecture: the benchmarks' reference cell once per VPC (the first one's database
    open to the internet) and ``services`` more instances in each: 300 components over 3 VPCs."""
    from benchmarks.synthetic import TF_CELL

    parts = []
    for i in range(vpcs):
        p = f"v{i}_"
        subnets = ("public_a", "public_b") if i == 0 else ("private_a", "private_b")
        parts.append(TF_CELL.format(p=p, n=i, name=f"vpc{i}", exposed="true" if i == 0 else "false",
                                    db_cidrs='["0.0.0.0/0"]' if i == 0 else "[]",
                                    db_subnets="[" + ", ".join(f"aws_subnet.{p}{s}.id" for s in subnets) + "]"))
        parts += [SERVICE.format(p=p, j=j) for j in range(services)]
    out.mkdir(parents=True, exist_ok=True)
    (out / "main.tf").write_text("\n".join(parts), encoding="utf-8")
    return out


@cache
def large_model() -> ThreatModel:
    import tempfile

    from iac_assist.analysis.engine import scan
    from iac_assist.threatmodel.build import build

    with tempfile.TemporaryDirectory() as tmp:
        result = scan([write_large(Path(tmp) / "large")])
    assert not result.has_errors, [str(e) for e in result.errors]
    model = build(result)
    assert len(model.components) >= 300 and len({c.vpc for c in model.components if c.vpc}) == 3
    return model


def distinct_model(vpcs: int = 3, services: int = 150) -> ThreatModel:
    """A large model of components all different (each service talks to its database on a port of
    its own), so that nothing folds: 450 services, too many for one Mermaid diagram."""
    comps, flows = [], []
    for v in range(vpcs):
        vpc = f"aws_vpc.v{v}"
        comps += [ModelComponent(vpc, "ec2.vpc", "vpc", None, vpc),
                  ModelComponent(f"aws_db_instance.v{v}", "rds.instance", "private", None, vpc)]
        for j in range(services):
            cid = f"aws_instance.v{v}_service_{j}"
            comps.append(ModelComponent(cid, "ec2.instance", "private", None, vpc))
            flows.append(Flow(cid, f"aws_db_instance.v{v}", 10000 + j, "TCP", True))
    return ThreatModel(sorted(comps, key=lambda c: c.id), flows)


def mermaid_blocks(markdown: str) -> list[str]:
    return re.findall(r"^```mermaid\n(.*?)^```$", markdown, re.M | re.S)


def model_cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["model", *args])
    return result.exit_code, result.output


# --- instances, plumbing, badges ----------------------------------------------------------------


def test_count_instances_collapse_into_one_node_with_their_number():
    model = seed_model("terraform-insecure")
    assert {"aws_instance.web[0]", "aws_instance.web[1]"} <= {c.id for c in model.components}
    text = render(model, "mermaid")
    parts = mermaid_statements(text)
    web = [n for n in parts["node"] if n[0].startswith("n_aws_instance_web")]
    assert [n[0] for n in web] == ["n_aws_instance_web"]
    assert web[0][2].startswith("aws_instance.web #215;2<br/>ec2.instance")
    # The instances' flows are one edge each way: load balancer -> web, web -> database.
    edges = [(s, label, t) for s, _, label, t in parts["edge"] if "n_aws_instance_web" in (s, t)]
    assert edges == [("n_aws_instance_web", "TCP 5432", "n_module_database_aws_db_instance_this"),
                     ("n_aws_lb_web", "HTTP 80 plaintext", "n_aws_instance_web")]
    dot = render(model, "dot")
    assert '"aws_instance.web[*]" [label="aws_instance.web ×2\\nec2.instance' in dot
    assert '"aws_instance.web[0]"' not in dot


def test_for_each_instances_collapse_only_with_the_same_kind_zone_and_vpc():
    comps = [ModelComponent(f'aws_instance.app["{k}"]', "ec2.instance", "private", None, "vpc-1") for k in "abc"]
    comps.append(ModelComponent('aws_instance.app["d"]', "ec2.instance", "public", None, "vpc-1"))
    comps.append(ModelComponent("aws_db_instance.db", "rds.instance", "private", None, "vpc-1"))
    flows = [Flow(c.id, "aws_db_instance.db", 5432, "TCP", True) for c in comps[:4]]
    threats = [Threat(f"t@{comps[0].id}", "I", comps[0].id, "t", "open", ("x",), ("f",))]
    text = render(ThreatModel(comps, flows, threats), "mermaid")
    parts = mermaid_statements(text)
    labels = {n[0]: n[2] for n in parts["node"]}
    assert labels["n_aws_instance_app"].startswith("aws_instance.app #215;3<br/>ec2.instance<br/>1 open threat")
    assert labels["n_aws_instance_app_d"].startswith("aws_instance.app[#quot;d#quot;]")  # another zone: alone
    assert len(parts["edge"]) == 2


def test_plumbing_moves_to_a_table_under_the_diagram():
    text = render(seed_model("terraform-insecure"), "markdown")
    section = text.split("## Diagram\n", 1)[1].split("\n## Threats", 1)[0]
    plumbing = next(t for t in tables(section) if t[0][0].strip() == "Kind")
    rows = {row[0].strip(): (row[1].strip(), row[2].strip()) for row in plumbing[2:]}
    assert rows["`ec2.route_table`"] == ("2", "`aws_route_table.private`, `aws_route_table.public`")
    assert rows["`ec2.internet_gateway`"] == ("1", "`aws_internet_gateway.main`")
    assert rows["`lb.listener`"] == ("1", "`aws_lb_listener.http`")
    assert "`ec2.security_group`" in rows and "module.database.aws_security_group.this" not in rows[
        "`ec2.security_group`"][1]  # its open threat draws it
    # The legend is a table too, after the diagram: never inside it, over its edges.
    legend = next(t for t in tables(section) if t[0][0].strip() == "Mark")
    assert any("plaintext" in row[0] for row in legend)
    assert "subgraph legend" not in section and section.index("| Mark |") > section.index("```\n")


def test_plumbing_table_names_ten_components_per_kind_and_counts_the_rest():
    lines = markdown_diagram._plumbing([ModelComponent(f"aws_route.r{i:02d}", "ec2.route", "vpc", None)
                                        for i in range(13)])
    assert lines[-2] == "| `ec2.route` | 13 | " + ", ".join(f"`aws_route.r{i:02d}`" for i in range(10)) \
        + " and 3 more |"


@pytest.mark.parametrize("seed, names", [
    ("terraform-hardened", {"cdn": "aws_cloudfront_distribution_site", "bucket": "aws_s3_bucket_site",
                            "db": "module_database_aws_db_instance_this", "lb": "aws_lb_web"}),
    ("cloudformation-hardened", {"cdn": "SiteDistribution", "bucket": "SiteBucket", "db": "Database",
                                 "lb": "LoadBalancer"}),
])
def test_controls_show_as_badges_on_the_hardened_app(seed: str, names: dict[str, str]):
    labels = {n[0]: n[2] for n in mermaid_statements(render(seed_model(seed), "mermaid"))["node"]}

    def badges(key: str) -> set[str]:
        last = labels[f"n_{names[key]}"].split("<br/>")[-1]
        return set(re.findall(r"\[([^\]]*)\]", last))

    lock = "#128274; "
    # The hardened CDN's web ACL and certificate come from a variable or parameter without value:
    # undetermined, so no badge (only what is known to be in place shows).
    assert "OAC" in badges("cdn") and not {"WAF", "TLS"} & badges("cdn")
    assert {f"{lock}KMS", "TLS only", "public access block"} <= badges("bucket")
    assert {f"{lock}encrypted", "not public", "backups"} <= badges("db")
    assert {"WAF", "TLS"} <= badges("lb")
    # The insecure app lacks them: an open threat's controls are never badges.
    insecure = render(seed_model(seed.replace("hardened", "insecure")), "mermaid")
    assert "[WAF]" not in insecure and "[OAC]" not in insecure and f"[{lock}KMS]" not in insecure
    # DOT draws them without the emoji (Graphviz's fonts have none).
    dot = render(seed_model(seed), "dot")
    assert "[KMS]" in dot and "🔒" not in dot


def test_a_badge_shows_only_when_every_collapsed_instance_has_it():
    comps = [ModelComponent(f"aws_instance.w[{i}]", "ec2.instance", "private", None) for i in range(2)]
    threats = [Threat("imds@aws_instance.w[0]", "E", "aws_instance.w[0]", "t", "mitigated", ("ec2-imdsv1-enabled",)),
               Threat("imds@aws_instance.w[1]", "E", "aws_instance.w[1]", "t", "open", ("ec2-imdsv1-enabled",), ("f",)),
               Threat("ebs@aws_instance.w[0]", "I", "aws_instance.w[0]", "t", "mitigated", ("ebs-unencrypted",)),
               Threat("ebs@aws_instance.w[1]", "I", "aws_instance.w[1]", "t", "mitigated", ("ebs-unencrypted",))]
    plan = mermaid_format.layout(ThreatModel(comps, [], threats))
    assert plan.badges == {"aws_instance.w[*]": ("🔒 EBS",)}
    # Not known is not mitigated: an undetermined threat gives no badge either.
    undetermined = [Threat("ebs@x", "I", "x", "t", "undetermined", ("ebs-unencrypted",))]
    plan = mermaid_format.layout(ThreatModel([ModelComponent("x", "ec2.instance", "private", None)], [], undetermined))
    assert plan.badges == {}


def test_every_badge_names_a_registered_control():
    # Badges are keyed by control slug, the policy's own: a renamed or mistyped slug would drop
    # its badge without a word.
    assert sorted(set(BADGES) - {p.control for p in all_policies()}) == []


# --- views ------------------------------------------------------------------------------------


def test_attack_path_view_draws_only_the_paths_hop_by_hop():
    model = seed_model("terraform-insecure")
    text = render(model, "mermaid", RenderOptions(view="attack-paths"))
    parts = mermaid_statements(text.replace("==>", "-->"))
    assert parts["edge"] and all(label == "attack path" for _, _, label, _ in parts["edge"])
    # Instances of one block are one node, so their steps are one arrow.
    def node(cid: str) -> str:
        return re.sub(r"\[\d+\]$", "[*]", cid)

    steps = {(node(a), node(b)) for p in model.attack_paths for a, b in zip(p.hops, p.hops[1:], strict=False)}
    assert len(parts["edge"]) == len(steps)
    nodes = {n[0] for n in parts["node"]}
    on_paths = {node(h) for p in model.attack_paths for h in p.hops} - {"internet"}
    assert len(nodes) == len(on_paths)
    assert {"n_aws_internet_gateway_main", "n_module_database_aws_db_instance_this", "n_aws_s3_bucket_site"} <= nodes
    assert "n_aws_route_table" not in text  # plumbing on no path
    link = [line for (line,) in parts["other"] if line.startswith("linkStyle")]
    assert link == [f"linkStyle {','.join(map(str, range(len(steps))))} stroke:#d62728,stroke-width:4px,color:#d62728"]
    # Markdown and DOT draw the same view.
    markdown = render(model, "markdown", RenderOptions(view="attack-paths"))
    assert "### Attack paths" in markdown and "thick red arrow" in markdown
    dot = render(model, "dot", RenderOptions(view="attack-paths"))
    assert dot.count('label="attack path"') == len(steps)


def test_per_vpc_view_splits_the_diagram(tmp_path: Path):
    model = large_model()
    markdown = render(model, "markdown", RenderOptions(view="per-vpc"))
    headings = re.findall(r"^### (.*)$", markdown, re.M)
    assert headings == ["VPC aws\\_vpc.v0\\_main", "VPC aws\\_vpc.v1\\_main", "VPC aws\\_vpc.v2\\_main",
                        "Outside any VPC"]
    blocks = mermaid_blocks(markdown)
    assert "v0_svc0" in blocks[0] and "v1_svc0" not in blocks[0]
    dot = render(model, "dot", RenderOptions(view="per-vpc"))
    assert re.findall(r"^digraph (\w+) \{$", dot, re.M) == ["threat_model", "threat_model_2", "threat_model_3",
                                                            "threat_model_4"]
    code, output = model_cli(str(SEEDS["terraform-insecure"]), "-f", "mermaid", "--view", "per-vpc")
    assert code == 2 and "use --format markdown or dot" in output


def test_a_diagram_over_mermaids_limit_falls_back_to_a_note():
    model = distinct_model()
    full = "\n".join(mermaid_format.lines(model)) + "\n"
    assert len(full) > mermaid_format.MAX_TEXT
    text = render(model, "mermaid")
    assert text.startswith("flowchart LR\n  too_large[") and text.count("\n") == 2
    assert "see the DOT/JSON output (iac-assist model -f dot)" in text
    markdown = render(model, "markdown")
    assert "too large for one Mermaid diagram" in markdown and "drawn per VPC below" in markdown
    blocks = mermaid_blocks(markdown)
    assert 1 <= len(blocks) < 3
    assert all(len(b) <= mermaid_format.MAX_TEXT for b in blocks)
    assert sum(len(b) for b in blocks) <= markdown_diagram.BUDGET
    assert "Diagram left out: with it the report's diagrams would pass 40000 characters" in markdown
    # A small model draws in full, in one block.
    assert len(mermaid_blocks(render(seed_model("terraform-insecure"), "markdown"))) == 1


def test_alike_components_fold_into_one_node():
    """Eighty services with the same flows, threats and badges are one node; two stay apart."""
    model = large_model()
    parts = mermaid_statements(render(model, "mermaid"))
    labels = {n[0]: n[2] for n in parts["node"]}
    svc = [label for nid, label in labels.items() if "svc" in nid]
    assert len(svc) == 3
    assert svc[0].startswith("aws_instance.v0_svc0 #8230; aws_instance.v0_svc79 (80 alike)<br/>ec2.instance")
    assert "n_aws_instance_v0_web_a" in labels and "n_aws_instance_v0_web_b" in labels
    edges = [e for e in parts["edge"] if "svc" in e[0]]
    assert len(edges) == 3 and all(e[2] == "TCP 5432" for e in edges)
    assert len(render(model, "mermaid")) < mermaid_format.MAX_TEXT  # 300 components, drawn in full


@pytest.mark.skipif(_checker_skip_reason() is not None, reason=_checker_skip_reason() or "")
def test_mermaid_parser_accepts_every_view(tmp_path: Path):
    files = []
    for name in sorted(SEEDS):
        for view in ("full", "attack-paths"):
            path = tmp_path / f"{name}-{view}.mmd"
            path.write_text(render(seed_model(name), "mermaid", RenderOptions(view=view)), encoding="utf-8")
            files.append(path)
        for view in ("attack-paths", "per-vpc"):
            path = tmp_path / f"{name}-{view}.md"
            path.write_text(render(seed_model(name), "markdown", RenderOptions(view=view)), encoding="utf-8")
            files.append(path)
    for view in ("full", "per-vpc", "attack-paths"):
        path = tmp_path / f"large-{view}.md"
        path.write_text(render(large_model(), "markdown", RenderOptions(view=view)), encoding="utf-8")
        files.append(path)
    for view in ("full", "attack-paths", "per-vpc"):
        path = tmp_path / f"hostile-{view}.md"
        path.write_text(render(hostile_model(), "markdown", RenderOptions(view=view)), encoding="utf-8")
        files.append(path)
    for name, model in (("large", large_model()), ("distinct", distinct_model())):
        path = tmp_path / f"{name}.mmd"
        path.write_text(render(model, "mermaid"), encoding="utf-8")
        files.append(path)
    path = tmp_path / "distinct.md"
    path.write_text(render(distinct_model(), "markdown"), encoding="utf-8")
    files.append(path)
    run = subprocess.run(["node", str(CHECKER / "check.mjs"), *map(str, files)], capture_output=True, text=True,
                         timeout=180)
    assert run.returncode == 0, run.stdout + run.stderr
    for path in files:
        assert re.search(rf"^{re.escape(str(path))}(:\d+)?: ok \(flowchart", run.stdout, re.M), path.name


@pytest.mark.parametrize("view", ["full", "attack-paths", "per-vpc"])
def test_every_view_of_hostile_names_stays_data(view: str):
    """Hostile names in every view: Markdown tables keep their cells, DOT parses into one graph per
    diagram, Mermaid lines are only those the formats write; the same input gives the same bytes."""
    options = RenderOptions(view=view)
    markdown = render(hostile_model(), "markdown", options)
    assert markdown == render(hostile_model(), "markdown", options)
    for table in tables(markdown):
        assert len({len(row) for row in table}) == 1, table
    for heading in re.findall(r"^### (.*)$", markdown, re.M):
        assert not re.search(r"(?<!\\)[`*_<\[]", heading), heading
    for block in mermaid_blocks(markdown):
        mermaid_statements(block.replace("==>", "-->"))
    pydot = pytest.importorskip("pydot")
    dot = render(hostile_model(), "dot", options)
    graphs = pydot.graph_from_dot_data(dot)
    assert graphs is not None and len(graphs) == len(re.findall(r"^digraph ", dot, re.M))
    if view != "per-vpc":
        _parse_dot(dot)
        mermaid_statements(render(hostile_model(), "mermaid", options).replace("==>", "-->"))


def test_an_empty_model_renders_in_every_view():
    for view in ("full", "attack-paths", "per-vpc"):
        for fmt in ("markdown", "dot") + (("mermaid",) if view != "per-vpc" else ()):
            text = render(ThreatModel(), fmt, RenderOptions(view=view))
            assert text.endswith("\n") and text.strip()


# --- Graphviz draws it ------------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed (apt-get install graphviz)")
@pytest.mark.parametrize("which", ["seed-terraform", "seed-cloudformation", "large", "distinct"])
@pytest.mark.parametrize("view", ["full", "attack-paths", "per-vpc"])
def test_graphviz_renders_the_reference_app_and_a_large_architecture(which: str, view: str, tmp_path: Path):
    model = {"seed-terraform": lambda: seed_model("terraform-insecure"),
             "seed-cloudformation": lambda: seed_model("cloudformation-hardened"),
             "large": large_model, "distinct": distinct_model}[which]()
    source = tmp_path / "model.dot"
    source.write_text(render(model, "dot", RenderOptions(view=view)), encoding="utf-8")
    for fmt in ("svg", "png") if view == "full" else ("svg",):
        run = subprocess.run(["dot", f"-T{fmt}", "-O", str(source)], capture_output=True, text=True, timeout=300)
        # Graphviz scales a bitmap past its size limit down, and says so: not an error.
        problems = [line for line in run.stderr.splitlines() if "too large for cairo-renderer bitmaps" not in line]
        assert run.returncode == 0 and not problems, run.stderr
        pictures = sorted(tmp_path.glob(f"model.dot*.{fmt}"))
        assert pictures and all(p.stat().st_size > 200 for p in pictures)
        if view == "per-vpc":
            assert len(pictures) == source.read_text().count("\ndigraph ") + 1


# --- OTM ------------------------------------------------------------------------------------------


def test_otm_project_is_named_after_the_folder_or_the_options():
    code, output = model_cli(str(SEEDS["terraform-insecure"]), "-f", "otm")
    assert code == 0
    otm = json.loads(output)
    check_otm(otm)
    assert (otm["project"]["name"], otm["project"]["id"]) == ("insecure", "insecure")
    code, output = model_cli(str(SEEDS["cloudformation-insecure"]), "-f", "otm")
    assert json.loads(output)["project"]["name"] == "cloudformation"  # a template's folder
    code, output = model_cli(str(SEEDS["terraform-insecure"]), "-f", "otm", "--project-name", "Shop Front (prod)")
    project = json.loads(output)["project"]
    assert (project["name"], project["id"]) == ("Shop Front (prod)", "shop-front-prod")
    code, output = model_cli(str(SEEDS["terraform-insecure"]), "-f", "otm", "--project-name", "Shop",
                             "--project-id", "f3a0-shop")
    assert (json.loads(output)["project"]["name"], json.loads(output)["project"]["id"]) == ("Shop", "f3a0-shop")


def test_otm_lists_data_assets_stored_and_processed():
    otm = json.loads(render(seed_model("terraform-insecure"), "otm"))
    check_otm(otm)
    assert [a["id"] for a in otm["assets"]] == ["data@aws_s3_bucket.site", "data@module.database.aws_db_instance.this"]
    components = {c["id"]: c for c in otm["components"]}
    assert components["module.database.aws_db_instance.this"]["assets"] == {
        "stored": ["data@module.database.aws_db_instance.this"]}
    assert components["aws_instance.web[0]"]["assets"] == {"processed": ["data@module.database.aws_db_instance.this"]}
    assert components["aws_cloudfront_distribution.site"]["assets"] == {"processed": ["data@aws_s3_bucket.site"]}
    assert "assets" not in components[INTERNET]


@pytest.mark.parametrize("seed", ["terraform-insecure", "cloudformation-insecure"])
def test_otm_builtin_iriusrisk_mapping(seed: str):
    code, output = model_cli(str(SEEDS[seed]), "-f", "otm", "--otm-mapping", "iriusrisk")
    assert code == 0, output
    otm = json.loads(output)
    check_otm(otm)
    zones = {z["name"]: z for z in otm["trustZones"]}
    assert set(zones) == {"Internet", "Public Cloud", "Private Secured"}
    assert zones["Public Cloud"]["id"] == "b61d6911-338d-46a8-9f39-8dcd24abfe91"
    assert zones["Public Cloud"]["attributes"]["iacAssistZones"] == "edge, aws, public"
    assert zones["Public Cloud"]["risk"]["trustRating"] == 20 and all("parent" not in z for z in otm["trustZones"])
    types = {c["attributes"].get("iacAssistKind", c["type"]): c["type"] for c in otm["components"]}
    assert types["rds.instance"] == "rds" and types["s3.bucket"] == "s3" and types["ec2.instance"] == "ec2"
    assert types["cloudfront.distribution"] == "cf-cloudfront" and types["lb.load_balancer"] == "load-balancer"
    assert types["ec2.route_table"] == "empty-component" and types["internet"] == "generic-client"
    db = next(c for c in otm["components"] if c["type"] == "rds")
    assert db["parent"] == {"trustZone": "b61d6911-338d-46a8-9f39-8dcd24abfe91"}  # the seed's public subnets


@pytest.mark.parametrize("suffix", [".yaml", ".toml"])
def test_otm_mapping_file_applied(suffix: str, tmp_path: Path):
    import sys

    if suffix == ".toml" and sys.version_info < (3, 11):
        pytest.skip("TOML mapping files need Python 3.11 (tomllib)")
    mapping = tmp_path / f"mapping{suffix}"
    if suffix == ".yaml":
        mapping.write_text("zones:\n  private: Trusted\n  public: {id: dmz, name: DMZ}\n"
                           "components:\n  rds.instance: database\n  aws_s3_bucket: object-store\n",
                           encoding="utf-8")
    else:
        mapping.write_text('[zones]\nprivate = "Trusted"\npublic = {id = "dmz", name = "DMZ"}\n'
                           '[components]\n"rds.instance" = "database"\naws_s3_bucket = "object-store"\n',
                           encoding="utf-8")
    code, output = model_cli(str(SEEDS["terraform-insecure"]), "-f", "otm", "--otm-mapping", str(mapping))
    assert code == 0, output
    otm = json.loads(output)
    check_otm(otm)
    zones = {z["id"]: z for z in otm["trustZones"]}
    assert zones["private"]["type"] == "Trusted" and zones["dmz"]["name"] == "DMZ" and "public" not in zones
    components = {c["id"]: c for c in otm["components"]}
    db = components["module.database.aws_db_instance.this"]
    assert db["type"] == "database" and db["parent"] == {"trustZone": "dmz"}
    assert db["attributes"]["iacAssistKind"] == "rds.instance"
    assert components["aws_s3_bucket.site"]["type"] == "object-store"  # by source type
    assert components["aws_lb.web"]["type"] == "lb.load_balancer"  # not mapped, no default: kept


@pytest.mark.parametrize("text, message", [
    ("zones: [a, b]\n", "zones: a table keyed by names"),
    ("zone: {}\n", "unknown key 'zone'"),
    ("components:\n  ec2.instance: {a: b}\n", "components.ec2.instance: a component type"),
    ("zones:\n  private: {id: x, colour: red}\n", "zones.private: a type (string) or a table"),
    ("zones: {private: [\n", "not valid YAML"),
])
def test_a_malformed_mapping_file_is_a_usage_error(text: str, message: str, tmp_path: Path):
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(text, encoding="utf-8")
    code, output = model_cli(str(SEEDS["terraform-insecure"]), "-f", "otm", "--otm-mapping", str(mapping))
    assert code == 2 and message in output, output
    code, output = model_cli(str(SEEDS["terraform-insecure"]), "-f", "otm", "--otm-mapping", str(tmp_path / "none"))
    assert code == 2 and "cannot read it" in output


def test_otm_of_the_large_architecture_is_schema_valid():
    otm = json.loads(render(large_model(), "otm", RenderOptions(project_name="large")))
    check_otm(otm)
    assert len(otm["components"]) == len(large_model().components) + 1


def test_mermaid_legend_stands_apart_from_the_edges():
    """In the diagram alone, the legend is linked (invisibly) before the internet, left of every
    edge; with badges and attack paths it names them too. The Markdown report has it as a table."""
    text = render(seed_model("terraform-insecure"), "mermaid", RenderOptions(view="attack-paths"))
    lines = text.splitlines()
    assert "  legend ~~~ internet" in lines
    assert '    legend_path["thick red arrow: attack path"]' in lines
    assert '    legend_badges["badges: controls in place"]' in lines
    # The invisible link comes after every edge: linkStyle's indexes stay those of the edges.
    assert lines.index("  legend ~~~ internet") > max(i for i, line in enumerate(lines) if "==>" in line)
