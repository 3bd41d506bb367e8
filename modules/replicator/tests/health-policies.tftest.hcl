# The canary's, drift detection's and scheduler's policies as IAM receives them: the JSON the
# real aws provider renders (tests/mocks replace aws_iam_policy_document, so health.tftest.hcl
# only sees its inputs). Same approach as policies.tftest.hcl: nothing reaches AWS, the data
# sources that would call it and every managed resource are overridden, and statements are
# compared whole after IAM's shorthand (a lone value rendered as a string) is made explicit.

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

override_data {
  target = data.aws_caller_identity.current
  values = { account_id = "111111111111" }
}
override_data {
  target = data.aws_dynamodb_table.source
  values = {
    arn              = "arn:aws:dynamodb:us-east-1:111111111111:table/orders"
    hash_key         = "pk"
    range_key        = "sk"
    stream_enabled   = true
    stream_view_type = "NEW_AND_OLD_IMAGES"
    stream_arn       = "arn:aws:dynamodb:us-east-1:111111111111:table/orders/stream/2024-01-01T00:00:00.000"
    attribute        = [{ name = "pk", type = "S" }, { name = "sk", type = "S" }]
  }
}

override_resource {
  target = aws_cloudwatch_log_group.this
  values = { arn = "arn:aws:logs:us-east-1:111111111111:log-group:/aws/lambda/ddbsync" }
}
override_resource {
  target = aws_cloudwatch_log_group.canary
  values = { arn = "arn:aws:logs:us-east-1:111111111111:log-group:/aws/lambda/ddbsync-canary" }
}
override_resource {
  target = aws_cloudwatch_log_group.drift
  values = { arn = "arn:aws:logs:us-east-1:111111111111:log-group:/aws/lambda/ddbsync-drift" }
}
override_resource {
  target = aws_sqs_queue.dlq
  values = { arn = "arn:aws:sqs:us-east-1:111111111111:ddbsync-dlq", url = "https://sqs.us-east-1.amazonaws.com/111111111111/ddbsync-dlq" }
}
override_resource {
  target = aws_iam_role.this
  values = { arn = "arn:aws:iam::111111111111:role/ddbsync" }
}
override_resource {
  target = aws_iam_role.canary
  values = { arn = "arn:aws:iam::111111111111:role/ddbsync-canary" }
}
override_resource {
  target = aws_iam_role.drift
  values = { arn = "arn:aws:iam::111111111111:role/ddbsync-drift" }
}
override_resource {
  target = aws_iam_role.scheduler
  values = { arn = "arn:aws:iam::111111111111:role/ddbsync-scheduler" }
}
override_resource {
  target = aws_iam_role_policy.this
}
override_resource {
  target = aws_iam_role_policy.canary
}
override_resource {
  target = aws_iam_role_policy.drift
}
override_resource {
  target = aws_iam_role_policy.scheduler
}
override_resource {
  target = aws_lambda_function.this
  values = { arn = "arn:aws:lambda:us-east-1:111111111111:function:ddbsync" }
}
override_resource {
  target = aws_lambda_function.canary
  values = { arn = "arn:aws:lambda:us-east-1:111111111111:function:ddbsync-canary" }
}
override_resource {
  target = aws_lambda_function.drift
  values = { arn = "arn:aws:lambda:us-east-1:111111111111:function:ddbsync-drift" }
}
override_resource {
  target = aws_lambda_event_source_mapping.this
}
override_resource {
  target = aws_scheduler_schedule.canary
}
override_resource {
  target = aws_scheduler_schedule.drift
}
override_resource {
  target = aws_lambda_function_event_invoke_config.canary
}
override_resource {
  target = aws_lambda_function_event_invoke_config.drift
}
override_resource {
  target = aws_cloudwatch_metric_alarm.function
}
override_resource {
  target = aws_cloudwatch_metric_alarm.dlq
}
override_resource {
  target = aws_cloudwatch_metric_alarm.heartbeat_missing
}
override_resource {
  target = aws_cloudwatch_metric_alarm.end_to_end_latency
}
override_resource {
  target = aws_cloudwatch_metric_alarm.drifted_items
}
override_resource {
  target = aws_cloudwatch_metric_alarm.health_function_errors
}
override_resource {
  target = aws_cloudwatch_dashboard.this
}

variables {
  source_table_name  = "orders"
  source_kms_key_arn = null
  targets = [
    {
      table_name      = "orders-replica"
      region          = "eu-west-1"
      role_arn        = "arn:aws:iam::222222222222:role/ddbsync-target-access"
      external_id     = "shared-secret"
      health_role_arn = "arn:aws:iam::222222222222:role/ddbsync-target-access-health"
    },
    { table_name = "orders-local" },
  ]
  canary = {
    enabled       = true
    heartbeat_key = "{\"pk\":{\"S\":\"__ddbsync_heartbeat__\"},\"sk\":{\"S\":\"canary\"}}"
    ttl_attribute = "expires_at"
  }
  drift_detection = {
    enabled       = true
    repair        = true
    report_bucket = "ops-reports"
  }
}

