# Scheduled drift detection (opt-in, var.drift_detection): a function samples the source and
# every target, confirms each difference after a delay, publishes DriftedItems per target,
# logs (and optionally reports to S3) the drifted keys, and repairs them when asked to.

locals {
  drift_function_name = "${var.name}-drift"
  drift_period        = coalesce(var.drift_detection.alarm_period_seconds, local.drift_rate_seconds, 3600)
  drift_repair        = var.drift_detection.repair
  drift_report_bucket = var.drift_detection.report_bucket

  # The read actions drift needs on a table, and what repair adds on a target.
  drift_read_actions   = ["dynamodb:BatchGetItem", "dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:Scan"]
  drift_repair_actions = ["dynamodb:BatchWriteItem", "dynamodb:DeleteItem", "dynamodb:PutItem"]
}

resource "aws_cloudwatch_log_group" "drift" {
  count = local.drift_enabled ? 1 : 0

  name              = "/aws/lambda/${local.drift_function_name}"
  retention_in_days = var.log_retention_in_days
  kms_key_id        = var.log_kms_key_arn
  tags              = local.tags
}

resource "aws_iam_role" "drift" {
  count = local.drift_enabled ? 1 : 0

  name                 = local.drift_function_name
  description          = "Execution role of the ddbsync drift detection of ${var.name}"
  assume_role_policy   = data.aws_iam_policy_document.assume.json
  permissions_boundary = var.role_permissions_boundary_arn
  tags                 = local.tags
}

data "aws_iam_policy_document" "drift" {
  count = local.drift_enabled ? 1 : 0

  # Read-only on the source: drift never writes there.
  statement {
    sid       = "ReadSourceTable"
    effect    = "Allow"
    actions   = local.drift_read_actions
    resources = compact([local.source_table_arn])
  }

  statement {
    sid       = "WriteOwnLogs"
    effect    = "Allow"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.drift[0].arn}:*"]
  }

  dynamic "statement" {
    for_each = length(local.health_role_arns) > 0 ? [1] : []
    content {
      sid       = "AssumeHealthRoles"
      effect    = "Allow"
      actions   = ["sts:AssumeRole"]
      resources = local.health_role_arns
    }
  }

  dynamic "statement" {
    for_each = length(local.health_direct_table_arns) > 0 ? [1] : []
    content {
      sid       = "ReadSameAccountTargets"
      effect    = "Allow"
      actions   = local.drift_read_actions
      resources = local.health_direct_table_arns
    }
  }

  dynamic "statement" {
    for_each = local.drift_repair && length(local.health_direct_table_arns) > 0 ? [1] : []
    content {
      sid       = "RepairSameAccountTargets"
      effect    = "Allow"
      actions   = local.drift_repair_actions
      resources = local.health_direct_table_arns
    }
  }

  # Report objects only, under drift/ of the given bucket; never a read.
  dynamic "statement" {
    for_each = local.drift_report_bucket == null ? [] : [local.drift_report_bucket]
    content {
      sid       = "WriteDriftReports"
      effect    = "Allow"
      actions   = ["s3:PutObject"]
      resources = ["arn:${local.partition}:s3:::${statement.value}/drift/*"]
    }
  }

  dynamic "statement" {
    for_each = local.source_kms_key_arn == null ? [] : [local.source_kms_key_arn]
    content {
      sid       = "ReadSourceTableKey"
      effect    = "Allow"
      actions   = ["kms:Decrypt", "kms:DescribeKey"]
      resources = [statement.value]

      condition {
        test     = "StringLike"
        variable = "kms:ViaService"
        values   = ["dynamodb.*.amazonaws.com"]
      }
    }
  }

  dynamic "statement" {
    for_each = length(var.target_kms_key_arns) > 0 && length(local.health_direct_table_arns) > 0 ? [1] : []
    content {
      sid       = "UseSameAccountTargetKeys"
      effect    = "Allow"
      actions   = local.drift_repair ? ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*"] : ["kms:Decrypt", "kms:DescribeKey"]
      resources = var.target_kms_key_arns

      condition {
        test     = "StringLike"
        variable = "kms:ViaService"
        values   = ["dynamodb.*.amazonaws.com"]
      }
    }
  }
}

resource "aws_iam_role_policy" "drift" {
  count = local.drift_enabled ? 1 : 0

  name   = local.drift_repair ? "read-tables-repair-targets" : "read-tables"
  role   = aws_iam_role.drift[0].id
  policy = data.aws_iam_policy_document.drift[0].json
}

