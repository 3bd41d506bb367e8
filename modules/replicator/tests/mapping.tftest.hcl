# The stream mapping and its dead-letter queue, with a mocked aws provider (no AWS calls):
# its settings come from the variables, and failed records go to the created or given queue.

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

run "mapping_settings" {
  command = apply

  variables {
    batch_size             = 500
    maximum_retry_attempts = 3
    parallelization_factor = 4
    filter_patterns        = ["{\"eventName\":[\"INSERT\",\"MODIFY\"]}"]
  }

  assert {
    condition     = aws_lambda_event_source_mapping.this.function_response_types == toset(["ReportBatchItemFailures"])
    error_message = "The mapping must let the function report partial batch failures."
  }
  assert {
    condition     = aws_lambda_event_source_mapping.this.bisect_batch_on_function_error == true
    error_message = "The mapping must bisect failing batches."
  }
  assert {
    condition     = aws_lambda_event_source_mapping.this.maximum_retry_attempts == 3 && aws_lambda_event_source_mapping.this.maximum_record_age_in_seconds == 86400
    error_message = "Retries and record age must be bounded by the variables."
  }
  assert {
    condition     = aws_lambda_event_source_mapping.this.destination_config[0].on_failure[0].destination_arn == "arn:aws:sqs:us-east-1:111111111111:ddbsync-dlq"
    error_message = "Failed records must go to the dead-letter queue."
  }
  assert {
    condition     = aws_lambda_event_source_mapping.this.event_source_arn == "arn:aws:dynamodb:us-east-1:111111111111:table/orders/stream/2024-01-01T00:00:00.000"
    error_message = "The mapping must read the looked-up stream."
  }
  assert {
    condition     = aws_lambda_event_source_mapping.this.batch_size == 500 && aws_lambda_event_source_mapping.this.parallelization_factor == 4 && aws_lambda_event_source_mapping.this.starting_position == "LATEST"
    error_message = "batch_size, parallelization_factor and starting_position must come from the variables."
  }
  assert {
    condition     = [for f in aws_lambda_event_source_mapping.this.filter_criteria[0].filter : f.pattern] == ["{\"eventName\":[\"INSERT\",\"MODIFY\"]}"]
    error_message = "filter_patterns must become the mapping's filter criteria."
  }
  assert {
    condition     = aws_sqs_queue.dlq[0].sqs_managed_sse_enabled == true
    error_message = "The created dead-letter queue must be encrypted."
  }
  assert {
    condition     = output.event_source_mapping_uuid == aws_lambda_event_source_mapping.this.uuid
    error_message = "The mapping UUID must be an output."
  }
}

run "mapping_switch_age_and_position" {
  command = apply

  variables {
    enabled                            = false
    maximum_record_age_in_seconds      = 3600
    starting_position                  = "TRIM_HORIZON"
    bisect_batch_on_function_error     = false
    maximum_batching_window_in_seconds = 5
  }

  assert {
    condition     = aws_lambda_event_source_mapping.this.enabled == false
    error_message = "enabled = false must create the mapping paused."
  }
  assert {
    condition     = aws_lambda_event_source_mapping.this.maximum_record_age_in_seconds == 3600 && aws_lambda_event_source_mapping.this.starting_position == "TRIM_HORIZON"
    error_message = "maximum_record_age_in_seconds and starting_position must come from the variables."
  }
  assert {
    condition     = aws_lambda_event_source_mapping.this.bisect_batch_on_function_error == false && aws_lambda_event_source_mapping.this.maximum_batching_window_in_seconds == 5
    error_message = "bisect_batch_on_function_error and maximum_batching_window_in_seconds must come from the variables."
  }
  assert {
    condition     = length(aws_lambda_event_source_mapping.this.filter_criteria) == 0
    error_message = "Without filter_patterns the mapping must have no filter criteria (every record replicated)."
  }
}

run "existing_dlq_and_x86" {
  command = apply

  variables {
    create_dlq   = false
    dlq_arn      = "arn:aws:sqs:us-east-1:111111111111:shared-dlq"
    architecture = "x86_64"
  }

  assert {
    condition     = length(aws_sqs_queue.dlq) == 0 && output.dlq_url == null
    error_message = "With create_dlq = false no queue may be created."
  }
  assert {
    condition     = [for s in data.aws_iam_policy_document.replicator.statement : s.resources if s.sid == "SendFailedRecordsToDlq"][0] == toset(["arn:aws:sqs:us-east-1:111111111111:shared-dlq"])
    error_message = "sqs:SendMessage must be allowed on the given queue only."
  }
  assert {
    condition     = aws_lambda_event_source_mapping.this.destination_config[0].on_failure[0].destination_arn == "arn:aws:sqs:us-east-1:111111111111:shared-dlq"
    error_message = "Failed records must go to the given queue."
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.dlq[0].dimensions.QueueName == "shared-dlq"
    error_message = "The dead-letter alarm must watch the given queue."
  }
  assert {
    condition     = aws_lambda_function.this.architectures == tolist(["x86_64"])
    error_message = "architecture must be passed to the function."
  }
}
