output "source_table_name" {
  description = "Source table (account A)."
  value       = aws_dynamodb_table.source.name
}

output "source_region" {
  description = "Region of the source table and the function."
  value       = var.source_region
}

output "replicas" {
  description = "Every replica table: name, region and account id."
  value = [{
    table_name = aws_dynamodb_table.target.name
    region     = module.ddbsync.target_region
    account_id = module.ddbsync.target_account_id
  }]
}

output "source_stream_arn" {
  description = "Stream of the source table."
  value       = aws_dynamodb_table.source.stream_arn
}

output "target_table_name" {
  description = "Replica table (account B)."
  value       = aws_dynamodb_table.target.name
}

output "target_table_arn" {
  description = "ARN of the replica table."
  value       = aws_dynamodb_table.target.arn
}

output "function_name" {
  description = "Replicator function."
  value       = module.ddbsync.function_name
}

output "function_arn" {
  description = "ARN of the replicator function."
  value       = module.ddbsync.function_arn
}

output "role_arn" {
  description = "Execution role of the replicator (account A)."
  value       = module.ddbsync.role_arn
}

output "target_role_arn" {
  description = "Role the function assumes in account B."
  value       = module.ddbsync.target_role_arn
}

output "event_source_mapping_uuid" {
  description = "UUID of the stream mapping (pause or resume it with mapping_enabled)."
  value       = module.ddbsync.event_source_mapping_uuid
}

output "dlq_url" {
  description = "Dead-letter queue URL."
  value       = module.ddbsync.dlq_url
}

output "dlq_arn" {
  description = "Dead-letter queue ARN."
  value       = module.ddbsync.dlq_arn
}

output "alarm_arns" {
  description = "CloudWatch alarms."
  value       = module.ddbsync.alarm_arns
}

output "log_group_name" {
  description = "Log group of the function."
  value       = module.ddbsync.log_group_name
}

output "replication_targets_json" {
  description = "REPLICATION_TARGETS of the function, for the CLI."
  value       = module.ddbsync.replication_targets_json
}

output "canary_function_name" {
  description = "Lag canary function (invoke it to run the canary now)."
  value       = module.ddbsync.canary_function_name
}

output "drift_function_name" {
  description = "Drift detection function (invoke it to check for drift now)."
  value       = module.ddbsync.drift_function_name
}

output "target_health_role_arn" {
  description = "Role the canary and drift detection assume in account B."
  value       = module.ddbsync.target_health_role_arn
}

output "health_targets_json" {
  description = "HEALTH_TARGETS of the canary and drift functions."
  value       = module.ddbsync.health_targets_json
}

output "drift_report_bucket" {
  description = "Bucket of the drift reports (keys under drift/)."
  value       = aws_s3_bucket.drift_reports.bucket
}

output "alarm_topic_arn" {
  description = "SNS topic the alarms notify."
  value       = aws_sns_topic.alarms.arn
}

output "dashboard_name" {
  description = "CloudWatch dashboard of the pipeline."
  value       = module.ddbsync.dashboard_name
}

output "dashboard_url" {
  description = "Console URL of the dashboard."
  value       = module.ddbsync.dashboard_url
}
