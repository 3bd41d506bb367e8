# The lag canary, drift detection and dashboard of the replicator module, against a mocked
# aws provider (no AWS calls): their IAM statements (actions, resources, conditions), the
# functions' settings and environment, the schedules, the alarms, the dashboard, and the
# inputs they refuse (those whose message is checked are in tests/messages/).

mock_provider "aws" {
  source = "./tests/mocks"
}

# Distinct ARNs for the roles and functions the assertions tell apart (the shared mocks give
# every role and function the same one).
override_resource {
  target = aws_lambda_function.canary
  values = { arn = "arn:aws:lambda:us-east-1:111111111111:function:ddbsync-canary" }
}
override_resource {
  target = aws_lambda_function.drift
  values = { arn = "arn:aws:lambda:us-east-1:111111111111:function:ddbsync-drift" }
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
  target = aws_cloudwatch_log_group.canary
  values = { arn = "arn:aws:logs:us-east-1:111111111111:log-group:/aws/lambda/ddbsync-canary" }
}
override_resource {
  target = aws_cloudwatch_log_group.drift
  values = { arn = "arn:aws:logs:us-east-1:111111111111:log-group:/aws/lambda/ddbsync-drift" }
}

variables {
  source_table_name   = "orders"
  alarm_sns_topic_arn = "arn:aws:sns:us-east-1:111111111111:ops-alerts"
  targets = [
    {
      table_name      = "orders-replica"
      region          = "eu-west-1"
      role_arn        = "arn:aws:iam::222222222222:role/ddbsync-target-access"
      external_id     = "shared-secret"
      health_role_arn = "arn:aws:iam::222222222222:role/ddbsync-target-access-health"
    },
    { table_name = "orders-copy" },
  ]
}

run "off_by_default" {
  command = plan

  assert {
    condition     = length(aws_lambda_function.canary) == 0 && length(aws_lambda_function.drift) == 0 && length(aws_scheduler_schedule.canary) == 0 && length(aws_scheduler_schedule.drift) == 0 && length(aws_iam_role.scheduler) == 0
    error_message = "Without canary.enabled or drift_detection.enabled there must be no health function, schedule or scheduler role."
  }
  assert {
    condition     = length(aws_cloudwatch_metric_alarm.heartbeat_missing) == 0 && length(aws_cloudwatch_metric_alarm.drifted_items) == 0 && length(aws_cloudwatch_metric_alarm.health_function_errors) == 0
    error_message = "Without the canary and drift detection there must be no health alarm."
  }
  assert {
    condition     = length(aws_cloudwatch_dashboard.this) == 1 && output.dashboard_name == "ddbsync"
    error_message = "The dashboard must be created by default, named after the function."
  }
  assert {
    condition     = output.health_reader_role_arns == [] && output.canary_function_name == null && output.drift_function_name == null
    error_message = "With both off there are no health roles or functions to output."
  }
}

