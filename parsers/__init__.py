"""Front ends: Terraform and CloudFormation into source resources and model components."""
