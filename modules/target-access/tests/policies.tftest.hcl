# The target role's policies as IAM receives them: the JSON the real aws provider renders
# (tests/mocks replace aws_iam_policy_document, so the other files only see its inputs).
#
# Nothing here reaches AWS: the provider renders policy documents locally and the data
# sources that would call AWS are overridden. Both documents depend on data sources and
# inputs only, so a plan renders them and no managed resource needs overriding.
#
# Statements are compared whole after making IAM's shorthand explicit: a lone action,
# resource, principal or condition value is rendered as a string, several as a list (in
# no order a reader should depend on), so both become sets. Every other key of a
# statement is kept, so a NotAction or NotResource that appears makes the comparison fail.
# The looked-up tables' keys come from a nested block that overrides cannot fill; that
# path is tested against moto in test/e2e/target-access-kms.test.ts.

provider "aws" {
  region                      = "eu-west-1"
  access_key                  = "offline-test"
  secret_key                  = "offline-test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  max_retries                 = 1
}

override_data {
  target = data.aws_caller_identity.current
  values = { account_id = "222222222222" }
}
override_data {
  target = data.aws_dynamodb_table.target
  values = { arn = "arn:aws:dynamodb:eu-west-1:222222222222:table/orders-replica" }
}

variables {
  replicator_role_arn = "arn:aws:iam::111111111111:role/ddbsync"
  external_id         = "shared-secret"
}

# A looked-up table without a customer-managed key, no organization: the external id is
# the only condition and there is no KMS statement.
run "looked_up_table" {
  command = plan

  variables {
    table_names = ["orders-replica"]
  }

  assert {
    condition = [for s in jsondecode(aws_iam_role.this.assume_role_policy).Statement : merge(s, {
      Action    = toset(flatten([try(s.Action, [])]))
      Principal = { for kind, ids in s.Principal : kind => toset(flatten([ids])) }
      Condition = { for op, kv in try(s.Condition, {}) : op => { for k, v in kv : k => toset(flatten([v])) } }
      })] == [{
      Sid       = "ReplicatorOnly"
      Effect    = "Allow"
      Action    = toset(["sts:AssumeRole"])
      Principal = { AWS = toset(["arn:aws:iam::111111111111:role/ddbsync"]) }
      Condition = { StringEquals = { "sts:ExternalId" = toset(["shared-secret"]) } }
    }]
    error_message = "The trust policy must be one statement: only the replicator's role may assume the role, and only with the external id."
  }
  assert {
    condition = [for s in jsondecode(aws_iam_role_policy.this.policy).Statement : merge(s, {
      Action    = toset(flatten([try(s.Action, [])]))
      Resource  = toset(flatten([try(s.Resource, [])]))
      Condition = { for op, kv in try(s.Condition, {}) : op => { for k, v in kv : k => toset(flatten([v])) } }
      })] == [{
      Sid       = "WriteTargetTables"
      Effect    = "Allow"
      Action    = toset(["dynamodb:BatchWriteItem", "dynamodb:DeleteItem", "dynamodb:DescribeTable", "dynamodb:PutItem"])
      Resource  = toset(["arn:aws:dynamodb:eu-west-1:222222222222:table/orders-replica"])
      Condition = {}
    }]
    error_message = "Without a customer-managed key the policy must be one statement: the four write actions on the looked-up table's ARN only."
  }
}

# Tables created in the same apply (ARNs built from account and region), their keys (one
# given twice), and an organization: both trust conditions and the KMS statement.
run "built_arns_keys_and_organization" {
  command = plan

  variables {
    table_names     = ["orders-replica", "orders-archive"]
    lookup_tables   = false
    organization_id = "o-a1b2c3d4e5"
    kms_key_arns = [
      "arn:aws:kms:eu-west-1:222222222222:key/replica-key",
      "arn:aws:kms:eu-west-1:222222222222:key/archive-key",
      "arn:aws:kms:eu-west-1:222222222222:key/replica-key",
    ]
  }

  assert {
    condition = [for s in jsondecode(aws_iam_role.this.assume_role_policy).Statement : merge(s, {
      Action    = toset(flatten([try(s.Action, [])]))
      Principal = { for kind, ids in s.Principal : kind => toset(flatten([ids])) }
      Condition = { for op, kv in try(s.Condition, {}) : op => { for k, v in kv : k => toset(flatten([v])) } }
      })] == [{
      Sid       = "ReplicatorOnly"
      Effect    = "Allow"
      Action    = toset(["sts:AssumeRole"])
      Principal = { AWS = toset(["arn:aws:iam::111111111111:role/ddbsync"]) }
      Condition = { StringEquals = {
        "sts:ExternalId"     = toset(["shared-secret"])
        "aws:PrincipalOrgID" = toset(["o-a1b2c3d4e5"])
      } }
    }]
    error_message = "With organization_id the trust policy must require both the external id and the organization (aws:PrincipalOrgID), for the replicator's role only."
  }
  assert {
    condition = [for s in jsondecode(aws_iam_role_policy.this.policy).Statement : try(s.Sid, "(no Sid)")] == [
      "WriteTargetTables", "UseTargetTableKeys",
    ]
    error_message = "The policy must hold the table-write and the key statements, once each, and nothing else."
  }
  assert {
    condition = [for s in jsondecode(aws_iam_role_policy.this.policy).Statement : merge(s, {
      Action    = toset(flatten([try(s.Action, [])]))
      Resource  = toset(flatten([try(s.Resource, [])]))
      Condition = { for op, kv in try(s.Condition, {}) : op => { for k, v in kv : k => toset(flatten([v])) } }
      }) if try(s.Sid, null) == "WriteTargetTables"] == [{
      Sid       = "WriteTargetTables"
      Effect    = "Allow"
      Action    = toset(["dynamodb:BatchWriteItem", "dynamodb:DeleteItem", "dynamodb:DescribeTable", "dynamodb:PutItem"])
      Resource  = toset(["arn:aws:dynamodb:eu-west-1:222222222222:table/orders-replica", "arn:aws:dynamodb:eu-west-1:222222222222:table/orders-archive"])
      Condition = {}
    }]
    error_message = "WriteTargetTables must allow the four write actions on the named tables only, in this account and region."
  }
  assert {
    condition = [for s in jsondecode(aws_iam_role_policy.this.policy).Statement : merge(s, {
      Action    = toset(flatten([try(s.Action, [])]))
      Resource  = toset(flatten([try(s.Resource, [])]))
      Condition = { for op, kv in try(s.Condition, {}) : op => { for k, v in kv : k => toset(flatten([v])) } }
      }) if try(s.Sid, null) == "UseTargetTableKeys"] == [{
      Sid       = "UseTargetTableKeys"
      Effect    = "Allow"
      Action    = toset(["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*"])
      Resource  = toset(["arn:aws:kms:eu-west-1:222222222222:key/replica-key", "arn:aws:kms:eu-west-1:222222222222:key/archive-key"])
      Condition = { StringEquals = { "kms:ViaService" = toset(["dynamodb.eu-west-1.amazonaws.com"]) } }
    }]
    error_message = "UseTargetTableKeys must allow the KMS actions DynamoDB needs on the tables' keys only, and only through DynamoDB in this region (kms:ViaService)."
  }
}
