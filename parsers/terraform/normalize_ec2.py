"""EC2 compute in Terraform: launch templates and configurations, auto scaling groups, EBS."""

from __future__ import annotations
