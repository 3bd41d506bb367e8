output "source_table_name" {
  description = "Source table (account A)."
  value       = aws_dynamodb_table.source.name
}

output "source_region" {
  description = "Region of the source table, the functions and the workflow."
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

output "function_name" {
  description = "Replicator function."
  value       = module.ddbsync.function_name
}

output "role_arn" {
  description = "Execution role of the replicator (account A)."
  value       = module.ddbsync.role_arn
}

output "target_role_arn" {
  description = "Role the replicator assumes in account B."
  value       = module.ddbsync.target_role_arn
}

output "target_first_sync_role_arn" {
  description = "Role the first-sync functions assume in account B."
  value       = module.ddbsync.target_first_sync_role_arn
}

output "event_source_mapping_uuid" {
  description = "UUID of the stream mapping the workflow pauses and enables."
  value       = module.ddbsync.event_source_mapping_uuid
}

output "first_sync_state_machine_arn" {
  description = "The first-sync workflow: `ddbsync first-sync start --state-machine-arn <arn>`."
  value       = module.ddbsync.first_sync_state_machine_arn
}

output "first_sync_bucket_name" {
  description = "Export bucket (account A, source region)."
  value       = module.ddbsync.first_sync_bucket_name
}

output "replication_targets_json" {
  description = "REPLICATION_TARGETS of the replicator, for the CLI."
  value       = module.ddbsync.replication_targets_json
}
