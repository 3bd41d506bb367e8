# Inputs of the source-side module: the function, its stream mapping, its dead-letter
# queue, its alarms and its IAM role. Every input is typed and, where AWS has a rule,
# validated here so that a mistake fails at plan time with a message instead of at apply.

variable "name" {
  description = "Name of the function; also the prefix of the role, queue and alarms (letters, digits, - and _; at most 48 characters)."
  type        = string
  default     = "ddbsync"

  validation {
    condition     = can(regex("^[a-zA-Z0-9_-]{1,48}$", var.name))
    error_message = "name must be 1-48 letters, digits, '-' or '_' (it prefixes the function, role, queue and alarm names)."
  }
}

# ---------------------------------------------------------------------------
# Source table and stream
# ---------------------------------------------------------------------------

variable "source_table_name" {
  description = "Source table, looked up in the provider's account and region to find its stream, key and encryption key. Give this or source_stream_arn."
  type        = string
  default     = null

  validation {
    condition     = var.source_table_name == null || can(regex("^[a-zA-Z0-9_.-]{3,255}$", var.source_table_name))
    error_message = "source_table_name must be a DynamoDB table name: 3-255 letters, digits, '_', '-' or '.'."
  }
}

variable "source_stream_arn" {
  description = "Stream ARN of the source table, used instead of a lookup (for a table created in the same configuration). Give source_stream_view_type and source_key_attributes too so that the module can still check them."
  type        = string
  default     = null

  validation {
    condition     = var.source_stream_arn == null || can(regex("^arn:aws[a-z-]*:dynamodb:[a-z]{2}(-[a-z]+)+-[0-9]+:[0-9]{12}:table/[a-zA-Z0-9_.-]{3,255}/stream/.+$", var.source_stream_arn))
    error_message = "source_stream_arn must be a DynamoDB stream ARN like arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2024-01-01T00:00:00.000."
  }
}

variable "source_stream_view_type" {
  description = "Stream view type of the source table when source_stream_arn is given (NEW_IMAGE or NEW_AND_OLD_IMAGES are required); null skips the check."
  type        = string
  default     = null

  validation {
    condition     = var.source_stream_view_type == null || contains(["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"], coalesce(var.source_stream_view_type, "NEW_IMAGE"))
    error_message = "source_stream_view_type must be KEYS_ONLY, NEW_IMAGE, OLD_IMAGE or NEW_AND_OLD_IMAGES."
  }
}

variable "source_key_attributes" {
  description = "Hash and range key attribute names of the source table when source_stream_arn is given, to reject exclude_attributes that name them."
  type        = list(string)
  default     = []
  nullable    = false
}

variable "source_kms_key_arn" {
  description = "Customer-managed KMS key of the source table when source_stream_arn is given (the function gets kms:Decrypt on it to read the stream). Looked up when source_table_name is given."
  type        = string
  default     = null

  validation {
    condition     = var.source_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z]{2}(-[a-z]+)+-[0-9]+:[0-9]{12}:key/.+$", var.source_kms_key_arn))
    error_message = "source_kms_key_arn must be a KMS key ARN like arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab."
  }
}

# ---------------------------------------------------------------------------
# Targets and replication behaviour (the function's environment)
# ---------------------------------------------------------------------------

