"""Policies of one's own: ``--policies-dir DIR`` and the ``iac_assist.policies`` entry points.

A policy of one's own reports like a built-in one (text, JSON, SARIF rules and results), its
examples are checked by ``iac-assist rules --check-examples DIR``, and a broken one (syntax error,
import error, exception while registering or judging, a reserved or duplicate id) is an error
naming its file and line: the gate fails (exit 2), the other findings are still reported. Loading
runs code, so the scanned repository's configuration names a policies folder only when the runner
allows it, and ``--untrusted`` never runs code from inside the repository.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from importlib import metadata
from pathlib import Path

import pytest
from click.testing import CliRunner

from iac_assist.analysis import custom_policies
from iac_assist.cli import cli
from iac_assist.policies import all_policies
from tests.sarif_schema import validate_sarif

ACME = Path(__file__).parent / "data" / "custom_policies" / "acme"
BUCKET = 'resource "aws_s3_bucket" "reports" {\n  bucket = "quarterly-reports"\n}\n'
GOOD = textwrap.dedent('''\
    from iac_assist.analysis.policy import Hit, policy
    from iac_assist.model import kinds


    @policy(id="ORG-DB-001", control="org-db-tagged", title="Database not tagged", severity="high",
            stride="R", cwe=1099, remediation="Tag it.")
    def db_tagged(graph):
        """Every database is tagged."""
        for db in graph.of_kind(kinds.RDS_INSTANCE):
            yield Hit(db, db.loc, "database is not tagged")
    ''')


@pytest.fixture(autouse=True)
def _builtin_only_after():
    yield
    custom_policies.reset()  # CliRunner runs in this process: leave no policy of one's own behind


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def infra(tmp_path: Path, text: str = BUCKET) -> Path:
    folder = tmp_path / "infra"
    folder.mkdir()
    (folder / "main.tf").write_text(text, encoding="utf-8")
    return folder


def policies_dir(tmp_path: Path, files: dict[str, str], name: str = "policies") -> Path:
    folder = tmp_path / name
    folder.mkdir()
    for file, text in files.items():
        (folder / file).write_text(textwrap.dedent(text), encoding="utf-8")
    return folder


# --- a working policy --------------------------------------------------------------------------


def test_a_policy_of_ones_own_reports_in_text_json_and_sarif(tmp_path: Path) -> None:
    folder = infra(tmp_path)
    text = run("scan", str(folder), "--policies-dir", str(ACME))
    assert text.exit_code == 1
    assert "main.tf:2:1: ACME-S3-001 [medium] aws_s3_bucket.reports: bucket name 'quarterly-reports' does " \
           "not start with 'acme-'" in text.stdout

    doc = json.loads(run("scan", str(folder), "--policies-dir", str(ACME), "-f", "json").stdout)
    mine = [f for f in doc["findings"] if f["rule_id"] == "ACME-S3-001"]
    assert [(f["control"], f["file"], f["line"], f["severity"]) for f in mine] == \
        [("acme-bucket-name-prefix", "main.tf", 2, "medium")]
    assert doc["errors"] == []

    sarif = json.loads(run("scan", str(folder), "--policies-dir", str(ACME), "-f", "sarif").stdout)
    validate_sarif(sarif)
    rules = sarif["runs"][0]["tool"]["driver"]["rules"]
    rule = next(r for r in rules if r["id"] == "ACME-S3-001")
    assert rule["shortDescription"]["text"] == "S3 bucket name lacks the acme- prefix"
    assert "quarterly-reports" in rule["help"]["markdown"]  # its own examples are its documentation
    results = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "ACME-S3-001"]
    assert len(results) == 1 and rules[results[0]["ruleIndex"]]["id"] == "ACME-S3-001"


def test_without_the_option_no_policy_of_ones_own_runs(tmp_path: Path) -> None:
    doc = json.loads(run("scan", str(infra(tmp_path)), "-f", "json").stdout)
    assert not [f for f in doc["findings"] if f["rule_id"].startswith("ACME-")]


def test_rules_lists_and_explains_them_and_select_knows_their_ids(tmp_path: Path) -> None:
    listed = run("rules", "--policies-dir", str(ACME))
    assert listed.exit_code == 0
    assert "ACME-S3-001" in listed.stdout and "IAC-S3-001" in listed.stdout
    explained = run("rules", "acme-bucket-name-prefix", "--policies-dir", str(ACME))
    assert explained.stdout.startswith("# ACME-S3-001: S3 bucket name lacks the acme- prefix")
    assert 'bucket = "acme-finance-quarterly-reports"' in explained.stdout  # the fixed twin
    as_json = json.loads(run("rules", "ACME-S3-001", "-f", "json", "--policies-dir", str(ACME)).stdout)
    # Where it is defined: the @policy line, relative to the current folder.
    assert as_json[0]["source"] == {"file": Path(os.path.relpath(ACME / "naming.py")).as_posix(), "line": 9}
    only = json.loads(run("scan", str(infra(tmp_path)), "--policies-dir", str(ACME), "--select", "ACME-S3-001",
                          "-f", "json").stdout)
    assert {f["rule_id"] for f in only["findings"]} == {"ACME-S3-001"}


def test_check_examples_passes_on_good_twins() -> None:
    checked = run("rules", "--check-examples", str(ACME))
    assert checked.exit_code == 0, checked.output
    assert checked.stdout.count("ok   ACME-S3-001 ") == 4
    assert checked.stdout.splitlines()[-1] == "4 examples of 1 policy checked: all as expected"


def test_check_examples_fails_on_a_fixed_twin_that_reports_and_a_missing_twin(tmp_path: Path) -> None:
    copy = tmp_path / "acme"
    shutil.copytree(ACME, copy)
    twins = copy / "examples" / "acme-bucket-name-prefix"
    shutil.copyfile(twins / "insecure.tf", twins / "fixed.tf")
    (twins / "insecure.yaml").unlink()
    checked = run("rules", "--check-examples", str(copy))
    assert checked.exit_code == 1
    lines = checked.stdout.splitlines()
    assert any(line.startswith("FAIL ACME-S3-001 ") and line.endswith(
        "fixed.tf: reports acme-bucket-name-prefix (line 3); a fixed twin shows the fix") for line in lines)
    assert any(line.startswith("FAIL ACME-S3-001 ") and "insecure.yaml: missing" in line for line in lines)
    assert lines[-1] == "4 examples of 1 policy checked: 2 failed"


# --- broken policies -----------------------------------------------------------------------------

BROKEN = {
    "syntax": ({"bad.py": "def broken(:\n    pass\n"}, "bad.py", 1, "SyntaxError"),
    "import": ({"bad.py": "import os\nimport acme_helpers_not_installed\n"}, "bad.py", 2,
               "ModuleNotFoundError: No module named 'acme_helpers_not_installed'"),
    "registration": ({"bad.py": GOOD.replace('severity="high"', 'severity="urgent"')}, "bad.py", 5,
                     "ValueError: ORG-DB-001: unknown severity 'urgent'"),
    "reserved-id": ({"bad.py": GOOD.replace("ORG-DB-001", "IAC-DB-999")}, "bad.py", 5,
                    "ids starting with IAC- are the built-in rules'"),
    "duplicate-control": ({"bad.py": GOOD.replace("org-db-tagged", "db-publicly-accessible")}, "bad.py", 5,
                          "its control is IAC-RDS-001's (a built-in rule)"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_policy_is_an_error_naming_its_file_and_line_and_the_scan_goes_on(tmp_path: Path,
                                                                                   case: str) -> None:
    files, file, line, message = BROKEN[case]
    folder = policies_dir(tmp_path, {**files, "naming.py": (ACME / "naming.py").read_text(),
                                     "_shared.py": (ACME / "_shared.py").read_text()})
    result = run("scan", str(infra(tmp_path)), "--policies-dir", str(folder), "-f", "json")
    assert result.exit_code == 2
    doc = json.loads(result.stdout)
    errors = [e for e in doc["errors"] if e["level"] == "error"]
    assert len(errors) == 1, errors
    assert errors[0]["file"] == f"../policies/{file}" and errors[0]["line"] == line
    assert message in errors[0]["message"]
    # The other policies still ran, the one of one's own beside it too.
    assert {"IAC-S3-003", "ACME-S3-001"} <= {f["rule_id"] for f in doc["findings"]}


def test_a_duplicate_id_between_two_folders_names_both_places(tmp_path: Path) -> None:
    first = policies_dir(tmp_path, {"db.py": GOOD}, "first")
    second = policies_dir(tmp_path, {"db.py": GOOD.replace("org-db-tagged", "org-db-tagged-again")}, "second")
    result = run("scan", str(infra(tmp_path)), "--policies-dir", str(first), "--policies-dir", str(second),
                 "-f", "json")
    assert result.exit_code == 2
    error = next(e for e in json.loads(result.stdout)["errors"] if e["level"] == "error")
    assert (error["file"], error["line"]) == ("../second/db.py", 5)
    assert "its id is ORG-DB-001's (../first/db.py:5)" in error["message"]


RAISING = textwrap.dedent('''\
    from iac_assist.analysis.policy import Hit, policy
    from iac_assist.model import kinds


    @policy(id="ORG-S3-002", control="org-bucket-owner", title="Bucket owner", severity="low",
            stride="R", cwe=1099, remediation="Set it.")
    def owner(graph):
        """Every bucket has an owner."""
        for bucket in graph.of_kind(kinds.S3_BUCKET):
            owner = {"reports": "finance"}[bucket.address.split(".")[-1]]
            if owner != "finance":
                yield Hit(bucket, bucket.loc, "no owner")
    ''')


def test_a_policy_raising_while_judging_fails_the_gate_naming_its_line(tmp_path: Path) -> None:
    folder = policies_dir(tmp_path, {"owner.py": RAISING})
    tf = BUCKET + 'resource "aws_s3_bucket" "logs" {\n  bucket = "acme-logs"\n}\n'
    result = run("scan", str(infra(tmp_path, tf)), "--policies-dir", str(folder), "-f", "json")
    assert result.exit_code == 2
    doc = json.loads(result.stdout)
    errors = [e for e in doc["errors"] if e["level"] == "error"]
    assert [(e["file"], e["line"]) for e in errors] == [("main.tf", 4)]  # the resource it could not judge
    assert errors[0]["message"] == (
        "rule ORG-S3-002 could not judge aws_s3_bucket.logs (CustomPolicyError: KeyError: 'logs' at "
        "../policies/owner.py:10); its findings on this resource are missing; fix the policy of your own "
        "(../policies/owner.py:5)")
    assert errors[0]["category"] == ""
    assert "IAC-S3-003" in {f["rule_id"] for f in doc["findings"]}


def test_a_policy_yielding_something_else_than_a_hit_is_an_error(tmp_path: Path) -> None:
    folder = policies_dir(tmp_path, {"bad.py": GOOD.replace('yield Hit(db, db.loc, "database is not tagged")',
                                                            'yield "untagged"')})
    db = 'resource "aws_db_instance" "db" {\n  engine = "postgres"\n}\n'
    result = run("scan", str(infra(tmp_path, db)), "--policies-dir", str(folder), "-f", "json")
    assert result.exit_code == 2
    messages = [e["message"] for e in json.loads(result.stdout)["errors"] if e["level"] == "error"]
    assert len(messages) == 1 and "yielded str, not a Hit, at ../policies/bad.py:5" in messages[0]


def test_rules_with_a_broken_policy_lists_the_others_and_exits_2(tmp_path: Path) -> None:
    folder = policies_dir(tmp_path, {"bad.py": "def broken(:\n"})
    result = CliRunner().invoke(cli, ["rules", "--policies-dir", str(folder)])
    assert result.exit_code == 2
    assert "IAC-S3-001" in result.stdout
    assert "bad.py:1:" in result.stderr and "SyntaxError" in result.stderr


def test_the_command_line_runs_a_broken_policy_without_a_traceback(tmp_path: Path) -> None:
    folder = policies_dir(tmp_path, {"bad.py": "raise SystemExit(3)\n"})
    done = subprocess.run([sys.executable, "-m", "iac_assist", "scan", str(infra(tmp_path)), "--policies-dir",
                           str(folder)], capture_output=True, text=True, check=False)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr + done.stdout
    assert "../policies/bad.py:1: policy module bad.py could not be loaded: SystemExit: 3" in done.stdout


# --- trust: loading runs code --------------------------------------------------------------------

CONFIG = 'policies-dirs = ["policies"]\n'


def _repository(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "main.tf").write_text(BUCKET, encoding="utf-8")
    (repo / ".iac-assist.toml").write_text(CONFIG, encoding="utf-8")
    marker = tmp_path / "ran"
    policies = repo / "policies"
    policies.mkdir()
    # What a hostile pull request would write: code with a side effect the test can see.
    (policies / "evil.py").write_text(f"open({str(marker)!r}, 'w').write('ran')\n", encoding="utf-8")
    return repo


def test_a_repository_configuration_naming_policies_runs_no_code_unless_the_runner_allows_it(
        tmp_path: Path) -> None:
    repo = _repository(tmp_path)
    refused = run("scan", str(repo))
    assert refused.exit_code == 2
    assert "policies-dirs asks the gate to run Python code of the scanned repository" in refused.output
    assert "--allow-repository-policies" in refused.output
    assert not (tmp_path / "ran").exists()

    # --untrusted does not read the repository's configuration at all.
    untrusted = run("scan", str(repo), "--untrusted", "--allow-repository-policies")
    assert untrusted.exit_code == 1
    assert not (tmp_path / "ran").exists()


def test_allowed_by_the_runner_the_repositorys_policies_run_and_that_is_reported(tmp_path: Path) -> None:
    repo = _repository(tmp_path)
    (repo / "policies" / "evil.py").unlink()
    shutil.copy(ACME / "naming.py", repo / "policies")
    shutil.copy(ACME / "_shared.py", repo / "policies")
    for allow in (["--allow-repository-policies"], []):
        env = {} if allow else {"IAC_ASSIST_ALLOW_REPOSITORY_POLICIES": "1"}
        result = run("scan", str(repo), "-f", "json", *allow, env=env)
        doc = json.loads(result.stdout)
        assert "ACME-S3-001" in {f["rule_id"] for f in doc["findings"]}
        notes = [(e["file"], e["line"], e["message"]) for e in doc["errors"] if e["category"] == "repository-setting"]
        assert notes == [(".iac-assist.toml", 1, 'policies-dirs = ["policies"] in .iac-assist.toml ran code of the '
                          "scanned repository (--allow-repository-policies): 1 policy: ACME-S3-001")]


def test_a_repository_configuration_may_name_no_folder_outside_it(tmp_path: Path) -> None:
    repo = _repository(tmp_path)
    (repo / ".iac-assist.toml").write_text(f'policies-dirs = [{str(ACME)!r}]\n', encoding="utf-8")
    result = run("scan", str(repo), "--allow-repository-policies")
    assert result.exit_code == 2
    assert "is outside the repository" in result.output


def test_untrusted_never_runs_code_from_inside_the_repository_whoever_names_it(tmp_path: Path) -> None:
    repo = _repository(tmp_path)
    outside_config = tmp_path / "runner.toml"
    outside_config.write_text(f'policies-dirs = [{str(repo / "policies")!r}]\n', encoding="utf-8")
    for args in (["--policies-dir", str(repo / "policies")], ["--config", str(outside_config)]):
        result = run("scan", str(repo), "--untrusted", *args)
        assert result.exit_code == 2, args
        assert "is inside the scanned repository" in result.output and "--untrusted never runs code" in result.output
        assert not (tmp_path / "ran").exists()
    # A trusted checkout elsewhere (the base branch's policies) is the runner's own.
    trusted = run("scan", str(repo), "--untrusted", "--policies-dir", str(ACME), "-f", "json")
    assert "ACME-S3-001" in {f["rule_id"] for f in json.loads(trusted.stdout)["findings"]}


def test_the_model_ignores_policies_dirs(tmp_path: Path) -> None:
    repo = _repository(tmp_path)
    result = run("model", str(repo), "-f", "json")
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "ran").exists()


# --- entry points --------------------------------------------------------------------------------


class _Point:
    def __init__(self, name: str, value: str, load) -> None:
        self.name, self.value, self._load = name, value, load

    def load(self):
        return self._load()


def _entry_points(monkeypatch: pytest.MonkeyPatch, points: list[_Point]) -> None:
    real = metadata.entry_points

    def fake(**kwargs):
        if kwargs.get("group") == custom_policies.ENTRY_POINT_GROUP:
            return points
        return real(**kwargs)

    monkeypatch.setattr(metadata, "entry_points", fake)
    # No distribution installed here declares the group: the quick look would skip the lookup.
    monkeypatch.setattr(custom_policies, "declared", lambda: True)


def test_installed_packages_give_policies_through_the_entry_point_group(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    package = policies_dir(tmp_path, {"__init__.py": "", "naming.py": (ACME / "naming.py").read_text(),
                                      "_shared.py": (ACME / "_shared.py").read_text()}, "acme_policies")
    shutil.copytree(ACME / "examples", package / "examples")
    monkeypatch.syspath_prepend(str(tmp_path))

    def load_module():
        import importlib

        return importlib.import_module("acme_policies.naming")

    _entry_points(monkeypatch, [_Point("acme", "acme_policies.naming", load_module)])
    doc = json.loads(run("scan", str(infra(tmp_path)), "-f", "json").stdout)
    assert "ACME-S3-001" in {f["rule_id"] for f in doc["findings"]}
    explained = run("rules", "ACME-S3-001")
    assert 'bucket = "acme-finance-quarterly-reports"' in explained.stdout  # examples beside the module


def test_a_broken_entry_point_is_an_error_naming_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken():
        raise ImportError("No module named 'acme_policies'")

    _entry_points(monkeypatch, [_Point("acme", "acme_policies:POLICIES", broken),
                                _Point("other", "other:POLICIES", lambda: ["not a policy"])])
    result = run("scan", str(infra(tmp_path)), "-f", "json")
    assert result.exit_code == 2
    messages = sorted(e["message"] for e in json.loads(result.stdout)["errors"] if e["level"] == "error")
    assert messages == [
        "entry point acme = acme_policies:POLICIES (iac_assist.policies) could not be loaded: ImportError: No module "
        "named 'acme_policies'",
        "entry point other = other:POLICIES (iac_assist.policies): gives no list of policies",
    ]


def test_the_quick_look_finds_a_declared_group(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert not custom_policies.declared()  # nothing installed here declares it
    dist = tmp_path / "acme_policies-1.0.dist-info"
    dist.mkdir()
    (dist / "entry_points.txt").write_text("[iac_assist.policies]\nacme = acme_policies.naming\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert custom_policies.declared()


def test_a_scan_does_not_import_importlib_metadata_when_no_package_declares_policies(tmp_path: Path) -> None:
    # cli(), not main(): main ends the process without returning (cli.leave).
    code = ("import sys; from iac_assist.cli import cli\n"
            "try:\n    cli(['scan', sys.argv[1]])\nexcept SystemExit:\n    pass\n"
            "print('importlib.metadata' in sys.modules, file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code, str(infra(tmp_path))], capture_output=True, text=True,
                          check=False)
    assert done.stderr.strip().splitlines()[-1] == "False"


def test_builtin_policies_only_when_nothing_is_activated() -> None:
    custom_policies.activate([ACME])
    assert "ACME-S3-001" in {p.id for p in all_policies()}
    custom_policies.reset()
    assert not [p for p in all_policies() if p.source is not None]


def test_the_readmes_policy_example_works_as_printed(tmp_path: Path) -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Policies of one's own", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    assert code.startswith("# ci/policies/naming.py\n")
    folder = policies_dir(tmp_path, {"naming.py": code})
    result = run("scan", str(infra(tmp_path)), "--policies-dir", str(folder), "-f", "json")
    doc = json.loads(result.stdout)
    assert doc["errors"] == []
    assert [(f["rule_id"], f["message"]) for f in doc["findings"] if f["rule_id"] == "ACME-S3-001"] == \
        [("ACME-S3-001", "bucket name 'quarterly-reports' does not start with 'acme-'")]


def test_an_inline_suppression_names_a_policy_of_ones_own(tmp_path: Path) -> None:
    text = "# iac-assist:ignore=ACME-S3-001 legacy name, bucket retired in Q3\n" + BUCKET
    doc = json.loads(run("scan", str(infra(tmp_path, text)), "--policies-dir", str(ACME), "-f", "json").stdout)
    mine = [f for f in doc["findings"] if f["rule_id"] == "ACME-S3-001"]
    assert [f["suppressed"]["reason"] for f in mine] == ["legacy name, bucket retired in Q3"]
    assert not [e for e in doc["errors"] if "no rule id" in e["message"]]


def test_a_policy_raising_before_judging_any_resource_names_its_own_line(tmp_path: Path) -> None:
    text = GOOD.replace('    for db in graph.of_kind(kinds.RDS_INSTANCE):',
                        '    limits = {}["max"]\n    for db in graph.of_kind(kinds.RDS_INSTANCE):')
    folder = policies_dir(tmp_path, {"db.py": text})
    result = run("scan", str(infra(tmp_path)), "--policies-dir", str(folder), "-f", "json")
    assert result.exit_code == 2
    errors = [e for e in json.loads(result.stdout)["errors"] if e["level"] == "error"]
    assert [(e["file"], e["line"], e["message"]) for e in errors] == [
        ("../policies/db.py", 5, "rule ORG-DB-001 raised (CustomPolicyError: KeyError: 'max' at ../policies/db.py:9); "
                                 "its findings are missing; fix the policy of your own (../policies/db.py:5)")]


def test_an_entry_point_of_a_distribution_inside_the_scanned_repository_is_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # `python -m iac_assist` puts the current folder on sys.path: a repository holding
    # evil.dist-info/entry_points.txt would declare policies the gate then imports.
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "main.tf").write_text(BUCKET, encoding="utf-8")
    ran = []

    class Dist:
        def locate_file(self, name: str) -> Path:
            return repo / name

    point = _Point("evil", "evil:POLICIES", lambda: ran.append("ran") or [])
    point.dist = Dist()
    _entry_points(monkeypatch, [point])
    result = run("scan", str(repo), "-f", "json")
    assert result.exit_code == 2
    assert ran == []
    errors = [e for e in json.loads(result.stdout)["errors"] if e["level"] == "error"]
    assert [(e["file"], e["message"]) for e in errors] == [(".", (
        "entry point evil = evil:POLICIES (iac_assist.policies) not loaded: its distribution lies inside the scanned "
        "repository, whose code the gate runs only with --allow-repository-policies (never with --untrusted); "
        "install the policies where the gate runs"))]
    # The runner allows the repository's code: it runs (and --untrusted still refuses it).
    assert run("scan", str(repo), "--allow-repository-policies").exit_code == 1 and ran == ["ran"]
    assert run("scan", str(repo), "--allow-repository-policies", "--untrusted").exit_code == 2


def test_a_baseline_records_and_then_leaves_out_their_findings(tmp_path: Path) -> None:
    folder = infra(tmp_path)
    known = tmp_path / "known.json"
    recorded = run("baseline", str(folder), "--policies-dir", str(ACME), "--output", str(known))
    assert recorded.exit_code == 0, recorded.output
    assert "ACME-S3-001" in known.read_text(encoding="utf-8")
    again = run("scan", str(folder), "--policies-dir", str(ACME), "--baseline", str(known))
    assert again.exit_code == 0, again.output
