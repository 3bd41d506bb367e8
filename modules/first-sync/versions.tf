terraform {
  required_version = ">= 1.5"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
      # aws: the source table's account and region (state machine, functions, roles);
      # aws.export_bucket: where the export bucket is created (see bucket.tf for why it must
      # be the source's account and region).
      configuration_aliases = [aws.export_bucket]
    }
  }
}
