# The execution role's policies as IAM receives them: the JSON the real aws provider renders
# (tests/mocks replace aws_iam_policy_document, so the other files only see its inputs).
#
# Nothing here reaches AWS. The provider renders policy documents locally; the data sources
# that would call AWS are overridden, and so is every managed resource, because the policy
# document reads the log group's and the queue's ARNs and is therefore only rendered at
# apply. A resource added to the module needs an override_resource here: without one the
# provider tries to create it with these fake keys and the run fails at once.
#
# Statements are compared whole after making IAM's shorthand explicit: a lone action,
# resource or condition value is rendered as a string, several as a list (in no order a
# reader should depend on), so both become sets. Every other key of a statement is kept,
# so a Principal, NotAction or NotResource that appears makes the comparison fail. The Sids
# are compared as a list, in the order iam.tf declares them, so a statement rendered twice
# shows (the provider itself rejects a repeated Sid).
#
# The source table's key is given as source_kms_key_arn: the lookup reports it in a nested
# block (server_side_encryption), which overrides cannot fill.

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
  }
}
override_data {
  target = data.aws_kms_key.dlq
  values = { arn = "arn:aws:kms:us-east-1:111111111111:key/dlq-key" }
}

# ARNs as the provider reports them: a log group's without the ":*" the API appends.
override_resource {
  target = aws_cloudwatch_log_group.this
  values = { arn = "arn:aws:logs:us-east-1:111111111111:log-group:/aws/lambda/ddbsync" }
}
override_resource {
  target = aws_sqs_queue.dlq
  values = {
    arn = "arn:aws:sqs:us-east-1:111111111111:ddbsync-dlq"
    url = "https://sqs.us-east-1.amazonaws.com/111111111111/ddbsync-dlq"
  }
}
override_resource {
  target = aws_iam_role.this
  values = { arn = "arn:aws:iam::111111111111:role/ddbsync" }
}
override_resource {
  target = aws_iam_role_policy.this
}
override_resource {
  target = aws_lambda_function.this
  values = { arn = "arn:aws:lambda:us-east-1:111111111111:function:ddbsync" }
}
override_resource {
  target = aws_lambda_event_source_mapping.this
}
override_resource {
  target = aws_cloudwatch_metric_alarm.function
}
override_resource {
  target = aws_cloudwatch_metric_alarm.dlq
}
override_resource {
  target = aws_cloudwatch_dashboard.this
}

