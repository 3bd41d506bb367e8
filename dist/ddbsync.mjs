#!/usr/bin/env node
// Built from cli/ by scripts/build-cli.ts (make build-cli): edit the sources, not this file.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// cli/src/io.ts
function processIo(signal) {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, ...signal ? { signal } : {} };
}

// cli/src/main.ts
import { Command as Command5, CommanderError } from "commander";

// cli/src/commands/backfill.ts
import { Command } from "commander";

// lambda/src/errors.ts
var DdbsyncError = class extends Error {
  name = "DdbsyncError";
};
var ConfigError = class extends DdbsyncError {
  constructor(setting, detail, options) {
    super(`${setting}: ${detail}`, options);
    this.setting = setting;
  }
  setting;
  name = "ConfigError";
};
var StreamConfigError = class extends DdbsyncError {
  name = "StreamConfigError";
};
var MalformedRecordError = class extends DdbsyncError {
  constructor(sequenceNumber, detail, options) {
    super(`record ${sequenceNumber ?? "(no sequence number)"}: ${detail}`, options);
    this.sequenceNumber = sequenceNumber;
  }
  sequenceNumber;
  name = "MalformedRecordError";
};
var TargetWriteError = class extends DdbsyncError {
  constructor(target, code, detail, options) {
    super(`${target}: ${code}: ${detail}`, options);
    this.target = target;
    this.code = code;
  }
  target;
  code;
  name = "TargetWriteError";
};
function innermostCause(err) {
  let inner = err;
  for (let depth = 0; depth < 8 && inner.cause instanceof Error; depth++) inner = inner.cause;
  return inner;
}
function awsRequestId(err) {
  const id = err.$metadata?.requestId;
  return typeof id === "string" && id !== "" ? id : void 0;
}

// lambda/src/attribute-values.ts
var AttributeValueError = class extends DdbsyncError {
  constructor(path, detail) {
    super(`attribute ${path}: ${detail}`);
    this.path = path;
  }
  path;
  name = "AttributeValueError";
};
var BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
function checkBase64(value, path) {
  if (typeof value !== "string" || !BASE64.test(value)) {
    throw new AttributeValueError(path, "binary value is not a base64 string");
  }
}
function checkStringArray(value, path, kind) {
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
    throw new AttributeValueError(path, `${kind} must be an array of strings`);
  }
}
function checkAttributeValue(value, path) {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new AttributeValueError(path, "is not an attribute value object");
  }
  const keys = Object.keys(value);
  if (keys.length !== 1) {
    const types = keys.filter((k) => TYPE_KEYS.has(k));
    const others = keys.length - types.length;
    const found = [...types, ...others ? [`${others} other key${others === 1 ? "" : "s"}`] : []];
    throw new AttributeValueError(
      path,
      `must have exactly one type key, has ${found.length ? found.join(", ") : "none"}`
    );
  }
  const v = value;
  switch (keys[0]) {
    case "S":
      if (typeof v.S !== "string") throw new AttributeValueError(path, "S must be a string");
      return;
    case "N":
      if (typeof v.N !== "string") throw new AttributeValueError(path, "N must be a decimal string");
      return;
    case "B":
      checkBase64(v.B, path);
      return;
    case "SS":
      checkStringArray(v.SS, path, "SS");
      return;
    case "NS":
      checkStringArray(v.NS, path, "NS");
      return;
    case "BS":
      if (!Array.isArray(v.BS)) throw new AttributeValueError(path, "BS must be an array of base64 strings");
      for (let i = 0; i < v.BS.length; i++) checkBase64(v.BS[i], `${path}[${i}]`);
      return;
    case "M":
      checkMap(v.M, path);
      return;
    case "L":
      if (!Array.isArray(v.L)) throw new AttributeValueError(path, "L must be an array");
      for (let i = 0; i < v.L.length; i++) checkAttributeValue(v.L[i], `${path}[${i}]`);
      return;
    case "NULL":
      if (v.NULL !== true) throw new AttributeValueError(path, "NULL must be true");
      return;
    case "BOOL":
      if (typeof v.BOOL !== "boolean") throw new AttributeValueError(path, "BOOL must be true or false");
      return;
    default:
      throw new AttributeValueError(path, "has no known type key (S, N, B, SS, NS, BS, M, L, NULL, BOOL)");
  }
}
function checkMap(map, path) {
  if (typeof map !== "object" || map === null || Array.isArray(map)) {
    throw new AttributeValueError(path, "M must be a map of attribute values");
  }
  let i = 0;
  for (const name in map) {
    if (Object.hasOwn(map, name))
      checkAttributeValue(map[name], `${path}.#${i++}`);
  }
}
function checkImage(image, path = "", exclude) {
  if (typeof image !== "object" || image === null || Array.isArray(image)) {
    throw new AttributeValueError(path || "(image)", "is not a map of attribute values");
  }
  const source = image;
  let excluded = false;
  for (const name in source) {
    if (!Object.hasOwn(source, name)) continue;
    if (exclude?.has(name)) excluded = true;
    else checkAttributeValue(source[name], path ? `${path}.${name}` : name);
  }
  if (!excluded) return source;
  const out = {};
  for (const [name, value] of Object.entries(source)) {
    if (!exclude?.has(name)) setAttribute(out, name, value);
  }
  return out;
}
function sdkValueOf(v) {
  if ("B" in v) return { B: Buffer.from(v.B, "base64") };
  if ("BS" in v) return { BS: v.BS.map((b) => Buffer.from(b, "base64")) };
  if ("M" in v) return { M: sdkItemOf(v.M) };
  if ("L" in v) return { L: v.L.map(sdkValueOf) };
  if ("SS" in v) return { SS: [...v.SS] };
  if ("NS" in v) return { NS: [...v.NS] };
  return { ...v };
}
function sdkItemOf(image) {
  const out = {};
  for (const [name, value] of Object.entries(image)) setAttribute(out, name, sdkValueOf(value));
  return out;
}
var TYPE_KEYS = /* @__PURE__ */ new Set(["S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL"]);
function toSdkItem(image, path = "", exclude) {
  return sdkItemOf(checkImage(image, path, exclude));
}
function setAttribute(target, name, value) {
  if (name === "__proto__") {
    Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[name] = value;
  }
}
function itemSize(item) {
  let size = 0;
  for (const [name, value] of Object.entries(item)) size += Buffer.byteLength(name) + valueSize(value);
  return size;
}
function valueSize(v) {
  if (v.S !== void 0) return Buffer.byteLength(v.S);
  if (v.N !== void 0) return 21;
  if (v.B !== void 0) return v.B.byteLength;
  if (v.SS !== void 0) return v.SS.reduce((n, s) => n + Buffer.byteLength(s), 0);
  if (v.NS !== void 0) return v.NS.length * 21;
  if (v.BS !== void 0) return v.BS.reduce((n, b) => n + b.byteLength, 0);
  if (v.M !== void 0)
    return 3 + Object.entries(v.M).reduce((n, [k, e]) => n + 1 + Buffer.byteLength(k) + valueSize(e), 0);
  if (v.L !== void 0) return 3 + v.L.reduce((n, e) => n + 1 + valueSize(e), 0);
  return 1;
}

// lambda/src/backoff.ts
function backoffDelay(attempt, random, baseMs = 25, capMs = 2e3) {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}
var sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// lambda/src/batch-writer.ts
import { isServerError, isThrottlingError, isTransientError } from "@smithy/service-error-classification";

// lambda/src/item-keys.ts
function keyString(key, names = Object.keys(key).sort()) {
  let out = "";
  for (const name of names) {
    out += `${quotedName(name)}=${scalar(key[name])};`;
  }
  return out;
}
function scalar(v) {
  if (v === void 0) return "-";
  if (v.S !== void 0) return `S${JSON.stringify(v.S)}`;
  if (v.N !== void 0) return `N${v.N}`;
  if (v.B !== void 0) return `B${Buffer.from(v.B).toString("base64")}`;
  return JSON.stringify(v);
}
function eventKeyString(keys) {
  const names = Object.keys(keys);
  if (names.length > 1) names.sort();
  let out = "";
  for (const name of names) out += `${quotedName(name)}=${eventKeyScalar(keys[name], name)};`;
  return out;
}
function eventKeyScalar(value, name) {
  if (typeof value === "object" && value !== null && hasOneKey(value)) {
    const v = value;
    if (typeof v.S === "string") return `S${JSON.stringify(v.S)}`;
    if (typeof v.N === "string") return `N${v.N}`;
    if (v.B !== void 0) {
      checkBase64(v.B, `Keys.${name}`);
      return `B${Buffer.from(v.B, "base64").toString("base64")}`;
    }
  }
  throw new AttributeValueError(`Keys.${name}`, "is not a key attribute value (S, N or B)");
}
function hasOneKey(value) {
  let n = 0;
  for (const k in value) if (Object.hasOwn(value, k) && ++n > 1) return false;
  return n === 1;
}
var quoted = /* @__PURE__ */ new Map();
function quotedName(name) {
  let q = quoted.get(name);
  if (q === void 0) {
    q = JSON.stringify(name);
    if (quoted.size < 16) quoted.set(name, q);
  }
  return q;
}
function pickKey(item, keyNames) {
  const key = {};
  for (const name of keyNames) {
    const v = item[name];
    if (v !== void 0) setAttribute(key, name, v);
  }
  return key;
}

// lambda/src/batch-writer.ts
function writeEntry(request, keyItem, key = eventKeyString(keyItem)) {
  const json = JSON.stringify(request);
  return { request, json, bytes: Buffer.byteLength(json), keyItem, key };
}
var MAX_ITEMS_PER_BATCH = 25;
var MAX_REQUEST_BYTES = 16e6;
async function writeBatches(send, tableName, entries, options) {
  const now = options.now ?? Date.now;
  const sleep2 = options.sleep ?? sleep;
  const random = options.random ?? Math.random;
  const failed = /* @__PURE__ */ new Map();
  let requests = 0;
  let retries = 0;
  const envelope = bodyEnvelope(tableName);
  const chunks = chunkEntries(entries, MAX_REQUEST_BYTES - envelope.bytes);
  let next = 0;
  const writeChunk = async (chunk) => {
    let pending = chunk;
    let lastError;
    for (let attempt = 0; ; attempt++) {
      const remaining = options.deadline - now();
      if (remaining <= 0) {
        const why = lastError ? `gave up at the deadline after ${attempt} attempts; last error: ${lastError.name}: ${lastError.message}` : "no time left before the deadline to send";
        const error = new TargetWriteError(
          tableName,
          "DeadlineExceeded",
          why,
          lastError ? { cause: lastError } : void 0
        );
        for (const i of pending) failed.set(i, error);
        return;
      }
      try {
        requests++;
        const sending = pending.map((i) => entries[i]);
        const out = await send(
          {
            tableName,
            requests: sending.map((e) => e.request),
            body: envelope.head + sending.map((e) => e.json).join(",") + envelope.tail
          },
          // Whole milliseconds: a deadline derived from a fraction of the remaining time need not be one.
          AbortSignal.timeout(Math.ceil(remaining))
        );
        const unprocessed = Object.values(out.UnprocessedItems ?? {}).flat();
        if (unprocessed.length === 0) return;
        pending = matchUnprocessed(entries, pending, unprocessed);
        lastError = new TargetWriteError(
          tableName,
          "UnprocessedItems",
          `${pending.length} items left unprocessed`
        );
      } catch (err) {
        const error = err instanceof Error ? err : new Error(String(err));
        if (!isRetryable(error)) {
          const code = error.name || "Error";
          const failure = new TargetWriteError(tableName, code, error.message, { cause: error });
          for (const i of pending) failed.set(i, failure);
          return;
        }
        lastError = error;
      }
      const delay = backoffDelay(attempt, random);
      if (now() + delay >= options.deadline) {
        const error = new TargetWriteError(
          tableName,
          "DeadlineExceeded",
          `no time left to retry after ${attempt + 1} attempts; last error: ${lastError.name}: ${lastError.message}`,
          { cause: lastError }
        );
        for (const i of pending) failed.set(i, error);
        return;
      }
      retries++;
      await sleep2(delay);
    }
  };
  const worker = async () => {
    while (next < chunks.length) {
      const chunk = chunks[next++];
      await writeChunk(chunk);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, chunks.length) }, worker));
  return { failed, requests, retries };
}
function isRetryable(error) {
  if (error.name === "AbortError" || error.name === "TimeoutError") return false;
  const e = error;
  return isThrottlingError(e) || isTransientError(e) || isServerError(e);
}
function bodyEnvelope(tableName) {
  const head = `{"RequestItems":{${JSON.stringify(tableName)}:[`;
  const tail = "]}}";
  return { head, tail, bytes: Buffer.byteLength(head) + tail.length };
}
function chunkEntries(entries, maxBytes) {
  const chunks = [];
  let current = [];
  let bytes = 0;
  entries.forEach((entry, i) => {
    if (current.length === MAX_ITEMS_PER_BATCH || current.length > 0 && bytes + 1 + entry.bytes > maxBytes) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    bytes += current.length > 0 ? entry.bytes + 1 : entry.bytes;
    current.push(i);
  });
  if (current.length > 0) chunks.push(current);
  return chunks;
}
function matchUnprocessed(entries, sent, unprocessed) {
  const byKey = /* @__PURE__ */ new Map();
  for (const i of sent) byKey.set(entries[i].key, i);
  const names = Object.keys(entries[sent[0]].keyItem).sort();
  const out = /* @__PURE__ */ new Set();
  for (const r of unprocessed) {
    const item = r.PutRequest?.Item ?? r.DeleteRequest?.Key ?? {};
    const i = byKey.get(keyString(item, names));
    if (i === void 0) {
      throw new Error("BatchWriteItem returned an unprocessed item that was not sent");
    }
    out.add(i);
  }
  return [...out];
}

