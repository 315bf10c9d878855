"""Time against size for the graph, the policies and the threat model on synthetic architectures.

The model is generated directly (no parsing), so the figures isolate what must stay near-linear:
graph construction, every policy, zones, flows, attack paths and threats. Each cell is the
reference web app (CloudFront, bucket, load balancer, two web servers, a database, a VPC with
public and private subnets); every fifth cell puts its database in a public subnet, open to the
internet, so the attack-path search has paths to find.

    python benchmarks/graph_scaling.py [--sizes 1000 10000 50000] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

from iac_assist.analysis.findings import merge_instances
from iac_assist.analysis.result import ScanResult
from iac_assist.model import Component, Fact, Location, Ref, kinds
from iac_assist.model.graph import ResourceGraph
from iac_assist.policies import all_policies
from iac_assist.threatmodel.build import build

CELL = 20
"""Components per cell (see ``cell``)."""


def component(cid: str, kind: str, line: int, **facts: object) -> Component:
    loc = Location(f"cell{cid.split('.')[0]}.tf", line)
    comp = Component(id=cid, kind=kind, address=cid, source_type=kind, loc=loc)
    for name, value in facts.items():
        comp.set(name, value, comp.loc)
    return comp


def rule(port: int, cidrs: list[str] | None = None, groups: list[Ref] | None = None) -> Fact:
    entry = {"protocol": "tcp", "from_port": port, "to_port": port, "cidrs": cidrs or [],
             "source_groups": groups or [], "prefix_lists": []}
    return Fact(entry, Location("rules.tf", port))


def cell(n: int, exposed: bool) -> list[Component]:
    p = f"{n}."
    r = lambda name: Ref(p + name)  # noqa: E731 - a short local name keeps the cell readable
    comps = [
        component(p + "vpc", kinds.VPC, 1, cidr="10.0.0.0/16"),
        component(p + "igw", kinds.INTERNET_GATEWAY, 2, vpc=r("vpc")),
        component(p + "rt_public", kinds.ROUTE_TABLE, 3, vpc=r("vpc"), routes=[
            Fact({"destination": "0.0.0.0/0", "target": r("igw"), "target_type": "gateway"}, Location("rt.tf", 4))]),
        component(p + "rt_private", kinds.ROUTE_TABLE, 5, vpc=r("vpc"), routes=[]),
    ]
    for i in range(2):
        comps.append(component(p + f"public{i}", kinds.SUBNET, 10 + i, vpc=r("vpc"), cidr=f"10.0.{i}.0/24",
                               route_table=r("rt_public")))
        comps.append(component(p + f"private{i}", kinds.SUBNET, 20 + i, vpc=r("vpc"), cidr=f"10.0.{10 + i}.0/24",
                               route_table=r("rt_private")))
    comps += [
        component(p + "sg_alb", kinds.SECURITY_GROUP, 30, vpc=r("vpc"), ingress=[rule(443, ["0.0.0.0/0"])],
                  egress=[]),
        component(p + "sg_web", kinds.SECURITY_GROUP, 31, vpc=r("vpc"), ingress=[rule(80, groups=[r("sg_alb")])],
                  egress=[]),
        component(p + "sg_db", kinds.SECURITY_GROUP, 32, vpc=r("vpc"),
                  ingress=[rule(5432, ["0.0.0.0/0"] if exposed else [], [r("sg_web")])], egress=[]),
        component(p + "lb", kinds.LB, 40, type="application", scheme="internet-facing",
                  subnets=[r("public0"), r("public1")], security_groups=[r("sg_alb")], access_logs=True,
                  drop_invalid_header_fields=True, web_acl="arn:waf"),
        component(p + "tg", kinds.LB_TARGET_GROUP, 41, port=80, protocol="HTTP",
                  targets=[Fact({"target": r(f"web{i}")}, Location("tg.tf", i)) for i in range(2)]),
        component(p + "listener", kinds.LB_LISTENER, 42, load_balancer=r("lb"), port=443, protocol="HTTPS",
                  ssl_policy="ELBSecurityPolicy-TLS13-1-2-2021-06",
                  default_actions=[Fact({"type": "forward", "target_group": r("tg")}, Location("l.tf", 1))]),
        *(component(p + f"web{i}", kinds.INSTANCE, 50 + i, subnet=r(f"private{i}"), security_groups=[r("sg_web")],
                    http_tokens="required") for i in range(2)),
        component(p + "dbsubnets", kinds.RDS_SUBNET_GROUP, 60,
                  subnets=[r("public0"), r("public1")] if exposed else [r("private0"), r("private1")]),
        component(p + "db", kinds.RDS_INSTANCE, 61, engine="postgres", subnet_group=r("dbsubnets"),
                  security_groups=[r("sg_db")], publicly_accessible=exposed, storage_encrypted=True,
                  deletion_protection=True),
        component(p + "bucket", kinds.S3_BUCKET, 70, name=f"site-{n}", versioning="Enabled"),
        component(p + "cdn", kinds.CLOUDFRONT, 80, web_acl="arn:waf", origins=[
            Fact({"id": "s3", "domain_name": r("bucket"), "s3": True, "oac": "oac"}, Location("cdn.tf", 1)),
            Fact({"id": "api", "domain_name": r("lb"), "custom": True,
                  "protocol_policy": Fact("https-only", Location("cdn.tf", 2))}, Location("cdn.tf", 2)),
        ]),
    ]
    assert len(comps) == CELL
    return comps


def measure(size: int) -> dict[str, float | int]:
    cells = max(1, size // CELL)
    components = [c for n in range(cells) for c in cell(n, exposed=n % 5 == 0)]
    policies = all_policies()
    timings: dict[str, float | int] = {"components": len(components)}
    start = time.perf_counter()
    graph = ResourceGraph(components)
    timings["graph_s"] = time.perf_counter() - start
    start = time.perf_counter()
    findings = merge_instances(f for p in policies for f in p.run(graph))
    timings["policies_s"] = time.perf_counter() - start
    start = time.perf_counter()
    model = build(ScanResult(root=Path("."), findings=findings, graph=graph))
    timings["threat_model_s"] = time.perf_counter() - start
    timings["findings"] = len(findings)
    timings["flows"] = len(model.flows)
    timings["attack_paths"] = len(model.attack_paths)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 50000])
    parser.add_argument("--json", type=Path, help="also write the results as JSON")
    args = parser.parse_args()
    rows = [measure(size) for size in args.sizes]
    base = rows[0]
    print(f"{'components':>10} {'graph s':>9} {'policies s':>11} {'model s':>9} {'total µs/comp':>14} "
          f"{'vs first':>9} {'paths':>6}")
    for row in rows:
        total = row["graph_s"] + row["policies_s"] + row["threat_model_s"]
        first = base["graph_s"] + base["policies_s"] + base["threat_model_s"]
        per = total / row["components"] * 1e6
        ratio = per / (first / base["components"] * 1e6)
        print(f"{row['components']:>10} {row['graph_s']:>9.2f} {row['policies_s']:>11.2f} "
              f"{row['threat_model_s']:>9.2f} {per:>14.1f} {ratio:>8.2f}x {row['attack_paths']:>6}")
    if args.json:
        args.json.write_text(json.dumps({"machine": platform.platform(), "python": platform.python_version(),
                                         "rows": rows}, indent=2) + "\n")


if __name__ == "__main__":
    main()
