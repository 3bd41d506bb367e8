# A root for test/e2e/target-access-kms.test.ts: modules/target-access looking up tables
# that already exist (the default, lookup_tables = true), one of them encrypted with a
# customer-managed key, on a local AWS API.

terraform {
  required_version = ">= 1.5"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
  }
}

variable "aws_endpoint" {
  description = "Endpoint of the local AWS API (moto) for every service."
  type        = string
}

variable "table_names" {
  description = "Existing tables the role may write."
  type        = list(string)
}

provider "aws" {
  region = "eu-west-1"

  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_region_validation      = true

  endpoints {
    dynamodb = var.aws_endpoint
    iam      = var.aws_endpoint
    kms      = var.aws_endpoint
    sts      = var.aws_endpoint
  }
}

module "target_access" {
  source = "../../../modules/target-access"

  name                = "kms-lookup-target-access"
  replicator_role_arn = "arn:aws:iam::111111111111:role/ddbsync"
  external_id         = "kms-lookup-test"
  table_names         = var.table_names
}

output "role_arn" {
  description = "The role the module created."
  value       = module.target_access.role_arn
}
