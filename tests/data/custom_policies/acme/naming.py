"""ACME's own naming rule: every bucket's name starts with the organisation's prefix."""

from iac_assist.analysis.policy import Hit, policy
from iac_assist.model import kinds

from ._shared import PREFIX


@policy(
    id="ACME-S3-001",
    control="acme-bucket-name-prefix",
    title="S3 bucket name lacks the acme- prefix",
    severity="medium",
    stride="R",
    cwe=1099,
    remediation=f"Name the bucket `{PREFIX}<team>-<purpose>`: the cost and ownership reports group buckets by it.",
    references=("https://wiki.example.com/acme/naming",),
)
def bucket_name_prefix(graph):
    """ACME's inventory, cost reports and incident runbooks find a bucket's owner by the prefix of
    its name; a bucket without it belongs to nobody."""
    for bucket in graph.of_kind(kinds.S3_BUCKET):
        name = bucket.get("name")
        if isinstance(name, str) and not name.startswith(PREFIX):
            yield Hit(bucket, bucket.loc_of("name"), f"bucket name {name!r} does not start with {PREFIX!r}",
                      cause="name")


POLICIES = [bucket_name_prefix]
