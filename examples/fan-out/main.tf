# One source table in account A (us-east-1) replicated to two tables: one in account B
# (eu-west-1), written through a role there, and one in account A in us-west-2, written
# with the function's own role. The module calls are the two submodules, because the
# root module's one-call setup has a single target account. The demo tables are created
# here; in practice they already exist.

data "aws_caller_identity" "source" {}

data "aws_caller_identity" "target" {
  provider = aws.target

  lifecycle {
    postcondition {
      condition     = var.target_account_id == null || self.account_id == var.target_account_id
      error_message = "The target provider's credentials are for account ${self.account_id}, not target_account_id ${coalesce(var.target_account_id, "-")}. Set target_assume_role_arn to a role in that account or correct target_account_id."
    }
  }
}

resource "aws_dynamodb_table" "source" {
  name             = "${var.name}-orders"
  billing_mode     = "PAY_PER_REQUEST"
  hash_key         = "pk"
  range_key        = "sk"
  stream_enabled   = true
  stream_view_type = "NEW_AND_OLD_IMAGES"

  attribute {
    name = "pk"
    type = "S"
  }
  attribute {
    name = "sk"
    type = "S"
  }
}

resource "aws_dynamodb_table" "cross_account" {
  provider = aws.target

  name         = "${var.name}-orders-account-b"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"
  range_key    = "sk"

  attribute {
    name = "pk"
    type = "S"
  }
  attribute {
    name = "sk"
    type = "S"
  }
}

resource "aws_dynamodb_table" "same_account" {
  provider = aws.replica_region

  name         = "${var.name}-orders-${var.replica_region}"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"
  range_key    = "sk"

  attribute {
    name = "pk"
    type = "S"
  }
  attribute {
    name = "sk"
    type = "S"
  }
}

# Account B: the role only the function's execution role may assume, writing only its table.
module "target_access" {
  source = "../../modules/target-access"
  providers = {
    aws = aws.target
  }

  name                = "${var.name}-target-access"
  replicator_role_arn = module.replicator.role_arn
  external_id         = var.external_id
  table_names         = [aws_dynamodb_table.cross_account.name]
  lookup_tables       = false # created in the same apply
}

module "replicator" {
  source = "../../modules/replicator"

  name                    = var.name
  source_stream_arn       = aws_dynamodb_table.source.stream_arn
  source_stream_view_type = aws_dynamodb_table.source.stream_view_type
  source_key_attributes   = [aws_dynamodb_table.source.hash_key, aws_dynamodb_table.source.range_key]

  targets = [
    {
      table_name  = aws_dynamodb_table.cross_account.name
      region      = module.target_access.region
      role_arn    = module.target_access.role_arn
      external_id = var.external_id
    },
    {
      table_name = aws_dynamodb_table.same_account.name
      region     = var.replica_region
    },
  ]

  enabled               = var.mapping_enabled
  starting_position     = "TRIM_HORIZON"
  log_retention_in_days = 7
}
