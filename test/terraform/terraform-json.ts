/** Reading Terraform's machine-readable output: `-json` lines and `terraform graph`'s DOT. */

interface JsonLine {
  readonly type?: string;
  readonly '@testfile'?: string;
  readonly diagnostic?: { readonly severity?: string; readonly summary?: string; readonly detail?: string };
}

/**
 * The error messages in Terraform's `-json` output (one JSON object per line): each error
 * diagnostic's detail (the configuration's error_message), or its summary when it has none.
 * With `testFile`, only those `terraform test` reported for that test file.
 */
export function errorMessagesOf(jsonLines: string, testFile?: string): string[] {
  const messages: string[] = [];
  for (const line of jsonLines.split('\n')) {
    if (!line.startsWith('{')) continue;
    let parsed: JsonLine;
    try {
      parsed = JSON.parse(line) as JsonLine;
    } catch {
      continue;
    }
    const d = parsed.diagnostic;
    if (testFile !== undefined && parsed['@testfile'] !== testFile) continue;
    if (parsed.type === 'diagnostic' && d?.severity === 'error') messages.push(d.detail || d.summary || '');
  }
  return messages;
}

/** The edges of `terraform graph` output: `"a" -> "b"` means a depends on b. */
export function graphEdges(dot: string): Map<string, string[]> {
  const edges = new Map<string, string[]>();
  for (const m of dot.matchAll(/"([^"]+)" -> "([^"]+)"/g)) {
    const [, from, to] = m as unknown as [string, string, string];
    edges.set(from, [...(edges.get(from) ?? []), to]);
  }
  return edges;
}

/** Whether `from` depends on `to`, directly or through other nodes. */
export function dependsOn(edges: Map<string, string[]>, from: string, to: string): boolean {
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length > 0) {
    const node = stack.pop() as string;
    for (const next of edges.get(node) ?? []) {
      if (next === to) return true;
      if (!seen.has(next)) {
        seen.add(next);
        stack.push(next);
      }
    }
  }
  return false;
}
