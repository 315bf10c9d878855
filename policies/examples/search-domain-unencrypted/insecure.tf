# Product search: the indices hold copies of customer orders.
resource "aws_opensearch_domain" "catalog" {
  domain_name    = "catalog"
  engine_version = "OpenSearch_2.13"

  cluster_config {
    instance_type  = "r6g.large.search"
    instance_count = 2
  }

  ebs_options {
    ebs_enabled = true
    volume_size = 50
  }

  # Indices, logs and snapshots stay readable on the storage.
  encrypt_at_rest {
    enabled = false
  }

  # No node_to_node_encryption block: traffic between the nodes is plain text.

  domain_endpoint_options {
    enforce_https       = true
    tls_security_policy = "Policy-Min-TLS-1-2-2019-07"
  }
}
