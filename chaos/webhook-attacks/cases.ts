/**
 * Deliveries to POST /stripe/webhook that must not move a charge (attacks) and ones that must
 * (a rotated secret, Stripe's own multi-signature header). Every payload is an event that *would*
 * complete its charge if the receiver let it through: a payment_intent.succeeded naming the charge's
 * event id and PaymentIntent.
 *
 * Stripe's SDK (constructEvent, which the receiver uses) accepts a header when ANY of its v1
 * signatures matches, ignores other schemes (v0), takes the last `t=`, and checks only the age of the
 * timestamp. So "one forged v1 beside a valid one" is a valid delivery (Stripe sends one v1 per
 * active secret while a secret rolls), while v1 entries that are all forged are not.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { paymentIntentEvent } from '../../scripts/stripe-events';

export interface AttackTarget {
  readonly eventId: string;
  readonly paymentIntentId: string;
  /** Unique per case; also the Stripe event id, so logs can be searched for the body. */
  readonly marker: string;
}

export interface Secrets {
  readonly current: string;
  readonly previous: string;
}

export interface Delivery {
  readonly body: string | Buffer;
  readonly signature: string | undefined;
}

export interface WebhookCase {
  readonly name: string;
  /** true: the charge must get the event; false: not one signal may reach it. */
  readonly mustBeAccepted: boolean;
  readonly expectedStatus: number;
  /** The charge the delivery names has no workflow (another account's PaymentIntent). */
  readonly foreignCharge?: boolean;
  build(target: AttackTarget, secrets: Secrets, now: number): Delivery;
}

export const WEBHOOK_BODY_LIMIT = 1024 * 1024;

function succeededEvent(target: AttackTarget, extra: Record<string, unknown> = {}): string {
  const event = JSON.parse(
    paymentIntentEvent({
      stripeEventId: target.marker,
      type: 'payment_intent.succeeded',
      eventId: target.eventId,
      paymentIntentId: target.paymentIntentId,
    }),
  ) as Record<string, unknown>;
  return JSON.stringify({ ...event, ...extra });
}

export function hmac(secret: string, timestamp: number, body: string | Buffer): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
}

const signed = (body: string | Buffer, secret: string, t: number): Delivery => ({
  body,
  signature: `t=${t},v1=${hmac(secret, t, body)}`,
});

const forgedHex = (): string => randomBytes(32).toString('hex');

