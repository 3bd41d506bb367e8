# Replicates a table in us-east-1 to a table in us-west-2 of the same account. No role is
# assumed: the function's own role gets write access to the replica table's ARN. The two
# demo tables are created here; in practice they already exist and you pass
# source_table_name instead of the stream attributes.

data "aws_caller_identity" "current" {}

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

resource "aws_dynamodb_table" "replica" {
  provider = aws.replica

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

module "replicator" {
  source = "../../modules/replicator"

  name                    = var.name
  source_stream_arn       = aws_dynamodb_table.source.stream_arn
  source_stream_view_type = aws_dynamodb_table.source.stream_view_type
  source_key_attributes   = [aws_dynamodb_table.source.hash_key, aws_dynamodb_table.source.range_key]

  targets = [{
    table_name = aws_dynamodb_table.replica.name
    region     = var.replica_region
  }]

  enabled               = var.mapping_enabled
  starting_position     = "TRIM_HORIZON"
  log_retention_in_days = 7
}
