# Values the mocked aws provider returns in this module's tests: account 111111111111,
# us-east-1, a source table "orders" with a NEW_AND_OLD_IMAGES stream.

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
    arn              = "arn:aws:dynamodb:us-east-1:111111111111:table/orders"
    hash_key         = "pk"
    range_key        = "sk"
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
mock_resource "aws_cloudwatch_log_group" {
  defaults = { arn = "arn:aws:logs:us-east-1:111111111111:log-group:/aws/lambda/ddbsync" }
}
mock_resource "aws_sqs_queue" {
  defaults = {
    arn = "arn:aws:sqs:us-east-1:111111111111:ddbsync-dlq"
    url = "https://sqs.us-east-1.amazonaws.com/111111111111/ddbsync-dlq"
  }
}
mock_resource "aws_lambda_function" {
  defaults = { arn = "arn:aws:lambda:us-east-1:111111111111:function:ddbsync" }
}

# Nested blocks (such as aws_dynamodb_table.server_side_encryption) cannot be mocked, so
# the tests give KMS keys through the variables instead of the table lookup.