run "canary_writes_only_its_heartbeat" {
  command = apply

  variables {
    canary = {
      enabled                = true
      heartbeat_key          = "{\"pk\":{\"S\":\"__ddbsync_heartbeat__\"},\"sk\":{\"S\":\"canary\"}}"
      ttl_attribute          = "expires_at"
      miss_threshold_seconds = 45
    }
  }

  assert {
    condition     = toset([for s in data.aws_iam_policy_document.canary[0].statement : s.sid]) == toset(["WriteHeartbeat", "WriteOwnLogs", "AssumeHealthRoles", "ReadSameAccountTargets"])
    error_message = "The canary's policy must hold exactly the heartbeat, logs, health-role and same-account read statements."
  }
  assert {
    condition     = [for s in data.aws_iam_policy_document.canary[0].statement : s.actions if s.sid == "WriteHeartbeat"][0] == toset(["dynamodb:PutItem"]) && [for s in data.aws_iam_policy_document.canary[0].statement : s.resources if s.sid == "WriteHeartbeat"][0] == toset(["arn:aws:dynamodb:us-east-1:111111111111:table/orders"])
    error_message = "The canary may only PutItem, on the source table only."
  }
  assert {
    condition = jsonencode({ for c in [for s in data.aws_iam_policy_document.canary[0].statement : s.condition if s.sid == "WriteHeartbeat"][0] : c.variable => [c.test, sort(c.values)] }) == jsonencode({
      "dynamodb:Attributes"  = ["ForAllValues:StringEquals", ["ddbsync_heartbeat_at", "ddbsync_heartbeat_id", "expires_at", "pk", "sk"]]
      "dynamodb:LeadingKeys" = ["ForAllValues:StringEquals", ["__ddbsync_heartbeat__"]]
    })
    error_message = "The heartbeat write must be limited to the heartbeat's partition (dynamodb:LeadingKeys) and to its key, time, id and TTL attributes (dynamodb:Attributes)."
  }
  assert {
    condition     = [for s in data.aws_iam_policy_document.canary[0].statement : s.resources if s.sid == "AssumeHealthRoles"][0] == toset(["arn:aws:iam::222222222222:role/ddbsync-target-access-health"]) && [for s in data.aws_iam_policy_document.canary[0].statement : s.actions if s.sid == "AssumeHealthRoles"][0] == toset(["sts:AssumeRole"])
    error_message = "The canary may assume the targets' health roles only, never their writer roles."
  }
  assert {
    condition     = [for s in data.aws_iam_policy_document.canary[0].statement : s.actions if s.sid == "ReadSameAccountTargets"][0] == toset(["dynamodb:GetItem"]) && [for s in data.aws_iam_policy_document.canary[0].statement : s.resources if s.sid == "ReadSameAccountTargets"][0] == toset(["arn:aws:dynamodb:us-east-1:111111111111:table/orders-copy"])
    error_message = "The canary may only GetItem the same-account target table."
  }
  assert {
    condition     = [for s in data.aws_iam_policy_document.canary[0].statement : s.resources if s.sid == "WriteOwnLogs"][0] == toset(["arn:aws:logs:us-east-1:111111111111:log-group:/aws/lambda/ddbsync-canary:*"])
    error_message = "The canary may write its own log group only."
  }
  assert {
    condition     = alltrue(flatten([for s in data.aws_iam_policy_document.canary[0].statement : [for a in s.actions : !strcontains(a, "*")]])) && alltrue([for s in data.aws_iam_policy_document.canary[0].statement : !contains(tolist(s.resources), "*")])
    error_message = "No canary statement may use a wildcard action or resource."
  }
  assert {
    condition     = aws_lambda_function.canary[0].handler == "canary.handler" && endswith(aws_lambda_function.canary[0].filename, "dist/health.zip") && aws_lambda_function.canary[0].source_code_hash != aws_lambda_function.this.source_code_hash && aws_lambda_function.canary[0].role == "arn:aws:iam::111111111111:role/ddbsync-canary"
    error_message = "The canary must run canary.handler from dist/health.zip (not the replicator's package) with its own role."
  }
  assert {
    condition     = aws_lambda_function.canary[0].timeout == 75
    error_message = "The canary's timeout must exceed its miss threshold (45 s) by 30 s."
  }
  assert {
    condition = jsonencode(aws_lambda_function.canary[0].environment[0].variables) == jsonencode({
      SOURCE_TABLE                 = "orders"
      HEARTBEAT_KEY                = "{\"pk\":{\"S\":\"__ddbsync_heartbeat__\"},\"sk\":{\"S\":\"canary\"}}"
      HEARTBEAT_TTL_ATTRIBUTE      = "expires_at"
      HEARTBEAT_TTL_SECONDS        = "3600"
      HEALTH_TARGETS               = "[{\"externalId\":\"shared-secret\",\"region\":\"eu-west-1\",\"roleArn\":\"arn:aws:iam::222222222222:role/ddbsync-target-access-health\",\"tableName\":\"orders-replica\"},{\"region\":\"us-east-1\",\"tableName\":\"orders-copy\"}]"
      MISS_THRESHOLD_SECONDS       = "45"
      POLL_INTERVAL_MS             = "200"
      POWERTOOLS_SERVICE_NAME      = "ddbsync"
      POWERTOOLS_METRICS_NAMESPACE = "ddbsync"
      POWERTOOLS_LOG_LEVEL         = "INFO"
    })
    error_message = "The canary's environment must be the contract's: source table, heartbeat key and TTL, health targets (health roles, not writer roles), threshold, poll interval, and the replicator's service and namespace."
  }
  assert {
    condition     = aws_scheduler_schedule.canary[0].schedule_expression == "rate(1 minute)" && aws_scheduler_schedule.canary[0].target[0].arn == "arn:aws:lambda:us-east-1:111111111111:function:ddbsync-canary" && aws_scheduler_schedule.canary[0].target[0].role_arn == "arn:aws:iam::111111111111:role/ddbsync-scheduler" && aws_scheduler_schedule.canary[0].flexible_time_window[0].mode == "OFF"
    error_message = "The canary must be invoked every minute, on time, through the scheduler role."
  }
  assert {
    condition     = data.aws_iam_policy_document.scheduler[0].statement[0].actions == toset(["lambda:InvokeFunction"]) && data.aws_iam_policy_document.scheduler[0].statement[0].resources == toset(["arn:aws:lambda:us-east-1:111111111111:function:ddbsync-canary"]) && length(data.aws_iam_policy_document.scheduler[0].statement) == 1
    error_message = "The scheduler role may invoke the canary function only (drift detection is off)."
  }
  assert {
    condition     = [for p in data.aws_iam_policy_document.scheduler_assume[0].statement[0].principals : p.identifiers] == [toset(["scheduler.amazonaws.com"])] && one(data.aws_iam_policy_document.scheduler_assume[0].statement[0].condition).values == tolist(["111111111111"])
    error_message = "Only EventBridge Scheduler, on behalf of this account, may assume the scheduler role."
  }
  assert {
    condition     = output.health_target_labels == ["222222222222/eu-west-1/orders-replica", "111111111111/us-east-1/orders-copy"]
    error_message = "Targets must be labelled <account>/<region>/<table>: the health role's account, else the function's own."
  }
  assert {
    condition     = { for k, a in aws_cloudwatch_metric_alarm.heartbeat_missing : k => a.dimensions["Target"] } == { "eu-west-1/orders-replica" = "222222222222/eu-west-1/orders-replica", "us-east-1/orders-copy" = "111111111111/us-east-1/orders-copy" } && keys(aws_cloudwatch_metric_alarm.end_to_end_latency) == keys(aws_cloudwatch_metric_alarm.heartbeat_missing)
    error_message = "There must be one heartbeat-missing and one latency alarm per target (keyed by region and table, known at plan time), each on that target's label."
  }
  assert {
    condition = alltrue([for k, a in aws_cloudwatch_metric_alarm.heartbeat_missing :
      a.namespace == "ddbsync" && a.metric_name == "HeartbeatMissing" && a.dimensions == tomap({ service = "ddbsync", Target = a.dimensions["Target"] }) && endswith(a.dimensions["Target"], k) && endswith(a.alarm_name, a.dimensions["Target"]) &&
      a.statistic == "Maximum" && a.threshold == 1 && a.comparison_operator == "GreaterThanOrEqualToThreshold" &&
      a.period == 60 && a.evaluation_periods == 1 && a.treat_missing_data == "breaching" &&
      a.alarm_actions == toset(["arn:aws:sns:us-east-1:111111111111:ops-alerts"]) && a.ok_actions == a.alarm_actions
    ])
    error_message = "HeartbeatMissing >= 1 in one canary period (missing data breaching: no run proves nothing) must alarm, per target, to the module's topic."
  }
  assert {
    condition = alltrue([for k, a in aws_cloudwatch_metric_alarm.end_to_end_latency :
      a.metric_name == "EndToEndLatency" && a.dimensions == tomap({ service = "ddbsync", Target = a.dimensions["Target"] }) && endswith(a.dimensions["Target"], k) && endswith(a.alarm_name, a.dimensions["Target"]) && a.statistic == "Maximum" &&
      a.threshold == 30000 && a.comparison_operator == "GreaterThanThreshold" && a.evaluation_periods == 3 && a.datapoints_to_alarm == 3 &&
      a.alarm_actions == toset(["arn:aws:sns:us-east-1:111111111111:ops-alerts"])
    ])
    error_message = "EndToEndLatency above latency_alarm_ms in latency_alarm_runs consecutive runs must alarm, per target."
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.health_function_errors["canary"].dimensions == tomap({ FunctionName = "ddbsync-canary" }) && aws_cloudwatch_metric_alarm.health_function_errors["canary"].metric_name == "Errors"
    error_message = "A failing canary run must alarm."
  }
  assert {
    condition     = output.health_reader_role_arns == ["arn:aws:iam::111111111111:role/ddbsync-canary"]
    error_message = "The canary's role must be output for target-access to trust."
  }
}

