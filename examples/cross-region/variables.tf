variable "name" {
  description = "Name of the replicator function and prefix of the demo tables."
  type        = string
  default     = "ddbsync-xregion"
}

variable "source_region" {
  description = "Region of the source table and the function."
  type        = string
  default     = "us-east-1"
}

variable "replica_region" {
  description = "Region of the replica table (same account)."
  type        = string
  default     = "us-west-2"
}

variable "mapping_enabled" {
  description = "Whether the stream mapping polls the stream (the module's enabled input); false creates it paused."
  type        = bool
  default     = true
}
