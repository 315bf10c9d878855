"""IAM in Terraform: identity policies (managed and inline) as policy documents."""

from __future__ import annotations
