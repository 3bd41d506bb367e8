output "source_table_name" {
  description = "The source table (account A)."
  value       = aws_dynamodb_table.source.name
}

output "source_region" {
  description = "Region of the source table and of the functions."
  value       = var.source_region
}

output "function_name" {
  description = "The replicator function."
  value       = module.replicator.function_name
}

output "event_source_mapping_uuid" {
  description = "The replicator's stream mapping, which the first sync enables."
  value       = module.replicator.event_source_mapping_uuid
}

output "replicas" {
  description = "The target tables, with their region and account."
  value = [
    { table_name = local.tables.b, region = var.target_b.region, account_id = split(":", var.target_b.deployer_role_arn)[4] },
    { table_name = local.tables.c, region = var.target_c.region, account_id = split(":", var.target_c.deployer_role_arn)[4] },
  ]
}

output "first_sync_state_machine_arn" {
  description = "The first-sync workflow (ddbsync first-sync start --state-machine-arn)."
  value       = module.first_sync.state_machine_arn
}

output "first_sync_bucket_name" {
  description = "The export bucket."
  value       = module.first_sync.bucket_name
}

output "first_sync_role_arns" {
  description = "The first-sync roles in accounts B and C."
  value       = [module.target_b.first_sync_role_arn, module.target_c.first_sync_role_arn]
}
