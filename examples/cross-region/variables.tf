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

variable "aws_endpoint" {
  description = "Endpoint of a local AWS API (for example a moto server, http://127.0.0.1:5000) for every service; null talks to AWS."
  type        = string
  default     = null
}
