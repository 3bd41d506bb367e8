# With aws_endpoint set, every service goes to that local AWS API (such as moto) and the
# provider skips the checks a local API cannot answer; null talks to AWS.

# The target team's account (Terraform may reach it by assuming a role there).
provider "aws" {
  region = var.target_region

  dynamic "assume_role" {
    for_each = var.target_assume_role_arn == null ? [] : [var.target_assume_role_arn]
    content {
      role_arn     = assume_role.value
      session_name = "ddbsync-terraform"
    }
  }

  skip_credentials_validation = var.aws_endpoint != null
  skip_metadata_api_check     = var.aws_endpoint != null
  skip_region_validation      = var.aws_endpoint != null
  s3_use_path_style           = var.aws_endpoint != null

  dynamic "endpoints" {
    for_each = var.aws_endpoint == null ? [] : [var.aws_endpoint]
    content {
      cloudwatch = endpoints.value
      dynamodb   = endpoints.value
      iam        = endpoints.value
      kms        = endpoints.value
      lambda     = endpoints.value
      logs       = endpoints.value
      sns        = endpoints.value
      sqs        = endpoints.value
      sts        = endpoints.value
    }
  }
}
