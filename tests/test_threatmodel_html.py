"""The HTML view (``iac-assist model -f html``) as a file: self-contained, loading nothing, its
Content-Security-Policy matching its own script and style, every untrusted text inert. What a
person does with it in a browser is tests/test_threatmodel_html_browser.py."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

from click.testing import CliRunner

from iac_assist.analysis.engine import scan
from iac_assist.cli import cli
from iac_assist.model import Location
from iac_assist.threatmodel.build import build
from iac_assist.threatmodel.diff import diff
from iac_assist.threatmodel.formats import RenderOptions, html_data, html_layout, mermaid_format, render
from iac_assist.threatmodel.model import INTERNET, AttackPath, Flow, ModelComponent, Threat, ThreatModel
from tests.conftest import SEED
from tests.test_threatmodel_formats import HOSTILE

INSECURE = SEED / "terraform" / "insecure"
HARDENED = SEED / "terraform" / "hardened"

HOSTILE_HTML = [*HOSTILE, "</script><script>window.pwned=1</script>", "\u202eevil\u202c.tf", "x\u2028y\u2029z",
                "\"'><svg onload=alert(1)>", "<!--", "]]>", "{{svg}}", "&lt;b&gt;"]


def page_of(path: Path, **options) -> tuple[str, object]:
    result = scan([path])
    assert not result.has_errors, [str(e) for e in result.errors]
    return render(build(result), "html", RenderOptions(project_name=path.name, result=result, **options)), result


def data_of(page: str) -> dict:
    match = re.search(r'<script type="application/json" id="model-data">(.*?)</script>', page, re.S)
    assert match
    return json.loads(match[1])


class Elements(HTMLParser):
    """Every element and attribute of a page, as a browser's parser sees them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def elements(page: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = Elements()
    parser.feed(page)
    return parser.tags


def hostile_model() -> ThreatModel:
    zones = ["edge", "aws", "vpc", "public", "private", "elsewhere"]
    comps = [ModelComponent(name, ("s3.bucket", "ec2.instance", "rds.instance")[i % 3], zones[i % 6],
                            Location(f"{name}.tf", i + 1), "vpc-1" if zones[i % 6] in ("public", "private") else None,
                            name, name)
             for i, name in enumerate(HOSTILE_HTML)]
    flows = [Flow(INTERNET, HOSTILE_HTML[0], 443, "HTTPS", True, ("internet/edge",), Location("f.tf", 1), "w<b>")]
    flows += [Flow(a, b, 80, "<HTTP>", False, (), None, f"because {a}")
              for a, b in zip(HOSTILE_HTML, HOSTILE_HTML[1:], strict=False)]
    threats = [Threat(f"t@{name}", "STRIDE"[i % 6], name, f"title {name}", ("open", "mitigated")[i % 2],
                      (f"ctl{name}",)) for i, name in enumerate(HOSTILE_HTML)]
    paths = [AttackPath(HOSTILE_HTML[2], (INTERNET, HOSTILE_HTML[0], HOSTILE_HTML[1], HOSTILE_HTML[2]), rank=1)]
    return ThreatModel(sorted(comps, key=lambda c: c.id), flows, threats, paths)


# --- one file that loads nothing ------------------------------------------------------------------


