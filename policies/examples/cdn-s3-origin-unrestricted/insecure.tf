# CloudFront reads the bucket as an anonymous user (no origin access control or
# identity), so the bucket has to be public: anyone can fetch the files around
# the distribution.
resource "aws_s3_bucket" "assets" {
  bucket = "example-corp-web-assets"
}

resource "aws_cloudfront_distribution" "assets" {
  enabled = true

  origin {
    origin_id   = "assets"
    domain_name = aws_s3_bucket.assets.bucket_regional_domain_name

    s3_origin_config {
      origin_access_identity = ""
    }
  }

  default_cache_behavior {
    target_origin_id       = "assets"
    viewer_protocol_policy = "redirect-to-https"
    allowed_methods        = ["GET", "HEAD"]
    cached_methods         = ["GET", "HEAD"]
    cache_policy_id        = "658327ea-f89d-4fab-a63d-7e88639e58f6" # Managed-CachingOptimized
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  viewer_certificate {
    cloudfront_default_certificate = true
  }
}
