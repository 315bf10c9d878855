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


def test_terraform_insecure_exact_findings():
    assert findings_of(SEED / "terraform" / "insecure") == TERRAFORM_INSECURE


def test_terraform_hardened_has_none_of_the_seed_controls():
    found = findings_of(SEED / "terraform" / "hardened")
    assert {f[0] for f in found} & SEED_CONTROLS == set()
