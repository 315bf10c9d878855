"""The built wheel installs nothing top-level but ``iac_assist``."""

from __future__ import annotations

import subprocess
import sys
import zipfile

import pytest

from iac_assist.analysis.policy import EXAMPLE_FILES
from tests import layout
from tests.conftest import REPO


@pytest.mark.slow
def test_wheel_holds_only_iac_assist(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(tmp_path), str(REPO)],
        capture_output=True, text=True,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    (wheel,) = tmp_path.glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    top = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert top == {"iac_assist"}
    for module in ("iac_assist/parsers/terraform/hcl.py", "iac_assist/parsers/cloudformation/__init__.py",
                   "iac_assist/policies/s3.py", "iac_assist/report/sarif.py",
                   "iac_assist/model/vocabulary/rds.py"):
        assert module in names
    # The examples' twins document the rules once installed; their findings snapshots are test data.
    examples = {n.split("/")[-1] for n in names if n.startswith("iac_assist/policies/examples/s3-public-read/")}
    assert examples == {name for names in EXAMPLE_FILES.values() for name in names}
    assert not [n for n in names if n.endswith("/expected.json")]


def test_editable_install_maps_parsers_and_policies_inside_the_package():
    import iac_assist.parsers
    import iac_assist.policies

    assert iac_assist.parsers.__file__.replace("\\", "/").endswith("parsers/__init__.py")
    assert iac_assist.policies.__file__.replace("\\", "/").endswith("policies/__init__.py")
    assert "parsers" not in sys.modules and "policies" not in sys.modules


def test_every_package_of_the_tree_is_in_the_packages_list():
    # setuptools installs only the packages listed: a new subpackage left out imports from the
    # checkout (and in these tests) but not from the wheel, the action's install or pre-commit's.
    assert set(layout.pyproject()["tool"]["setuptools"]["packages"]) == layout.packages()
