"""Acceptance of ``iac-assist fix`` on CloudFormation: for every control with a fix and a
CloudFormation example, the fix applied to the policy's insecure template makes that finding
pass, brings no new finding, leaves a template that decodes as the scanner reads it, and is the
recorded diff (``tests/snapshots/fixes/cloudformation/<control>.diff``, with the reasons of the
findings left without a fix). The same on the seed app's insecure CloudFormation twin as a whole.

Update the diffs after an intended change with
``pytest tests/test_fixes_examples_cloudformation.py --update-snapshots``.
"""

from __future__ import annotations

import shutil

import pytest

from iac_assist.analysis.engine import scan
from iac_assist.fixes.cfn_document import decode
from iac_assist.fixes.plan import plan
from iac_assist.fixes.sources import SourceFiles
from iac_assist.policies import all_policies
from tests.conftest import REPO, SEED
from tests.fix_harness import check_snapshot, key, run_fix

EXAMPLES = REPO / "policies" / "examples"
SNAPSHOTS = REPO / "tests" / "snapshots" / "fixes" / "cloudformation"
FIXED = sorted(p.control for p in all_policies()
               if p.fix is not None and (EXAMPLES / p.control / "insecure.yaml").is_file())
NO_FIX_IN_EXAMPLE = {
    # The example's load balancer has no HTTPS listener to redirect to (test_fixes_cloudformation.py has one).
    "lb-listener-plaintext": "no HTTPS listener on port 443 to redirect to",
}


def _check_snapshot(name: str, actual: str, update: bool) -> None:
    check_snapshot(SNAPSHOTS / f"{name}.diff", actual, update, __file__)


def test_the_controls_with_a_fix_have_cloudformation_examples():
    assert len(FIXED) >= 20
    assert {"s3-public-access-block-missing", "ec2-imdsv1-enabled", "db-storage-unencrypted",
            "db-deletion-protection-missing", "db-backup-disabled", "cdn-viewer-plaintext", "cdn-weak-tls",
            "lb-listener-plaintext", "s3-versioning-missing", "s3-kms-encryption-missing",
            "eks-control-plane-logging-missing", "lb-invalid-headers-not-dropped"} <= set(FIXED)


@pytest.mark.parametrize("control", FIXED)
def test_the_fix_makes_the_insecure_template_pass(control, tmp_path, update_snapshots):
    shutil.copy(EXAMPLES / control / "insecure.yaml", tmp_path / "insecure.yaml")
    fixes, before, after, recorded = run_fix(tmp_path, control, check=decode)
    if control in NO_FIX_IN_EXAMPLE:
        assert not fixes.fixes and all(NO_FIX_IN_EXAMPLE[control] in u.reason for u in fixes.unfixed)
    else:
        assert fixes.fixes, [u.reason for u in fixes.unfixed]
    fixed = {key(f.finding) for f in fixes.fixes}
    assert fixed <= before and not fixed & after, "a fixed finding is still reported"
    assert after <= before, f"new findings: {after - before}"
    _check_snapshot(control, recorded, update_snapshots)


def test_the_fixes_make_the_seed_apps_insecure_twin_pass(tmp_path, update_snapshots):
    root = tmp_path / "insecure"
    root.mkdir()
    shutil.copy(SEED / "cloudformation" / "insecure.yaml", root / "insecure.yaml")
    fixes, before, after, recorded = run_fix(root, check=decode)
    fixed = {key(f.finding) for f in fixes.fixes}
    assert fixes.fixes
    assert not fixed & after and after <= before - fixed
    _check_snapshot("seed-app-cloudformation-insecure", recorded, update_snapshots)


def test_fixing_twice_changes_nothing(tmp_path):
    root = tmp_path / "insecure"
    root.mkdir()
    shutil.copy(SEED / "cloudformation" / "insecure.yaml", root / "insecure.yaml")
    run_fix(root, check=decode)
    again = scan([root], jobs=1)
    assert plan(again, SourceFiles(again.root, again.digests)).edited() == {}
