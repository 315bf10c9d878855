"""Databases: what the table (``iac_assist/model/vocabulary/rds.py``) cannot say."""

from __future__ import annotations

from iac_assist.model import Component
from iac_assist.model.builder import ModelBuilder, Normalizer
from iac_assist.model.mapping import read, src
from iac_assist.model.resource import SourceResource


def register(normalizer: Normalizer) -> None:
    normalizer.extend("AWS::RDS::DBInstance")(source_instance)


def source_instance(comp: Component, res: SourceResource, builder: ModelBuilder) -> None:
    """SourceDBInstanceIdentifier names a read replica's source, unless a restore time makes the
    instance a point-in-time restore of it (a snapshot it is restored from comes first)."""
    restore = res.has("RestoreTime") or res.has("UseLatestRestorableTime")
    if res.get("SourceDBInstanceIdentifier") is None:
        read(comp, res, src("SourceDBClusterIdentifier"), "replica_of")
    elif not restore:
        read(comp, res, src("SourceDBInstanceIdentifier"), "replica_of")
    elif not comp.has("restored_from"):
        read(comp, res, src("SourceDBInstanceIdentifier"), "restored_from")
