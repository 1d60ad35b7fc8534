import { createHash } from 'node:crypto';
import type { ChargeRequest } from '../../contracts/charge';

/** JSON with keys sorted at every depth, so `{a,b}` and `{b,a}` are the same payload. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function payloadHash(request: ChargeRequest): string {
  return createHash('sha256').update(canonicalJson(request)).digest('hex');
}
