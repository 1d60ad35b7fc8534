/**
 * Key-shaped values for tests of what the service does with a live key (refuse it, warn). Built at
 * run time from words that no Stripe key holds, so the tree carries nothing that looks like a key.
 */
export function fakeLiveKey(kind: 'sk' | 'rk' = 'sk', tag = 'FAKE'): string {
  return [kind, 'live', `${tag}NOTAKEY`].join('_');
}
