"""The reference architecture, insecure and hardened, in both formats: exact findings."""

from __future__ import annotations

from tests.conftest import SEED, SEED_CONTROLS, findings_of

TERRAFORM_INSECURE = {
    ("vpc-flow-logs-missing", "aws_vpc.main", "network.tf", 4),
    ("s3-public-access-block-missing", "aws_s3_bucket.site", "static.tf", 8),
    ("s3-access-logging-missing", "aws_s3_bucket.site", "static.tf", 8),
    ("s3-versioning-missing", "aws_s3_bucket.site", "static.tf", 8),
    ("s3-public-read", "aws_s3_bucket.site", "static.tf", 29),
    ("s3-kms-encryption-missing", "aws_s3_bucket.site", "static.tf", 39),
    ("s3-public-write", "aws_s3_bucket.site", "static.tf", 48),
    ("s3-insecure-transport", "aws_s3_bucket.site", "static.tf", 48),
    ("cdn-no-waf", "aws_cloudfront_distribution.site", "static.tf", 66),
    ("cdn-logging-missing", "aws_cloudfront_distribution.site", "static.tf", 66),
    ("cdn-s3-origin-unrestricted", "aws_cloudfront_distribution.site", "static.tf", 75),
    ("cdn-origin-plaintext", "aws_cloudfront_distribution.site", "static.tf", 92),
    ("cdn-weak-tls", "aws_cloudfront_distribution.site", "static.tf", 122),
    ("lb-access-logs-missing", "aws_lb.web", "web.tf", 68),
    ("lb-no-waf", "aws_lb.web", "web.tf", 68),
    ("lb-listener-plaintext", "aws_lb_listener.http", "web.tf", 99),
    ("lb-target-plaintext", "aws_lb.web", "web.tf", 84),
    ("db-in-public-subnet", "module.database.aws_db_instance.this", "modules/database/main.tf", 6),
    ("db-open-security-group", "module.database.aws_db_instance.this", "modules/database/main.tf", 41),
    ("sg-database-ports-open", "module.database.aws_security_group.this", "modules/database/main.tf", 41),
    ("db-publicly-accessible", "module.database.aws_db_instance.this", "modules/database/main.tf", 62),
    ("db-internet-reachable", "module.database.aws_db_instance.this", "modules/database/main.tf", 62),
    ("db-deletion-protection-missing", "module.database.aws_db_instance.this", "modules/database/main.tf", 66),
}
"""Every finding of the insecure twin. Its web tier (IMDSv2, encrypted volumes, no public
addresses) and database storage are configured well on purpose: the twin carries the headline
threats of the reference architecture, so the controls of those parts do not apply to it."""

CLOUDFORMATION_INSECURE = {
    ("vpc-flow-logs-missing", "Vpc", "insecure.yaml", 66),
    ("s3-public-access-block-missing", "SiteBucket", "insecure.yaml", 202),
    ("s3-access-logging-missing", "SiteBucket", "insecure.yaml", 202),
    ("s3-versioning-missing", "SiteBucket", "insecure.yaml", 202),
    ("s3-public-read", "SiteBucket", "insecure.yaml", 208),
    ("s3-kms-encryption-missing", "SiteBucket", "insecure.yaml", 215),
    ("s3-public-write", "SiteBucket", "insecure.yaml", 222),
    ("s3-insecure-transport", "SiteBucket", "insecure.yaml", 222),
    ("cdn-no-waf", "SiteDistribution", "insecure.yaml", 231),
    ("cdn-logging-missing", "SiteDistribution", "insecure.yaml", 231),
    ("cdn-s3-origin-unrestricted", "SiteDistribution", "insecure.yaml", 244),
    ("cdn-origin-plaintext", "SiteDistribution", "insecure.yaml", 254),
    ("cdn-weak-tls", "SiteDistribution", "insecure.yaml", 271),
    ("lb-access-logs-missing", "LoadBalancer", "insecure.yaml", 325),
    ("lb-no-waf", "LoadBalancer", "insecure.yaml", 325),
    ("lb-listener-plaintext", "HttpListener", "insecure.yaml", 363),
    ("lb-target-plaintext", "LoadBalancer", "insecure.yaml", 345),
    ("db-in-public-subnet", "Database", "insecure.yaml", 422),
    ("db-open-security-group", "Database", "insecure.yaml", 462),
    ("sg-database-ports-open", "DatabaseSecurityGroup", "insecure.yaml", 462),
    ("db-publicly-accessible", "Database", "insecure.yaml", 484),
    ("db-internet-reachable", "Database", "insecure.yaml", 484),
    ("db-deletion-protection-missing", "Database", "insecure.yaml", 487),
}


def test_terraform_insecure_exact_findings():
    assert findings_of(SEED / "terraform" / "insecure") == TERRAFORM_INSECURE


def test_cloudformation_insecure_exact_findings():
    assert findings_of(SEED / "cloudformation" / "insecure.yaml") == CLOUDFORMATION_INSECURE


def test_hardened_twins_have_no_finding_at_all():
    assert findings_of(SEED / "terraform" / "hardened") == set()
    assert findings_of(SEED / "cloudformation" / "hardened.yaml") == set()


def test_both_formats_find_the_same_controls():
    terraform = sorted(f[0] for f in findings_of(SEED / "terraform" / "insecure"))
    cloudformation = sorted(f[0] for f in findings_of(SEED / "cloudformation" / "insecure.yaml"))
    assert terraform == cloudformation
    assert set(terraform) >= SEED_CONTROLS


def test_scanning_both_formats_together_keeps_them_apart():
    """Two configurations in one scan: addresses resolve within their own template or root module."""
    both = findings_of(SEED)
    prefixed = {(c, r, f"terraform/insecure/{p}", n) for c, r, p, n in TERRAFORM_INSECURE}
    prefixed |= {(c, r, f"cloudformation/{p}", n) for c, r, p, n in CLOUDFORMATION_INSECURE}
    assert both == prefixed


def _typed_edges(path):
    from iac_assist.analysis.engine import build_graph

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
