# The lag canary (opt-in, var.canary): on a schedule, a function writes a heartbeat item into
# the source table, the replicator copies it like any item, and the function polls every
# target until it arrives, publishing EndToEndLatency and HeartbeatMissing per target.

locals {
  heartbeat_prefix = "__ddbsync_heartbeat__"
  heartbeat_key    = local.canary_enabled ? try(jsondecode(var.canary.heartbeat_key), {}) : {}

  partition_key_name        = try(local.key_attributes[0], null)
  heartbeat_partition_type  = try(keys(local.heartbeat_key[local.partition_key_name])[0], null)
  heartbeat_partition_value = try(values(local.heartbeat_key[local.partition_key_name])[0], null)

  # Every attribute a heartbeat PutItem carries (dynamodb:Attributes): its key, the write time,
  # the run's id, and the TTL attribute when the table has one.
  heartbeat_attributes = sort(concat(
    keys(local.heartbeat_key),
    ["ddbsync_heartbeat_at", "ddbsync_heartbeat_id"],
    var.canary.ttl_attribute == null ? [] : [var.canary.ttl_attribute],
  ))

  # Types of the key attributes, when the table was looked up (to catch {"N": ...} for a string key).
  source_attribute_types = local.looked_up ? { for a in try(data.aws_dynamodb_table.source[0].attribute, []) : a.name => a.type } : {}
  heartbeat_type_mismatches = [
    for name, value in local.heartbeat_key : "${name} is ${local.source_attribute_types[name]} in the table but ${keys(value)[0]} in heartbeat_key"
    if can(local.source_attribute_types[name]) && try(keys(value)[0] != local.source_attribute_types[name], false)
  ]

  canary_function_name = "${var.name}-canary"
  canary_period        = coalesce(var.canary.alarm_period_seconds, local.canary_rate_seconds, 60)
}

resource "aws_cloudwatch_log_group" "canary" {
  count = local.canary_enabled ? 1 : 0

  name              = "/aws/lambda/${local.canary_function_name}"
  retention_in_days = var.log_retention_in_days
  kms_key_id        = var.log_kms_key_arn
  tags              = local.tags
}

resource "aws_iam_role" "canary" {
  count = local.canary_enabled ? 1 : 0

  name                 = local.canary_function_name
  description          = "Execution role of the ddbsync lag canary of ${var.name}"
  assume_role_policy   = data.aws_iam_policy_document.assume.json
  permissions_boundary = var.role_permissions_boundary_arn
  tags                 = local.tags
}

data "aws_iam_policy_document" "canary" {
  count = local.canary_enabled ? 1 : 0

  # Only the heartbeat's attributes, and, for a string partition key, only its partition key
  # value (dynamodb:LeadingKeys; IAM compares strings). With a number or binary partition key
  # there is no LeadingKeys condition: the canary may then put an item under another key with
  # the heartbeat's attribute names, so prefer a string partition key for the heartbeat.
  statement {
    sid       = "WriteHeartbeat"
    effect    = "Allow"
    actions   = ["dynamodb:PutItem"]
    resources = compact([local.source_table_arn])

    dynamic "condition" {
      for_each = local.heartbeat_partition_type == "S" ? [local.heartbeat_partition_value] : []
      content {
        test     = "ForAllValues:StringEquals"
        variable = "dynamodb:LeadingKeys"
        values   = [condition.value]
      }
    }

    condition {
      test     = "ForAllValues:StringEquals"
      variable = "dynamodb:Attributes"
      values   = local.heartbeat_attributes
    }
  }

  statement {
    sid       = "WriteOwnLogs"
    effect    = "Allow"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.canary[0].arn}:*"]
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
      actions   = ["dynamodb:GetItem"]
      resources = local.health_direct_table_arns
    }
  }

  # DynamoDB uses the caller's permissions on a customer-managed table key.
  dynamic "statement" {
    for_each = local.source_kms_key_arn == null ? [] : [local.source_kms_key_arn]
    content {
      sid       = "UseSourceTableKey"
      effect    = "Allow"
      actions   = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*"]
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
      sid       = "ReadSameAccountTargetKeys"
      effect    = "Allow"
      actions   = ["kms:Decrypt", "kms:DescribeKey"]
      resources = var.target_kms_key_arns

      condition {
        test     = "StringLike"
        variable = "kms:ViaService"
        values   = ["dynamodb.*.amazonaws.com"]
      }
    }
  }
}