// lambda/src/config.ts
var TABLE_NAME = /^[a-zA-Z0-9_.-]{3,255}$/;
var TABLE_ARN = /^arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:\d{12}:table\/[a-zA-Z0-9_.-]{3,255}$/;
var REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
var ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
var EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
var TARGET_KEYS = /* @__PURE__ */ new Set(["tableName", "region", "roleArn", "externalId"]);
function parseTargets(raw, defaultRegion) {
  const setting = "REPLICATION_TARGETS";
  if (raw === void 0 || raw.trim() === "") {
    throw new ConfigError(setting, 'is not set; give a JSON array such as [{"tableName":"orders-replica"}]');
  }
  let parsed;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    throw new ConfigError(setting, `is not valid JSON (${err.message})`);
  }
  if (!Array.isArray(parsed) || parsed.length === 0) {
    throw new ConfigError(setting, "must be a non-empty JSON array of targets");
  }
  const targets = parsed.map((entry, i) => parseTarget(entry, `${setting}[${i}]`, defaultRegion));
  const seen = /* @__PURE__ */ new Set();
  targets.forEach((t, i) => {
    const id = targetId(t);
    if (seen.has(id)) throw new ConfigError(`${setting}[${i}]`, `duplicates another target (${id})`);
    seen.add(id);
  });
  return targets;
}
function parseTarget(entry, where, defaultRegion) {
  if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
    throw new ConfigError(
      where,
      'must be an object like {"tableName": "...", "region": "...", "roleArn": "..."}'
    );
  }
  const obj = entry;
  for (const key of Object.keys(obj)) {
    if (!TARGET_KEYS.has(key)) {
      throw new ConfigError(
        `${where}.${key}`,
        `is not a known field (known: ${[...TARGET_KEYS].join(", ")})`
      );
    }
  }
  const tableName = requireString(obj.tableName, `${where}.tableName`);
  if (!TABLE_NAME.test(tableName) && !TABLE_ARN.test(tableName)) {
    throw new ConfigError(
      `${where}.tableName`,
      `"${tableName}" is not a DynamoDB table name (3-255 of a-z A-Z 0-9 _ . -) or table ARN`
    );
  }
  const arnRegion = TABLE_ARN.test(tableName) ? tableName.split(":")[3] : void 0;
  const region = obj.region === void 0 ? arnRegion ?? defaultRegion : requireString(obj.region, `${where}.region`);
  if (region === void 0) {
    throw new ConfigError(`${where}.region`, "is not set and AWS_REGION is not set either");
  }
  if (!REGION.test(region)) {
    throw new ConfigError(`${where}.region`, `"${region}" is not an AWS region name like eu-west-1`);
  }
  if (arnRegion !== void 0 && region !== arnRegion) {
    throw new ConfigError(
      `${where}.region`,
      `"${region}" is not the region of the table ARN in tableName (${arnRegion}); set region to ${arnRegion} or leave it out`
    );
  }
  const target = {
    tableName,
    region
  };
  if (obj.roleArn !== void 0) {
    const roleArn = requireString(obj.roleArn, `${where}.roleArn`);
    if (!ROLE_ARN.test(roleArn)) {
      throw new ConfigError(
        `${where}.roleArn`,
        `"${roleArn}" is not an IAM role ARN (arn:aws:iam::123456789012:role/name)`
      );
    }
    target.roleArn = roleArn;
  }
  if (obj.externalId !== void 0) {
    const externalId = requireString(obj.externalId, `${where}.externalId`);
    if (target.roleArn === void 0) {
      throw new ConfigError(
        `${where}.externalId`,
        "is set but roleArn is not; an external id only applies to an assumed role"
      );
    }
    if (!EXTERNAL_ID.test(externalId)) {
      throw new ConfigError(
        `${where}.externalId`,
        "must be 2-1224 characters of letters, digits and +=,.@:/-_"
      );
    }
    target.externalId = externalId;
  }
  return target;
}
function requireString(value, where) {
  if (typeof value !== "string" || value.trim() === "") {
    throw new ConfigError(where, `must be a non-empty string, got ${JSON.stringify(value) ?? "undefined"}`);
  }
  return value.trim();
}
function targetId(t) {
  return `${t.tableName}@${t.region}${t.roleArn ? ` as ${t.roleArn}` : ""}`;
}

// lambda/src/lambda-event.ts
function toLambdaRecord(record, streamArn) {
  const d = record.dynamodb ?? {};
  const dynamodb = {};
  if (d.ApproximateCreationDateTime)
    dynamodb.ApproximateCreationDateTime = d.ApproximateCreationDateTime.getTime() / 1e3;
  try {
    if (d.Keys) dynamodb.Keys = toEventImage(d.Keys, "Keys.");
    if (d.NewImage) dynamodb.NewImage = toEventImage(d.NewImage, "NewImage.");
    if (d.OldImage) dynamodb.OldImage = toEventImage(d.OldImage, "OldImage.");
  } catch (err) {
    if (err instanceof AttributeValueError) throw new MalformedRecordError(d.SequenceNumber, err.message);
    throw err;
  }
  if (d.SequenceNumber) dynamodb.SequenceNumber = d.SequenceNumber;
  if (d.SizeBytes !== void 0) dynamodb.SizeBytes = d.SizeBytes;
  if (d.StreamViewType) dynamodb.StreamViewType = d.StreamViewType;
  const out = {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion,
    eventSource: record.eventSource ?? "aws:dynamodb",
    awsRegion: record.awsRegion,
    dynamodb,
    eventSourceARN: streamArn
  };
  if (record.userIdentity)
    out.userIdentity = { type: record.userIdentity.Type, principalId: record.userIdentity.PrincipalId };
  return out;
}
function toEventImage(image, path = "") {
  const out = {};
  for (const [name, value] of Object.entries(image))
    setAttribute(out, name, toEventValue(value, `${path}${name}`));
  return out;
}
function toEventValue(v, path = "(value)") {
  if (typeof v !== "object" || v === null) throw new AttributeValueError(path, "has no value");
  if (v.S !== void 0) return { S: v.S };
  if (v.N !== void 0) return { N: v.N };
  if (v.B !== void 0) return { B: Buffer.from(v.B).toString("base64") };
  if (v.SS !== void 0) return { SS: [...v.SS] };
  if (v.NS !== void 0) return { NS: [...v.NS] };
  if (v.BS !== void 0) return { BS: v.BS.map((b) => Buffer.from(b).toString("base64")) };
  if (v.M !== void 0) return { M: mapOf(v.M, path) };
  if (v.L !== void 0) return { L: v.L.map((e, i) => toEventValue(e, `${path}[${i}]`)) };
  if (v.NULL !== void 0) return { NULL: true };
  if (v.BOOL !== void 0) return { BOOL: v.BOOL };
  throw new AttributeValueError(path, `unsupported attribute value with keys ${Object.keys(v).join(",")}`);
}
function mapOf(map, path) {
  const out = {};
  Object.entries(map).forEach(([name, value], i) => {
    setAttribute(out, name, toEventValue(value, `${path}.#${i}`));
  });
  return out;
}

// lambda/src/sequence-numbers.ts
var SEQUENCE_NUMBER = /^[0-9]{1,40}$/;
function isSequenceNumber(value) {
  return typeof value === "string" && SEQUENCE_NUMBER.test(value);
}
function compareSequenceNumbers(a, b) {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}
function lowestSequenceNumber(values) {
  let lowest;
  for (const v of values) if (lowest === void 0 || compareSequenceNumbers(v, lowest) < 0) lowest = v;
  return lowest;
}

// lambda/src/stream-records.ts
function isTtlDelete(record) {
  const id = record.userIdentity;
  return record.eventName === "REMOVE" && id?.type === "Service" && id?.principalId === "dynamodb.amazonaws.com";
}

// lambda/src/plan.ts
var NO_NEW_IMAGE_VIEWS = /* @__PURE__ */ new Set(["KEYS_ONLY", "OLD_IMAGE"]);
function planBatch(records, settings) {
  const byKey = /* @__PURE__ */ new Map();
  const failures = [];
  let skipped = 0;
  let oldestChangeMs;
  for (let index = 0; index < records.length; index++) {
    const record = records[index];
    const seq = record?.dynamodb?.SequenceNumber;
    if (!isSequenceNumber(seq)) {
      throw new MalformedRecordError(void 0, "dynamodb.SequenceNumber is missing or not a decimal string");
    }
    const created = record.dynamodb?.ApproximateCreationDateTime;
    if (typeof created === "number" && Number.isFinite(created)) {
      const ms = created * 1e3;
      if (oldestChangeMs === void 0 || ms < oldestChangeMs) oldestChangeMs = ms;
    }
    const view = record.dynamodb?.StreamViewType;
    if (typeof view === "string" && NO_NEW_IMAGE_VIEWS.has(view)) {
      return failBatch(
        records,
        oldestChangeMs,
        new StreamConfigError(
          `the source stream's view type is ${view}, which carries no new item images to copy; set the table's StreamViewType to NEW_AND_OLD_IMAGES (or NEW_IMAGE)`
        )
      );
    }
    const keys = record.dynamodb?.Keys;
    if (settings.excludeAttributes.size > 0 && typeof keys === "object" && keys !== null) {
      const excludedKey = Object.keys(keys).find((k) => settings.excludeAttributes.has(k));
      if (excludedKey !== void 0) {
        return failBatch(
          records,
          oldestChangeMs,
          new StreamConfigError(
            `EXCLUDE_ATTRIBUTES names "${excludedKey}", which is part of the table's key; key attributes are always copied, remove it from EXCLUDE_ATTRIBUTES`
          )
        );
      }
    }
    if (settings.skipTtlDeletes && isTtlDelete(record)) {
      skipped++;
      continue;
    }
    let key;
    try {
      key = checkRecord(record, seq);
    } catch (err) {
      if (!(err instanceof MalformedRecordError)) throw err;
      failures.push({ sequenceNumber: seq, error: err });
      continue;
    }
    const group = byKey.get(key);
    if (group === void 0) byKey.set(key, index);
    else if (typeof group === "number") byKey.set(key, [group, index]);
    else group.push(index);
  }
  const writes = [];
  for (const [key, group] of byKey) {
    const write = planKey(key, records, group, settings.excludeAttributes, failures);
    if (write !== void 0) writes.push(write);
  }
  return { received: records.length, writes, failures, skipped, oldestChangeMs };
}
function planKey(key, records, group, exclude, failures) {
  const seqOf = (i) => records[i].dynamodb?.SequenceNumber;
  const candidates = typeof group === "number" ? [group] : group.sort((a, b) => compareSequenceNumbers(seqOf(b), seqOf(a)));
  const first = seqOf(candidates[candidates.length - 1]);
  for (let i = 0; i < candidates.length; i++) {
    const record = records[candidates[i]];
    const seq = seqOf(candidates[i]);
    try {
      const { keyItem, request } = toRequest(record, seq, exclude);
      return { key, keyItem, request, firstSequenceNumber: first, recordCount: candidates.length - i };
    } catch (err) {
      if (!(err instanceof MalformedRecordError)) throw err;
      failures.push({ sequenceNumber: seq, error: err });
    }
  }
  return void 0;
}
function failBatch(records, oldestChangeMs, error) {
  const seqs = records.map((r) => r?.dynamodb?.SequenceNumber).filter(isSequenceNumber);
  return {
    received: records.length,
    writes: [],
    failures: [{ sequenceNumber: lowestSequenceNumber(seqs), error }],
    batchFailed: true,
    skipped: 0,
    oldestChangeMs
  };
}
var EVENT_NAMES = /* @__PURE__ */ new Set(["INSERT", "MODIFY", "REMOVE"]);
function checkRecord(record, seq) {
  const keys = record.dynamodb?.Keys;
  if (typeof keys !== "object" || keys === null || Array.isArray(keys) || Object.keys(keys).length === 0) {
    throw new MalformedRecordError(seq, "dynamodb.Keys is missing or empty");
  }
  const name = record.eventName;
  if (typeof name !== "string" || !EVENT_NAMES.has(name)) {
    throw new MalformedRecordError(
      seq,
      `eventName ${JSON.stringify(name) ?? "undefined"} is not INSERT, MODIFY or REMOVE`
    );
  }
  if (name !== "REMOVE") {
    const image = record.dynamodb?.NewImage;
    if (typeof image !== "object" || image === null || Array.isArray(image)) {
      throw new MalformedRecordError(seq, `${name} has no dynamodb.NewImage`);
    }
  }
  try {
    return eventKeyString(keys);
  } catch (err) {
    if (err instanceof AttributeValueError) throw new MalformedRecordError(seq, err.message);
    throw err;
  }
}
function toRequest(record, seq, exclude) {
  try {
    const keyItem = record.dynamodb?.Keys;
    if (record.eventName === "REMOVE") return { keyItem, request: { DeleteRequest: { Key: keyItem } } };
    return { keyItem, request: { PutRequest: { Item: checkImage(record.dynamodb?.NewImage, "", exclude) } } };
  } catch (err) {
    if (err instanceof AttributeValueError) throw new MalformedRecordError(seq, err.message);
    throw err;
  }
}

