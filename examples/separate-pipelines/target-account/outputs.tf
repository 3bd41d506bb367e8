output "role_arn" {
  description = "Role the replicator assumes: give it to the source team as target_role_arn."
  value       = module.target_access.role_arn
}

output "table_name" {
  description = "Replica table: give it to the source team as target_table_name."
  value       = aws_dynamodb_table.replica.name
}

output "region" {
  description = "Region of the replica table: give it to the source team as target_region."
  value       = module.target_access.region
}

output "replicas" {
  description = "Every replica table: name, region and account id."
  value = [{
    table_name = aws_dynamodb_table.replica.name
    region     = module.target_access.region
    account_id = data.aws_caller_identity.current.account_id
  }]
}
