"""The reference architecture, insecure and hardened, in both formats: exact findings."""

from __future__ import annotations

from tests.conftest import SEED, SEED_CONTROLS, findings_of

TERRAFORM_INSECURE = {
    ("s3-public-access-block-missing", "aws_s3_bucket.site", "static.tf", 8),
    ("s3-public-read", "aws_s3_bucket.site", "static.tf", 29),
    ("s3-public-write", "aws_s3_bucket.site", "static.tf", 48),
    ("lb-listener-plaintext", "aws_lb_listener.http", "web.tf", 99),
    ("db-publicly-accessible", "module.database.aws_db_instance.this", "modules/database/main.tf", 62),
    ("db-in-public-subnet", "module.database.aws_db_instance.this", "modules/database/main.tf", 6),
    ("db-open-security-group", "module.database.aws_db_instance.this", "modules/database/main.tf", 41),
}


def seed_findings(path):
    return {f for f in findings_of(path) if f[0] in SEED_CONTROLS}


def test_terraform_insecure_exact_findings():
    assert seed_findings(SEED / "terraform" / "insecure") == TERRAFORM_INSECURE


def test_terraform_hardened_has_none_of_the_seed_controls():
    found = findings_of(SEED / "terraform" / "hardened")
    assert {f[0] for f in found} & SEED_CONTROLS == set()


CLOUDFORMATION_INSECURE = {
    ("s3-public-access-block-missing", "SiteBucket", "insecure.yaml", 202),
    ("s3-public-read", "SiteBucket", "insecure.yaml", 208),
    ("s3-public-write", "SiteBucket", "insecure.yaml", 222),
    ("lb-listener-plaintext", "HttpListener", "insecure.yaml", 348),
    ("db-in-public-subnet", "Database", "insecure.yaml", 407),
    ("db-open-security-group", "Database", "insecure.yaml", 447),
    ("db-publicly-accessible", "Database", "insecure.yaml", 469),
}


def test_cloudformation_insecure_exact_findings():
    assert seed_findings(SEED / "cloudformation" / "insecure.yaml") == CLOUDFORMATION_INSECURE


def test_cloudformation_hardened_has_none_of_the_seed_controls():
    found = findings_of(SEED / "cloudformation" / "hardened.yaml")
    assert {f[0] for f in found} & SEED_CONTROLS == set()


def test_both_formats_find_the_same_controls():
    terraform = sorted(f[0] for f in seed_findings(SEED / "terraform" / "insecure"))
    cloudformation = sorted(f[0] for f in seed_findings(SEED / "cloudformation" / "insecure.yaml"))
    assert terraform == cloudformation == sorted(SEED_CONTROLS)


def test_scanning_both_formats_together_keeps_them_apart():
    """Two configurations in one scan: addresses resolve within their own template or root module."""
    both = seed_findings(SEED)
    prefixed = {(c, r, f"terraform/insecure/{p}", n) for c, r, p, n in TERRAFORM_INSECURE}
    prefixed |= {(c, r, f"cloudformation/{p}", n) for c, r, p, n in CLOUDFORMATION_INSECURE}
    assert both == prefixed


def _typed_edges(path):
    from iac_assist.engine import build_graph

    graph, _ = build_graph([path])
    return {(graph.components[a].address, d["kind"], graph.components[b].address)
            for a, b, d in graph.graph.edges(data=True) if d["kind"] != "reference"}


def test_graph_links_the_path_that_makes_a_subnet_public_in_both_formats():
    tf = _typed_edges(SEED / "terraform" / "insecure")
    assert ("aws_subnet.public[0]", "associated", "aws_route_table.public") in tf
    assert ("aws_route_table.public", "routes-to", "aws_internet_gateway.main") in tf
    assert ("aws_vpc.main", "contains", "aws_subnet.public[0]") in tf
    assert ("module.database.aws_db_instance.this", "placed-in", "module.database.aws_db_subnet_group.this") in tf
    assert ("module.database.aws_security_group.this", "attached-to", "module.database.aws_db_instance.this") in tf
    cfn = _typed_edges(SEED / "cloudformation" / "insecure.yaml")
    assert ("PublicSubnet1", "associated", "PublicRouteTable") in cfn
    assert ("PublicRouteTable", "routes-to", "InternetGateway") in cfn
    assert ("Database", "placed-in", "DBSubnetGroup") in cfn
    assert ("HttpListener", "part-of", "LoadBalancer") in cfn
