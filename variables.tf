# Inputs of the one-call setup: the replicator in the source account (provider aws)
# and the role it assumes in the target account (provider aws.target).

variable "name" {
  description = "Name of the replicator function; prefixes its role, queue and alarms."
  type        = string
  default     = "ddbsync"
  nullable    = false
}

variable "source_table_name" {
  description = "Source table in the aws provider's account and region (looked up). Give this or source_stream_arn."
  type        = string
  default     = null
}

variable "source_stream_arn" {
  description = "Stream ARN of a source table created in the same configuration, instead of source_table_name."
  type        = string
  default     = null
}

variable "source_stream_view_type" {
  description = "Stream view type of that table when source_stream_arn is given, so the module can check it."
  type        = string
  default     = null
}

variable "source_key_attributes" {
  description = "Key attribute names of that table when source_stream_arn is given, so exclude_attributes can be checked."
  type        = list(string)
  default     = []
  nullable    = false
}

variable "target_table_names" {
  description = "Replica tables in the aws.target provider's account and region; each receives every change."
  type        = list(string)
  nullable    = false
}

variable "target_account_id" {
  description = "Expected account id of the aws.target provider; when set, planning stops if the provider's credentials are for another account."
  type        = string
  default     = null

  validation {
    condition     = var.target_account_id == null || can(regex("^[0-9]{12}$", var.target_account_id))
    error_message = "target_account_id must be a 12-digit AWS account id such as 222222222222."
  }
}

variable "lookup_target_tables" {
  description = "Look the target tables up (ARNs and KMS keys); set false when they are created in the same apply."
  type        = bool
  default     = true
  nullable    = false
}

variable "target_kms_key_arns" {
  description = "Customer-managed KMS keys of the target tables when they are not looked up."
  type        = list(string)
  default     = []
  nullable    = false
}

variable "target_role_name" {
  description = "Name of the role created in the target account."
  type        = string
  default     = "ddbsync-target-access"
  nullable    = false
}

variable "external_id" {
  description = "sts:ExternalId the target role requires and the function passes."
  type        = string
  nullable    = false
}

variable "organization_id" {
  description = "When set, the target role also requires the caller to belong to this AWS Organization."
  type        = string
  default     = null
}

variable "exclude_attributes" {
  description = "Top-level attributes never written to the targets."
  type        = list(string)
  default     = []
  nullable    = false
}

variable "skip_ttl_deletes" {
  description = "Do not replicate deletions made by DynamoDB's TTL process."
  type        = bool
  default     = false
  nullable    = false
}

variable "max_concurrency" {
  description = "Most BatchWriteItem requests in flight per target (1-128)."
  type        = number
  default     = 64
  nullable    = false
}

variable "lambda_zip_path" {
  description = "Path of the function bundle; null uses the committed dist/replicator.zip."
  type        = string
  default     = null
}

variable "architecture" {
  description = "Instruction set of the function: arm64 or x86_64."
  type        = string
  default     = "arm64"
  nullable    = false
}

variable "memory_size" {
  description = "Memory of the function in MB (128-10240)."
  type        = number
  default     = 256
  nullable    = false
}

variable "timeout" {
  description = "Function timeout in seconds (1-900)."
  type        = number
  default     = 60
  nullable    = false
}

variable "log_level" {
  description = "Powertools log level of the function."
  type        = string
  default     = "INFO"
  nullable    = false
}

variable "log_retention_in_days" {
  description = "Days CloudWatch keeps the function's logs (a value CloudWatch accepts)."
  type        = number
  default     = 30
  nullable    = false
}

variable "enabled" {
  description = "Whether the mapping polls the stream; false pauses replication."
  type        = bool
  default     = true
  nullable    = false
}

variable "batch_size" {
  description = "Most records per invocation (1-10000)."
  type        = number
  default     = 100
  nullable    = false
}

variable "maximum_batching_window_in_seconds" {
  description = "Seconds to gather records before invoking (0-300)."
  type        = number
  default     = 0
  nullable    = false
}

variable "parallelization_factor" {
  description = "Concurrent batches per stream shard (1-10)."
  type        = number
  default     = 1
  nullable    = false
}

variable "starting_position" {
  description = "Where a new mapping starts reading: LATEST or TRIM_HORIZON."
  type        = string
  default     = "LATEST"
  nullable    = false
}

