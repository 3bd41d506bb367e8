terraform {
  required_version = ">= 1.5"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
      # aws: the source table's account and region; aws.target: the replica tables'.
      configuration_aliases = [aws.target]
    }
  }
}
