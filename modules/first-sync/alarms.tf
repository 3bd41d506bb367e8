# Alarms an operator acts on: a first-sync run that failed, timed out or was stopped (the
# replicator's mapping may then still be paused, and the stream only keeps 24 hours), and a
# verify that found targets differing from the source.

locals {
  alarm_actions = var.alarm_sns_topic_arn == null ? [] : [var.alarm_sns_topic_arn]

  execution_alarms = {
    failed = {
      metric      = "ExecutionsFailed"
      description = "A first-sync run of ${var.name} failed. `ddbsync first-sync status` (or the execution's failure in the Step Functions console) names the cause and the failed files; a mapping the run paused was resumed only if it was running before. Fix the cause and start the first sync again."
    }
    timed-out = {
      metric      = "ExecutionsTimedOut"
      description = "A first-sync run of ${var.name} timed out. Check the replicator's mapping (it may still be paused: the stream keeps changes for 24 hours only) and start the first sync again."
    }
    aborted = {
      metric      = "ExecutionsAborted"
      description = "A first-sync run of ${var.name} was stopped before it ended. The replicator's mapping may still be paused (the stream keeps changes for 24 hours only): enable it with aws lambda update-event-source-mapping --uuid ${var.event_source_mapping_uuid} --enabled, or start the first sync again."
    }
  }

  # One alarm per target, on the Target dimension the verifier publishes with
  # (<account>/<region>/<table>, lambda/src/target-label.ts). Keyed by position: a role
  # ARN may only be known after apply.
  verify_targets = {
    for i, t in var.targets : tostring(i) => {
      table_name = t.table_name
      label      = "${split(":", t.role_arn)[4]}/${coalesce(t.region, local.region)}/${t.table_name}"
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "execution" {
  for_each = var.create_alarms ? local.execution_alarms : {}

  alarm_name          = "${var.name}-${each.key}"
  alarm_description   = each.value.description
  namespace           = "AWS/States"
  metric_name         = each.value.metric
  statistic           = "Sum"
  dimensions          = { StateMachineArn = aws_sfn_state_machine.this.arn }
  period              = 60
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = local.tags
}

resource "aws_cloudwatch_metric_alarm" "verify_differences" {
  for_each = var.create_alarms ? local.verify_targets : {}

  alarm_name          = substr("${var.name}-verify-differences-${each.key}-${each.value.table_name}", 0, 255)
  alarm_description   = "A first-sync verify found items of ${each.value.table_name} that differ from the source (after re-checking each against the source). The differing keys are in s3://${local.bucket_name}/${var.report_prefix}/; run the verify with repair, or find why replication missed them."
  namespace           = var.metrics_namespace
  metric_name         = "FirstSyncVerifyDifferences"
  statistic           = "Maximum"
  dimensions          = { service = var.name, Target = each.value.label }
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  # A verify runs on demand: no data is no difference.
  treat_missing_data = "notBreaching"
  alarm_actions      = local.alarm_actions
  ok_actions         = local.alarm_actions
  tags               = local.tags
}
