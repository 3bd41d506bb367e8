# `terraform validate` cannot validate a module that declares configuration_aliases on
# its own (it reports the aliased provider as missing), so the static test validates the
# root module through this caller, which configures both providers.

terraform {
  required_version = ">= 1.5"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
  }
}

provider "aws" {
  region = "us-east-1"
}

provider "aws" {
  alias  = "target"
  region = "eu-west-1"
}

module "ddbsync" {
  source = "../../../.."
  providers = {
    aws        = aws
    aws.target = aws.target
  }

  source_table_name  = "orders"
  target_table_names = ["orders-replica"]
  external_id        = "validate-only"
}
