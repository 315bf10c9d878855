"""``iac-assist model --base REF -f sarif``: one code scanning result per attack path a change
adds, at the line that opened it, with the path as a code flow (issue 19, the workflow)."""

from __future__ import annotations

import json

from click.testing import CliRunner

from iac_assist.cli import cli
from iac_assist.model import Location
from iac_assist.threatmodel.diff import ModelDiff
from iac_assist.threatmodel.formats.diff_sarif import opened_at
from tests.sarif_schema import validate_sarif
from tests.test_threatmodel_diff import DB_TF, repo  # noqa: F401  (a fixture)


def sarif(*args: str) -> tuple[int, dict]:
    out = CliRunner().invoke(cli, ["model", *args, "-f", "sarif"])
    doc = json.loads(out.stdout) if out.exit_code in (0, 1) else {}
    if doc:
        validate_sarif(doc)
    return out.exit_code, doc


def test_a_new_attack_path_is_one_result_at_the_rule_that_opened_it(repo):  # noqa: F811
    (repo / "infra" / "main.tf").write_text(DB_TF["open"], encoding="utf-8")
    code, doc = sarif(str(repo / "infra"), "--base", "HEAD")
    assert code == 0
    [run] = doc["runs"]
    # A category of its own: neither the scan's (iac-assist/) nor the whole model's (iac-assist-model/).
    assert run["automationDetails"] == {"id": "iac-assist-model-diff/infra/"}
    [result] = run["results"]
    lines = DB_TF["open"].splitlines()
    rule_line = next(n for n, line in enumerate(lines, 1) if line.strip() == "ingress {")
    place = result["locations"][0]["physicalLocation"]
    # Repository-relative, as every SARIF output: the scan root infra/ is not the repository's.
    assert (place["artifactLocation"]["uri"], place["region"]["startLine"]) == ("infra/main.tf", rule_line)
    assert result["ruleId"] == "IAC-TM-PATH"
    assert result["message"]["text"].startswith("This change opens an attack path. Attack path #1 to "
                                                "aws_db_instance.db")
    steps = result["codeFlows"][0]["threadFlows"][0]["locations"]
    assert [s["location"]["physicalLocation"]["region"]["startLine"] for s in steps] == [3, 10, rule_line, 33]
    assert result["properties"]["hops"][-1] == "aws_db_instance.db"


def test_no_change_and_a_closed_path_give_no_result(repo):  # noqa: F811
    assert sarif(str(repo / "infra"), "--base", "HEAD")[1]["runs"][0]["results"] == []
    # Closing it is a removed path: nothing to alert on in the pull request.
    (repo / "infra" / "main.tf").write_text(DB_TF["open"], encoding="utf-8")
    from tests.test_baseline import git

    git(repo, "commit", "-q", "-am", "open")
    (repo / "infra" / "main.tf").write_text(DB_TF["closed"], encoding="utf-8")
    assert sarif(str(repo / "infra"), "--base", "HEAD")[1]["runs"][0]["results"] == []


def test_sarif_is_a_format_of_the_difference(repo):  # noqa: F811
    out = CliRunner().invoke(cli, ["model", str(repo / "infra"), "--base", "HEAD", "-f", "otm"])
    assert out.exit_code == 2 and "json, markdown, text, sarif" in out.output


def _path(*evidence: tuple[str, str | None, int | None, str]) -> dict:
    return {"steps": [{"from": "internet", "to": "db", "kind": "internet-exposure",
                       "evidence": [{"id": i, "file": f, "line": n, "what": w} for i, f, n, w in evidence]}]}


def _change(flows: list[dict] | None = None, components: list[dict] | None = None) -> ModelDiff:
    return ModelDiff(components={"added": components or [], "removed": [], "renamed": []},
                     flows={"added": flows or [], "removed": []}, attack_paths={"added": [], "removed": []},
                     threats={"opened": [], "closed": [], "undetermined": []})


def test_the_line_that_opened_a_path_is_the_new_flows_then_a_new_components_then_the_most_specific():
    path = _path(("gw", "a.tf", 1, "gateway"), ("sg", "a.tf", 5, "admits 0.0.0.0/0"), ("lb", "a.tf", 9, "listener"),
                 ("db", "a.tf", 20, "public"), ("x", None, None, "not placed"))
    flow = {"file": "a.tf", "line": 5, "why": "admits 0.0.0.0/0"}
    assert opened_at(_change([flow], [{"id": "lb"}]), path) == Location("a.tf", 5)
    assert opened_at(_change([], [{"id": "lb"}]), path) == Location("a.tf", 9)
    assert opened_at(_change(), path) == Location("a.tf", 20)
    assert opened_at(_change(), _path(("x", None, None, "not placed"))) is None


def test_the_line_that_opened_a_path_is_on_a_step_the_base_did_not_take():
    path = _path(("sg", "a.tf", 5, "admits 0.0.0.0/0"))
    path["steps"].append({"from": "db", "to": "bucket", "kind": "permission",
                          "evidence": [{"id": "role", "file": "iam.tf", "line": 7, "what": "s3:GetObject"}]})
    flow = {"file": "a.tf", "line": 5, "why": "admits 0.0.0.0/0"}
    # The exposure was there before: the permission is what opened the path to the bucket.
    assert opened_at(_change([flow]), path, {("internet", "db", "internet-exposure")}) == Location("iam.tf", 7)
    assert opened_at(_change([flow]), path) == Location("a.tf", 5)
    # Every step taken before (a path re-routed): all its steps are candidates.
    everything = {("internet", "db", "internet-exposure"), ("db", "bucket", "permission")}
    assert opened_at(_change([flow]), path, everything) == Location("a.tf", 5)
