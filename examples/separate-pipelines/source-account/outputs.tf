output "function_name" {
  description = "Replicator function."
  value       = module.replicator.function_name
}

output "role_arn" {
  description = "Execution role of the function: give it to the target team as replicator_role_arn."
  value       = module.replicator.role_arn
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

output "replicas" {
  description = "Every replica table: name, region and account id (the target role's account)."
  value = [{
    table_name = var.target_table_name
    region     = var.target_region
    account_id = split(":", var.target_role_arn)[4]
  }]
}