// lambda/src/replicate.ts
async function replicateBatch(records, config, writers, timing) {
  const plan = planBatch(records, config);
  const entries = plan.writes.map((w) => writeEntry(w.request, w.keyItem, w.key));
  const results = entries.length === 0 ? [] : await Promise.all(
    writers.map((w) => w.write(entries, { ...timing, concurrency: config.maxConcurrency }))
  );
  const failedWrites = /* @__PURE__ */ new Set();
  const targetFailures = [];
  let writeRequests = 0;
  let writeRetries = 0;
  results.forEach((result, t) => {
    writeRequests += result.requests;
    writeRetries += result.retries;
    if (result.failed.size === 0) return;
    for (const i of result.failed.keys()) failedWrites.add(i);
    const first = result.failed.values().next().value;
    targetFailures.push({
      target: writers[t].id,
      failedItems: result.failed.size,
      firstError: first.message,
      error: first
    });
  });
  let itemsPut = 0;
  let itemsDeleted = 0;
  let failedRecords = plan.batchFailed ? plan.received : plan.failures.length;
  const retryFrom = plan.failures.map((f) => f.sequenceNumber);
  plan.writes.forEach((w, i) => {
    if (failedWrites.has(i)) {
      failedRecords += w.recordCount;
      retryFrom.push(w.firstSequenceNumber);
    } else if ("PutRequest" in w.request) {
      itemsPut++;
    } else {
      itemsDeleted++;
    }
  });
  const lowest = lowestSequenceNumber(retryFrom);
  return {
    response: { batchItemFailures: lowest === void 0 ? [] : [{ itemIdentifier: lowest }] },
    received: plan.received,
    itemsPut,
    itemsDeleted,
    skipped: plan.skipped,
    failedRecords,
    writeRequests,
    writeRetries,
    oldestChangeMs: plan.oldestChangeMs,
    recordFailures: plan.failures,
    targetFailures
  };
}

// lambda/src/target-clients.ts
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { doesIdentityRequireRefresh, isIdentityExpired, memoizeIdentityProvider } from "@smithy/core";

// lambda/src/wire-body.ts
import {
  BatchWriteItemCommand
} from "@aws-sdk/client-dynamodb";
var WIRE_BODY = /* @__PURE__ */ Symbol("ddbsync.wireBody");
function wireBatchWriteCommand(request) {
  const input = { RequestItems: { [request.tableName]: request.requests } };
  Object.defineProperty(input, WIRE_BODY, { value: request.body });
  return new BatchWriteItemCommand(input);
}
function wireBody(input) {
  return input[WIRE_BODY];
}
function isHttpRequest(value) {
  return typeof value === "object" && value !== null && "headers" in value;
}
var stubInput = (next) => (args) => {
  const body = wireBody(args.input);
  if (body === void 0) return next(args);
  const empty = {};
  for (const table of Object.keys(args.input.RequestItems ?? {}))
    empty[table] = [];
  const stub = { RequestItems: empty };
  Object.defineProperty(stub, WIRE_BODY, { value: body });
  return next({ ...args, input: stub });
};
var setBody = (next) => (args) => {
  const body = wireBody(args.input);
  if (body !== void 0 && isHttpRequest(args.request)) {
    args.request.body = body;
    for (const name of Object.keys(args.request.headers)) {
      if (name.toLowerCase() === "content-length") delete args.request.headers[name];
    }
  }
  return next(args);
};
function sendWireBodies(client) {
  const common = { relation: "before", toMiddleware: "serializerMiddleware", override: true };
  client.middlewareStack.addRelativeTo(stubInput, { ...common, name: "ddbsyncWireInput" });
  client.middlewareStack.addRelativeTo(setBody, { ...common, relation: "after", name: "ddbsyncWireBody" });
}

// lambda/src/target-clients.ts
var MAX_SOCKETS = 128;
function createTargetClient(target, options, credentials = target.roleArn ? assumedRoleCredentials(target, options) : void 0) {
  const client = new DynamoDBClient({
    region: target.region,
    maxAttempts: options.maxAttempts ?? 3,
    // The SDK's agents keep connections alive but allow 50 sockets, and MAX_CONCURRENCY
    // goes to 128: above 50, requests silently waited for a socket (make bench once showed
    // at most 50 in flight at MAX_CONCURRENCY=64). Keep-alive stays on; nothing else is set.
    requestHandler: {
      httpsAgent: { keepAlive: true, maxSockets: MAX_SOCKETS },
      httpAgent: { keepAlive: true, maxSockets: MAX_SOCKETS }
    },
    ...credentials ? { credentials } : {}
  });
  client.middlewareStack.remove("loggerMiddleware");
  sendWireBodies(client);
  return client;
}
function createTargetClients(targets, options) {
  const providers = /* @__PURE__ */ new Map();
  return targets.map((target) => {
    if (!target.roleArn) return createTargetClient(target, options);
    const role = `${target.roleArn}
${target.externalId ?? ""}`;
    let provider = providers.get(role);
    if (provider === void 0) {
      provider = memoizeIdentityProvider(
        assumedRoleCredentials(target, options),
        isIdentityExpired,
        doesIdentityRequireRefresh
      );
      providers.set(role, provider);
    }
    return createTargetClient(target, options, provider);
  });
}
function assumedRoleCredentials(target, options) {
  let provider;
  return async (props) => {
    provider ??= import("@aws-sdk/credential-providers").then(
      ({ fromTemporaryCredentials: fromTemporaryCredentials2 }) => fromTemporaryCredentials2({
        params: {
          RoleArn: target.roleArn,
          RoleSessionName: options.sessionName,
          ...target.externalId ? { ExternalId: target.externalId } : {}
        },
        clientConfig: {
          region: options.stsRegion ?? target.region,
          maxAttempts: 2,
          requestHandler: {
            connectionTimeout: options.stsTimeoutMs ?? 5e3,
            requestTimeout: options.stsTimeoutMs ?? 5e3,
            throwOnRequestTimeout: true
          }
        }
      })
    );
    const p = await provider;
    return await p(props);
  };
}
function sessionName(prefix, name) {
  const cleaned = `${prefix}-${name ?? "local"}`.replace(/[^\w+=,.@-]/g, "-");
  return cleaned.slice(0, 64);
}

// lambda/src/target-writer.ts
function dynamoDbTargetWriter(target, client) {
  return {
    id: targetId(target),
    write: (entries, options) => writeBatches(
      (request, abortSignal) => client.send(wireBatchWriteCommand(request), { abortSignal }),
      target.tableName,
      entries,
      options
    )
  };
}
function createTargetWriters(targets, options) {
  const clients = createTargetClients(targets, options);
  return targets.map((t, i) => dynamoDbTargetWriter(t, clients[i]));
}

// cli/src/aws-context.ts
import { DescribeTableCommand } from "@aws-sdk/client-dynamodb";

// cli/src/errors.ts
var EXIT = { ok: 0, differences: 1, error: 2, interrupted: 130 };
var CliError = class extends Error {
  name = "CliError";
};
var UsageError = class extends CliError {
  name = "UsageError";
};
var ResourceError = class extends CliError {
  name = "ResourceError";
};
var WriteFailedError = class extends CliError {
  name = "WriteFailedError";
};
var CheckpointError = class extends CliError {
  name = "CheckpointError";
};
function describeError(err) {
  if (!(err instanceof Error)) return String(err);
  if (err instanceof UsageError || err instanceof ResourceError || err instanceof CheckpointError) {
    return err.message;
  }
  const named = err.name && err.name !== "Error" ? `${err.name}: ` : "";
  const text = `${named}${err.message}`.split("\n")[0];
  const requestId = awsRequestId(innermostCause(err));
  return requestId ? `${text} (request id ${requestId})` : text;
}

// cli/src/aws-context.ts
function awsContext(global, io, command) {
  if (global.profile) process.env.AWS_PROFILE = global.profile;
  const region = global.region ?? io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION;
  if (!region) throw new UsageError("no region: give --region or set AWS_REGION");
  return {
    region,
    clientOptions: { stsRegion: region, sessionName: sessionName("ddbsync", command), maxAttempts: 5 }
  };
}
function tableClient(ctx, table) {
  return createTargetClient(table, ctx.clientOptions);
}
async function describeTable(client, tableName, where) {
  try {
    const out = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const table = out.Table;
    const keyNames = (table?.KeySchema ?? []).map((k) => k.AttributeName);
    return {
      keyNames,
      itemCount: table?.ItemCount ?? 0,
      ...table?.StreamSpecification?.StreamViewType ? { streamViewType: table.StreamSpecification.StreamViewType } : {}
    };
  } catch (err) {
    const name = err.name;
    if (name === "ResourceNotFoundException") {
      throw new ResourceError(`${where} table "${tableName}" does not exist in ${await regionOf(client)}`, {
        cause: err
      });
    }
    if (name === "AccessDeniedException" || name === "UnrecognizedClientException") {
      throw new ResourceError(`${where} table "${tableName}": access denied (${err.message})`, {
        cause: err
      });
    }
    throw err;
  }
}
async function regionOf(client) {
  try {
    return await client.config.region();
  } catch {
    return "its region";
  }
}

// cli/src/backfill.ts
import { ScanCommand } from "@aws-sdk/client-dynamodb";