run "rendered_health_policies" {
  command = apply

  assert {
    condition = [for s in jsondecode(aws_iam_role_policy.canary[0].policy).Statement : merge(s, {
      Action    = toset(flatten([try(s.Action, [])]))
      Resource  = toset(flatten([try(s.Resource, [])]))
      Condition = { for op, kv in try(s.Condition, {}) : op => { for k, v in kv : k => toset(flatten([v])) } }
      })] == [
      {
        Sid      = "WriteHeartbeat"
        Effect   = "Allow"
        Action   = toset(["dynamodb:PutItem"])
        Resource = toset(["arn:aws:dynamodb:us-east-1:111111111111:table/orders"])
        Condition = { "ForAllValues:StringEquals" = {
          "dynamodb:LeadingKeys" = toset(["__ddbsync_heartbeat__"])
          "dynamodb:Attributes"  = toset(["pk", "sk", "ddbsync_heartbeat_at", "ddbsync_heartbeat_id", "expires_at"])
        } }
      },
      {
        Sid       = "WriteOwnLogs"
        Effect    = "Allow"
        Action    = toset(["logs:CreateLogStream", "logs:PutLogEvents"])
        Resource  = toset(["arn:aws:logs:us-east-1:111111111111:log-group:/aws/lambda/ddbsync-canary:*"])
        Condition = {}
      },
      {
        Sid       = "AssumeHealthRoles"
        Effect    = "Allow"
        Action    = toset(["sts:AssumeRole"])
        Resource  = toset(["arn:aws:iam::222222222222:role/ddbsync-target-access-health"])
        Condition = {}
      },
      {
        Sid       = "ReadSameAccountTargets"
        Effect    = "Allow"
        Action    = toset(["dynamodb:GetItem"])
        Resource  = toset(["arn:aws:dynamodb:us-east-1:111111111111:table/orders-local"])
        Condition = {}
      },
    ]
    error_message = "The canary's policy must be exactly: PutItem of the heartbeat's partition and attributes on the source, its own logs, the health roles, GetItem on the same-account target."
  }

  assert {
    condition = [for s in jsondecode(aws_iam_role_policy.drift[0].policy).Statement : merge(s, {
      Action    = toset(flatten([try(s.Action, [])]))
      Resource  = toset(flatten([try(s.Resource, [])]))
      Condition = { for op, kv in try(s.Condition, {}) : op => { for k, v in kv : k => toset(flatten([v])) } }
      })] == [
      {
        Sid       = "ReadSourceTable"
        Effect    = "Allow"
        Action    = toset(["dynamodb:BatchGetItem", "dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:Scan"])
        Resource  = toset(["arn:aws:dynamodb:us-east-1:111111111111:table/orders"])
        Condition = {}
      },
      {
        Sid       = "WriteOwnLogs"
        Effect    = "Allow"
        Action    = toset(["logs:CreateLogStream", "logs:PutLogEvents"])
        Resource  = toset(["arn:aws:logs:us-east-1:111111111111:log-group:/aws/lambda/ddbsync-drift:*"])
        Condition = {}
      },
      {
        Sid       = "AssumeHealthRoles"
        Effect    = "Allow"
        Action    = toset(["sts:AssumeRole"])
        Resource  = toset(["arn:aws:iam::222222222222:role/ddbsync-target-access-health"])
        Condition = {}
      },
      {
        Sid       = "ReadSameAccountTargets"
        Effect    = "Allow"
        Action    = toset(["dynamodb:BatchGetItem", "dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:Scan"])
        Resource  = toset(["arn:aws:dynamodb:us-east-1:111111111111:table/orders-local"])
        Condition = {}
      },
      {
        Sid       = "RepairSameAccountTargets"
        Effect    = "Allow"
        Action    = toset(["dynamodb:BatchWriteItem", "dynamodb:DeleteItem", "dynamodb:PutItem"])
        Resource  = toset(["arn:aws:dynamodb:us-east-1:111111111111:table/orders-local"])
        Condition = {}
      },
      {
        Sid       = "WriteDriftReports"
        Effect    = "Allow"
        Action    = toset(["s3:PutObject"])
        Resource  = toset(["arn:aws:s3:::ops-reports/drift/*"])
        Condition = {}
      },
    ]
    error_message = "The drift policy must be exactly: reads on the source, its own logs, the health roles, reads and repairs on the same-account target, report objects under drift/."
  }

  assert {
    condition = [for s in jsondecode(aws_iam_role_policy.scheduler[0].policy).Statement : merge(s, {
      Action   = toset(flatten([try(s.Action, [])]))
      Resource = toset(flatten([try(s.Resource, [])]))
      })] == [{
      Sid      = "InvokeHealthFunctions"
      Effect   = "Allow"
      Action   = toset(["lambda:InvokeFunction"])
      Resource = toset(["arn:aws:lambda:us-east-1:111111111111:function:ddbsync-canary", "arn:aws:lambda:us-east-1:111111111111:function:ddbsync-drift"])
    }]
    error_message = "The scheduler role may invoke exactly the canary and drift functions."
  }

  assert {
    condition = [for s in jsondecode(aws_iam_role.scheduler[0].assume_role_policy).Statement : merge(s, {
      Action    = toset(flatten([try(s.Action, [])]))
      Principal = { for kind, ids in s.Principal : kind => toset(flatten([ids])) }
      Condition = { for op, kv in try(s.Condition, {}) : op => { for k, v in kv : k => toset(flatten([v])) } }
      })] == [{
      Sid       = "SchedulerAssumesRole"
      Effect    = "Allow"
      Action    = toset(["sts:AssumeRole"])
      Principal = { Service = toset(["scheduler.amazonaws.com"]) }
      Condition = { StringEquals = { "aws:SourceAccount" = toset(["111111111111"]) } }
    }]
    error_message = "Only EventBridge Scheduler, on behalf of this account, may assume the scheduler role."
  }

  assert {
    condition     = aws_iam_role.canary[0].assume_role_policy == aws_iam_role.this.assume_role_policy && aws_iam_role.drift[0].assume_role_policy == aws_iam_role.this.assume_role_policy
    error_message = "The canary and drift roles must trust Lambda on behalf of this account, as the replicator's role does."
  }
}