run "canary_numeric_partition_key_has_no_leading_keys_condition" {
  command = plan

  override_data {
    target = data.aws_dynamodb_table.source[0]
    values = {
      arn              = "arn:aws:dynamodb:us-east-1:111111111111:table/orders"
      hash_key         = "id"
      range_key        = "kind"
      stream_enabled   = true
      stream_view_type = "NEW_AND_OLD_IMAGES"
      stream_arn       = "arn:aws:dynamodb:us-east-1:111111111111:table/orders/stream/2024-01-01T00:00:00.000"
      attribute        = [{ name = "id", type = "N" }, { name = "kind", type = "S" }]
    }
  }

  variables {
    canary = { enabled = true, heartbeat_key = "{\"id\":{\"N\":\"-1\"},\"kind\":{\"S\":\"__ddbsync_heartbeat__\"}}" }
  }

  assert {
    condition = jsonencode({ for c in [for s in data.aws_iam_policy_document.canary[0].statement : s.condition if s.sid == "WriteHeartbeat"][0] : c.variable => [c.test, sort(c.values)] }) == jsonencode({
      "dynamodb:Attributes" = ["ForAllValues:StringEquals", ["ddbsync_heartbeat_at", "ddbsync_heartbeat_id", "id", "kind"]]
    })
    error_message = "With a number partition key (the reserved prefix on the sort key) the heartbeat write is limited by dynamodb:Attributes only (IAM compares LeadingKeys as strings)."
  }
}

