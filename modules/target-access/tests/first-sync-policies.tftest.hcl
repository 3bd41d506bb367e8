# The first-sync role's policies as IAM receives them: the JSON the real aws provider
# renders (tests/mocks replace aws_iam_policy_document). As in policies.tftest.hcl, nothing
# reaches AWS: the documents depend on data sources and inputs only, so a plan renders them.

provider "aws" {
  region                      = "eu-west-1"
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
  values = { account_id = "222222222222" }
}

variables {
  replicator_role_arn = "arn:aws:iam::111111111111:role/ddbsync"
  external_id         = "shared-secret"
  organization_id     = "o-a1b2c3d4e5"
  lookup_tables       = false
  table_names         = ["orders-replica", "orders-archive"]
  first_sync_role_arns = [
    "arn:aws:iam::111111111111:role/ddbsync-first-sync-loader",
    "arn:aws:iam::111111111111:role/ddbsync-first-sync-importer",
    "arn:aws:iam::111111111111:role/ddbsync-first-sync-verifier",
  ]
}

run "load_and_verify_only" {
  command = plan

  assert {
    condition = [for s in jsondecode(aws_iam_role.first_sync[0].assume_role_policy).Statement : merge(s, {
      Action    = toset(flatten([try(s.Action, [])]))
      Principal = { for kind, ids in s.Principal : kind => toset(flatten([ids])) }
      Condition = { for op, kv in try(s.Condition, {}) : op => { for k, v in kv : k => toset(flatten([v])) } }
      })] == [{
      Sid    = "FirstSyncFunctionsOnly"
      Effect = "Allow"
      Action = toset(["sts:AssumeRole"])
      Principal = { AWS = toset([
        "arn:aws:iam::111111111111:role/ddbsync-first-sync-loader",
        "arn:aws:iam::111111111111:role/ddbsync-first-sync-importer",
        "arn:aws:iam::111111111111:role/ddbsync-first-sync-verifier",
      ]) }
      Condition = { StringEquals = { "sts:ExternalId" = toset(["shared-secret"]), "aws:PrincipalOrgID" = toset(["o-a1b2c3d4e5"]) } }
    }]
    error_message = "Only the first-sync functions' roles, with the external id and from the organization, may assume the first-sync role."
  }
  assert {
    condition     = aws_iam_role.first_sync[0].name == "ddbsync-target-access-first-sync"
    error_message = "The first-sync role is named after the writer role by default."
  }
  assert {
    condition = [for s in jsondecode(aws_iam_role_policy.first_sync[0].policy).Statement : merge(s, {
      Action    = toset(flatten([try(s.Action, [])]))
      Resource  = toset(flatten([try(s.Resource, [])]))
      Condition = { for op, kv in try(s.Condition, {}) : op => { for k, v in kv : k => toset(flatten([v])) } }
      })] == [{
      Sid    = "LoadAndVerifyTargetTables"
      Effect = "Allow"
      Action = toset([
        "dynamodb:BatchGetItem", "dynamodb:BatchWriteItem", "dynamodb:DeleteItem", "dynamodb:DescribeTable",
        "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Scan",
      ])
      Resource  = toset(["arn:aws:dynamodb:eu-west-1:222222222222:table/orders-replica", "arn:aws:dynamodb:eu-west-1:222222222222:table/orders-archive"])
      Condition = {}
    }]
    error_message = "Without first_sync_import the role may only write and read the named tables: no ImportTable, no S3, no logs."
  }
  assert {
    condition = [for s in jsondecode(aws_iam_role_policy.this.policy).Statement : toset(flatten([s.Action])) if s.Sid == "WriteTargetTables"] == [
      toset(["dynamodb:BatchWriteItem", "dynamodb:DeleteItem", "dynamodb:DescribeTable", "dynamodb:PutItem"]),
    ]
    error_message = "The replicator's writer role must stay write-only (no Scan, no ImportTable) when the first-sync role exists."
  }
}

run "import_path" {
  command = plan

  variables {
    first_sync_import            = true
    first_sync_export_bucket_arn = "arn:aws:s3:::ddbsync-first-sync-export"
    kms_key_arns                 = ["arn:aws:kms:eu-west-1:222222222222:key/replica-key"]
  }

  assert {
    condition = [for s in jsondecode(aws_iam_role_policy.first_sync[0].policy).Statement : try(s.Sid, "(no Sid)")] == [
      "LoadAndVerifyTargetTables", "ImportTargetTables", "ReadExport", "WriteImportLogs", "UseTargetTableKeys",
    ]
    error_message = "With first_sync_import the policy must add the import, export-read and import-log statements once each."
  }
  assert {
    condition = [for s in jsondecode(aws_iam_role_policy.first_sync[0].policy).Statement : merge(s, {
      Action    = toset(flatten([try(s.Action, [])]))
      Resource  = toset(flatten([try(s.Resource, [])]))
      Condition = { for op, kv in try(s.Condition, {}) : op => { for k, v in kv : k => toset(flatten([v])) } }
      }) if contains(["ImportTargetTables", "ReadExport", "WriteImportLogs"], s.Sid)] == [
      {
        Sid    = "ImportTargetTables", Effect = "Allow", Condition = {}
        Action = toset(["dynamodb:DescribeImport", "dynamodb:ImportTable"])
        Resource = toset([
          "arn:aws:dynamodb:eu-west-1:222222222222:table/orders-replica",
          "arn:aws:dynamodb:eu-west-1:222222222222:table/orders-archive",
          "arn:aws:dynamodb:eu-west-1:222222222222:table/orders-replica/import/*",
          "arn:aws:dynamodb:eu-west-1:222222222222:table/orders-archive/import/*",
        ])
      },
      {
        Sid      = "ReadExport", Effect = "Allow", Condition = {}
        Action   = toset(["s3:GetObject", "s3:ListBucket"])
        Resource = toset(["arn:aws:s3:::ddbsync-first-sync-export", "arn:aws:s3:::ddbsync-first-sync-export/*"])
      },
      {
        Sid = "WriteImportLogs", Effect = "Allow", Condition = {}
        Action = toset([
          "logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogGroups", "logs:DescribeLogStreams",
          "logs:PutLogEvents", "logs:PutRetentionPolicy",
        ])
        Resource = toset(["arn:aws:logs:eu-west-1:222222222222:log-group:/aws-dynamodb/*"])
      },
    ]
    error_message = "The import statements must name the tables and their imports, the export bucket only, and the /aws-dynamodb/ log groups ImportTable writes to, in this account and region."
  }
}

run "no_first_sync_role_by_default" {
  command = plan

  variables {
    first_sync_role_arns = []
  }

  assert {
    condition     = length(aws_iam_role.first_sync) == 0 && length(aws_iam_role_policy.first_sync) == 0
    error_message = "Without first_sync_role_arns no first-sync role is created."
  }
}
