# The first sync's policies as IAM and S3 receive them: the JSON the real aws provider
# renders. Nothing here reaches AWS: the provider renders policy documents locally, the data
# sources that would call AWS are overridden, and so is every managed resource (the
# documents read their ARNs, so they are only rendered at apply). A resource added to the
# module needs an override_resource here.
#
# Statements are compared whole after making IAM's shorthand explicit (a lone action,
# resource, principal or condition value is a string, several a list, in no order a reader
# should depend on), so both become sets; any other key (NotAction, NotResource) that
# appears makes the comparison fail. Sids are compared as a list, in declaration order.

provider "aws" {
  region                      = "us-east-1"
  access_key                  = "offline-test"
  secret_key                  = "offline-test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  max_retries                 = 1
}

provider "aws" {
  alias                       = "export_bucket"
  region                      = "us-east-1"
  access_key                  = "offline-test"
  secret_key                  = "offline-test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  max_retries                 = 1
}

override_data {
  target = data.aws_caller_identity.current
  values = { account_id = "111111111111" }
}
override_data {
  target = data.aws_caller_identity.export_bucket
  values = { account_id = "111111111111" }
}
override_data {
  target = data.aws_dynamodb_table.source
  values = {
    arn                    = "arn:aws:dynamodb:us-east-1:111111111111:table/orders"
    hash_key               = "pk"
    range_key              = "sk"
    point_in_time_recovery = [{ enabled = true, recovery_period_in_days = 35 }]
  }
}

override_resource {
  target = aws_s3_bucket.export
  values = { id = "orders-first-sync", arn = "arn:aws:s3:::orders-first-sync" }
}
override_resource {
  target = aws_s3_bucket_ownership_controls.export
}
override_resource {
  target = aws_s3_bucket_public_access_block.export
}
override_resource {
  target = aws_s3_bucket_server_side_encryption_configuration.export
}
override_resource {
  target = aws_s3_bucket_lifecycle_configuration.export
}
override_resource {
  target = aws_s3_bucket_policy.export
}
override_resource {
  target = aws_iam_role.state_machine
  values = { arn = "arn:aws:iam::111111111111:role/ddbsync-first-sync-state-machine" }
}
override_resource {
  target = aws_iam_role_policy.state_machine
}
override_resource {
  target = aws_iam_role.function["loader"]
  values = { arn = "arn:aws:iam::111111111111:role/ddbsync-first-sync-loader" }
}
override_resource {
  target = aws_iam_role.function["importer"]
  values = { arn = "arn:aws:iam::111111111111:role/ddbsync-first-sync-importer" }
}
override_resource {
  target = aws_iam_role.function["verifier"]
  values = { arn = "arn:aws:iam::111111111111:role/ddbsync-first-sync-verifier" }
}
override_resource {
  target = aws_iam_role_policy.function
}
override_resource {
  target = aws_cloudwatch_log_group.function["loader"]
  values = { arn = "arn:aws:logs:us-east-1:111111111111:log-group:/aws/lambda/ddbsync-first-sync-loader" }
}
override_resource {
  target = aws_cloudwatch_log_group.function["importer"]
  values = { arn = "arn:aws:logs:us-east-1:111111111111:log-group:/aws/lambda/ddbsync-first-sync-importer" }
}
override_resource {
  target = aws_cloudwatch_log_group.function["verifier"]
  values = { arn = "arn:aws:logs:us-east-1:111111111111:log-group:/aws/lambda/ddbsync-first-sync-verifier" }
}
override_resource {
  target = aws_lambda_function.this["loader"]
  values = { arn = "arn:aws:lambda:us-east-1:111111111111:function:ddbsync-first-sync-loader" }
}
override_resource {
  target = aws_lambda_function.this["importer"]
  values = { arn = "arn:aws:lambda:us-east-1:111111111111:function:ddbsync-first-sync-importer" }
}
override_resource {
  target = aws_lambda_function.this["verifier"]
  values = { arn = "arn:aws:lambda:us-east-1:111111111111:function:ddbsync-first-sync-verifier" }
}
override_resource {
  target = aws_sfn_state_machine.this
  values = { arn = "arn:aws:states:us-east-1:111111111111:stateMachine:ddbsync-first-sync" }
}
override_resource {
  target = aws_cloudwatch_metric_alarm.execution
}
override_resource {
  target = aws_cloudwatch_metric_alarm.verify_differences
}

