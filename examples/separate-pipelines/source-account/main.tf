# The source team's configuration: the replicator on their table's stream, writing to the
# target team's table through the role the target team gave them. Nothing here needs
# credentials for the target account. The demo source table is created here; in practice
# it already exists and you pass source_table_name instead of the stream attributes.

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

module "replicator" {
  source = "../../../modules/replicator"

  name                    = var.name
  source_stream_arn       = aws_dynamodb_table.source.stream_arn
  source_stream_view_type = aws_dynamodb_table.source.stream_view_type
  source_key_attributes   = [aws_dynamodb_table.source.hash_key, aws_dynamodb_table.source.range_key]

  targets = [{
    table_name  = var.target_table_name
    region      = var.target_region
    role_arn    = var.target_role_arn
    external_id = var.external_id
  }]

  enabled               = var.mapping_enabled
  starting_position     = "TRIM_HORIZON"
  log_retention_in_days = 7
}
