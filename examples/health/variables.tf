variable "name" {
  description = "Name of the replicator function, prefix of the health functions, alarms and dashboard, and of the demo tables."
  type        = string
  default     = "ddbsync-health"
}

variable "source_region" {
  description = "Region of the source table and the functions (account A)."
  type        = string
  default     = "us-east-1"
}

variable "target_region" {
  description = "Region of the replica table (account B)."
  type        = string
  default     = "eu-west-1"
}

variable "target_account_id" {
  description = "Account B's id; planning stops if the target provider's credentials are for another account."
  type        = string
  default     = null
}

variable "target_assume_role_arn" {
  description = "Role Terraform assumes to act in account B (for example a deployment role there); null uses the default credentials for the target provider too."
  type        = string
  default     = null
}

variable "external_id" {
  description = "sts:ExternalId shared by the functions and the roles in account B; change it for a real deployment."
  type        = string
  default     = "ddbsync-example-external-id"
}

variable "mapping_enabled" {
  description = "Whether the stream mapping polls the stream (the module's enabled input); false creates it paused."
  type        = bool
  default     = true
}

variable "canary_miss_threshold_seconds" {
  description = "Seconds after which a heartbeat not seen in the replica counts as missing (at most the canary's one-minute interval)."
  type        = number
  default     = 60
}

variable "canary_latency_alarm_ms" {
  description = "Alarm when heartbeats take longer than this to reach the replica in 3 runs in a row (below the miss threshold)."
  type        = number
  default     = 30000
}

variable "drift_sample_segments" {
  description = "Parallel Scan segments drift detection picks its sample from at random; 1 reads the table from its start (enough for a small table)."
  type        = number
  default     = 1000
}

variable "drift_recheck_delay_seconds" {
  description = "Seconds drift detection waits before re-checking a difference, so that changes still replicating are not reported."
  type        = number
  default     = 5
}

variable "drift_repair" {
  description = "Let drift detection write the source's version of drifted items into the replica (and the health role in account B write the table)."
  type        = bool
  default     = false
}

variable "reports_force_destroy" {
  description = "Let terraform destroy delete the report bucket with its drift reports in it."
  type        = bool
  default     = false
}
