variable "name" {
  description = "Name of the replicator function and prefix of the demo source table."
  type        = string
  default     = "ddbsync-pipelines"
}

variable "source_region" {
  description = "Region of the source table and the function."
  type        = string
  default     = "us-east-1"
}

variable "target_role_arn" {
  description = "Role the target team created with modules/target-access (their output role_arn), or the ARN it will have: arn:aws:iam::<target account>:role/<role name>."
  type        = string
}

variable "target_table_name" {
  description = "Replica table in the target account, named by the target team."
  type        = string
  default     = "ddbsync-pipelines-orders-replica"
}

variable "target_region" {
  description = "Region of the replica table, given by the target team."
  type        = string
  default     = "eu-west-1"
}

variable "external_id" {
  description = "sts:ExternalId agreed with the target team; change it for a real deployment."
  type        = string
  default     = "ddbsync-example-external-id"
}

variable "mapping_enabled" {
  description = "Whether the stream mapping polls the stream (the module's enabled input). Apply with false until the target team has applied, then with true."
  type        = bool
  default     = true
}
