"""Which data sources to read for literal secrets.

Data sources are read, not managed: they are not part of the model, and are evaluated only when
something refers to them. Their arguments may still hold credentials written in the repository
(``terraform_remote_state``'s ``config = { access_key = ..., secret_key = ... }``, a provider
data source's token). Evaluating every data source would cost time and surface warnings about
blocks nothing uses, so only those whose text names a credential (an argument, a nested block's
argument or a literal object key, see ``iac_assist.model.credentials.is_credential_name``) are
evaluated, and only for the secret scan (their type is prefixed with ``data.``).
"""

from __future__ import annotations

from iac_assist.model.credentials import is_credential_name
from iac_assist.parsers.terraform import hcl
from iac_assist.parsers.terraform.expressions import Expr, Literal, ObjectExpr, TupleExpr, Variable

DATA_TYPE_PREFIX = "data."
MAX_DEPTH = 16


def names_a_credential(body: hcl.Body, depth: int = 0) -> bool:
    """Whether an argument, nested argument or literal object key of ``body`` is a credential name."""
    if depth > MAX_DEPTH:
        return False
    for name, attribute in body.attributes.items():
        if is_credential_name(name) or _expr_names_a_credential(attribute.expr, depth + 1):
            return True
    return any(names_a_credential(block.body, depth + 1) for block in body.blocks)


def _expr_names_a_credential(expr: Expr, depth: int) -> bool:
    if depth > MAX_DEPTH:
        return False
    if isinstance(expr, ObjectExpr):
        for key, value in expr.items:
            name = key.value if isinstance(key, Literal) else key.name if isinstance(key, Variable) else None
            if isinstance(name, str) and is_credential_name(name):
                return True
            if _expr_names_a_credential(value, depth + 1):
                return True
    elif isinstance(expr, TupleExpr):
        return any(_expr_names_a_credential(item, depth + 1) for item in expr.items)
    return False
