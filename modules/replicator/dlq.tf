# Records that fail every retry (or grow too old) are sent here as failure notices
# (shard, sequence numbers): `ddbsync redrive` reads them and re-applies the changes.

resource "aws_sqs_queue" "dlq" {
  count = var.create_dlq ? 1 : 0

  name                              = "${var.name}-dlq"
  message_retention_seconds         = var.dlq_message_retention_seconds
  sqs_managed_sse_enabled           = var.dlq_kms_key_id == null ? true : null
  kms_master_key_id                 = var.dlq_kms_key_id
  kms_data_key_reuse_period_seconds = var.dlq_kms_key_id == null ? null : 300
  tags                              = local.tags
}
