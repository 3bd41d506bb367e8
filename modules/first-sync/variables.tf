# Inputs of the first-sync module: the source table and the replicator's mapping it pauses,
# the targets (through the target side's first-sync roles), the Distributed Map's
# concurrency and write cap, the export bucket, and the functions, alarms and IAM.

variable "name" {
  description = "Name of the state machine; prefixes the functions (<name>-loader, -importer, -verifier), their roles, log groups and alarms (letters, digits, - and _; at most 40 characters)."
  type        = string
  default     = "ddbsync-first-sync"
  nullable    = false

  validation {
    condition     = can(regex("^[a-zA-Z0-9_-]{1,40}$", var.name))
    error_message = "name must be 1-40 letters, digits, '-' or '_' (it prefixes the state machine, function, role and alarm names)."
  }
}

# ---------------------------------------------------------------------------
# Source table and the replicator's stream mapping
# ---------------------------------------------------------------------------

variable "source_table_name" {
  description = "Source table, looked up in the aws provider's account and region for its ARN, key and point-in-time recovery. Point-in-time recovery must be on: a DynamoDB export needs it."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[a-zA-Z0-9_.-]{3,255}$", var.source_table_name))
    error_message = "source_table_name must be a DynamoDB table name: 3-255 letters, digits, '_', '-' or '.'."
  }
}

variable "event_source_mapping_uuid" {
  description = "UUID of the replicator's stream mapping (replicator output event_source_mapping_uuid). The workflow pauses it before the export and enables it after the load, so the stream replays every change since its checkpoint after the snapshot."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", var.event_source_mapping_uuid))
    error_message = "event_source_mapping_uuid must be a mapping UUID like 14e0db71-5d35-4eb5-b481-8945cf9d10c2 (the replicator module's event_source_mapping_uuid output)."
  }
}

# ---------------------------------------------------------------------------
# Targets
# ---------------------------------------------------------------------------

variable "targets" {
  description = "Tables that receive every item, as the replicator's targets input, but role_arn is the target account's first-sync role (target-access output first_sync_role_arn), not the writer role: it may also read and import, which the replicator never may. region defaults to the source's region; external_id is that role's sts:ExternalId. Every target is reached through such a role."
  type = list(object({
    table_name  = string
    region      = optional(string)
    role_arn    = string
    external_id = optional(string)
  }))
  nullable = false

  validation {
    condition     = length(var.targets) > 0
    error_message = "targets must name at least one target table."
  }
  validation {
    condition     = alltrue([for t in var.targets : can(regex("^[a-zA-Z0-9_.-]{3,255}$", t.table_name))])
    error_message = "Every targets[*].table_name must be a DynamoDB table name: 3-255 letters, digits, '_', '-' or '.'."
  }
  validation {
    condition     = alltrue([for t in var.targets : t.region == null || can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]+$", t.region))])
    error_message = "Every targets[*].region must be an AWS region name like eu-west-1."
  }
  validation {
    condition     = alltrue([for t in var.targets : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/[a-zA-Z0-9+=,.@_/-]{1,512}$", t.role_arn))])
    error_message = "Every targets[*].role_arn must be an IAM role ARN like arn:aws:iam::222222222222:role/ddbsync-target-access-first-sync (the target-access module's first_sync_role_arn output)."
  }
  validation {
    condition     = alltrue([for t in var.targets : t.external_id == null || try(length(t.external_id) >= 2 && length(t.external_id) <= 1224 && can(regex("^[a-zA-Z0-9+=,.@:/_-]+$", t.external_id)), false)])
    error_message = "Every targets[*].external_id must be 2-1224 letters, digits or +=,.@:/-_ (the STS ExternalId rules)."
  }
  validation {
    condition     = length(distinct([for t in var.targets : format("%s@%s@%s", t.table_name, coalesce(t.region, "-"), t.role_arn)])) == length(var.targets)
    error_message = "targets lists the same table, region and role twice; each target must be different."
  }
}

variable "exclude_attributes" {
  description = "Top-level attributes never written to the targets (the replicator's exclude_attributes: give the same list, or the first sync copies what replication leaves out)."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for a in var.exclude_attributes : trimspace(a) != "" && !strcontains(a, ",")])
    error_message = "exclude_attributes entries must be non-empty attribute names without commas."
  }
}

# ---------------------------------------------------------------------------
# Load: the Distributed Map and the write cap
# ---------------------------------------------------------------------------