def test_the_page_is_one_file_that_loads_nothing_and_allows_only_its_own_script_and_style():
    page, _ = page_of(INSECURE)
    tags = elements(page)
    scripts = [attrs for tag, attrs in tags if tag == "script"]
    assert scripts == [{"type": "application/json", "id": "model-data"}, {}]
    for tag, attrs in tags:
        assert not {"src", "href", "srcset", "action", "formaction", "xlink:href", "style"} & set(attrs), (tag, attrs)
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
    assert {tag for tag, _ in tags} <= {
        "html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "span", "p", "div", "input", "button",
        "details", "summary", "ul",
        "section", "fieldset", "legend", "main", "aside", "nav", "noscript", "script", "svg", "defs", "marker",
        "path", "g", "rect", "ellipse", "text"}
    # Nothing names another place: the only URL is the SVG namespace; url() only names the page's markers.
    assert re.findall(r"https?://[^\s\"'<>]+", page) == ["http://www.w3.org/2000/svg"]
    assert set(re.findall(r"url\(([^)]*)\)", page)) <= {"#arrow", "#arrow-red", "#arrow-path"}
    assert "@import" not in page

    (csp,) = [attrs["content"] for tag, attrs in tags
              if tag == "meta" and (attrs.get("http-equiv") or "").lower() == "content-security-policy"]
    script = re.search(r"<script>(.*?)</script>", page, re.S)[1]
    style = re.search(r"<style>(.*?)</style>", page, re.S)[1]

    def sha(text: str) -> str:
        return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"

    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives == {"default-src": "'none'", "script-src": sha(script), "style-src": sha(style),
                          "img-src": "data:", "base-uri": "'none'", "form-action": "'none'"}


def test_the_page_holds_every_component_threat_finding_and_path_with_its_source_lines():
    page, result = page_of(INSECURE)
    data = data_of(page)
    model = build(result)
    assert [c["id"] for c in data["components"]] == [c.id for c in model.components]
    assert len(data["threats"]) == len(model.threats) and len(data["paths"]) == len(model.attack_paths)
    assert len(data["flows"]) == len(model.flows)
    public = next(f for f in data["findings"].values() if f["control"] == "db-publicly-accessible")
    assert (public["rule"], public["resource"], public["file"], public["line"]) == (
        "IAC-RDS-001", "module.database.aws_db_instance.this", "modules/database/main.tf", 62)
    assert [n for n, _ in public["source"]] == [60, 61, 62, 63, 64]
    assert public["source"][2][1].strip() == "publicly_accessible    = var.publicly_accessible"
    assert public["remediation"].startswith("Set `publicly_accessible = false`")
    assert public["origins"]  # the variable the value came from
    # A threat the finding opens names it and is rated by it.
    threat = next(t for t in data["threats"] if t["id"] == "db-exposure@module.database.aws_db_instance.this")
    assert threat["status"] == "open" and threat["severity"] == "critical"
    assert any(data["findings"][fp] is public for fp in threat["findings"]) or \
        public in [data["findings"][fp] for fp in threat["findings"]]


def test_the_diagram_draws_what_the_markdown_diagram_draws():
    page, result = page_of(INSECURE)
    model = build(result)
    plan = mermaid_format.layout(model)
    drawn = {c.id for c in mermaid_format.plan_nodes(plan)}
    tags = elements(page)
    nodes = {attrs["data-id"] for tag, attrs in tags if tag == "g" and "node" in (attrs.get("class") or "").split()}
    edges = [attrs for tag, attrs in tags if tag == "g" and "edge" in (attrs.get("class") or "").split()]
    assert nodes == drawn | {INTERNET}
    assert nodes == {INTERNET, "aws_cloudfront_distribution.site", "aws_s3_bucket.site", "aws_lb.web",
                     "aws_instance.web[*]", "module.database.aws_db_instance.this",
                     "module.database.aws_security_group.this"}
    assert len(edges) == len(plan.flows) == 9
    # Plumbing (subnets, route tables...) is listed, not drawn, as in the Markdown report.
    assert set(data_of(page)["meta"]["left_out"]) == {c.id for c in plan.left_out}
    assert "aws_subnet.public[0]" in data_of(page)["meta"]["left_out"]


