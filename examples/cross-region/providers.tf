# The source table and the function.
provider "aws" {
  region = var.source_region
}

# The same account in the replica region (only to create the demo replica table).
provider "aws" {
  alias  = "replica"
  region = var.replica_region
}
