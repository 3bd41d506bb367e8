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

variable "tags" {
  description = "Tags for every resource created, on both sides."
  type        = map(string)
  default     = {}
  nullable    = false
}
