#!/usr/bin/env python3
"""moto_server with the DynamoDB Streams behaviour that replication depends on and moto 5.2.1
lacks. The arguments are moto_server's. Each patch below is needed by a test that fails on
stock moto_server (see the README's Development section); everything else is moto's.

1. moto never delivers a DynamoDB stream's records itself, and leaves them in place: the tests'
   emulator (test/support/event-source-mapping.ts) reads the stream and invokes the function
   with Lambda's semantics. moto passes a shard's records to every mapping ever attached to the
   table, enabled or not (StreamShard.add -> LambdaBackend.send_dynamodb_items, which runs the
   function in Docker through LambdaFunction.invoke, not through the Invoke API that
   moto_patches_first_sync forwards), and then empties the shard if that returned anything, so
   the next record reuses a sequence number; with Docker absent it returns an error text, so
   every write to a table with an enabled mapping wiped its stream. Here send_dynamodb_items
   returns None (nothing delivered) for every mapping.
   Needed by: test/e2e (a deployed example's mapping is read locally) and
   test/integration/mapping-state.test.ts ("an enabled mapping leaves the stream in place").

4. A mapping that an emulator polls (it says so with POST
   /moto-api/ddbsync/mapping-poller?uuid=UUID&account=ACCOUNT&region=REGION) changes state as
   on AWS: UpdateEventSourceMapping with Enabled=false answers "Disabling", and the mapping
   stays Disabling until its poller, having finished the batch it was delivering, confirms
   with POST /moto-api/ddbsync/mapping-state?uuid=...&account=...&region=...&state=Disabled;
   Enabled=true goes through "Enabling" the same way. moto switches at once, so "Disabled"
   would be reported while the emulator is still invoking the function, and the first sync,
   which exports the table once the mapping is Disabled, could snapshot before the last
   replicated write. A mapping nobody polls keeps moto's behaviour.
   Needed by: test/integration/mapping-state.test.ts ("Disabling until the poller stops").

2. Shards roll over. moto has one shard per stream that never closes; DynamoDB closes shards and
   opens children every few hours. POST /moto-api/ddbsync/rollover?streamArn=ARN closes the
   stream's open shard (EndingSequenceNumber = its last record) and opens a child
   (ParentShardId = the closed one) that takes every later write; it answers
   {"closedShardId", "shardId"}. Child sequence numbers start well above the parent's end, as
   on AWS, where they are not contiguous.
   - DescribeStream lists every shard of the stream, parents before children.
   - GetShardIterator finds any shard of the stream (ResourceNotFoundException for an unknown
     one; moto asserts the id is its single shard's).
   - GetRecords on a closed shard returns no NextShardIterator once the shard's last record
     has been read, which is how a reader learns the shard is finished.
   Needed by: test/integration/stream-rollover.test.ts, test/cli/redrive-bisected.test.ts.

3. DescribeStream pages: at most Limit shards (1-100, default 100) after ExclusiveStartShardId,
   and LastEvaluatedShardId when more remain, as the DynamoDB Streams API reference says. moto
   ignores both parameters and answers every shard at once.
   Needed by: test/integration/stream-rollover.test.ts ("pages DescribeStream").
"""

import json
import sys
import time
import uuid
from urllib.parse import parse_qs, urlparse

from moto.awslambda.models import EventSourceMapping, LambdaBackend
from moto.core.exceptions import JsonRESTError
from moto.dynamodb.models import dynamodb_backends
from moto.dynamodb.models.table import StreamShard, Table
from moto.dynamodbstreams.models import DynamoDBStreamsBackend, ShardIterator
from moto.dynamodbstreams.responses import DynamoDBStreamsHandler
from moto.moto_api._internal import urls as moto_api_urls
from moto.server import main
import moto_patches_first_sync  # noqa: F401  (issue 12: Step Functions, Lambda Invoke, ImportTable, export)
import moto_patches_terraform  # noqa: F401  (what the aws provider calls and moto lacks)

# --- 1. moto delivers no stream records itself -------------------------------------------------


def _deliver_nothing(self, function_arn, items, source):
    return None  # nothing delivered: StreamShard.add keeps the records


LambdaBackend.send_dynamodb_items = _deliver_nothing

# --- 2. shard rollover ------------------------------------------------------------------------

