# What the replicator module creates, with a mocked aws provider (no AWS calls): a least-
# privilege execution role (plus the statements for KMS keys and same-account targets), the
# function's environment, runtime and log group, and the alarms.
#
# The module's suite is split over a few files that test/terraform/static.test.ts runs side
# by side; each terraform process first loads the aws provider's schema (a few seconds).

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  source_table_name = "orders"
  targets = [
    {
      table_name  = "orders-replica"
      region      = "eu-west-1"
      role_arn    = "arn:aws:iam::222222222222:role/ddbsync-target-access"
      external_id = "shared-secret"
    },
  ]
}

run "iam_is_least_privilege" {
  command = apply

  assert {
    condition     = toset([for s in data.aws_iam_policy_document.replicator.statement : s.sid]) == toset(["ReadSourceStream", "ListStreams", "WriteOwnLogs", "SendFailedRecordsToDlq", "AssumeTargetRoles"])
    error_message = "The execution role's policy must hold exactly the stream, list, logs, queue and target-role statements."
  }
  assert {
    condition     = [for s in data.aws_iam_policy_document.replicator.statement : s.effect if s.effect != "Allow"] == []
    error_message = "Every statement must be an Allow."
  }
  assert {
    condition     = [for p in data.aws_iam_policy_document.assume.statement[0].principals : p.identifiers] == [toset(["lambda.amazonaws.com"])] && one(data.aws_iam_policy_document.assume.statement[0].condition).values == tolist(["111111111111"])
    error_message = "Only Lambda, on behalf of this account (aws:SourceAccount), may assume the execution role."
  }

  assert {
    condition     = [for s in data.aws_iam_policy_document.replicator.statement : s.resources if s.sid == "ReadSourceStream"][0] == toset(["arn:aws:dynamodb:us-east-1:111111111111:table/orders/stream/2024-01-01T00:00:00.000"])
    error_message = "Stream reads must be allowed on the source stream's ARN only."
  }
  assert {
    condition     = [for s in data.aws_iam_policy_document.replicator.statement : s.actions if s.sid == "ReadSourceStream"][0] == toset(["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"])
    error_message = "Stream read actions must be exactly DescribeStream, GetRecords, GetShardIterator."
  }
  assert {
    condition     = [for s in data.aws_iam_policy_document.replicator.statement : s.resources if s.sid == "AssumeTargetRoles"][0] == toset(["arn:aws:iam::222222222222:role/ddbsync-target-access"])
    error_message = "sts:AssumeRole must be allowed on the target role ARNs only."
  }
  assert {
    condition     = [for s in data.aws_iam_policy_document.replicator.statement : s.actions if s.sid == "AssumeTargetRoles"][0] == toset(["sts:AssumeRole"])
    error_message = "The target-role statement must allow sts:AssumeRole only."
  }
  assert {
    condition     = [for s in data.aws_iam_policy_document.replicator.statement : s.resources if s.sid == "SendFailedRecordsToDlq"][0] == toset(["arn:aws:sqs:us-east-1:111111111111:ddbsync-dlq"])
    error_message = "sqs:SendMessage must be allowed on the dead-letter queue only."
  }
  assert {
    condition     = [for s in data.aws_iam_policy_document.replicator.statement : s.actions if s.sid == "SendFailedRecordsToDlq"][0] == toset(["sqs:SendMessage"])
    error_message = "The queue statement must allow sqs:SendMessage only."
  }
  assert {
    condition     = [for s in data.aws_iam_policy_document.replicator.statement : s.resources if s.sid == "WriteOwnLogs"][0] == toset(["arn:aws:logs:us-east-1:111111111111:log-group:/aws/lambda/ddbsync:*"])
    error_message = "Log writes must be allowed on the function's own log group only."
  }
  assert {
    condition     = [for s in data.aws_iam_policy_document.replicator.statement : s.actions if s.sid == "WriteOwnLogs"][0] == toset(["logs:CreateLogStream", "logs:PutLogEvents"])
    error_message = "Log actions must be CreateLogStream and PutLogEvents only."
  }
  assert {
    condition     = alltrue(flatten([for s in data.aws_iam_policy_document.replicator.statement : [for a in s.actions : !strcontains(a, "*")]]))
    error_message = "No statement may use a wildcard action."
  }
  assert {
    condition     = [for s in data.aws_iam_policy_document.replicator.statement : s.sid if contains(tolist(s.resources), "*")] == ["ListStreams"]
    error_message = "Only dynamodb:ListStreams (which has no resource-level permissions) may be granted on \"*\"."
  }
  assert {
    condition     = length([for s in data.aws_iam_policy_document.replicator.statement : s if s.sid == "WriteSameAccountTargets"]) == 0
    error_message = "Targets reached through a role must not get direct table permissions."
  }
  assert {
    condition     = length([for s in data.aws_iam_policy_document.replicator.statement : s if s.sid == "DecryptSourceStream"]) == 0
    error_message = "No KMS permission is needed when the source table has no customer-managed key."
  }
}