resource "aws_iam_role_policy" "canary" {
  count = local.canary_enabled ? 1 : 0

  name   = "write-heartbeat-read-targets"
  role   = aws_iam_role.canary[0].id
  policy = data.aws_iam_policy_document.canary[0].json
}

resource "aws_lambda_function" "canary" {
  count = local.canary_enabled ? 1 : 0

  function_name    = local.canary_function_name
  description      = "ddbsync lag canary: heartbeat through ${coalesce(local.source_table_name, "the source table")} to ${length(var.targets)} target table(s)"
  role             = aws_iam_role.canary[0].arn
  filename         = local.health_zip_path
  source_code_hash = filebase64sha256(local.health_zip_path)
  handler          = "canary.handler"
  runtime          = "nodejs22.x"
  architectures    = [var.architecture]
  memory_size      = 256
  # A run waits up to the threshold for the slowest target, then publishes.
  timeout = var.canary.miss_threshold_seconds + 30

  environment {
    variables = merge(
      {
        SOURCE_TABLE                 = coalesce(local.source_table_name, "-")
        HEARTBEAT_KEY                = jsonencode(local.heartbeat_key)
        HEARTBEAT_TTL_SECONDS        = tostring(var.canary.ttl_seconds)
        HEALTH_TARGETS               = local.health_targets_json
        MISS_THRESHOLD_SECONDS       = tostring(var.canary.miss_threshold_seconds)
        POLL_INTERVAL_MS             = tostring(var.canary.poll_interval_ms)
        POWERTOOLS_SERVICE_NAME      = local.service_name
        POWERTOOLS_METRICS_NAMESPACE = var.metrics_namespace
        POWERTOOLS_LOG_LEVEL         = var.log_level
      },
      var.canary.ttl_attribute == null ? {} : { HEARTBEAT_TTL_ATTRIBUTE = var.canary.ttl_attribute },
    )
  }

  tags       = local.tags
  depends_on = [aws_cloudwatch_log_group.canary, aws_iam_role_policy.canary]

  lifecycle {
    precondition {
      condition     = length(local.key_attributes) > 0
      error_message = "The canary needs the source table's key schema to check heartbeat_key: give source_table_name (looked up), or source_key_attributes (partition key first) with source_stream_arn."
    }
    precondition {
      condition     = length(local.key_attributes) == 0 || toset(keys(local.heartbeat_key)) == toset(local.key_attributes)
      error_message = "canary.heartbeat_key names the attribute(s) ${join(", ", sort(keys(local.heartbeat_key)))}, but the source table's key is ${join(", ", local.key_attributes)}. Give exactly the table's key attributes, for example {\"${join("\":{\"S\":\"...\"},\"", local.key_attributes)}\":{\"S\":\"...\"}}."
    }
    precondition {
      condition     = length(local.heartbeat_type_mismatches) == 0
      error_message = "canary.heartbeat_key has the wrong type for the table's key: ${join("; ", local.heartbeat_type_mismatches)}. Use the type of the table's attribute definition."
    }
    precondition {
      condition     = length(local.heartbeat_key) == 0 || anytrue([for name, value in local.heartbeat_key : try(startswith(value.S, local.heartbeat_prefix), false)])
      error_message = "canary.heartbeat_key has no string key attribute starting with the reserved prefix ${local.heartbeat_prefix}: without it a heartbeat could overwrite one of your items, and drift detection and verify could not tell it apart. Give the partition key (or, for a number or binary partition key, the sort key) a value such as \"${local.heartbeat_prefix}canary\"."
    }
    precondition {
      condition     = local.heartbeat_partition_type != "S" || startswith(local.heartbeat_partition_value == null ? "" : local.heartbeat_partition_value, local.heartbeat_prefix)
      error_message = "canary.heartbeat_key's partition key value \"${local.heartbeat_partition_value == null ? "" : local.heartbeat_partition_value}\" must start with the reserved prefix ${local.heartbeat_prefix} (for example \"${local.heartbeat_prefix}\" or \"${local.heartbeat_prefix}canary\"), so that heartbeats never collide with your items; the canary's role may only write that partition."
    }
    precondition {
      condition     = length(local.targets_without_health_role) == 0
      error_message = "The target(s) ${join(", ", local.targets_without_health_role)} are written through a role but have no health_role_arn; the canary reads a target through its account's health role. Create it with modules/target-access (health_reader_role_arns = this module's health_reader_role_arns output) and set targets[*].health_role_arn to its health_role_arn output."
    }
    precondition {
      condition     = local.canary_rate_seconds == null || var.canary.miss_threshold_seconds <= coalesce(local.canary_rate_seconds, 0)
      error_message = "canary.miss_threshold_seconds (${var.canary.miss_threshold_seconds}) is longer than the schedule's interval (${coalesce(local.canary_rate_seconds, 0)} s): runs would overlap and overwrite each other's heartbeat. Lower the threshold or schedule the canary less often."
    }
    precondition {
      condition     = !var.create_alarms || local.canary_rate_seconds != null || var.canary.alarm_period_seconds != null
      error_message = "canary.schedule_expression is a cron() expression, which has no single interval: set canary.alarm_period_seconds to the time between two runs (a multiple of 60), so that the alarms expect one heartbeat per period."
    }
    precondition {
      condition     = !var.create_alarms || (local.canary_period <= 86400 && local.canary_period * var.canary.latency_alarm_runs <= 86400)
      error_message = "The canary's alarm period (${local.canary_period} s) times latency_alarm_runs (${var.canary.latency_alarm_runs}) exceeds one day, CloudWatch's limit for an alarm's evaluation. Schedule the canary more often or lower latency_alarm_runs."
    }
  }
}

