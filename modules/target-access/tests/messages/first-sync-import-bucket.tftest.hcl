# Fails on purpose: test/terraform/static.test.ts runs this file and checks the message.
# (first_sync_import without the export bucket's ARN)

mock_provider "aws" {
  source = "./tests/mocks"
}

run "import_without_bucket" {
  command = plan

  variables {
    replicator_role_arn  = "arn:aws:iam::111111111111:role/ddbsync"
    external_id          = "shared-secret"
    table_names          = ["orders-replica"]
    first_sync_role_arns = ["arn:aws:iam::111111111111:role/ddbsync-first-sync-loader"]
    first_sync_import    = true
  }
}