variable "targets" {
  description = "Tables that receive every change. region defaults to the function's region; role_arn is the role to assume in another account (from the target-access module), external_id its sts:ExternalId. Targets without role_arn are written with the function's own role and get DynamoDB write permissions on it directly. health_role_arn is the target account's health role (target-access output health_role_arn), through which the canary and drift detection read (and drift repair writes) that target with the same external_id; required for targets with role_arn when either is enabled."
  type = list(object({
    table_name      = string
    region          = optional(string)
    role_arn        = optional(string)
    external_id     = optional(string)
    health_role_arn = optional(string)
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
    condition     = alltrue([for t in var.targets : t.role_arn == null || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/[a-zA-Z0-9+=,.@_/-]{1,512}$", t.role_arn))])
    error_message = "Every targets[*].role_arn must be an IAM role ARN like arn:aws:iam::222222222222:role/ddbsync-target (a 12-digit account id and a role name)."
  }
  validation {
    condition     = alltrue([for t in var.targets : t.external_id == null || try(length(t.external_id) >= 2 && length(t.external_id) <= 1224 && can(regex("^[a-zA-Z0-9+=,.@:/_-]+$", t.external_id)), false)])
    error_message = "Every targets[*].external_id must be 2-1224 letters, digits or +=,.@:/-_ (the STS ExternalId rules)."
  }
  validation {
    condition     = alltrue([for t in var.targets : t.health_role_arn == null || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/[a-zA-Z0-9+=,.@_/-]{1,512}$", t.health_role_arn))])
    error_message = "Every targets[*].health_role_arn must be an IAM role ARN like arn:aws:iam::222222222222:role/ddbsync-target-access-health (the target-access module's health_role_arn output)."
  }
  validation {
    condition     = alltrue([for t in var.targets : t.health_role_arn == null || t.role_arn == null || try(split(":", t.health_role_arn)[4] == split(":", t.role_arn)[4], false)])
    error_message = "A target's health_role_arn is in another account than its role_arn; both roles belong to the target table's account (modules/target-access creates them side by side)."
  }
  validation {
    condition     = alltrue([for t in var.targets : t.external_id == null || t.role_arn != null])
    error_message = "A target has external_id but no role_arn; an external id only applies to an assumed role."
  }
  validation {
    condition     = length(distinct([for t in var.targets : format("%s@%s@%s", t.table_name, coalesce(t.region, "-"), coalesce(t.role_arn, "-"))])) == length(var.targets)
    error_message = "targets lists the same table, region and role twice; each target must be different."
  }
}

variable "target_kms_key_arns" {
  description = "Customer-managed KMS keys of same-account targets (those without role_arn); the function gets the KMS actions DynamoDB needs to write to them."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for k in var.target_kms_key_arns : can(regex("^arn:aws[a-z-]*:kms:[a-z]{2}(-[a-z]+)+-[0-9]+:[0-9]{12}:key/.+$", k))])
    error_message = "Every target_kms_key_arns entry must be a KMS key ARN."
  }
}

variable "exclude_attributes" {
  description = "Top-level attributes never written to targets (for example personal data). Must not name the table's key attributes."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for a in var.exclude_attributes : trimspace(a) != "" && !strcontains(a, ",")])
    error_message = "exclude_attributes entries must be non-empty attribute names without commas."
  }
}

variable "skip_ttl_deletes" {
  description = "When true, deletions made by DynamoDB's TTL process are not replicated (targets keep expired items until their own TTL removes them)."
  type        = bool
  default     = false
  nullable    = false
}

variable "max_concurrency" {
  description = "Most BatchWriteItem requests in flight per target (1-128)."
  type        = number
  default     = 64
  nullable    = false

  validation {
    condition     = var.max_concurrency >= 1 && var.max_concurrency <= 128 && floor(var.max_concurrency) == var.max_concurrency
    error_message = "max_concurrency must be a whole number from 1 to 128."
  }
}

# ---------------------------------------------------------------------------
# Function
# ---------------------------------------------------------------------------

variable "lambda_zip_path" {
  description = "Path of the function bundle; null uses the module's committed dist/replicator.zip."
  type        = string
  default     = null
}

variable "health_lambda_zip_path" {
  description = "Path of the canary and drift detection bundle; null uses the module's committed dist/health.zip."
  type        = string
  default     = null
}

variable "architecture" {
  description = "Instruction set of the function: arm64 (cheaper) or x86_64."
  type        = string
  default     = "arm64"
  nullable    = false

  validation {
    condition     = contains(["arm64", "x86_64"], var.architecture)
    error_message = "architecture must be arm64 or x86_64."
  }
}

variable "memory_size" {
  description = "Memory of the function in MB (128-10240); CPU grows with it."
  type        = number
  default     = 256
  nullable    = false

  validation {
    condition     = var.memory_size >= 128 && var.memory_size <= 10240 && floor(var.memory_size) == var.memory_size
    error_message = "memory_size must be a whole number of MB from 128 to 10240."
  }
}