// cli/src/checkpoint.ts
import { readFileSync, renameSync, writeFileSync } from "node:fs";
function freshCheckpoint(table, totalSegments) {
  return { table, segments: Array.from({ length: totalSegments }, () => ({ done: false, copied: 0 })) };
}
function loadCheckpoint(path, table, totalSegments) {
  let text;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    if (err.code === "ENOENT") return void 0;
    throw new CheckpointError(`checkpoint ${path}: cannot read (${err.message})`, { cause: err });
  }
  let file;
  try {
    file = JSON.parse(text);
  } catch (err) {
    throw new CheckpointError(`checkpoint ${path}: not valid JSON; delete it to start over`, { cause: err });
  }
  if (file?.version !== 1 || !Array.isArray(file.segments) || file.segments.length !== file.totalSegments) {
    throw new CheckpointError(`checkpoint ${path}: not a ddbsync backfill checkpoint`);
  }
  if (file.table !== table) {
    throw new CheckpointError(`checkpoint ${path} is for table "${file.table}", not "${table}"`);
  }
  if (file.totalSegments !== totalSegments) {
    throw new CheckpointError(
      `checkpoint ${path} was made with --segments ${file.totalSegments}; rerun with that value (or delete it to start over)`
    );
  }
  return {
    table,
    segments: file.segments.map((s) => ({
      done: s.done,
      copied: s.copied,
      ...s.lastEvaluatedKey ? { lastEvaluatedKey: toSdkItem(s.lastEvaluatedKey, "lastEvaluatedKey") } : {}
    }))
  };
}
function saveCheckpoint(path, checkpoint) {
  const file = {
    version: 1,
    table: checkpoint.table,
    totalSegments: checkpoint.segments.length,
    segments: checkpoint.segments.map((s) => ({
      done: s.done,
      copied: s.copied,
      ...s.lastEvaluatedKey ? { lastEvaluatedKey: toEventImage(s.lastEvaluatedKey) } : {}
    })),
    updatedAt: (/* @__PURE__ */ new Date()).toISOString()
  };
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(file, null, 2)}
`);
  renameSync(tmp, path);
}

// cli/src/token-bucket.ts
var TokenBucket = class {
  constructor(rate2, now = Date.now, sleep2 = sleep) {
    this.rate = rate2;
    this.now = now;
    this.sleep = sleep2;
    this.last = now();
  }
  rate;
  now;
  sleep;
  tokens = 0;
  last;
  queue = Promise.resolve();
  /** Resolves when `count` items may go; callers are served in order. */
  take(count) {
    const rate2 = this.rate;
    if (rate2 === void 0) return Promise.resolve();
    const turn = this.queue.then(async () => {
      const t = this.now();
      this.tokens = Math.min(rate2, this.tokens + (t - this.last) / 1e3 * rate2);
      this.last = t;
      this.tokens -= count;
      if (this.tokens < 0) await this.sleep(-this.tokens / rate2 * 1e3);
    });
    this.queue = turn;
    return turn;
  }
};

// cli/src/backfill.ts
async function backfill(options) {
  const now = options.now ?? Date.now;
  const started = now();
  for (const name of options.keyNames) {
    if (options.exclude.has(name)) {
      throw new UsageError(`--exclude-attributes names "${name}", which is part of the table's key`);
    }
  }
  const loaded = options.checkpointPath && !options.dryRun ? loadCheckpoint(options.checkpointPath, options.tableName, options.segments) : void 0;
  const checkpoint = loaded ?? freshCheckpoint(options.tableName, options.segments);
  const bucket = new TokenBucket(options.rate, now);
  const readBucket = new TokenBucket(options.readCapacity, now);
  const writeBucket = new TokenBucket(options.writeCapacity, now);
  let scanned = 0;
  let written = 0;
  let copiedTotal = checkpoint.segments.reduce((n, s) => n + s.copied, 0);
  let saving = Promise.resolve();
  const persist = () => {
    const path = options.checkpointPath;
    if (!path || options.dryRun) return Promise.resolve();
    saving = saving.then(() => saveCheckpoint(path, checkpoint));
    return saving;
  };
  const runSegment = async (segment, progress) => {
    while (!progress.done && !options.signal?.aborted) {
      const page = await options.source.send(
        new ScanCommand({
          TableName: options.tableName,
          Segment: segment,
          TotalSegments: options.segments,
          Limit: options.pageSize,
          ...progress.lastEvaluatedKey ? { ExclusiveStartKey: progress.lastEvaluatedKey } : {}
        })
      );
      const items = page.Items ?? [];
      scanned += items.length;
      if (items.length > 0) {
        await bucket.take(items.length);
        if (options.readCapacity !== void 0) await readBucket.take(readUnits(items));
        if (options.writeCapacity !== void 0) {
          await writeBucket.take(writeUnits(items.map((i) => withoutExcluded(i, options.exclude))));
        }
        await options.beforePageWrite?.(items);
        if (!options.dryRun) await writePage(options, items, now);
      }
      if (!options.dryRun) written += items.length;
      copiedTotal += items.length;
      progress.copied += items.length;
      if (page.LastEvaluatedKey) progress.lastEvaluatedKey = page.LastEvaluatedKey;
      else {
        progress.done = true;
        delete progress.lastEvaluatedKey;
      }
      await persist();
      options.onProgress?.(copiedTotal);
    }
  };
  const results = await Promise.allSettled(checkpoint.segments.map((p, i) => runSegment(i, p)));
  await saving;
  const failure = results.find((r) => r.status === "rejected");
  if (failure) throw failure.reason;
  return {
    scanned,
    written,
    copiedTotal,
    seconds: (now() - started) / 1e3,
    interrupted: checkpoint.segments.some((s) => !s.done),
    resumed: loaded !== void 0
  };
}
async function writePage(options, items, now) {
  const entries = items.map(
    (item) => writeEntry(
      { PutRequest: { Item: toEventImage(withoutExcluded(item, options.exclude)) } },
      toEventImage(pickKey(item, options.keyNames))
    )
  );
  const deadline = now() + options.writeTimeoutMs;
  const results = await Promise.all(
    options.writers.map((w) => w.write(entries, { deadline, concurrency: options.concurrency, now }))
  );
  results.forEach((result, t) => {
    if (result.failed.size === 0) return;
    const first = result.failed.values().next().value;
    throw new WriteFailedError(
      `${result.failed.size} of ${entries.length} items of a page could not be written to ${options.writers[t].id}: ${first.message}`,
      { cause: first }
    );
  });
}
function readUnits(items) {
  const bytes = items.reduce((n, item) => n + itemSize(item), 0);
  return Math.ceil(bytes / 4096) * 0.5;
}
function writeUnits(items) {
  return items.reduce((n, item) => n + Math.max(1, Math.ceil(itemSize(item) / 1024)), 0);
}
function withoutExcluded(item, exclude) {
  if (exclude.size === 0) return item;
  const out = {};
  for (const [name, value] of Object.entries(item)) if (!exclude.has(name)) out[name] = value;
  return out;
}

// cli/src/option-parsers.ts
import { InvalidArgumentError } from "commander";
function integerIn(min, max) {
  return (value) => {
    const n = value.trim() === "" ? Number.NaN : Number(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`must be a whole number from ${min} to ${max}`);
    }
    return n;
  };
}
function positiveNumber(value) {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError("must be a number above 0");
  return n;
}
function fraction(value) {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 1) {
    throw new InvalidArgumentError("must be a fraction above 0 and at most 1, like 0.1");
  }
  return n;
}
function nameList(value) {
  const names = value.split(",").map((s) => s.trim());
  if (names.some((n) => n === ""))
    throw new InvalidArgumentError('must be a comma-separated list like "ssn,email"');
  return new Set(names);
}

// cli/src/progress.ts
import cliProgress from "cli-progress";
function createProgress(label, total, out, intervalMs, now = Date.now) {
  const started = now();
  if (out.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream: out,
        format: `${label} [{bar}] {percentage}% | {value}/{total} items | {speed} items/s | ETA {eta_formatted}`,
        etaBuffer: 50,
        hideCursor: true
      },
      cliProgress.Presets.shades_classic
    );
    bar.start(Math.max(total, 1), 0, { speed: 0 });
    return {
      update: (done) => {
        if (done > bar.getTotal()) bar.setTotal(done);
        bar.update(done, { speed: Math.round(rate(done, started, now())) });
      },
      stop: () => bar.stop()
    };
  }
  let lastLine = started;
  let latest = 0;
  const line = () => {
    const t = now();
    const r = rate(latest, started, t);
    const pct = total > 0 ? ` (${Math.min(100, Math.floor(latest / total * 100))}%)` : "";
    const eta = r > 0 && total > latest ? `, ETA ${Math.ceil((total - latest) / r)}s` : "";
    out.write(`${label}: ${latest}/${total} items${pct}, ${Math.round(r)} items/s${eta}
`);
    lastLine = t;
  };
  return {
    update: (done) => {
      latest = done;
      if (now() - lastLine >= intervalMs) line();
    },
    stop: () => {
    }
  };
}
function rate(done, started, t) {
  const seconds = (t - started) / 1e3;
  return seconds > 0 ? done / seconds : 0;
}

// cli/src/targets-input.ts
import { readFileSync as readFileSync2 } from "node:fs";
function readTargets(inline, file, defaultRegion) {
  if (inline !== void 0 && file !== void 0) {
    throw new UsageError("give either --targets or --targets-file, not both");
  }
  if (inline === void 0 && file === void 0) {
    throw new UsageError(
      `no targets: give --targets '[{"tableName":"...","region":"..."}]' or --targets-file`
    );
  }
  let raw = inline;
  let where = "--targets";
  if (file !== void 0) {
    where = `--targets-file ${file}`;
    try {
      raw = readFileSync2(file, "utf8");
    } catch (err) {
      throw new UsageError(`${where}: cannot read the file (${err.code ?? err})`, {
        cause: err
      });
    }
  }
  try {
    return parseTargets(unwrapTerraformOutput(raw), defaultRegion);
  } catch (err) {
    if (err instanceof ConfigError) {
      throw new UsageError(`${where}: ${err.message.replace(/^REPLICATION_TARGETS/, "targets")}`, {
        cause: err
      });
    }
    throw err;
  }
}
function unwrapTerraformOutput(raw) {
  let value;
  try {
    value = JSON.parse(raw);
  } catch {
    return raw;
  }
  for (let depth = 0; depth < 4; depth++) {
    if (typeof value === "string") {
      try {
        value = JSON.parse(value);
        continue;
      } catch {
        return raw;
      }
    }
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      const obj = value;
      if ("replication_targets_json" in obj) {
        value = obj.replication_targets_json;
        continue;
      }
      if ("value" in obj && ("type" in obj || "sensitive" in obj)) {
        value = obj.value;
        continue;
      }
    }
    break;
  }
  return JSON.stringify(value);
}

// cli/src/commands/shared.ts
function addTableOptions(command) {
  return command.requiredOption("--source-table <name>", "the replicated (source) table").option("--source-region <region>", "region of the source table (default: --region / AWS_REGION)").option(
    "--source-role-arn <arn>",
    "role to assume to read the source table (default: your own credentials)"
  ).option(
    "--targets <json>",
    `the targets as the function's REPLICATION_TARGETS: '[{"tableName":"t","region":"eu-west-1","roleArn":"arn:..."}]'`
  ).option(
    "--targets-file <file>",
    "a file holding that JSON, or `terraform output -json replication_targets_json` / `terraform output -json`"
  ).option(
    "--exclude-attributes <names>",
    "attributes the function does not copy (its EXCLUDE_ATTRIBUTES), comma-separated",
    nameList
  );
}
function resolveTables(opts, global, io, command) {
  const ctx = awsContext(global, io, command);
  const targets = readTargets(opts.targets, opts.targetsFile, ctx.region);
  const source = {
    tableName: opts.sourceTable,
    region: opts.sourceRegion ?? ctx.region,
    ...opts.sourceRoleArn ? { roleArn: opts.sourceRoleArn } : {}
  };
  for (const t of targets) {
    if (t.tableName === source.tableName && t.region === source.region && t.roleArn === source.roleArn) {
      throw new UsageError(`target ${t.tableName}@${t.region} is the source table itself`);
    }
  }
  return { ctx, source, targets };
}
function globals(command) {
  return command.optsWithGlobals();
}

