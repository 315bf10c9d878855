"""``iac-assist fix`` and the Terraform editor: where each edit goes, when none is made and why,
what is never written, and the fix as the reports carry it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from iac_assist.analysis.engine import scan
from iac_assist.cli import cli
from iac_assist.fixes.editor import CannotEdit
from iac_assist.fixes.plan import plan
from iac_assist.fixes.sources import SourceFiles, resolve
from iac_assist.report import render
from tests.conftest import SEED
from tests.sarif_schema import validate_sarif

DB = '''resource "aws_db_instance" "orders" {
  identifier          = "orders"
  engine              = "postgres"
  instance_class      = "db.t4g.medium"
  storage_encrypted   = true
  deletion_protection = {value}
}
'''


def fix(root: Path, *args: str):
    return CliRunner().invoke(cli, ["fix", *args, str(root)], catch_exceptions=False)


def planned(root: Path, **options):
    result = scan([root], jobs=1, **options)
    return plan(result, SourceFiles(result.root, result.digests))


def reasons(fixes) -> dict[str, str]:
    return {u.finding.control: u.reason for u in fixes.unfixed}


def test_planning_leaves_the_collector_as_it_was(tmp_path):
    import gc

    (tmp_path / "main.tf").write_text(DB.replace("{value}", "false"))
    result = scan([tmp_path], jobs=1)
    assert plan(result, SourceFiles(result.root, result.digests)).fixes
    assert gc.get_freeze_count() == 0
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        assert plan(result, SourceFiles(result.root, result.digests)).fixes
        assert gc.get_freeze_count() == frozen  # a caller's frozen objects stay frozen
    finally:
        gc.unfreeze()


# Where the edit goes ---------------------------------------------------------------------------


def test_an_unset_attribute_is_inserted_aligned_with_its_group(write_tree):
    root = write_tree({"main.tf": '''resource "aws_db_instance" "orders" {
  identifier        = "orders"
  engine            = "postgres" # the engine
  storage_encrypted = true

  tags = {
    team = "orders"
  }
}
'''})
    edited = planned(root).edited()["main.tf"]
    # deletion_protection is longer than the group's names: terraform fmt realigns the group.
    assert '''  identifier          = "orders"
  engine              = "postgres" # the engine
  storage_encrypted   = true
  deletion_protection = true

  tags = {''' in edited


def test_a_shorter_name_takes_the_groups_alignment(write_tree):
    root = write_tree({"main.tf": '''resource "aws_kms_key" "k" {
  description             = "orders"
  deletion_window_in_days = 7
}
'''})
    assert planned(root).edited()["main.tf"] == '''resource "aws_kms_key" "k" {
  description             = "orders"
  deletion_window_in_days = 7
  enable_key_rotation     = true
}
'''


def test_a_group_fmt_did_not_align_is_left_as_it_is(write_tree):
    root = write_tree({"main.tf": '''resource "aws_db_instance" "orders" {
  identifier        = "orders"
  engine            = "postgres"
  storage_encrypted = true
  manage_master_user_password = true
}
'''})
    # Only the new line: its = under the last one's, the lines above untouched.
    assert planned(root).edited()["main.tf"] == '''resource "aws_db_instance" "orders" {
  identifier        = "orders"
  engine            = "postgres"
  storage_encrypted = true
  manage_master_user_password = true
  deletion_protection         = true
}
'''


def test_a_missing_nested_block_is_made_after_a_blank_line(write_tree):
    root = write_tree({"main.tf": '''resource "aws_instance" "web" {
  ami           = "ami-0123456789abcdef0"
  instance_type = "t3.micro"
  user_data     = <<-EOT
    #!/bin/sh
    echo "{ not a block }"
  EOT
}
'''})
    assert planned(root).edited()["main.tf"].endswith('''  EOT

  metadata_options {
    http_tokens = "required"
  }
}
''')


def test_braces_in_strings_and_comments_do_not_move_the_edit(write_tree):
    root = write_tree({"main.tf": '''# a comment with a } brace
resource "aws_db_instance" "orders" {
  identifier = "orders-}{" /* } */
  engine     = "postgres"
  storage_encrypted = true
  deletion_protection = false // off for now }
}
'''})
    edited = planned(root).edited()["main.tf"]
    assert "  deletion_protection = true // off for now }\n}\n" in edited
    assert edited.count("deletion_protection") == 1


def test_a_value_from_a_tfvars_line_is_fixed_on_that_line(write_tree):
    root = write_tree({
        "main.tf": DB.replace("{value}", "var.protect"),
        "variables.tf": 'variable "protect" {\n  type    = bool\n  default = true\n}\n',
        "terraform.tfvars": "# production\nprotect = false\n",
    })
    fixes = planned(root)
    assert fixes.edited() == {"terraform.tfvars": "# production\nprotect = true\n"}


def test_a_value_from_a_default_is_fixed_in_the_default(write_tree):
    root = write_tree({
        "main.tf": DB.replace("{value}", "var.protect"),
        "variables.tf": 'variable "protect" {\n  type    = bool\n  default = false\n}\n',
    })
    assert planned(root).edited() == {"variables.tf": 'variable "protect" {\n  type    = bool\n  default = true\n}\n'}


def test_a_value_through_a_module_argument_is_fixed_where_it_is_written(write_tree):
    root = write_tree({
        "main.tf": 'module "db" {\n  source  = "./modules/db"\n  protect = false\n}\n',
        "modules/db/main.tf": DB.replace("{value}", "var.protect"),
        "modules/db/variables.tf": 'variable "protect" {\n  type = bool\n}\n',
    })
    assert planned(root).edited() == {"main.tf": 'module "db" {\n  source  = "./modules/db"\n  protect = true\n}\n'}


def test_a_variable_read_twice_is_not_changed(write_tree):
    root = write_tree({
        "main.tf": DB.replace("{value}", "var.protect") + 'output "protected" {\n  value = var.protect\n}\n',
        "variables.tf": 'variable "protect" {\n  type    = bool\n  default = false\n}\n',
    })
    fixes = planned(root)
    assert fixes.edited() == {}
    assert reasons(fixes)["db-deletion-protection-missing"] == (
        "var.protect is read 2 times in the root module: changing its value would change more than this setting")


def test_a_value_given_on_the_command_line_is_left_to_the_command_line(write_tree):
    from iac_assist.parsers.terraform.inputs import VariableInputs

    root = write_tree({
        "main.tf": DB.replace("{value}", "var.protect"),
        "variables.tf": 'variable "protect" {\n  type = bool\n}\n',
    })
    fixes = planned(root, variables=VariableInputs(assignments=(("protect", "false"),)))
    assert fixes.edited() == {}
    assert "given outside the repository" in reasons(fixes)["db-deletion-protection-missing"]


def test_a_value_that_differs_between_instances_is_not_guessed(write_tree):
    root = write_tree({"main.tf": DB.replace('"orders"\n', '"orders-${count.index}"\n').replace(
        "{value}", "count.index == 0").replace('resource "aws_db_instance" "orders" {\n',
                                                'resource "aws_db_instance" "orders" {\n  count = 2\n')})
    fixes = planned(root)
    assert fixes.edited() == {}
    assert "differs between the instances of count/for_each" in reasons(fixes)["db-deletion-protection-missing"]


def test_a_value_from_a_modules_output_is_not_guessed(write_tree):
    root = write_tree({
        "main.tf": DB.replace("{value}", "module.settings.protect")
        + 'module "settings" {\n  source = "./settings"\n}\n',
        "settings/main.tf": 'output "protect" {\n  value = false\n}\n',
    })
    fixes = planned(root)
    assert fixes.edited() == {}
    assert reasons(fixes)["db-deletion-protection-missing"] == (
        "deletion_protection = module.settings.protect: it comes from a module's output, so the right place to "
        "change cannot be known")


def test_a_resource_in_a_downloaded_module_is_not_edited(write_tree):
    from tests.test_github import DOWNLOADED

    root = write_tree(DOWNLOADED) / "infra"
    fixes = planned(root)
    assert not any(".terraform" in rel for rel in fixes.edited())
    assert reasons(fixes)["db-publicly-accessible"].startswith(
        "module.db.aws_db_instance.this is declared in a module downloaded by terraform init (called at main.tf:1)")


def test_a_resource_of_a_plan_is_not_edited():
    from tests.conftest import REPO

    fixes = planned(REPO / "tests" / "fixtures" / "terraform-plan")
    assert fixes.edited() == {}
    assert reasons(fixes)["db-deletion-protection-missing"] == (
        "module.database.aws_db_instance.this is read from seed-app/plan.json (a plan or state), not from its "
        "source: fix the configuration that produced it")


def test_a_module_named_data_is_no_data_source(write_tree):
    from iac_assist.fixes.terraform import _is_data_source

    assert _is_data_source("data.aws_s3_bucket.b") and _is_data_source("module.a.module.b.data.aws_s3_bucket.b")
    assert not _is_data_source("module.data.aws_s3_bucket.b")
    assert not _is_data_source('module.data["x"].aws_s3_bucket.b')
    root = write_tree({
        "main.tf": 'module "data" {\n  source = "./data"\n}\n',
        "data/main.tf": DB.replace("{value}", "false"),
    })
    assert planned(root).edited() == {"data/main.tf": DB.replace("{value}", "true")}


def test_a_satellite_is_added_after_its_bucket_in_the_providers_shape(write_tree):
    root = write_tree({"main.tf": 'resource "aws_s3_bucket" "logs" {\n  bucket = "logs"\n}\n\noutput "x" {\n'
                                  '  value = 1\n}\n'})
    edited = planned(root).edited()["main.tf"]
    assert edited.startswith('''resource "aws_s3_bucket" "logs" {
  bucket = "logs"
}

resource "aws_s3_bucket_public_access_block" "logs" {
  bucket = aws_s3_bucket.logs.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}
''')
    assert edited.endswith('\n\noutput "x" {\n  value = 1\n}\n')


def test_an_existing_satellite_is_completed_in_place(write_tree):
    root = write_tree({"main.tf": '''resource "aws_s3_bucket" "logs" {
  bucket = "logs"
}

resource "aws_s3_bucket_public_access_block" "logs" {
  bucket = aws_s3_bucket.logs.id

  block_public_acls  = false
  ignore_public_acls = true
}
'''})
    edited = planned(root).edited()["main.tf"]
    assert edited.endswith('''resource "aws_s3_bucket_public_access_block" "logs" {
  bucket = aws_s3_bucket.logs.id

  block_public_acls       = true
  ignore_public_acls      = true
  block_public_policy     = true
  restrict_public_buckets = true
}
''')


def test_a_value_set_in_an_override_file_is_left_there(write_tree):
    root = write_tree({"main.tf": DB.replace("{value}", "true"),
                       "main_override.tf": 'resource "aws_db_instance" "orders" {\n  deletion_protection = false\n}\n'})
    fixes = planned(root)
    assert fixes.edited() == {}
    assert reasons(fixes)["db-deletion-protection-missing"] == (
        "deletion_protection is set in main_override.tf (an override file): edit it there")


def test_a_dynamic_block_is_not_edited(write_tree):
    root = write_tree({"main.tf": '''resource "aws_instance" "web" {
  ami           = "ami-0123456789abcdef0"
  instance_type = "t3.micro"

  dynamic "metadata_options" {
    for_each = var.options
    content {
      http_tokens = metadata_options.value
    }
  }
}

variable "options" {
  default = ["optional"]
}
'''})
    fixes = planned(root)
    assert fixes.edited() == {}
    assert reasons(fixes)["ec2-imdsv1-enabled"] == (
        "metadata_options is a dynamic block: its content depends on what it iterates over")


def test_a_bucket_cloudfront_reads_keeps_its_encryption(write_tree):
    root = write_tree({"main.tf": '''resource "aws_s3_bucket" "assets" {
  bucket = "assets"
}

resource "aws_cloudfront_distribution" "cdn" {
  enabled = true

  origin {
    origin_id                = "assets"
    domain_name              = aws_s3_bucket.assets.bucket_regional_domain_name
    origin_access_control_id = "oac-1"
  }

  default_cache_behavior {
    target_origin_id       = "assets"
    viewer_protocol_policy = "redirect-to-https"
    allowed_methods        = ["GET", "HEAD"]
    cached_methods         = ["GET", "HEAD"]
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  viewer_certificate {
    cloudfront_default_certificate = true
  }
}
'''})
    fixes = planned(root)
    assert reasons(fixes)["s3-kms-encryption-missing"] == (
        "CloudFront cannot decrypt objects under the AWS managed key aws/s3: it needs a customer managed key whose "
        "policy admits it, yours to choose")
    assert "aws_s3_bucket_server_side_encryption_configuration" not in fixes.edited()["main.tf"]


def test_a_plaintext_listener_redirects_when_an_https_listener_is_beside_it(write_tree):
    listener = '''resource "aws_lb_listener" "NAME" {
  load_balancer_arn = aws_lb.web.arn
  port              = PORT
  protocol          = "PROTOCOL"EXTRA

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.web.arn
  }
}
'''
    root = write_tree({"main.tf": '''resource "aws_lb" "web" {
  name                       = "web"
  subnets                    = ["subnet-1", "subnet-2"]
  drop_invalid_header_fields = true
}

resource "aws_lb_target_group" "web" {
  port     = 443
  protocol = "HTTPS"
  vpc_id   = "vpc-1"
}

''' + _listener(listener, NAME="http", PORT="80", PROTOCOL="HTTP", EXTRA="") + "\n" + _listener(
        listener, NAME="https", PORT="443", PROTOCOL="HTTPS",
        EXTRA='\n  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"\n  certificate_arn   = "arn:aws:acm:x"')})
    out = fix(root, "--select", "lb-listener-plaintext")
    assert out.exit_code == 1
    assert '''   default_action {
-    type             = "forward"
-    target_group_arn = aws_lb_target_group.web.arn
+    type = "redirect"
+
+    redirect {
+      port        = "443"
+      protocol    = "HTTPS"
+      status_code = "HTTP_301"
+    }
   }''' in out.stdout


def _listener(template: str, **values: str) -> str:
    for key, value in values.items():
        template = template.replace(key, value)
    return template


def test_an_edit_that_would_break_the_file_is_withdrawn(write_tree, monkeypatch):
    import iac_assist.fixes.terraform as editor

    root = write_tree({"main.tf": DB.replace("{value}", "false")})
    monkeypatch.setattr(editor, "render", lambda value: "= {")  # a defect that breaks the syntax
    fixes = planned(root)
    assert fixes.edited() == {}
    assert reasons(fixes)["db-deletion-protection-missing"] == (
        "the edited main.tf would not parse (a defect of iac-assist: please report it)")


# The command -----------------------------------------------------------------------------------


def test_nothing_is_written_without_write_and_git_apply_takes_the_diff(write_tree):
    root = write_tree({"main.tf": DB.replace("{value}", "false")})
    before = (root / "main.tf").read_bytes()
    out = fix(root)
    assert out.exit_code == 1
    assert out.stdout.startswith("--- a/main.tf\n+++ b/main.tf\n")
    assert "-  deletion_protection = false\n+  deletion_protection = true\n" in out.stdout
    assert "Apply it with --write" in out.stderr
    assert (root / "main.tf").read_bytes() == before
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "apply", "-"], input=out.stdout, text=True, cwd=root, check=True)
    assert (root / "main.tf").read_text() == DB.replace("{value}", "true")


def test_a_ci_runner_command_in_the_diff_is_escaped(write_tree):
    root = write_tree({"main.tf": "# ##vso[task.setvariable variable=x]1\n" + DB.replace("{value}", "false")})
    out = fix(root)
    assert "##vso[" not in out.stdout and "+  deletion_protection = true" in out.stdout


def test_write_applies_and_a_second_run_has_nothing_left(write_tree):
    root = write_tree({"main.tf": DB.replace("{value}", "false")})
    out = fix(root, "--write")
    assert out.exit_code == 0 and out.stdout == ""
    assert "fixed main.tf" in out.stderr
    assert (root / "main.tf").read_text() == DB.replace("{value}", "true")
    again = fix(root)
    assert again.exit_code == 0 and again.stdout == ""
    assert "nothing to fix" in again.stderr


def test_findings_without_a_fix_are_named_with_the_reason(write_tree):
    root = write_tree({"main.tf": '''resource "aws_security_group" "ssh" {
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
'''})
    out = fix(root)
    assert out.exit_code == 0 and out.stdout == ""
    assert ("no fix: IAC-VPC-001 aws_security_group.ssh (main.tf:2): the addresses that may reach SSH or RDP "
            "are only known to you") in out.stderr


def test_input_that_could_not_be_analysed_fails_as_for_scan(write_tree):
    root = write_tree({"main.tf": DB.replace("{value}", "false"), "broken.tf": 'resource "x" "y" {\n  a = = 1\n}\n'})
    out = fix(root)
    assert out.exit_code == 2
    assert "+  deletion_protection = true\n" in out.stdout
    assert "broken.tf:2" in out.stderr


def test_what_a_reviewer_must_know_is_said_beside_the_diff(write_tree):
    root = write_tree({"main.tf": DB.replace("  storage_encrypted   = true\n", "").replace("{value}", "true")})
    out = fix(root)
    assert "+  storage_encrypted   = true\n" in out.stdout
    assert ("note: the fix of IAC-RDS-004 aws_db_instance.orders (main.tf:1): AWS replaces the database to encrypt "
            "it: restore an encrypted snapshot copy to keep its data") in out.stderr


def test_select_limits_the_fixes(write_tree):
    root = write_tree({"main.tf": DB.replace("{value}", "false").replace("  storage_encrypted   = true\n", "")})
    out = fix(root, "--select", "db-deletion-protection-missing")
    assert "deletion_protection = true" in out.stdout and "storage_encrypted" not in out.stdout


def _after_plan(monkeypatch, change):
    """Run ``change`` between the planning and the writing of the fixes."""
    import iac_assist.fixes.plan as module

    original = module.plan

    def planned_then_changed(*args, **kwargs):
        made = original(*args, **kwargs)
        change()
        return made

    monkeypatch.setattr(module, "plan", planned_then_changed)


def test_write_refuses_a_file_changed_since_the_scan(write_tree, monkeypatch):
    root = write_tree({"main.tf": DB.replace("{value}", "false")})
    changed = DB.replace("{value}", "false") + "# edited meanwhile\n"
    _after_plan(monkeypatch, lambda: (root / "main.tf").write_text(changed))
    out = fix(root, "--write")
    assert out.exit_code == 2
    assert "not written: main.tf changed since the scan" in out.stderr
    assert (root / "main.tf").read_text() == changed


def test_write_refuses_a_file_that_became_a_link_out_of_the_root(write_tree, monkeypatch, tmp_path_factory):
    root = write_tree({"infra/main.tf": DB.replace("{value}", "false")}) / "infra"
    outside = tmp_path_factory.mktemp("outside") / "main.tf"
    outside.write_text(DB.replace("{value}", "false"))

    def swap() -> None:
        (root / "main.tf").unlink()
        (root / "main.tf").symlink_to(outside)

    _after_plan(monkeypatch, swap)
    out = fix(root, "--write")
    assert out.exit_code == 2
    assert "not written: main.tf is outside the scanned root" in out.stderr
    assert outside.read_text() == DB.replace("{value}", "false")


def test_paths_that_may_never_be_edited(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config").write_text("x")
    (tmp_path / "folder").mkdir()
    (tmp_path / "link.tf").symlink_to(tmp_path.parent)
    for rel, why in ((".git/config", "is inside .git/"), ("../x.tf", "is not a plain path"),
                     ("/etc/passwd", "is not a plain path"), ("folder", "is not a regular file"),
                     ("link.tf", "is outside the scanned root"), ("a\nb.tf", "is not a plain path")):
        with pytest.raises(CannotEdit, match=why.replace(".", r"\.")):
            resolve(tmp_path, rel)


def test_a_byte_order_mark_and_crlf_line_ends_are_kept(write_tree):
    root = write_tree({})
    (root / "main.tf").write_bytes(b"\xef\xbb\xbf" + DB.replace("{value}", "false").replace("\n", "\r\n").encode())
    assert fix(root, "--write").exit_code == 0
    assert (root / "main.tf").read_bytes() == b"\xef\xbb\xbf" + DB.replace("{value}", "true").replace(
        "\n", "\r\n").encode()


def test_insertions_in_a_crlf_file_use_crlf(write_tree):
    root = write_tree({})
    crlf = DB.replace("  deletion_protection = {value}\n", "").replace("\n", "\r\n")
    (root / "main.tf").write_bytes(crlf.encode())
    assert fix(root, "--write", "--select", "db-deletion-protection-missing").exit_code == 0
    written = (root / "main.tf").read_bytes().decode()
    assert written == DB.replace("{value}", "true").replace("\n", "\r\n")
    assert "\n" not in written.replace("\r\n", "")


def test_write_keeps_the_files_permissions(write_tree):
    root = write_tree({"main.tf": DB.replace("{value}", "false")})
    os.chmod(root / "main.tf", 0o640)
    fix(root, "--write")
    assert (root / "main.tf").stat().st_mode & 0o777 == 0o640


# The reports -----------------------------------------------------------------------------------


def _with_fixes(root: Path):
    result = scan([root], jobs=1)
    result.fixes = plan(result, SourceFiles(result.root, result.digests))
    return result


def test_sarif_results_carry_the_fix_as_replacements(tmp_path):
    root = tmp_path / "insecure"
    shutil.copytree(SEED / "terraform" / "insecure", root)
    result = _with_fixes(root)
    doc = json.loads(render(result, "sarif"))
    validate_sarif(doc)
    fixed = [r for r in doc["runs"][0]["results"] if "fixes" in r]
    assert {r["ruleId"] for r in fixed} == {"IAC-S3-006", "IAC-RDS-001", "IAC-RDS-006", "IAC-RDS-007"}
    deletion = next(r for r in fixed if r["ruleId"] == "IAC-RDS-006")
    assert deletion["fixes"] == [{
        "description": {"text": "set deletion_protection = true"},
        "artifactChanges": [{
            "artifactLocation": {"uri": "modules/database/main.tf", "uriBaseId": "%SRCROOT%"},
            "replacements": [{"deletedRegion": {"startLine": 66, "startColumn": 31, "endLine": 66, "endColumn": 36},
                              "insertedContent": {"text": "true"}}],
        }],
    }]
    # Applying every replacement as SARIF says gives what --write writes.
    lines = (root / "modules/database/main.tf").read_text().split("\n")
    region = deletion["fixes"][0]["artifactChanges"][0]["replacements"][0]["deletedRegion"]
    line = lines[region["startLine"] - 1]
    fixed = line[:region["startColumn"] - 1] + "true" + line[region["endColumn"] - 1:]
    assert fixed == "  deletion_protection       = true"


def test_json_carries_the_fix_or_the_reason(write_tree):
    root = write_tree({"main.tf": DB.replace("{value}", "false") + '''
resource "aws_security_group" "ssh" {
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
'''})
    findings = {f["control"]: f for f in json.loads(render(_with_fixes(root), "json"))["findings"]}
    assert findings["db-deletion-protection-missing"]["fix"] == {
        "description": "set deletion_protection = true",
        "edits": [{"file": "main.tf", "line": 6, "column": 25, "end_line": 6, "end_column": 30, "text": "true"}],
        "diff": "--- a/main.tf\n+++ b/main.tf\n@@ -3,7 +3,7 @@\n   engine              = \"postgres\"\n"
                "   instance_class      = \"db.t4g.medium\"\n   storage_encrypted   = true\n"
                "-  deletion_protection = false\n+  deletion_protection = true\n }\n \n"
                " resource \"aws_security_group\" \"ssh\" {\n",
    }
    assert findings["db-deletion-protection-missing"]["no_fix"] is None
    assert findings["sg-admin-ports-open"]["fix"] is None
    assert findings["sg-admin-ports-open"]["no_fix"].startswith("the addresses that may reach SSH or RDP")


def test_json_without_fixes_keeps_its_shape(write_tree):
    root = write_tree({"main.tf": DB.replace("{value}", "false")})
    finding = json.loads(render(scan([root]), "json"))["findings"][0]
    assert "fix" not in finding and "no_fix" not in finding


def test_markdown_shows_a_suggestion_within_the_findings_lines_else_a_diff(write_tree):
    root = write_tree({
        "main.tf": DB.replace("{value}", "false")
        + 'resource "aws_kms_key" "k" {\n  enable_key_rotation = var.rotate\n}\n',
        "variables.tf": 'variable "rotate" {\n  default = false\n}\n',
    })
    text = render(_with_fixes(root), "markdown")
    assert "```suggestion\n  deletion_protection = true\n```" in text
    # The key's rotation is fixed in the variable's default, away from the finding: a diff.
    assert ("```diff\n--- a/variables.tf\n+++ b/variables.tf\n@@ -1,3 +1,3 @@\n variable \"rotate\" {\n"
            "-  default = false\n+  default = true\n }\n```") in text


def test_the_scan_command_adds_fixes_to_sarif(write_tree):
    root = write_tree({"main.tf": DB.replace("{value}", "false")})
    out = CliRunner().invoke(cli, ["scan", "-f", "sarif", str(root)], catch_exceptions=False)
    result = json.loads(out.stdout)["runs"][0]["results"][0]
    assert result["fixes"][0]["description"] == {"text": "set deletion_protection = true"}


def test_several_unset_settings_of_one_fix_are_inserted_as_one_aligned_run(write_tree):
    root = write_tree({"main.tf": '''resource "aws_iam_account_password_policy" "this" {
  require_symbols = true
}
'''})
    assert planned(root).edited()["main.tf"] == '''resource "aws_iam_account_password_policy" "this" {
  require_symbols           = true
  minimum_password_length   = 14
  password_reuse_prevention = 24
}
'''


def test_fix_reads_the_parse_cache_a_first_run_wrote(tmp_path: Path, parses: list[str]) -> None:
    # fix used to parse everything again on every run (no --cache-dir, no cache).
    root = tmp_path / "repo"
    shutil.copytree(SEED / "terraform" / "insecure", root)
    cache = tmp_path / "cache"
    first = CliRunner().invoke(cli, ["fix", "--cache-dir", str(cache), str(root)], catch_exceptions=False)
    parses.clear()
    again = CliRunner().invoke(cli, ["fix", "--cache-dir", str(cache), str(root)], catch_exceptions=False)
    assert (again.exit_code, again.stdout) == (first.exit_code, first.stdout) and first.exit_code == 1
    assert parses == []
    uncached = CliRunner().invoke(cli, ["fix", "--no-cache", str(root)], catch_exceptions=False)
    assert uncached.stdout == first.stdout and parses


def test_a_report_finds_each_finding_s_fix_without_comparing_it_to_every_other(monkeypatch):
    """A report asks the plan for every finding's fix or reason: a search of the lists each time
    was quadratic (minutes at 10,000 resources). The first entry of a finding still wins, and the
    plan answers for what was added after it was first asked."""
    from iac_assist.analysis.findings import Finding
    from iac_assist.fixes.plan import Fix, FixPlan, Unfixed
    from iac_assist.model import Location

    def finding(n: int) -> Finding:
        return Finding("IAC-S3-001", "s3-versioning", "low", "t", f"aws_s3_bucket.b{n}", Location("main.tf", n), "m")

    fixed = [finding(n) for n in range(1000)]
    unfixed = [finding(n) for n in range(1000, 2000)]
    fixes = FixPlan([Fix(f, "d", ()) for f in fixed] + [Fix(fixed[0], "second", ())],
                    [Unfixed(f, "why") for f in unfixed] + [Unfixed(unfixed[0], "second")])
    comparisons = 0
    real_eq = Finding.__eq__

    def counted(self, other):
        nonlocal comparisons
        comparisons += 1
        return real_eq(self, other)

    monkeypatch.setattr(Finding, "__eq__", counted)
    copies = [finding(n) for n in range(2000)]  # equal, not the same objects
    assert [fixes.fix_of(f).description for f in copies[:1000]] == ["d"] * 1000
    assert [fixes.reason_of(f) for f in copies[1000:]] == ["why"] * 1000
    assert fixes.fix_of(copies[1000]) is None and fixes.reason_of(copies[0]) is None
    assert comparisons < 10_000  # a search of the lists: some 1,500,000
    fixes.unfixed.append(Unfixed(finding(5000), "later"))
    assert fixes.reason_of(finding(5000)) == "later"
