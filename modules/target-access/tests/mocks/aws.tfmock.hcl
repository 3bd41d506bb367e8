# Values the mocked aws provider returns in this module's tests: account 222222222222,
# eu-west-1, a table "orders-replica".

mock_data "aws_partition" {
  defaults = { partition = "aws" }
}
mock_data "aws_caller_identity" {
  defaults = { account_id = "222222222222" }
}
mock_data "aws_region" {
  defaults = { id = "eu-west-1", name = "eu-west-1" }
}
mock_data "aws_dynamodb_table" {
  defaults = {
    arn = "arn:aws:dynamodb:eu-west-1:222222222222:table/orders-replica"
  }
}
mock_data "aws_iam_policy_document" {
  defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
}
mock_resource "aws_iam_role" {
  defaults = { arn = "arn:aws:iam::222222222222:role/ddbsync-target-access" }
}

# Nested blocks (such as aws_dynamodb_table.server_side_encryption) cannot be mocked, so
# the tests give KMS keys through the variables instead of the table lookup; the lookup
# is tested against moto in test/e2e/target-access-kms.test.ts.
