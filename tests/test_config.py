"""The configuration file and the command line: which rules run, at what severity, what fails the
gate; the command line wins; mistakes are errors naming the key and the file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from iac_assist.cli import cli
from iac_assist.gate.config import ConfigError, find, load, select_policies
from iac_assist.policies import all_policies

# IAC-RDS-001 db-publicly-accessible (critical), IAC-RDS-004 db-storage-unencrypted (high),
# IAC-RDS-006 db-deletion-protection-missing (low), and others.
DB = 'resource "aws_db_instance" "db" {\n  publicly_accessible = true\n}\n'


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def rules_of(output: str) -> dict[str, str]:
    return {f["rule_id"]: f["severity"] for f in json.loads(output)["findings"]}


def test_select_ignore_and_fail_on_from_the_file(write_tree):
    root = write_tree({"main.tf": DB, ".iac-assist.toml": (
        'select = ["db-publicly-accessible", "IAC-RDS-004", "low"]\nignore = ["IAC-RDS-006"]\nfail-on = "critical"\n')})
    result = run("scan", str(root), "-f", "json")
    assert set(rules_of(result.output)) == {"IAC-RDS-001", "IAC-RDS-004"}  # low ones but RDS-006
    assert result.exit_code == 1


def test_the_command_line_wins_over_the_file(write_tree):
    root = write_tree({"main.tf": DB, ".iac-assist.toml": 'select = ["critical"]\nfail-on = "critical"\n'})
    assert set(rules_of(run("scan", str(root), "-f", "json").output)) == {"IAC-RDS-001"}
    # --select replaces the file's list (lists are not merged); --fail-on replaces its threshold.
    only_high = run("scan", str(root), "--select", "high", "-f", "json")
    assert set(rules_of(only_high.output)) == {"IAC-RDS-004"}
    assert only_high.exit_code == 0  # high findings, the file's fail-on critical
    assert run("scan", str(root), "--select", "high", "--fail-on", "high").exit_code == 1
    assert run("scan", str(root), "--fail-on", "none").exit_code == 0


def test_severity_overrides_by_id_and_slug(write_tree):
    root = write_tree({"main.tf": DB, "pyproject.toml": (
        '[project]\nname = "x"\n\n[tool.iac-assist]\nselect = ["IAC-RDS-001", "IAC-RDS-004"]\n\n'
        '[tool.iac-assist.severity]\nIAC-RDS-001 = "medium"\ndb-storage-unencrypted = "LOW"\n')})
    result = run("scan", str(root), "-f", "json", "--fail-on", "high")
    assert rules_of(result.output) == {"IAC-RDS-001": "medium", "IAC-RDS-004": "low"}
    assert result.exit_code == 0
    sarif = json.loads(run("scan", str(root), "-f", "sarif").output)
    levels = {r["id"]: r["defaultConfiguration"]["level"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert levels == {"IAC-RDS-001": "warning", "IAC-RDS-004": "note"}
    # A severity in select/ignore means the overridden one.
    assert set(rules_of(run("scan", str(root), "-f", "json", "--select", "medium").output)) == {"IAC-RDS-001"}


def test_found_from_the_scan_root_up_to_the_repository_root(write_tree):
    root = write_tree({
        "outside/.iac-assist.toml": 'select = ["low"]\n',  # above the repository: never read
        "outside/repo/pyproject.toml": '[tool.iac-assist]\nselect = ["critical"]\n',
        "outside/repo/infra/pyproject.toml": '[project]\nname = "infra"\n',  # no table: passed over
        "outside/repo/infra/main.tf": DB,
    })
    (root / "outside/repo/.git").mkdir()
    infra = root / "outside/repo/infra"
    assert find(infra) == root / "outside/repo/pyproject.toml"
    assert set(rules_of(run("scan", str(infra), "-f", "json").output)) == {"IAC-RDS-001"}
    (root / "outside/repo/pyproject.toml").write_text('[project]\nname = "x"\n')
    assert find(infra) is None  # stops at the repository root


def test_the_dedicated_file_comes_before_pyproject(write_tree):
    root = write_tree({".iac-assist.toml": 'select = ["high"]\n',
                       "pyproject.toml": '[tool.iac-assist]\nselect = ["critical"]\n', "main.tf": DB})
    assert find(root) == root / ".iac-assist.toml"
    assert set(rules_of(run("scan", str(root), "-f", "json").output)) == {"IAC-RDS-004"}


def test_explicit_config_file(write_tree):
    root = write_tree({"main.tf": DB, "ci/gate.toml": 'select = ["critical"]\n',
                       ".iac-assist.toml": 'select = ["low"]\n'})
    result = run("scan", str(root), "--config", str(root / "ci/gate.toml"), "-f", "json")
    assert set(rules_of(result.output)) == {"IAC-RDS-001"}


@pytest.mark.parametrize(("name", "text", "message"), [
    (".iac-assist.toml", 'fail_on = "high"\n', "unknown key 'fail_on' in .iac-assist.toml; did you mean 'fail-on'?"),
    ("pyproject.toml", '[tool.iac-assist]\nselekt = ["x"]\n', "unknown key 'selekt' in [tool.iac-assist]"),
    (".iac-assist.toml", 'select = ["IAC-RDS-01"]\n', "select: 'IAC-RDS-01' is no rule id, control slug or severity"),
    (".iac-assist.toml", '[severity]\nIAC-RDS-001 = "urgent"\n', "severity.IAC-RDS-001 must be one of"),
    (".iac-assist.toml", '[severity]\nhigh = "low"\n', "severity: 'high' is no rule id or control slug"),
    (".iac-assist.toml", 'fail-on = "sometimes"\n', "fail-on must be one of critical, high, medium, low, none"),
    (".iac-assist.toml", "no-inline-suppressions = 1\n", "no-inline-suppressions must be true or false"),
    (".iac-assist.toml", 'var-files = ["missing.tfvars"]\n', "var-files: no such file"),
    (".iac-assist.toml", "select = [\n", "not valid TOML"),
])
def test_configuration_mistakes_are_errors_naming_key_and_file(write_tree, name, text, message):
    root = write_tree({"main.tf": DB, name: text})
    result = run("scan", str(root))
    assert result.exit_code == 2
    assert message in result.output
    assert str(root / name) in result.output


def test_unknown_names_on_the_command_line_are_usage_errors(write_tree):
    root = write_tree({"main.tf": DB})
    result = run("scan", str(root), "--ignore", "db-publicly-accesible")
    assert result.exit_code == 2
    assert "--ignore: 'db-publicly-accesible' is no rule id, control slug or severity " \
           "(did you mean 'db-publicly-accessible'?)" in result.output


def test_exclude_var_files_and_parameters_from_the_file(write_tree):
    root = write_tree({
        "config/.iac-assist.toml": ('exclude = ["legacy"]\nvar-files = ["prod.tfvars"]\n'
                                    'parameters = {Public = "true"}\nselect = ["IAC-RDS-001"]\n'),
        "config/prod.tfvars": "public = true\n",
        "tf/main.tf": ('variable "public" {}\n'
                       'resource "aws_db_instance" "db" {\n  publicly_accessible = var.public\n}\n'),
        "legacy/main.tf": DB,
        "cfn/db.yaml": ('AWSTemplateFormatVersion: "2010-09-09"\nParameters:\n  Public:\n    Type: String\n'
                        'Resources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    Properties:\n'
                        '      PubliclyAccessible: !Ref Public\n'),
    })
    result = run("scan", str(root), "--config", str(root / "config/.iac-assist.toml"), "-f", "json")
    found = {(f["file"], f["resource"]) for f in json.loads(result.output)["findings"]}
    assert found == {("tf/main.tf", "aws_db_instance.db"), ("cfn/db.yaml", "Db")}
    # Without the file the variable and the parameter are unknown: nothing definite, and legacy/ is back.
    bare = run("scan", str(root), "--select", "IAC-RDS-001", "-f", "json")
    assert {f["file"] for f in json.loads(bare.output)["findings"]} == {"legacy/main.tf"}


def test_model_reads_the_configuration_inputs(write_tree):
    root = write_tree({"main.tf": DB, "legacy/main.tf": DB.replace('"db"', '"old"'),
                       ".iac-assist.toml": 'exclude = ["legacy"]\n'})
    out = run("model", str(root), "-f", "json")
    doc = json.loads(out.stdout)
    assert "aws_db_instance.old" not in json.dumps(doc) and "aws_db_instance.db" in json.dumps(doc)
    assert "legacy" in out.stderr and "1 IaC file not analysed: excluded by 'legacy'" in out.stderr
    (root / ".iac-assist.toml").write_text("exlude = []\n")
    assert run("model", str(root)).exit_code == 2


def test_load_makes_paths_absolute_against_the_file(tmp_path: Path):
    (tmp_path / "p.json").write_text("{}")
    config = tmp_path / ".iac-assist.toml"
    config.write_text('baseline = "b.json"\nparameters = ["p.json", "Env=prod"]\nselect = "critical,high"\n')
    values = load(config)
    assert values == {"baseline": tmp_path / "b.json", "parameters": (str(tmp_path / "p.json"), "Env=prod"),
                      "select": ("critical", "high")}


def test_select_policies_for_the_engine_api():
    policies = all_policies()
    chosen = select_policies(policies, ["critical"], ["IAC-RDS-001"], {"IAC-S3-004": "critical"})
    assert "IAC-RDS-001" not in {p.id for p in chosen}
    assert {p.id: p.severity for p in chosen}["IAC-S3-004"] == "critical"
    assert all(p.severity == "critical" for p in chosen)
    with pytest.raises(ConfigError, match="'nope' is no rule id"):
        select_policies(policies, ["nope"])


# Where the configuration comes from, and what it may name ------------------------------------------

PUBLIC_DB = {"main.tf": DB}


def test_outside_a_repository_only_the_scan_root_is_searched(write_tree):
    # A configuration in a shared folder above the scan (/tmp, a home folder) is nobody's choice
    # for this scan: it must not switch the gate off.
    root = write_tree({"scan/main.tf": DB, ".iac-assist.toml": 'ignore = ["critical", "high", "medium", "low"]\n'})
    assert find(root / "scan") is None
    result = run("scan", str(root / "scan"), "-f", "json")
    assert result.exit_code == 1
    assert "IAC-RDS-001" in rules_of(result.output)
    assert find(root) == root / ".iac-assist.toml"  # at the scan root itself it applies


def test_inside_a_repository_the_search_stops_at_its_root(write_tree):
    root = write_tree({"repo/infra/main.tf": DB, ".iac-assist.toml": 'fail-on = "none"\n',
                       "repo/.git/HEAD": "ref: refs/heads/main\n"})
    assert find(root / "repo/infra") is None
    assert run("scan", str(root / "repo/infra")).exit_code == 1


SECRET = "TOPSECRET-d41d8cd9"
"""Stands for bytes of a file outside the scanned repository: they must never reach a report."""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository with a public database, beside files of the machine that are not its own."""
    (tmp_path / "repo/.git").mkdir(parents=True)
    (tmp_path / "repo/main.tf").write_text('variable "public" {}\n' + DB.replace("true", "var.public"))
    (tmp_path / "repo/stack.yaml").write_text(
        'AWSTemplateFormatVersion: "2010-09-09"\nParameters:\n  Public:\n    Type: String\n'
        'Resources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      PubliclyAccessible: !Ref Public\n')
    (tmp_path / "secret.tfvars").write_text(f'{SECRET} = = {{\npublic = "{SECRET}"\n')
    (tmp_path / "secret.json").write_text(f'{{"Parameters": {{"Public": "{SECRET}"}}, "x": [{SECRET}]}}')
    (tmp_path / "secret.txt").write_text(f"{SECRET}\nno pair here {SECRET}\n")
    return tmp_path / "repo"