export const WEBHOOK_CASES: readonly WebhookCase[] = [
  {
    name: 'forged signature (random v1)',
    mustBeAccepted: false,
    expectedStatus: 400,
    build: (t, _s, now) => ({ body: succeededEvent(t), signature: `t=${now},v1=${forgedHex()}` }),
  },
  {
    name: 'signed with a wrong secret',
    mustBeAccepted: false,
    expectedStatus: 400,
    build: (t, _s, now) => signed(succeededEvent(t), 'whsec_attacker_guess', now),
  },
  {
    name: 'one body byte tampered after signing',
    mustBeAccepted: false,
    expectedStatus: 400,
    build: (t, s, now) => {
      const body = succeededEvent(t);
      const { signature } = signed(body, s.current, now);
      const bytes = Buffer.from(body);
      const at = bytes.indexOf('"amount"') > 0 ? bytes.indexOf('"amount"') : Math.floor(bytes.length / 2);
      bytes[at + 1] = (bytes[at + 1] ?? 0) ^ 0x01;
      return { body: bytes, signature };
    },
  },
  {
    name: 'stale timestamp (301 s old, validly signed)',
    mustBeAccepted: false,
    expectedStatus: 400,
    build: (t, s, now) => signed(succeededEvent(t), s.current, now - 301),
  },
  {
    name: 'timestamp 10 min in the future (validly signed)',
    mustBeAccepted: false,
    expectedStatus: 400,
    build: (t, s, now) => signed(succeededEvent(t), s.current, now + 600),
  },
  {
    name: 'future timestamp behind an earlier t= (the SDK reads the last t=)',
    mustBeAccepted: false,
    expectedStatus: 400,
    build: (t, s, now) => {
      const body = succeededEvent(t);
      return { body, signature: `t=${now},t=${now + 600},v1=${hmac(s.current, now + 600, body)}` };
    },
  },
  {
    name: 'valid signature moved to another timestamp',
    mustBeAccepted: false,
    expectedStatus: 400,
    build: (t, s, now) => {
      const body = succeededEvent(t);
      return { body, signature: `t=${now + 1},v1=${hmac(s.current, now, body)}` };
    },
  },
  {
    name: 'second t= after a valid pair (last t wins)',
    mustBeAccepted: false,
    expectedStatus: 400,
    build: (t, s, now) => {
      const body = succeededEvent(t);
      return { body, signature: `t=${now},v1=${hmac(s.current, now, body)},t=${now - 1}` };
    },
  },
  {
    name: 'missing Stripe-Signature header',
    mustBeAccepted: false,
    expectedStatus: 400,
    build: (t) => ({ body: succeededEvent(t), signature: undefined }),
  },
  {
    name: 'empty Stripe-Signature header',
    mustBeAccepted: false,
    expectedStatus: 400,
    build: (t) => ({ body: succeededEvent(t), signature: '' }),
  },
  {
    name: 'garbled header (no key=value pairs)',
    mustBeAccepted: false,
    expectedStatus: 400,
    build: (t) => ({ body: succeededEvent(t), signature: 'garbage;;==,,' }),
  },
  {
    name: 'garbled header (non-numeric t, empty v1)',
    mustBeAccepted: false,
    expectedStatus: 400,
    build: (t) => ({ body: succeededEvent(t), signature: 't=abc,v1=' }),
  },
  {
    name: 'valid v1 without any t=',
    mustBeAccepted: false,
    expectedStatus: 400,
    build: (t, s, now) => {
      const body = succeededEvent(t);
      return { body, signature: `v1=${hmac(s.current, now, body)}` };
    },
  },
  {
    name: 't= without any v1',
    mustBeAccepted: false,
    expectedStatus: 400,
    build: (t, _s, now) => ({ body: succeededEvent(t), signature: `t=${now}` }),
  },
  {
    name: 'valid HMAC under the v0 scheme only',
    mustBeAccepted: false,
    expectedStatus: 400,
    build: (t, s, now) => {
      const body = succeededEvent(t);
      return { body, signature: `t=${now},v0=${hmac(s.current, now, body)}` };
    },
  },
  {
    name: 'duplicated v1 entries, all forged',
    mustBeAccepted: false,
    expectedStatus: 400,
    build: (t, _s, now) => ({
      body: succeededEvent(t),
      signature: `t=${now},v1=${forgedHex()},v1=${forgedHex()},v1=${forgedHex()}`,
    }),
  },
  {
    name: 'valid signature upper-cased',
    mustBeAccepted: false,
    expectedStatus: 400,
    build: (t, s, now) => {
      const body = succeededEvent(t);
      return { body, signature: `t=${now},v1=${hmac(s.current, now, body).toUpperCase()}` };
    },
  },
  {
    name: 'valid signature truncated by one hex digit',
    mustBeAccepted: false,
    expectedStatus: 400,
    build: (t, s, now) => {
      const body = succeededEvent(t);
      return { body, signature: `t=${now},v1=${hmac(s.current, now, body).slice(0, -1)}` };
    },
  },
  {
    name: 'oversize body (> 1 MiB, validly signed)',
    mustBeAccepted: false,
    expectedStatus: 413,
    build: (t, s, now) =>
      signed(succeededEvent(t, { padding: 'x'.repeat(WEBHOOK_BODY_LIMIT) }), s.current, now),
  },
  {
    name: 'non-JSON body, validly signed',
    mustBeAccepted: false,
    expectedStatus: 400,
    build: (t, s, now) =>
      signed(`event=payment_intent.succeeded&id=${t.marker}&{"not":"json"`, s.current, now),
  },
  {
    name: 'non-JSON body, forged signature',
    mustBeAccepted: false,
    expectedStatus: 400,
    build: (t, _s, now) => ({ body: `\u0000\u00ff${t.marker}`, signature: `t=${now},v1=${forgedHex()}` }),
  },
  {
    name: "another account's PaymentIntent (validly signed, event_id of no workflow)",
    mustBeAccepted: false,
    expectedStatus: 200,
    foreignCharge: true,
    build: (t, s, now) => signed(succeededEvent(t), s.current, now),
  },
  {
    name: 'rotated secret: signed with the previous one',
    mustBeAccepted: true,
    expectedStatus: 200,
    build: (t, s, now) => signed(succeededEvent(t), s.previous, now),
  },
  {
    name: 'current secret (control)',
    mustBeAccepted: true,
    expectedStatus: 200,
    build: (t, s, now) => signed(succeededEvent(t), s.current, now),
  },
  {
    name: "one forged v1 beside a valid one (Stripe's header while a secret rolls)",
    mustBeAccepted: true,
    expectedStatus: 200,
    build: (t, s, now) => {
      const body = succeededEvent(t);
      return { body, signature: `t=${now},v1=${forgedHex()},v1=${hmac(s.current, now, body)}` };
    },
  },
];
