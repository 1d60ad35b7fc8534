/**
 * Stripe's request encoding: `application/x-www-form-urlencoded` bodies (and GET query strings) whose
 * keys nest with brackets — `metadata[event_id]=e1`, `expand[]=latest_charge`, `a[b][0]=x`.
 * Decoded into plain objects and arrays of strings, as Stripe's API reads them.
 */

export type FormValue = string | FormObject | FormValue[];
export interface FormObject {
  [key: string]: FormValue;
}

/** `a[b][]` → ['a', 'b', ''] */
function keyPath(key: string): string[] {
  const first = key.indexOf('[');
  if (first <= 0) return [key];
  const parts = [key.slice(0, first)];
  for (const match of key.slice(first).matchAll(/\[([^\]]*)\]/g)) parts.push(match[1] ?? '');
  return parts;
}

function assign(target: FormObject | FormValue[], path: readonly string[], value: string): void {
  const [head, ...rest] = path;
  if (head === undefined) return;
  const container = target as Record<string, FormValue>;
  const slot = Array.isArray(target) && head === '' ? String(target.length) : head;
  if (rest.length === 0) {
    container[slot] = value;
    return;
  }
  const nextIsList = rest[0] === '' || /^\d+$/.test(rest[0] ?? '');
  let child = container[slot];
  if (typeof child !== 'object' || child === null) {
    child = nextIsList ? [] : {};
    container[slot] = child;
  }
  assign(child, rest, value);
}

/** The nested parameters of a form-encoded body or query string. */
export function decodeForm(text: string): FormObject {
  const result: FormObject = {};
  for (const [key, value] of new URLSearchParams(text)) assign(result, keyPath(key), value);
  return result;
}

/**
 * The parameters as flat `key=value` pairs in Stripe's bracket names, sorted: how two requests are
 * compared for an idempotency key (the same parameters in another order are the same request).
 */
export function flatParams(text: string): Array<[string, string]> {
  return [...new URLSearchParams(text)].sort(([a, x], [b, y]) =>
    a === b ? (x < y ? -1 : x > y ? 1 : 0) : a < b ? -1 : 1,
  );
}

export function stringParam(params: FormObject, name: string): string | undefined {
  const value = params[name];
  return typeof value === 'string' ? value : undefined;
}

export function objectParam(params: FormObject, name: string): FormObject | undefined {
  const value = params[name];
  return typeof value === 'object' && !Array.isArray(value) ? value : undefined;
}

/** A string-to-string map parameter such as `metadata` (nested values are not Stripe metadata). */
export function stringMapParam(params: FormObject, name: string): Record<string, string> | undefined {
  const value = objectParam(params, name);
  if (value === undefined) return undefined;
  return Object.fromEntries(
    Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
}

export function listParam(params: FormObject, name: string): string[] {
  const value = params[name];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  if (typeof value === 'object')
    return Object.values(value).filter((v): v is string => typeof v === 'string');
  return typeof value === 'string' ? [value] : [];
}

/** Stripe's booleans arrive as the strings `true` / `false`. */
export function booleanParam(params: FormObject, name: string): boolean | undefined {
  const value = stringParam(params, name);
  return value === undefined ? undefined : value === 'true';
}

export function integerParam(params: FormObject, name: string): number | undefined {
  const value = stringParam(params, name);
  return value === undefined || value === '' ? undefined : Number(value);
}