// cli/src/commands/backfill.ts
function backfillCommand(io, exit) {
  const command = new Command("backfill").description(
    "Copy every item of the source table into the targets (the stream only carries changes made after it was turned on). Turn replication on first, then backfill, then run `ddbsync verify --repair`."
  );
  addTableOptions(command).option(
    "--segments <n>",
    "parallel Scan segments, each read and written by its own worker",
    integerIn(1, 64),
    4
  ).option("--rate <items>", "most items per second read and written (default: no limit)", positiveNumber).option(
    "--read-capacity <units>",
    "most read capacity units per second taken from the source (computed from the items' sizes; default: no limit)",
    positiveNumber
  ).option(
    "--write-capacity <units>",
    "most write capacity units per second put on each target (1 per started KB of each item; default: no limit)",
    positiveNumber
  ).option(
    "--page-size <n>",
    "items per Scan page: the unit of rate limiting and checkpoints",
    integerIn(1, 1e3),
    250
  ).option(
    "--concurrency <n>",
    "BatchWriteItem requests in flight per target and segment",
    integerIn(1, 32),
    4
  ).option("--checkpoint <file>", "save progress here after every page; rerun with the same file to resume").option("--dry-run", "scan and count the items, write nothing").option(
    "--progress-interval <seconds>",
    "seconds between progress lines when not on a terminal",
    positiveNumber,
    10
  ).option(
    "--write-timeout <seconds>",
    "how long one page may retry throttled writes before the run stops",
    positiveNumber,
    300
  ).addHelpText(
    "after",
    `
Examples:
  terraform output -json replication_targets_json > targets.json
  ddbsync backfill --source-table orders --targets-file targets.json --segments 8 --rate 2000 --checkpoint orders.ckpt
  ddbsync backfill --source-table orders --targets '[{"tableName":"orders","region":"eu-west-1"}]' --dry-run
  ddbsync backfill --source-table orders --targets-file targets.json --read-capacity 500 --write-capacity 1000
  ddbsync backfill --source-table orders --source-region us-east-1     --source-role-arn arn:aws:iam::111111111111:role/orders-reader --targets-file targets.json     --exclude-attributes ssn,email --page-size 500 --concurrency 8 --progress-interval 30 --write-timeout 600

Exit codes: 0 copied (or counted), 2 error, 130 interrupted (resume with the same --checkpoint).`
  ).action(async (flags, cmd) => {
    const { ctx, source, targets } = resolveTables(flags, globals(cmd), io, "backfill");
    const sourceClient = tableClient(ctx, source);
    const info = await describeTable(sourceClient, source.tableName, "source");
    for (const t of targets)
      await describeTable(tableClient(ctx, t), t.tableName, `target ${targetId(t)}:`);
    const writers = createTargetWriters(targets, ctx.clientOptions);
    const label = flags.dryRun ? "dry run" : "backfill";
    const progress = createProgress(label, info.itemCount, io.stdout, flags.progressInterval * 1e3);
    let result;
    try {
      result = await backfill({
        source: sourceClient,
        tableName: source.tableName,
        keyNames: info.keyNames,
        writers,
        segments: flags.segments,
        pageSize: flags.pageSize,
        concurrency: flags.concurrency,
        ...flags.rate ? { rate: flags.rate } : {},
        ...flags.readCapacity ? { readCapacity: flags.readCapacity } : {},
        ...flags.writeCapacity ? { writeCapacity: flags.writeCapacity } : {},
        dryRun: flags.dryRun === true,
        exclude: flags.excludeAttributes ?? /* @__PURE__ */ new Set(),
        ...flags.checkpoint ? { checkpointPath: flags.checkpoint } : {},
        ...io.signal ? { signal: io.signal } : {},
        writeTimeoutMs: flags.writeTimeout * 1e3,
        onProgress: (n) => progress.update(n),
        ...io.hooks?.beforePageWrite ? { beforePageWrite: io.hooks.beforePageWrite } : {}
      });
    } finally {
      progress.stop();
    }
    const rate2 = result.seconds > 0 ? Math.round(result.scanned / result.seconds) : result.scanned;
    const where = `${targets.length} target${targets.length === 1 ? "" : "s"}`;
    if (flags.dryRun) {
      io.stdout.write(
        `dry run: ${result.scanned} items in ${source.tableName} would be copied to ${where}; nothing was written (${result.seconds.toFixed(1)} s, ${rate2} items/s)
`
      );
      return;
    }
    if (result.interrupted) {
      io.stderr.write(
        `backfill interrupted: ${result.copiedTotal} items copied so far${flags.checkpoint ? `; rerun the same command (same --checkpoint ${flags.checkpoint}) to resume` : "; without --checkpoint a rerun starts over"}
`
      );
      exit(EXIT.interrupted);
      return;
    }
    io.stdout.write(
      `backfill complete: ${result.written} items written to ${where} in ${result.seconds.toFixed(1)} s (${rate2} items/s)${result.resumed ? `, resumed from ${flags.checkpoint} (${result.copiedTotal} items in all runs)` : ""}
next: ddbsync verify --source-table ${source.tableName} --repair ... so changes made during the backfill converge
`
    );
  });
  return command;
}

// cli/src/commands/redrive.ts
import { DynamoDBStreamsClient } from "@aws-sdk/client-dynamodb-streams";
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SQSClient
} from "@aws-sdk/client-sqs";
import { Command as Command2 } from "commander";

// cli/src/dlq-message.ts
var NotAStreamFailureRecord = class extends CliError {
  name = "NotAStreamFailureRecord";
};
function parseOnFailureRecord(body) {
  let parsed;
  try {
    parsed = JSON.parse(body ?? "");
  } catch (err) {
    throw new NotAStreamFailureRecord("the message body is not JSON", { cause: err });
  }
  const info = parsed?.DDBStreamBatchInfo;
  if (!info || typeof info !== "object") {
    throw new NotAStreamFailureRecord(
      "the message has no DDBStreamBatchInfo (not a DynamoDB stream on-failure record)"
    );
  }
  for (const field of ["shardId", "startSequenceNumber", "endSequenceNumber", "streamArn"]) {
    if (typeof info[field] !== "string" || info[field] === "") {
      throw new NotAStreamFailureRecord(`DDBStreamBatchInfo.${field} is missing`);
    }
  }
  return info;
}
function streamRegion(streamArn) {
  const region = streamArn.split(":")[3];
  if (!region) throw new NotAStreamFailureRecord(`"${streamArn}" is not a stream ARN`);
  return region;
}

// cli/src/stream-reader.ts
import {
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand
} from "@aws-sdk/client-dynamodb-streams";
var StreamTrimmedError = class extends CliError {
  constructor(shardId, cause) {
    super(`${cause.name}: ${cause.message.split("\n")[0]}`, { cause });
    this.shardId = shardId;
  }
  shardId;
  name = "StreamTrimmedError";
};
async function listShards(streams, streamArn) {
  const shards = [];
  let start;
  do {
    const out = await streams.send(
      new DescribeStreamCommand({ StreamArn: streamArn, ...start ? { ExclusiveStartShardId: start } : {} })
    );
    shards.push(...out.StreamDescription?.Shards ?? []);
    start = out.StreamDescription?.LastEvaluatedShardId;
  } while (start);
  return shards;
}
function descendantShards(shards, shardId) {
  const out = [];
  const queue = [shardId];
  for (let parent = queue.shift(); parent !== void 0; parent = queue.shift()) {
    for (const s of shards) {
      if (s.ParentShardId === parent && s.ShardId) {
        out.push(s);
        queue.push(s.ShardId);
      }
    }
  }
  return out;
}
function isTrimmed(err) {
  return err?.name === "TrimmedDataAccessException";
}
var ShardCursor = class _ShardCursor {
  constructor(streams, streamArn, shardId, start, iterator) {
    this.streams = streams;
    this.streamArn = streamArn;
    this.shardId = shardId;
    this.start = start;
    this.iterator = iterator;
  }
  streams;
  streamArn;
  shardId;
  start;
  iterator;
  lastRead;
  /** Gets the shard iterator now: a LATEST cursor reads only what is written after this call. */
  static async open(streams, streamArn, shardId, position) {
    const iterator = await iteratorAt(streams, streamArn, shardId, position);
    return new _ShardCursor(streams, streamArn, shardId, position, iterator);
  }
  /** True once the shard is closed and read to its end: no record will come any more. */
  get closed() {
    return this.iterator === void 0;
  }
  /** The sequence number of the last record read, if any. */
  get lastSequenceNumber() {
    return this.lastRead;
  }
  /**
   * One GetRecords of at most `limit` records. An open shard may answer an empty page before
   * later records; a closed one answers without a next iterator at its end (then `closed`).
   */
  async read(limit = 1e3) {
    if (this.iterator === void 0) return [];
    let out;
    try {
      out = await getRecords(this.streams, this.shardId, this.iterator, limit);
    } catch (err) {
      if (err?.name !== "ExpiredIteratorException") throw err;
      const position = this.lastRead ? { type: "AFTER_SEQUENCE_NUMBER", sequenceNumber: this.lastRead } : this.start;
      this.iterator = await iteratorAt(this.streams, this.streamArn, this.shardId, position);
      if (this.iterator === void 0) return [];
      out = await getRecords(this.streams, this.shardId, this.iterator, limit);
    }
    this.iterator = out.NextShardIterator;
    const records = out.Records ?? [];
    const last = records.at(-1)?.dynamodb?.SequenceNumber;
    if (last) this.lastRead = last;
    return records;
  }
};
async function iteratorAt(streams, streamArn, shardId, position) {
  try {
    const out = await streams.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shardId,
        ShardIteratorType: position.type,
        ..."sequenceNumber" in position ? { SequenceNumber: position.sequenceNumber } : {}
      })
    );
    return out.ShardIterator;
  } catch (err) {
    if (isTrimmed(err)) throw new StreamTrimmedError(shardId, err);
    throw err;
  }
}
async function getRecords(streams, shardId, iterator, limit) {
  try {
    return await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: limit }));
  } catch (err) {
    if (isTrimmed(err)) throw new StreamTrimmedError(shardId, err);
    throw err;
  }
}
async function readToEnd(cursor, options) {
  let empty = 0;
  while (!cursor.closed) {
    const page = await cursor.read(options.limit);
    if (page.length > 0) {
      empty = 0;
      await options.onPage(page);
    } else if (++empty >= options.emptyReadsAtEnd) break;
  }
  return cursor.closed;
}

// cli/src/redrive.ts
var RangeUnreadableError = class extends CliError {
  name = "RangeUnreadableError";
};
var EMPTY_READS_AT_END = 5;
function keyOf(r) {
  return keyString(r.dynamodb?.Keys ?? {});
}
async function readRange(streams, info) {
  const batch = [];
  const later = [];
  const keys = /* @__PURE__ */ new Set();
  const take = (r) => {
    const seq = r.dynamodb?.SequenceNumber ?? "";
    if (compareSequenceNumbers(seq, info.endSequenceNumber) <= 0) {
      batch.push(r);
      keys.add(keyOf(r));
    } else if (keys.has(keyOf(r))) later.push(r);
  };
  let closed;
  try {
    const cursor = await ShardCursor.open(streams, info.streamArn, info.shardId, {
      type: "AT_SEQUENCE_NUMBER",
      sequenceNumber: info.startSequenceNumber
    });
    closed = await readToEnd(cursor, {
      emptyReadsAtEnd: EMPTY_READS_AT_END,
      onPage: (page) => page.forEach(take)
    });
  } catch (err) {
    if (err instanceof StreamTrimmedError) throw new RangeUnreadableError(err.message, { cause: err });
    if (err.name === "ResourceNotFoundException") {
      throw new RangeUnreadableError(`${err.name}: ${err.message.split("\n")[0]}`, {
        cause: err
      });
    }
    throw err;
  }
  const first = batch[0]?.dynamodb?.SequenceNumber;
  if (first !== info.startSequenceNumber) {
    throw new RangeUnreadableError(
      first === void 0 ? `the stream returned none of the records from ${info.startSequenceNumber} on` : `the stream's first record from there is ${first}, after the batch's first record ${info.startSequenceNumber}: trimmed`
    );
  }
  const last = batch.at(-1)?.dynamodb?.SequenceNumber;
  if (last !== info.endSequenceNumber) {
    throw new RangeUnreadableError(
      `the stream's records end at ${last}, before the batch's last record ${info.endSequenceNumber}`
    );
  }
  if (closed) {
    for (const child of descendantShards(await listShards(streams, info.streamArn), info.shardId)) {
      const cursor = await ShardCursor.open(streams, info.streamArn, child.ShardId, {
        type: "TRIM_HORIZON"
      });
      await readToEnd(cursor, {
        emptyReadsAtEnd: EMPTY_READS_AT_END,
        onPage: (page) => {
          for (const r of page) if (keys.has(keyOf(r))) later.push(r);
        }
      });
    }
  }
  return { batch, later };
}
async function redriveBatch(streams, info, config, writers, timeoutMs) {
  const { batch, later: newer } = await readRange(streams, info);
  const records = [...batch, ...newer].map((r) => toLambdaRecord(r, info.streamArn));
  const outcome = await replicateBatch(records, config, writers, { deadline: Date.now() + timeoutMs });
  return {
    records: batch.length,
    newerChanges: newer.length,
    itemsPut: outcome.itemsPut,
    itemsDeleted: outcome.itemsDeleted,
    failures: [
      ...outcome.recordFailures.map((f) => `record ${f.sequenceNumber}: ${f.error.message}`),
      ...outcome.targetFailures.map((f) => `${f.target}: ${f.failedItems} items failed: ${f.firstError}`)
    ]
  };
}