# Every optional statement switched on: a source key, targets reached through two roles
# (one of them twice), same-account targets in two regions with their keys, and a
# customer-managed key on the created queue.
run "every_statement" {
  command = apply

  variables {
    source_stream_arn       = "arn:aws:dynamodb:us-east-1:111111111111:table/orders/stream/2024-01-01T00:00:00.000"
    source_stream_view_type = "NEW_AND_OLD_IMAGES"
    source_key_attributes   = ["pk", "sk"]
    source_kms_key_arn      = "arn:aws:kms:us-east-1:111111111111:key/source-key"
    targets = [
      { table_name = "orders-replica", region = "eu-west-1", role_arn = "arn:aws:iam::222222222222:role/ddbsync-target-access", external_id = "shared-secret" },
      { table_name = "orders-archive", region = "eu-west-1", role_arn = "arn:aws:iam::222222222222:role/ddbsync-target-access", external_id = "shared-secret" },
      { table_name = "orders-audit", role_arn = "arn:aws:iam::333333333333:role/ddbsync-audit" },
      { table_name = "orders-local" },
      { table_name = "orders-local", region = "eu-central-1" },
    ]
    target_kms_key_arns = [
      "arn:aws:kms:us-east-1:111111111111:key/local-key",
      "arn:aws:kms:eu-central-1:111111111111:key/eu-key",
    ]
    dlq_kms_key_id = "alias/ddbsync-dlq"
  }

  assert {
    condition = [for s in jsondecode(aws_iam_role.this.assume_role_policy).Statement : merge(s, {
      Action    = toset(flatten([try(s.Action, [])]))
      Principal = { for kind, ids in s.Principal : kind => toset(flatten([ids])) }
      Condition = { for op, kv in try(s.Condition, {}) : op => { for k, v in kv : k => toset(flatten([v])) } }
      })] == [{
      Sid       = "LambdaAssumesRole"
      Effect    = "Allow"
      Action    = toset(["sts:AssumeRole"])
      Principal = { Service = toset(["lambda.amazonaws.com"]) }
      Condition = { StringEquals = { "aws:SourceAccount" = toset(["111111111111"]) } }
    }]
    error_message = "The trust policy must be one statement: Lambda may assume the role only on behalf of this account (aws:SourceAccount)."
  }
  assert {
    condition     = aws_iam_role_policy.this.role == aws_iam_role.this.id && aws_lambda_function.this.role == aws_iam_role.this.arn
    error_message = "The policy must be attached to the function's own execution role."
  }
  assert {
    condition = [for s in jsondecode(aws_iam_role_policy.this.policy).Statement : try(s.Sid, "(no Sid)")] == [
      "ReadSourceStream", "ListStreams", "WriteOwnLogs", "SendFailedRecordsToDlq", "AssumeTargetRoles",
      "WriteSameAccountTargets", "DecryptSourceStream", "UseSameAccountTargetKeys", "EncryptDlqMessages",
    ]
    error_message = "The policy must hold each of these statements exactly once, and nothing else."
  }
  assert {
    condition = [for s in jsondecode(aws_iam_role_policy.this.policy).Statement : merge(s, {
      Action    = toset(flatten([try(s.Action, [])]))
      Resource  = toset(flatten([try(s.Resource, [])]))
      Condition = { for op, kv in try(s.Condition, {}) : op => { for k, v in kv : k => toset(flatten([v])) } }
      }) if try(s.Sid, null) == "ReadSourceStream"] == [{
      Sid       = "ReadSourceStream"
      Effect    = "Allow"
      Action    = toset(["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"])
      Resource  = toset(["arn:aws:dynamodb:us-east-1:111111111111:table/orders/stream/2024-01-01T00:00:00.000"])
      Condition = {}
    }]
    error_message = "ReadSourceStream must allow DescribeStream, GetRecords and GetShardIterator on the source stream only."
  }
  assert {
    condition = [for s in jsondecode(aws_iam_role_policy.this.policy).Statement : merge(s, {
      Action    = toset(flatten([try(s.Action, [])]))
      Resource  = toset(flatten([try(s.Resource, [])]))
      Condition = { for op, kv in try(s.Condition, {}) : op => { for k, v in kv : k => toset(flatten([v])) } }
      }) if try(s.Sid, null) == "ListStreams"] == [{
      Sid       = "ListStreams"
      Effect    = "Allow"
      Action    = toset(["dynamodb:ListStreams"])
      Resource  = toset(["*"])
      Condition = {}
    }]
    error_message = "ListStreams must allow dynamodb:ListStreams alone (the one action granted on \"*\")."
  }
  assert {
    condition = [for s in jsondecode(aws_iam_role_policy.this.policy).Statement : merge(s, {
      Action    = toset(flatten([try(s.Action, [])]))
      Resource  = toset(flatten([try(s.Resource, [])]))
      Condition = { for op, kv in try(s.Condition, {}) : op => { for k, v in kv : k => toset(flatten([v])) } }
      }) if try(s.Sid, null) == "WriteOwnLogs"] == [{
      Sid       = "WriteOwnLogs"
      Effect    = "Allow"
      Action    = toset(["logs:CreateLogStream", "logs:PutLogEvents"])
      Resource  = toset(["arn:aws:logs:us-east-1:111111111111:log-group:/aws/lambda/ddbsync:*"])
      Condition = {}
    }]
    error_message = "WriteOwnLogs must allow CreateLogStream and PutLogEvents on the streams of the function's own log group only."
  }
  assert {
    condition = [for s in jsondecode(aws_iam_role_policy.this.policy).Statement : merge(s, {
      Action    = toset(flatten([try(s.Action, [])]))
      Resource  = toset(flatten([try(s.Resource, [])]))
      Condition = { for op, kv in try(s.Condition, {}) : op => { for k, v in kv : k => toset(flatten([v])) } }
      }) if try(s.Sid, null) == "SendFailedRecordsToDlq"] == [{
      Sid       = "SendFailedRecordsToDlq"
      Effect    = "Allow"
      Action    = toset(["sqs:SendMessage"])
      Resource  = toset(["arn:aws:sqs:us-east-1:111111111111:ddbsync-dlq"])
      Condition = {}
    }]
    error_message = "SendFailedRecordsToDlq must allow sqs:SendMessage on the created queue only."
  }
  assert {
    condition = [for s in jsondecode(aws_iam_role_policy.this.policy).Statement : merge(s, {
      Action    = toset(flatten([try(s.Action, [])]))
      Resource  = toset(flatten([try(s.Resource, [])]))
      Condition = { for op, kv in try(s.Condition, {}) : op => { for k, v in kv : k => toset(flatten([v])) } }
      }) if try(s.Sid, null) == "AssumeTargetRoles"] == [{
      Sid       = "AssumeTargetRoles"
      Effect    = "Allow"
      Action    = toset(["sts:AssumeRole"])
      Resource  = toset(["arn:aws:iam::222222222222:role/ddbsync-target-access", "arn:aws:iam::333333333333:role/ddbsync-audit"])
      Condition = {}
    }]
    error_message = "AssumeTargetRoles must allow sts:AssumeRole on the targets' roles only."
  }
  assert {
    condition = [for s in jsondecode(aws_iam_role_policy.this.policy).Statement : merge(s, {
      Action    = toset(flatten([try(s.Action, [])]))
      Resource  = toset(flatten([try(s.Resource, [])]))
      Condition = { for op, kv in try(s.Condition, {}) : op => { for k, v in kv : k => toset(flatten([v])) } }
      }) if try(s.Sid, null) == "WriteSameAccountTargets"] == [{
      Sid       = "WriteSameAccountTargets"
      Effect    = "Allow"
      Action    = toset(["dynamodb:BatchWriteItem", "dynamodb:DeleteItem", "dynamodb:DescribeTable", "dynamodb:PutItem"])
      Resource  = toset(["arn:aws:dynamodb:us-east-1:111111111111:table/orders-local", "arn:aws:dynamodb:eu-central-1:111111111111:table/orders-local"])
      Condition = {}
    }]
    error_message = "WriteSameAccountTargets must allow the four write actions on the targets without a role only, each in its own region."
  }
  assert {
    condition = [for s in jsondecode(aws_iam_role_policy.this.policy).Statement : merge(s, {
      Action    = toset(flatten([try(s.Action, [])]))
      Resource  = toset(flatten([try(s.Resource, [])]))
      Condition = { for op, kv in try(s.Condition, {}) : op => { for k, v in kv : k => toset(flatten([v])) } }
      }) if try(s.Sid, null) == "DecryptSourceStream"] == [{
      Sid       = "DecryptSourceStream"
      Effect    = "Allow"
      Action    = toset(["kms:Decrypt"])
      Resource  = toset(["arn:aws:kms:us-east-1:111111111111:key/source-key"])
      Condition = {}
    }]
    error_message = "DecryptSourceStream must allow kms:Decrypt on the source table's key only."
  }
  assert {
    condition = [for s in jsondecode(aws_iam_role_policy.this.policy).Statement : merge(s, {
      Action    = toset(flatten([try(s.Action, [])]))
      Resource  = toset(flatten([try(s.Resource, [])]))
      Condition = { for op, kv in try(s.Condition, {}) : op => { for k, v in kv : k => toset(flatten([v])) } }
      }) if try(s.Sid, null) == "UseSameAccountTargetKeys"] == [{
      Sid       = "UseSameAccountTargetKeys"
      Effect    = "Allow"
      Action    = toset(["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*"])
      Resource  = toset(["arn:aws:kms:us-east-1:111111111111:key/local-key", "arn:aws:kms:eu-central-1:111111111111:key/eu-key"])
      Condition = { StringLike = { "kms:ViaService" = toset(["dynamodb.*.amazonaws.com"]) } }
    }]
    error_message = "UseSameAccountTargetKeys must allow the KMS actions DynamoDB needs on the same-account targets' keys, only through DynamoDB (kms:ViaService)."
  }
  assert {
    condition = [for s in jsondecode(aws_iam_role_policy.this.policy).Statement : merge(s, {
      Action    = toset(flatten([try(s.Action, [])]))
      Resource  = toset(flatten([try(s.Resource, [])]))
      Condition = { for op, kv in try(s.Condition, {}) : op => { for k, v in kv : k => toset(flatten([v])) } }
      }) if try(s.Sid, null) == "EncryptDlqMessages"] == [{
      Sid       = "EncryptDlqMessages"
      Effect    = "Allow"
      Action    = toset(["kms:Decrypt", "kms:GenerateDataKey"])
      Resource  = toset(["arn:aws:kms:us-east-1:111111111111:key/dlq-key"])
      Condition = {}
    }]
    error_message = "EncryptDlqMessages must allow kms:GenerateDataKey and kms:Decrypt on the queue's key (by ARN, though given as an alias) only."
  }
}

