"""The diagram of a change (``iac-assist model --base REF -f markdown``): only the changed part,
the unchanged neighbours greyed out, hostile names escaped, bounded for GitHub, and parsed by
Mermaid itself."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from iac_assist.analysis.engine import scan
from iac_assist.model import Location
from iac_assist.threatmodel.build import build
from iac_assist.threatmodel.diff import ModelDiff, diff
from iac_assist.threatmodel.formats import diff_diagram, mermaid_format
from iac_assist.threatmodel.formats.diff_format import render
from iac_assist.threatmodel.model import INTERNET, Flow, ModelComponent, ThreatModel
from tests.test_threatmodel_diff import CHANGES, tree
from tests.test_threatmodel_formats import CHECKER, HOSTILE, _checker_skip_reason, hostile_model, mermaid_statements


def change_of(tmp_path: Path, name: str, reverse: bool = False) -> ModelDiff:
    before, after = CHANGES[(name, "terraform")]
    if reverse:
        before, after = after, before
    base, head = build(scan([tree(tmp_path / "base", before)])), build(scan([tree(tmp_path / "head", after)]))
    return diff(base, head)


def mermaid_block(markdown: str) -> str:
    [block] = re.findall(r"^```mermaid\n(.*?)^```$", markdown, re.S | re.M)
    return block


def classes(text: str) -> dict[str, str]:
    """Mermaid node id -> the change's class (added, removed, unchanged) it is given."""
    out = {}
    for line in text.splitlines():
        match = re.match(r"^  class ([\w,]+) (added|removed|unchanged)$", line)
        if match:
            out.update(dict.fromkeys(match[1].split(","), match[2]))
    return out


def link_styles(text: str) -> dict[int, str]:
    """Edge index -> the last style given (a later linkStyle wins)."""
    out = {}
    for line in text.splitlines():
        match = re.match(r"^  linkStyle ([\d,]+) (.*)$", line)
        if match:
            out.update(dict.fromkeys(map(int, match[1].split(",")), match[2]))
    return out


DB_NODES = {"aws_internet_gateway.main": "unchanged", "aws_subnet.a": "unchanged",
            "aws_security_group.db": "unchanged", "aws_db_instance.db": "unchanged"}
DB_EDGES = ['  internet -->|"TCP 3306"| n_aws_db_instance_db',
            '  internet ==>|"attack path"| n_aws_internet_gateway_main',
            '  n_aws_internet_gateway_main ==>|"attack path"| n_aws_subnet_a',
            '  n_aws_subnet_a ==>|"attack path"| n_aws_security_group_db',
            '  n_aws_security_group_db ==>|"attack path"| n_aws_db_instance_db']


def test_opening_the_database_draws_the_new_flow_and_path_in_green_and_their_ends_grey(tmp_path):
    change = change_of(tmp_path, "db-open")
    drawn = diff_diagram.diagram(change)
    assert drawn is not None and drawn.nodes == DB_NODES
    assert (drawn.left_out_nodes, drawn.left_out_edges) == (0, 0)
    text = "\n".join(drawn.lines)
    assert [line for line in drawn.lines if "--" in line or "==" in line] == DB_EDGES
    assert classes(text) == {"n_aws_internet_gateway_main": "unchanged", "n_aws_subnet_a": "unchanged",
                             "n_aws_security_group_db": "unchanged", "n_aws_db_instance_db": "unchanged"}
    added = mermaid_format.MARK_STYLES["added"][1]
    assert link_styles(text) == dict.fromkeys(range(5), added)
    # Zones as the full diagram draws them: the database and the subnet in the VPC's public subnets.
    assert '    subgraph z_vpc_aws_vpc_main["VPC aws_vpc.main"]' in drawn.lines
    public = drawn.lines.index('      subgraph z_vpc_aws_vpc_main_public["Public subnets"]')
    assert drawn.lines[public + 1].startswith("        n_aws_db_instance_db[(")
    # What the change does to their threats, on the components that hold them (the new flow's: its target).
    assert [line.strip() for line in drawn.lines if "threat" in line] == [
        'n_aws_security_group_db["aws_security_group.db<br/>ec2.security_group<br/>1 threat opened"]',
        'n_aws_db_instance_db[("aws_db_instance.db<br/>rds.instance<br/>2 threats opened")]']
    # Nothing else in the model is drawn (its VPC only as the subgraph).
    assert {n[0] for n in mermaid_statements(text.replace("==>", "-->"))["node"]} == set(classes(text))


def test_closing_it_again_draws_the_same_part_red_and_dashed(tmp_path):
    change = change_of(tmp_path, "db-open", reverse=True)
    drawn = diff_diagram.diagram(change)
    assert drawn is not None and drawn.nodes == DB_NODES
    assert [line for line in drawn.lines if "--" in line or "==" in line] == DB_EDGES
    assert link_styles("\n".join(drawn.lines)) == dict.fromkeys(range(5), mermaid_format.MARK_STYLES["removed"][1])


def test_added_and_removed_components_are_classed_as_such(tmp_path):
    added = diff_diagram.diagram(change_of(tmp_path / "a", "waf"))
    removed = diff_diagram.diagram(change_of(tmp_path / "r", "waf", reverse=True))
    assert added is not None and removed is not None
    wafs = {cid for cid, mark in added.nodes.items() if mark == "added"}
    assert wafs and all(cid.startswith("aws_wafv2_") for cid in wafs)
    assert {cid for cid, mark in removed.nodes.items() if mark == "removed"} == wafs