// cli/src/commands/redrive.ts
function redriveCommand(io, exit) {
  return new Command2("redrive").description(
    "Apply again the batches the event source mapping gave up on: for each on-failure record in the dead-letter queue, re-read its range of the stream, write it to the targets, then delete the message."
  ).requiredOption(
    "--queue-url <url>",
    "the replicator's dead-letter (on-failure) SQS queue: its URL, or its ARN as `ddbsync status` shows it"
  ).option("--targets <json>", "the function's REPLICATION_TARGETS JSON").option(
    "--targets-file <file>",
    "a file holding it, or `terraform output -json replication_targets_json`"
  ).option("--exclude-attributes <names>", "the function's EXCLUDE_ATTRIBUTES, comma-separated", nameList).option("--skip-ttl-deletes", "the function's SKIP_TTL_DELETES=true: do not apply deletes made by TTL").option("--max-messages <n>", "redrive at most this many messages", integerIn(1, 1e5), 1e3).option("--write-timeout <seconds>", "how long the writes of one batch may retry", positiveNumber, 120).addHelpText(
    "after",
    `
Examples:
  terraform output -json replication_targets_json > targets.json
  ddbsync redrive --queue-url https://sqs.eu-west-1.amazonaws.com/123456789012/orders-replicator-dlq --targets-file targets.json
  ddbsync redrive --queue-url arn:aws:sqs:eu-west-1:123456789012:orders-replicator-dlq     --targets '[{"tableName":"orders","region":"us-east-1","roleArn":"arn:aws:iam::222222222222:role/orders-writer"}]'     --exclude-attributes ssn,email --skip-ttl-deletes --max-messages 10 --write-timeout 60

Each batch is applied with the later changes to the same items that the stream holds, so an
item ends in its newest state (a redrive never rolls an item back to the failed batch's value).

A batch older than the stream's 24-hour retention cannot be re-read: the message is kept and
\`ddbsync verify --repair\` brings the targets in line instead.
Exit codes: 0 every message redriven (or none waiting), 1 some messages kept, 2 error.`
  ).action(async (flags, cmd) => {
    const ctx = awsContext(globals(cmd), io, "redrive");
    const targets = readTargets(flags.targets, flags.targetsFile, ctx.region);
    const writers = createTargetWriters(targets, ctx.clientOptions);
    const config = {
      excludeAttributes: flags.excludeAttributes ?? /* @__PURE__ */ new Set(),
      skipTtlDeletes: flags.skipTtlDeletes === true,
      maxConcurrency: 8
    };
    const sqs = new SQSClient({ region: queueRegion(flags.queueUrl) ?? ctx.region });
    const queueUrl = await resolveQueueUrl(sqs, flags.queueUrl);
    const streamClients = /* @__PURE__ */ new Map();
    const kept = [];
    let redriven = 0;
    let handled = 0;
    try {
      while (handled < flags.maxMessages) {
        const out = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: Math.min(10, flags.maxMessages - handled),
            WaitTimeSeconds: 1,
            // Hidden from other consumers for as long as the ten may take, so none is
            // handled twice and every receipt handle is still valid at delete time.
            VisibilityTimeout: Math.min(43200, Math.ceil(10 * (flags.writeTimeout + 60)))
          })
        );
        const messages = out.Messages ?? [];
        if (messages.length === 0) break;
        for (const message of messages) {
          handled++;
          const label = `message ${message.MessageId}`;
          let info;
          try {
            info = parseOnFailureRecord(message.Body);
          } catch (err) {
            if (!(err instanceof NotAStreamFailureRecord)) throw err;
            io.stderr.write(`${label}: kept: ${err.message}
`);
            kept.push(message);
            continue;
          }
          const range2 = `${info.shardId} ${info.startSequenceNumber}..${info.endSequenceNumber}`;
          const region = streamRegion(info.streamArn);
          let streams = streamClients.get(region);
          if (!streams) {
            streams = new DynamoDBStreamsClient({ region, maxAttempts: 3 });
            streamClients.set(region, streams);
          }
          try {
            const result = await redriveBatch(streams, info, config, writers, flags.writeTimeout * 1e3);
            if (result.failures.length > 0) {
              io.stderr.write(`${label} (${range2}): kept: ${result.failures.join("; ")}
`);
              kept.push(message);
              continue;
            }
            await sqs.send(
              new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle })
            );
            redriven++;
            io.stdout.write(
              `${label} (${range2}): redriven: ${result.records} records${result.newerChanges > 0 ? ` (+${result.newerChanges} later changes to the same items, so the newest state wins)` : ""}, ${result.itemsPut} puts, ${result.itemsDeleted} deletes; message deleted
`
            );
          } catch (err) {
            if (!(err instanceof RangeUnreadableError)) throw err;
            io.stderr.write(
              `${label} (${range2}): kept: these records are no longer in the stream (${err.message}). A stream keeps records for 24 hours, so this batch cannot be replayed; run \`ddbsync verify --source-table <table> --targets-file <targets> --repair\` to bring the targets in line, then delete the message.
`
            );
            kept.push(message);
          }
        }
      }
    } finally {
      for (const m of kept) {
        await sqs.send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: queueUrl,
            ReceiptHandle: m.ReceiptHandle,
            VisibilityTimeout: 0
          })
        ).catch(() => void 0);
      }
    }
    io.stdout.write(`redrive: ${redriven} redriven, ${kept.length} kept in the queue
`);
    if (kept.length > 0) exit(EXIT.differences);
  });
}
function queueRegion(queue) {
  if (queue.startsWith("arn:")) return queue.split(":")[3] || void 0;
  return /sqs[.-]([a-z0-9-]+)\.amazonaws\.com/.exec(queue)?.[1];
}
async function resolveQueueUrl(sqs, queue) {
  if (!queue.startsWith("arn:")) return queue;
  const [, , service, , account, name] = queue.split(":");
  if (service !== "sqs" || !account || !name)
    throw new UsageError(`--queue-url: "${queue}" is not an SQS queue ARN`);
  try {
    const out = await sqs.send(new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: account }));
    return out.QueueUrl;
  } catch (err) {
    if (err.name.includes("NonExistentQueue") || err.name === "QueueDoesNotExist") {
      throw new ResourceError(`dead-letter queue ${queue} does not exist`, { cause: err });
    }
    throw err;
  }
}

// cli/src/commands/status.ts
import { fromTemporaryCredentials } from "@aws-sdk/credential-providers";
import { Command as Command3 } from "commander";

// cli/src/status.ts
import { CloudWatchClient, GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import {
  GetFunctionConfigurationCommand,
  LambdaClient,
  paginateListEventSourceMappings
} from "@aws-sdk/client-lambda";
import { GetQueueAttributesCommand, GetQueueUrlCommand as GetQueueUrlCommand2, SQSClient as SQSClient2 } from "@aws-sdk/client-sqs";
async function replicatorStatus(options) {
  const region = /^arn:aws[a-z-]*:lambda:([a-z0-9-]+):/.exec(options.functionName)?.[1] ?? options.region;
  const clientConfig = {
    region,
    maxAttempts: 3,
    ...options.credentials ? { credentials: options.credentials } : {}
  };
  const lambda = new LambdaClient(clientConfig);
  const fn = await functionConfig(lambda, options.functionName, region);
  const env = fn.Environment?.Variables ?? {};
  let targets = [];
  let targetsProblem;
  try {
    targets = parseTargets(env.REPLICATION_TARGETS, region).map(targetId);
  } catch (err) {
    targetsProblem = err.message;
  }
  const raw = [];
  for await (const page of paginateListEventSourceMappings(
    { client: lambda },
    { FunctionName: fn.FunctionName ?? options.functionName }
  )) {
    raw.push(...page.EventSourceMappings ?? []);
  }
  const sqs = new SQSClient2(clientConfig);
  const mappings = await Promise.all(raw.map((m) => mappingStatus(m, sqs)));
  const metrics = await metricsStatus(
    new CloudWatchClient(clientConfig),
    // The metrics' FunctionName dimension is the name, also when an ARN was given.
    fn.FunctionName ?? options.functionName,
    env.POWERTOOLS_METRICS_NAMESPACE ?? "ddbsync",
    env.POWERTOOLS_SERVICE_NAME ?? "ddbsync",
    options.windowMinutes,
    (options.now ?? Date.now)()
  );
  const status = {
    function: {
      name: fn.FunctionName ?? options.functionName,
      ...fn.FunctionArn ? { arn: fn.FunctionArn } : {},
      region,
      ...fn.Runtime ? { runtime: fn.Runtime } : {},
      ...fn.LastModified ? { lastModified: fn.LastModified } : {},
      ...fn.State ? { state: fn.State } : {},
      ...fn.LastUpdateStatus ? { lastUpdateStatus: fn.LastUpdateStatus } : {},
      targets,
      ...targetsProblem ? { targetsProblem } : {}
    },
    mappings,
    metrics
  };
  return { ...status, attention: attention(status) };
}
async function functionConfig(lambda, name, region) {
  try {
    return await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
  } catch (err) {
    const code = err.name;
    if (code === "ResourceNotFoundException") {
      throw new ResourceError(`function "${name}" does not exist in ${region}`, { cause: err });
    }
    if (code === "AccessDeniedException" || code === "UnrecognizedClientException") {
      throw new ResourceError(
        `function "${name}": access denied (${err.message.split("\n")[0]})`,
        {
          cause: err
        }
      );
    }
    throw err;
  }
}
async function mappingStatus(m, sqs) {
  const destination = m.DestinationConfig?.OnFailure?.Destination;
  return {
    uuid: m.UUID ?? "?",
    ...m.EventSourceArn ? { eventSourceArn: m.EventSourceArn } : {},
    ...m.State ? { state: m.State } : {},
    ...m.StateTransitionReason ? { stateTransitionReason: m.StateTransitionReason } : {},
    ...m.LastProcessingResult ? { lastProcessingResult: m.LastProcessingResult } : {},
    ...m.BatchSize !== void 0 ? { batchSize: m.BatchSize } : {},
    ...m.StartingPosition ? { startingPosition: m.StartingPosition } : {},
    ...m.MaximumRetryAttempts !== void 0 ? { maximumRetryAttempts: m.MaximumRetryAttempts } : {},
    ...m.BisectBatchOnFunctionError !== void 0 ? { bisectBatchOnFunctionError: m.BisectBatchOnFunctionError } : {},
    reportBatchItemFailures: (m.FunctionResponseTypes ?? []).includes("ReportBatchItemFailures"),
    ...destination ? { onFailureDestination: destination } : {},
    ...destination?.startsWith("arn:aws:sqs:") ? { deadLetterQueue: await queueDepth(sqs, destination) } : {}
  };
}
async function queueDepth(sqs, arn) {
  const [, , , , account, name] = arn.split(":");
  try {
    const { QueueUrl } = await sqs.send(
      new GetQueueUrlCommand2({ QueueName: name, QueueOwnerAWSAccountId: account })
    );
    const out = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl,
        AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
      })
    );
    return {
      ...QueueUrl ? { url: QueueUrl } : {},
      messages: Number(out.Attributes?.ApproximateNumberOfMessages ?? 0),
      inFlight: Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
    };
  } catch (err) {
    return { problem: `${err.name}: ${err.message.split("\n")[0]}` };
  }
}
async function metricsStatus(cloudwatch, functionName, namespace, service, windowMinutes, now) {
  const period = windowMinutes * 60;
  const lambdaMetric = (id, name, stat) => ({
    Id: id,
    MetricStat: {
      Metric: {
        Namespace: "AWS/Lambda",
        MetricName: name,
        Dimensions: [{ Name: "FunctionName", Value: functionName }]
      },
      Period: period,
      Stat: stat
    }
  });
  const ownMetric = (id, name, stat) => ({
    Id: id,
    MetricStat: {
      Metric: { Namespace: namespace, MetricName: name, Dimensions: [{ Name: "service", Value: service }] },
      Period: period,
      Stat: stat
    }
  });
  const queries = [
    lambdaMetric("iteratorAge", "IteratorAge", "Maximum"),
    lambdaMetric("invocations", "Invocations", "Sum"),
    lambdaMetric("errors", "Errors", "Sum"),
    lambdaMetric("throttles", "Throttles", "Sum"),
    ownMetric("failedRecords", "FailedRecords", "Sum"),
    ownMetric("latency", "ReplicationLatency", "Maximum")
  ];
  const values = /* @__PURE__ */ new Map();
  try {
    let token;
    do {
      const out = await cloudwatch.send(
        new GetMetricDataCommand({
          MetricDataQueries: queries,
          StartTime: new Date(now - period * 1e3),
          EndTime: new Date(now),
          ...token ? { NextToken: token } : {}
        })
      );
      for (const r of out.MetricDataResults ?? []) {
        if (r.Id) values.set(r.Id, [...values.get(r.Id) ?? [], ...r.Values ?? []]);
      }
      token = out.NextToken;
    } while (token);
  } catch (err) {
    return { windowMinutes, problem: `${err.name}: ${err.message.split("\n")[0]}` };
  }
  const sum = (id) => (values.get(id) ?? []).reduce((a, b) => a + b, 0);
  const max = (id) => {
    const v = values.get(id) ?? [];
    return v.length > 0 ? Math.max(...v) : void 0;
  };
  const iteratorAge = max("iteratorAge");
  const latency = max("latency");
  return {
    windowMinutes,
    ...iteratorAge !== void 0 ? { iteratorAgeMaxMs: iteratorAge } : {},
    invocations: sum("invocations"),
    errors: sum("errors"),
    throttles: sum("throttles"),
    failedRecords: sum("failedRecords"),
    ...latency !== void 0 ? { replicationLatencyMaxMs: latency } : {}
  };
}
var ITERATOR_AGE_WARNING_MS = 6e4;
function attention(s) {
  const out = [];
  if (s.function.targetsProblem) out.push(`the function's REPLICATION_TARGETS: ${s.function.targetsProblem}`);
  if (s.mappings.length === 0) out.push("the function has no event source mapping: nothing is replicated");
  for (const m of s.mappings) {
    if (m.state && m.state !== "Enabled")
      out.push(`mapping ${m.uuid} is ${m.state}: the stream is not being read`);
    if (m.lastProcessingResult && m.lastProcessingResult !== "OK" && m.lastProcessingResult !== "No records processed") {
      out.push(`mapping ${m.uuid}: last processing result "${m.lastProcessingResult}"`);
    }
    if (!m.onFailureDestination)
      out.push(`mapping ${m.uuid} has no on-failure destination: failed batches are dropped`);
    const q = m.deadLetterQueue;
    if (q?.problem) out.push(`dead-letter queue ${m.onFailureDestination}: ${q.problem}`);
    if (q?.messages) {
      out.push(
        `${q.messages} failed batch${q.messages === 1 ? "" : "es"} in the dead-letter queue: ddbsync redrive --queue-url ${m.onFailureDestination} --targets-file <targets>`
      );
    }
  }
  const mt = s.metrics;
  if (mt.problem) out.push(`metrics: ${mt.problem}`);
  if (mt.iteratorAgeMaxMs !== void 0 && mt.iteratorAgeMaxMs > ITERATOR_AGE_WARNING_MS) {
    out.push(`iterator age reached ${formatMs(mt.iteratorAgeMaxMs)}: the function is behind the stream`);
  }
  if (mt.errors)
    out.push(`${mt.errors} function errors in the last ${mt.windowMinutes} min (see the log group)`);
  if (mt.throttles) out.push(`${mt.throttles} throttled invocations in the last ${mt.windowMinutes} min`);
  if (mt.failedRecords)
    out.push(`${mt.failedRecords} records failed to replicate in the last ${mt.windowMinutes} min`);
  return out;
}
function formatMs(ms) {
  if (ms < 1e3) return `${Math.round(ms)} ms`;
  if (ms < 12e4) return `${(ms / 1e3).toFixed(1)} s`;
  if (ms < 72e5) return `${(ms / 6e4).toFixed(1)} min`;
  return `${(ms / 36e5).toFixed(1)} h`;
}