def test_a_large_architecture_stays_readable_and_every_component_stays_findable():
    from tests.test_threatmodel_diagrams import large_model

    model = large_model()
    page = render(model, "html")
    plan = mermaid_format.layout(model)
    picture = html_layout.place(plan)
    nodes = [a for t, a in elements(page) if t == "g" and "node" in (a.get("class") or "").split()]
    assert len(model.components) >= 300 and len(nodes) == len(picture.nodes) == 23
    data = data_of(page)
    # Every component is in the data, and each drawn one knows the node standing for it.
    assert len(data["components"]) == len(model.components)
    folded = [c for c in data["components"] if c["drawn"] and c["drawn"] != c["id"]]
    assert len(folded) >= 240 and {c["drawn"] for c in folded} <= {a["data-id"] for a in nodes}
    # No two nodes overlap.
    boxes = [p.box for p in picture.nodes.values()]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert a.x + a.w <= b.x or b.x + b.w <= a.x or a.y + a.h <= b.y or b.y + b.h <= a.y


def test_hostile_names_are_only_ever_text():
    page = render(hostile_model(), "html")
    tags = elements(page)
    assert [t for t, _ in tags].count("script") == 2
    assert not any(t in ("img", "iframe", "object", "embed", "a", "foreignobject") for t, _ in tags)
    for tag, attrs in tags:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
    # No bidi override, line separator or other invisible character anywhere in the file.
    assert not [ch for ch in page if ch != "\n" and unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp")]
    data = data_of(page)
    shown = {c["id"] for c in data["components"]}
    assert "\\u202eevil\\u202c.tf" in shown and "</script><script>window.pwned=1</script>" in shown
    # The SVG's ids are the data's (the script finds one by the other).
    ids = {a["data-id"] for t, a in tags if t == "g" and "node" in (a.get("class") or "").split()}
    assert ids - {INTERNET} <= shown
    assert "{{svg}}" in shown and page.count("<svg id=\"diagram\"") == 1


def test_source_lines_are_read_only_inside_the_scanned_root(tmp_path: Path):
    outside = tmp_path / "outside.tf"
    outside.write_text("secret = 1\n" * 5, encoding="utf-8")
    root = tmp_path / "root"
    root.mkdir()
    (root / "link.tf").symlink_to(outside)
    sources = html_data._Sources(root)
    assert sources._file("link.tf") is None and sources._file("../outside.tf") is None


# --- the command ------------------------------------------------------------------------------


def test_model_format_html_writes_the_page(tmp_path: Path):
    out = tmp_path / "model.html"
    result = CliRunner().invoke(cli, ["model", str(INSECURE), "-f", "html", "-o", str(out)])
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<title>insecure — iac-assist threat model</title>" in page
    assert data_of(page)["findings"]


def test_a_change_is_marked_on_the_whole_model():
    before = build(scan([HARDENED]))
    result = scan([INSECURE])
    after = build(result)
    change = diff(before, after)
    page = render(after, "html", RenderOptions(result=result, change=change))
    data = data_of(page)
    assert data["change"]["summary"]["changed"]
    added_paths = [p["hops"] for p in change.attack_paths["added"]]
    assert added_paths and [m["hops"] for m in data["marks"]["paths"] if m["mark"] == "added"] == sorted(added_paths)
    assert {m["mark"] for m in data["marks"]["paths"]} <= {"added", "removed"}
    tags = elements(page)
    marked = [a for t, a in tags if t == "g" and {"added", "removed", "changed"} & set((a.get("class") or "").split())]
    assert marked


def test_what_was_not_analysed_is_on_the_page(write_tree):
    root = write_tree({"main.tf": 'module "vpc" {\n  source = "terraform-aws-modules/vpc/aws"\n}\n'
                                  'resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n'})
    result = scan([root])
    page = render(build(result), "html", RenderOptions(result=result))
    gaps = data_of(page)["meta"]["not_analysed"]
    assert gaps["summary"] == "Not analysed: 1 module-not-downloaded"
    assert gaps["count"] == 1 and gaps["lines"][0].startswith("main.tf:1: warning: module vpc not analysed")
    clean, _ = page_of(INSECURE)
    assert data_of(clean)["meta"]["not_analysed"] == {"summary": "", "lines": [], "count": 0}
