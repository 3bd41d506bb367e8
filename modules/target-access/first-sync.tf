# The first-sync role (optional): what the source side's first-sync functions (loader,
# importer, verifier) assume to load, verify and, on the import path, create the replica
# tables from the export. Separate from the writer role so that the replicator never gets
# Scan or ImportTable; remove it (first_sync_role_arns = []) once the first sync is done.
#
# ImportTable's permissions, from
# https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/S3DataImport.Requesting.html:
# dynamodb:ImportTable and DescribeImport on the table, s3:GetObject and s3:ListBucket on the
# source bucket, and CloudWatch Logs actions on log groups under /aws-dynamodb/ (the import
# writes its errors there).

locals {
  create_first_sync_role = length(var.first_sync_role_arns) > 0
  first_sync_role_name   = coalesce(var.first_sync_role_name, "${var.name}-first-sync")

  first_sync_actions = [
    "dynamodb:BatchGetItem", "dynamodb:BatchWriteItem", "dynamodb:DeleteItem", "dynamodb:DescribeTable",
    "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Scan",
  ]
  first_sync_import_log_actions = [
    "logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogGroups", "logs:DescribeLogStreams",
    "logs:PutLogEvents", "logs:PutRetentionPolicy",
  ]
}

data "aws_iam_policy_document" "first_sync_trust" {
  count = local.create_first_sync_role ? 1 : 0

  statement {
    sid     = "FirstSyncFunctionsOnly"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "AWS"
      identifiers = var.first_sync_role_arns
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

resource "aws_iam_role" "first_sync" {
  count = local.create_first_sync_role ? 1 : 0

  name                 = local.first_sync_role_name
  description          = "Lets the ddbsync first sync load${var.first_sync_import ? ", import" : ""} and verify the replica tables"
  assume_role_policy   = data.aws_iam_policy_document.first_sync_trust[0].json
  max_session_duration = var.max_session_duration
  permissions_boundary = var.permissions_boundary_arn
  tags                 = merge({ "ddbsync:component" = "target-access-first-sync" }, var.tags)

  lifecycle {
    precondition {
      condition     = length(local.first_sync_role_name) <= 64
      error_message = "The first-sync role's name \"${local.first_sync_role_name}\" is longer than IAM's 64 characters; set first_sync_role_name."
    }
    precondition {
      condition     = !var.first_sync_import || var.first_sync_export_bucket_arn != null
      error_message = "first_sync_import is true but first_sync_export_bucket_arn is not set: ImportTable reads the export with this role. Give the first-sync module's bucket_arn output."
    }
  }
}

data "aws_iam_policy_document" "first_sync" {
  count = local.create_first_sync_role ? 1 : 0

  statement {
    sid       = "LoadAndVerifyTargetTables"
    effect    = "Allow"
    actions   = local.first_sync_actions
    resources = local.table_arns
  }

  dynamic "statement" {
    for_each = var.first_sync_import ? [1] : []
    content {
      sid       = "ImportTargetTables"
      effect    = "Allow"
      actions   = ["dynamodb:DescribeImport", "dynamodb:ImportTable"]
      resources = concat(local.table_arns, [for t in local.table_arns : "${t}/import/*"])
    }
  }

  dynamic "statement" {
    for_each = var.first_sync_import && var.first_sync_export_bucket_arn != null ? [1] : []
    content {
      sid       = "ReadExport"
      effect    = "Allow"
      actions   = ["s3:GetObject", "s3:ListBucket"]
      resources = [var.first_sync_export_bucket_arn, "${var.first_sync_export_bucket_arn}/*"]
    }
  }

  dynamic "statement" {
    for_each = var.first_sync_import ? [1] : []
    content {
      sid       = "WriteImportLogs"
      effect    = "Allow"
      actions   = local.first_sync_import_log_actions
      resources = ["arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:/aws-dynamodb/*"]
    }
  }

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

resource "aws_iam_role_policy" "first_sync" {
  count = local.create_first_sync_role ? 1 : 0

  name   = var.first_sync_import ? "load-import-verify-replica-tables" : "load-verify-replica-tables"
  role   = aws_iam_role.first_sync[0].id
  policy = data.aws_iam_policy_document.first_sync[0].json
}