// cli/src/status-view.ts
function formatStatus(s) {
  const f = s.function;
  const lines = [`replicator ${f.name} (${f.region})`];
  lines.push(
    `  function     ${[f.runtime, f.state, f.lastUpdateStatus && `update ${f.lastUpdateStatus}`].filter(Boolean).join(", ")}${f.lastModified ? `; last modified ${f.lastModified}` : ""}`
  );
  lines.push(
    `  targets      ${f.targetsProblem ? `unreadable: ${f.targetsProblem}` : f.targets.join(", ") || "(none)"}`
  );
  if (s.mappings.length === 0) lines.push("  mapping      none");
  for (const m of s.mappings) {
    lines.push(
      `  mapping      ${m.uuid}: ${m.state ?? "?"}, last result ${m.lastProcessingResult ?? "(none)"}${m.stateTransitionReason ? ` (${m.stateTransitionReason})` : ""}`
    );
    lines.push(`    stream     ${m.eventSourceArn ?? "?"}`);
    lines.push(
      `    settings   batch size ${m.batchSize ?? "?"}, starting position ${m.startingPosition ?? "?"}, retries ${m.maximumRetryAttempts ?? "default"}, bisect ${m.bisectBatchOnFunctionError ? "on" : "off"}, partial batch responses ${m.reportBatchItemFailures ? "on" : "off"}`
    );
    const q = m.deadLetterQueue;
    lines.push(
      `    on failure ${m.onFailureDestination ?? "none (failed batches are dropped)"}` + (q?.problem ? `: ${q.problem}` : q ? `: ${q.messages} message${q.messages === 1 ? "" : "s"} waiting, ${q.inFlight} in flight` : "")
    );
  }
  const mt = s.metrics;
  if (mt.problem) {
    lines.push(`  metrics      unavailable: ${mt.problem}`);
  } else {
    lines.push(
      `  last ${mt.windowMinutes} min  iterator age max ${mt.iteratorAgeMaxMs === void 0 ? "no data" : formatMs(mt.iteratorAgeMaxMs)}, ${mt.invocations} invocations, ${mt.errors} errors, ${mt.throttles} throttles, ${mt.failedRecords} failed records, replication latency max ${mt.replicationLatencyMaxMs === void 0 ? "no data" : formatMs(mt.replicationLatencyMaxMs)}`
    );
  }
  if (s.attention.length === 0) lines.push("status: OK");
  else {
    lines.push("attention:");
    for (const a of s.attention) lines.push(`  - ${a}`);
  }
  return `${lines.join("\n")}
`;
}

// cli/src/commands/status.ts
function statusCommand(io, exit) {
  return new Command3("status").description(
    "Show a deployed replicator on one screen: its stream mapping (state, last result, settings), the dead-letter queue depth, iterator age, errors and throttles from CloudWatch, its targets."
  ).requiredOption(
    "--function <name>",
    "the replicator function: name or ARN (Terraform output function_name)"
  ).option(
    "--role-arn <arn>",
    "role to assume to read the function's account (default: your own credentials)"
  ).option("--external-id <id>", "external id for --role-arn").option("--window <minutes>", "how far back the CloudWatch figures go", integerIn(1, 1440), 60).option("--json", "print the status as JSON instead of text").addHelpText(
    "after",
    `
Examples:
  ddbsync status --function orders-replicator --region us-east-1
  ddbsync status --function orders-replicator --window 15 --json
  ddbsync status --function orders-replicator --role-arn arn:aws:iam::123456789012:role/ops-read --external-id ops

Exit codes: 0 all well, 1 something needs attention (listed: a disabled mapping, failed batches
in the dead-letter queue, errors, a growing iterator age), 2 error.`
  ).action(async (flags, cmd) => {
    const ctx = awsContext(globals(cmd), io, "status");
    const credentials = flags.roleArn ? fromTemporaryCredentials({
      params: {
        RoleArn: flags.roleArn,
        RoleSessionName: sessionName("ddbsync", "status"),
        ...flags.externalId ? { ExternalId: flags.externalId } : {}
      },
      clientConfig: { region: ctx.region }
    }) : void 0;
    const status = await replicatorStatus({
      functionName: flags.function,
      region: ctx.region,
      windowMinutes: flags.window,
      ...credentials ? { credentials } : {}
    });
    io.stdout.write(flags.json ? `${JSON.stringify(status, null, 2)}
` : formatStatus(status));
    if (status.attention.length > 0) exit(EXIT.differences);
  });
}

// cli/src/commands/verify.ts
import { Command as Command4 } from "commander";

// cli/src/table-reads.ts
import { BatchGetItemCommand, ScanCommand as ScanCommand2 } from "@aws-sdk/client-dynamodb";
var TableReader = class {
  constructor(client, tableName, keyNames) {
    this.client = client;
    this.tableName = tableName;
    this.keyNames = keyNames;
    this.sortedKeys = [...keyNames].sort();
  }
  client;
  tableName;
  keyNames;
  sortedKeys;
  keyOf(item) {
    return pickKey(item, this.keyNames);
  }
  id(item) {
    return keyString(pickKey(item, this.keyNames), this.sortedKeys);
  }
  /** Items of the given keys that exist, by id. BatchGetItem in 100s; unprocessed keys retried. */
  async getMany(keys, consistent) {
    const found = /* @__PURE__ */ new Map();
    for (let i = 0; i < keys.length; i += 100) {
      let pending = keys.slice(i, i + 100);
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > 0) await sleep(backoffDelay(attempt, Math.random, 50, 2e3));
        if (attempt > 30)
          throw new Error(`BatchGetItem on ${this.tableName} kept returning unprocessed keys`);
        const out = await this.client.send(
          new BatchGetItemCommand({
            RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: consistent } }
          })
        );
        for (const item of out.Responses?.[this.tableName] ?? []) found.set(this.id(item), item);
        pending = out.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
      }
    }
    return found;
  }
  /** Pages of one Scan segment. */
  async *scanSegment(segment, totalSegments, pageSize) {
    let start;
    do {
      const out = await this.client.send(
        new ScanCommand2({
          TableName: this.tableName,
          Segment: segment,
          TotalSegments: totalSegments,
          Limit: pageSize,
          ...start ? { ExclusiveStartKey: start } : {}
        })
      );
      yield out.Items ?? [];
      start = out.LastEvaluatedKey;
    } while (start);
  }
};

// cli/src/item-equality.ts
function canonicalValue(v) {
  if (v.S !== void 0) return `S:${JSON.stringify(v.S)}`;
  if (v.N !== void 0) return `N:${v.N}`;
  if (v.B !== void 0) return `B:${Buffer.from(v.B).toString("base64")}`;
  if (v.BOOL !== void 0) return `BOOL:${v.BOOL}`;
  if (v.NULL !== void 0) return "NULL";
  if (v.SS !== void 0) return `SS:${JSON.stringify([...v.SS].sort())}`;
  if (v.NS !== void 0) return `NS:${JSON.stringify([...v.NS].sort())}`;
  if (v.BS !== void 0)
    return `BS:${JSON.stringify(v.BS.map((b) => Buffer.from(b).toString("base64")).sort())}`;
  if (v.L !== void 0) return `L:[${v.L.map(canonicalValue).join(",")}]`;
  if (v.M !== void 0) {
    const m = v.M;
    return `M:{${Object.keys(m).sort().map((k) => `${JSON.stringify(k)}=${canonicalValue(m[k])}`).join(",")}}`;
  }
  return `?:${JSON.stringify(v)}`;
}
function differingAttributes(a, b) {
  const names = /* @__PURE__ */ new Set([...Object.keys(a), ...Object.keys(b)]);
  const out = [];
  for (const name of names) {
    const x = a[name];
    const y = b[name];
    if (x === void 0 || y === void 0 || canonicalValue(x) !== canonicalValue(y)) out.push(name);
  }
  return out.sort();
}

