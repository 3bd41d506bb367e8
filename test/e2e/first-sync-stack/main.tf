# The first sync's end-to-end test (test/e2e/first-sync.test.ts): a source table in account A
# replicated to tables in accounts B and C, each in a region of its own, by the replicator
# (its mapping created paused at TRIM_HORIZON, as for a new pipeline) and first synced by
# modules/first-sync through the first-sync roles of modules/target-access. The example
# examples/first-sync has one target account; this configuration has two.

locals {
  key_attributes = ["pk", "sk"]
  tables = {
    b = "${var.name}-orders-b"
    c = "${var.name}-orders-c"
  }
  # The first-sync roles' ARNs from their names (target-access names them <name>-first-sync):
  # the roles trust the first-sync functions' roles, so taking the ARNs from the modules'
  # outputs would make a cycle.
  first_sync_role_arns = {
    b = "arn:aws:iam::${split(":", var.target_b.deployer_role_arn)[4]}:role/${var.name}-b-first-sync"
    c = "arn:aws:iam::${split(":", var.target_c.deployer_role_arn)[4]}:role/${var.name}-c-first-sync"
  }
}

resource "aws_dynamodb_table" "source" {
  name             = "${var.name}-orders"
  billing_mode     = "PAY_PER_REQUEST"
  hash_key         = "pk"
  range_key        = "sk"
  stream_enabled   = true
  stream_view_type = "NEW_AND_OLD_IMAGES"

  attribute {
    name = "pk"
    type = "S"
  }
  attribute {
    name = "sk"
    type = "N"
  }

  point_in_time_recovery {
    enabled = true
  }
}

resource "aws_dynamodb_table" "b" {
  provider = aws.target_b
  count    = var.new_target_tables ? 0 : 1

  name         = local.tables.b
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"
  range_key    = "sk"

  attribute {
    name = "pk"
    type = "S"
  }
  attribute {
    name = "sk"
    type = "N"
  }
}

resource "aws_dynamodb_table" "c" {
  provider = aws.target_c
  count    = var.new_target_tables ? 0 : 1

  name         = local.tables.c
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"
  range_key    = "sk"

  attribute {
    name = "pk"
    type = "S"
  }
  attribute {
    name = "sk"
    type = "N"
  }
}

module "target_b" {
  source    = "../../../modules/target-access"
  providers = { aws = aws.target_b }

  name                         = "${var.name}-b"
  replicator_role_arn          = module.replicator.role_arn
  external_id                  = var.external_id
  table_names                  = [local.tables.b]
  lookup_tables                = false
  first_sync_role_arns         = values(module.first_sync.function_role_arns)
  first_sync_import            = var.new_target_tables
  first_sync_export_bucket_arn = var.new_target_tables ? module.first_sync.bucket_arn : null
}

module "target_c" {
  source    = "../../../modules/target-access"
  providers = { aws = aws.target_c }

  name                         = "${var.name}-c"
  replicator_role_arn          = module.replicator.role_arn
  external_id                  = var.external_id
  table_names                  = [local.tables.c]
  lookup_tables                = false
  first_sync_role_arns         = values(module.first_sync.function_role_arns)
  first_sync_import            = var.new_target_tables
  first_sync_export_bucket_arn = var.new_target_tables ? module.first_sync.bucket_arn : null
}

module "replicator" {
  source = "../../../modules/replicator"

  name                    = var.name
  source_stream_arn       = aws_dynamodb_table.source.stream_arn
  source_stream_view_type = aws_dynamodb_table.source.stream_view_type
  source_key_attributes   = local.key_attributes
  targets = [
    { table_name = local.tables.b, region = module.target_b.region, role_arn = module.target_b.role_arn, external_id = var.external_id },
    { table_name = local.tables.c, region = module.target_c.region, role_arn = module.target_c.role_arn, external_id = var.external_id },
  ]

  # A new pipeline: paused at the start of the stream until the first sync has loaded the snapshot.
  enabled               = false
  starting_position     = "TRIM_HORIZON"
  log_retention_in_days = 1
}

module "first_sync" {
  source = "../../../modules/first-sync"
  providers = {
    aws               = aws
    aws.export_bucket = aws
  }

  name = "${var.name}-first-sync"
  # From the ARN, known once the table exists: the module looks the table up.
  source_table_name         = split("/", aws_dynamodb_table.source.arn)[1]
  event_source_mapping_uuid = module.replicator.event_source_mapping_uuid
  targets = [
    { table_name = local.tables.b, region = module.target_b.region, role_arn = local.first_sync_role_arns.b, external_id = var.external_id },
    { table_name = local.tables.c, region = module.target_c.region, role_arn = local.first_sync_role_arns.c, external_id = var.external_id },
  ]

  import_enabled              = var.new_target_tables
  max_concurrency             = 4
  export_poll_seconds         = 1
  mapping_poll_seconds        = 1
  import_poll_seconds         = 1
  export_bucket_force_destroy = true
  log_retention_in_days       = 1
  create_alarms               = false
}
