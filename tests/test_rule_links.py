"""Every SARIF rule links to its section of the docs, and the link lands: the anchor is one GitHub
gives a heading of the page it points at (docs/rules.md, or the README for the threat model)."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from click.testing import CliRunner

from iac_assist.cli import cli
from iac_assist.policies import all_policies
from iac_assist.report.rule_docs import HOMEPAGE, rule_url

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "fixtures" / "seed-app" / "terraform" / "insecure"


def github_anchors(markdown: str) -> set[str]:
    """The anchors GitHub gives the headings of ``markdown`` (fenced code skipped: a ``#`` there is
    a comment), as its docs say: lower case, punctuation other than ``-`` and ``_`` removed, spaces
    to hyphens, ``-1``, ``-2``... after a repeated one."""
    anchors: set[str] = set()
    seen: dict[str, int] = {}
    fence = None
    for line in markdown.splitlines():
        marker = re.match(r"\s*(```+|~~~+)", line)
        if marker:
            if fence is None:
                fence = marker.group(1)[0]
            elif marker.group(1)[0] == fence:
                fence = None
            continue
        heading = re.match(r"#{1,6} +(.*?)\s*#*\s*$", line)
        if fence is None and heading:
            slug = "".join(c for c in heading.group(1).lower() if c.isalnum() or c in " -_").replace(" ", "-")
            n = seen.get(slug, 0)
            seen[slug] = n + 1
            anchors.add(slug if n == 0 else f"{slug}-{n}")
    return anchors


def homepage() -> str:
    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["urls"]["Homepage"]


def landing(url: str, page: str) -> str:
    """The anchor of ``url``, after checking it points at ``page`` of the project's repository."""
    base, _, fragment = url.partition("#")
    assert base == f"{homepage()}/blob/main/{page}", url
    return fragment


def test_the_homepage_is_pyprojects():
    assert homepage() == HOMEPAGE


def test_every_sarif_rule_has_a_help_uri_landing_on_its_section(tmp_path):
    out = CliRunner().invoke(cli, ["scan", str(SEED), "--format", "sarif"])
    assert out.exit_code == 1
    rules = json.loads(out.output)["runs"][0]["tool"]["driver"]["rules"]
    assert {r["id"] for r in rules} == {p.id for p in all_policies()}
    anchors = github_anchors((REPO / "docs" / "rules.md").read_text(encoding="utf-8"))
    for rule in rules:
        assert rule["helpUri"] == rule_url(rule["id"])
        fragment = landing(rule["helpUri"], "docs/rules.md")
        assert fragment in anchors, rule["id"]
        # Stable: the anchor is the rule id's, whatever its title says.
        assert fragment == rule["id"].lower()


def test_the_attack_path_rule_links_to_the_readmes_threat_model_section():
    out = CliRunner().invoke(cli, ["model", str(SEED), "--format", "sarif"])
    (rule,) = json.loads(out.output)["runs"][0]["tool"]["driver"]["rules"]
    fragment = landing(rule["helpUri"], "README.md")
    assert fragment in github_anchors((REPO / "README.md").read_text(encoding="utf-8"))


def test_the_markdown_report_links_the_same_sections():
    out = CliRunner().invoke(cli, ["scan", str(SEED), "--format", "markdown"])
    links = re.findall(r"\[rule reference\]\(([^)]+)\)", out.output)
    assert links
    anchors = github_anchors((REPO / "docs" / "rules.md").read_text(encoding="utf-8"))
    for link in links:
        assert landing(link, "docs/rules.md") in anchors


def test_the_index_of_docs_rules_links_each_rule_to_its_own_section():
    text = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    anchors = github_anchors(text)
    index = re.findall(r"^\| \[(IAC-[A-Z0-9-]+)\]\(#([^)]+)\)", text, flags=re.M)
    assert len(index) == len(all_policies())
    for rule_id, fragment in index:
        assert fragment == rule_id.lower() and fragment in anchors
