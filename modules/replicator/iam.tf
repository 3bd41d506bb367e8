# The function's execution role: least privilege, every resource named by ARN.

locals {
  # Targets written with the function's own credentials (same account, any region).
  direct_targets = [for t in var.targets : t if t.role_arn == null]
  direct_target_table_arns = distinct([
    for t in local.direct_targets :
    "arn:${local.partition}:dynamodb:${coalesce(t.region, local.region)}:${local.account_id}:table/${t.table_name}"
  ])
  target_role_arns = distinct(compact([for t in var.targets : t.role_arn]))

  # The write actions the function needs on a target table, here or through target-access.
  table_write_actions = [
    "dynamodb:BatchWriteItem",
    "dynamodb:DeleteItem",
    "dynamodb:DescribeTable",
    "dynamodb:PutItem",
  ]
}

data "aws_iam_policy_document" "assume" {
  statement {
    sid     = "LambdaAssumesRole"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "this" {
  name                 = var.name
  description          = "Execution role of the ddbsync replicator ${var.name}"
  assume_role_policy   = data.aws_iam_policy_document.assume.json
  permissions_boundary = var.role_permissions_boundary_arn
  tags                 = local.tags
}

data "aws_iam_policy_document" "replicator" {
  statement {
    sid    = "ReadSourceStream"
    effect = "Allow"
    actions = [
      "dynamodb:DescribeStream",
      "dynamodb:GetRecords",
      "dynamodb:GetShardIterator",
    ]
    resources = compact([local.stream_arn])
  }

  # ListStreams has no resource-level permissions in IAM: it is only granted on "*".
  # It lists stream ARNs, not data.
  statement {
    sid       = "ListStreams"
    effect    = "Allow"
    actions   = ["dynamodb:ListStreams"]
    resources = ["*"]
  }

  statement {
    sid       = "WriteOwnLogs"
    effect    = "Allow"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.this.arn}:*"]
  }

  statement {
    sid       = "SendFailedRecordsToDlq"
    effect    = "Allow"
    actions   = ["sqs:SendMessage"]
    resources = compact([local.dlq_arn])
  }

  dynamic "statement" {
    for_each = length(local.target_role_arns) > 0 ? [1] : []
    content {
      sid       = "AssumeTargetRoles"
      effect    = "Allow"
      actions   = ["sts:AssumeRole"]
      resources = local.target_role_arns
    }
  }

  dynamic "statement" {
    for_each = length(local.direct_target_table_arns) > 0 ? [1] : []
    content {
      sid       = "WriteSameAccountTargets"
      effect    = "Allow"
      actions   = local.table_write_actions
      resources = local.direct_target_table_arns
    }
  }

  dynamic "statement" {
    for_each = local.source_kms_key_arn == null ? [] : [1]
    content {
      sid       = "DecryptSourceStream"
      effect    = "Allow"
      actions   = ["kms:Decrypt"]
      resources = [local.source_kms_key_arn]
    }
  }

  dynamic "statement" {
    for_each = length(var.target_kms_key_arns) > 0 && length(local.direct_target_table_arns) > 0 ? [1] : []
    content {
      sid       = "UseSameAccountTargetKeys"
      effect    = "Allow"
      actions   = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*"]
      resources = var.target_kms_key_arns

      condition {
        test     = "StringLike"
        variable = "kms:ViaService"
        values   = ["dynamodb.*.amazonaws.com"]
      }
    }
  }

  # Checked here, the first place that needs the stream and the queue, so that a missing
  # input fails with this message rather than a provider error about a null ARN.
  lifecycle {
    precondition {
      condition     = (var.source_table_name == null) != (var.source_stream_arn == null)
      error_message = "Give exactly one of source_table_name (looked up) or source_stream_arn (for a table created in the same configuration)."
    }
    precondition {
      condition     = var.create_dlq || var.dlq_arn != null
      error_message = "create_dlq is false but dlq_arn is not set; give the ARN of an existing SQS queue for failed records, or set create_dlq = true."
    }
  }

  dynamic "statement" {
    for_each = var.create_dlq && var.dlq_kms_key_id != null ? [1] : []
    content {
      sid       = "EncryptDlqMessages"
      effect    = "Allow"
      actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
      resources = [data.aws_kms_key.dlq[0].arn]
    }
  }
}

data "aws_kms_key" "dlq" {
  count  = var.create_dlq && var.dlq_kms_key_id != null ? 1 : 0
  key_id = var.dlq_kms_key_id
}

resource "aws_iam_role_policy" "this" {
  name   = "replicate"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.replicator.json
}
