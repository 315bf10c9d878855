"""ElastiCache policies: each edge-case decision the policy documents gives the same verdict in
Terraform and CloudFormation; the shipped examples are checked against their snapshots by
test_policies_examples.py."""

from __future__ import annotations

from tests.policy_examples import cfn, found, line, tf

GROUPS_TF = tf('''
    variable "tls" {
      type = bool
    }

    resource "aws_elasticache_replication_group" "unset" {
      replication_group_id = "unset"
      description          = "unset"
    }

    resource "aws_elasticache_replication_group" "off" {
      replication_group_id       = "off"
      description                = "off"
      transit_encryption_enabled = false
    }

    resource "aws_elasticache_replication_group" "preferred" {
      replication_group_id       = "preferred"
      description                = "preferred"
      transit_encryption_enabled = true
      transit_encryption_mode    = "preferred"
    }

    resource "aws_elasticache_replication_group" "required" {
      replication_group_id       = "required"
      description                = "required"
      engine                     = "valkey"
      transit_encryption_enabled = true
    }

    resource "aws_elasticache_replication_group" "unknown" {
      replication_group_id       = "unknown"
      description                = "unknown"
      transit_encryption_enabled = var.tls
    }

    resource "aws_elasticache_replication_group" "secondary" {
      replication_group_id        = "secondary"
      description                 = "secondary"
      global_replication_group_id = "ldgnf-sessions"
    }

    resource "aws_elasticache_replication_group" "secondary_off" {
      replication_group_id        = "secondary-off"
      description                 = "secondary-off"
      global_replication_group_id = "ldgnf-sessions"
      transit_encryption_enabled  = false
    }
''')
GROUPS_CFN = cfn('''
    Unset:
      Type: AWS::ElastiCache::ReplicationGroup
      Properties:
        ReplicationGroupDescription: unset
    "Off":
      Type: AWS::ElastiCache::ReplicationGroup
      Properties:
        ReplicationGroupDescription: "off"
        TransitEncryptionEnabled: "false"
    Preferred:
      Type: AWS::ElastiCache::ReplicationGroup
      Properties:
        ReplicationGroupDescription: preferred
        TransitEncryptionEnabled: true
        TransitEncryptionMode: preferred
    Required:
      Type: AWS::ElastiCache::ReplicationGroup
      Properties:
        ReplicationGroupDescription: required
        Engine: valkey
        TransitEncryptionEnabled: true
    Unknown:
      Type: AWS::ElastiCache::ReplicationGroup
      Properties:
        ReplicationGroupDescription: unknown
        TransitEncryptionEnabled: !Ref Tls
    Secondary:
      Type: AWS::ElastiCache::ReplicationGroup
      Properties:
        ReplicationGroupDescription: secondary
        GlobalReplicationGroupId: ldgnf-sessions
    SecondaryOff:
      Type: AWS::ElastiCache::ReplicationGroup
      Properties:
        ReplicationGroupDescription: secondary-off
        GlobalReplicationGroupId: ldgnf-sessions
        TransitEncryptionEnabled: false
''', parameters='''
    Tls:
      Type: String
''')


def test_replication_groups(write_tree):
    """Unset is reported at the group, off at the flag, "preferred" mode at the mode; required
    and unknown are not; a Global Datastore secondary that leaves it unset takes the primary's."""
    assert found(write_tree, "elasticache-transit-unencrypted", GROUPS_TF, GROUPS_CFN) == {
        ("aws_elasticache_replication_group.unset", "tf/main.tf",
         line(GROUPS_TF, '"aws_elasticache_replication_group" "unset"')),
        ("aws_elasticache_replication_group.off", "tf/main.tf",
         line(GROUPS_TF, 'replication_group_id       = "off"') + 2),
        ("aws_elasticache_replication_group.preferred", "tf/main.tf",
         line(GROUPS_TF, 'transit_encryption_mode    = "preferred"')),
        ("aws_elasticache_replication_group.secondary_off", "tf/main.tf",
         line(GROUPS_TF, 'replication_group_id        = "secondary-off"') + 3),
        ("Unset", "cfn/template.yaml", line(GROUPS_CFN, "  Unset:")),
        ("Off", "cfn/template.yaml", line(GROUPS_CFN, 'TransitEncryptionEnabled: "false"')),
        ("Preferred", "cfn/template.yaml", line(GROUPS_CFN, "TransitEncryptionMode: preferred")),
        ("SecondaryOff", "cfn/template.yaml", line(GROUPS_CFN, "TransitEncryptionEnabled: false")),
    }


CLUSTERS_TF = tf('''
    variable "engine" {
      type = string
    }

    resource "aws_elasticache_cluster" "memcached" {
      cluster_id = "memcached"
      engine     = "memcached"
      node_type  = "cache.t4g.small"
    }

    resource "aws_elasticache_cluster" "memcached_tls" {
      cluster_id                 = "memcached-tls"
      engine                     = "memcached"
      node_type                  = "cache.t4g.small"
      transit_encryption_enabled = true
    }

    resource "aws_elasticache_cluster" "redis" {
      cluster_id = "redis"
      engine     = "redis"
      node_type  = "cache.t4g.small"
    }

    resource "aws_elasticache_cluster" "unknown_engine" {
      cluster_id = "unknown-engine"
      engine     = var.engine
      node_type  = "cache.t4g.small"
    }

    resource "aws_elasticache_replication_group" "group" {
      replication_group_id       = "group"
      description                = "group"
      transit_encryption_enabled = true
    }

    resource "aws_elasticache_cluster" "member" {
      cluster_id           = "member"
      replication_group_id = aws_elasticache_replication_group.group.id
    }
''')
CLUSTERS_CFN = cfn('''
    Memcached:
      Type: AWS::ElastiCache::CacheCluster
      Properties:
        Engine: memcached
        CacheNodeType: cache.t4g.small
        NumCacheNodes: 1
    MemcachedTls:
      Type: AWS::ElastiCache::CacheCluster
      Properties:
        Engine: memcached
        CacheNodeType: cache.t4g.small
        NumCacheNodes: 1
        TransitEncryptionEnabled: true
    Redis:
      Type: AWS::ElastiCache::CacheCluster
      Properties:
        Engine: Redis
        CacheNodeType: cache.t4g.small
        NumCacheNodes: 1
    UnknownEngine:
      Type: AWS::ElastiCache::CacheCluster
      Properties:
        Engine: !Ref Engine
        CacheNodeType: cache.t4g.small
        NumCacheNodes: 1
''', parameters='''
    Engine:
      Type: String
''')


def test_cache_clusters(write_tree):
    """A Memcached cluster has its own switch (unset is reported at the cluster); a Redis OSS
    node outside a replication group cannot encrypt and is reported; a member of a replication
    group is judged through the group; an unknown engine is not reported."""
    assert found(write_tree, "elasticache-transit-unencrypted", CLUSTERS_TF, CLUSTERS_CFN) == {
        ("aws_elasticache_cluster.memcached", "tf/main.tf", line(CLUSTERS_TF, '"aws_elasticache_cluster" "memcached"')),
        ("aws_elasticache_cluster.redis", "tf/main.tf", line(CLUSTERS_TF, '"aws_elasticache_cluster" "redis"')),
        ("Memcached", "cfn/template.yaml", line(CLUSTERS_CFN, "  Memcached:")),
        ("Redis", "cfn/template.yaml", line(CLUSTERS_CFN, "  Redis:")),
    }
