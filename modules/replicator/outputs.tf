output "function_name" {
  description = "Name of the replicator function."
  value       = aws_lambda_function.this.function_name
}

output "function_arn" {
  description = "ARN of the replicator function."
  value       = aws_lambda_function.this.arn
}

output "role_arn" {
  description = "ARN of the function's execution role: the principal that target-access roles trust."
  value       = aws_iam_role.this.arn
}

output "role_name" {
  description = "Name of the function's execution role."
  value       = aws_iam_role.this.name
}

output "log_group_name" {
  description = "CloudWatch log group of the function."
  value       = aws_cloudwatch_log_group.this.name
}

output "event_source_mapping_uuid" {
  description = "UUID of the stream mapping: `aws lambda update-event-source-mapping --uuid <uuid> --no-enabled` pauses replication and `--enabled` resumes it (the enabled input does the same through Terraform)."
  value       = aws_lambda_event_source_mapping.this.uuid
}

output "source_stream_arn" {
  description = "Stream ARN the function reads."
  value       = local.stream_arn
}

output "dlq_arn" {
  description = "ARN of the dead-letter queue for failed records."
  value       = local.dlq_arn
}

output "dlq_url" {
  description = "URL of the created dead-letter queue (null when an existing queue was given); `ddbsync redrive` reads it."
  value       = one(aws_sqs_queue.dlq[*].url)
}

output "alarm_arns" {
  description = "ARNs of the CloudWatch alarms by name suffix: iterator-age, errors, throttles, dlq-messages, and with the canary and drift detection canary-errors, drift-errors, and heartbeat-missing-, end-to-end-latency- and drifted-items- followed by the target's REGION/TABLE (the alarms' names and Target dimension use ACCOUNT/REGION/TABLE); empty when create_alarms is false."
  value = merge(
    { for k, a in aws_cloudwatch_metric_alarm.function : k => a.arn },
    { for a in aws_cloudwatch_metric_alarm.dlq : "dlq-messages" => a.arn },
    { for k, a in aws_cloudwatch_metric_alarm.health_function_errors : "${k}-errors" => a.arn },
    { for k, a in aws_cloudwatch_metric_alarm.heartbeat_missing : "heartbeat-missing-${k}" => a.arn },
    { for k, a in aws_cloudwatch_metric_alarm.end_to_end_latency : "end-to-end-latency-${k}" => a.arn },
    { for k, a in aws_cloudwatch_metric_alarm.drifted_items : "drifted-items-${k}" => a.arn },
  )
}

output "replication_targets_json" {
  description = "The REPLICATION_TARGETS JSON the function reads, reusable by the ddbsync CLI (--targets)."
  value       = local.replication_targets_json
}

output "canary_function_name" {
  description = "Name of the lag canary function (null when canary.enabled is false); invoke it to run the canary now."
  value       = one(aws_lambda_function.canary[*].function_name)
}

output "canary_function_arn" {
  description = "ARN of the lag canary function (null when canary.enabled is false)."
  value       = one(aws_lambda_function.canary[*].arn)
}

output "drift_function_name" {
  description = "Name of the drift detection function (null when drift_detection.enabled is false); invoke it to run a drift check now."
  value       = one(aws_lambda_function.drift[*].function_name)
}

output "drift_function_arn" {
  description = "ARN of the drift detection function (null when drift_detection.enabled is false)."
  value       = one(aws_lambda_function.drift[*].arn)
}

output "health_reader_role_arns" {
  description = "Execution roles of the canary and drift functions that are enabled: give them to modules/target-access as health_reader_role_arns in every target account."
  value       = concat(aws_iam_role.canary[*].arn, aws_iam_role.drift[*].arn)
}

output "health_targets_json" {
  description = "The HEALTH_TARGETS JSON the canary and drift functions read (targets with their health roles)."
  value       = local.health_targets_json
}

output "health_target_labels" {
  description = "The Target dimension of each target's canary and drift metrics (ACCOUNT/REGION/TABLE), in targets order."
  value       = local.health_target_labels
}

output "dashboard_name" {
  description = "Name of the CloudWatch dashboard (null when create_dashboard is false)."
  value       = one(aws_cloudwatch_dashboard.this[*].dashboard_name)
}

output "dashboard_url" {
  description = "Console URL of the CloudWatch dashboard (null when create_dashboard is false)."
  value       = var.create_dashboard ? local.dashboard_url : null
}
