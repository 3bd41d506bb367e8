# Fails on purpose: test/terraform/static.test.ts runs this file alone and checks that
# the failure's message tells the user what to change. (drift_detection.report_bucket given as a URL)

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  source_table_name = "orders"
  targets = [{
    table_name      = "orders-replica"
    region          = "eu-west-1"
    role_arn        = "arn:aws:iam::222222222222:role/ddbsync-target-access"
    external_id     = "shared-secret"
    health_role_arn = "arn:aws:iam::222222222222:role/ddbsync-target-access-health"
  }]
}

run "drift_report_bucket_url" {
  command = plan

  variables {
    drift_detection = { enabled = true, report_bucket = "s3://ops-reports" }
  }
}
