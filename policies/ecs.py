"""ECS policies: what a task's containers may do to their host."""

from __future__ import annotations

from collections.abc import Iterator

from iac_assist.analysis.policy import Hit, policy
from iac_assist.model import Fact, is_true, kinds
from iac_assist.model.graph import ResourceGraph


@policy(
    id="IAC-ECS-001",
    control="ecs-task-privileged",
    no_fix=("whether the container can run unprivileged depends on what it does, and its definition is often "
            "built by an expression or read from a file"),
    title="ECS task runs a privileged container",
    severity="high",
    stride="E",
    cwe=250,
    remediation="""
Remove `privileged` / `Privileged` from the container definition (or set it to false). Grant only
the Linux capabilities the container needs (`linuxParameters.capabilities.add`, for example
`NET_ADMIN`) and mount only the host paths it needs, read-only where possible. Fargate does not
allow privileged containers at all.
""",
    references=(
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#container_definition_security",
        "https://docs.aws.amazon.com/securityhub/latest/userguide/ecs-controls.html#ecs-4",
    ),
)
def ecs_task_privileged(graph: ResourceGraph) -> Iterator[Hit]:
    """A privileged container runs with every capability and the host's devices: root in it is
    root on the EC2 container instance, so a compromised or malicious image takes over the host
    and every other task on it (and the instance role's credentials). Reported: each container of
    an ECS task definition whose privileged setting is true, whether the definitions are written
    inline (a heredoc or a template's ContainerDefinitions), with jsonencode(), or read with
    file() / templatefile() from the scanned configuration. CloudFormation findings sit on the
    container's Privileged line; Terraform's definitions are one JSON document, so its findings
    sit on container_definitions and name the container. Container definitions that are not
    known (a variable, a file outside the scanned root, JSON that does not parse) and privileged
    settings that are not known are not reported; an absent setting is false, the ECS default."""
    for task in graph.of_kind(kinds.ECS_TASK_DEFINITION):
        for n, item in enumerate(task.items("containers")):
            if not isinstance(item, Fact) or not isinstance(item.value, dict):
                continue
            if not is_true(item.value.get("privileged")):
                continue
            name = item.value.get("name")
            which = f"container {name}" if isinstance(name, str) else f"container {n + 1}"
            yield Hit(task, item.loc,
                      f"Task definition {task.display} runs {which} privileged: it has root access to the "
                      "host and every other task on it. Remove privileged and add only the capabilities "
                      "it needs.",
                      cause=f"container:{name if isinstance(name, str) else n}")


POLICIES = [ecs_task_privileged]