@pytest.mark.parametrize(("setting", "message"), [
    ('var-files = ["../secret.tfvars"]', "var-files: {path} is outside the repository"),
    ('var-files = ["link.tfvars"]', "var-files: {path} is outside the repository"),
    ('parameters = ["../secret.json"]', "parameters: {path} is outside the repository"),
    ('parameters = ["{abs}/secret.txt"]', "parameters: {path} is outside the repository"),
    ('baseline = "../secret.json"', "baseline: {path} is outside the repository"),
    ('var-files = [".git/vars.tfvars"]', "var-files: {path} is inside .git"),
    ('baseline = ".git/config"', "baseline: {path} is inside .git"),
])
def test_files_a_repository_configuration_names_stay_inside_it(repo, setting, message):
    (repo / "link.tfvars").symlink_to(repo.parent / "secret.tfvars")
    (repo / ".git/vars.tfvars").write_text(f'public = "{SECRET}"\n')
    (repo / ".git/config").write_text(SECRET)
    setting = setting.replace("{abs}", str(repo.parent))
    (repo / ".iac-assist.toml").write_text(setting + "\n")
    named = setting.split('"')[1]
    for args in ((), ("-f", "json"), ("-f", "sarif")):
        result = CliRunner().invoke(cli, ["scan", str(repo), *args])
        assert result.exit_code == 2, result.output
        assert SECRET not in result.output
        assert message.format(path=repo / named) in result.output
    # A configuration the runner names from outside the repository is the runner's own: its files apply.
    (repo.parent / "runner.tfvars").write_text("public = true\n")
    (repo.parent / "gate.toml").write_text('var-files = ["runner.tfvars"]\nselect = ["IAC-RDS-001"]\n')
    result = run("scan", str(repo), "--config", str(repo.parent / "gate.toml"), "-f", "json")
    assert result.exit_code == 1 and {f["file"] for f in json.loads(result.output)["findings"]} == {"main.tf"}


