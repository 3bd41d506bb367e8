output "function_name" {
  description = "Name of the replicator function."
  value       = module.replicator.function_name
}

output "function_arn" {
  description = "ARN of the replicator function."
  value       = module.replicator.function_arn
}

output "role_arn" {
  description = "ARN of the function's execution role."
  value       = module.replicator.role_arn
}

output "target_role_arn" {
  description = "ARN of the role the function assumes in the target account."
  value       = module.target_access.role_arn
}

output "target_account_id" {
  description = "Account id of the aws.target provider, where the target role and tables are."
  value       = data.aws_caller_identity.target.account_id
}

output "target_region" {
  description = "Region of the target tables (the aws.target provider's region)."
  value       = module.target_access.region
}

output "source_stream_arn" {
  description = "Stream ARN the function reads."
  value       = module.replicator.source_stream_arn
}

output "event_source_mapping_uuid" {
  description = "UUID of the stream mapping: `aws lambda update-event-source-mapping --uuid <uuid> --no-enabled` pauses replication and `--enabled` resumes it (the enabled input does the same through Terraform)."
  value       = module.replicator.event_source_mapping_uuid
}

output "log_group_name" {
  description = "CloudWatch log group of the function."
  value       = module.replicator.log_group_name
}

output "dlq_arn" {
  description = "ARN of the dead-letter queue."
  value       = module.replicator.dlq_arn
}

output "dlq_url" {
  description = "URL of the dead-letter queue."
  value       = module.replicator.dlq_url
}

output "alarm_arns" {
  description = "ARNs of the CloudWatch alarms by name suffix."
  value       = module.replicator.alarm_arns
}

output "replication_targets_json" {
  description = "The REPLICATION_TARGETS JSON the function reads, reusable by the ddbsync CLI."
  value       = module.replicator.replication_targets_json
}

output "target_health_role_arn" {
  description = "ARN of the role the canary and drift detection assume in the target account (null when both are off)."
  value       = module.target_access.health_role_arn
}

output "canary_function_name" {
  description = "Name of the lag canary function (null when the canary is off)."
  value       = module.replicator.canary_function_name
}

output "drift_function_name" {
  description = "Name of the drift detection function (null when drift detection is off)."
  value       = module.replicator.drift_function_name
}

output "health_targets_json" {
  description = "The HEALTH_TARGETS JSON the canary and drift functions read."
  value       = module.replicator.health_targets_json
}

output "dashboard_name" {
  description = "Name of the CloudWatch dashboard (null when create_dashboard is false)."
  value       = module.replicator.dashboard_name
}

output "dashboard_url" {
  description = "Console URL of the CloudWatch dashboard (null when create_dashboard is false)."
  value       = module.replicator.dashboard_url
}

output "first_sync_state_machine_arn" {
  description = "ARN of the first-sync state machine (null when first_sync is off): `ddbsync first-sync start --state-machine-arn <arn>`."
  value       = one(module.first_sync[*].state_machine_arn)
}

output "first_sync_bucket_name" {
  description = "Name of the first-sync export bucket (null when first_sync is off)."
  value       = one(module.first_sync[*].bucket_name)
}

output "target_first_sync_role_arn" {
  description = "ARN of the role the first-sync functions assume in the target account (null when first_sync is off)."
  value       = module.target_access.first_sync_role_arn
}
