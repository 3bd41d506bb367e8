# The first sync of ddbsync: a Step Functions workflow (state-machine.asl.json) that pauses
# the replicator's stream mapping, exports the source table to S3 at a time T0, loads every
# export file into every target with the loader function (a Distributed Map) or imports it
# into new tables (importer), then enables the mapping, which replays every change since
# its checkpoint. The same export drives the distributed verify (verifier).

data "aws_partition" "current" {}
data "aws_caller_identity" "current" {}
data "aws_region" "current" {}

data "aws_dynamodb_table" "source" {
  name = var.source_table_name
}

locals {
  partition  = data.aws_partition.current.partition
  account_id = data.aws_caller_identity.current.account_id
  # `id` is the region name in both the 5.x and 6.x providers.
  region = data.aws_region.current.id

  source_table_arn = data.aws_dynamodb_table.source.arn
  key_attributes = compact([
    data.aws_dynamodb_table.source.hash_key,
    data.aws_dynamodb_table.source.range_key,
  ])
  # Tables encrypted with an AWS-owned key report no key ARN; only then is no kms:Decrypt needed.
  source_kms_key_arn = try(one(compact([
    for sse in data.aws_dynamodb_table.source.server_side_encryption : sse.kms_key_arn if sse.enabled
  ])), null)
  point_in_time_recovery = try(data.aws_dynamodb_table.source.point_in_time_recovery[0].enabled, false)
  excluded_keys          = setintersection(toset(var.exclude_attributes), toset(local.key_attributes))

  # REPLICATION_TARGETS as lambda/src/config.ts reads it, with the first-sync roles.
  replication_targets = [
    for t in var.targets : merge(
      { tableName = t.table_name, region = coalesce(t.region, local.region), roleArn = t.role_arn },
      t.external_id == null ? {} : { externalId = t.external_id },
    )
  ]
  replication_targets_json = jsonencode(local.replication_targets)
  target_role_arns         = distinct([for t in var.targets : t.role_arn])

  # The cap is shared by the Map's children: each invocation gets its part.
  write_capacity_per_invocation = var.target_write_capacity == null ? null : floor(var.target_write_capacity / var.max_concurrency)
  read_capacity_per_invocation  = var.verify_read_capacity == null ? null : floor(var.verify_read_capacity / var.max_concurrency)

  zip_path = coalesce(var.lambda_zip_path, "${path.module}/../../dist/first-sync.zip")

  state_machine_name = var.name
  # Built from the name, not read from the resource: the state machine's own role names it.
  state_machine_arn = "arn:${local.partition}:states:${local.region}:${local.account_id}:stateMachine:${local.state_machine_name}"
  mapping_arn       = "arn:${local.partition}:lambda:${local.region}:${local.account_id}:event-source-mapping:${var.event_source_mapping_uuid}"

  # Nothing here may depend on the targets: the roles are keyed by it, and the target side's
  # first-sync role (a target's role_arn) trusts those roles.
  functions = {
    loader   = { handler = "loader.handler", timeout = var.loader_timeout, memory_size = var.loader_memory_size }
    importer = { handler = "importer.handler", timeout = 300, memory_size = 256 }
    verifier = { handler = "verifier.handler", timeout = var.loader_timeout, memory_size = var.loader_memory_size }
  }
  function_descriptions = {
    loader   = "ddbsync first sync: loads export files of ${var.source_table_name} into ${length(var.targets)} target table(s)"
    importer = "ddbsync first sync: imports the export of ${var.source_table_name} into new target tables (ImportTable)"
    verifier = "ddbsync first sync: compares export files of ${var.source_table_name} with ${length(var.targets)} target table(s)"
  }
  function_names = { for k, _ in local.functions : k => "${var.name}-${k}" }
  function_arns  = { for k, n in local.function_names : k => "arn:${local.partition}:lambda:${local.region}:${local.account_id}:function:${n}" }

  common_environment = {
    REPLICATION_TARGETS          = local.replication_targets_json
    EXCLUDE_ATTRIBUTES           = join(",", var.exclude_attributes)
    KEY_ATTRIBUTES               = join(",", local.key_attributes)
    MAX_CONCURRENCY              = tostring(var.writes_in_flight)
    SOURCE_TABLE_NAME            = var.source_table_name
    POWERTOOLS_SERVICE_NAME      = var.name
    POWERTOOLS_METRICS_NAMESPACE = var.metrics_namespace
    POWERTOOLS_LOG_LEVEL         = var.log_level
  }
  environment = {
    loader = merge(
      local.common_environment,
      { STREAM_RESERVE_SECONDS = tostring(var.stream_reserve_seconds) },
      local.write_capacity_per_invocation == null ? {} : { WRITE_CAPACITY = tostring(local.write_capacity_per_invocation) },
    )
    # The importer fails an import still running past the stream budget, as the loader does.
    importer = merge(local.common_environment, { STREAM_RESERVE_SECONDS = tostring(var.stream_reserve_seconds) })
    verifier = merge(
      local.common_environment,
      { REPORT_BUCKET = local.bucket_name, REPORT_PREFIX = var.report_prefix },
      local.read_capacity_per_invocation == null ? {} : { READ_CAPACITY = tostring(local.read_capacity_per_invocation) },
    )
  }

  tags = merge({ "ddbsync:component" = "first-sync" }, var.tags)
}