resource "aws_lambda_function" "drift" {
  count = local.drift_enabled ? 1 : 0

  function_name    = local.drift_function_name
  description      = "ddbsync drift detection: samples ${coalesce(local.source_table_name, "the source table")} and ${length(var.targets)} target table(s)${local.drift_repair ? ", repairs differences" : ""}"
  role             = aws_iam_role.drift[0].arn
  filename         = local.health_zip_path
  source_code_hash = filebase64sha256(local.health_zip_path)
  handler          = "drift.handler"
  runtime          = "nodejs22.x"
  architectures    = [var.architecture]
  memory_size      = var.memory_size
  timeout          = var.drift_detection.timeout_seconds

  environment {
    variables = merge(
      {
        SOURCE_TABLE                 = coalesce(local.source_table_name, "-")
        HEALTH_TARGETS               = local.health_targets_json
        EXCLUDE_ATTRIBUTES           = join(",", var.exclude_attributes)
        SKIP_TTL_DELETES             = tostring(var.skip_ttl_deletes)
        SAMPLE_ITEMS                 = tostring(var.drift_detection.sample_items)
        SAMPLE_TOTAL_SEGMENTS        = tostring(var.drift_detection.sample_segments)
        READ_CAPACITY                = tostring(var.drift_detection.read_capacity)
        RECHECK_DELAY_MS             = tostring(var.drift_detection.recheck_delay_seconds * 1000)
        REPAIR                       = tostring(local.drift_repair)
        POWERTOOLS_SERVICE_NAME      = local.service_name
        POWERTOOLS_METRICS_NAMESPACE = var.metrics_namespace
        POWERTOOLS_LOG_LEVEL         = var.log_level
      },
      local.drift_report_bucket == null ? {} : { REPORT_BUCKET = local.drift_report_bucket },
    )
  }

  tags       = local.tags
  depends_on = [aws_cloudwatch_log_group.drift, aws_iam_role_policy.drift]

  lifecycle {
    precondition {
      condition     = local.source_table_arn != null
      error_message = "Drift detection needs the source table: give source_table_name, or source_stream_arn of the table."
    }
    precondition {
      condition     = length(local.targets_without_health_role) == 0
      error_message = "The target(s) ${join(", ", local.targets_without_health_role)} are written through a role but have no health_role_arn; drift detection reads (and repairs) a target through its account's health role. Create it with modules/target-access (health_reader_role_arns = this module's health_reader_role_arns output${local.drift_repair ? ", health_repair = true" : ""}) and set targets[*].health_role_arn to its health_role_arn output."
    }
    precondition {
      condition     = !var.create_alarms || local.drift_rate_seconds != null || var.drift_detection.alarm_period_seconds != null
      error_message = "drift_detection.schedule_expression is a cron() expression, which has no single interval: set drift_detection.alarm_period_seconds to the time between two runs (a multiple of 60), so that alarm_runs counts runs."
    }
    precondition {
      condition     = !var.create_alarms || (local.drift_period <= 86400 && local.drift_period * var.drift_detection.alarm_runs <= 86400)
      error_message = "Drift detection's alarm period (${local.drift_period} s) times alarm_runs (${var.drift_detection.alarm_runs}) exceeds one day, CloudWatch's limit for an alarm's evaluation. Run drift detection more often or lower alarm_runs."
    }
  }
}

# As for the canary: a failed drift run is not repeated by Lambda's asynchronous retries
# (they would spend the read capacity and repeat repairs again); the next schedule runs it.
resource "aws_lambda_function_event_invoke_config" "drift" {
  count = local.drift_enabled ? 1 : 0

  function_name                = aws_lambda_function.drift[0].function_name
  maximum_retry_attempts       = 0
  maximum_event_age_in_seconds = 60
}

resource "aws_scheduler_schedule" "drift" {
  count = local.drift_enabled ? 1 : 0

  name                = local.drift_function_name
  description         = "ddbsync drift detection of ${var.name}"
  schedule_expression = var.drift_detection.schedule_expression
  state               = "ENABLED"

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = aws_lambda_function.drift[0].arn
    role_arn = aws_iam_role.scheduler[0].arn

    # A delivery that failed is worth one more try within the hour; the next run follows anyway.
    retry_policy {
      maximum_event_age_in_seconds = 3600
      maximum_retry_attempts       = 2
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "drifted_items" {
  for_each = local.drift_enabled && var.create_alarms ? local.health_targets_by_key : {}

  alarm_name          = substr("${var.name}-drifted-items-${each.value.label}", 0, 255)
  alarm_description   = "Drift detection found items of ${each.value.table_name} (${each.value.label}) that differ from the source, confirmed after ${var.drift_detection.recheck_delay_seconds} s, in ${var.drift_detection.alarm_runs} consecutive run(s). The keys are in the log group ${aws_cloudwatch_log_group.drift[0].name}${local.drift_report_bucket == null ? "" : " and s3://${local.drift_report_bucket}/drift/"}; ${local.drift_repair ? "repair is on, so a lasting alarm means repairs fail or drift keeps coming back" : "fix them with `ddbsync verify --repair`"}."
  namespace           = var.metrics_namespace
  metric_name         = "DriftedItems"
  statistic           = "Maximum"
  dimensions          = { service = local.service_name, Target = each.value.label }
  period              = local.drift_period
  evaluation_periods  = var.drift_detection.alarm_runs
  datapoints_to_alarm = var.drift_detection.alarm_runs
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  # A run that did not happen found no drift; the drift-errors alarm reports failing runs.
  treat_missing_data = "notBreaching"
  alarm_actions      = local.alarm_actions
  ok_actions         = local.alarm_actions
  tags               = local.tags
}
