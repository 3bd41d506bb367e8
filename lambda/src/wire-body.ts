import {
  BatchWriteItemCommand,
  type BatchWriteItemCommandInput,
  type DynamoDBClient,
  type ServiceInputTypes,
  type ServiceOutputTypes,
} from '@aws-sdk/client-dynamodb';
import type { SerializeMiddleware } from '@aws-sdk/types';
import type { BatchWriteRequest } from './batch-writer.js';

/**
 * Sending BatchWriteItem bodies as they are. A stream event's images are already in
 * DynamoDB's JSON wire form, so the replicator puts them in the request body unchanged
 * (see WriteEntry.json) instead of decoding them to the SDK's form for the SDK to encode
 * again: fewer bytes copied, no base64 round trip, and the body's exact size is known
 * before sending. Everything else about the call stays the SDK's: endpoint, signing,
 * retries, HTTP, and the reply.
 *
 * The command's input holds the wire-form requests (binaries as base64 strings, unlike
 * the SDK's types) and, under a symbol, the body. Just before the SDK's serializer, the
 * input is swapped for one with the same table and no items, so the serializer does next
 * to nothing; just after it, the body it made is replaced by ours.
 */
const WIRE_BODY = Symbol('ddbsync.wireBody');

type WireInput = BatchWriteItemCommandInput & { [WIRE_BODY]?: string };

export function wireBatchWriteCommand(request: BatchWriteRequest): BatchWriteItemCommand {
  const input = { RequestItems: { [request.tableName]: request.requests } } as unknown as WireInput;
  Object.defineProperty(input, WIRE_BODY, { value: request.body });
  return new BatchWriteItemCommand(input);
}

/** The body under the symbol, when `input` came from wireBatchWriteCommand. */
function wireBody(input: object): string | undefined {
  return (input as WireInput)[WIRE_BODY];
}

/** The request the serializer made, as far as this module touches it. */
function isHttpRequest(value: unknown): value is { body?: unknown; headers: Record<string, string> } {
  return typeof value === 'object' && value !== null && 'headers' in value;
}

/** Swaps the input for one with the same table names and no items, keeping the body. */
const stubInput: SerializeMiddleware<ServiceInputTypes, ServiceOutputTypes> = (next) => (args) => {
  const body = wireBody(args.input);
  if (body === undefined) return next(args);
  const empty: Record<string, never[]> = {};
  for (const table of Object.keys((args.input as BatchWriteItemCommandInput).RequestItems ?? {}))
    empty[table] = [];
  const stub: WireInput = { RequestItems: empty };
  Object.defineProperty(stub, WIRE_BODY, { value: body });
  return next({ ...args, input: stub });
};

/** Puts the body in the request the serializer made from the stub. */
const setBody: SerializeMiddleware<ServiceInputTypes, ServiceOutputTypes> = (next) => (args) => {
  const body = wireBody(args.input);
  if (body !== undefined && isHttpRequest(args.request)) {
    args.request.body = body;
    // The SDK's content-length middleware runs later (build step) and measures this body.
    for (const name of Object.keys(args.request.headers)) {
      if (name.toLowerCase() === 'content-length') delete args.request.headers[name];
    }
  }
  return next(args);
};

/** Adds the two middlewares to a client; commands made without wireBatchWriteCommand pass untouched. */
export function sendWireBodies(client: DynamoDBClient): void {
  const common = { relation: 'before', toMiddleware: 'serializerMiddleware', override: true } as const;
  client.middlewareStack.addRelativeTo(stubInput, { ...common, name: 'ddbsyncWireInput' });
  client.middlewareStack.addRelativeTo(setBody, { ...common, relation: 'after', name: 'ddbsyncWireBody' });
}