variables {
  source_table_name         = "orders"
  event_source_mapping_uuid = "14e0db71-5d35-4eb5-b481-8945cf9d10c2"
  targets = [
    { table_name = "orders-replica", region = "eu-west-1", role_arn = "arn:aws:iam::222222222222:role/ddbsync-target-access-first-sync", external_id = "shared-secret" },
    { table_name = "orders-archive", region = "eu-west-1", role_arn = "arn:aws:iam::222222222222:role/ddbsync-target-access-first-sync", external_id = "shared-secret" },
    { table_name = "orders-audit", region = "ap-southeast-2", role_arn = "arn:aws:iam::333333333333:role/audit-first-sync" },
  ]
}

run "map_path_sse_s3" {
  command = apply

  assert {
    condition = [for s in jsondecode(aws_iam_role.state_machine.assume_role_policy).Statement : merge(s, {
      Action    = toset(flatten([try(s.Action, [])]))
      Principal = { for kind, ids in s.Principal : kind => toset(flatten([ids])) }
      Condition = { for op, kv in try(s.Condition, {}) : op => { for k, v in kv : k => toset(flatten([v])) } }
      })] == [{
      Sid       = "StepFunctionsAssumesRole"
      Effect    = "Allow"
      Action    = toset(["sts:AssumeRole"])
      Principal = { Service = toset(["states.amazonaws.com"]) }
      Condition = { StringEquals = { "aws:SourceAccount" = toset(["111111111111"]) } }
    }]
    error_message = "Only Step Functions, on behalf of this account, may assume the state machine's role."
  }
  assert {
    condition = [for s in jsondecode(aws_iam_role_policy.state_machine.policy).Statement : merge(s, {
      Action    = toset(flatten([try(s.Action, [])]))
      Resource  = toset(flatten([try(s.Resource, [])]))
      Condition = { for op, kv in try(s.Condition, {}) : op => { for k, v in kv : k => toset(flatten([v])) } }
      })] == [
      {
        Sid      = "CheckPointInTimeRecovery", Effect = "Allow", Condition = {}
        Action   = toset(["dynamodb:DescribeContinuousBackups"])
        Resource = toset(["arn:aws:dynamodb:us-east-1:111111111111:table/orders"])
      },
      {
        Sid      = "ExportSourceTable", Effect = "Allow", Condition = {}
        Action   = toset(["dynamodb:ExportTableToPointInTime"])
        Resource = toset(["arn:aws:dynamodb:us-east-1:111111111111:table/orders"])
      },
      {
        Sid      = "DescribeExports", Effect = "Allow", Condition = {}
        Action   = toset(["dynamodb:DescribeExport"])
        Resource = toset(["arn:aws:dynamodb:us-east-1:111111111111:table/orders/export/*"])
      },
      {
        Sid      = "PauseAndResumeMapping", Effect = "Allow", Condition = {}
        Action   = toset(["lambda:GetEventSourceMapping", "lambda:UpdateEventSourceMapping"])
        Resource = toset(["arn:aws:lambda:us-east-1:111111111111:event-source-mapping:14e0db71-5d35-4eb5-b481-8945cf9d10c2"])
      },
      {
        Sid    = "InvokeFirstSyncFunctions", Effect = "Allow", Condition = {}
        Action = toset(["lambda:InvokeFunction"])
        Resource = toset([
          "arn:aws:lambda:us-east-1:111111111111:function:ddbsync-first-sync-loader",
          "arn:aws:lambda:us-east-1:111111111111:function:ddbsync-first-sync-importer",
          "arn:aws:lambda:us-east-1:111111111111:function:ddbsync-first-sync-verifier",
        ])
      },
      {
        Sid      = "StartMapChildren", Effect = "Allow", Condition = {}
        Action   = toset(["states:StartExecution"])
        Resource = toset(["arn:aws:states:us-east-1:111111111111:stateMachine:ddbsync-first-sync"])
      },
      {
        Sid      = "TrackMapChildren", Effect = "Allow", Condition = {}
        Action   = toset(["states:DescribeExecution", "states:StopExecution"])
        Resource = toset(["arn:aws:states:us-east-1:111111111111:execution:ddbsync-first-sync/*"])
      },
      {
        Sid      = "DescribeMapRuns", Effect = "Allow", Condition = {}
        Action   = toset(["states:DescribeMapRun"])
        Resource = toset(["arn:aws:states:us-east-1:111111111111:mapRun:ddbsync-first-sync/*"])
      },
      {
        Sid       = "ListExportFiles", Effect = "Allow"
        Action    = toset(["s3:ListBucket"])
        Resource  = toset(["arn:aws:s3:::orders-first-sync"])
        Condition = { StringLike = { "s3:prefix" = toset(["first-sync/exports/*"]) } }
      },
      {
        Sid      = "WriteExports", Effect = "Allow", Condition = {}
        Action   = toset(["s3:AbortMultipartUpload", "s3:PutObject", "s3:PutObjectAcl"])
        Resource = toset(["arn:aws:s3:::orders-first-sync/first-sync/exports/*"])
      },
    ]
    error_message = "The state machine's policy must be exactly these statements: PITR check, export and its status on the source table, the one mapping, the three functions, its own Map children and Map Runs, and the export prefix of the bucket."
  }
  assert {
    condition = [for s in jsondecode(aws_iam_role_policy.function["loader"].policy).Statement : merge(s, {
      Action    = toset(flatten([try(s.Action, [])]))
      Resource  = toset(flatten([try(s.Resource, [])]))
      Condition = { for op, kv in try(s.Condition, {}) : op => { for k, v in kv : k => toset(flatten([v])) } }
      })] == [
      {
        Sid      = "WriteOwnLogs", Effect = "Allow", Condition = {}
        Action   = toset(["logs:CreateLogStream", "logs:PutLogEvents"])
        Resource = toset(["arn:aws:logs:us-east-1:111111111111:log-group:/aws/lambda/ddbsync-first-sync-loader:*"])
      },
      {
        Sid      = "AssumeTargetFirstSyncRoles", Effect = "Allow", Condition = {}
        Action   = toset(["sts:AssumeRole"])
        Resource = toset(["arn:aws:iam::222222222222:role/ddbsync-target-access-first-sync", "arn:aws:iam::333333333333:role/audit-first-sync"])
      },
      {
        Sid      = "DescribeSourceTable", Effect = "Allow", Condition = {}
        Action   = toset(["dynamodb:DescribeTable"])
        Resource = toset(["arn:aws:dynamodb:us-east-1:111111111111:table/orders"])
      },
      {
        Sid      = "ReadExportFiles", Effect = "Allow", Condition = {}
        Action   = toset(["s3:GetObject"])
        Resource = toset(["arn:aws:s3:::orders-first-sync/first-sync/exports/*"])
      },
    ]
    error_message = "The loader may write its logs, assume the targets' first-sync roles, describe the source table and read the export files: nothing else."
  }
  assert {
    condition = [for s in jsondecode(aws_iam_role_policy.function["importer"].policy).Statement : merge(s, {
      Action    = toset(flatten([try(s.Action, [])]))
      Resource  = toset(flatten([try(s.Resource, [])]))
      Condition = { for op, kv in try(s.Condition, {}) : op => { for k, v in kv : k => toset(flatten([v])) } }
      }) if s.Sid != "AssumeTargetFirstSyncRoles" && s.Sid != "DescribeSourceTable"] == [
      {
        Sid      = "WriteOwnLogs", Effect = "Allow", Condition = {}
        Action   = toset(["logs:CreateLogStream", "logs:PutLogEvents"])
        Resource = toset(["arn:aws:logs:us-east-1:111111111111:log-group:/aws/lambda/ddbsync-first-sync-importer:*"])
      },
      {
        Sid       = "ListExportFiles", Effect = "Allow"
        Action    = toset(["s3:ListBucket"])
        Resource  = toset(["arn:aws:s3:::orders-first-sync"])
        Condition = { StringLike = { "s3:prefix" = toset(["first-sync/exports/*"]) } }
      },
    ]
    error_message = "The importer may list the export prefix (to check ImportTable's limits) but not read the files: DynamoDB reads them with the target role."
  }
  assert {
    condition = [for s in jsondecode(aws_iam_role_policy.function["verifier"].policy).Statement : try(s.Sid, "(no Sid)")] == [
      "WriteOwnLogs", "AssumeTargetFirstSyncRoles", "DescribeSourceTable", "RecheckSourceItems", "ReadExportFiles", "WriteReports", "ListReports",
    ]
    error_message = "The verifier's policy must hold these statements once each, and nothing else (no KMS without a bucket key or a source key)."
  }
  assert {
    condition = [for s in jsondecode(aws_iam_role_policy.function["verifier"].policy).Statement : merge(s, {
      Action   = toset(flatten([try(s.Action, [])]))
      Resource = toset(flatten([try(s.Resource, [])]))
      }) if contains(["RecheckSourceItems", "WriteReports", "ListReports"], s.Sid)] == [
      {
        Sid      = "RecheckSourceItems", Effect = "Allow"
        Action   = toset(["dynamodb:BatchGetItem", "dynamodb:GetItem"])
        Resource = toset(["arn:aws:dynamodb:us-east-1:111111111111:table/orders"])
      },
      {
        Sid      = "WriteReports", Effect = "Allow"
        Action   = toset(["s3:GetObject", "s3:PutObject"])
        Resource = toset(["arn:aws:s3:::orders-first-sync/first-sync/reports/*"])
      },
      {
        Sid       = "ListReports", Effect = "Allow"
        Action    = toset(["s3:ListBucket"])
        Resource  = toset(["arn:aws:s3:::orders-first-sync"])
        Condition = { StringLike = { "s3:prefix" = "first-sync/reports/*" } }
      },
    ]
    error_message = "The verifier reads the source by key only (no Scan) and writes only under the report prefix."
  }
  assert {
    condition = [for s in jsondecode(aws_s3_bucket_policy.export.policy).Statement : merge(s, {
      Action    = toset(flatten([try(s.Action, [])]))
      Resource  = toset(flatten([try(s.Resource, [])]))
      Principal = try({ for kind, ids in s.Principal : kind => toset(flatten([ids])) }, s.Principal)
      Condition = { for op, kv in try(s.Condition, {}) : op => { for k, v in kv : k => toset(flatten([v])) } }
      })] == [
      {
        Sid       = "DenyInsecureTransport", Effect = "Deny", Principal = "*"
        Action    = toset(["s3:*"])
        Resource  = toset(["arn:aws:s3:::orders-first-sync", "arn:aws:s3:::orders-first-sync/*"])
        Condition = { Bool = { "aws:SecureTransport" = toset(["false"]) } }
      },
      {
        Sid       = "StateMachineWritesExports", Effect = "Allow", Condition = {}
        Principal = { AWS = toset(["arn:aws:iam::111111111111:role/ddbsync-first-sync-state-machine"]) }
        Action    = toset(["s3:AbortMultipartUpload", "s3:PutObject", "s3:PutObjectAcl"])
        Resource  = toset(["arn:aws:s3:::orders-first-sync/first-sync/exports/*"])
      },
      {
        Sid       = "ListExports", Effect = "Allow"
        Principal = { AWS = toset(["arn:aws:iam::111111111111:role/ddbsync-first-sync-state-machine", "arn:aws:iam::111111111111:role/ddbsync-first-sync-importer"]) }
        Action    = toset(["s3:ListBucket"])
        Resource  = toset(["arn:aws:s3:::orders-first-sync"])
        Condition = { StringLike = { "s3:prefix" = toset(["first-sync/exports/*"]) } }
      },
      {
        Sid       = "ReadExports", Effect = "Allow", Condition = {}
        Principal = { AWS = toset(["arn:aws:iam::111111111111:role/ddbsync-first-sync-loader", "arn:aws:iam::111111111111:role/ddbsync-first-sync-verifier"]) }
        Action    = toset(["s3:GetObject"])
        Resource  = toset(["arn:aws:s3:::orders-first-sync/first-sync/exports/*"])
      },
      {
        Sid       = "VerifierWritesReports", Effect = "Allow", Condition = {}
        Principal = { AWS = toset(["arn:aws:iam::111111111111:role/ddbsync-first-sync-verifier"]) }
        Action    = toset(["s3:GetObject", "s3:PutObject"])
        Resource  = toset(["arn:aws:s3:::orders-first-sync/first-sync/reports/*"])
      },
      {
        Sid       = "VerifierListsReports", Effect = "Allow"
        Principal = { AWS = toset(["arn:aws:iam::111111111111:role/ddbsync-first-sync-verifier"]) }
        Action    = toset(["s3:ListBucket"])
        Resource  = toset(["arn:aws:s3:::orders-first-sync"])
        Condition = { StringLike = { "s3:prefix" = toset(["first-sync/reports/*"]) } }
      },
    ]
    error_message = "The bucket policy must refuse requests without TLS and admit the module's roles only, each to its prefix and actions; without import_enabled no target role is admitted."
  }
}