# Scheduler invokes the function asynchronously, and Lambda retries a failed asynchronous
# invocation twice by default: a failed canary run would write extra heartbeats that overlap
# the next scheduled one. The schedule's own retry_policy covers delivery only.
resource "aws_lambda_function_event_invoke_config" "canary" {
  count = local.canary_enabled ? 1 : 0

  function_name                = aws_lambda_function.canary[0].function_name
  maximum_retry_attempts       = 0
  maximum_event_age_in_seconds = 60
}

resource "aws_scheduler_schedule" "canary" {
  count = local.canary_enabled ? 1 : 0

  name                = local.canary_function_name
  description         = "ddbsync lag canary of ${var.name}"
  schedule_expression = var.canary.schedule_expression
  state               = "ENABLED"

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = aws_lambda_function.canary[0].arn
    role_arn = aws_iam_role.scheduler[0].arn

    # A late or repeated run measures nothing useful: the next scheduled run replaces it.
    retry_policy {
      maximum_event_age_in_seconds = 60
      maximum_retry_attempts       = 0
    }
  }
}

locals {
  canary_targets = local.canary_enabled && var.create_alarms ? local.health_targets_by_key : {}
}

# A heartbeat that did not arrive, or no heartbeat result at all (the canary did not run):
# either way the copy is not proven current.
resource "aws_cloudwatch_metric_alarm" "heartbeat_missing" {
  for_each = local.canary_targets

  alarm_name          = substr("${var.name}-heartbeat-missing-${each.value.label}", 0, 255)
  alarm_description   = "The canary's heartbeat did not reach ${each.value.table_name} (${each.value.label}) within ${var.canary.miss_threshold_seconds} s, or the canary did not run. Check the replicator's iterator age, errors and dead-letter queue, then the canary's log group ${aws_cloudwatch_log_group.canary[0].name}."
  namespace           = var.metrics_namespace
  metric_name         = "HeartbeatMissing"
  statistic           = "Maximum"
  dimensions          = { service = local.service_name, Target = each.value.label }
  period              = local.canary_period
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "breaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = local.tags
}

resource "aws_cloudwatch_metric_alarm" "end_to_end_latency" {
  for_each = local.canary_targets

  alarm_name          = substr("${var.name}-end-to-end-latency-${each.value.label}", 0, 255)
  alarm_description   = "Heartbeats took more than ${var.canary.latency_alarm_ms} ms to reach ${each.value.table_name} (${each.value.label}) in ${var.canary.latency_alarm_runs} consecutive canary runs: the replica is late. Check the replicator's iterator age, throttles and duration."
  namespace           = var.metrics_namespace
  metric_name         = "EndToEndLatency"
  statistic           = "Maximum"
  dimensions          = { service = local.service_name, Target = each.value.label }
  period              = local.canary_period
  evaluation_periods  = var.canary.latency_alarm_runs
  datapoints_to_alarm = var.canary.latency_alarm_runs
  threshold           = var.canary.latency_alarm_ms
  comparison_operator = "GreaterThanThreshold"
  # No latency means no arrival; HeartbeatMissing alarms on that.
  treat_missing_data = "notBreaching"
  alarm_actions      = local.alarm_actions
  ok_actions         = local.alarm_actions
  tags               = local.tags
}
