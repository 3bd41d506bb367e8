# What the lag canary and drift detection share: the source table they act on, the targets
# they read (HEALTH_TARGETS, each labelled as the functions label their metrics), and the
# EventBridge Scheduler role that invokes them.

locals {
  canary_enabled = var.canary.enabled
  drift_enabled  = var.drift_detection.enabled
  health_enabled = local.canary_enabled || local.drift_enabled

  # The same service dimension as the replicator's metrics, so one dashboard filter fits all.
  service_name = coalesce(var.service_name, var.name)

  # With source_stream_arn, the table's name and ARN are the stream ARN's prefix.
  source_table_arn = local.looked_up ? data.aws_dynamodb_table.source[0].arn : try(
    regex("^(arn:[^:]+:dynamodb:[^:]+:[0-9]{12}:table/[^/]+)/stream/", var.source_stream_arn)[0], null
  )
  source_table_name = local.looked_up ? var.source_table_name : try(
    regex("^arn:[^:]+:dynamodb:[^:]+:[0-9]{12}:table/([^/]+)/stream/", var.source_stream_arn)[0], null
  )

  # A target's label is the metric dimension Target: <account>/<region>/<table>, the account
  # being that of the role the functions assume for it (their own without one).
  health_target_settings = [
    for t in var.targets : {
      table_name      = t.table_name
      region          = coalesce(t.region, local.region)
      role_arn        = t.role_arn
      health_role_arn = t.health_role_arn
      external_id     = t.external_id
      account_id = (
        t.health_role_arn != null ? split(":", t.health_role_arn)[4] :
        t.role_arn != null ? split(":", t.role_arn)[4] : local.account_id
      )
    }
  ]
  health_targets = [
    for t in local.health_target_settings : merge(t, { label = "${t.account_id}/${t.region}/${t.table_name}" })
  ]
  health_target_labels = [for t in local.health_targets : t.label]

  # Alarms per target need keys known at plan time; a label's account may come from a role
  # created in the same apply, so they are keyed by region and table (and position, for the
  # same table in the same region of two accounts).
  health_targets_by_key = {
    for i, t in local.health_targets :
    "${t.region}/${t.table_name}${length([for j, u in local.health_targets : j if j < i && u.region == t.region && u.table_name == t.table_name]) > 0 ? "#${i}" : ""}" => t
  }

  # HEALTH_TARGETS: REPLICATION_TARGETS' shape, with the health role in place of the writer role.
  health_targets_json = jsonencode([
    for t in local.health_targets : merge(
      { tableName = t.table_name, region = t.region },
      t.health_role_arn == null ? {} : { roleArn = t.health_role_arn },
      t.health_role_arn == null || t.external_id == null ? {} : { externalId = t.external_id },
    )
  ])

  # Targets written by the replicator through a role but given no health role: the health
  # functions could not read them.
  targets_without_health_role = [for t in local.health_targets : t.label if t.role_arn != null && t.health_role_arn == null]

  health_role_arns = distinct(compact([for t in local.health_targets : t.health_role_arn]))
  # Targets the health functions read with their own role (same account, no role to assume).
  health_direct_table_arns = distinct([
    for t in local.health_targets :
    "arn:${local.partition}:dynamodb:${t.region}:${local.account_id}:table/${t.table_name}"
    if t.role_arn == null && t.health_role_arn == null
  ])

  # EventBridge Scheduler accepts rate(<n> minute(s)|hour(s)|day(s)); a cron() schedule has no
  # single interval, so its alarm period must be given.
  rate_unit_seconds = { minute = 60, minutes = 60, hour = 3600, hours = 3600, day = 86400, days = 86400 }
  canary_rate_seconds = try(
    tonumber(regex("^rate\\(([0-9]+) ([a-z]+)\\)$", var.canary.schedule_expression)[0]) * local.rate_unit_seconds[regex("^rate\\(([0-9]+) ([a-z]+)\\)$", var.canary.schedule_expression)[1]],
    null,
  )
  drift_rate_seconds = try(
    tonumber(regex("^rate\\(([0-9]+) ([a-z]+)\\)$", var.drift_detection.schedule_expression)[0]) * local.rate_unit_seconds[regex("^rate\\(([0-9]+) ([a-z]+)\\)$", var.drift_detection.schedule_expression)[1]],
    null,
  )

  health_function_arns = concat(aws_lambda_function.canary[*].arn, aws_lambda_function.drift[*].arn)
}

data "aws_iam_policy_document" "scheduler_assume" {
  count = local.health_enabled ? 1 : 0

  statement {
    sid     = "SchedulerAssumesRole"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["scheduler.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "scheduler" {
  count = local.health_enabled ? 1 : 0

  name                 = "${var.name}-scheduler"
  description          = "Lets EventBridge Scheduler invoke the ddbsync health functions of ${var.name}"
  assume_role_policy   = data.aws_iam_policy_document.scheduler_assume[0].json
  permissions_boundary = var.role_permissions_boundary_arn
  tags                 = local.tags
}

data "aws_iam_policy_document" "scheduler" {
  count = local.health_enabled ? 1 : 0

  statement {
    sid       = "InvokeHealthFunctions"
    effect    = "Allow"
    actions   = ["lambda:InvokeFunction"]
    resources = local.health_function_arns
  }
}

resource "aws_iam_role_policy" "scheduler" {
  count = local.health_enabled ? 1 : 0

  name   = "invoke-health-functions"
  role   = aws_iam_role.scheduler[0].id
  policy = data.aws_iam_policy_document.scheduler[0].json
}

# A canary or drift run that fails publishes nothing useful; say so rather than stay silent.
resource "aws_cloudwatch_metric_alarm" "health_function_errors" {
  for_each = var.create_alarms ? merge(
    local.canary_enabled ? { canary = { function_name = local.canary_function_name, period = local.canary_period } } : {},
    local.drift_enabled ? { drift = { function_name = local.drift_function_name, period = local.drift_period } } : {},
  ) : {}

  alarm_name        = "${var.name}-${each.key}-errors"
  alarm_description = "The ddbsync ${each.key} function ${each.value.function_name} failed a run, so its results are missing. Read its log group /aws/lambda/${each.value.function_name}."
  namespace         = "AWS/Lambda"
  metric_name       = "Errors"
  statistic         = "Sum"
  # Per run period, so that one failed run is one alarm, not a flap within the hour.
  dimensions          = { FunctionName = each.value.function_name }
  period              = each.value.period
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = local.tags
}
