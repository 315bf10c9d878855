"""The threat model of the reference architecture, both formats: zones, flows, attack paths,
threats tied to findings; and the reachability rule that walks the same paths."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from iac_assist.analysis.engine import scan
from iac_assist.cli import cli
from iac_assist.threatmodel.build import build
from tests.conftest import SEED, findings_of
from tests.sarif_schema import validate_sarif

TWINS = {
    ("terraform", "insecure"): SEED / "terraform" / "insecure",
    ("terraform", "hardened"): SEED / "terraform" / "hardened",
    ("cloudformation", "insecure"): SEED / "cloudformation" / "insecure.yaml",
    ("cloudformation", "hardened"): SEED / "cloudformation" / "hardened.yaml",
}
# The reference architecture's parts, by format.
PARTS = {
    "terraform": {
        "cdn": "aws_cloudfront_distribution.site", "bucket": "aws_s3_bucket.site", "lb": "aws_lb.web",
        "web": "aws_instance.web[0]", "db": "module.database.aws_db_instance.this",
        "public_subnet": "aws_subnet.public[0]", "private_subnet": "aws_subnet.private[0]",
        "vpc": "aws_vpc.main", "igw": "aws_internet_gateway.main", "db_sg": "module.database.aws_security_group.this",
    },
    "cloudformation": {
        "cdn": "SiteDistribution", "bucket": "SiteBucket", "lb": "LoadBalancer", "web": "WebInstance1",
        "db": "Database", "public_subnet": "PublicSubnet1", "private_subnet": "PrivateSubnet1", "vpc": "Vpc",
        "igw": "InternetGateway", "db_sg": "DatabaseSecurityGroup",
    },
}


def model(fmt: str, twin: str) -> dict:
    return build(scan([TWINS[(fmt, twin)]])).to_json()


@pytest.fixture(scope="module")
def models() -> dict:
    return {key: model(*key) for key in TWINS}


@pytest.mark.parametrize("fmt", ["terraform", "cloudformation"])
def test_every_component_has_a_zone_and_the_reference_parts_sit_where_they_should(models, fmt):
    p = PARTS[fmt]
    for twin in ("insecure", "hardened"):
        zones = {c["id"]: c["zone"] for c in models[(fmt, twin)]["components"]}
        assert set(zones.values()) <= {"internet", "edge", "aws", "vpc", "public", "private"}
        assert zones[p["cdn"]] == "edge"
        assert zones[p["bucket"]] == "aws"
        assert zones[p["lb"]] == "public"
        assert zones[p["web"]] == "private"
        assert zones[p["public_subnet"]] == "public"
        assert zones[p["private_subnet"]] == "private"
        assert zones[p["vpc"]] == zones[p["igw"]] == zones[p["db_sg"]] == "vpc"
    insecure = {c["id"]: c["zone"] for c in models[(fmt, "insecure")]["components"]}
    hardened = {c["id"]: c["zone"] for c in models[(fmt, "hardened")]["components"]}
    assert insecure[p["db"]] == "public"  # placed in the public subnets
    assert hardened[p["db"]] == "private"


def flows_of(m: dict) -> set[tuple]:
    return {(f["source"], f["target"], f["port"], f["protocol"], f["encrypted"], tuple(f["crosses"]))
            for f in m["flows"]}


@pytest.mark.parametrize("fmt", ["terraform", "cloudformation"])
def test_flows_of_the_reference_architecture(models, fmt):
    p = PARTS[fmt]
    insecure, hardened = flows_of(models[(fmt, "insecure")]), flows_of(models[(fmt, "hardened")])
    expected_both = {
        ("internet", p["cdn"], 443, "HTTPS", True, ("internet/edge",)),
        (p["cdn"], p["bucket"], 443, "HTTPS", True, ("edge/aws",)),
    }
    assert expected_both <= insecure and expected_both <= hardened
    # The load balancer forwards to the web tier over HTTP (insecure) or re-encrypts (hardened).
    assert (p["lb"], p["web"], 80, "HTTP", False, ("public/private",)) in insecure
    assert (p["lb"], p["web"], 443, "HTTPS", True, ("public/private",)) in hardened
    # Insecure: the API origin over plain HTTP, an HTTP-only listener, the database in a public
    # subnet (so web → database crosses into it) and reachable from the internet, a public bucket.
    assert {
        (p["cdn"], p["lb"], 80, "HTTP", False, ("edge/public",)),
        ("internet", p["lb"], 80, "HTTP", False, ("internet/public",)),
        (p["web"], p["db"], 5432, "TCP", None, ("public/private",)),
        ("internet", p["db"], 5432, "TCP", None, ("internet/public",)),
        ("internet", p["bucket"], 443, "HTTPS", True, ("internet/aws",)),
        ("internet", p["bucket"], 80, "HTTP", False, ("internet/aws",)),  # no TLS-only policy
    } <= insecure
    # Hardened: HTTPS to the origin and from viewers; the database stays in the private zone.
    assert {
        (p["cdn"], p["lb"], 443, "HTTPS", True, ("edge/public",)),
        ("internet", p["lb"], 443, "HTTPS", True, ("internet/public",)),
        (p["web"], p["db"], 5432, "TCP", None, ()),
    } <= hardened
    assert not any(f[0] == "internet" and f[1] in (p["db"], p["bucket"]) for f in hardened)


@pytest.mark.parametrize("fmt", ["terraform", "cloudformation"])
def test_attack_paths_reach_the_data_stores_of_the_insecure_twin_only(models, fmt):
    p = PARTS[fmt]
    insecure = models[(fmt, "insecure")]["attack_paths"]
    # The two direct exposures rank first: the public bucket, then the reachable database.
    assert [(a["rank"], a["target"], a["hops"], a["exposure"]) for a in insecure[:2]] == [
        (1, p["bucket"], ["internet", p["bucket"]], "internet-reachable"),
        (2, p["db"], ["internet", p["igw"], p["public_subnet"], p["db_sg"], p["db"]], "authenticated"),
    ]
    data = {p["db"], p["bucket"]}
    # The model keeps paths that need a compromise (load balancer → web → database) in both twins;
    # the hardened twin has none that reaches a data store without one.
    assert any(a["target"] == p["db"] and a["exposure"] == "internal" for a in insecure)
    hardened = models[(fmt, "hardened")]["attack_paths"]
    assert hardened and all(a["exposure"] == "internal" for a in hardened if a["target"] in data)
    assert {a["target"] for a in hardened if a["target"] in data} == {p["db"]}


@pytest.mark.parametrize("fmt", ["terraform", "cloudformation"])
def test_open_threats_are_tied_to_the_findings_that_keep_them_open(models, fmt):
    p = PARTS[fmt]
    insecure = {t["id"]: t for t in models[(fmt, "insecure")]["threats"]}
    exposure = insecure[f"db-exposure@{p['db']}"]
    assert exposure["status"] == "open" and exposure["stride"] == "I"
    fingerprints = {f.fingerprint: f.control for f in scan([TWINS[(fmt, "insecure")]]).findings}
    assert {fingerprints[fp] for fp in exposure["findings"]} == {
        "db-internet-reachable", "db-publicly-accessible", "db-in-public-subnet", "db-open-security-group"}
    assert insecure[f"db-data-at-rest@{p['db']}"]["status"] == "mitigated"  # storage is encrypted
    lb_eavesdropping = insecure[f"lb-eavesdropping@{p['lb']}"]
    assert lb_eavesdropping["status"] == "open"
    assert {fingerprints[fp] for fp in lb_eavesdropping["findings"]} == {"lb-listener-plaintext"}
    flows = [t for t in insecure.values() if t["target"].startswith(f"{p['cdn']}->{p['lb']}")]
    statuses = {t["id"].split("@")[0]: t["status"] for t in flows}
    assert statuses == {"flow-eavesdropping": "open", "flow-flooding": "open"}
    # Hardened: nothing open. What is not mitigated depends on a variable or parameter without
    # value (the CloudFront web ACL and certificate) or on a control no rule checks yet.
    hardened = models[(fmt, "hardened")]["threats"]
    assert hardened and all(t["status"] != "open" and t["findings"] == [] and t["evidence"] for t in hardened)
    for t in hardened:
        if t["status"] == "undetermined":
            assert all("has no value" in e["what"] or "has no default" in e["what"]
                       or "no rule of this version" in e["what"] for e in t["evidence"]), t


def test_the_json_contract():
    out = CliRunner().invoke(cli, ["model", str(TWINS[("terraform", "insecure")]), "--format", "json"])
    assert out.exit_code == 0, out.output
    doc = json.loads(out.output)
    assert list(doc) == ["components", "flows", "threats", "attack_paths"]
    assert list(doc["components"][0]) == ["id", "kind", "zone", "file", "line"]
    assert list(doc["flows"][0]) == ["source", "target", "port", "protocol", "encrypted", "crosses", "redirect"]
    assert list(doc["threats"][0]) == ["id", "stride", "target", "title", "status", "controls", "findings",
                                       "evidence", "capec", "attack"]
    assert list(doc["attack_paths"][0]) == ["target", "hops", "rank", "score", "likelihood", "impact", "exposure",
                                            "classification", "classification_source", "steps"]
    assert list(doc["attack_paths"][0]["steps"][0]) == ["from", "to", "kind", "exposure", "likelihood", "evidence"]
    again = CliRunner().invoke(cli, ["model", str(TWINS[("terraform", "insecure")]), "--format", "json"])
    assert again.output == out.output


def test_threat_library_names_only_catalog_controls_and_known_kinds():
    from iac_assist.model import kinds
    from iac_assist.threatmodel.threats import library
    from tests.test_threatmodel_states import catalog

    lib = library()
    assert lib.controls() <= catalog()  # wave 3 too: rules yet to come map once they exist
    known = {v for k, v in vars(kinds).items() if k.isupper() and isinstance(v, str)}
    assert set(lib.components) <= known
    assert {k for spec in lib.flows for k in spec.targets} <= known


# --- db-internet-reachable ----------------------------------------------------------------------

REACHABLE_TF = '''
resource "aws_vpc" "main" { cidr_block = "10.0.0.0/16" }
resource "aws_internet_gateway" "main" { vpc_id = aws_vpc.main.id }
resource "aws_subnet" "a" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.0.0/24"
}
resource "aws_route_table" "public" {
  vpc_id = aws_vpc.main.id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.main.id
  }
}
resource "aws_route_table_association" "a" {
  subnet_id      = aws_subnet.a.id
  route_table_id = aws_route_table.public.id
}
resource "aws_security_group" "db" {
  vpc_id = aws_vpc.main.id
  ingress {
    from_port   = %(from)s
    to_port     = %(to)s
    protocol    = "tcp"
    cidr_blocks = [%(cidr)s]
  }
}
resource "aws_db_subnet_group" "db" { subnet_ids = [aws_subnet.a.id] }
resource "aws_db_instance" "db" {
  engine                 = "mysql"
  db_subnet_group_name   = aws_db_subnet_group.db.name
  vpc_security_group_ids = [aws_security_group.db.id]
  publicly_accessible    = true
}
%(extra)s'''
ACL = '''
resource "aws_network_acl" "a" {
  vpc_id     = aws_vpc.main.id
  subnet_ids = [aws_subnet.a.id]
  ingress {
    rule_no    = 100
    action     = "%s"
    protocol   = "tcp"
    from_port  = 0
    to_port    = 65535
    cidr_block = "0.0.0.0/0"
  }
}
'''


def reachable(write_tree, **values) -> set[tuple[str, int]]:
    params = {"from": 3306, "to": 3306, "cidr": '"0.0.0.0/0"', "extra": ""} | values
    root = write_tree({"main.tf": REACHABLE_TF % params})
    return {(r, n) for c, r, _f, n in findings_of(root) if c == "db-internet-reachable"}


def test_reachable_on_the_engine_default_port_through_every_hop(write_tree):
    assert reachable(write_tree) == {("aws_db_instance.db", 33)}  # publicly_accessible


@pytest.mark.parametrize("values", [
    {"from": 5432, "to": 5432},                    # the rule is for another port
    {"cidr": '"10.0.0.0/8"'},                     # not the internet
    {"cidr": "var.allowed"},                       # not known: no definite path
    {"extra": ACL % "deny"},                       # the network ACL blocks it
])
def test_one_closed_or_unknown_hop_means_no_finding(write_tree, values):
    if "var.allowed" in values.get("cidr", ""):
        values["extra"] = 'variable "allowed" { type = string }'
    assert reachable(write_tree, **values) == set()


def test_a_network_acl_that_allows_it_is_a_hop(write_tree):
    root = write_tree({"main.tf": REACHABLE_TF % {"from": 3306, "to": 3306, "cidr": '"0.0.0.0/0"',
                                                  "extra": ACL % "allow"}})
    finding = next(f for f in scan([root]).findings if f.control == "db-internet-reachable")
    assert [msg.split(" ")[0] for _loc, msg in finding.path] == [
        "internet", "subnet", "network", "security", "aws_db_instance.db"]


def test_reachability_is_a_code_flow_in_sarif(tmp_path):
    out = CliRunner().invoke(cli, ["scan", str(TWINS[("terraform", "insecure")]), "--format", "sarif"])
    doc = json.loads(out.output)
    validate_sarif(doc)
    result = next(r for r in doc["runs"][0]["results"] if r["ruleId"] == "IAC-RDS-007")
    steps = result["codeFlows"][0]["threadFlows"][0]["locations"]
    # Paths are relative to the repository root (the scan root outside a git checkout).
    from iac_assist.inputs.discovery import repository_root

    scanned = TWINS[("terraform", "insecure")]
    repo = repository_root(scanned)
    prefix = "" if repo is None else scanned.resolve().relative_to(repo).as_posix() + "/"
    assert [(s["location"]["physicalLocation"]["artifactLocation"]["uri"],
             s["location"]["physicalLocation"]["region"]["startLine"]) for s in steps] == [
        (prefix + file, line) for file, line in [
            ("network.tf", 47), ("network.tf", 78), ("modules/database/main.tf", 41), ("modules/database/main.tf", 62)]]
    assert all(s["location"]["message"]["text"] for s in steps)


def test_two_templates_sharing_a_logical_id_keep_their_own_threats(write_tree):
    bucket = 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  Site:\n    Type: AWS::S3::Bucket\n%s'
    root = write_tree({
        "a/open.yaml": bucket % "    Properties:\n      AccessControl: PublicRead\n",
        "b/closed.yaml": bucket % "",
    })
    result = scan([root])
    controls = {f.fingerprint: (f.control, f.loc.file) for f in result.findings}
    threats = {t["id"]: t["findings"] for t in build(result).to_json()["threats"]}
    assert {controls[fp] for fp in threats["bucket-data-disclosure@a/open.yaml:Site"]} == {
        ("s3-public-read", "a/open.yaml"), ("s3-public-access-block-missing", "a/open.yaml")}
    assert {controls[fp] for fp in threats["bucket-data-disclosure@b/closed.yaml:Site"]} == {
        ("s3-public-access-block-missing", "b/closed.yaml")}
