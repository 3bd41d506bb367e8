/**
 * The first-sync state machine as Terraform deploys it: modules/first-sync renders
 * state-machine.asl.json with templatefile(), which replaces every ${name} and refuses an
 * unknown one. Tests render the real file the same way, never a copy of it. The text is kept
 * as it is (moto's ASL parser takes "ToleratedFailurePercentage": 0.0 where JSON.stringify
 * would write 0).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const FIRST_SYNC_TEMPLATE_PATH = fileURLToPath(
  new URL('../../modules/first-sync/state-machine.asl.json', import.meta.url),
);

/** Every placeholder's value, as strings (numbers are parsed by the definition itself). */
export type FirstSyncDefinitionVars = Readonly<Record<string, string>>;

/** Renders the template text; throws on a placeholder without a value, as templatefile() does. */
export function renderFirstSyncTemplate(text: string, vars: FirstSyncDefinitionVars): string {
  const rendered = text.replace(/\$\{(\w+)\}/g, (_, name: string) => {
    const value = vars[name];
    if (value === undefined) throw new Error(`templatefile: no variable ${name}`);
    return value;
  });
  JSON.parse(rendered); // the rendered definition must still be JSON
  return rendered;
}

/** Renders modules/first-sync/state-machine.asl.json. */
export function renderFirstSyncDefinition(vars: FirstSyncDefinitionVars): string {
  return renderFirstSyncTemplate(readFileSync(FIRST_SYNC_TEMPLATE_PATH, 'utf8'), vars);
}
