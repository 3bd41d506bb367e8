# The source account (111111111111, us-east-1) with a NEW_AND_OLD_IMAGES stream on "orders".

mock_data "aws_partition" {
  defaults = { partition = "aws" }
}
mock_data "aws_caller_identity" {
  defaults = { account_id = "111111111111" }
}
mock_data "aws_region" {
  defaults = { id = "us-east-1", name = "us-east-1" }
}
mock_data "aws_dynamodb_table" {
  defaults = {
    hash_key         = "pk"
    stream_enabled   = true
    stream_view_type = "NEW_AND_OLD_IMAGES"
    stream_arn       = "arn:aws:dynamodb:us-east-1:111111111111:table/orders/stream/2024-01-01T00:00:00.000"
  }
}
mock_data "aws_iam_policy_document" {
  defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
}
mock_resource "aws_iam_role" {
  defaults = { arn = "arn:aws:iam::111111111111:role/ddbsync" }
}
mock_resource "aws_sqs_queue" {
  defaults = { arn = "arn:aws:sqs:us-east-1:111111111111:ddbsync-dlq" }
}
