"""Acceptance of ``iac-assist fix`` on Terraform: for every control with a fix, the fix applied to
the policy's insecure example makes that finding pass, brings no new finding, leaves a file that
parses (and that ``terraform fmt`` leaves alone when it left the original alone), and is the
recorded diff (``tests/snapshots/fixes/<control>.diff``, with the reasons of the findings left
without a fix). The same on the seed app's insecure Terraform twin as a whole.

Update the diffs after an intended change with ``pytest tests/test_fixes_examples.py --update-snapshots``.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from iac_assist.analysis.engine import scan
from iac_assist.fixes.plan import plan
from iac_assist.fixes.sources import SourceFiles
from iac_assist.policies import all_policies
from tests.conftest import REPO, SEED
from tests.fix_harness import check_snapshot, key, run_fix

EXAMPLES = REPO / "policies" / "examples"
SNAPSHOTS = REPO / "tests" / "snapshots" / "fixes"
FIXED = sorted(p.control for p in all_policies()
               if p.fix is not None and (EXAMPLES / p.control / "insecure.tf").is_file())
NO_FIX_IN_EXAMPLE = {
    # The example's load balancer has no HTTPS listener to redirect to (tests/test_fixes.py has one).
    "lb-listener-plaintext": "no HTTPS listener on port 443 to redirect to",
}


def _check_snapshot(name: str, actual: str, update: bool) -> None:
    check_snapshot(SNAPSHOTS / f"{name}.diff", actual, update, __file__)


def _fmt_clean(path: Path) -> bool | None:
    """Whether ``terraform fmt`` would leave ``path`` as it is (None without terraform)."""
    if shutil.which("terraform") is None:
        return None
    done = subprocess.run(["terraform", "fmt", "-check", "-no-color", "-"], input=path.read_text(encoding="utf-8"),
                          capture_output=True, text=True, timeout=60)
    return done.returncode == 0


def test_every_control_with_a_fix_has_a_terraform_example():
    assert len(FIXED) >= 15
    assert {"s3-public-access-block-missing", "ec2-imdsv1-enabled", "db-storage-unencrypted",
            "db-deletion-protection-missing", "db-backup-disabled", "cdn-viewer-plaintext", "cdn-weak-tls",
            "lb-listener-plaintext", "s3-versioning-missing"} <= set(FIXED)


@pytest.mark.parametrize("control", FIXED)
def test_the_fix_makes_the_insecure_example_pass(control, tmp_path, update_snapshots):
    shutil.copy(EXAMPLES / control / "insecure.tf", tmp_path / "insecure.tf")
    original_fmt = _fmt_clean(tmp_path / "insecure.tf")
    fixes, before, after, recorded = run_fix(tmp_path, control)
    if control in NO_FIX_IN_EXAMPLE:
        assert not fixes.fixes and all(NO_FIX_IN_EXAMPLE[control] in u.reason for u in fixes.unfixed)
    else:
        assert fixes.fixes, [u.reason for u in fixes.unfixed]
    fixed = {key(f.finding) for f in fixes.fixes}
    assert fixed <= before and not fixed & after, "a fixed finding is still reported"
    assert after <= before, f"new findings: {after - before}"
    if original_fmt:
        assert _fmt_clean(tmp_path / "insecure.tf"), "terraform fmt would change the fixed file"
    _check_snapshot(control, recorded, update_snapshots)


def test_the_fixes_make_the_seed_apps_insecure_twin_pass(tmp_path, update_snapshots):
    root = tmp_path / "insecure"
    shutil.copytree(SEED / "terraform" / "insecure", root)
    fixes, before, after, recorded = run_fix(root)
    fixed = {key(f.finding) for f in fixes.fixes}
    # The bucket is a public website: its public access block and KMS encryption (its anonymous
    # readers could not decrypt) are left to the user, the reasons say why.
    assert {k[0] for k in fixed} == {"IAC-S3-006", "IAC-RDS-001", "IAC-RDS-006", "IAC-RDS-007"}
    assert "makes it public now" in fixes.reason_of(next(u.finding for u in fixes.unfixed
                                                         if u.finding.rule_id == "IAC-S3-003"))
    assert not fixed & after and after <= before
    assert after <= before - fixed
    for path in root.rglob("*.tf"):
        assert _fmt_clean(path) is not False, f"terraform fmt would change {path.relative_to(root)}"
    _check_snapshot("seed-app-terraform-insecure", recorded, update_snapshots)


def test_fixing_twice_changes_nothing(tmp_path):
    root = tmp_path / "insecure"
    shutil.copytree(SEED / "terraform" / "insecure", root)
    run_fix(root)
    again = scan([root], jobs=1)
    assert plan(again, SourceFiles(again.root, again.digests)).edited() == {}
