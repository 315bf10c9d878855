"""The policies: one declarative unit per control, registered explicitly here.

Each module groups the policies of one service; ``all_policies()`` is what a scan runs.
"""

from __future__ import annotations

from iac_assist.policy import Policy


def all_policies() -> list[Policy]:
    from iac_assist.policies import cdn, ec2, iam, lb, rds, s3, secrets, vpc

    registered = [
        *s3.POLICIES, *cdn.POLICIES, *lb.POLICIES, *rds.POLICIES,
        *ec2.POLICIES, *vpc.POLICIES, *iam.POLICIES, *secrets.POLICIES,
    ]
    return sorted(registered, key=lambda p: p.id)
