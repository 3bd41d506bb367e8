# The target team's configuration: their replica table and the role that lets only the
# source team's replicator write it. Nothing here needs credentials for the source
# account. The demo replica table is created here; in practice it already exists and
# the module looks it up (lookup_tables = true, the default).

data "aws_caller_identity" "current" {
  lifecycle {
    postcondition {
      condition     = var.target_account_id == null || self.account_id == var.target_account_id
      error_message = "The provider's credentials are for account ${self.account_id}, not target_account_id ${coalesce(var.target_account_id, "-")}. Set target_assume_role_arn to a role in that account or correct target_account_id."
    }
  }
}

resource "aws_dynamodb_table" "replica" {
  name         = "${var.name}-orders-replica"
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

module "target_access" {
  source = "../../../modules/target-access"

  name                = "${var.name}-target-access"
  replicator_role_arn = var.replicator_role_arn
  external_id         = var.external_id
  table_names         = [aws_dynamodb_table.replica.name]
  lookup_tables       = false # created in the same apply
}
