# Account A: the source table, the replicator, the first-sync workflow and its export bucket.
provider "aws" {
  region = var.source_region
}

# Account B, in another region, reached by assuming a role there.
provider "aws" {
  alias  = "target_b"
  region = var.target_b.region

  assume_role {
    role_arn     = var.target_b.deployer_role_arn
    session_name = "ddbsync-terraform"
  }
}

# Account C, in a third region.
provider "aws" {
  alias  = "target_c"
  region = var.target_c.region

  assume_role {
    role_arn     = var.target_c.deployer_role_arn
    session_name = "ddbsync-terraform"
  }
}