run "kms_source_key_gets_decrypt" {
  command = plan

  variables {
    source_table_name  = null
    source_stream_arn  = "arn:aws:dynamodb:us-east-1:111111111111:table/orders/stream/2024-01-01T00:00:00.000"
    source_kms_key_arn = "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  }

  assert {
    condition     = [for s in data.aws_iam_policy_document.replicator.statement : s.resources if s.sid == "DecryptSourceStream"][0] == toset(["arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"])
    error_message = "kms:Decrypt must be granted on the source table's key only."
  }
}

run "same_account_target_keys" {
  command = plan

  variables {
    targets             = [{ table_name = "orders-copy", region = "us-west-2" }]
    target_kms_key_arns = ["arn:aws:kms:us-west-2:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"]
  }

  assert {
    condition     = [for s in data.aws_iam_policy_document.replicator.statement : s.resources if s.sid == "WriteSameAccountTargets"][0] == toset(["arn:aws:dynamodb:us-west-2:111111111111:table/orders-copy"])
    error_message = "A same-account target in another region gets write permissions on that region's table ARN only."
  }
  assert {
    condition     = [for s in data.aws_iam_policy_document.replicator.statement : s.resources if s.sid == "UseSameAccountTargetKeys"][0] == toset(["arn:aws:kms:us-west-2:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"])
    error_message = "KMS use must be granted on the same-account targets' keys only."
  }
  assert {
    condition     = length([for s in data.aws_iam_policy_document.replicator.statement : s if s.sid == "AssumeTargetRoles"]) == 0
    error_message = "Without role_arn targets there must be no sts:AssumeRole statement."
  }
  assert {
    condition     = jsondecode(aws_lambda_function.this.environment[0].variables.REPLICATION_TARGETS) == [{ tableName = "orders-copy", region = "us-west-2" }]
    error_message = "A same-account target has no roleArn in REPLICATION_TARGETS."
  }
}

run "function_environment" {
  command = apply

  variables {
    targets = [
      { table_name = "orders-replica", region = "eu-west-1", role_arn = "arn:aws:iam::222222222222:role/ddbsync-target-access", external_id = "shared-secret" },
      { table_name = "orders-copy" },
    ]
    exclude_attributes = ["ssn", "email"]
    skip_ttl_deletes   = true
    max_concurrency    = 8
  }

  assert {
    condition = jsondecode(aws_lambda_function.this.environment[0].variables.REPLICATION_TARGETS) == [
      { tableName = "orders-replica", region = "eu-west-1", roleArn = "arn:aws:iam::222222222222:role/ddbsync-target-access", externalId = "shared-secret" },
      { tableName = "orders-copy", region = "us-east-1" },
    ]
    error_message = "REPLICATION_TARGETS must be the targets in the function's camelCase JSON, region filled in, absent fields left out."
  }
  assert {
    condition     = output.replication_targets_json == aws_lambda_function.this.environment[0].variables.REPLICATION_TARGETS
    error_message = "replication_targets_json must be exactly what the function reads."
  }
  assert {
    condition     = aws_lambda_function.this.environment[0].variables.EXCLUDE_ATTRIBUTES == "ssn,email" && aws_lambda_function.this.environment[0].variables.SKIP_TTL_DELETES == "true" && aws_lambda_function.this.environment[0].variables.MAX_CONCURRENCY == "8"
    error_message = "EXCLUDE_ATTRIBUTES, SKIP_TTL_DELETES and MAX_CONCURRENCY must come from the variables."
  }
  assert {
    condition     = aws_lambda_function.this.runtime == "nodejs22.x" && aws_lambda_function.this.handler == "index.handler" && aws_lambda_function.this.architectures == tolist(["arm64"])
    error_message = "The function must run index.handler on nodejs22.x, arm64 by default."
  }
  assert {
    condition     = aws_lambda_function.this.environment[0].variables.POWERTOOLS_SERVICE_NAME == "ddbsync" && aws_lambda_function.this.environment[0].variables.POWERTOOLS_METRICS_NAMESPACE == "ddbsync"
    error_message = "Powertools service and namespace must be set."
  }
  assert {
    condition     = aws_cloudwatch_log_group.this.name == "/aws/lambda/${aws_lambda_function.this.function_name}" && aws_cloudwatch_log_group.this.retention_in_days == 30
    error_message = "The log group must be the function's own, with a retention."
  }
  assert {
    condition     = [for s in data.aws_iam_policy_document.replicator.statement : s.resources if s.sid == "WriteSameAccountTargets"][0] == toset(["arn:aws:dynamodb:us-east-1:111111111111:table/orders-copy"])
    error_message = "A same-account target gets write permissions on its own table ARN only."
  }
  assert {
    condition     = [for s in data.aws_iam_policy_document.replicator.statement : s.actions if s.sid == "WriteSameAccountTargets"][0] == toset(["dynamodb:BatchWriteItem", "dynamodb:DeleteItem", "dynamodb:DescribeTable", "dynamodb:PutItem"])
    error_message = "Same-account targets get exactly the DynamoDB write actions."
  }
}

run "alarms" {
  command = apply

  variables {
    alarm_sns_topic_arn = "arn:aws:sns:us-east-1:111111111111:ops"
  }

  assert {
    condition     = keys(output.alarm_arns) == ["dlq-messages", "errors", "iterator-age", "throttles"]
    error_message = "Alarms on iterator age, errors, throttles and dead-letter messages must be created and output."
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.function["iterator-age"].alarm_actions == toset(["arn:aws:sns:us-east-1:111111111111:ops"]) && aws_cloudwatch_metric_alarm.dlq[0].dimensions.QueueName == "ddbsync-dlq"
    error_message = "Alarms must notify the SNS topic, and the DLQ alarm must watch the queue."
  }
}
