/** Reading Terraform's machine-readable (`-json`) output. */

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
