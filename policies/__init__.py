"""The policies: one declarative unit per control, registered explicitly here.

Each module groups the policies of one service; ``all_policies()`` is what a scan runs.
"""

from __future__ import annotations

from iac_assist.policy import Policy


def all_policies() -> list[Policy]:
    from iac_assist.policies import lb, rds, s3

    registered = [*s3.POLICIES, *lb.POLICIES, *rds.POLICIES]
    return sorted(registered, key=lambda p: p.id)
