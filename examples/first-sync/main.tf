# The first sync of a table that already holds data: a source table in account A
# (us-east-1) copied to a table in account B (eu-west-1) by the export + Distributed Map
# workflow, after which the replicator's stream mapping replays every change made since.
# The two demo tables are created here; in practice they already exist and you pass
# source_table_name instead of the stream attributes.

resource "aws_dynamodb_table" "source" {
  name             = "${var.name}-orders"
  billing_mode     = "PAY_PER_REQUEST"
  hash_key         = "pk"
  range_key        = "sk"
  stream_enabled   = true
  stream_view_type = "NEW_AND_OLD_IMAGES"

  # The export the first sync starts from needs point-in-time recovery.
  point_in_time_recovery {
    enabled = true
  }

  attribute {
    name = "pk"
    type = "S"
  }
  attribute {
    name = "sk"
    type = "S"
  }
}

resource "aws_dynamodb_table" "target" {
  provider = aws.target

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

module "ddbsync" {
  source = "../.."
  providers = {
    aws        = aws
    aws.target = aws.target
  }

  name                    = var.name
  source_stream_arn       = aws_dynamodb_table.source.stream_arn
  source_stream_view_type = aws_dynamodb_table.source.stream_view_type
  source_key_attributes   = [aws_dynamodb_table.source.hash_key, aws_dynamodb_table.source.range_key]

  target_table_names   = [aws_dynamodb_table.target.name]
  lookup_target_tables = false # created in the same apply
  target_account_id    = var.target_account_id
  external_id          = var.external_id

  # Created paused at the stream's oldest record: nothing is replicated before the snapshot,
  # and nothing written since the stream began is lost. The workflow enables it.
  enabled           = var.mapping_enabled
  starting_position = "TRIM_HORIZON"

  first_sync = {
    enabled = true
    # Write at most 4,000 units a second to the target across all loaders (null: no cap).
    target_write_capacity = 4000
    max_concurrency       = 40
    # A demo: destroy removes the exports too.
    export_bucket_force_destroy = true
  }

  log_retention_in_days = 7
}