run "canary_with_stream_arn_source" {
  command = plan

  variables {
    source_table_name     = null
    source_stream_arn     = "arn:aws:dynamodb:us-east-1:111111111111:table/events/stream/2024-01-01T00:00:00.000"
    source_key_attributes = ["tenant", "at"]
    canary                = { enabled = true, heartbeat_key = "{\"tenant\":{\"S\":\"__ddbsync_heartbeat__canary\"},\"at\":{\"N\":\"0\"}}" }
  }

  assert {
    condition     = aws_lambda_function.canary[0].environment[0].variables.SOURCE_TABLE == "events" && [for s in data.aws_iam_policy_document.canary[0].statement : s.resources if s.sid == "WriteHeartbeat"][0] == toset(["arn:aws:dynamodb:us-east-1:111111111111:table/events"])
    error_message = "Given a stream ARN, the source table's name and ARN must come from it."
  }
}

run "drift_reads_the_source_and_repairs_targets" {
  command = apply

  variables {
    canary = { enabled = true, heartbeat_key = "{\"pk\":{\"S\":\"__ddbsync_heartbeat__\"},\"sk\":{\"S\":\"canary\"}}" }
    drift_detection = {
      enabled       = true
      repair        = true
      report_bucket = "ops-reports"
      sample_items  = 500
      alarm_runs    = 2
    }
    exclude_attributes = ["ssn"]
  }

  assert {
    condition     = toset([for s in data.aws_iam_policy_document.drift[0].statement : s.sid]) == toset(["ReadSourceTable", "WriteOwnLogs", "AssumeHealthRoles", "ReadSameAccountTargets", "RepairSameAccountTargets", "WriteDriftReports"])
    error_message = "The drift policy must hold exactly the source read, logs, health-role, same-account read and repair, and report statements."
  }
  assert {
    condition     = [for s in data.aws_iam_policy_document.drift[0].statement : s.actions if s.sid == "ReadSourceTable"][0] == toset(["dynamodb:BatchGetItem", "dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:Scan"]) && [for s in data.aws_iam_policy_document.drift[0].statement : s.resources if s.sid == "ReadSourceTable"][0] == toset(["arn:aws:dynamodb:us-east-1:111111111111:table/orders"])
    error_message = "Drift detection reads the source table (Scan, GetItem, BatchGetItem, DescribeTable) and nothing else there."
  }
  assert {
    condition     = length([for s in data.aws_iam_policy_document.drift[0].statement : s if contains(tolist(s.resources), "arn:aws:dynamodb:us-east-1:111111111111:table/orders") && length(setintersection(s.actions, ["dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem", "dynamodb:UpdateItem"])) > 0]) == 0
    error_message = "Drift detection must never be allowed to write the source table."
  }
  assert {
    condition     = [for s in data.aws_iam_policy_document.drift[0].statement : s.actions if s.sid == "RepairSameAccountTargets"][0] == toset(["dynamodb:BatchWriteItem", "dynamodb:DeleteItem", "dynamodb:PutItem"]) && [for s in data.aws_iam_policy_document.drift[0].statement : s.resources if s.sid == "RepairSameAccountTargets"][0] == toset(["arn:aws:dynamodb:us-east-1:111111111111:table/orders-copy"])
    error_message = "Repair may write the same-account target table only."
  }
  assert {
    condition     = [for s in data.aws_iam_policy_document.drift[0].statement : s.actions if s.sid == "WriteDriftReports"][0] == toset(["s3:PutObject"]) && [for s in data.aws_iam_policy_document.drift[0].statement : s.resources if s.sid == "WriteDriftReports"][0] == toset(["arn:aws:s3:::ops-reports/drift/*"])
    error_message = "Reports may only be put under drift/ in the report bucket."
  }
  assert {
    condition     = [for s in data.aws_iam_policy_document.drift[0].statement : s.resources if s.sid == "AssumeHealthRoles"][0] == toset(["arn:aws:iam::222222222222:role/ddbsync-target-access-health"])
    error_message = "Drift detection may assume the health roles only."
  }
  assert {
    condition = jsonencode(aws_lambda_function.drift[0].environment[0].variables) == jsonencode({
      SOURCE_TABLE                 = "orders"
      HEALTH_TARGETS               = aws_lambda_function.canary[0].environment[0].variables.HEALTH_TARGETS
      EXCLUDE_ATTRIBUTES           = "ssn"
      SKIP_TTL_DELETES             = "false"
      SAMPLE_ITEMS                 = "500"
      SAMPLE_TOTAL_SEGMENTS        = "1000"
      READ_CAPACITY                = "100"
      RECHECK_DELAY_MS             = "5000"
      REPAIR                       = "true"
      REPORT_BUCKET                = "ops-reports"
      POWERTOOLS_SERVICE_NAME      = "ddbsync"
      POWERTOOLS_METRICS_NAMESPACE = "ddbsync"
      POWERTOOLS_LOG_LEVEL         = "INFO"
    })
    error_message = "The drift function's environment must be the contract's (exclusions and TTL-delete skipping as the replicator's)."
  }
  assert {
    condition     = aws_lambda_function.drift[0].handler == "drift.handler" && endswith(aws_lambda_function.drift[0].filename, "dist/health.zip") && aws_lambda_function.drift[0].timeout == 300
    error_message = "Drift detection must run drift.handler from dist/health.zip."
  }
  assert {
    condition     = aws_scheduler_schedule.drift[0].schedule_expression == "rate(1 hour)" && aws_scheduler_schedule.drift[0].target[0].arn == "arn:aws:lambda:us-east-1:111111111111:function:ddbsync-drift"
    error_message = "Drift detection must run hourly by default."
  }
  assert {
    condition     = data.aws_iam_policy_document.scheduler[0].statement[0].resources == toset(["arn:aws:lambda:us-east-1:111111111111:function:ddbsync-canary", "arn:aws:lambda:us-east-1:111111111111:function:ddbsync-drift"])
    error_message = "The scheduler role may invoke exactly the canary and drift functions."
  }
  assert {
    condition = alltrue([for k, a in aws_cloudwatch_metric_alarm.drifted_items :
      a.metric_name == "DriftedItems" && a.dimensions == tomap({ service = "ddbsync", Target = a.dimensions["Target"] }) && endswith(a.dimensions["Target"], k) && endswith(a.alarm_name, a.dimensions["Target"]) && a.statistic == "Maximum" &&
      a.threshold == 0 && a.comparison_operator == "GreaterThanThreshold" && a.period == 3600 &&
      a.evaluation_periods == 2 && a.datapoints_to_alarm == 2 && a.alarm_actions == toset(["arn:aws:sns:us-east-1:111111111111:ops-alerts"])
    ]) && length(aws_cloudwatch_metric_alarm.drifted_items) == 2
    error_message = "DriftedItems > 0 in alarm_runs consecutive hourly runs must alarm, per target."
  }
  assert {
    condition     = output.health_reader_role_arns == ["arn:aws:iam::111111111111:role/ddbsync-canary", "arn:aws:iam::111111111111:role/ddbsync-drift"]
    error_message = "Both health roles must be output for target-access to trust."
  }
}