# Sequence numbers of a child start this far above its parent's last one.
CHILD_SEQUENCE_GAP = 10**12
_last_shard_ms = 0


class ResourceNotFound(JsonRESTError):
    def __init__(self, message):
        super().__init__("ResourceNotFoundException", message)


class Validation(JsonRESTError):
    def __init__(self, message):
        super().__init__("ValidationException", message)


_shard_init = StreamShard.__init__
_shard_to_json = StreamShard.to_json


def _init_shard(self, account_id, table):
    _shard_init(self, account_id, table)
    self.parent = None  # the closed shard this one was split from
    self.ending_sequence_number = None  # set when the shard is closed
    self.end_position = None  # closed: the position after its last record


def _shard_json(self):
    out = _shard_to_json(self)
    if self.parent is not None:
        out["ParentShardId"] = self.parent.id
    if self.ending_sequence_number is not None:
        out["SequenceNumberRange"]["EndingSequenceNumber"] = str(self.ending_sequence_number)
    return out


StreamShard.__init__ = _init_shard
StreamShard.to_json = _shard_json


def _lineage(table):
    """Every shard of the table's current stream, parents before children."""
    shards = []
    shard = table.stream_shard
    while shard is not None:
        shards.append(shard)
        shard = shard.parent
    return list(reversed(shards))


def _new_shard_id():
    # shardId-<20-digit creation time in ms>-<8 hex>, ascending like DynamoDB's.
    global _last_shard_ms
    _last_shard_ms = max(int(time.time() * 1000), _last_shard_ms + 1)
    return f"shardId-{_last_shard_ms:020d}-{uuid.uuid4().hex[:8]}"


def _table_of(stream_arn):
    # arn:aws:dynamodb:REGION:ACCOUNT:table/NAME/stream/LABEL
    parts = stream_arn.split(":", 5)
    if len(parts) != 6 or "/stream/" not in parts[5]:
        raise Validation(f"{stream_arn} is not a stream ARN")
    region, account, resource = parts[3], parts[4], parts[5]
    table = dynamodb_backends[account][region].get_table(resource.split("/")[1])
    if table.stream_shard is None or f"/stream/{table.latest_stream_label}" not in resource:
        raise ResourceNotFound(f"Requested resource not found: Stream: {stream_arn} not found")
    return table


def rollover(table):
    parent = table.stream_shard
    parent.end_position = parent.starting_sequence_number + len(parent.items)
    # An empty shard has no last record; its range then ends where it starts.
    parent.ending_sequence_number = max(parent.end_position - 1, parent.starting_sequence_number)
    child = StreamShard(table.account_id, table)
    child.id = _new_shard_id()
    child.parent = parent
    child.starting_sequence_number = parent.ending_sequence_number + CHILD_SEQUENCE_GAP
    table.stream_shard = child  # every writer appends to table.stream_shard
    return parent, child


def _rollover_response(request, full_url, headers):
    if request.method != "POST":
        return 405, {}, json.dumps({"error": "POST to roll the stream's shard over"})
    arn = parse_qs(urlparse(full_url).query).get("streamArn", [""])[0]
    try:
        parent, child = rollover(_table_of(arn))
    except JsonRESTError as err:
        return err.code, {}, json.dumps({"error": err.message})
    return 200, {}, json.dumps({"closedShardId": parent.id, "shardId": child.id})


moto_api_urls.url_paths["{0}/moto-api/ddbsync/rollover"] = _rollover_response


def _get_shard_iterator(self, arn, shard_id, shard_iterator_type, sequence_number=None):
    table = self._get_table_from_arn(arn)
    shard = next((s for s in _lineage(table) if s.id == shard_id), None)
    if shard is None:
        raise ResourceNotFound(f"Requested resource not found: Shard: {shard_id} in Stream: {arn}")
    iterator = ShardIterator(self, shard, shard_iterator_type, sequence_number)
    self.shard_iterators[iterator.arn] = iterator
    return iterator


DynamoDBStreamsBackend.get_shard_iterator = _get_shard_iterator

_iterator_get = ShardIterator.get


def _get_records(self, limit=1000):
    out = _iterator_get(self, limit)
    end = self.stream_shard.end_position
    if end is not None:
        records = out["Records"]
        after = int(records[-1]["dynamodb"]["SequenceNumber"]) + 1 if records else self.sequence_number
        if after >= end:
            del out["NextShardIterator"]  # closed and read to its end
    return out


