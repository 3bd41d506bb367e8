# Roles of the first sync, least privilege, every resource named: one for the state machine
# and one per function. The functions reach the targets only through the target side's
# first-sync roles (targets[*].role_arn), which they assume.
#
# What each AWS action needs, from AWS's documentation:
# - export: dynamodb:ExportTableToPointInTime on the table, and s3:AbortMultipartUpload,
#   s3:PutObject, s3:PutObjectAcl on the destination for the caller
#   (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/S3DataExport_Requesting.html);
# - Distributed Map: states:StartExecution on the state machine itself, DescribeExecution and
#   StopExecution on its executions, and s3:ListBucket for an ItemReader that lists objects
#   (https://docs.aws.amazon.com/step-functions/latest/dg/iam-policies-eg-dist-map.html);
# - import (the target side's first-sync role, modules/target-access): dynamodb:ImportTable,
#   dynamodb:DescribeImport, s3:GetObject, s3:ListBucket and CloudWatch Logs under
#   /aws-dynamodb/ (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/S3DataImport.Requesting.html).

locals {
  export_write_actions = ["s3:AbortMultipartUpload", "s3:PutObject", "s3:PutObjectAcl"]
  kms_key_arns         = compact([var.export_bucket_kms_key_arn])

  # What each function may list in the bucket, one prefix per statement. The importer checks
  # ImportTable's limits (objects and size of one import) before starting; the verifier's
  # summary lists the report parts, and a retried invocation looks for its own part first
  # (without ListBucket S3 answers a missing object with 403, not 404).
  function_list_prefixes = {
    loader   = []
    importer = [{ sid = "ListExportFiles", prefix = var.export_prefix }]
    verifier = [{ sid = "ListReports", prefix = var.report_prefix }]
  }
}

# ---------------------------------------------------------------------------
# State machine
# ---------------------------------------------------------------------------

