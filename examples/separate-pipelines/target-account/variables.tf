variable "name" {
  description = "Name of the role the replicator assumes, and prefix of the demo replica table."
  type        = string
  default     = "ddbsync-pipelines"
}

variable "target_region" {
  description = "Region of the replica table."
  type        = string
  default     = "eu-west-1"
}

variable "replicator_role_arn" {
  description = "Execution role of the source team's replicator (their output role_arn): the only principal allowed to assume the role."
  type        = string
}

variable "external_id" {
  description = "sts:ExternalId agreed with the source team; change it for a real deployment."
  type        = string
  default     = "ddbsync-example-external-id"
}

variable "target_account_id" {
  description = "This account's id; planning stops if the provider's credentials are for another account."
  type        = string
  default     = null
}

variable "target_assume_role_arn" {
  description = "Role Terraform assumes to act in this account (for example the target team's deployment role); null uses the default credentials."
  type        = string
  default     = null
}
