"""Load balancer policies."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from iac_assist import kinds
from iac_assist.graph import ResourceGraph
from iac_assist.model import Component, Fact
from iac_assist.policy import Hit, policy

HTTP_PORTS = {80, 8000, 8008, 8080}
"""Ports where a plain TCP listener almost certainly carries HTTP."""
SECURE_PROTOCOLS = {"HTTPS", "SSL", "TLS"}
FORWARDING_ACTIONS = {"forward", "authenticate-oidc", "authenticate-cognito"}


def _protocol(graph: ResourceGraph, listener: Component, lb: Component | None) -> Any:
    protocol = listener.get("protocol")
    if protocol is None and lb is not None:
        # Left unset, ELBv2 listens with HTTP on an ALB and TCP on an NLB.
        return {"application": "HTTP", "network": "TCP"}.get(lb.get("type"))
    return protocol


def _actions(listener: Component) -> list[dict[str, Any]]:
    out = []
    for action in listener.get("default_actions") or []:
        entry = action.value if isinstance(action, Fact) else action
        if isinstance(entry, dict):
            out.append(entry)
    return out


def _forwards(listener: Component) -> bool | None:
    """Whether the listener passes traffic on instead of redirecting; None when not known."""
    actions = _actions(listener)
    types = [a.get("type") for a in actions]
    if not actions or any(not isinstance(t, str) for t in types):
        return None
    for action in actions:
        kind = action["type"].lower()
        if kind == "redirect" and action.get("redirect_protocol") == "HTTPS":
            return False
    return any(t.lower() in FORWARDING_ACTIONS for t in types)


def _classic_has_secure_listener(graph: ResourceGraph, lb: Component) -> bool:
    return any(listener.get("protocol") in SECURE_PROTOCOLS
               for listener in graph.neighbours(lb, "part-of", incoming=True))


@policy(
    id="IAC-LB-001",
    control="lb-listener-plaintext",
    title="Load balancer listener serves plaintext HTTP",
    severity="high",
    stride="IST",
    cwe=319,
    remediation="""
Listen with HTTPS (or TLS) and an ACM certificate. Keep port 80 only as a redirect: a default
action of type `redirect` with protocol `HTTPS` and status `HTTP_301`. For a classic ELB, add an
HTTPS/SSL listener and move clients to it.
""",
)
def lb_listener_plaintext(graph: ResourceGraph) -> Iterator[Hit]:
    """Traffic between clients and a load balancer crosses the internet; over plain HTTP anyone on
    the path can read credentials and session cookies or change responses. An ALB listener is
    reported when its protocol is HTTP (the default when unset) and its default action forwards
    traffic rather than redirecting to HTTPS; an NLB listener when it passes plain TCP on a
    well-known HTTP port (80, 8000, 8008, 8080); a classic ELB listener using HTTP, or TCP on
    those ports, when the load balancer has no HTTPS/SSL listener beside it (classic ELBs cannot
    redirect). Unknown protocols or actions are not reported."""
    for listener in graph.of_kind(kinds.LB_LISTENER):
        lb = graph.resolve(listener, listener.get("load_balancer"), kinds.LB)
        protocol = _protocol(graph, listener, lb)
        port = listener.get("port")
        http_port = isinstance(port, int) and port in HTTP_PORTS
        where = listener.loc_of("protocol")
        if lb is not None and lb.get("type") == "classic":
            plaintext = protocol == "HTTP" or (protocol == "TCP" and http_port)
            if plaintext and not _classic_has_secure_listener(graph, lb):
                yield Hit(listener, where,
                          f"Classic load balancer {lb.display} listens with {protocol} on port {port} and has "
                          "no HTTPS listener: traffic reaches it unencrypted. Add an HTTPS/SSL listener.",
                          cause=f"classic:{protocol}:{port}")
            continue
        plaintext = protocol == "HTTP" or (protocol == "TCP" and http_port)
        if plaintext and _forwards(listener) is True:
            yield Hit(listener, where,
                      f"Listener {listener.display} accepts {protocol} on port {port} and forwards it "
                      "unencrypted. Serve HTTPS and make this listener redirect to it.",
                      cause=f"{protocol}:{port}")


POLICIES = [lb_listener_plaintext]
