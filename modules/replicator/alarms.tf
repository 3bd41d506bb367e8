# Alarms an operator acts on: replication falling behind, failing, throttled, or
# records given up on (dead-letter messages waiting for `ddbsync redrive`).

locals {
  alarm_actions = var.alarm_sns_topic_arn == null ? [] : [var.alarm_sns_topic_arn]
  dlq_name      = var.create_dlq ? aws_sqs_queue.dlq[0].name : (var.dlq_arn == null ? null : element(split(":", var.dlq_arn), 5))

  function_alarms = {
    iterator-age = {
      metric      = "IteratorAge"
      statistic   = "Maximum"
      threshold   = var.iterator_age_alarm_threshold_ms
      description = "Replication lag: the newest record the function read is older than ${var.iterator_age_alarm_threshold_ms} ms. Check the function's errors and throttles, or raise parallelization_factor."
    }
    errors = {
      metric      = "Errors"
      statistic   = "Sum"
      threshold   = 0
      description = "The replicator failed whole invocations (configuration, timeouts or crashes); the stream shard is blocked until they succeed. Read the function's log group."
    }
    throttles = {
      metric      = "Throttles"
      statistic   = "Sum"
      threshold   = 0
      description = "The replicator was throttled; replication lags. Raise reserved concurrency or the account's Lambda concurrency limit."
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "function" {
  for_each = var.create_alarms ? local.function_alarms : {}

  alarm_name          = "${var.name}-${each.key}"
  alarm_description   = each.value.description
  namespace           = "AWS/Lambda"
  metric_name         = each.value.metric
  statistic           = each.value.statistic
  dimensions          = { FunctionName = aws_lambda_function.this.function_name }
  period              = var.alarm_period_seconds
  evaluation_periods  = var.alarm_evaluation_periods
  threshold           = each.value.threshold
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = local.tags
}

resource "aws_cloudwatch_metric_alarm" "dlq" {
  count = var.create_alarms ? 1 : 0

  alarm_name          = "${var.name}-dlq-messages"
  alarm_description   = "Records were given up on and wait in the dead-letter queue. Fix the cause, then run `ddbsync redrive`."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  statistic           = "Maximum"
  dimensions          = { QueueName = local.dlq_name }
  period              = var.alarm_period_seconds
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = local.tags
}