variable "max_concurrency" {
  description = "Most export files loaded at once (the Distributed Map's MaxConcurrency, 1-10000). The default, 40, is high enough that the targets' write capacity, not the Map, is the limit: one loader invocation writes about 10,000 items a second at best (CPU-bound, BENCHMARKS.md) and fewer to a far region, while an on-demand table takes 40,000 write units a second by default, so a few dozen children saturate a target and the loader backs off from its throttling. Lower it to leave Lambda concurrency to other functions in the account (each child is one concurrent invocation); set target_write_capacity to cap the load instead."
  type        = number
  default     = 40
  nullable    = false

  validation {
    condition     = var.max_concurrency >= 1 && var.max_concurrency <= 10000 && floor(var.max_concurrency) == var.max_concurrency
    error_message = "max_concurrency must be a whole number from 1 to 10000 (the Distributed Map's limit on concurrent child executions)."
  }
}

variable "target_write_capacity" {
  description = "Most write capacity units a second the whole load puts on each target, like backfill's --write-capacity; null: no cap (the target's own throughput and throttling are the limit). Each loader invocation gets target_write_capacity / max_concurrency (WRITE_CAPACITY), so it must be at least max_concurrency."
  type        = number
  default     = null

  validation {
    condition     = var.target_write_capacity == null || try(var.target_write_capacity >= 1 && var.target_write_capacity <= 10000000 && floor(var.target_write_capacity) == var.target_write_capacity, false)
    error_message = "target_write_capacity must be a whole number of write capacity units per second from 1 to 10000000, or null for no cap."
  }
}

variable "verify_read_capacity" {
  description = "Most read capacity units a second the distributed verify puts on each table it reads (the source and every target); null: no cap, right for on-demand tables. Each verifier invocation gets verify_read_capacity / max_concurrency (READ_CAPACITY), which must be at least 100: one consistent BatchGetItem of 100 keys costs 100 units or more."
  type        = number
  default     = null

  validation {
    condition     = var.verify_read_capacity == null || try(var.verify_read_capacity >= 100 && var.verify_read_capacity <= 10000000 && floor(var.verify_read_capacity) == var.verify_read_capacity, false)
    error_message = "verify_read_capacity must be a whole number of read capacity units per second from 100 to 10000000, or null for no cap."
  }
}

variable "writes_in_flight" {
  description = "Most BatchWriteItem requests in flight per target in one loader invocation (MAX_CONCURRENCY, 1-128). 16 gave the best items a second per invocation at a 20 ms round trip (BENCHMARKS.md); raise it for far regions."
  type        = number
  default     = 16
  nullable    = false

  validation {
    condition     = var.writes_in_flight >= 1 && var.writes_in_flight <= 128 && floor(var.writes_in_flight) == var.writes_in_flight
    error_message = "writes_in_flight must be a whole number from 1 to 128."
  }
}

variable "stream_reserve_seconds" {
  description = "Seconds kept back from the stream's 24 hours for the catch-up after the load (STREAM_RESERVE_SECONDS): a loader invocation fails with StreamBudgetExceededError once export time + 24 h - this has passed, since the replicator could no longer replay every change. Raise it for a busy table whose catch-up takes longer."
  type        = number
  default     = 3600
  nullable    = false

  validation {
    condition     = var.stream_reserve_seconds >= 0 && var.stream_reserve_seconds <= 72000 && floor(var.stream_reserve_seconds) == var.stream_reserve_seconds
    error_message = "stream_reserve_seconds must be a whole number of seconds from 0 to 72000 (20 hours; the load needs the rest of the stream's 24 hours)."
  }
}

variable "export_poll_seconds" {
  description = "Seconds between checks of the export's status (an export takes minutes to hours)."
  type        = number
  default     = 60
  nullable    = false

  validation {
    condition     = var.export_poll_seconds >= 1 && var.export_poll_seconds <= 3600 && floor(var.export_poll_seconds) == var.export_poll_seconds
    error_message = "export_poll_seconds must be a whole number from 1 to 3600."
  }
}

variable "mapping_poll_seconds" {
  description = "Seconds between checks that the paused mapping has stopped (the workflow gives up after 120 checks)."
  type        = number
  default     = 5
  nullable    = false

  validation {
    condition     = var.mapping_poll_seconds >= 1 && var.mapping_poll_seconds <= 300 && floor(var.mapping_poll_seconds) == var.mapping_poll_seconds
    error_message = "mapping_poll_seconds must be a whole number from 1 to 300."
  }
}