// cli/src/verify.ts
function chooseSegments(segments, sample, random) {
  if (sample === void 0 || sample >= 1) return { total: segments, chosen: range(segments) };
  const total = 1e3;
  const count = Math.max(1, Math.round(sample * total));
  const all = range(total);
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [all[i], all[j]] = [all[j], all[i]];
  }
  return { total, chosen: all.slice(0, count).sort((a, b) => a - b) };
}
async function verifyTables(options) {
  const random = options.random ?? Math.random;
  const { total, chosen } = chooseSegments(options.segments, options.sample, random);
  const reports = [];
  for (const target of options.targets) {
    reports.push(await verifyTarget(options, target, total, chosen));
  }
  return reports;
}
var PRESENT_KEYS_KEPT = 2e6;
async function verifyTarget(options, target, total, chosen) {
  const { source, exclude } = options;
  const candidates = /* @__PURE__ */ new Map();
  const presentInSource = /* @__PURE__ */ new Set();
  let sourceItemsChecked = 0;
  let targetItemsChecked = 0;
  await eachSegment(chosen, options.segments, async (segment) => {
    for await (const page of source.scanSegment(segment, total, options.pageSize)) {
      sourceItemsChecked += page.length;
      const copies = await target.reader.getMany(
        page.map((i) => source.keyOf(i)),
        false
      );
      for (const item of page) {
        const copy = copies.get(source.id(item));
        if (!copy || differingAttributes(withoutExcluded(item, exclude), copy).length > 0) {
          candidates.set(source.id(item), source.keyOf(item));
        } else if (presentInSource.size < PRESENT_KEYS_KEPT) {
          presentInSource.add(source.id(item));
        }
      }
    }
  });
  await eachSegment(chosen, options.segments, async (segment) => {
    for await (const page of target.reader.scanSegment(segment, total, options.pageSize)) {
      targetItemsChecked += page.length;
      const unknown = page.filter((i) => !presentInSource.has(source.id(i)));
      const originals = await source.getMany(
        unknown.map((i) => source.keyOf(i)),
        false
      );
      for (const item of unknown) {
        if (!originals.has(source.id(item))) candidates.set(source.id(item), source.keyOf(item));
      }
    }
  });
  await options.beforeRecheck?.(candidates.size);
  if (candidates.size > 0 && options.recheckDelayMs > 0) await sleep(options.recheckDelayMs);
  let differences = await recheck(options, target, [...candidates.values()]);
  const found = { missing: 0, extra: 0, different: 0 };
  for (const d of differences) found[d.kind]++;
  const settledOnRecheck = candidates.size - differences.length;
  const confirmed = differences.length;
  const writeErrors = [];
  if (options.repair) {
    for (let round = 0; round < options.repairRounds && differences.length > 0; round++) {
      await applyRepairs(options, target, differences, writeErrors);
      differences = await recheck(
        options,
        target,
        differences.map((d) => d.key)
      );
    }
  }
  const repaired = options.repair ? confirmed - differences.length : 0;
  return {
    target: target.id,
    sourceItemsChecked,
    targetItemsChecked,
    settledOnRecheck,
    found,
    repaired,
    remaining: differences,
    writeErrors
  };
}
async function recheck(options, target, keys) {
  if (keys.length === 0) return [];
  const [originals, copies] = await Promise.all([
    options.source.getMany(keys, true),
    target.reader.getMany(keys, true)
  ]);
  const out = [];
  for (const key of keys) {
    const id = options.source.id(key);
    const original = originals.get(id);
    const copy = copies.get(id);
    if (original && !copy) {
      out.push({ kind: "missing", key, sourceItem: withoutExcluded(original, options.exclude) });
    } else if (!original && copy) {
      out.push({ kind: "extra", key });
    } else if (original && copy) {
      const wanted = withoutExcluded(original, options.exclude);
      const attributes = differingAttributes(wanted, copy);
      if (attributes.length > 0) out.push({ kind: "different", key, attributes, sourceItem: wanted });
    }
  }
  return out;
}
async function applyRepairs(options, target, differences, writeErrors) {
  const entries = differences.map((d) => {
    const key = toEventImage(d.key);
    return writeEntry(
      d.sourceItem ? { PutRequest: { Item: toEventImage(d.sourceItem) } } : { DeleteRequest: { Key: key } },
      key
    );
  });
  const now = options.now ?? Date.now;
  const result = await target.writer.write(entries, { deadline: now() + 12e4, concurrency: 4, now });
  for (const error of new Set([...result.failed.values()].map((e) => e.message))) {
    if (!writeErrors.includes(error)) writeErrors.push(error);
  }
}
async function eachSegment(segments, parallel, work) {
  let next = 0;
  const worker = async () => {
    while (next < segments.length) await work(segments[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(parallel, segments.length) }, worker));
}
function range(n) {
  return Array.from({ length: n }, (_, i) => i);
}

// cli/src/verify-report.ts
import { writeFileSync as writeFileSync2 } from "node:fs";
function reportJson(sourceTable, sample, repair, reports) {
  return {
    sourceTable,
    checkedAt: (/* @__PURE__ */ new Date()).toISOString(),
    sample: sample ?? 1,
    repair,
    equal: reports.every((r) => r.remaining.length === 0),
    targets: reports.map((r) => ({
      target: r.target,
      sourceItemsChecked: r.sourceItemsChecked,
      targetItemsChecked: r.targetItemsChecked,
      settledOnRecheck: r.settledOnRecheck,
      found: r.found,
      repaired: r.repaired,
      writeErrors: r.writeErrors,
      differences: r.remaining.map((d) => ({
        kind: d.kind,
        key: toEventImage(d.key),
        ...d.attributes ? { attributes: d.attributes } : {}
      }))
    }))
  };
}
function writeReport(path, report) {
  writeFileSync2(path, `${JSON.stringify(report, null, 2)}
`);
}
function summaryLines(reports, repair, maxListed) {
  const lines = [];
  for (const r of reports) {
    const { missing, extra, different } = r.found;
    lines.push(
      `${r.target}: ${missing} missing, ${extra} extra, ${different} different (checked ${r.sourceItemsChecked} source and ${r.targetItemsChecked} target items${r.settledOnRecheck > 0 ? `; ${r.settledOnRecheck} in-flight changes settled on re-check` : ""})`
    );
    if (repair && missing + extra + different > 0) {
      lines.push(`  repaired ${r.repaired}, ${r.remaining.length} remain`);
    }
    for (const e of r.writeErrors) lines.push(`  write error: ${e}`);
    for (const d of r.remaining.slice(0, maxListed)) {
      lines.push(
        `  ${d.kind.padEnd(9)} ${JSON.stringify(toEventImage(d.key))}${d.attributes ? ` attributes: ${d.attributes.join(", ")}` : ""}`
      );
    }
    if (r.remaining.length > maxListed)
      lines.push(`  ... and ${r.remaining.length - maxListed} more (see --report)`);
  }
  return lines;
}

// cli/src/commands/verify.ts
function verifyCommand(io, exit) {
  const command = new Command4("verify").description(
    "Compare the source table with each target: items missing, extra or different (exact bytes). Differences found by the scans are re-read with consistent reads on both sides before they are reported."
  );
  addTableOptions(command).option("--segments <n>", "parallel Scan segments read at once", integerIn(1, 64), 4).option(
    "--sample <fraction>",
    "check only this fraction of the table (by Scan segment), e.g. 0.1",
    fraction
  ).option("--page-size <n>", "items per Scan page", integerIn(1, 1e3), 500).option("--repair", "write the fixes: put the source item into the target, delete items the source lacks").option(
    "--repair-rounds <n>",
    "repair and re-check rounds for keys that keep changing",
    integerIn(1, 10),
    3
  ).option(
    "--recheck-delay <ms>",
    "wait before the consistent re-check so in-flight changes land",
    integerIn(0, 6e5),
    1e3
  ).option("--report <file>", "write a machine-readable JSON report of the result here").option("--max-listed <n>", "differences printed per target", integerIn(0, 1e5), 20).addHelpText(
    "after",
    `
Examples:
  terraform output -json replication_targets_json > targets.json
  ddbsync verify --source-table orders --targets-file targets.json
  ddbsync verify --source-table orders --targets-file targets.json --sample 0.1 --report verify.json --max-listed 50
  ddbsync verify --source-table orders --targets-file targets.json --repair --repair-rounds 5 --recheck-delay 2000
  ddbsync verify --source-table orders --source-region us-east-1     --source-role-arn arn:aws:iam::111111111111:role/orders-reader     --targets '[{"tableName":"orders","region":"eu-west-1","roleArn":"arn:aws:iam::222222222222:role/orders-writer"}]'     --exclude-attributes ssn,email --segments 8 --page-size 1000

Exit codes: 0 the tables are equal (after repair, with --repair), 1 differences remain, 2 error.`
  ).action(async (flags, cmd) => {
    const { ctx, source, targets } = resolveTables(flags, globals(cmd), io, "verify");
    const sourceClient = tableClient(ctx, source);
    const info = await describeTable(sourceClient, source.tableName, "source");
    const verifyTargets = [];
    for (const t of targets) {
      const client = tableClient(ctx, t);
      await describeTable(client, t.tableName, `target ${targetId(t)}:`);
      verifyTargets.push({
        id: targetId(t),
        reader: new TableReader(client, t.tableName, info.keyNames),
        writer: dynamoDbTargetWriter(t, client)
      });
    }
    const reports = await verifyTables({
      source: new TableReader(sourceClient, source.tableName, info.keyNames),
      targets: verifyTargets,
      segments: flags.segments,
      ...flags.sample !== void 0 ? { sample: flags.sample } : {},
      pageSize: flags.pageSize,
      exclude: flags.excludeAttributes ?? /* @__PURE__ */ new Set(),
      repair: flags.repair === true,
      repairRounds: flags.repairRounds,
      recheckDelayMs: flags.recheckDelay,
      ...io.hooks?.beforeRecheck ? { beforeRecheck: io.hooks.beforeRecheck } : {}
    });
    const report = reportJson(source.tableName, flags.sample, flags.repair === true, reports);
    if (flags.report) writeReport(flags.report, report);
    for (const line of summaryLines(reports, flags.repair === true, flags.maxListed))
      io.stdout.write(`${line}
`);
    const sampled = flags.sample !== void 0 && flags.sample < 1 ? ` (sampled ${flags.sample * 100}% of the table)` : "";
    if (report.equal) {
      io.stdout.write(`equal: every target matches ${source.tableName}${sampled}
`);
      return;
    }
    io.stdout.write(
      `differences remain${sampled}${flags.repair ? "" : "; run again with --repair to fix them"}
`
    );
    exit(EXIT.differences);
  });
  return command;
}

// cli/src/main.ts
async function run(argv, io) {
  let code = EXIT.ok;
  const program = buildProgram(io, (c) => {
    code = c;
  });
  try {
    await program.parseAsync([...argv], { from: "user" });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? EXIT.ok : EXIT.error;
    }
    io.stderr.write(`ddbsync: ${describeError(err)}
`);
    return EXIT.error;
  }
}
function buildProgram(io, exit = () => void 0) {
  const program = new Command5("ddbsync").description(
    "Operations for a ddbsync replicator: copy a table into its targets, check and repair a copy, redrive failed batches from the dead-letter queue, show the replicator status."
  ).option("--region <region>", "AWS region of the source table and STS (default: AWS_REGION)").option(
    "--profile <name>",
    "named profile from ~/.aws/config for the source account (default: AWS_PROFILE)"
  ).exitOverride().configureOutput(output(io, "ddbsync --help"));
  program.addHelpText(
    "after",
    "\nAWS settings come from the standard environment (AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL, ...).\nRun `ddbsync <command> --help` for each command's flags and examples.\n\nExamples:\n  ddbsync --region us-east-1 --profile prod status --function orders-replicator\n  ddbsync backfill --help\n\nExit codes: 0 done (or all well), 1 differences remain / something needs attention, 2 error."
  );
  for (const make of [backfillCommand, verifyCommand, redriveCommand, statusCommand]) {
    const command = make(io, exit);
    command.exitOverride().configureOutput(output(io, `ddbsync ${command.name()} --help`));
    program.addCommand(command);
  }
  return program;
}
function output(io, help) {
  return {
    writeOut: (s) => io.stdout.write(s),
    writeErr: (s) => io.stderr.write(s),
    outputError: (s, write) => write(
      `ddbsync: ${s.replace(/^error: /, "").trim().replace(/\s*\n\s*/g, " ")} (see ${help})
`
    )
  };
}

// cli/bin/ddbsync.ts
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (err) => {
    if (err.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw err;
  });
}
var controller = new AbortController();
process.on("SIGINT", () => {
  if (controller.signal.aborted) process.exit(130);
  process.stderr.write("ddbsync: stopping after the current page (Ctrl-C again to quit at once)\n");
  controller.abort();
});
process.exitCode = await run(process.argv.slice(2), processIo(controller.signal));