run "drift_without_repair_is_read_only" {
  command = plan

  variables {
    drift_detection = { enabled = true }
  }

  assert {
    condition     = toset([for s in data.aws_iam_policy_document.drift[0].statement : s.sid]) == toset(["ReadSourceTable", "WriteOwnLogs", "AssumeHealthRoles", "ReadSameAccountTargets"])
    error_message = "Without repair or a report bucket, drift detection gets no write statement."
  }
  assert {
    condition     = alltrue(flatten([for s in data.aws_iam_policy_document.drift[0].statement : [for a in s.actions : !contains(["dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem", "s3:PutObject"], a)]]))
    error_message = "Without repair, drift detection must not write any table or bucket."
  }
  assert {
    condition     = !contains(keys(aws_lambda_function.drift[0].environment[0].variables), "REPORT_BUCKET") && aws_lambda_function.drift[0].environment[0].variables.REPAIR == "false"
    error_message = "Without a bucket no report bucket is set, and repair is off by default."
  }
}

run "dashboard_names_what_the_functions_publish" {
  command = apply

  variables {
    canary          = { enabled = true, heartbeat_key = "{\"pk\":{\"S\":\"__ddbsync_heartbeat__\"},\"sk\":{\"S\":\"canary\"}}" }
    drift_detection = { enabled = true, repair = true }
  }

  assert {
    condition     = [for w in jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets : w.type] == ["alarm", "metric", "metric", "metric", "metric", "metric", "metric", "metric", "metric", "metric", "metric", "metric", "metric"]
    error_message = "The dashboard must hold the alarm widget and twelve metric widgets with the canary and drift detection on."
  }
  assert {
    condition = toset(flatten([for w in jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets : [for m in w.properties.metrics : "${m[0]}:${m[1]}"] if w.type == "metric"])) == toset([
      "ddbsync:RecordsReceived", "ddbsync:ItemsPut", "ddbsync:ItemsDeleted", "ddbsync:FailedRecords", "ddbsync:ReplicationLatency",
      "ddbsync:EndToEndLatency", "ddbsync:HeartbeatMissing", "ddbsync:DriftedItems", "ddbsync:DriftRepairedItems", "ddbsync:DriftSampledItems",
      "AWS/Lambda:IteratorAge", "AWS/Lambda:Errors", "AWS/Lambda:Throttles", "AWS/Lambda:Duration", "AWS/SQS:ApproximateNumberOfMessagesVisible",
    ])
    error_message = "The dashboard must show records in, items put and deleted, failed records, iterator age, replication and end-to-end latency, heartbeat misses, drift, DLQ depth, errors, throttles and duration."
  }
  assert {
    condition = alltrue(flatten([for w in jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets : [
      for m in w.properties.metrics : m[2] == "service" && m[3] == "ddbsync" && (length(m) == 5 ? true : m[4] == "Target" && contains(["222222222222/eu-west-1/orders-replica", "111111111111/us-east-1/orders-copy"], m[5]))
    if m[0] == "ddbsync"] if w.type == "metric"]))
    error_message = "Every ddbsync metric on the dashboard must carry the service dimension, and the per-target ones a Target label of a target."
  }
  assert {
    condition     = length(jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets[0].properties.alarms) == 3 + 1 + 2 + 2 * 2 + 2
    error_message = "The alarm widget must show every alarm of the module (3 function, DLQ, 2 function errors, 2 per target for the canary, 1 per target for drift)."
  }
}

