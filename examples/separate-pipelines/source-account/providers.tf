# The source team's account: the source table and the function.
provider "aws" {
  region = var.source_region
}
