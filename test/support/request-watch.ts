/**
 * A forwarding HTTP proxy in front of the local AWS that changes nothing and tells a test
 * when a given request has been answered: a function whose AWS_ENDPOINT_URL points here
 * talks to the local AWS as before, and the test can act between two of its calls (for
 * example, replicate a change after the drift function's first read of a target and before
 * its re-check) without guessing at timings.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';

export interface WatchedRequest {
  readonly method: string;
  readonly path: string;
  /** X-Amz-Target of JSON protocols, e.g. DynamoDB_20120810.BatchGetItem. */
  readonly target?: string;
  readonly body: string;
  readonly status: number;
}

export interface RequestWatch {
  readonly endpoint: string;
  /** Every request answered so far, in order. */
  readonly answered: readonly WatchedRequest[];
  /** Resolves with the first answered request (past or future) that matches. */
  waitFor(matches: (r: WatchedRequest) => boolean): Promise<WatchedRequest>;
  close(): Promise<void>;
}

/** A DynamoDB BatchGetItem that read the given table. */
export function batchGetOf(table: string): (r: WatchedRequest) => boolean {
  return (r) => {
    if (r.target !== 'DynamoDB_20120810.BatchGetItem' || r.status !== 200) return false;
    try {
      const body = JSON.parse(r.body) as { RequestItems?: Record<string, unknown> };
      return Object.hasOwn(body.RequestItems ?? {}, table);
    } catch {
      return false;
    }
  };
}

// Hop-by-hop and length headers are the proxy's own business on each side.
const DROPPED = new Set(['connection', 'content-length', 'transfer-encoding', 'keep-alive', 'host']);

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

export async function startRequestWatch(upstream: string): Promise<RequestWatch> {
  const answered: WatchedRequest[] = [];
  const waiters: { matches: (r: WatchedRequest) => boolean; resolve: (r: WatchedRequest) => void }[] = [];

  const server: Server = createServer(async (req, res) => {
    try {
      const body = await readBody(req);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) {
        if (!DROPPED.has(k) && v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
      }
      const method = req.method ?? 'GET';
      const reply = await fetch(new URL(req.url ?? '/', upstream), {
        method,
        headers,
        ...(method === 'GET' || method === 'HEAD' ? {} : { body: new Uint8Array(body) }),
      });
      const out = Buffer.from(await reply.arrayBuffer());
      const replyHeaders: Record<string, string> = {};
      reply.headers.forEach((v, k) => {
        if (!DROPPED.has(k) && k !== 'content-encoding') replyHeaders[k] = v;
      });
      res.writeHead(reply.status, { ...replyHeaders, 'content-length': String(out.length) });
      res.end(out, () => {
        const target = req.headers['x-amz-target'];
        const seen: WatchedRequest = {
          method,
          path: req.url ?? '/',
          ...(typeof target === 'string' ? { target } : {}),
          body: body.toString('utf8'),
          status: reply.status,
        };
        answered.push(seen);
        for (const w of [...waiters]) {
          if (w.matches(seen)) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve(seen);
          }
        }
      });
    } catch (err) {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`request-watch: ${(err as Error).message}`);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    answered,
    waitFor: (matches) => {
      const done = answered.find(matches);
      if (done) return Promise.resolve(done);
      return new Promise((resolve) => waiters.push({ matches, resolve }));
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
