# The export bucket (provider aws.export_bucket). It must be in the state machine's account
# and region (checked on the state machine): the Distributed Map's S3 ItemReader lists the
# export's data files, and Step Functions has no cross-region resource access
# (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-access-cross-acct-resources.html)
# and lists only buckets of its own account. DynamoDB writes the export as the caller, with
# S3BucketOwner set to this account, so the objects belong to the bucket owner
# (BucketOwnerEnforced makes that so whatever ACL a writer sends). Targets in other accounts
# read it only on the import path, through the bucket policy.

data "aws_caller_identity" "export_bucket" {
  provider = aws.export_bucket
}

data "aws_region" "export_bucket" {
  provider = aws.export_bucket
}

locals {
  bucket_account_id = data.aws_caller_identity.export_bucket.account_id
  bucket_region     = data.aws_region.export_bucket.id
  bucket_name       = aws_s3_bucket.export.id
  bucket_arn        = aws_s3_bucket.export.arn

  export_objects_arn = "${local.bucket_arn}/${var.export_prefix}/*"
  report_objects_arn = "${local.bucket_arn}/${var.report_prefix}/*"
}

resource "aws_s3_bucket" "export" {
  provider = aws.export_bucket

  bucket = var.export_bucket_name
  # S3's limit on bucket_prefix is 37 characters.
  bucket_prefix = var.export_bucket_name == null ? substr("${lower(replace(var.name, "_", "-"))}-", 0, 37) : null
  force_destroy = var.export_bucket_force_destroy
  tags          = local.tags

  lifecycle {
    precondition {
      condition     = !startswith("${var.report_prefix}/", "${var.export_prefix}/") && !startswith("${var.export_prefix}/", "${var.report_prefix}/")
      error_message = "report_prefix (${var.report_prefix}) and export_prefix (${var.export_prefix}) overlap; the exports expire sooner than the reports and the roles that read one must not read the other. Give them separate prefixes."
    }
  }
}

resource "aws_s3_bucket_ownership_controls" "export" {
  provider = aws.export_bucket

  bucket = aws_s3_bucket.export.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "export" {
  provider = aws.export_bucket

  bucket                  = aws_s3_bucket.export.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "export" {
  provider = aws.export_bucket

  bucket = aws_s3_bucket.export.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = var.export_bucket_kms_key_arn == null ? "AES256" : "aws:kms"
      kms_master_key_id = var.export_bucket_kms_key_arn
    }
    # One KMS request per object instead of per request: exports write many parts.
    bucket_key_enabled = var.export_bucket_kms_key_arn != null
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "export" {
  provider = aws.export_bucket

  bucket = aws_s3_bucket.export.id

  rule {
    id     = "expire-exports"
    status = "Enabled"
    filter {
      prefix = "${var.export_prefix}/"
    }
    expiration {
      days = var.export_expiration_days
    }
    # An export that failed part-way leaves multipart uploads that would be billed forever.
    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }

  rule {
    id     = "expire-reports"
    status = "Enabled"
    filter {
      prefix = "${var.report_prefix}/"
    }
    expiration {
      days = var.report_expiration_days
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }
}

# Admits only the module's roles (and the targets' first-sync roles on the import path),
# each to its own prefix and actions, and refuses any request without TLS.
data "aws_iam_policy_document" "bucket" {
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [local.bucket_arn, "${local.bucket_arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }

  # The export is written with the caller's (the state machine role's) permissions.
  statement {
    sid       = "StateMachineWritesExports"
    effect    = "Allow"
    actions   = local.export_write_actions
    resources = [local.export_objects_arn]

    principals {
      type        = "AWS"
      identifiers = [aws_iam_role.state_machine.arn]
    }
  }

  statement {
    sid       = "ListExports"
    effect    = "Allow"
    actions   = ["s3:ListBucket"]
    resources = [local.bucket_arn]

    principals {
      type        = "AWS"
      identifiers = concat([aws_iam_role.state_machine.arn, aws_iam_role.function["importer"].arn], var.import_enabled ? local.target_role_arns : [])
    }

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${var.export_prefix}/*"]
    }
  }

  statement {
    sid       = "ReadExports"
    effect    = "Allow"
    actions   = ["s3:GetObject"]
    resources = [local.export_objects_arn]

    principals {
      type        = "AWS"
      identifiers = concat([aws_iam_role.function["loader"].arn, aws_iam_role.function["verifier"].arn], var.import_enabled ? local.target_role_arns : [])
    }
  }

  # Each verifier invocation writes its report part (and reads it back when retried); the
  # summary lists and reads the parts.
  statement {
    sid       = "VerifierWritesReports"
    effect    = "Allow"
    actions   = ["s3:GetObject", "s3:PutObject"]
    resources = [local.report_objects_arn]

    principals {
      type        = "AWS"
      identifiers = [aws_iam_role.function["verifier"].arn]
    }
  }

  statement {
    sid       = "VerifierListsReports"
    effect    = "Allow"
    actions   = ["s3:ListBucket"]
    resources = [local.bucket_arn]

    principals {
      type        = "AWS"
      identifiers = [aws_iam_role.function["verifier"].arn]
    }

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${var.report_prefix}/*"]
    }
  }
}

resource "aws_s3_bucket_policy" "export" {
  provider = aws.export_bucket

  bucket = aws_s3_bucket.export.id
  policy = data.aws_iam_policy_document.bucket.json

  # S3 refuses a policy while the public access block is being set.
  depends_on = [aws_s3_bucket_public_access_block.export]
}
