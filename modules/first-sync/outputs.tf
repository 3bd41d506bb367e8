output "state_machine_arn" {
  description = "ARN of the first-sync state machine: `ddbsync first-sync start --state-machine-arn <arn>` runs it."
  value       = aws_sfn_state_machine.this.arn
}

output "state_machine_name" {
  description = "Name of the first-sync state machine."
  value       = aws_sfn_state_machine.this.name
}

output "state_machine_role_arn" {
  description = "ARN of the state machine's role (it exports the source table and pauses and enables the mapping)."
  value       = aws_iam_role.state_machine.arn
}

output "bucket_name" {
  description = "Name of the export bucket."
  value       = aws_s3_bucket.export.id
}

output "bucket_arn" {
  description = "ARN of the export bucket: the target-access module's first_sync_export_bucket_arn on the import path."
  value       = aws_s3_bucket.export.arn
}

output "function_names" {
  description = "Names of the loader, importer and verifier functions, by role (loader, importer, verifier)."
  value       = { for k, f in aws_lambda_function.this : k => f.function_name }
}

output "function_arns" {
  description = "ARNs of the loader, importer and verifier functions, by role."
  value       = { for k, f in aws_lambda_function.this : k => f.arn }
}

output "function_role_arns" {
  description = "Execution roles of the loader, importer and verifier, by role: the principals the target-access module's first-sync role trusts (its first_sync_role_arns input)."
  value       = { for k, r in aws_iam_role.function : k => r.arn }
}

output "log_group_names" {
  description = "Log groups of the functions, by role."
  value       = { for k, g in aws_cloudwatch_log_group.function : k => g.name }
}

output "replication_targets_json" {
  description = "The REPLICATION_TARGETS JSON the functions read (targets with their first-sync roles)."
  value       = local.replication_targets_json
}

output "alarm_arns" {
  description = "ARNs of the CloudWatch alarms by name suffix (failed, timed-out, aborted, and verify-differences-<index> per target)."
  value = merge(
    { for k, a in aws_cloudwatch_metric_alarm.execution : k => a.arn },
    { for k, a in aws_cloudwatch_metric_alarm.verify_differences : "verify-differences-${k}" => a.arn },
  )
}
