# Inputs the plan must refuse, with a mocked aws provider (no AWS calls): streams without
# item images or none at all, missing or conflicting source inputs, a key attribute excluded,
# no dead-letter queue, and out-of-range variables. (What the messages say is checked by the
# files in messages/.)

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

run "rejects_keys_only_stream" {
  command = plan

  override_data {
    target = data.aws_dynamodb_table.source[0]
    values = {
      hash_key         = "pk"
      stream_enabled   = true
      stream_view_type = "KEYS_ONLY"
      stream_arn       = "arn:aws:dynamodb:us-east-1:111111111111:table/orders/stream/2024-01-01T00:00:00.000"
    }
  }

  expect_failures = [aws_lambda_event_source_mapping.this]
}

run "rejects_disabled_stream" {
  command = plan

  override_data {
    target = data.aws_dynamodb_table.source[0]
    values = {
      hash_key       = "pk"
      stream_enabled = false
      stream_arn     = ""
    }
  }

  expect_failures = [aws_lambda_event_source_mapping.this]
}

run "rejects_old_image_stream" {
  command = plan

  variables {
    source_table_name       = null
    source_stream_arn       = "arn:aws:dynamodb:us-east-1:111111111111:table/orders/stream/2024-01-01T00:00:00.000"
    source_stream_view_type = "OLD_IMAGE"
  }

  expect_failures = [aws_lambda_event_source_mapping.this]
}

run "rejects_both_source_inputs" {
  command = plan

  variables {
    source_stream_arn = "arn:aws:dynamodb:us-east-1:111111111111:table/orders/stream/2024-01-01T00:00:00.000"
  }

  expect_failures = [data.aws_iam_policy_document.replicator]
}

run "rejects_no_source" {
  command = plan

  variables {
    source_table_name = null
  }

  expect_failures = [data.aws_iam_policy_document.replicator]
}

run "rejects_excluded_key_attribute" {
  command = plan

  variables {
    exclude_attributes = ["sk", "ssn"]
  }

  expect_failures = [aws_lambda_function.this]
}

run "rejects_missing_dlq" {
  command = plan

  variables {
    create_dlq = false
  }

  expect_failures = [data.aws_iam_policy_document.replicator]
}

run "rejects_zero_batch_size" {
  command = plan

  variables {
    batch_size = 0
  }

  expect_failures = [var.batch_size]
}

# Variables validated on their own: one run holds a bad value for each, and every one of
# them must report its failure.
run "rejects_invalid_variables" {
  command = plan

  variables {
    batch_size             = 10001
    targets                = [{ table_name = "orders-replica", role_arn = "arn:aws:iam::2222:role/x" }]
    maximum_retry_attempts = -1
    log_retention_in_days  = 10
    filter_patterns        = ["{}", "{}", "{}", "{}", "{}", "{}"]
    source_table_name      = null
    source_stream_arn      = "arn:aws:dynamodb:us-east-1:1111:table/orders/stream/2024-01-01T00:00:00.000"
  }

  expect_failures = [
    var.batch_size,
    var.targets,
    var.maximum_retry_attempts,
    var.log_retention_in_days,
    var.filter_patterns,
    var.source_stream_arn,
  ]
}
