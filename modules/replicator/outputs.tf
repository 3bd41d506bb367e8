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
  description = "ARNs of the CloudWatch alarms by name suffix (iterator-age, errors, throttles, dlq-messages); empty when create_alarms is false."
  value = merge(
    { for k, a in aws_cloudwatch_metric_alarm.function : k => a.arn },
    { for a in aws_cloudwatch_metric_alarm.dlq : "dlq-messages" => a.arn },
  )
}

output "replication_targets_json" {
  description = "The REPLICATION_TARGETS JSON the function reads, reusable by the ddbsync CLI (--targets)."
  value       = local.replication_targets_json
}
