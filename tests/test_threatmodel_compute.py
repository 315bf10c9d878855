"""Compute the threat model must see in both formats: instances registered with a classic ELB
(inline and through an attachment), and an auto scaling group in a public subnet that gets public
addresses and security groups from its launch template's network interface."""

from __future__ import annotations

from pathlib import Path

import pytest

from iac_assist.analysis.engine import scan
from iac_assist.threatmodel.build import build

FIXTURES = Path(__file__).parent / "fixtures" / "compute-exposure"
NAMES = {
    "terraform": {"asg": "aws_autoscaling_group.web", "legacy": "aws_instance.legacy", "other": "aws_instance.other",
                  "template": "aws_launch_template.web"},
    "cloudformation": {"asg": "WebGroupScaling", "legacy": "Legacy", "template": "WebTemplate"},
}


@pytest.fixture(scope="module", params=["terraform", "cloudformation"])
def case(request):
    result = scan([FIXTURES / request.param])
    assert not result.has_errors, [str(e) for e in result.errors]
    return request.param, result, build(result).to_json()


def test_the_auto_scaling_group_sits_in_the_public_subnet(case):
    fmt, _result, model = case
    zones = {c["id"]: c["zone"] for c in model["components"]}
    assert zones[NAMES[fmt]["asg"]] == "public"


def test_the_internet_reaches_the_auto_scaling_group_through_its_launch_template(case):
    fmt, result, model = case
    names = NAMES[fmt]
    flows = {(f["source"], f["target"], f["port"]) for f in model["flows"]}
    assert ("internet", names["asg"], 80) in flows
    # The public address is the launch template's network interface's.
    from iac_assist.threatmodel.exposure import instance_exposures

    exposure = next(e for e in instance_exposures(result.graph) if e.target.address == names["asg"])
    assert exposure.hops[-1].message.endswith(f"gets a public IP address from {names['template']}")


def test_classic_elb_instances_receive_its_traffic(case):
    fmt, _result, model = case
    names = NAMES[fmt]
    lb = next(c["id"] for c in model["components"] if c["kind"] == "lb.load_balancer")
    flows = {(f["source"], f["target"], f["port"]) for f in model["flows"]}
    assert ("internet", lb, 80) in flows
    assert (lb, names["asg"], 8080) in flows
    assert (lb, names["legacy"], 8080) in flows
    if "other" in names:
        assert (lb, names["other"], 8080) in flows  # aws_elb_attachment
    # Instances without a public address are not reached from the internet directly.
    assert ("internet", names["legacy"], 80) not in flows