variable "maximum_retry_attempts" {
  description = "Retries of a failing batch before its records go to the dead-letter queue (0-10000)."
  type        = number
  default     = 10
  nullable    = false
}

variable "maximum_record_age_in_seconds" {
  description = "Records older than this go to the dead-letter queue (60-604800 seconds)."
  type        = number
  default     = 86400
  nullable    = false
}

variable "filter_patterns" {
  description = "Lambda event filter patterns (JSON strings, at most 5)."
  type        = list(string)
  default     = []
  nullable    = false
}

variable "alarm_sns_topic_arn" {
  description = "SNS topic notified by the alarms; null creates them without actions."
  type        = string
  default     = null
}

variable "create_alarms" {
  description = "Create the CloudWatch alarms."
  type        = bool
  default     = true
  nullable    = false
}

variable "canary" {
  description = "Lag canary (opt-in): a heartbeat written to the source on a schedule and timed to each target; EndToEndLatency and HeartbeatMissing per target, with alarms. Attributes and defaults as modules/replicator's canary input (an attribute left out takes the default there). Its role reads the target tables through a health role created next to the target role."
  type = object({
    enabled                = optional(bool)
    heartbeat_key          = optional(string)
    ttl_attribute          = optional(string)
    ttl_seconds            = optional(number)
    schedule_expression    = optional(string)
    miss_threshold_seconds = optional(number)
    poll_interval_ms       = optional(number)
    latency_alarm_ms       = optional(number)
    latency_alarm_runs     = optional(number)
    alarm_period_seconds   = optional(number)
  })
  default  = {}
  nullable = false
}

variable "drift_detection" {
  description = "Scheduled drift detection (opt-in): samples the source and the targets, confirms differences after a delay, publishes DriftedItems per target with an alarm, and repairs them when repair = true. Attributes and defaults as modules/replicator's drift_detection input (an attribute left out takes the default there)."
  type = object({
    enabled               = optional(bool)
    schedule_expression   = optional(string)
    sample_items          = optional(number)
    sample_segments       = optional(number)
    read_capacity         = optional(number)
    recheck_delay_seconds = optional(number)
    repair                = optional(bool)
    report_bucket         = optional(string)
    alarm_runs            = optional(number)
    alarm_period_seconds  = optional(number)
    timeout_seconds       = optional(number)
  })
  default  = {}
  nullable = false
}

variable "create_dashboard" {
  description = "Create the CloudWatch dashboard of the pipeline."
  type        = bool
  default     = true
  nullable    = false
}

variable "tags" {
  description = "Tags for every resource created, on both sides."
  type        = map(string)
  default     = {}
  nullable    = false
}

variable "first_sync" {
  description = <<-EOT
    First sync (opt-in, enabled = true): modules/first-sync's workflow that copies the source
    table's existing items to every target at any scale (export to S3, then a Distributed
    Map of loader functions, or ImportTable into new tables with import = true) and then
    lets the stream catch up, plus a first-sync role next to the target role. Run it with
    `ddbsync first-sync start` (output first_sync_state_machine_arn). For a NEW pipeline:
    apply with first_sync.enabled = true, enabled = false and starting_position =
    "TRIM_HORIZON" (the mapping is created paused, so no change is lost or applied before
    the snapshot), run `ddbsync first-sync start`, then set enabled = true: the workflow has
    already enabled the mapping, so that apply changes nothing. A running pipeline is paused
    and resumed by the workflow itself. The export bucket is created in the source account
    and region (the Distributed Map can only list a bucket there). Attributes left out take
    modules/first-sync's defaults (max_concurrency 40, no write or read cap, loader timeout
    900 s, stream reserve 3600 s, exports expire after 7 days).
  EOT
  type = object({
    enabled                     = optional(bool, false)
    import                      = optional(bool, false)
    max_concurrency             = optional(number)
    target_write_capacity       = optional(number)
    verify_read_capacity        = optional(number)
    loader_timeout              = optional(number)
    stream_reserve_seconds      = optional(number)
    export_bucket_name          = optional(string)
    export_prefix               = optional(string)
    export_expiration_days      = optional(number)
    export_bucket_kms_key_arn   = optional(string)
    export_bucket_force_destroy = optional(bool)
  })
  default  = {}
  nullable = false
}
