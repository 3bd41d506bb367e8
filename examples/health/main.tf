# Replicates a table in account A (us-east-1) to a table in account B (eu-west-1) and keeps
# proving the copy right: a lag canary every minute (EndToEndLatency and HeartbeatMissing
# per target, with alarms), drift detection every hour (DriftedItems per target, with an
# alarm, the drifted keys written to an S3 bucket), and the dashboard. The demo tables and
# the alarm topic are created here; in practice they exist and you pass their names.

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

  # Heartbeats carry expires_at, so old ones go away by themselves.
  ttl {
    attribute_name = "expires_at"
    enabled        = true
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

  ttl {
    attribute_name = "expires_at"
    enabled        = true
  }
}

# Where drift detection writes the keys (never the contents) of the items it found different.
resource "aws_s3_bucket" "drift_reports" {
  bucket        = "${var.name}-drift-reports-${data.aws_caller_identity.source.account_id}"
  force_destroy = var.reports_force_destroy
}

resource "aws_s3_bucket_public_access_block" "drift_reports" {
  bucket                  = aws_s3_bucket.drift_reports.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

# The alarms' notifications: subscribe your on-call address or pager to this topic.
resource "aws_sns_topic" "alarms" {
  name = "${var.name}-alarms"
}

data "aws_caller_identity" "source" {}

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

  enabled               = var.mapping_enabled
  starting_position     = "TRIM_HORIZON"
  log_retention_in_days = 7
  alarm_sns_topic_arn   = aws_sns_topic.alarms.arn

  canary = {
    enabled                = true
    heartbeat_key          = jsonencode({ pk = { S = "__ddbsync_heartbeat__" }, sk = { S = "canary" } })
    ttl_attribute          = "expires_at"
    schedule_expression    = "rate(1 minute)"
    miss_threshold_seconds = var.canary_miss_threshold_seconds
    latency_alarm_ms       = var.canary_latency_alarm_ms
  }

  drift_detection = {
    enabled               = true
    schedule_expression   = "rate(1 hour)"
    sample_items          = 1000
    sample_segments       = var.drift_sample_segments
    recheck_delay_seconds = var.drift_recheck_delay_seconds
    repair                = var.drift_repair
    report_bucket         = aws_s3_bucket.drift_reports.bucket
    alarm_runs            = 1
  }
}