run "dashboard_opt_out" {
  command = plan

  variables {
    create_dashboard = false
  }

  assert {
    condition     = length(aws_cloudwatch_dashboard.this) == 0 && output.dashboard_name == null && output.dashboard_url == null
    error_message = "create_dashboard = false must create no dashboard."
  }
}





run "rejects_threshold_longer_than_the_schedule" {
  command = plan

  variables {
    canary = { enabled = true, heartbeat_key = "{\"pk\":{\"S\":\"__ddbsync_heartbeat__\"},\"sk\":{\"S\":\"canary\"}}", miss_threshold_seconds = 90 }
  }

  expect_failures = [aws_lambda_function.canary]
}

run "rejects_bad_schedule_expression" {
  command = plan

  variables {
    drift_detection = { enabled = true, schedule_expression = "rate(1 hours)" }
  }

  expect_failures = [var.drift_detection]
}

run "rejects_cron_schedule_without_alarm_period" {
  command = plan

  variables {
    drift_detection = { enabled = true, schedule_expression = "cron(0 3 * * ? *)" }
  }

  expect_failures = [aws_lambda_function.drift]
}

run "rejects_heartbeat_key_without_a_reserved_string" {
  command = plan

  override_data {
    target = data.aws_dynamodb_table.source[0]
    values = {
      arn              = "arn:aws:dynamodb:us-east-1:111111111111:table/orders"
      hash_key         = "id"
      range_key        = null
      stream_enabled   = true
      stream_view_type = "NEW_AND_OLD_IMAGES"
      stream_arn       = "arn:aws:dynamodb:us-east-1:111111111111:table/orders/stream/2024-01-01T00:00:00.000"
      attribute        = [{ name = "id", type = "N" }]
    }
  }

  variables {
    canary = { enabled = true, heartbeat_key = "{\"id\":{\"N\":\"-1\"}}" }
  }

  expect_failures = [aws_lambda_function.canary]
}

run "rejects_heartbeat_key_of_the_wrong_type" {
  command = plan

  override_data {
    target = data.aws_dynamodb_table.source[0]
    values = {
      arn              = "arn:aws:dynamodb:us-east-1:111111111111:table/orders"
      hash_key         = "pk"
      range_key        = "sk"
      stream_enabled   = true
      stream_view_type = "NEW_AND_OLD_IMAGES"
      stream_arn       = "arn:aws:dynamodb:us-east-1:111111111111:table/orders/stream/2024-01-01T00:00:00.000"
      attribute        = [{ name = "pk", type = "S" }, { name = "sk", type = "N" }]
    }
  }

  variables {
    canary = { enabled = true, heartbeat_key = "{\"pk\":{\"S\":\"__ddbsync_heartbeat__\"},\"sk\":{\"S\":\"canary\"}}" }
  }

  expect_failures = [aws_lambda_function.canary]
}
