#!/usr/bin/env python3
"""moto_server, with one correction: a disabled (or deleted) Lambda event source mapping
on a DynamoDB stream delivers nothing and leaves the stream's records in place.

moto 5.2.1 ignores Enabled for DynamoDB stream mappings: on every write, StreamShard.add
(moto/dynamodb/models/table.py) passes the shard's records to every mapping ever attached
to the table, enabled, disabled or deleted, through LambdaBackend.send_dynamodb_items,
which runs the function in Docker; then it empties the shard if that returned anything.
AWS delivers nothing through a disabled mapping. Here send_dynamodb_items returns None
(nothing delivered, so the shard keeps its records) unless an enabled mapping from that
stream to that function exists. Enabled mappings behave exactly as in moto.
The arguments are moto_server's.
"""

import sys

from moto.awslambda.models import LambdaBackend
from moto.server import main
import moto_patches_first_sync  # noqa: F401  (issue 12: Step Functions, Lambda Invoke, ImportTable, export)

_deliver = LambdaBackend.send_dynamodb_items


def _send_if_enabled(self, function_arn, items, source):
    enabled = any(
        esm.enabled and esm.function_arn == function_arn and esm.event_source_arn == source
        for esm in self._event_source_mappings.values()
    )
    return _deliver(self, function_arn, items, source) if enabled else None


LambdaBackend.send_dynamodb_items = _send_if_enabled

if __name__ == "__main__":
    main(sys.argv[1:])
