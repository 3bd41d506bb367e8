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

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]+$", var.source_region))
    error_message = "source_region must be an AWS region name like us-east-1."
  }
}

variable "target_b" {
  description = "The target in account B: its region and the role Terraform assumes there."
  type = object({
    region            = string
    deployer_role_arn = string
  })

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]+$", var.target_b.region)) && can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$", var.target_b.deployer_role_arn))
    error_message = "target_b needs a region name like eu-west-1 and deployer_role_arn an IAM role ARN in the target account."
  }
}

variable "target_c" {
  description = "The target in account C: its region and the role Terraform assumes there."
  type = object({
    region            = string
    deployer_role_arn = string
  })

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]+$", var.target_c.region)) && can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$", var.target_c.deployer_role_arn))
    error_message = "target_c needs a region name like eu-west-1 and deployer_role_arn an IAM role ARN in the target account."
  }
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

  validation {
    condition     = length(var.external_id) >= 2 && length(var.external_id) <= 1224 && can(regex("^[a-zA-Z0-9+=,.@:/_-]+$", var.external_id))
    error_message = "external_id must be 2-1224 letters, digits or +=,.@:/-_ (the STS ExternalId rules)."
  }
}