def test_files_a_configuration_names_are_size_capped(repo, monkeypatch):
    from iac_assist.gate import config
    monkeypatch.setattr(config, "MAX_SIDE_FILE_BYTES", 64)
    (repo / "prod.tfvars").write_text("public = true\n" + "#" * 100 + "\n")
    (repo / ".iac-assist.toml").write_text('var-files = ["prod.tfvars"]\n')
    result = run("scan", str(repo))
    assert result.exit_code == 2
    assert f"var-files: {repo / 'prod.tfvars'} is larger than 64 bytes; not read" in result.output
    monkeypatch.setattr(config, "MAX_CONFIG_BYTES", 16)
    result = run("scan", str(repo))
    assert result.exit_code == 2 and "larger than 16 bytes; not a configuration file" in result.output


DEEP = 50_000


@pytest.mark.parametrize(("files", "args", "message"), [
    ({".iac-assist.toml": "select = " + "[" * DEEP + "]" * DEEP + "\n"}, (), "not valid TOML: nested too deeply"),
    ({".iac-assist.toml": "parameters = {A = " + "{b = " * DEEP + "1" + "}" * DEEP + "}\n"}, (),
     "not valid TOML: nested too deeply"),
    ({".iac-assist.toml": b'select = ["\xff"]\n'}, (), "not valid TOML: not UTF-8"),
    ({"pyproject.toml": b"[tool.iac-assist]\nx = 1\n\xfe\n"}, (), "not valid TOML: not UTF-8"),
    ({"b.json": "[" * DEEP + "]" * DEEP}, ("--baseline", "{root}/b.json"), "not a baseline file (nested too deeply)"),
    ({"b.json": '{"version": 1, "findings": ' + "[" * DEEP + "]" * DEEP + "}"}, ("--baseline", "{root}/b.json"),
     "not a baseline file (nested too deeply)"),
    ({"b.json": '{"version": 1, "findings": [[]]}'}, ("--baseline", "{root}/b.json"), "findings[0] has no fingerprint"),
    ({"p.json": '{"Parameters": ' + "[" * DEEP + "]" * DEEP + "}"}, ("--parameters", "{root}/p.json"),
     "nested too deeply"),
    ({"p.json": '{"Parameters": {"A": ' + "[" * 900 + "]" * 900 + "}}"}, ("--parameters", "{root}/p.json"), ""),
    ({".iac-assist.toml": 'parameters = ["p.json"]\n', "p.json": "[" * DEEP + "]" * DEEP},
     (), "nested too deeply"),
    ({".iac-assist.toml": 'baseline = "b.json"\n', "b.json": "{" * 10 + "[" * DEEP}, (), "not a baseline file"),
])
def test_malformed_side_files_are_usage_errors_never_tracebacks(tmp_path, files, args, message):
    (tmp_path / "main.tf").write_text(DB)
    for name, content in files.items():
        (tmp_path / name).write_bytes(content if isinstance(content, bytes) else content.encode())
    result = CliRunner().invoke(cli, ["scan", str(tmp_path), *(a.format(root=tmp_path) for a in args)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert result.exit_code in (1, 2) if not message else result.exit_code == 2, result.output
    assert message in result.output
