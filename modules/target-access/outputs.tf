output "role_arn" {
  description = "ARN of the role the replicator assumes: give it to the source side as the target's role_arn."
  value       = aws_iam_role.this.arn
}

output "role_name" {
  description = "Name of the role."
  value       = aws_iam_role.this.name
}

output "table_arns" {
  description = "ARNs of the tables the role may write."
  value       = local.table_arns
}

output "kms_key_arns" {
  description = "Customer-managed KMS keys the role may use for those tables."
  value       = local.kms_key_arns
}

output "region" {
  description = "Region of the target tables (the provider's region): the targets' region on the source side."
  value       = local.region
}

output "health_role_arn" {
  description = "ARN of the health role the canary and drift detection assume (null without health_reader_role_arns): give it to the source side as the target's health_role_arn."
  value       = one(aws_iam_role.health[*].arn)
}

output "health_role_name" {
  description = "Name of the health role (null without health_reader_role_arns)."
  value       = one(aws_iam_role.health[*].name)
}

output "first_sync_role_arn" {
  description = "ARN of the first-sync role the first-sync functions assume (null without first_sync_role_arns): give it to the source side as the first-sync module's targets[*].role_arn."
  value       = one(aws_iam_role.first_sync[*].arn)
}

output "first_sync_role_name" {
  description = "Name of the first-sync role (null without first_sync_role_arns)."
  value       = one(aws_iam_role.first_sync[*].name)
}
