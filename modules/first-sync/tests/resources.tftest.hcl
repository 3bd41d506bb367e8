# The functions' settings and the rendered state machine, with the aws providers mocked.

mock_provider "aws" {
  source = "./tests/mocks"
}

mock_provider "aws" {
  alias  = "export_bucket"
  source = "./tests/mocks"
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

variables {
  source_table_name         = "orders"
  event_source_mapping_uuid = "14e0db71-5d35-4eb5-b481-8945cf9d10c2"
  targets = [
    { table_name = "orders-replica", region = "eu-west-1", role_arn = "arn:aws:iam::222222222222:role/ddbsync-target-access-first-sync", external_id = "shared-secret" },
    { table_name = "orders-audit", role_arn = "arn:aws:iam::333333333333:role/audit-first-sync" },
  ]
  exclude_attributes    = ["ssn", "email"]
  max_concurrency       = 50
  target_write_capacity = 10000
  verify_read_capacity  = 50000
}

run "functions_and_state_machine" {
  command = apply

  assert {
    condition = jsondecode(aws_lambda_function.this["loader"].environment[0].variables.REPLICATION_TARGETS) == [
      { tableName = "orders-replica", region = "eu-west-1", roleArn = "arn:aws:iam::222222222222:role/ddbsync-target-access-first-sync", externalId = "shared-secret" },
      { tableName = "orders-audit", region = "us-east-1", roleArn = "arn:aws:iam::333333333333:role/audit-first-sync" },
    ]
    error_message = "REPLICATION_TARGETS must list every target with its first-sync role, region made explicit (the source's by default)."
  }
  assert {
    condition = {
      for k in ["WRITE_CAPACITY", "STREAM_RESERVE_SECONDS", "KEY_ATTRIBUTES", "EXCLUDE_ATTRIBUTES", "MAX_CONCURRENCY"] :
      k => aws_lambda_function.this["loader"].environment[0].variables[k]
      } == {
      WRITE_CAPACITY         = "200"
      STREAM_RESERVE_SECONDS = "3600"
      KEY_ATTRIBUTES         = "pk,sk"
      EXCLUDE_ATTRIBUTES     = "ssn,email"
      MAX_CONCURRENCY        = "16"
    }
    error_message = "Each loader invocation gets target_write_capacity / max_concurrency (10000 / 50 = 200) write units, the stream reserve, the source's key and the excluded attributes."
  }
  assert {
    condition     = [for k in ["loader", "importer", "verifier"] : aws_lambda_function.this[k].handler] == ["loader.handler", "importer.handler", "verifier.handler"]
    error_message = "The three functions run the three handlers of dist/first-sync.zip."
  }
  assert {
    condition     = aws_lambda_function.this["loader"].timeout == 900 && aws_lambda_function.this["loader"].runtime == "nodejs22.x"
    error_message = "The loader gets Lambda's whole 15 minutes (a file that does not finish is continued) on nodejs22.x."
  }
  assert {
    condition     = !contains(keys(aws_lambda_function.this["importer"].environment[0].variables), "WRITE_CAPACITY") && aws_lambda_function.this["importer"].environment[0].variables.STREAM_RESERVE_SECONDS == "3600" && aws_lambda_function.this["verifier"].environment[0].variables.REPORT_PREFIX == "first-sync/reports"
    error_message = "Only the loader writes with a capacity cap; the importer keeps the same stream reserve; the verifier knows where its reports go."
  }
  assert {
    condition     = aws_lambda_function.this["verifier"].environment[0].variables.READ_CAPACITY == "1000" && !contains(keys(aws_lambda_function.this["loader"].environment[0].variables), "READ_CAPACITY")
    error_message = "Each verifier invocation gets verify_read_capacity / max_concurrency (50000 / 50 = 1000) read units a second on each table it reads."
  }
  assert {
    condition     = !strcontains(aws_sfn_state_machine.this.definition, "$${")
    error_message = "Every placeholder of state-machine.asl.json must be rendered."
  }
  assert {
    condition = (
      jsondecode(aws_sfn_state_machine.this.definition).States.LoadDataFiles.ItemProcessor.States.LoadFilePart.Parameters.FunctionName == "arn:aws:lambda:us-east-1:111111111111:function:ddbsync-first-sync-loader"
      && jsondecode(aws_sfn_state_machine.this.definition).States.ExportTable.Parameters.S3Bucket == "orders-first-sync"
      && jsondecode(aws_sfn_state_machine.this.definition).States.ExportTable.Parameters.S3BucketOwner == "111111111111"
      && jsondecode(aws_sfn_state_machine.this.definition).States.ExportTable.Parameters.TableArn == "arn:aws:dynamodb:us-east-1:111111111111:table/orders"
      && jsondecode(aws_sfn_state_machine.this.definition).States.Configure.Parameters["maxConcurrency.$"] == "States.StringToJson('50')"
    )
    error_message = "The state machine must export the source table to the bucket as its owner and load with the loader, at most max_concurrency files at once."
  }
  assert {
    condition     = jsondecode(aws_sfn_state_machine.this.definition).States.Configure.Parameters["loaderStopSeconds.$"] == "States.StringToJson('960')"
    error_message = "After a failed load the workflow must wait the loader's timeout plus a minute (900 + 60) before resuming a running mapping."
  }
  assert {
    condition     = toset(keys(aws_cloudwatch_metric_alarm.execution)) == toset(["failed", "timed-out", "aborted"]) && alltrue([for a in aws_cloudwatch_metric_alarm.execution : a.namespace == "AWS/States" && a.dimensions.StateMachineArn == aws_sfn_state_machine.this.arn])
    error_message = "A failed, timed-out or aborted run must each raise an alarm on the state machine's own metrics."
  }
  assert {
    condition     = [for a in aws_cloudwatch_metric_alarm.verify_differences : [a.metric_name, a.dimensions.service, a.dimensions.Target]] == [["FirstSyncVerifyDifferences", "ddbsync-first-sync", "222222222222/eu-west-1/orders-replica"], ["FirstSyncVerifyDifferences", "ddbsync-first-sync", "333333333333/us-east-1/orders-audit"]]
    error_message = "One verify-differences alarm per target, on the Target label the functions publish (<account>/<region>/<table>)."
  }
  assert {
    condition     = [for r in aws_s3_bucket_lifecycle_configuration.export.rule : [r.filter[0].prefix, r.expiration[0].days, r.abort_incomplete_multipart_upload[0].days_after_initiation]] == [["first-sync/exports/", 7, 1], ["first-sync/reports/", 90, 1]]
    error_message = "Exports expire after 7 days and reports after 90 by default; incomplete uploads are aborted after a day."
  }
  assert {
    condition     = aws_s3_bucket_ownership_controls.export.rule[0].object_ownership == "BucketOwnerEnforced" && aws_s3_bucket_public_access_block.export.restrict_public_buckets && aws_s3_bucket_public_access_block.export.block_public_policy
    error_message = "The bucket must own every object (ACLs off) and block public access."
  }
}

run "no_write_cap_by_default" {
  command = plan

  variables {
    target_write_capacity = null
    verify_read_capacity  = null
  }

  assert {
    condition     = !contains(keys(aws_lambda_function.this["loader"].environment[0].variables), "WRITE_CAPACITY")
    error_message = "Without target_write_capacity the loader gets no WRITE_CAPACITY (no cap)."
  }
  assert {
    condition     = !contains(keys(aws_lambda_function.this["verifier"].environment[0].variables), "READ_CAPACITY")
    error_message = "Without verify_read_capacity the verifier gets no READ_CAPACITY (no cap)."
  }
}
