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

  # The first sync's functions load (and import, verify) through a third role.
  first_sync_role_arns         = var.first_sync.enabled ? values(module.first_sync[0].function_role_arns) : []
  first_sync_import            = var.first_sync.enabled && var.first_sync.import
  first_sync_export_bucket_arn = var.first_sync.enabled && var.first_sync.import ? module.first_sync[0].bucket_arn : null
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

module "first_sync" {
  source = "./modules/first-sync"
  count  = var.first_sync.enabled ? 1 : 0
  providers = {
    aws = aws
    # The Distributed Map lists the export's files, which Step Functions can only do in its
    # own account and region: the bucket goes with the source.
    aws.export_bucket = aws
  }

  name = "${var.name}-first-sync"
  # A table created in the same configuration is given by its stream ARN (table/<name>/stream/...).
  source_table_name         = var.source_table_name != null ? var.source_table_name : try(split("/", var.source_stream_arn)[1], null)
  event_source_mapping_uuid = module.replicator.event_source_mapping_uuid

  targets = [
    for table in var.target_table_names : {
      table_name  = table
      region      = module.target_access.region
      role_arn    = module.target_access.first_sync_role_arn
      external_id = var.external_id
    }
  ]

  exclude_attributes          = var.exclude_attributes
  max_concurrency             = var.first_sync.max_concurrency
  target_write_capacity       = var.first_sync.target_write_capacity
  verify_read_capacity        = var.first_sync.verify_read_capacity
  loader_timeout              = var.first_sync.loader_timeout
  stream_reserve_seconds      = var.first_sync.stream_reserve_seconds
  import_enabled              = var.first_sync.import
  export_bucket_name          = var.first_sync.export_bucket_name
  export_prefix               = var.first_sync.export_prefix
  export_expiration_days      = var.first_sync.export_expiration_days
  export_bucket_kms_key_arn   = var.first_sync.export_bucket_kms_key_arn
  export_bucket_force_destroy = var.first_sync.export_bucket_force_destroy
  architecture                = var.architecture
  log_level                   = var.log_level
  log_retention_in_days       = var.log_retention_in_days
  create_alarms               = var.create_alarms
  alarm_sns_topic_arn         = var.alarm_sns_topic_arn
  tags                        = var.tags
}
