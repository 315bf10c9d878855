"""KMS in Terraform: customer managed keys and what decides whether they can rotate.

``aws_kms_replica_key`` is not modelled: a replica shares its primary's key material and rotation
setting. ``aws_kms_external_key`` (imported key material) is not either: AWS cannot rotate
material it did not generate.
"""

from __future__ import annotations

from iac_assist.model import Unknown, kinds
from iac_assist.model.builder import ModelBuilder
from iac_assist.model.convert import to_bool, upper
from iac_assist.model.resource import SourceResource
from iac_assist.parsers.terraform.normalizer import NORMALIZER


@NORMALIZER.register("aws_kms_key")
def key(res: SourceResource, b: ModelBuilder) -> None:
    comp = b.add(res, kinds.KMS_KEY)
    # ``= null`` leaves the provider default, as if the argument were not written.
    if res.get("enable_key_rotation") is not None:
        b.copy(comp, "rotation", res, "enable_key_rotation", convert=to_bool)
    if res.get("customer_master_key_spec") is not None:
        b.copy(comp, "key_spec", res, "customer_master_key_spec", convert=upper)
    if res.get("key_usage") is not None:
        b.copy(comp, "key_usage", res, "key_usage", convert=upper)
    if res.get("is_enabled") is not None:
        b.copy(comp, "enabled", res, "is_enabled", convert=to_bool)
    # A key in a custom key store: an external key store key names its external key (xks_key_id);
    # otherwise the store is a CloudHSM cluster.
    store, external = res.get("custom_key_store_id"), res.get("xks_key_id")
    if external is not None:
        origin = "EXTERNAL_KEY_STORE" if isinstance(external, str) else Unknown("xks_key_id not known")
        comp.set("origin", origin, res.at("xks_key_id"))
    elif store is not None:
        origin = "AWS_CLOUDHSM" if isinstance(store, str) and store else Unknown("custom_key_store_id not known")
        comp.set("origin", origin, res.at("custom_key_store_id"))
