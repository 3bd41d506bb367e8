output "function_name" {
  description = "Replicator function."
  value       = module.replicator.function_name
}

output "source_table_name" {
  description = "Source table."
  value       = aws_dynamodb_table.source.name
}

output "source_region" {
  description = "Region of the source table and the function."
  value       = var.source_region
}

output "source_stream_arn" {
  description = "Stream of the source table."
  value       = aws_dynamodb_table.source.stream_arn
}

output "event_source_mapping_uuid" {
  description = "UUID of the stream mapping (pause or resume it with mapping_enabled)."
  value       = module.replicator.event_source_mapping_uuid
}

output "role_arn" {
  description = "Execution role of the function."
  value       = module.replicator.role_arn
}

output "dlq_url" {
  description = "Dead-letter queue URL."
  value       = module.replicator.dlq_url
}

output "log_group_name" {
  description = "Log group of the function."
  value       = module.replicator.log_group_name
}

output "replication_targets_json" {
  description = "REPLICATION_TARGETS of the function, for the CLI."
  value       = module.replicator.replication_targets_json
}

output "target_role_arn" {
  description = "Role the function assumes in account B."
  value       = module.target_access.role_arn
}

output "replicas" {
  description = "Every replica table: name, region and account id."
  value = [
    {
      table_name = aws_dynamodb_table.cross_account.name
      region     = module.target_access.region
      account_id = data.aws_caller_identity.target.account_id
    },
    {
      table_name = aws_dynamodb_table.same_account.name
      region     = var.replica_region
      account_id = data.aws_caller_identity.source.account_id
    },
  ]
}