variable "timeout" {
  description = "Function timeout in seconds (1-900). A batch that times out is retried whole."
  type        = number
  default     = 60
  nullable    = false

  validation {
    condition     = var.timeout >= 1 && var.timeout <= 900 && floor(var.timeout) == var.timeout
    error_message = "timeout must be a whole number of seconds from 1 to 900."
  }
}

variable "reserved_concurrent_executions" {
  description = "Concurrency reserved for the function; -1 leaves it unreserved."
  type        = number
  default     = -1
  nullable    = false

  validation {
    condition     = var.reserved_concurrent_executions >= -1 && floor(var.reserved_concurrent_executions) == var.reserved_concurrent_executions
    error_message = "reserved_concurrent_executions must be -1 (unreserved) or a whole number of 0 or more."
  }
}

variable "log_level" {
  description = "Powertools log level of the function (POWERTOOLS_LOG_LEVEL)."
  type        = string
  default     = "INFO"
  nullable    = false

  validation {
    condition     = contains(["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "CRITICAL", "SILENT"], var.log_level)
    error_message = "log_level must be one of TRACE, DEBUG, INFO, WARN, ERROR, CRITICAL, SILENT."
  }
}

variable "service_name" {
  description = "Powertools service name (POWERTOOLS_SERVICE_NAME, the metrics' service dimension); null uses name."
  type        = string
  default     = null
}

variable "metrics_namespace" {
  description = "CloudWatch namespace of the function's metrics (POWERTOOLS_METRICS_NAMESPACE)."
  type        = string
  default     = "ddbsync"
  nullable    = false

  validation {
    condition     = can(regex("^[a-zA-Z0-9._#/-]{1,255}$", var.metrics_namespace)) && !startswith(var.metrics_namespace, "AWS/")
    error_message = "metrics_namespace must be 1-255 letters, digits or . _ - / # and must not start with AWS/."
  }
}

variable "log_retention_in_days" {
  description = "Days CloudWatch keeps the function's logs (a value CloudWatch accepts, such as 7, 30, 90, 365; 0 keeps them forever)."
  type        = number
  default     = 30
  nullable    = false

  validation {
    condition     = contains([0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_in_days)
    error_message = "log_retention_in_days must be one of 0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653."
  }
}

variable "log_kms_key_arn" {
  description = "KMS key ARN to encrypt the log group with; null uses CloudWatch's default encryption."
  type        = string
  default     = null

  validation {
    condition     = var.log_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z]{2}(-[a-z]+)+-[0-9]+:[0-9]{12}:key/.+$", var.log_kms_key_arn))
    error_message = "log_kms_key_arn must be a KMS key ARN."
  }
}

# ---------------------------------------------------------------------------
# Event source mapping
# ---------------------------------------------------------------------------

variable "enabled" {
  description = "Whether the mapping polls the stream; false pauses replication while records keep accumulating (for up to 24 hours)."
  type        = bool
  default     = true
  nullable    = false
}

variable "batch_size" {
  description = "Most records per invocation (1-10000)."
  type        = number
  default     = 100
  nullable    = false

  validation {
    condition     = var.batch_size >= 1 && var.batch_size <= 10000 && floor(var.batch_size) == var.batch_size
    error_message = "batch_size must be a whole number from 1 to 10000 (the DynamoDB Streams limit)."
  }
}

variable "maximum_batching_window_in_seconds" {
  description = "Seconds to gather records before invoking (0-300); 0 invokes as soon as records arrive."
  type        = number
  default     = 0
  nullable    = false

  validation {
    condition     = var.maximum_batching_window_in_seconds >= 0 && var.maximum_batching_window_in_seconds <= 300 && floor(var.maximum_batching_window_in_seconds) == var.maximum_batching_window_in_seconds
    error_message = "maximum_batching_window_in_seconds must be a whole number from 0 to 300."
  }
}

variable "parallelization_factor" {
  description = "Concurrent batches per stream shard (1-10). Records of one item stay in order whatever the value."
  type        = number
  default     = 1
  nullable    = false

  validation {
    condition     = var.parallelization_factor >= 1 && var.parallelization_factor <= 10 && floor(var.parallelization_factor) == var.parallelization_factor
    error_message = "parallelization_factor must be a whole number from 1 to 10."
  }
}

variable "starting_position" {
  description = "Where a new mapping starts reading: LATEST (new changes only; backfill the rest with the CLI) or TRIM_HORIZON (the last 24 hours)."
  type        = string
  default     = "LATEST"
  nullable    = false

  validation {
    condition     = contains(["LATEST", "TRIM_HORIZON"], var.starting_position)
    error_message = "starting_position must be LATEST or TRIM_HORIZON."
  }
}

variable "maximum_retry_attempts" {
  description = "Retries of a failing batch before its records go to the dead-letter queue (0-10000; unbounded retries are not allowed, they would block the shard)."
  type        = number
  default     = 10
  nullable    = false

  validation {
    condition     = var.maximum_retry_attempts >= 0 && var.maximum_retry_attempts <= 10000 && floor(var.maximum_retry_attempts) == var.maximum_retry_attempts
    error_message = "maximum_retry_attempts must be a whole number from 0 to 10000."
  }
}

variable "maximum_record_age_in_seconds" {
  description = "Records older than this go to the dead-letter queue instead of being retried (60-604800 seconds)."
  type        = number
  default     = 86400
  nullable    = false

  validation {
    condition     = var.maximum_record_age_in_seconds >= 60 && var.maximum_record_age_in_seconds <= 604800 && floor(var.maximum_record_age_in_seconds) == var.maximum_record_age_in_seconds
    error_message = "maximum_record_age_in_seconds must be a whole number from 60 to 604800."
  }
}

variable "bisect_batch_on_function_error" {
  description = "Split a failing batch in two and retry each half, isolating a bad record."
  type        = bool
  default     = true
  nullable    = false
}

variable "filter_patterns" {
  description = "Lambda event filter patterns (JSON strings, at most 5); only matching records invoke the function. Empty replicates everything."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = length(var.filter_patterns) <= 5 && alltrue([for p in var.filter_patterns : can(jsondecode(p))])
    error_message = "filter_patterns must hold at most 5 entries, each a JSON object such as {\"eventName\":[\"INSERT\",\"MODIFY\"]}."
  }
}

# ---------------------------------------------------------------------------
# Dead-letter queue
# ---------------------------------------------------------------------------

variable "create_dlq" {
  description = "Create an SQS queue (encrypted) for records that fail every retry. When false, give dlq_arn."
  type        = bool
  default     = true
  nullable    = false
}

variable "dlq_arn" {
  description = "Existing SQS queue for failed records, used when create_dlq is false."
  type        = string
  default     = null

  validation {
    condition     = var.dlq_arn == null || can(regex("^arn:aws[a-z-]*:sqs:[a-z]{2}(-[a-z]+)+-[0-9]+:[0-9]{12}:[a-zA-Z0-9_-]{1,80}(\\.fifo)?$", var.dlq_arn))
    error_message = "dlq_arn must be an SQS queue ARN like arn:aws:sqs:us-east-1:123456789012:ddbsync-dlq."
  }
}

variable "dlq_kms_key_id" {
  description = "KMS key for the created queue; null uses SQS-managed encryption (SSE-SQS)."
  type        = string
  default     = null
}

variable "dlq_message_retention_seconds" {
  description = "Seconds the created queue keeps failed-record messages (60-1209600; default 14 days)."
  type        = number
  default     = 1209600
  nullable    = false

  validation {
    condition     = var.dlq_message_retention_seconds >= 60 && var.dlq_message_retention_seconds <= 1209600 && floor(var.dlq_message_retention_seconds) == var.dlq_message_retention_seconds
    error_message = "dlq_message_retention_seconds must be a whole number from 60 to 1209600."
  }
}

# ---------------------------------------------------------------------------
# Alarms
# ---------------------------------------------------------------------------

variable "create_alarms" {
  description = "Create CloudWatch alarms on iterator age, errors, throttles and dead-letter messages."
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

variable "iterator_age_alarm_threshold_ms" {
  description = "Alarm when the age of the newest record read exceeds this many milliseconds (replication lag)."
  type        = number
  default     = 300000
  nullable    = false

  validation {
    condition     = var.iterator_age_alarm_threshold_ms > 0
    error_message = "iterator_age_alarm_threshold_ms must be greater than 0."
  }
}

variable "alarm_period_seconds" {
  description = "Period of the alarms' metrics in seconds (60 or a multiple of 60)."
  type        = number
  default     = 60
  nullable    = false

  validation {
    condition     = var.alarm_period_seconds >= 60 && var.alarm_period_seconds % 60 == 0
    error_message = "alarm_period_seconds must be 60 or a multiple of 60."
  }
}

variable "alarm_evaluation_periods" {
  description = "Consecutive breaching periods before an alarm fires (1-100)."
  type        = number
  default     = 5
  nullable    = false

  validation {
    condition     = var.alarm_evaluation_periods >= 1 && var.alarm_evaluation_periods <= 100 && floor(var.alarm_evaluation_periods) == var.alarm_evaluation_periods
    error_message = "alarm_evaluation_periods must be a whole number from 1 to 100."
  }
}

# ---------------------------------------------------------------------------
# Health: lag canary, drift detection, dashboard
# ---------------------------------------------------------------------------

variable "canary" {
  description = <<-EOT
    Lag canary (opt-in): on schedule_expression, a function writes a heartbeat item into the
    source table and polls every target with consistent reads until it arrives, publishing
    EndToEndLatency (ms, resolution poll_interval_ms) and HeartbeatMissing (1 when it has not
    arrived within miss_threshold_seconds, else 0) per target, with alarms on both.
    heartbeat_key is the heartbeat item's full key as DynamoDB JSON; a string partition key
    value (else a string sort key value) must start with the reserved prefix
    __ddbsync_heartbeat__, which your own items must not use. ttl_attribute (the table's TTL attribute, if any) makes heartbeats expire after
    ttl_seconds. The latency alarm fires after latency_alarm_runs runs slower than
    latency_alarm_ms; alarm_period_seconds defaults to the rate() interval and must be given
    for a cron() schedule.
  EOT
  type = object({
    enabled                = optional(bool, false)
    heartbeat_key          = optional(string)
    ttl_attribute          = optional(string)
    ttl_seconds            = optional(number, 3600)
    schedule_expression    = optional(string, "rate(1 minute)")
    miss_threshold_seconds = optional(number, 60)
    poll_interval_ms       = optional(number, 200)
    latency_alarm_ms       = optional(number, 30000)
    latency_alarm_runs     = optional(number, 3)
    alarm_period_seconds   = optional(number)
  })
  default  = {}
  nullable = false

  validation {
    condition     = !var.canary.enabled || var.canary.heartbeat_key != null
    error_message = "canary.enabled is true but canary.heartbeat_key is not set. Give the heartbeat item's full key as DynamoDB JSON, for example {\"pk\":{\"S\":\"__ddbsync_heartbeat__\"},\"sk\":{\"S\":\"canary\"}}."
  }
  validation {
    condition = var.canary.heartbeat_key == null || try(
      length(jsondecode(var.canary.heartbeat_key)) >= 1 && length(jsondecode(var.canary.heartbeat_key)) <= 2 && alltrue([
        for name, value in jsondecode(var.canary.heartbeat_key) :
        name != "" && length(value) == 1 && contains(["S", "N", "B"], keys(value)[0]) && length(values(value)[0]) > 0 && (keys(value)[0] != "N" || can(tonumber(values(value)[0])))
      ]),
    false)
    error_message = "canary.heartbeat_key must be DynamoDB JSON of the source table's full key: an object with the partition (and sort) key attribute, each {\"S\": \"...\"}, {\"N\": \"<number as a string>\"} or {\"B\": \"<base64>\"}, for example {\"pk\":{\"S\":\"__ddbsync_heartbeat__\"},\"sk\":{\"S\":\"canary\"}}."
  }
  validation {
    condition     = var.canary.ttl_attribute == null || try(trimspace(var.canary.ttl_attribute) != "" && !contains(["ddbsync_heartbeat_at", "ddbsync_heartbeat_id"], var.canary.ttl_attribute), false)
    error_message = "canary.ttl_attribute must be the name of the source table's TTL attribute (not empty, not ddbsync_heartbeat_at or ddbsync_heartbeat_id), or null when the table has no TTL."
  }
  validation {
    condition     = var.canary.ttl_seconds >= 60 && var.canary.ttl_seconds <= 31536000 && floor(var.canary.ttl_seconds) == var.canary.ttl_seconds
    error_message = "canary.ttl_seconds must be a whole number of seconds from 60 to 31536000 (one year)."
  }
  validation {
    condition     = can(regex("^(rate\\((1 (minute|hour|day)|([2-9]|[1-9][0-9]+) (minutes|hours|days))\\)|cron\\([^ ()]+( [^ ()]+){5}\\))$", var.canary.schedule_expression))
    error_message = "canary.schedule_expression must be an EventBridge Scheduler rate or cron expression: rate(1 minute), rate(5 minutes), rate(1 hour) (singular for 1, plural otherwise) or cron(<minutes> <hours> <day-of-month> <month> <day-of-week> <year>) such as cron(0/5 * * * ? *)."
  }
  validation {
    condition     = var.canary.miss_threshold_seconds >= 1 && var.canary.miss_threshold_seconds <= 840 && floor(var.canary.miss_threshold_seconds) == var.canary.miss_threshold_seconds
    error_message = "canary.miss_threshold_seconds must be a whole number from 1 to 840 (the canary function's timeout is this plus 30 seconds, at most 900)."
  }
  validation {
    condition     = var.canary.poll_interval_ms >= 50 && var.canary.poll_interval_ms <= 60000 && floor(var.canary.poll_interval_ms) == var.canary.poll_interval_ms && var.canary.poll_interval_ms < var.canary.miss_threshold_seconds * 1000
    error_message = "canary.poll_interval_ms must be a whole number from 50 to 60000 and shorter than miss_threshold_seconds (it is the resolution of EndToEndLatency, and each poll is one consistent GetItem per target)."
  }
  validation {
    condition     = var.canary.latency_alarm_ms > 0 && var.canary.latency_alarm_ms < var.canary.miss_threshold_seconds * 1000
    error_message = "canary.latency_alarm_ms must be above 0 and below canary.miss_threshold_seconds x 1000: a heartbeat later than the threshold is reported as missing, never as a latency. Lower latency_alarm_ms or raise miss_threshold_seconds."
  }
  validation {
    condition     = var.canary.latency_alarm_runs >= 1 && var.canary.latency_alarm_runs <= 100 && floor(var.canary.latency_alarm_runs) == var.canary.latency_alarm_runs
    error_message = "canary.latency_alarm_runs must be a whole number from 1 to 100."
  }
  validation {
    condition     = var.canary.alarm_period_seconds == null || try(var.canary.alarm_period_seconds >= 60 && var.canary.alarm_period_seconds <= 86400 && var.canary.alarm_period_seconds % 60 == 0, false)
    error_message = "canary.alarm_period_seconds must be a multiple of 60 from 60 to 86400, or null to use the schedule's rate() interval."
  }
}

variable "drift_detection" {
  description = <<-EOT
    Scheduled drift detection (opt-in): on schedule_expression, a function samples
    sample_items items of the source (random segments of a parallel Scan of
    sample_segments segments, at most read_capacity read units a second) and of each target
    (to find items only in a target), compares them with consistent reads, re-checks each
    difference against the source after recheck_delay_seconds (so changes in flight are not
    reported) and publishes DriftedItems, DriftSampledItems (and DriftRepairedItems) per
    target. repair = true writes the source's version to the target (the target-access
    health role then needs health_repair = true). Keys of drifted items, never contents, go
    to the log and, when report_bucket is set, to s3://<report_bucket>/drift/. The alarm
    fires when DriftedItems is above 0 in alarm_runs consecutive runs; alarm_period_seconds
    defaults to the rate() interval and must be given for a cron() schedule.
  EOT
  type = object({
    enabled               = optional(bool, false)
    schedule_expression   = optional(string, "rate(1 hour)")
    sample_items          = optional(number, 1000)
    sample_segments       = optional(number, 1000)
    read_capacity         = optional(number, 100)
    recheck_delay_seconds = optional(number, 5)
    repair                = optional(bool, false)
    report_bucket         = optional(string)
    alarm_runs            = optional(number, 1)
    alarm_period_seconds  = optional(number)
    timeout_seconds       = optional(number, 300)
  })
  default  = {}
  nullable = false

  validation {
    condition     = can(regex("^(rate\\((1 (minute|hour|day)|([2-9]|[1-9][0-9]+) (minutes|hours|days))\\)|cron\\([^ ()]+( [^ ()]+){5}\\))$", var.drift_detection.schedule_expression))
    error_message = "drift_detection.schedule_expression must be an EventBridge Scheduler rate or cron expression: rate(1 hour), rate(6 hours), rate(1 day) (singular for 1, plural otherwise) or cron(<minutes> <hours> <day-of-month> <month> <day-of-week> <year>) such as cron(0 3 * * ? *)."
  }
  validation {
    condition     = var.drift_detection.sample_items >= 1 && var.drift_detection.sample_items <= 1000000 && floor(var.drift_detection.sample_items) == var.drift_detection.sample_items
    error_message = "drift_detection.sample_items must be a whole number of items per run from 1 to 1000000."
  }
  validation {
    condition     = var.drift_detection.sample_segments >= 1 && var.drift_detection.sample_segments <= 1000000 && floor(var.drift_detection.sample_segments) == var.drift_detection.sample_segments
    error_message = "drift_detection.sample_segments must be a whole number from 1 to 1000000 (DynamoDB's Scan TotalSegments limit); 1 scans the table from the start."
  }
  validation {
    condition     = var.drift_detection.read_capacity >= 1 && var.drift_detection.read_capacity <= 40000 && floor(var.drift_detection.read_capacity) == var.drift_detection.read_capacity
    error_message = "drift_detection.read_capacity must be a whole number of read capacity units per second from 1 to 40000."
  }
  validation {
    condition     = var.drift_detection.recheck_delay_seconds >= 0 && var.drift_detection.recheck_delay_seconds <= 600 && floor(var.drift_detection.recheck_delay_seconds) == var.drift_detection.recheck_delay_seconds
    error_message = "drift_detection.recheck_delay_seconds must be a whole number from 0 to 600; make it longer than your replication lag so that changes in flight are not reported."
  }
  validation {
    condition     = var.drift_detection.report_bucket == null || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", coalesce(var.drift_detection.report_bucket, "-")))
    error_message = "drift_detection.report_bucket must be an S3 bucket name (3-63 lower-case letters, digits, '.' or '-'), not an ARN or s3:// URL; or null for no report objects."
  }
  validation {
    condition     = var.drift_detection.alarm_runs >= 1 && var.drift_detection.alarm_runs <= 100 && floor(var.drift_detection.alarm_runs) == var.drift_detection.alarm_runs
    error_message = "drift_detection.alarm_runs must be a whole number of consecutive runs from 1 to 100."
  }
  validation {
    condition     = var.drift_detection.alarm_period_seconds == null || try(var.drift_detection.alarm_period_seconds >= 60 && var.drift_detection.alarm_period_seconds <= 86400 && var.drift_detection.alarm_period_seconds % 60 == 0, false)
    error_message = "drift_detection.alarm_period_seconds must be a multiple of 60 from 60 to 86400, or null to use the schedule's rate() interval."
  }
  validation {
    condition     = var.drift_detection.timeout_seconds >= 30 && var.drift_detection.timeout_seconds <= 900 && floor(var.drift_detection.timeout_seconds) == var.drift_detection.timeout_seconds && var.drift_detection.timeout_seconds >= var.drift_detection.recheck_delay_seconds + 60
    error_message = "drift_detection.timeout_seconds must be a whole number from 30 to 900 and at least recheck_delay_seconds + 60: a run samples, waits the delay, then keeps about 25 s for the re-check, repair, metrics and report."
  }
}

variable "create_dashboard" {
  description = "Create a CloudWatch dashboard (named after the function) with the replicator's throughput, failures, lag, dead-letter depth, errors and duration, plus the canary's and drift detection's metrics per target when they are enabled."
  type        = bool
  default     = true
  nullable    = false
}

# ---------------------------------------------------------------------------
# IAM and tags
# ---------------------------------------------------------------------------

variable "role_permissions_boundary_arn" {
  description = "Permissions boundary policy ARN for the function's role, when your account requires one."
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
