"""KMS keys: customer managed keys and what decides whether they can rotate.

``AWS::KMS::ReplicaKey`` is not modelled: a replica shares its primary's key material and
rotation setting.
"""

from __future__ import annotations

from iac_assist.model import kinds
from iac_assist.model.builder import ModelBuilder, Normalizer
from iac_assist.model.convert import to_bool, upper
from iac_assist.model.resource import SourceResource


def register(normalizer: Normalizer) -> None:
    normalizer.register("AWS::KMS::Key")(key)


def key(res: SourceResource, b: ModelBuilder) -> None:
    comp = b.add(res, kinds.KMS_KEY)
    b.copy(comp, "rotation", res, "EnableKeyRotation", convert=to_bool)
    b.copy(comp, "key_spec", res, "KeySpec", convert=upper)
    b.copy(comp, "key_usage", res, "KeyUsage", convert=upper)
    b.copy(comp, "enabled", res, "Enabled", convert=to_bool)
    b.copy(comp, "origin", res, "Origin", convert=upper)
