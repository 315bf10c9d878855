"""KMS keys in Terraform: what the table (``iac_assist/model/vocabulary/kms.py``) cannot say."""

from __future__ import annotations

from iac_assist.model import Component, Unknown, kinds
from iac_assist.model.builder import ModelBuilder
from iac_assist.model.resource import SourceResource
from iac_assist.model.satellites import fold_policy
from iac_assist.parsers.terraform.normalize_messaging import set_inline, written_policy
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


@NORMALIZER.extend("aws_kms_key")
def key_policy(comp: Component, res: SourceResource, b: ModelBuilder) -> None:
    set_inline(comp, res)


@NORMALIZER.register("aws_kms_key_policy", phase=1)
def separate_key_policy(res: SourceResource, b: ModelBuilder) -> None:
    """``aws_kms_key_policy`` replaces the key's policy."""
    fold_policy(b, res, res.get("key_id"), kinds.KMS_KEY, written_policy(res), res.at("policy"))