# Every optional statement off: a looked-up source table without a customer-managed key,
# targets only through a role (so target_kms_key_arns grants nothing), and the created
# queue with SQS-managed encryption.
run "no_optional_statement" {
  command = apply

  variables {
    source_table_name = "orders"
    targets = [
      { table_name = "orders-replica", region = "eu-west-1", role_arn = "arn:aws:iam::222222222222:role/ddbsync-target-access", external_id = "shared-secret" },
    ]
    target_kms_key_arns = ["arn:aws:kms:us-east-1:111111111111:key/local-key"]
  }

  assert {
    condition = [for s in jsondecode(aws_iam_role_policy.this.policy).Statement : try(s.Sid, "(no Sid)")] == [
      "ReadSourceStream", "ListStreams", "WriteOwnLogs", "SendFailedRecordsToDlq", "AssumeTargetRoles",
    ]
    error_message = "Without same-account targets, source key or queue key the policy must hold only the stream, list, logs, queue and target-role statements, once each."
  }
  assert {
    condition = [for s in jsondecode(aws_iam_role_policy.this.policy).Statement : merge(s, {
      Action    = toset(flatten([try(s.Action, [])]))
      Resource  = toset(flatten([try(s.Resource, [])]))
      Condition = { for op, kv in try(s.Condition, {}) : op => { for k, v in kv : k => toset(flatten([v])) } }
      }) if try(s.Sid, null) == "ReadSourceStream"] == [{
      Sid       = "ReadSourceStream"
      Effect    = "Allow"
      Action    = toset(["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"])
      Resource  = toset(["arn:aws:dynamodb:us-east-1:111111111111:table/orders/stream/2024-01-01T00:00:00.000"])
      Condition = {}
    }]
    error_message = "ReadSourceStream must allow the stream reads on the looked-up table's stream only."
  }
  assert {
    condition = [for s in jsondecode(aws_iam_role_policy.this.policy).Statement : merge(s, {
      Action    = toset(flatten([try(s.Action, [])]))
      Resource  = toset(flatten([try(s.Resource, [])]))
      Condition = { for op, kv in try(s.Condition, {}) : op => { for k, v in kv : k => toset(flatten([v])) } }
      }) if try(s.Sid, null) == "AssumeTargetRoles"] == [{
      Sid       = "AssumeTargetRoles"
      Effect    = "Allow"
      Action    = toset(["sts:AssumeRole"])
      Resource  = toset(["arn:aws:iam::222222222222:role/ddbsync-target-access"])
      Condition = {}
    }]
    error_message = "AssumeTargetRoles must allow sts:AssumeRole on the target's role only."
  }
}

