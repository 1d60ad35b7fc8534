/** Object ids shaped like Stripe's: a prefix and 24 random base-62 characters (`pi_3Q…`). */
import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export function randomToken(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const byte of bytes) out += ALPHABET[byte % ALPHABET.length];
  return out;
}

export type IdPrefix = 'pi' | 'ch' | 're' | 'dp' | 'evt' | 'req' | 'we' | 'txn';

export function newId(prefix: IdPrefix): string {
  return `${prefix}_${randomToken(24)}`;
}

/** Stripe's client_secret: the PaymentIntent's id, `_secret_`, and a random tail. */
export function newClientSecret(paymentIntentId: string): string {
  return `${paymentIntentId}_secret_${randomToken(25)}`;
}

export function unixSeconds(ms: number = Date.now()): number {
  return Math.floor(ms / 1000);
}