resource "aws_cloudwatch_log_group" "function" {
  for_each = local.functions

  name              = "/aws/lambda/${local.function_names[each.key]}"
  retention_in_days = var.log_retention_in_days
  tags              = local.tags
}

resource "aws_lambda_function" "this" {
  for_each = local.functions

  function_name    = local.function_names[each.key]
  description      = local.function_descriptions[each.key]
  role             = aws_iam_role.function[each.key].arn
  filename         = local.zip_path
  source_code_hash = filebase64sha256(local.zip_path)
  handler          = each.value.handler
  runtime          = "nodejs22.x"
  architectures    = [var.architecture]
  memory_size      = each.value.memory_size
  timeout          = each.value.timeout

  environment {
    variables = local.environment[each.key]
  }

  tags = local.tags

  # The log group must exist (with its retention) before the first invocation, or Lambda
  # creates one that never expires.
  depends_on = [aws_cloudwatch_log_group.function, aws_iam_role_policy.function]

  lifecycle {
    precondition {
      condition     = length(local.excluded_keys) == 0
      error_message = "exclude_attributes names the source table's key attribute(s) ${join(", ", sort(tolist(local.excluded_keys)))}; a copied item must keep its key. Remove them from exclude_attributes."
    }
    precondition {
      condition     = var.target_write_capacity == null || coalesce(var.target_write_capacity, 0) >= var.max_concurrency
      error_message = "target_write_capacity (${coalesce(var.target_write_capacity, 0)}) is below max_concurrency (${var.max_concurrency}): each of the Map's loader invocations gets target_write_capacity / max_concurrency write units a second, which must be at least 1. Lower max_concurrency or raise target_write_capacity."
    }
    precondition {
      condition     = var.verify_read_capacity == null || coalesce(var.verify_read_capacity, 0) >= 100 * var.max_concurrency
      error_message = "verify_read_capacity (${coalesce(var.verify_read_capacity, 0)}) is below 100 x max_concurrency (${100 * var.max_concurrency}): each of the Map's verifier invocations gets verify_read_capacity / max_concurrency read units a second, and one consistent BatchGetItem of 100 keys needs 100. Lower max_concurrency or raise verify_read_capacity."
    }
  }
}

resource "aws_sfn_state_machine" "this" {
  name     = local.state_machine_name
  role_arn = aws_iam_role.state_machine.arn
  type     = "STANDARD"

  # Every placeholder sits inside a JSON string of the file (see its Comment).
  definition = templatefile("${path.module}/state-machine.asl.json", {
    max_concurrency           = var.max_concurrency
    export_poll_seconds       = var.export_poll_seconds
    mapping_poll_seconds      = var.mapping_poll_seconds
    import_poll_seconds       = var.import_poll_seconds
    verify_segments           = var.verify_segments
    export_prefix             = var.export_prefix
    report_prefix             = var.report_prefix
    source_table_arn          = local.source_table_arn
    event_source_mapping_uuid = var.event_source_mapping_uuid
    export_bucket             = local.bucket_name
    export_bucket_owner       = local.bucket_account_id
    loader_function_arn       = aws_lambda_function.this["loader"].arn
    importer_function_arn     = aws_lambda_function.this["importer"].arn
    verifier_function_arn     = aws_lambda_function.this["verifier"].arn
    loader_stop_seconds       = var.loader_timeout + 60
  })

  tags = local.tags

  depends_on = [aws_iam_role_policy.state_machine]

  lifecycle {
    precondition {
      condition     = local.point_in_time_recovery
      error_message = "Point-in-time recovery is off on the source table ${var.source_table_name}, and the first sync's DynamoDB export needs it. Turn it on with point_in_time_recovery { enabled = true } on its aws_dynamodb_table (or aws dynamodb update-continuous-backups --table-name ${var.source_table_name} --point-in-time-recovery-specification PointInTimeRecoveryEnabled=true), then apply again."
    }
    precondition {
      condition     = local.bucket_account_id == local.account_id && local.bucket_region == local.region
      error_message = "The aws.export_bucket provider is for account ${local.bucket_account_id} in ${local.bucket_region}, but the state machine runs in account ${local.account_id} in ${local.region}. The Distributed Map lists the export's files itself, and Step Functions reaches no resource in another region and lists only its own account's buckets: pass the source side's provider as aws.export_bucket."
    }
  }
}
