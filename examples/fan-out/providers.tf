# Account A: the source table, the function and the same-account replica.
provider "aws" {
  region = var.source_region
}

# Account A in another region: the same-account replica table.
provider "aws" {
  alias  = "replica_region"
  region = var.replica_region
}

# Account B, reached by assuming a role there: the cross-account replica and its role.
provider "aws" {
  alias  = "target"
  region = var.target_region

  dynamic "assume_role" {
    for_each = var.target_assume_role_arn == null ? [] : [var.target_assume_role_arn]
    content {
      role_arn     = assume_role.value
      session_name = "ddbsync-terraform"
    }
  }
}
