"""Secret policies: credentials written as literals in the configuration."""

from __future__ import annotations

from collections.abc import Iterator

from iac_assist.analysis.policy import Hit, policy
from iac_assist.analysis.result import provider_of
from iac_assist.model import Fact
from iac_assist.model.credentials import FACT
from iac_assist.model.graph import ResourceGraph


@policy(
    id="IAC-SEC-001",
    control="hardcoded-secret",
    title="Secret written as a literal in the configuration",
    severity="high",
    stride="I",
    cwe=798,
    remediation="""
Take the secret out of the repository and rotate it: it stays in the version history. Let AWS
generate and keep it: `manage_master_user_password = true` (Terraform) / `ManageMasterUserPassword:
true` (CloudFormation) for RDS, a Secrets Manager secret with a generated value
(`random_password` + `aws_secretsmanager_secret_version`, `GenerateSecretString`), read where
needed through a data source or a dynamic reference (`{{resolve:secretsmanager:...}}`,
`{{resolve:ssm-secure:...}}`). Otherwise pass it in at deployment: a Terraform variable without
default marked `sensitive = true` (set through `TF_VAR_...` in CI, never in a committed
`.tfvars`), a CloudFormation parameter with `NoEcho: true` and no `Default`. Provider credentials
come from the environment, a profile or an assumed role, never from `access_key` / `secret_key`.
For another provider's resource, use that platform's secret store the same way (Azure Key Vault,
Google Secret Manager, an external secrets operator for Kubernetes) or a deployment-time variable.
""",
    references=(
        "https://docs.aws.amazon.com/secretsmanager/latest/userguide/hardcoded.html",
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/dynamic-references.html",
        "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-secrets-manager.html",
        "https://developer.hashicorp.com/terraform/language/values/variables#suppressing-values-in-cli-output",
    ),
    no_fix="the secret must be rotated and moved to a secret store: an edit of the file cannot do that",
)
def hardcoded_secret(graph: ResourceGraph) -> Iterator[Hit]:
    """A password, key or token written in the configuration is readable by everyone who can read the
    repository, its forks, CI logs and build artifacts, and it stays in the version history after it
    is removed; it is rarely rotated. Every resource is scanned, whatever its type, modelled or not
    (Alexa::ASK::Skill, Custom::...), and so are Terraform provider blocks and the data sources
    whose arguments name a credential (terraform_remote_state config): an attribute, map key or
    name/value pair whose name ends in a credential word (password, secret, token, passphrase,
    credentials, access/secret/private/api key, secret string; compared case-insensitively in any
    naming style) holding a known, non-empty string (or a number: a numeric PIN). Values are
    evaluated first: a literal is what the repository itself fixes (a string in place, a local, a
    Terraform variable's default or tfvars value, a CloudFormation parameter's Default). Decisions:
    a variable or parameter without a value, a generated value (random_password), a reference to
    another resource and a dynamic reference ({{resolve:secretsmanager:...}},
    {{resolve:ssm-secure:...}}) are not literals, nor are placeholders: a type name or word written
    where the secret goes (String, password, changeme..., TODO, YOUR_API_KEY), a bracketed name
    ([PASSWORD], {PASSWORD}, or in angle brackets), a variable or template left as text (var.x in
    quotes, ${var.x}, ${AWS::StackName}, {{ x }}, $DB_PASSWORD), one character repeated (xxx); names
    that describe a secret rather than hold it (password_length, secret_arn, kms_key_id,
    db_secret_name, SecretStringTemplate; key alone, key_name, s3_key) are skipped, as are booleans
    written as strings, ARNs (they name a secret), identifiers called tokens (creation_token,
    ClientToken, ServiceToken) and tags; an SSM SecureString parameter's value is a secret whatever
    it is called; JSON text (container definitions) is searched too. One finding per secret, at its
    attribute's line. The value is never printed: only its first characters, masked."""
    for comp in graph.components.values():
        found = comp.get(FACT)
        if not isinstance(found, list):
            continue
        for fact in found:
            if not isinstance(fact, Fact) or not isinstance(fact.value, dict):
                continue
            attribute, masked = fact.value.get("attribute"), fact.value.get("masked")
            fix = (_PROVIDER_FIX if comp.source_type == "provider" else _AWS_FIX
                   if provider_of(comp.source_type) == "aws" else _OTHER_FIX)
            yield Hit(
                comp,
                fact.loc,
                f"{comp.display} has a literal secret in {attribute} ({masked}): anyone who can read the "
                f"repository can use it. {fix}, and rotate the exposed value.",
                cause=f"literal:{attribute}",
            )


_AWS_FIX = "Generate it and keep it in Secrets Manager (or pass it in at deployment), reference it"
# Not an AWS resource (azurerm_*, google_*, kubernetes_*...): no AWS service to recommend.
_OTHER_FIX = "Keep it in the platform's secret store (or pass it in at deployment), reference it"
_PROVIDER_FIX = ("Remove it: let the provider take credentials from the environment, a shared profile or an "
                 "assumed role")


POLICIES = [hardcoded_secret]
