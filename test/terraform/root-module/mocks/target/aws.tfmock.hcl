# The target account (222222222222, eu-west-1).

mock_data "aws_partition" {
  defaults = { partition = "aws" }
}
mock_data "aws_caller_identity" {
  defaults = { account_id = "222222222222" }
}
mock_data "aws_region" {
  defaults = { id = "eu-west-1", name = "eu-west-1" }
}
mock_data "aws_iam_policy_document" {
  defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
}
mock_resource "aws_iam_role" {
  defaults = { arn = "arn:aws:iam::222222222222:role/ddbsync-target-access" }
}
