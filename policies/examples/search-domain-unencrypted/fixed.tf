# Product search: encrypted on disk and between its nodes.
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

  # Both can only be switched on for OpenSearch or Elasticsearch 6.0 and later.
  encrypt_at_rest {
    enabled = true
  }

  node_to_node_encryption {
    enabled = true
  }

  domain_endpoint_options {
    enforce_https       = true
    tls_security_policy = "Policy-Min-TLS-1-2-2019-07"
  }
}
