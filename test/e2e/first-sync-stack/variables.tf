variable "name" {
  description = "Prefix of every resource; each run of the test gets its own."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,30}$", var.name))
    error_message = "name must be 3-31 lower-case letters, digits or dashes, starting with a letter."
  }
}

variable "source_region" {
  description = "Region of the source table in account A."
  type        = string
  default     = "us-east-1"
}

variable "target_b" {
  description = "The target in account B: its region and the role Terraform assumes there."
  type = object({
    region            = string
    deployer_role_arn = string
  })
}

variable "target_c" {
  description = "The target in account C: its region and the role Terraform assumes there."
  type = object({
    region            = string
    deployer_role_arn = string
  })
}

variable "new_target_tables" {
  description = "true: the target tables are not created here (the first sync imports into new tables with ImportTable); false: they are created empty (the Map path loads existing tables)."
  type        = bool
  default     = false
}

variable "external_id" {
  description = "sts:ExternalId of the target roles."
  type        = string
  default     = "ddbsync-e2e-first-sync"
}
