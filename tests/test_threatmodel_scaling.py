"""What keeps the graph and the threat model near-linear on large configurations,
checked by counting (timings are benchmarks/graph_scaling.py's): the attack-path search gives
networkx's paths without a pass over every edge of the internet per path, and building runs no
cyclic garbage collection over the heap."""

from __future__ import annotations

import gc
import math
import random
from itertools import islice
from pathlib import Path

import networkx as nx

from iac_assist import gcpause
from iac_assist.analysis.findings import merge_instances
from iac_assist.analysis.result import ScanResult
from iac_assist.model import Component, Location, Ref, kinds
from iac_assist.model.graph import ResourceGraph
from iac_assist.policies import all_policies
from iac_assist.threatmodel import kpaths
from iac_assist.threatmodel.build import build

LIKELIHOODS = (1.0, 0.9, 0.8, 0.5, 0.4, 0.3)
"""The steps' likelihoods (attack.py): few values, so equally likely paths abound."""


def random_graph(seed: int) -> nx.DiGraph:
    rnd = random.Random(seed)
    size = rnd.randint(3, 30)
    graph = nx.DiGraph()
    graph.add_node("internet")
    nodes = list(range(size))
    rnd.shuffle(nodes)
    for node in nodes:
        if rnd.random() < 0.5:
            graph.add_edge("internet", node, cost=-math.log(rnd.choice(LIKELIHOODS)))
    for _ in range(rnd.randint(0, 3 * size)):
        a, b = rnd.sample(range(size), 2)
        graph.add_edge(a, b, cost=-math.log(rnd.choice(LIKELIHOODS)))
    return graph


def test_the_k_shortest_paths_are_networkx_s_ties_included():
    compared = 0
    for seed in range(150):
        graph = random_graph(seed)
        fanout = kpaths.Fanout(graph, "internet", "cost")
        for target in sorted(nx.descendants(graph, "internet")):
            expected = list(islice(nx.shortest_simple_paths(graph, "internet", target, weight="cost"), 4))
            assert list(islice(kpaths.shortest_simple_paths(graph, "internet", target, "cost", fanout), 4)) \
                == expected, (seed, target)
            compared += 1
    assert compared > 1000


def test_a_path_costs_the_same_whatever_the_internet_s_other_edges(monkeypatch):
    """The search pushes what its path needs, not the internet's every edge (networkx pushes them
    all for every path: quadratic once there is an entry point per part of the configuration)."""
    pushes = 0
    real_push = kpaths.heappush

    def counted(heap, item):
        nonlocal pushes
        pushes += 1
        real_push(heap, item)

    monkeypatch.setattr(kpaths, "heappush", counted)

    def pushes_per_path(cells: int) -> float:
        nonlocal pushes
        graph = nx.DiGraph()
        for n in range(cells):  # internet → load balancer → server → database, per cell
            graph.add_edge("internet", f"lb{n}", cost=0.0)
            graph.add_edge(f"lb{n}", f"web{n}", cost=-math.log(0.3))
            graph.add_edge(f"web{n}", f"db{n}", cost=-math.log(0.5))
        fanout = kpaths.Fanout(graph, "internet", "cost")
        pushes = 0
        found = [next(kpaths.shortest_simple_paths(graph, "internet", f"db{n}", "cost", fanout))
                 for n in range(cells)]
        assert found[-1] == ["internet", f"lb{cells - 1}", f"web{cells - 1}", f"db{cells - 1}"]
        return pushes / cells

    assert pushes_per_path(20) < 10 and pushes_per_path(2000) < 10  # networkx: over 2000 at 2000 cells


def cell(n: int) -> list[Component]:
    """A VPC with a subnet, a security group and an instance, referring to one another."""
    p = f"{n}."

    def comp(name: str, kind: str, **facts: object) -> Component:
        c = Component(id=p + name, kind=kind, address=p + name, source_type=kind, loc=Location(f"c{n}.tf", 1))
        for fact, value in facts.items():
            c.set(fact, value)
        return c

    return [comp("vpc", kinds.VPC, cidr="10.0.0.0/16"),
            comp("subnet", kinds.SUBNET, vpc=Ref(p + "vpc"), cidr="10.0.1.0/24"),
            comp("sg", kinds.SECURITY_GROUP, vpc=Ref(p + "vpc"), ingress=[], egress=[]),
            comp("web", kinds.INSTANCE, subnet=Ref(p + "subnet"), security_groups=[Ref(p + "sg")])]


def test_graph_and_threat_model_are_built_with_the_collector_paused(monkeypatch):
    """A full collection walks every object alive; run again and again while a large model is
    built, they made it super-linear (see iac_assist.gcpause)."""
    from iac_assist.threatmodel import attack

    collecting: dict[str, bool] = {}

    def observed(name, real):
        def run(*args, **kwargs):
            collecting[name] = gc.isenabled()
            return real(*args, **kwargs)
        return run

    monkeypatch.setattr(ResourceGraph, "_derive_typed_edges", observed("graph", ResourceGraph._derive_typed_edges))
    monkeypatch.setattr(attack, "paths", observed("attack paths", attack.paths))
    graph = ResourceGraph([c for n in range(50) for c in cell(n)])
    findings = merge_instances(f for p in all_policies() for f in p.run(graph))
    model = build(ScanResult(root=Path("."), findings=findings, graph=graph))
    assert len(model.components) == 200 and findings
    assert collecting == {"graph": False, "attack paths": False}
    assert gc.isenabled()


def test_the_collector_is_resumed_only_if_it_was_running():
    assert gc.isenabled()
    with gcpause.paused():
        assert not gc.isenabled()
        with gcpause.paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with gcpause.paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