# An existing queue, and targets only in this account without customer-managed keys: no
# role to assume, no KMS statement (dlq_kms_key_id only applies to a created queue).
run "existing_queue_and_same_account_targets" {
  command = apply

  variables {
    source_table_name = "orders"
    targets           = [{ table_name = "orders-local" }]
    create_dlq        = false
    dlq_arn           = "arn:aws:sqs:us-east-1:111111111111:shared-failures"
    dlq_kms_key_id    = "alias/ignored-without-a-created-queue"
    create_alarms     = false
  }

  assert {
    condition = [for s in jsondecode(aws_iam_role_policy.this.policy).Statement : try(s.Sid, "(no Sid)")] == [
      "ReadSourceStream", "ListStreams", "WriteOwnLogs", "SendFailedRecordsToDlq", "WriteSameAccountTargets",
    ]
    error_message = "With same-account targets only and no keys the policy must hold only the stream, list, logs, queue and table-write statements, once each."
  }
  assert {
    condition = [for s in jsondecode(aws_iam_role_policy.this.policy).Statement : merge(s, {
      Action    = toset(flatten([try(s.Action, [])]))
      Resource  = toset(flatten([try(s.Resource, [])]))
      Condition = { for op, kv in try(s.Condition, {}) : op => { for k, v in kv : k => toset(flatten([v])) } }
      }) if try(s.Sid, null) == "SendFailedRecordsToDlq"] == [{
      Sid       = "SendFailedRecordsToDlq"
      Effect    = "Allow"
      Action    = toset(["sqs:SendMessage"])
      Resource  = toset(["arn:aws:sqs:us-east-1:111111111111:shared-failures"])
      Condition = {}
    }]
    error_message = "SendFailedRecordsToDlq must allow sqs:SendMessage on the given queue only."
  }
  assert {
    condition = [for s in jsondecode(aws_iam_role_policy.this.policy).Statement : merge(s, {
      Action    = toset(flatten([try(s.Action, [])]))
      Resource  = toset(flatten([try(s.Resource, [])]))
      Condition = { for op, kv in try(s.Condition, {}) : op => { for k, v in kv : k => toset(flatten([v])) } }
      }) if try(s.Sid, null) == "WriteSameAccountTargets"] == [{
      Sid       = "WriteSameAccountTargets"
      Effect    = "Allow"
      Action    = toset(["dynamodb:BatchWriteItem", "dynamodb:DeleteItem", "dynamodb:DescribeTable", "dynamodb:PutItem"])
      Resource  = toset(["arn:aws:dynamodb:us-east-1:111111111111:table/orders-local"])
      Condition = {}
    }]
    error_message = "WriteSameAccountTargets must allow the four write actions on the target table in the function's region only."
  }
}
