import type { Item } from '../attribute-values.js';
import { canonicalValue, differingAttributes, withoutAttributes } from '../item-equality.js';

export type DriftKind = 'missing' | 'extra' | 'different';

export interface Difference {
  readonly kind: DriftKind;
  /** Top-level attributes that differ (names only), for `different`. */
  readonly attributes?: string[];
}

/**
 * How a target's copy differs from the source's item, if it does: exact values (every
 * digit of a number, every byte of a binary, sets in any order), attributes the replicator
 * leaves out not compared. Undefined when they are equal or both absent.
 */
export function difference(
  original: Item | undefined,
  copy: Item | undefined,
  exclude: ReadonlySet<string>,
): Difference | undefined {
  if (original && !copy) return { kind: 'missing' };
  if (!original && copy) return { kind: 'extra' };
  if (!original || !copy) return undefined;
  const attributes = differingAttributes(withoutAttributes(original, exclude), copy);
  return attributes.length > 0 ? { kind: 'different', attributes } : undefined;
}

/** A text that is equal for two reads of an item exactly when the item did not change. */
export function itemState(item: Item | undefined): string {
  if (!item) return '-';
  return Object.keys(item)
    .sort()
    .map((name) => `${JSON.stringify(name)}=${canonicalValue(item[name] as NonNullable<Item[string]>)}`)
    .join(',');
}
