# The health role (optional): what the source side's lag canary and drift detection assume to
# read the replica tables, and to repair them when drift repair is on. Separate from the
# writer role so that the replicator keeps no read access and the readers no write access.

locals {
  create_health_role = length(var.health_reader_role_arns) > 0
  health_role_name   = coalesce(var.health_role_name, "${var.name}-health")

  health_read_actions   = ["dynamodb:BatchGetItem", "dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:Scan"]
  health_repair_actions = ["dynamodb:BatchWriteItem", "dynamodb:DeleteItem", "dynamodb:PutItem"]
}

data "aws_iam_policy_document" "health_trust" {
  count = local.create_health_role ? 1 : 0

  statement {
    sid     = "HealthFunctionsOnly"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "AWS"
      identifiers = var.health_reader_role_arns
    }

    dynamic "condition" {
      for_each = local.trust_conditions
      content {
        test     = "StringEquals"
        variable = condition.value.variable
        values   = condition.value.values
      }
    }
  }
}

resource "aws_iam_role" "health" {
  count = local.create_health_role ? 1 : 0

  name                 = local.health_role_name
  description          = "Lets the ddbsync canary and drift detection read${var.health_repair ? " and repair" : ""} the replica tables"
  assume_role_policy   = data.aws_iam_policy_document.health_trust[0].json
  max_session_duration = var.max_session_duration
  permissions_boundary = var.permissions_boundary_arn
  tags                 = merge({ "ddbsync:component" = "target-access-health" }, var.tags)

  lifecycle {
    precondition {
      condition     = length(local.health_role_name) <= 64
      error_message = "The health role's name \"${local.health_role_name}\" is longer than IAM's 64 characters; set health_role_name."
    }
  }
}

data "aws_iam_policy_document" "health" {
  count = local.create_health_role ? 1 : 0

  statement {
    sid       = "ReadTargetTables"
    effect    = "Allow"
    actions   = local.health_read_actions
    resources = local.table_arns
  }

  dynamic "statement" {
    for_each = var.health_repair ? [1] : []
    content {
      sid       = "RepairTargetTables"
      effect    = "Allow"
      actions   = local.health_repair_actions
      resources = local.table_arns
    }
  }

  # As for the writer role: DynamoDB uses the caller's permissions on a customer-managed key.
  dynamic "statement" {
    for_each = length(local.kms_key_arns) > 0 ? [1] : []
    content {
      sid       = "UseTargetTableKeys"
      effect    = "Allow"
      actions   = var.health_repair ? ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*"] : ["kms:Decrypt", "kms:DescribeKey"]
      resources = local.kms_key_arns

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["dynamodb.${local.region}.amazonaws.com"]
      }
    }
  }
}

resource "aws_iam_role_policy" "health" {
  count = local.create_health_role ? 1 : 0

  name   = var.health_repair ? "read-repair-replica-tables" : "read-replica-tables"
  role   = aws_iam_role.health[0].id
  policy = data.aws_iam_policy_document.health[0].json
}