# A customer-managed key on the source table: the canary may use it to write the heartbeat,
# drift only to read; same-account target keys for reading only without repair.
run "rendered_key_statements" {
  command = apply

  variables {
    source_kms_key_arn    = "arn:aws:kms:us-east-1:111111111111:key/source-key"
    source_table_name     = null
    source_stream_arn     = "arn:aws:dynamodb:us-east-1:111111111111:table/orders/stream/2024-01-01T00:00:00.000"
    source_key_attributes = ["pk", "sk"]
    target_kms_key_arns   = ["arn:aws:kms:us-east-1:111111111111:key/local-key"]
    drift_detection       = { enabled = true }
  }

  assert {
    condition = [for s in jsondecode(aws_iam_role_policy.canary[0].policy).Statement : merge(s, {
      Action    = toset(flatten([try(s.Action, [])]))
      Resource  = toset(flatten([try(s.Resource, [])]))
      Condition = { for op, kv in try(s.Condition, {}) : op => { for k, v in kv : k => toset(flatten([v])) } }
      }) if contains(["UseSourceTableKey", "ReadSameAccountTargetKeys"], try(s.Sid, ""))] == [
      {
        Sid       = "UseSourceTableKey"
        Effect    = "Allow"
        Action    = toset(["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*"])
        Resource  = toset(["arn:aws:kms:us-east-1:111111111111:key/source-key"])
        Condition = { StringLike = { "kms:ViaService" = toset(["dynamodb.*.amazonaws.com"]) } }
      },
      {
        Sid       = "ReadSameAccountTargetKeys"
        Effect    = "Allow"
        Action    = toset(["kms:Decrypt", "kms:DescribeKey"])
        Resource  = toset(["arn:aws:kms:us-east-1:111111111111:key/local-key"])
        Condition = { StringLike = { "kms:ViaService" = toset(["dynamodb.*.amazonaws.com"]) } }
      },
    ]
    error_message = "The canary may use the source key (through DynamoDB) to write its heartbeat, and the same-account target keys to read."
  }
  assert {
    condition = [for s in jsondecode(aws_iam_role_policy.drift[0].policy).Statement : merge(s, {
      Action   = toset(flatten([try(s.Action, [])]))
      Resource = toset(flatten([try(s.Resource, [])]))
      }) if contains(["ReadSourceTableKey", "UseSameAccountTargetKeys"], try(s.Sid, ""))] == [
      {
        Sid       = "ReadSourceTableKey"
        Effect    = "Allow"
        Action    = toset(["kms:Decrypt", "kms:DescribeKey"])
        Resource  = toset(["arn:aws:kms:us-east-1:111111111111:key/source-key"])
        Condition = { StringLike = { "kms:ViaService" = "dynamodb.*.amazonaws.com" } }
      },
      {
        Sid       = "UseSameAccountTargetKeys"
        Effect    = "Allow"
        Action    = toset(["kms:Decrypt", "kms:DescribeKey"])
        Resource  = toset(["arn:aws:kms:us-east-1:111111111111:key/local-key"])
        Condition = { StringLike = { "kms:ViaService" = "dynamodb.*.amazonaws.com" } }
      },
    ]
    error_message = "Without repair, drift may only decrypt with the source's and the same-account targets' keys."
  }
}
