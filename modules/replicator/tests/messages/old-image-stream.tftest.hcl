# Fails on purpose: test/terraform/static.test.ts runs this file alone and checks that
# the failure's message tells the user what to change. (an OLD_IMAGE stream carries no new images)

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  source_stream_arn       = "arn:aws:dynamodb:us-east-1:111111111111:table/orders/stream/2024-01-01T00:00:00.000"
  source_stream_view_type = "OLD_IMAGE"
  targets                 = [{ table_name = "orders-replica", region = "eu-west-1" }]
}

run "old_image_stream" {
  command = plan
}
