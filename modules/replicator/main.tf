# The source side of ddbsync: the function that reads the source table's stream and
# writes every change to the targets, the mapping that feeds it, and its log group.

data "aws_partition" "current" {}
data "aws_caller_identity" "current" {}
data "aws_region" "current" {}

data "aws_dynamodb_table" "source" {
  count = var.source_table_name == null ? 0 : 1
  name  = var.source_table_name
}

locals {
  partition  = data.aws_partition.current.partition
  account_id = data.aws_caller_identity.current.account_id
  # `id` is the region name in both the 5.x and 6.x providers (5.x has no `region`, 6.x deprecates `name`).
  region = data.aws_region.current.id

  looked_up = var.source_table_name != null

  stream_arn       = local.looked_up ? data.aws_dynamodb_table.source[0].stream_arn : var.source_stream_arn
  stream_enabled   = local.looked_up ? data.aws_dynamodb_table.source[0].stream_enabled : true
  stream_view_type = local.looked_up ? data.aws_dynamodb_table.source[0].stream_view_type : var.source_stream_view_type
  key_attributes = local.looked_up ? compact([
    data.aws_dynamodb_table.source[0].hash_key,
    data.aws_dynamodb_table.source[0].range_key,
  ]) : var.source_key_attributes
  # Tables encrypted with an AWS-owned key report no key ARN; only then is no kms:Decrypt needed.
  source_kms_key_arn = local.looked_up ? one(compact([
    for sse in data.aws_dynamodb_table.source[0].server_side_encryption : sse.kms_key_arn if sse.enabled
  ])) : var.source_kms_key_arn

  excluded_keys = setintersection(toset(var.exclude_attributes), toset(local.key_attributes))

  # The exact JSON the function reads from REPLICATION_TARGETS (config.ts): camelCase keys,
  # absent optional fields left out, region made explicit so the CLI can reuse it as is.
  replication_targets = [
    for t in var.targets : merge(
      { tableName = t.table_name, region = coalesce(t.region, local.region) },
      t.role_arn == null ? {} : { roleArn = t.role_arn },
      t.external_id == null ? {} : { externalId = t.external_id },
    )
  ]
  replication_targets_json = jsonencode(local.replication_targets)

  function_name  = var.name
  log_group_name = "/aws/lambda/${var.name}"
  zip_path       = coalesce(var.lambda_zip_path, "${path.module}/../../dist/replicator.zip")
  # The canary and drift detection have a package of their own, so the replicator's stays small.
  health_zip_path = coalesce(var.health_lambda_zip_path, "${path.module}/../../dist/health.zip")

  dlq_arn = var.create_dlq ? aws_sqs_queue.dlq[0].arn : var.dlq_arn

  tags = merge({ "ddbsync:component" = "replicator" }, var.tags)
}

resource "aws_cloudwatch_log_group" "this" {
  name              = local.log_group_name
  retention_in_days = var.log_retention_in_days
  kms_key_id        = var.log_kms_key_arn
  tags              = local.tags
}

resource "aws_lambda_function" "this" {
  function_name                  = local.function_name
  description                    = "ddbsync: replicates ${coalesce(var.source_table_name, "the source table")} to ${length(var.targets)} target table(s)"
  role                           = aws_iam_role.this.arn
  filename                       = local.zip_path
  source_code_hash               = filebase64sha256(local.zip_path)
  handler                        = "index.handler"
  runtime                        = "nodejs22.x"
  architectures                  = [var.architecture]
  memory_size                    = var.memory_size
  timeout                        = var.timeout
  reserved_concurrent_executions = var.reserved_concurrent_executions

  environment {
    variables = {
      REPLICATION_TARGETS          = local.replication_targets_json
      EXCLUDE_ATTRIBUTES           = join(",", var.exclude_attributes)
      SKIP_TTL_DELETES             = tostring(var.skip_ttl_deletes)
      MAX_CONCURRENCY              = tostring(var.max_concurrency)
      POWERTOOLS_SERVICE_NAME      = coalesce(var.service_name, var.name)
      POWERTOOLS_METRICS_NAMESPACE = var.metrics_namespace
      POWERTOOLS_LOG_LEVEL         = var.log_level
    }
  }

  tags = local.tags

  # The log group must exist (with its retention) before the first invocation, or
  # Lambda creates one that never expires; the role's policy must be attached before
  # the mapping starts invoking.
  depends_on = [aws_cloudwatch_log_group.this, aws_iam_role_policy.this]

  lifecycle {
    precondition {
      condition     = length(local.excluded_keys) == 0
      error_message = "exclude_attributes names the source table's key attribute(s) ${join(", ", sort(tolist(local.excluded_keys)))}; a replicated item must keep its key. Remove them from exclude_attributes."
    }
  }
}

resource "aws_lambda_event_source_mapping" "this" {
  event_source_arn                   = local.stream_arn
  function_name                      = aws_lambda_function.this.arn
  enabled                            = var.enabled
  starting_position                  = var.starting_position
  batch_size                         = var.batch_size
  maximum_batching_window_in_seconds = var.maximum_batching_window_in_seconds
  parallelization_factor             = var.parallelization_factor
  maximum_retry_attempts             = var.maximum_retry_attempts
  maximum_record_age_in_seconds      = var.maximum_record_age_in_seconds
  bisect_batch_on_function_error     = var.bisect_batch_on_function_error
  function_response_types            = ["ReportBatchItemFailures"]

  destination_config {
    on_failure {
      destination_arn = local.dlq_arn
    }
  }

  dynamic "filter_criteria" {
    for_each = length(var.filter_patterns) > 0 ? [1] : []
    content {
      dynamic "filter" {
        for_each = var.filter_patterns
        content {
          pattern = filter.value
        }
      }
    }
  }

  lifecycle {
    precondition {
      condition     = local.stream_arn != null && local.stream_arn != ""
      error_message = "The source table has no stream. Enable it with stream_enabled = true and stream_view_type = \"NEW_AND_OLD_IMAGES\" (or \"NEW_IMAGE\") on the aws_dynamodb_table, or give source_table_name/source_stream_arn."
    }
    precondition {
      condition     = local.stream_enabled == true
      error_message = "The source table's stream is disabled. Set stream_enabled = true and stream_view_type = \"NEW_AND_OLD_IMAGES\" on the source aws_dynamodb_table and apply it before this module."
    }
    precondition {
      condition     = local.stream_view_type == null || contains(["NEW_IMAGE", "NEW_AND_OLD_IMAGES"], coalesce(local.stream_view_type, "NEW_IMAGE"))
      error_message = "The source table's stream_view_type is ${coalesce(local.stream_view_type, "unset")}, which carries no new item images to copy. Change stream_view_type to \"NEW_AND_OLD_IMAGES\" (or \"NEW_IMAGE\") on the source aws_dynamodb_table; changing it replaces the stream, so backfill afterwards with the CLI."
    }
  }
}

# The mapping was optional (count) before; keep existing deployments' mapping instead of replacing it.
moved {
  from = aws_lambda_event_source_mapping.this[0]
  to   = aws_lambda_event_source_mapping.this
}
