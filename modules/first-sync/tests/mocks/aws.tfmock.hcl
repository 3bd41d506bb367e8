# Values the mocked aws providers return in this module's tests: account 111111111111,
# us-east-1, a source table "orders" (pk, sk) with point-in-time recovery on.

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
    arn                    = "arn:aws:dynamodb:us-east-1:111111111111:table/orders"
    hash_key               = "pk"
    range_key              = "sk"
    point_in_time_recovery = [{ enabled = true, recovery_period_in_days = 35 }]
  }
}
mock_data "aws_iam_policy_document" {
  defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
}
mock_resource "aws_iam_role" {
  defaults = { arn = "arn:aws:iam::111111111111:role/ddbsync-first-sync-loader" }
}
mock_resource "aws_cloudwatch_log_group" {
  defaults = { arn = "arn:aws:logs:us-east-1:111111111111:log-group:/aws/lambda/ddbsync-first-sync-loader" }
}
mock_resource "aws_s3_bucket" {
  defaults = { id = "orders-first-sync", arn = "arn:aws:s3:::orders-first-sync" }
}
mock_resource "aws_sfn_state_machine" {
  defaults = { arn = "arn:aws:states:us-east-1:111111111111:stateMachine:ddbsync-first-sync" }
}
