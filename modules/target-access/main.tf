# The target side of ddbsync: a role the replicator assumes to write the target tables.

data "aws_partition" "current" {}
data "aws_caller_identity" "current" {}
data "aws_region" "current" {}

data "aws_dynamodb_table" "target" {
  for_each = var.lookup_tables ? toset(var.table_names) : toset([])
  name     = each.value
}

locals {
  # Every role here is assumed only with the external ID and, when organization_id is set,
  # from inside the organization.
  trust_conditions = concat(
    [{ variable = "sts:ExternalId", values = [var.external_id] }],
    var.organization_id == null ? [] : [{ variable = "aws:PrincipalOrgID", values = [var.organization_id] }],
  )

  partition  = data.aws_partition.current.partition
  account_id = data.aws_caller_identity.current.account_id
  # `id` is the region name in both the 5.x and 6.x providers.
  region = data.aws_region.current.id

  table_arns = var.lookup_tables ? [for n in var.table_names : data.aws_dynamodb_table.target[n].arn] : [
    for n in var.table_names : "arn:${local.partition}:dynamodb:${local.region}:${local.account_id}:table/${n}"
  ]
  looked_up_kms_key_arns = flatten([
    for t in data.aws_dynamodb_table.target : [
      for sse in t.server_side_encryption : sse.kms_key_arn if sse.enabled && sse.kms_key_arn != null && sse.kms_key_arn != ""
    ]
  ])
  kms_key_arns = distinct(concat(local.looked_up_kms_key_arns, var.kms_key_arns))
}

data "aws_iam_policy_document" "trust" {
  statement {
    sid     = "ReplicatorOnly"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "AWS"
      identifiers = [var.replicator_role_arn]
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

resource "aws_iam_role" "this" {
  name                 = var.name
  description          = "Lets the ddbsync replicator ${var.replicator_role_arn} write the replica tables"
  assume_role_policy   = data.aws_iam_policy_document.trust.json
  max_session_duration = var.max_session_duration
  permissions_boundary = var.permissions_boundary_arn
  tags                 = merge({ "ddbsync:component" = "target-access" }, var.tags)
}

data "aws_iam_policy_document" "write" {
  statement {
    sid    = "WriteTargetTables"
    effect = "Allow"
    actions = [
      "dynamodb:BatchWriteItem",
      "dynamodb:DeleteItem",
      "dynamodb:DescribeTable",
      "dynamodb:PutItem",
    ]
    resources = local.table_arns
  }

  # DynamoDB uses the caller's permissions on a table's customer-managed key to write it.
  dynamic "statement" {
    for_each = length(local.kms_key_arns) > 0 ? [1] : []
    content {
      sid       = "UseTargetTableKeys"
      effect    = "Allow"
      actions   = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*"]
      resources = local.kms_key_arns

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["dynamodb.${local.region}.amazonaws.com"]
      }
    }
  }
}

resource "aws_iam_role_policy" "this" {
  name   = "write-replica-tables"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.write.json
}
