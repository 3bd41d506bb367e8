variable "name" {
  description = "Name of the replicator function and prefix of the demo tables and the first-sync resources."
  type        = string
  default     = "ddbsync-first"
}

variable "source_region" {
  description = "Region of the source table, the function and the first-sync workflow (account A)."
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
  description = "sts:ExternalId shared by the functions and the target roles; change it for a real deployment."
  type        = string
  default     = "ddbsync-example-external-id"
}

variable "mapping_enabled" {
  description = "Whether the stream mapping polls the stream (the module's enabled input). Keep it false until `ddbsync first-sync start` has run: the workflow enables the mapping after the load, and setting true afterwards changes nothing."
  type        = bool
  default     = false
}
