# One-call setup of ddbsync: the replicator on the source table's stream (provider aws)
# and the role it assumes to write the replica tables (provider aws.target). Teams that
# apply the two sides separately use modules/replicator and modules/target-access.

data "aws_caller_identity" "target" {
  provider = aws.target

  lifecycle {
    postcondition {
      condition     = var.target_account_id == null || self.account_id == var.target_account_id
      error_message = "The aws.target provider's credentials are for account ${self.account_id}, not target_account_id ${coalesce(var.target_account_id, "-")}. Point aws.target at the target account (for example with assume_role) or correct target_account_id."
    }
  }
}

module "target_access" {
  source = "./modules/target-access"
  providers = {
    aws = aws.target
  }

  name                = var.target_role_name
  replicator_role_arn = module.replicator.role_arn
  external_id         = var.external_id
  organization_id     = var.organization_id
  table_names         = var.target_table_names
  lookup_tables       = var.lookup_target_tables
  kms_key_arns        = var.target_kms_key_arns
  tags                = var.tags

  # The canary's and drift detection's roles read the tables through a second role.
  health_reader_role_arns = module.replicator.health_reader_role_arns
  health_repair           = var.drift_detection.enabled == true && var.drift_detection.repair == true
}

module "replicator" {
  source = "./modules/replicator"
  providers = {
    aws = aws
  }

  name                    = var.name
  source_table_name       = var.source_table_name
  source_stream_arn       = var.source_stream_arn
  source_stream_view_type = var.source_stream_view_type
  source_key_attributes   = var.source_key_attributes

  targets = [
    for table in var.target_table_names : {
      table_name      = table
      region          = module.target_access.region
      role_arn        = module.target_access.role_arn
      external_id     = var.external_id
      health_role_arn = module.target_access.health_role_arn
    }
  ]

  exclude_attributes                 = var.exclude_attributes
  skip_ttl_deletes                   = var.skip_ttl_deletes
  max_concurrency                    = var.max_concurrency
  lambda_zip_path                    = var.lambda_zip_path
  architecture                       = var.architecture
  memory_size                        = var.memory_size
  timeout                            = var.timeout
  log_level                          = var.log_level
  log_retention_in_days              = var.log_retention_in_days
  enabled                            = var.enabled
  batch_size                         = var.batch_size
  maximum_batching_window_in_seconds = var.maximum_batching_window_in_seconds
  parallelization_factor             = var.parallelization_factor
  starting_position                  = var.starting_position
  maximum_retry_attempts             = var.maximum_retry_attempts
  maximum_record_age_in_seconds      = var.maximum_record_age_in_seconds
  filter_patterns                    = var.filter_patterns
  create_alarms                      = var.create_alarms
  alarm_sns_topic_arn                = var.alarm_sns_topic_arn
  canary                             = var.canary
  drift_detection                    = var.drift_detection
  create_dashboard                   = var.create_dashboard
  tags                               = var.tags
}
