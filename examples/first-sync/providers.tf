# Account A (source): the source table, the functions, the workflow and its export bucket.
provider "aws" {
  region = var.source_region
}

# Account B (target), reached by assuming a role there.
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
