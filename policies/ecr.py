"""ECR policies: repositories whose image tags can be overwritten."""

from __future__ import annotations

from collections.abc import Iterator

from iac_assist.analysis.policy import Hit, policy
from iac_assist.fixes.declare import SetFacts
from iac_assist.model import kinds
from iac_assist.model.graph import ResourceGraph

MUTABLE = "MUTABLE"


@policy(
    id="IAC-ECR-001",
    control="ecr-tag-mutable",
    title="ECR repository lets image tags be overwritten",
    severity="low",
    stride="T",
    cwe=494,
    remediation="""
Make the repository's tags immutable: `image_tag_mutability = "IMMUTABLE"` on `aws_ecr_repository`
(Terraform), `ImageTagMutability: IMMUTABLE` on `AWS::ECR::Repository` (CloudFormation). Push a new
tag for every build (a version or the commit), and deploy by tag or by digest. When a moving tag
such as `latest` is needed, `IMMUTABLE_WITH_EXCLUSION` keeps every other tag immutable.
""",
    references=(
        "https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html",
        "https://docs.aws.amazon.com/securityhub/latest/userguide/ecr-controls.html#ecr-2",
    ),
    fix=SetFacts({"image_tag_mutability": "IMMUTABLE"},
                 note="a pipeline that pushes the same tag twice (latest) then fails"),
)
def ecr_tag_mutable(graph: ResourceGraph) -> Iterator[Hit]:
    """With mutable tags, whoever can push to the repository (a compromised CI job, a leaked key)
    can replace the image behind a tag already deployed, and every service, task or function that
    pulls that tag next runs the replacement: the tag no longer names what was built, reviewed and
    scanned. Reported for every aws_ecr_repository / AWS::ECR::Repository whose
    image_tag_mutability / ImageTagMutability is MUTABLE or not written (MUTABLE is the default in
    both formats). Decisions: IMMUTABLE and IMMUTABLE_WITH_EXCLUSION pass (the exclusions are tags
    the owner chose to keep moving); MUTABLE_WITH_EXCLUSION passes too, since its exclusion filters
    are the tags made immutable on purpose (a release pattern) and the filters' coverage is not
    judged; the value is compared case-insensitively; an unknown value gives no finding. Public
    repositories (aws_ecrpublic_repository) have no such setting and are not judged. The finding
    points at the setting when it is written, else at the repository."""
    for repo in graph.of_kind(kinds.ECR_REPOSITORY):
        if not repo.equals("image_tag_mutability", MUTABLE, unset=MUTABLE):
            continue
        what = "image_tag_mutability is MUTABLE" if repo.has("image_tag_mutability") else \
            "image_tag_mutability is not set (MUTABLE by default)"
        yield Hit(
            repo,
            repo.loc_of("image_tag_mutability"),
            f"ECR repository {repo.display} lets a pushed tag be overwritten with another image: {what}. "
            "Set it to IMMUTABLE (IMMUTABLE_WITH_EXCLUSION for a moving tag such as latest).",
            cause=f"mutability:{'mutable' if repo.has('image_tag_mutability') else 'absent'}",
        )


POLICIES = [ecr_tag_mutable]