variable "import_poll_seconds" {
  description = "Seconds between checks of a running ImportTable (the import path, for targets that do not exist yet). Each check adds about 9 events to the execution's history, which holds at most 25,000: below 30 s a day-long import can run out of them."
  type        = number
  default     = 60
  nullable    = false

  validation {
    condition     = var.import_poll_seconds >= 1 && var.import_poll_seconds <= 3600 && floor(var.import_poll_seconds) == var.import_poll_seconds
    error_message = "import_poll_seconds must be a whole number from 1 to 3600."
  }
}

variable "verify_segments" {
  description = "Parallel Scan segments per target in the distributed verify's search for items that exist only in a target (one Map child per segment; the export's files cover the other direction). At most 1000, the most States.ArrayRange makes."
  type        = number
  default     = 4
  nullable    = false

  validation {
    condition     = var.verify_segments >= 1 && var.verify_segments <= 1000 && floor(var.verify_segments) == var.verify_segments
    error_message = "verify_segments must be a whole number from 1 to 1000."
  }
}

variable "import_enabled" {
  description = "Let the target side's first-sync roles read the export (bucket policy), for the import path (ImportTable into targets that do not exist yet; DynamoDB reads the export with the caller's permissions). The target-access module needs first_sync_import = true as well."
  type        = bool
  default     = false
  nullable    = false
}

# ---------------------------------------------------------------------------
# Export bucket (provider aws.export_bucket)
# ---------------------------------------------------------------------------

variable "export_bucket_name" {
  description = "Name of the export bucket to create; null lets Terraform choose a unique name starting with the module's name. Created with the aws.export_bucket provider, which must be in the source's account and region: the Distributed Map lists the export's files itself, and Step Functions reaches no resource in another region (and lists only buckets of its own account), while DynamoDB exports to it as the bucket owner (S3BucketOwner)."
  type        = string
  default     = null

  validation {
    condition     = var.export_bucket_name == null || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", coalesce(var.export_bucket_name, "-")))
    error_message = "export_bucket_name must be an S3 bucket name (3-63 lower-case letters, digits, '.' or '-'), or null."
  }
}

variable "export_prefix" {
  description = "Key prefix of the exports in the bucket (no leading or trailing '/'); each execution exports under <prefix>/<execution name>/."
  type        = string
  default     = "first-sync/exports"
  nullable    = false

  validation {
    condition     = can(regex("^[a-zA-Z0-9!_.*'()-]+(/[a-zA-Z0-9!_.*'()-]+)*$", var.export_prefix))
    error_message = "export_prefix must be one or more '/'-separated parts of letters, digits or !_.*'()- (no leading, trailing or double '/')."
  }
}

variable "report_prefix" {
  description = "Key prefix of the verify reports (keys that differ, never item contents) in the bucket; must not overlap export_prefix."
  type        = string
  default     = "first-sync/reports"
  nullable    = false

  validation {
    condition     = can(regex("^[a-zA-Z0-9!_.*'()-]+(/[a-zA-Z0-9!_.*'()-]+)*$", var.report_prefix))
    error_message = "report_prefix must be one or more '/'-separated parts of letters, digits or !_.*'()- (no leading, trailing or double '/')."
  }
}

variable "export_expiration_days" {
  description = "Days after which export objects are deleted (the load and a verify need them for hours; a full copy of the table should not stay around)."
  type        = number
  default     = 7
  nullable    = false

  validation {
    condition     = var.export_expiration_days >= 1 && var.export_expiration_days <= 3650 && floor(var.export_expiration_days) == var.export_expiration_days
    error_message = "export_expiration_days must be a whole number of days from 1 to 3650."
  }
}

variable "report_expiration_days" {
  description = "Days after which verify reports are deleted."
  type        = number
  default     = 90
  nullable    = false

  validation {
    condition     = var.report_expiration_days >= 1 && var.report_expiration_days <= 3650 && floor(var.report_expiration_days) == var.report_expiration_days
    error_message = "report_expiration_days must be a whole number of days from 1 to 3650."
  }
}

variable "export_bucket_kms_key_arn" {
  description = "Customer-managed KMS key to encrypt the bucket with (SSE-KMS with an S3 Bucket Key); null uses SSE-S3. The module grants its roles the key actions they need; the key's own policy must allow them too (and the target first-sync roles, for the import path)."
  type        = string
  default     = null

  validation {
    condition     = var.export_bucket_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z]{2}(-[a-z]+)+-[0-9]+:[0-9]{12}:key/.+$", var.export_bucket_kms_key_arn))
    error_message = "export_bucket_kms_key_arn must be a KMS key ARN like arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab."
  }
}

variable "export_bucket_force_destroy" {
  description = "Let terraform destroy delete the bucket with the objects still in it."
  type        = bool
  default     = false
  nullable    = false
}

