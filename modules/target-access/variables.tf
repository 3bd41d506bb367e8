# Inputs of the target-side module: a role in the target account that only the
# replicator's execution role may assume, allowed to write only the named tables.

variable "name" {
  description = "Name of the role the replicator assumes in this account."
  type        = string
  default     = "ddbsync-target-access"
  nullable    = false

  validation {
    condition     = can(regex("^[a-zA-Z0-9+=,.@_-]{1,64}$", var.name))
    error_message = "name must be an IAM role name: 1-64 letters, digits or +=,.@_-."
  }
}

variable "replicator_role_arn" {
  description = "Execution role ARN of the replicator function (output role_arn of the replicator module); the only principal allowed to assume this role."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/[a-zA-Z0-9+=,.@_/-]{1,512}$", var.replicator_role_arn))
    error_message = "replicator_role_arn must be an IAM role ARN like arn:aws:iam::111111111111:role/ddbsync (a 12-digit account id and a role name)."
  }
}

variable "external_id" {
  description = "Value the replicator must pass as sts:ExternalId (the targets' external_id on the source side). Treat it as a shared secret between the two teams."
  type        = string
  nullable    = false

  validation {
    condition     = length(var.external_id) >= 2 && length(var.external_id) <= 1224 && can(regex("^[a-zA-Z0-9+=,.@:/_-]+$", var.external_id))
    error_message = "external_id must be 2-1224 letters, digits or +=,.@:/-_ (the STS ExternalId rules)."
  }
}

variable "organization_id" {
  description = "When set, the role may only be assumed by principals of this AWS Organization (aws:PrincipalOrgID), in addition to the role ARN check."
  type        = string
  default     = null

  validation {
    condition     = var.organization_id == null || can(regex("^o-[a-z0-9]{10,32}$", var.organization_id))
    error_message = "organization_id must look like o-a1b2c3d4e5 (o- followed by 10-32 lower-case letters or digits)."
  }
}

variable "table_names" {
  description = "Target tables the role may write, in this provider's account and region."
  type        = list(string)
  nullable    = false

  validation {
    condition     = length(var.table_names) > 0 && alltrue([for n in var.table_names : can(regex("^[a-zA-Z0-9_.-]{3,255}$", n))])
    error_message = "table_names must list at least one DynamoDB table name (3-255 letters, digits, '_', '-' or '.')."
  }
}

variable "lookup_tables" {
  description = "Look the tables up (to find their ARNs and customer-managed KMS keys). Set false when the tables are created in the same apply; their ARNs are then built from the account and region, and kms_key_arns must list their keys."
  type        = bool
  default     = true
  nullable    = false
}

variable "kms_key_arns" {
  description = "Customer-managed KMS keys of the target tables, added to those found by lookup."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for k in var.kms_key_arns : can(regex("^arn:aws[a-z-]*:kms:[a-z]{2}(-[a-z]+)+-[0-9]+:[0-9]{12}:key/.+$", k))])
    error_message = "Every kms_key_arns entry must be a KMS key ARN like arn:aws:kms:eu-west-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab."
  }
}

variable "max_session_duration" {
  description = "Longest session, in seconds, the replicator may hold (3600-43200)."
  type        = number
  default     = 3600
  nullable    = false

  validation {
    condition     = var.max_session_duration >= 3600 && var.max_session_duration <= 43200
    error_message = "max_session_duration must be from 3600 to 43200 seconds."
  }
}

variable "permissions_boundary_arn" {
  description = "Permissions boundary policy ARN for the role, when the target account requires one."
  type        = string
  default     = null

  validation {
    condition     = var.permissions_boundary_arn == null || can(regex("^arn:aws[a-z-]*:iam::([0-9]{12}|aws):policy/.+$", var.permissions_boundary_arn))
    error_message = "permissions_boundary_arn must be an IAM policy ARN."
  }
}

variable "tags" {
  description = "Tags for the role."
  type        = map(string)
  default     = {}
  nullable    = false
}

variable "health_reader_role_arns" {
  description = "Execution roles of the source side's lag canary and drift detection (replicator output health_reader_role_arns). When not empty, a second role (health_role_name) is created that only they may assume, with the same external id and organization condition, allowed to read the tables (GetItem, BatchGetItem, Scan, DescribeTable)."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for a in var.health_reader_role_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/[a-zA-Z0-9+=,.@_/-]{1,512}$", a))])
    error_message = "Every health_reader_role_arns entry must be an IAM role ARN like arn:aws:iam::111111111111:role/ddbsync-canary (the replicator module's health_reader_role_arns output)."
  }
}

variable "health_repair" {
  description = "Also allow the health role to write the tables (PutItem, DeleteItem, BatchWriteItem), for drift detection with repair = true on the source side."
  type        = bool
  default     = false
  nullable    = false
}

variable "health_role_name" {
  description = "Name of the health role; null uses the name input followed by \"-health\"."
  type        = string
  default     = null

  validation {
    condition     = var.health_role_name == null || can(regex("^[a-zA-Z0-9+=,.@_-]{1,64}$", coalesce(var.health_role_name, "-")))
    error_message = "health_role_name must be an IAM role name: 1-64 letters, digits or +=,.@_-."
  }
}

variable "first_sync_role_arns" {
  description = "Execution roles of the source side's first-sync functions (first-sync module output function_role_arns). When not empty, a third role (first_sync_role_name) is created that only they may assume, with the same external id and organization condition, allowed to write and read the tables (BatchWriteItem, PutItem, DeleteItem, DescribeTable, GetItem, BatchGetItem, Scan). It is separate from the writer role so the replicator never gets Scan or ImportTable, and can be removed after the first sync."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for a in var.first_sync_role_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/[a-zA-Z0-9+=,.@_/-]{1,512}$", a))])
    error_message = "Every first_sync_role_arns entry must be an IAM role ARN like arn:aws:iam::111111111111:role/ddbsync-first-sync-loader (the first-sync module's function_role_arns output)."
  }
}

variable "first_sync_import" {
  description = "Also allow the first-sync role to create the tables from the export with ImportTable (dynamodb:ImportTable and DescribeImport on the tables and their imports, s3:GetObject and s3:ListBucket on first_sync_export_bucket_arn, and the CloudWatch Logs actions ImportTable documents under /aws-dynamodb/), for the import path into tables that do not exist yet."
  type        = bool
  default     = false
  nullable    = false
}

variable "first_sync_export_bucket_arn" {
  description = "ARN of the first-sync export bucket (first-sync module output bucket_arn); required when first_sync_import is true."
  type        = string
  default     = null

  validation {
    condition     = var.first_sync_export_bucket_arn == null || can(regex("^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", coalesce(var.first_sync_export_bucket_arn, "-")))
    error_message = "first_sync_export_bucket_arn must be an S3 bucket ARN like arn:aws:s3:::ddbsync-first-sync-export."
  }
}

variable "first_sync_role_name" {
  description = "Name of the first-sync role; null uses the name input followed by \"-first-sync\"."
  type        = string
  default     = null

  validation {
    condition     = var.first_sync_role_name == null || can(regex("^[a-zA-Z0-9+=,.@_-]{1,64}$", coalesce(var.first_sync_role_name, "-")))
    error_message = "first_sync_role_name must be an IAM role name: 1-64 letters, digits or +=,.@_-."
  }
}
