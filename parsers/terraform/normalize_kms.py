"""KMS keys in Terraform: what the table (``iac_assist/model/vocabulary/kms.py``) cannot say."""

from __future__ import annotations

from iac_assist.model import Component, Unknown
from iac_assist.model.builder import ModelBuilder
from iac_assist.model.resource import SourceResource
from iac_assist.parsers.terraform.normalizer import NORMALIZER


@NORMALIZER.extend("aws_kms_key")
def origin(comp: Component, res: SourceResource, b: ModelBuilder) -> None:
    """Terraform has no ``origin``: a key in a custom key store names its external key
    (``xks_key_id``, an external key store) or only its store (a CloudHSM cluster)."""
    store, external = res.get("custom_key_store_id"), res.get("xks_key_id")
    if external is not None:
        value = "EXTERNAL_KEY_STORE" if isinstance(external, str) else Unknown("xks_key_id not known")
        comp.set("origin", value, res.at("xks_key_id"))
    elif store is not None:
        value = "AWS_CLOUDHSM" if isinstance(store, str) and store else Unknown("custom_key_store_id not known")
        comp.set("origin", value, res.at("custom_key_store_id"))