# The import path and a bucket key: the targets' first-sync roles may list and read the
# export, and every role that touches objects gets the key actions it needs.
run "import_path_with_bucket_key" {
  command = apply

  variables {
    import_enabled            = true
    export_bucket_kms_key_arn = "arn:aws:kms:us-east-1:111111111111:key/export-key"
  }

  assert {
    condition = [for s in jsondecode(aws_s3_bucket_policy.export.policy).Statement : toset(flatten([s.Principal.AWS])) if contains(["ListExports", "ReadExports"], s.Sid)] == [
      toset([
        "arn:aws:iam::111111111111:role/ddbsync-first-sync-state-machine",
        "arn:aws:iam::111111111111:role/ddbsync-first-sync-importer",
        "arn:aws:iam::222222222222:role/ddbsync-target-access-first-sync",
        "arn:aws:iam::333333333333:role/audit-first-sync",
      ]),
      toset([
        "arn:aws:iam::111111111111:role/ddbsync-first-sync-loader",
        "arn:aws:iam::111111111111:role/ddbsync-first-sync-verifier",
        "arn:aws:iam::222222222222:role/ddbsync-target-access-first-sync",
        "arn:aws:iam::333333333333:role/audit-first-sync",
      ]),
    ]
    error_message = "With import_enabled, each target's first-sync role (once, however many tables it serves) must be admitted to list and read the export, ImportTable's documented S3 permissions."
  }
  assert {
    condition = [for s in jsondecode(aws_iam_role_policy.state_machine.policy).Statement : {
      Action = toset(flatten([s.Action])), Resource = toset(flatten([s.Resource]))
      } if s.Sid == "EncryptExports"] == [{
      Action   = toset(["kms:Decrypt", "kms:GenerateDataKey"])
      Resource = toset(["arn:aws:kms:us-east-1:111111111111:key/export-key"])
    }]
    error_message = "With a bucket key the state machine's role (the export's writer) needs GenerateDataKey and Decrypt (multipart uploads) on that key only."
  }
  assert {
    condition = {
      for k in ["loader", "importer", "verifier"] : k => [
        for s in jsondecode(aws_iam_role_policy.function[k].policy).Statement : toset(flatten([s.Action])) if s.Sid == "UseBucketKey"
      ]
      } == {
      loader   = [toset(["kms:Decrypt"])]
      importer = []
      verifier = [toset(["kms:Decrypt", "kms:GenerateDataKey"])]
    }
    error_message = "The loader only decrypts export files; the verifier also encrypts its reports; the importer reads no object."
  }
}
