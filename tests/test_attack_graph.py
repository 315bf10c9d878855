"""The attack graph on architectures shaped like real code: exact zones, flows, attack paths
(hop ids, step kinds, evidence file:line), ranking and threat states; the Top risks section, the
data-classification file, OTM and SARIF."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from iac_assist.analysis.engine import scan
from iac_assist.cli import cli
from iac_assist.threatmodel.build import build
from iac_assist.threatmodel.formats import render
from tests.sarif_schema import validate_sarif

FIXTURES = Path(__file__).parent / "fixtures"
INSECURE = {"terraform": FIXTURES / "tm-insecure-instance" / "terraform",
            "cloudformation": FIXTURES / "tm-insecure-instance" / "cloudformation"}
THREE_TIER = FIXTURES / "tm-three-tier"
NESTED = FIXTURES / "tm-nested-stacks"


def model_json(path: Path) -> dict:
    return build(scan([path])).to_json()


def paths_of(model: dict) -> list[tuple]:
    """(rank, target, score, exposure, classification, [(kind, from, to, [(id, file:line)])])."""
    return [
        (a["rank"], a["target"], a["score"], a["exposure"], a["classification"],
         [(s["kind"], s["from"], s["to"], [(e["id"], f"{e['file']}:{e['line']}") for e in s["evidence"]])
          for s in a["steps"]])
        for a in model["attack_paths"]
    ]


def flows_of(model: dict) -> set[tuple]:
    return {(f["source"], f["target"], f["port"], f["protocol"], f["encrypted"], tuple(f["crosses"]))
            for f in model["flows"]}


# --- an SSH-open instance with IMDSv1 and an over-privileged role -------------------------------

INSECURE_PARTS = {
    "terraform": {
        "igw": "aws_internet_gateway.main", "subnet": "aws_subnet.public", "sg": "aws_security_group.build",
        "instance": "aws_instance.build", "role": "aws_iam_role.build", "bucket": "aws_s3_bucket.artifacts",
        "secret": "aws_secretsmanager_secret.deploy_key", "policy": "aws_iam_role_policy.build",
        "file": "main.tf",
        # gateway, route, rule, public address; instance profile, IMDS; bucket and secret statements
        "lines": (8, 21, 36, 15, 94, 98, 67, 67),
    },
    "cloudformation": {
        "igw": "InternetGateway", "subnet": "PublicSubnet", "sg": "BuildSecurityGroup",
        # The inline policy is a part of the role, with an id of its own.
        "instance": "BuildInstance", "role": "BuildRole", "bucket": "ArtifactBucket",
        "secret": "DeployKey", "policy": "BuildRole/Policies[0]", "file": "template.yaml",
        "lines": (8, 25, 42, 20, 81, 73, 61, 64),
    },
}


@pytest.mark.parametrize("fmt", ["terraform", "cloudformation"])
def test_insecure_instance_paths_go_through_credential_theft_and_the_role(fmt):
    p = INSECURE_PARTS[fmt]
    igw, route, rule, address, profile, imds, bucket_stmt, secret_stmt = (f"{p['file']}:{n}" for n in p["lines"])
    model = model_json(INSECURE[fmt])
    exposure = ("internet-exposure", "internet", p["instance"],
                [(p["igw"], igw), (p["subnet"], route), (p["sg"], rule), (p["instance"], address)])
    theft = ("credential-theft", p["instance"], p["role"], [(p["instance"], profile), (p["instance"], imds)])
    assert paths_of(model) == [
        # 0.4 × 0.8 × 0.9 = 0.288, restricted by its tag (impact 1.0)
        (1, p["bucket"], 0.288, "authenticated", "restricted",
         [exposure, theft, ("iam-permission", p["role"], p["bucket"], [(p["policy"], bucket_stmt)])]),
        # the same walk to a secret not classified: confidential (0.75)
        (2, p["secret"], 0.216, "authenticated", "confidential",
         [exposure, theft, ("iam-permission", p["role"], p["secret"], [(p["policy"], secret_stmt)])]),
        # SSH is an admin port: a login stands between the internet and the instance
        (3, p["instance"], 0.2, "authenticated", "internal", [exposure]),
    ]
    top = model["attack_paths"][0]
    assert top["hops"] == ["internet", p["igw"], p["subnet"], p["sg"], p["instance"], p["role"], p["bucket"]]
    assert top["likelihood"] == 0.288 and top["impact"] == 1.0 and top["classification_source"] == "tag"
    assert flows_of(model) == {("internet", p["instance"], 22, "TCP", None, ("internet/public",))}
    zones = {c["id"]: c["zone"] for c in model["components"]}
    assert (zones[p["instance"]], zones[p["subnet"]], zones[p["role"]], zones[p["bucket"]]) == \
        ("public", "public", "aws", "aws")
    states = {t["id"]: t["status"] for t in model["threats"]}
    assert states[f"instance-credential-theft@{p['instance']}"] == "open"
    assert states[f"instance-exposure@{p['instance']}"] == "open"
    assert states[f"iam-elevation@{p['policy']}"] == "open"


def test_imdsv2_and_no_instance_profile_close_the_role_step(tmp_path):
    text = (INSECURE["terraform"] / "main.tf").read_text()
    (tmp_path / "main.tf").write_text(text.replace('http_tokens   = "optional"', 'http_tokens   = "required"'))
    kinds = [[s["kind"] for s in a["steps"]] for a in model_json(tmp_path)["attack_paths"]]
    # IMDSv2 only: the role needs code execution on the instance (instance-role, not credential theft).
    assert ["internet-exposure", "instance-role", "iam-permission"] in kinds
    assert not any("credential-theft" in k for k in kinds)
    profile = "  iam_instance_profile   = aws_iam_instance_profile.build.name\n"
    assert profile in text
    (tmp_path / "main.tf").write_text(text.replace(profile, ""))
    assert [a["target"] for a in model_json(tmp_path)["attack_paths"]] == ["aws_instance.build"]


def test_a_policy_on_another_bucket_reaches_only_that_bucket(tmp_path):
    text = (INSECURE["terraform"] / "main.tf").read_text()
    narrowed = text.replace('''        Action   = "s3:*"
        Resource = "*"''', '''        Action   = "s3:GetObject"
        Resource = "arn:aws:s3:::some-other-bucket/*"''')
    assert narrowed != text
    (tmp_path / "main.tf").write_text(narrowed)
    targets = [a["target"] for a in model_json(tmp_path)["attack_paths"]]
    assert targets == ["aws_secretsmanager_secret.deploy_key", "aws_instance.build"]


# --- three tiers in Terraform modules ---------------------------------------------------------


def test_three_tier_modules_zones_flows_and_paths():
    model = model_json(THREE_TIER)
    zones = {c["id"]: c["zone"] for c in model["components"]}
    assert {k: zones[k] for k in ("module.app.aws_lb.web", "module.app.aws_autoscaling_group.app",
                                  "module.data.aws_db_instance.main", "module.network.aws_subnet.public[1]",
                                  "module.network.aws_subnet.private[0]", "module.data.aws_s3_bucket.uploads")} == {
        "module.app.aws_lb.web": "public", "module.app.aws_autoscaling_group.app": "private",
        "module.data.aws_db_instance.main": "private", "module.network.aws_subnet.public[1]": "public",
        "module.network.aws_subnet.private[0]": "private", "module.data.aws_s3_bucket.uploads": "aws"}
    lb, asg, db = "module.app.aws_lb.web", "module.app.aws_autoscaling_group.app", "module.data.aws_db_instance.main"
    assert flows_of(model) == {
        ("internet", lb, 443, "HTTPS", True, ("internet/public",)),
        (lb, asg, 8080, "HTTP", False, ("public/private",)),
        (asg, db, 5432, "TCP", None, ()),
    }
    listener = ("listener", "internet", lb, [(lb, "modules/app/main.tf:17")])
    compromise = ("application-compromise", lb, asg, [(asg, "modules/app/main.tf:119")])
    assert paths_of(model) == [
        (1, asg, 0.15, "internal", "internal", [listener, compromise]),
        # the data module tags the database with the classification the root passes: restricted
        (2, db, 0.15, "internal", "restricted",
         [listener, compromise, ("network-reach", asg, db, [(db, "modules/data/main.tf:21")])]),
        # IMDSv2 only: the instance role takes code execution; its policy names the bucket's ARN
        (3, "module.data.aws_s3_bucket.uploads", 0.1013, "internal", "confidential",
         [listener, compromise,
          ("instance-role", asg, "module.app.aws_iam_role.app",
           [("module.app.aws_launch_template.app", "modules/app/main.tf:104")]),
          ("iam-permission", "module.app.aws_iam_role.app", "module.data.aws_s3_bucket.uploads",
           [("module.app.aws_iam_role_policy.uploads", "modules/app/main.tf:83")])]),
    ]
    states = {t["id"]: t["status"] for t in model["threats"]}
    assert states[f"db-exposure@{db}"] == "mitigated"
    assert states["launch-credential-theft@module.app.aws_launch_template.app"] == "mitigated"


def test_egress_rules_that_do_not_reach_the_database_remove_the_step(tmp_path):
    import shutil

    root = tmp_path / "tier"
    shutil.copytree(THREE_TIER, root)
    app = root / "modules" / "app" / "main.tf"
    text = app.read_text()
    narrowed = text.replace('''  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"''', '''  egress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"''')
    assert narrowed != text
    app.write_text(narrowed)
    model = model_json(root)
    assert not any(f[1] == "module.data.aws_db_instance.main" for f in flows_of(model))
    assert "module.data.aws_db_instance.main" not in {a["target"] for a in model["attack_paths"]}


# --- nested CloudFormation stacks -------------------------------------------------------------


def test_nested_stacks_zones_flows_and_paths():
    model = model_json(NESTED)
    zones = {c["id"]: c["zone"] for c in model["components"]}
    lb, asg, db = "Application.LoadBalancer", "Application.AppGroup", "Data.Database"
    assert (zones[lb], zones[asg], zones[db], zones["Network.PublicSubnet2"], zones["Network.PrivateSubnet1"]) == \
        ("public", "private", "private", "public", "private")
    assert flows_of(model) == {
        ("internet", lb, 443, "HTTPS", True, ("internet/public",)),
        (lb, asg, 8080, "HTTP", False, ("public/private",)),
        (asg, db, 5432, "TCP", None, ()),
    }
    listener = ("listener", "internet", lb, [(lb, "stacks/app.yaml:17")])
    compromise = ("application-compromise", lb, asg, [(asg, "stacks/app.yaml:90")])
    assert paths_of(model) == [
        (1, asg, 0.15, "internal", "internal", [listener, compromise]),
        (2, db, 0.15, "internal", "restricted",
         [listener, compromise, ("network-reach", asg, db, [(db, "stacks/data.yaml:17")])]),
    ]
    states = {t["id"]: t["status"] for t in model["threats"]}
    assert states[f"db-exposure@{db}"] == "mitigated" and states[f"lb-eavesdropping@{lb}"] == "mitigated"


# --- reports ----------------------------------------------------------------------------------


def test_markdown_opens_with_top_risks():
    text = render(build(scan([INSECURE["terraform"]])), "markdown")
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings[0] == "## Top risks"
    top = text.split("## Top risks\n\n", 1)[1].split("\n## ", 1)[0]
    assert "1. `aws_s3_bucket.artifacts`, score 0.288 (path 1, authenticated, restricted data): `internet` → " \
           "`aws_internet_gateway.main` → `aws_subnet.public` → `aws_security_group.build` → `aws_instance.build` → " \
           "`aws_iam_role.build` → `aws_s3_bucket.artifacts`" in top
    assert "3. `aws_instance.build`, score 0.2" in top
    assert "- `instance-credential-theft@aws_instance.build`:" in top
    paths = text.split("## Attack paths\n\n", 1)[1]
    assert "   score 0.288 = likelihood 0.288 × impact 1 (restricted, tag); authenticated; steps: " \
           "internet-exposure, credential-theft, iam-permission" in paths
    assert "   1. `aws_iam_role.build`: aws\\_instance.build allows IMDSv1 \\(http\\_tokens optional\\) " \
           "(`main.tf:98`)" in paths


def test_top_risks_say_so_when_there_is_nothing(tmp_path):
    (tmp_path / "main.tf").write_text('resource "aws_sqs_queue" "q" {\n  name = "q"\n}\n')
    text = render(build(scan([tmp_path])), "markdown")
    assert "## Top risks\n\nNone: no attack path from the internet and no open threat" in text


def test_data_classification_file_reranks_paths(tmp_path):
    classes = tmp_path / "classes.toml"
    classes.write_text('[classes]\n"aws_secretsmanager_secret.*" = "restricted"\n'
                       '"aws_s3_bucket.artifacts" = "public"\n')
    out = CliRunner().invoke(cli, ["model", str(INSECURE["terraform"]), "-f", "json",
                                   "--data-classification", str(classes)])
    assert out.exit_code == 0, out.output
    ranked = [(a["rank"], a["target"], a["classification"], a["classification_source"], a["score"])
              for a in json.loads(out.output)["attack_paths"]]
    assert ranked == [
        (1, "aws_secretsmanager_secret.deploy_key", "restricted", "file", 0.288),
        (2, "aws_instance.build", "internal", "default", 0.2),
        (3, "aws_s3_bucket.artifacts", "public", "file", 0.072),  # the file wins over the tag
    ]


@pytest.mark.parametrize("content", ['[classes]\nx = "secret"\n', "classes = 1\n", "not toml ["])
def test_a_bad_data_classification_file_is_a_usage_error(tmp_path, content):
    classes = tmp_path / "classes.toml"
    classes.write_text(content)
    out = CliRunner().invoke(cli, ["model", str(INSECURE["terraform"]), "--data-classification", str(classes)])
    assert out.exit_code == 2 and "--data-classification" in out.output


def test_otm_carries_the_ranked_paths_with_evidence():
    from tests.test_threatmodel_formats import check_otm

    otm = json.loads(render(build(scan([INSECURE["terraform"]])), "otm"))
    check_otm(otm)
    first = otm["attackPaths"][0]
    assert (first["id"], first["target"], first["rank"], first["likelihood"], first["impact"]) == \
        ("attack-path-1", "aws_s3_bucket.artifacts", 1, 29, 100)
    assert [s["type"] for s in first["steps"]] == ["internet-exposure", "credential-theft", "iam-permission"]
    assert first["steps"][1]["evidence"][1] == {
        "component": "aws_instance.build", "file": "main.tf", "line": 98,
        "description": "aws_instance.build allows IMDSv1 (http_tokens optional)"}
    # CloudFormation: IMDS options not written leave IMDSv1 allowed, evidenced at the instance.
    otm = json.loads(render(build(scan([INSECURE["cloudformation"]])), "otm"))
    assert otm["attackPaths"][0]["steps"][1]["evidence"][1] == {
        "component": "BuildInstance", "file": "template.yaml", "line": 73,
        "description": "BuildInstance leaves IMDSv1 allowed (no metadata options: tokens optional)"}
    components = {c["id"] for c in otm["components"]}
    assert all(h in components for p in otm["attackPaths"] for h in p["hops"])


@pytest.mark.parametrize("fmt", ["terraform", "cloudformation"])
def test_sarif_stays_valid_with_code_flows(fmt):
    out = CliRunner().invoke(cli, ["scan", str(INSECURE[fmt]), "--format", "sarif"])
    assert out.exit_code == 1, out.output
    doc = json.loads(out.output)
    validate_sarif(doc)
    seed = FIXTURES.parent.parent / "fixtures" / "seed-app" / "terraform" / "insecure"
    doc = json.loads(CliRunner().invoke(cli, ["scan", str(seed), "--format", "sarif"]).output)
    validate_sarif(doc)
    reachable = [r for r in doc["runs"][0]["results"] if r["properties"]["control"] == "db-internet-reachable"]
    assert reachable and reachable[0]["codeFlows"][0]["threadFlows"][0]["locations"]


def test_past_the_bound_every_target_keeps_its_most_likely_path(monkeypatch):
    from iac_assist.threatmodel import attack

    seed = FIXTURES.parent.parent / "fixtures" / "seed-app" / "terraform" / "insecure"
    full = model_json(seed)["attack_paths"]
    targets = {a["target"] for a in full}
    assert len(full) > len(targets) == 4
    monkeypatch.setattr(attack, "MAX_PATHS", 4)
    bounded = model_json(seed)["attack_paths"]
    assert sorted(a["target"] for a in bounded) == sorted(targets)


def test_a_secret_in_user_data_makes_the_database_login_likely(tmp_path):
    import shutil

    root = tmp_path / "tier"
    shutil.copytree(THREE_TIER, root)
    app = root / "modules" / "app" / "main.tf"
    text = app.read_text()
    with_secret = text.replace('''  metadata_options {
    http_tokens = "required"
  }''', '''  metadata_options {
    http_tokens = "required"
  }

  user_data = base64encode(<<-EOT
    #!/bin/bash
    export DB_PASSWORD="Tr0ub4dor-and-3"
    /opt/shop/start
  EOT
  )''')
    assert with_secret != text
    app.write_text(with_secret)
    db = next(a for a in model_json(root)["attack_paths"] if a["target"] == "module.data.aws_db_instance.main")
    last = db["steps"][-1]
    assert (last["kind"], last["likelihood"], db["likelihood"]) == ("user-data-secret", 0.9, 0.27)
    assert [(e["id"], e["file"]) for e in last["evidence"]] == [
        ("module.app.aws_launch_template.app", "modules/app/main.tf"),
        ("module.data.aws_db_instance.main", "modules/data/main.tf")]
    assert "a DB_PASSWORD assignment (line 2 of the user data)" in last["evidence"][0]["what"]


@pytest.mark.parametrize(("default", "kind"), [("required", "instance-role"), ("optional", "credential-theft")])
def test_the_account_imds_default_decides_for_instances_that_leave_it_unset(tmp_path, default, kind):
    text = (INSECURE["terraform"] / "main.tf").read_text()
    options = '''
  metadata_options {
    http_endpoint = "enabled"
    http_tokens   = "optional"
  }
'''
    assert options in text
    (tmp_path / "main.tf").write_text(text.replace(options, "") + f'''
resource "aws_ec2_instance_metadata_defaults" "account" {{
  http_tokens = "{default}"
}}
''')
    top = model_json(tmp_path)["attack_paths"]
    bucket = next(a for a in top if a["target"] == "aws_s3_bucket.artifacts")
    assert [s["kind"] for s in bucket["steps"]] == ["internet-exposure", kind, "iam-permission"]


@pytest.mark.parametrize("fmt", ["terraform", "cloudformation"])
def test_model_sarif_gives_each_attack_path_its_steps_as_a_code_flow(fmt):
    # GitHub shows a result's code flow step by step: the path, each hop at the line allowing it.
    p = INSECURE_PARTS[fmt]
    out = CliRunner().invoke(cli, ["model", str(INSECURE[fmt]), "--format", "sarif"])
    assert out.exit_code == 0, out.output
    doc = json.loads(out.output)
    validate_sarif(doc)
    run = doc["runs"][0]
    assert run["automationDetails"]["id"].startswith("iac-assist-model/")
    results = run["results"]
    assert [(r["properties"]["rank"], r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"], r["level"])
            for r in results] == [(1, p["bucket"], "error"), (2, p["secret"], "warning"), (3, p["instance"], "warning")]
    steps = [(loc["location"]["physicalLocation"]["region"]["startLine"],
              loc["location"]["message"]["text"].split(":")[0])
             for loc in results[0]["codeFlows"][0]["threadFlows"][0]["locations"]]
    lines = p["lines"]
    assert steps == [(lines[0], "internet-exposure"), (lines[1], "internet-exposure"), (lines[2], "internet-exposure"),
                     (lines[3], "internet-exposure"), (lines[4], "credential-theft"), (lines[5], "credential-theft"),
                     (lines[6], "iam-permission")]
    uri = results[0]["codeFlows"][0]["threadFlows"][0]["locations"][0]["location"]["physicalLocation"]
    assert uri["artifactLocation"]["uri"].endswith(f"tm-insecure-instance/{fmt}/{p['file']}")
