# The target team's account (Terraform may reach it by assuming a role there).
provider "aws" {
  region = var.target_region

  dynamic "assume_role" {
    for_each = var.target_assume_role_arn == null ? [] : [var.target_assume_role_arn]
    content {
      role_arn     = assume_role.value
      session_name = "ddbsync-terraform"
    }
  }
}
