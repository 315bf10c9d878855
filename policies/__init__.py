"""The policies: one declarative unit per control, registered explicitly here.

Each module groups the policies of one service; ``all_policies()`` is what a scan runs: these,
and the policies of one's own ``iac_assist.analysis.custom_policies.activate`` loaded.
"""

from __future__ import annotations

from iac_assist.analysis.policy import Policy


def all_policies() -> list[Policy]:
    """The built-in policies and the active ones of one's own, by id."""
    from iac_assist.analysis.custom_policies import active

    extra = active()
    if not extra:
        return builtin_policies()
    return sorted([*builtin_policies(), *extra], key=lambda p: p.id)


def builtin_policies() -> list[Policy]:
    """The policies shipped with iac-assist, by id."""
    from iac_assist.policies import (
        apigateway,
        cdn,
        cloudtrail,
        dynamodb,
        ec2,
        ecr,
        ecs,
        efs,
        eks,
        elasticache,
        iam,
        kms,
        lambda_functions,
        lb,
        messaging,
        rds,
        redshift,
        resource_policies,
        s3,
        search,
        secrets,
        secretsmanager,
        snapshots,
        vpc,
    )

    registered = [
        *s3.POLICIES, *cdn.POLICIES, *lb.POLICIES, *rds.POLICIES,
        *ec2.POLICIES, *vpc.POLICIES, *iam.POLICIES, *secrets.POLICIES,
        *search.POLICIES, *lambda_functions.POLICIES, *dynamodb.POLICIES, *elasticache.POLICIES,
        *eks.POLICIES, *apigateway.POLICIES, *ecs.POLICIES,
        *cloudtrail.POLICIES, *kms.POLICIES, *messaging.POLICIES, *redshift.POLICIES, *snapshots.POLICIES,
        *efs.POLICIES, *ecr.POLICIES, *secretsmanager.POLICIES, *resource_policies.POLICIES,
    ]
    return sorted(registered, key=lambda p: p.id)