def test_a_threat_closed_on_an_unchanged_component_draws_it_grey_with_its_flow(tmp_path):
    drawn = diff_diagram.diagram(change_of(tmp_path, "waf"))
    assert drawn is not None
    assert drawn.nodes == {"aws_wafv2_web_acl.acl": "added", "aws_wafv2_web_acl_association.web": "added",
                           "aws_lb.web": "unchanged"}
    text = "\n".join(drawn.lines)
    assert '    n_aws_lb_web["aws_lb.web<br/>lb.load_balancer<br/>2 threats closed"]' in drawn.lines
    assert [line for line in drawn.lines if "-->" in line] == ['  internet -->|"HTTPS 443"| n_aws_lb_web']
    assert link_styles(text) == {0: mermaid_format.MARK_STYLES["unchanged"][1]}
    assert classes(text) == {"n_aws_wafv2_web_acl_acl": "added", "n_aws_wafv2_web_acl_association_web": "added",
                             "n_aws_lb_web": "unchanged"}


def test_no_diagram_when_nothing_changed(tmp_path):
    before, _ = CHANGES[("db-open", "terraform")]
    model = build(scan([tree(tmp_path / "same", before)]))
    change = diff(model, model)
    assert diff_diagram.diagram(change) is None
    assert "mermaid" not in render(change, "markdown", "HEAD")


def test_hostile_names_are_escaped_in_the_diagram():
    change = diff(ThreatModel(), hostile_model())
    drawn = diff_diagram.diagram(change)
    assert drawn is not None
    text = "\n".join(drawn.lines)
    parts = mermaid_statements(text.replace("==>", "-->"))  # any line of another shape fails
    assert set(drawn.nodes) >= set(HOSTILE) and set(drawn.nodes.values()) == {"added"}
    labels = [n[2].replace("<br/>", " ") for n in parts["node"]] + [s[1] for s in parts["subgraph"]]
    for label in labels:
        assert not set(re.sub(r"#(\d+|quot);", "", label)) & set('"`|%;<>&:#\\'), label
        assert all(32 <= ord(ch) < 127 for ch in label), label
    assert all(re.fullmatch(r"\w+", n[0]) for n in parts["node"])
    markdown = render(change, "markdown", "HEAD")
    assert mermaid_block(markdown) == text + "\n"


def big_change(count: int, name_length: int = 10) -> ModelDiff:
    """``count`` new databases reached from the internet on two ports, and from each other in a chain."""
    comps = [ModelComponent(f"aws_db_instance.{'d' * name_length}{i:04d}", "rds.instance", "aws", Location("m.tf", i))
             for i in range(count)]
    flows = [Flow(INTERNET, c.id, port, "TCP", None, ("internet/aws",)) for c in comps for port in (3306, 5432)]
    flows += [Flow(a.id, b.id, 5432, "TCP", None) for a, b in zip(comps, comps[1:], strict=False)]
    return diff(ThreatModel(), ThreatModel(comps, flows, [], []))


def test_the_diagram_is_bounded_and_says_what_it_left_out():
    change = big_change(400)
    drawn = diff_diagram.diagram(change)
    assert drawn is not None
    assert len(drawn.nodes) == diff_diagram.MAX_NODES and drawn.left_out_nodes == 400 - diff_diagram.MAX_NODES
    # Between the drawn nodes alone there are more flows than edges drawn at most.
    edges = [line for line in drawn.lines if "-->" in line]
    assert len(edges) == diff_diagram.MAX_EDGES
    assert drawn.left_out_edges == len(change.flows["added"]) - diff_diagram.MAX_EDGES
    markdown = render(change, "markdown", "HEAD")
    assert (f"Left out to stay within GitHub's Mermaid limits: {400 - diff_diagram.MAX_NODES} changed components "
            f"and {drawn.left_out_edges} changed flows or attack-path steps") in markdown
    assert len(mermaid_block(markdown)) < mermaid_format.MAX_TEXT


def test_a_diagram_over_the_text_budget_is_a_note():
    drawn = diff_diagram.diagram(big_change(50, name_length=1000))
    assert drawn is not None and len(drawn.lines) == 2
    assert "too large" in drawn.lines[1] and drawn.lines[1].endswith('the tables below list every change"]')


@pytest.mark.skipif(_checker_skip_reason() is not None, reason=_checker_skip_reason() or "")
def test_mermaid_parser_accepts_the_change_diagrams(tmp_path: Path):
    changes = {"db-open": change_of(tmp_path / "o", "db-open"),
               "db-closed": change_of(tmp_path / "c", "db-open", reverse=True),
               "waf": change_of(tmp_path / "w", "waf"), "waf-removed": change_of(tmp_path / "x", "waf", reverse=True),
               "hostile": diff(ThreatModel(), hostile_model()), "hostile-removed": diff(hostile_model(), ThreatModel()),
               "big": big_change(400)}
    files = []
    for name, change in changes.items():
        path = tmp_path / f"{name}.md"
        path.write_text(render(change, "markdown", 'HEAD"`|'), encoding="utf-8")
        files.append(path)
    run = subprocess.run(["node", str(CHECKER / "check.mjs"), *map(str, files)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    for path in files:
        assert re.search(rf"^{re.escape(str(path))}(:\d+)?: ok \(flowchart", run.stdout, re.M), run.stdout
