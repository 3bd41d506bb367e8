# One CloudWatch dashboard for the pipeline (opt-out, var.create_dashboard): the alarms' states
# on top, then what goes in and out, how late it is (inside the function and end to end),
# whether the copies are right, and the functions' health. Widgets of the canary and drift
# detection appear when they are enabled. Every custom metric names the namespace and the
# dimensions the functions publish with (service, and Target for the per-target ones).

locals {
  dashboard_name = var.name
  # Console host per partition; the dashboard lives in the module's region.
  console_hosts = {
    aws        = "console.aws.amazon.com"
    aws-cn     = "console.amazonaws.cn"
    aws-us-gov = "console.amazonaws-us-gov.com"
  }
  dashboard_url = "https://${local.region}.${lookup(local.console_hosts, local.partition, "console.aws.amazon.com")}/cloudwatch/home?region=${local.region}#dashboards/dashboard/${local.dashboard_name}"

  ns  = var.metrics_namespace
  svc = local.service_name
  fn  = local.function_name

  # Per-target lines of a health metric, labelled with the target.
  per_target = {
    for metric in ["EndToEndLatency", "HeartbeatMissing", "DriftedItems", "DriftSampledItems", "DriftRepairedItems"] :
    metric => [for label in local.health_target_labels : [local.ns, metric, "service", local.svc, "Target", label, { label = label }]]
  }

  metric_widgets = concat(
    [
      {
        title   = "Records in (stream records received)"
        stat    = "Sum"
        period  = 60
        metrics = [[local.ns, "RecordsReceived", "service", local.svc, { label = "records received" }]]
      },
      {
        title  = "Items put and deleted in the targets"
        stat   = "Sum"
        period = 60
        metrics = [
          [local.ns, "ItemsPut", "service", local.svc, { label = "items put" }],
          [local.ns, "ItemsDeleted", "service", local.svc, { label = "items deleted" }],
        ]
      },
      {
        title   = "Failed records (retried, then dead-lettered)"
        stat    = "Sum"
        period  = 60
        metrics = [[local.ns, "FailedRecords", "service", local.svc, { label = "failed records", color = "#d62728" }]]
      },
      {
        title  = "Iterator age (ms): age of the newest record read"
        stat   = "Maximum"
        period = 60
        metrics = [
          ["AWS/Lambda", "IteratorAge", "FunctionName", local.fn, { label = "iterator age" }],
        ]
        annotations = { horizontal = [{ label = "alarm", value = var.iterator_age_alarm_threshold_ms }] }
      },
      {
        title  = "Replication latency (ms): change to write, in the function"
        stat   = "Maximum"
        period = 60
        metrics = [
          [local.ns, "ReplicationLatency", "service", local.svc, { label = "maximum" }],
          [local.ns, "ReplicationLatency", "service", local.svc, { label = "average", stat = "Average" }],
        ]
      },
    ],
    [for w in [
      {
        title       = "End-to-end latency (ms) per target: heartbeat write to arrival"
        stat        = "Maximum"
        period      = local.canary_period
        metrics     = local.per_target["EndToEndLatency"]
        annotations = { horizontal = [{ label = "alarm", value = var.canary.latency_alarm_ms }] }
      },
      {
        title       = "Heartbeat misses per target (1 = not arrived within ${var.canary.miss_threshold_seconds} s)"
        stat        = "Maximum"
        period      = local.canary_period
        metrics     = local.per_target["HeartbeatMissing"]
        annotations = { horizontal = [{ label = "alarm", value = 1 }] }
      },
    ] : w if local.canary_enabled],
    [for w in [
      {
        title  = "Drifted items per target (confirmed differences per run)"
        stat   = "Maximum"
        period = local.drift_period
        metrics = concat(
          local.per_target["DriftedItems"],
          [for row in local.per_target["DriftRepairedItems"] : concat(slice(row, 0, 6), [{ label = "${row[5]} repaired" }]) if local.drift_repair],
        )
      },
      {
        title   = "Items compared per target by drift detection"
        stat    = "Sum"
        period  = local.drift_period
        metrics = local.per_target["DriftSampledItems"]
      },
    ] : w if local.drift_enabled],
    [
      {
        title  = "Dead-letter queue depth (records given up on)"
        stat   = "Maximum"
        period = 60
        metrics = [
          ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", coalesce(local.dlq_name, "-"), { label = "messages" }],
        ]
      },
      {
        title  = "Function errors and throttles"
        stat   = "Sum"
        period = 60
        metrics = concat(
          [
            ["AWS/Lambda", "Errors", "FunctionName", local.fn, { label = "replicator errors", color = "#d62728" }],
            ["AWS/Lambda", "Throttles", "FunctionName", local.fn, { label = "replicator throttles", color = "#ff7f0e" }],
          ],
          [for f in aws_lambda_function.canary : ["AWS/Lambda", "Errors", "FunctionName", f.function_name, { label = "canary errors" }]],
          [for f in aws_lambda_function.drift : ["AWS/Lambda", "Errors", "FunctionName", f.function_name, { label = "drift errors" }]],
        )
      },
      {
        title  = "Replicator duration (ms)"
        stat   = "Maximum"
        period = 60
        metrics = [
          ["AWS/Lambda", "Duration", "FunctionName", local.fn, { label = "maximum" }],
          ["AWS/Lambda", "Duration", "FunctionName", local.fn, { label = "average", stat = "Average" }],
        ]
        annotations = { horizontal = [{ label = "timeout", value = var.timeout * 1000 }] }
      },
    ],
  )

  # Built from the alarms' names (known when planning) rather than their computed ARNs, so
  # that the dashboard's body is known at plan time too.
  dashboard_alarm_arns = [
    for name in concat(
      [for a in aws_cloudwatch_metric_alarm.function : a.alarm_name],
      aws_cloudwatch_metric_alarm.dlq[*].alarm_name,
      [for a in aws_cloudwatch_metric_alarm.heartbeat_missing : a.alarm_name],
      [for a in aws_cloudwatch_metric_alarm.end_to_end_latency : a.alarm_name],
      [for a in aws_cloudwatch_metric_alarm.drifted_items : a.alarm_name],
      [for a in aws_cloudwatch_metric_alarm.health_function_errors : a.alarm_name],
    ) : "arn:${local.partition}:cloudwatch:${local.region}:${local.account_id}:alarm:${name}"
  ]
  # The alarm widget shows at most 100 alarms.
  alarm_widget_rows = var.create_alarms ? 3 : 0

  dashboard_widgets = concat(
    [for w in [{
      type   = "alarm"
      x      = 0
      y      = 0
      width  = 24
      height = local.alarm_widget_rows
      properties = {
        title  = "Alarms"
        alarms = slice(local.dashboard_alarm_arns, 0, min(100, length(local.dashboard_alarm_arns)))
      }
    }] : w if var.create_alarms],
    [
      for i, w in local.metric_widgets : {
        type   = "metric"
        x      = (i % 3) * 8
        y      = local.alarm_widget_rows + floor(i / 3) * 6
        width  = 8
        height = 6
        properties = merge(
          {
            title   = w.title
            view    = "timeSeries"
            stacked = false
            region  = local.region
            stat    = w.stat
            period  = w.period
            metrics = w.metrics
            yAxis   = { left = { min = 0 } }
          },
          can(w.annotations) ? { annotations = w.annotations } : {},
        )
      }
    ],
  )
}

resource "aws_cloudwatch_dashboard" "this" {
  count = var.create_dashboard ? 1 : 0

  dashboard_name = local.dashboard_name
  dashboard_body = jsonencode({ widgets = local.dashboard_widgets })

  # The alarm widget names the alarms; create them first.
  depends_on = [
    aws_cloudwatch_metric_alarm.function,
    aws_cloudwatch_metric_alarm.dlq,
    aws_cloudwatch_metric_alarm.heartbeat_missing,
    aws_cloudwatch_metric_alarm.end_to_end_latency,
    aws_cloudwatch_metric_alarm.drifted_items,
    aws_cloudwatch_metric_alarm.health_function_errors,
  ]
}
