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

variable "table_names" {
  description = "Existing tables the role may write."
  type        = list(string)
}

# The test points it at moto with an override file (test/support/local-aws-override.ts).
provider "aws" {
  region = "eu-west-1"
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