# ---------------------------------------------------------------------------
# Functions
# ---------------------------------------------------------------------------

variable "lambda_zip_path" {
  description = "Path of the first-sync bundle (handlers loader.handler, importer.handler, verifier.handler); null uses the module's committed dist/first-sync.zip."
  type        = string
  default     = null
}

variable "architecture" {
  description = "Instruction set of the functions: arm64 (cheaper) or x86_64."
  type        = string
  default     = "arm64"
  nullable    = false

  validation {
    condition     = contains(["arm64", "x86_64"], var.architecture)
    error_message = "architecture must be arm64 or x86_64."
  }
}

variable "loader_memory_size" {
  description = "Memory of the loader and the verifier in MB (128-10240). The loader is CPU-bound and Lambda gives one full vCPU at 1769 MB."
  type        = number
  default     = 1769
  nullable    = false

  validation {
    condition     = var.loader_memory_size >= 128 && var.loader_memory_size <= 10240 && floor(var.loader_memory_size) == var.loader_memory_size
    error_message = "loader_memory_size must be a whole number of MB from 128 to 10240."
  }
}

variable "loader_timeout" {
  description = "Timeout of the loader and the verifier in seconds (60-900). An invocation stops sending before it and the state machine continues the file. After a failed load the workflow waits this long plus a minute before it resumes a mapping that was running, so that no loader invocation still in flight can write a snapshot value after the replay."
  type        = number
  default     = 900
  nullable    = false

  validation {
    condition     = var.loader_timeout >= 60 && var.loader_timeout <= 900 && floor(var.loader_timeout) == var.loader_timeout
    error_message = "loader_timeout must be a whole number of seconds from 60 to 900 (Lambda's longest)."
  }
}

variable "log_level" {
  description = "Powertools log level of the functions (POWERTOOLS_LOG_LEVEL)."
  type        = string
  default     = "INFO"
  nullable    = false

  validation {
    condition     = contains(["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "CRITICAL", "SILENT"], var.log_level)
    error_message = "log_level must be one of TRACE, DEBUG, INFO, WARN, ERROR, CRITICAL, SILENT."
  }
}

variable "metrics_namespace" {
  description = "CloudWatch namespace of the functions' metrics (POWERTOOLS_METRICS_NAMESPACE; the replicator's default is the same)."
  type        = string
  default     = "ddbsync"
  nullable    = false

  validation {
    condition     = can(regex("^[a-zA-Z0-9._#/-]{1,255}$", var.metrics_namespace)) && !startswith(var.metrics_namespace, "AWS/")
    error_message = "metrics_namespace must be 1-255 letters, digits or . _ - / # and must not start with AWS/."
  }
}

variable "log_retention_in_days" {
  description = "Days CloudWatch keeps the functions' logs (a value CloudWatch accepts, such as 7, 30, 90, 365; 0 keeps them forever)."
  type        = number
  default     = 30
  nullable    = false

  validation {
    condition     = contains([0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_in_days)
    error_message = "log_retention_in_days must be one of 0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653."
  }
}

# ---------------------------------------------------------------------------
# Alarms, IAM and tags
# ---------------------------------------------------------------------------

variable "create_alarms" {
  description = "Create CloudWatch alarms on a failed, timed-out or aborted run and on differences found by a verify."
  type        = bool
  default     = true
  nullable    = false
}

variable "alarm_sns_topic_arn" {
  description = "SNS topic notified when an alarm fires or recovers; null creates the alarms without actions."
  type        = string
  default     = null

  validation {
    condition     = var.alarm_sns_topic_arn == null || can(regex("^arn:aws[a-z-]*:sns:[a-z]{2}(-[a-z]+)+-[0-9]+:[0-9]{12}:[a-zA-Z0-9_-]{1,256}(\\.fifo)?$", var.alarm_sns_topic_arn))
    error_message = "alarm_sns_topic_arn must be an SNS topic ARN like arn:aws:sns:us-east-1:123456789012:ops-alerts."
  }
}

variable "role_permissions_boundary_arn" {
  description = "Permissions boundary policy ARN for the roles the module creates, when your account requires one."
  type        = string
  default     = null

  validation {
    condition     = var.role_permissions_boundary_arn == null || can(regex("^arn:aws[a-z-]*:iam::([0-9]{12}|aws):policy/.+$", var.role_permissions_boundary_arn))
    error_message = "role_permissions_boundary_arn must be an IAM policy ARN."
  }
}

variable "tags" {
  description = "Tags for every resource the module creates."
  type        = map(string)
  default     = {}
  nullable    = false
}