ShardIterator.get = _get_records

# --- 3. DescribeStream pages ------------------------------------------------------------------

_describe = DynamoDBStreamsBackend.describe_stream


def _describe_stream(self, arn):
    out = _describe(self, arn)
    table = self._get_table_from_arn(arn)
    out["Shards"] = [s.to_json() for s in _lineage(table)] if table.stream_shard else []
    return out


DynamoDBStreamsBackend.describe_stream = _describe_stream

_handler_describe = DynamoDBStreamsHandler.describe_stream


def _describe_stream_page(self):
    limit = self._get_param("Limit")
    start = self._get_param("ExclusiveStartShardId")
    limit = 100 if limit is None else int(limit)
    if not 1 <= limit <= 100:
        raise Validation(f"1 validation error detected: Value '{limit}' at 'limit' failed to satisfy constraint")
    result = _handler_describe(self)
    stream = result.result["StreamDescription"]
    shards = stream["Shards"]
    if start:
        ids = [s["ShardId"] for s in shards]
        shards = shards[ids.index(start) + 1 :] if start in ids else []
    stream["Shards"] = shards[:limit]
    if len(shards) > limit:
        stream["LastEvaluatedShardId"] = shards[limit - 1]["ShardId"]
    return result


DynamoDBStreamsHandler.describe_stream = _describe_stream_page

# --- 4. mapping state transitions confirmed by the poller ---------------------------------------

_polled: set[str] = set()  # UUIDs of mappings an emulator polls
_esm_configuration = EventSourceMapping.get_configuration
_esm_update = LambdaBackend.update_event_source_mapping


def _configuration(self):
    out = _esm_configuration(self)
    transition = getattr(self, "ddbsync_transition", None)
    if transition:
        out["State"] = transition
    return out


def _update_mapping(self, uuid_, spec):
    esm = self.get_event_source_mapping(uuid_)
    before = esm.enabled if esm else None
    out = _esm_update(self, uuid_, spec)
    if out is not None and uuid_ in _polled and "Enabled" in spec and bool(spec["Enabled"]) != before:
        out.ddbsync_transition = "Enabling" if out.enabled else "Disabling"
    return out


EventSourceMapping.get_configuration = _configuration
LambdaBackend.update_event_source_mapping = _update_mapping


def _mapping_of(full_url):
    from moto.awslambda.models import lambda_backends

    query = {k: v[0] for k, v in parse_qs(urlparse(full_url).query).items()}
    backend = lambda_backends[query.get("account", "")][query.get("region", "")]
    esm = backend.get_event_source_mapping(query.get("uuid", ""))
    if esm is None:
        raise ResourceNotFound(f"no event source mapping {query.get('uuid')}")
    return esm, query


def _mapping_poller_response(request, full_url, headers):
    if request.method != "POST":
        return 405, {}, json.dumps({"error": "POST to poll a mapping"})
    try:
        esm, _ = _mapping_of(full_url)
    except JsonRESTError as err:
        return err.code, {}, json.dumps({"error": err.message})
    _polled.add(esm.uuid)
    return 200, {}, json.dumps({"uuid": esm.uuid, "State": _configuration(esm)["State"]})


def _mapping_state_response(request, full_url, headers):
    if request.method != "POST":
        return 405, {}, json.dumps({"error": "POST to confirm a mapping's state"})
    try:
        esm, query = _mapping_of(full_url)
    except JsonRESTError as err:
        return err.code, {}, json.dumps({"error": err.message})
    wanted = "Enabled" if esm.enabled else "Disabled"
    if query.get("state") != wanted:
        return 409, {}, json.dumps({"error": f"the mapping is being {wanted}, not {query.get('state')}"})
    esm.ddbsync_transition = None
    return 200, {}, json.dumps({"uuid": esm.uuid, "State": wanted})


moto_api_urls.url_paths["{0}/moto-api/ddbsync/mapping-poller"] = _mapping_poller_response
moto_api_urls.url_paths["{0}/moto-api/ddbsync/mapping-state"] = _mapping_state_response

if __name__ == "__main__":
    main(sys.argv[1:])