data "aws_iam_policy_document" "state_machine_trust" {
  statement {
    sid     = "StepFunctionsAssumesRole"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["states.amazonaws.com"]
    }

    # On behalf of this account only (confused deputy). No aws:SourceArn: whether a
    # Distributed Map's child executions present the state machine's ARN is not documented,
    # and a workflow in this account can only use the role if someone may iam:PassRole it.
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "state_machine" {
  name                 = "${var.name}-state-machine"
  description          = "Role of the ddbsync first-sync state machine ${var.name}"
  assume_role_policy   = data.aws_iam_policy_document.state_machine_trust.json
  permissions_boundary = var.role_permissions_boundary_arn
  tags                 = local.tags
}

data "aws_iam_policy_document" "state_machine" {
  statement {
    sid       = "CheckPointInTimeRecovery"
    effect    = "Allow"
    actions   = ["dynamodb:DescribeContinuousBackups"]
    resources = [local.source_table_arn]
  }

  statement {
    sid       = "ExportSourceTable"
    effect    = "Allow"
    actions   = ["dynamodb:ExportTableToPointInTime"]
    resources = [local.source_table_arn]
  }

  statement {
    sid       = "DescribeExports"
    effect    = "Allow"
    actions   = ["dynamodb:DescribeExport"]
    resources = ["${local.source_table_arn}/export/*"]
  }

  statement {
    sid       = "PauseAndResumeMapping"
    effect    = "Allow"
    actions   = ["lambda:GetEventSourceMapping", "lambda:UpdateEventSourceMapping"]
    resources = [local.mapping_arn]
  }

  statement {
    sid       = "InvokeFirstSyncFunctions"
    effect    = "Allow"
    actions   = ["lambda:InvokeFunction"]
    resources = values(local.function_arns)
  }

  # The Distributed Map runs its children as executions of this state machine.
  statement {
    sid       = "StartMapChildren"
    effect    = "Allow"
    actions   = ["states:StartExecution"]
    resources = [local.state_machine_arn]
  }

  statement {
    sid       = "TrackMapChildren"
    effect    = "Allow"
    actions   = ["states:DescribeExecution", "states:StopExecution"]
    resources = ["arn:${local.partition}:states:${local.region}:${local.account_id}:execution:${local.state_machine_name}/*"]
  }

  statement {
    sid       = "DescribeMapRuns"
    effect    = "Allow"
    actions   = ["states:DescribeMapRun"]
    resources = ["arn:${local.partition}:states:${local.region}:${local.account_id}:mapRun:${local.state_machine_name}/*"]
  }

  statement {
    sid       = "ListExportFiles"
    effect    = "Allow"
    actions   = ["s3:ListBucket"]
    resources = [local.bucket_arn]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${var.export_prefix}/*"]
    }
  }

  statement {
    sid       = "WriteExports"
    effect    = "Allow"
    actions   = local.export_write_actions
    resources = [local.export_objects_arn]
  }

  dynamic "statement" {
    for_each = length(local.kms_key_arns) > 0 ? [1] : []
    content {
      sid       = "EncryptExports"
      effect    = "Allow"
      actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
      resources = local.kms_key_arns
    }
  }
}

resource "aws_iam_role_policy" "state_machine" {
  name   = "first-sync"
  role   = aws_iam_role.state_machine.id
  policy = data.aws_iam_policy_document.state_machine.json
}

# ---------------------------------------------------------------------------
# Functions: loader, importer, verifier
# ---------------------------------------------------------------------------

data "aws_iam_policy_document" "lambda_trust" {
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

resource "aws_iam_role" "function" {
  for_each = local.functions

  name                 = local.function_names[each.key]
  description          = "Execution role of the ddbsync first-sync ${each.key} of ${var.name}"
  assume_role_policy   = data.aws_iam_policy_document.lambda_trust.json
  permissions_boundary = var.role_permissions_boundary_arn
  tags                 = local.tags
}

data "aws_iam_policy_document" "function" {
  for_each = local.functions

  statement {
    sid       = "WriteOwnLogs"
    effect    = "Allow"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.function[each.key].arn}:*"]
  }

  # Every target is reached through its account's first-sync role.
  statement {
    sid       = "AssumeTargetFirstSyncRoles"
    effect    = "Allow"
    actions   = ["sts:AssumeRole"]
    resources = local.target_role_arns
  }

  # The key schema (and, for the importer, the table settings to create the targets with).
  statement {
    sid       = "DescribeSourceTable"
    effect    = "Allow"
    actions   = ["dynamodb:DescribeTable"]
    resources = [local.source_table_arn]
  }

  dynamic "statement" {
    for_each = each.key == "verifier" ? [1] : []
    content {
      sid       = "RecheckSourceItems"
      effect    = "Allow"
      actions   = ["dynamodb:BatchGetItem", "dynamodb:GetItem"]
      resources = [local.source_table_arn]
    }
  }

  # DynamoDB uses the caller's permissions on a customer-managed table key to read items.
  dynamic "statement" {
    for_each = each.key == "verifier" && local.source_kms_key_arn != null ? [1] : []
    content {
      sid       = "DecryptSourceItems"
      effect    = "Allow"
      actions   = ["kms:Decrypt", "kms:DescribeKey"]
      resources = [local.source_kms_key_arn]

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["dynamodb.${local.region}.amazonaws.com"]
      }
    }
  }

  dynamic "statement" {
    for_each = each.key == "importer" ? [] : [1]
    content {
      sid       = "ReadExportFiles"
      effect    = "Allow"
      actions   = ["s3:GetObject"]
      resources = [local.export_objects_arn]
    }
  }

  dynamic "statement" {
    for_each = each.key == "verifier" ? [1] : []
    content {
      sid       = "WriteReports"
      effect    = "Allow"
      actions   = ["s3:GetObject", "s3:PutObject"]
      resources = [local.report_objects_arn]
    }
  }

  dynamic "statement" {
    for_each = local.function_list_prefixes[each.key]
    content {
      sid       = statement.value.sid
      effect    = "Allow"
      actions   = ["s3:ListBucket"]
      resources = [local.bucket_arn]

      condition {
        test     = "StringLike"
        variable = "s3:prefix"
        values   = ["${statement.value.prefix}/*"]
      }
    }
  }

  dynamic "statement" {
    for_each = length(local.kms_key_arns) > 0 && each.key != "importer" ? [1] : []
    content {
      sid       = "UseBucketKey"
      effect    = "Allow"
      actions   = each.key == "verifier" ? ["kms:Decrypt", "kms:GenerateDataKey"] : ["kms:Decrypt"]
      resources = local.kms_key_arns
    }
  }
}

resource "aws_iam_role_policy" "function" {
  for_each = local.functions

  name   = "first-sync-${each.key}"
  role   = aws_iam_role.function[each.key].id
  policy = data.aws_iam_policy_document.function[each.key].json
}
