/**
 * Invalid POST /charge bodies, each invalid by construction, with the fields the 400 must name:
 * a valid charge with one to three mutations (missing, wrong type, out of range, bad format,
 * unknown field, broken metadata), a JSON value that is not an object, or bytes that are not JSON.
 * The contract is in README.md ("POST /charge") and src/api/charges/schemas.ts.
 */
import { PAYMENT_METHOD_PATTERN } from '../../src/api/charges/schemas';
import type { Random } from '../common/random';
import { alnumString, codePoints, idString, jsonValue, randomString, valueNotOfType } from './values';

export interface FuzzCase {
  readonly category: string;
  readonly description: string;
  readonly body: string | Buffer;
  /** Every one must be named by an error (exactly, or as the prefix of `field.sub`). */
  readonly expectedFields: readonly string[];
}

type Charge = Record<string, unknown>;

interface Mutation {
  readonly field: string;
  readonly what: string;
  readonly detail?: string;
  /** Checked by the handler after the schema (so only reported when the schema passed). */
  readonly semantic?: boolean;
  apply(charge: Charge): void;
}

const ISO_CURRENCIES = new Set(Intl.supportedValuesOf('currency').map((c) => c.toLowerCase()));
const KNOWN_FIELDS = new Set([
  'event_id',
  'order_id',
  'amount',
  'currency',
  'customer_id',
  'payment_method',
  'return_url',
  'description',
  'metadata',
]);
const REQUIRED = ['event_id', 'order_id', 'amount', 'currency'] as const;
const LETTERS = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'];

export function validCharge(random: Random, id: string): Charge {
  const charge: Charge = {
    event_id: `fuzz-${id}-${idString(random, 1, 30)}`,
    order_id: randomString(random, 1, 40),
    // At or above every currency's Stripe minimum and a multiple of 10 (three-decimal currencies).
    amount: random.int(100, 9_999_999) * 10,
    currency: random.pick(['usd', 'EUR', 'gbp', 'JPY', 'chf', 'Sek']),
  };
  if (random.chance(0.3)) charge['customer_id'] = `cus_${alnumString(random, 1, 20)}`;
  if (random.chance(0.2))
    charge['payment_method'] = `${random.pick(['pm', 'card', 'src'])}_${alnumString(random, 1, 20)}`;
  if (random.chance(0.3)) charge['description'] = randomString(random, 1, 100);
  if (random.chance(0.3)) {
    charge['metadata'] = Object.fromEntries(
      Array.from({ length: random.int(0, 5) }, (_, i) => [
        `k${i}${alnumString(random, 0, 10)}`,
        randomString(random, 0, 50),
      ]),
    );
  }
  return charge;
}

const set =
  (field: string, value: unknown) =>
  (charge: Charge): void => {
    charge[field] = value;
  };

function tooLong(random: Random, max: number, make: (min: number, max: number) => string): string {
  for (;;) {
    const s = make(max + 1, max + random.pick([1, 5, 60]));
    if (codePoints(s) > max) return s;
  }
}

function stringFieldMutation(random: Random, field: string): Mutation {
  const options: Array<() => Mutation> = [
    () => ({ field, what: 'wrong type', apply: set(field, valueNotOfType(random, 'string')) }),
    () => ({ field, what: 'empty', apply: set(field, '') }),
  ];
  if (field === 'event_id') {
    options.push(
      () => ({
        field,
        what: 'over 200 characters',
        apply: set(
          field,
          tooLong(random, 200, (a, b) => idString(random, a, b)),
        ),
      }),
      () => {
        const bad = random.pick([
          ' ',
          '/',
          '#',
          '?',
          '%',
          '\\',
          '"',
          "'",
          'é',
          '😀',
          '\n',
          '\u0000',
          '*',
          '+',
          ',',
        ]);
        const id = idString(random, 0, 20);
        const at = random.int(0, id.length);
        return {
          field,
          what: 'bad character',
          detail: JSON.stringify(bad),
          apply: set(field, `${id.slice(0, at)}${bad}${id.slice(at)}`),
        };
      },
    );
  }
  if (field === 'order_id') {
    options.push(() => ({
      field,
      what: 'over 200 characters',
      apply: set(
        field,
        tooLong(random, 200, (a, b) => randomString(random, a, b)),
      ),
    }));
  }
  if (field === 'description') {
    options.push(() => ({
      field,
      what: 'over 1000 characters',
      apply: set(
        field,
        tooLong(random, 1000, (a, b) => randomString(random, a, b)),
      ),
    }));
  }
  if (field === 'customer_id' || field === 'payment_method') {
    const pattern = field === 'customer_id' ? /^cus_[A-Za-z0-9]+$/ : new RegExp(PAYMENT_METHOD_PATTERN);
    options.push(
      () => {
        for (;;) {
          const value = random.chance(0.5)
            ? randomString(random, 1, 30)
            : `${random.pick(['cus', 'pm', 'card', 'src', 'acct', 'CUS'])}${random.pick(['_', '-', '', '__'])}${randomString(random, 0, 12)}`;
          if (!pattern.test(value)) return { field, what: 'bad format', apply: set(field, value) };
        }
      },
      () => ({
        field,
        what: 'over 255 characters',
        apply: set(field, `${field === 'customer_id' ? 'cus_' : 'pm_'}${alnumString(random, 256, 300)}`),
      }),
    );
  }
  return random.pick(options)();
}

function amountMutation(random: Random): Mutation {
  const field = 'amount';
  return random.pick<() => Mutation>([
    () => ({ field, what: 'wrong type', apply: set(field, valueNotOfType(random, 'integer')) }),
    () => ({ field, what: 'zero', apply: set(field, 0) }),
    () => ({ field, what: 'negative', apply: set(field, -random.int(1, 1e9)) }),
    () => ({
      field,
      what: 'over 99,999,999',
      apply: set(field, random.pick([100_000_000, 2 ** 31, 2 ** 53 + 2, 1e21])),
    }),
    () => ({
      field,
      what: 'not whole',
      apply: set(field, random.int(0, 1e6) + random.pick([0.5, 0.01, 0.999])),
    }),
    () => ({ field, what: 'number as a string', apply: set(field, String(random.int(1, 1e6))) }),
  ])();
}

function currencyMutation(random: Random): Mutation {
  const field = 'currency';
  return random.pick<() => Mutation>([
    () => ({ field, what: 'wrong type', apply: set(field, valueNotOfType(random, 'string')) }),
    () => {
      for (;;) {
        const value = random.chance(0.5) ? randomString(random, 0, 6) : idString(random, 0, 5);
        if (!/^[A-Za-z]{3}$/.test(value))
          return { field, what: 'not three letters', apply: set(field, value) };
      }
    },
    () => {
      for (;;) {
        const value = `${random.pick(LETTERS)}${random.pick(LETTERS)}${random.pick(LETTERS)}`;
        if (!ISO_CURRENCIES.has(value.toLowerCase()))
          return { field, what: 'not an ISO 4217 code', semantic: true, apply: set(field, value) };
      }
    },
  ])();
}

function metadataMutation(random: Random): Mutation {
  const field = 'metadata';
  const entries = (n: number) => Array.from({ length: n }, (_, i) => [`k${i}`, `v${i}`] as const);
  return random.pick<() => Mutation>([
    () => ({ field, what: 'not an object', apply: set(field, valueNotOfType(random, 'object')) }),
    () => ({
      field,
      what: 'over 20 entries',
      apply: set(field, Object.fromEntries(entries(random.int(21, 60)))),
    }),
    () => ({
      field,
      what: 'empty key',
      // Checked by the handler (OpenAPI 3.0 has no propertyNames), after the schema.
      semantic: true,
      apply: set(field, Object.fromEntries([...entries(random.int(0, 3)), ['', 'x']])),
    }),
    () => ({
      field,
      what: 'key over 40 characters',
      // Checked by the handler (OpenAPI 3.0 has no propertyNames), after the schema.
      semantic: true,
      apply: set(field, { [tooLong(random, 40, (a, b) => randomString(random, a, b))]: 'x' }),
    }),
    () => ({
      field,
      what: 'reserved key',
      // Checked by the handler (OpenAPI 3.0 has no propertyNames), after the schema.
      semantic: true,
      apply: set(field, { [random.pick(['event_id', 'order_id'])]: 'x' }),
    }),
    () => ({
      field,
      what: 'non-string value',
      apply: set(field, { note: valueNotOfType(random, 'string') }),
    }),
    () => ({
      field,
      what: 'value over 500 characters',
      apply: set(field, { note: tooLong(random, 500, (a, b) => randomString(random, a, b)) }),
    }),
    () => {
      let depth = random.int(50, 3000);
      let nested: unknown = 'x';
      while (depth-- > 0) nested = random.chance(0.5) ? [nested] : { n: nested };
      return { field, what: 'deeply nested value', apply: set(field, { note: nested }) };
    },
  ])();
}

function unknownFieldMutation(random: Random): Mutation {
  for (;;) {
    const key = random.chance(0.5)
      ? randomString(random, 1, 20)
      : random.pick([
          'amount_minor',
          'Amount',
          'event-id',
          'status',
          'id',
          'constructor',
          'toString',
          'currency ',
        ]);
    if (!KNOWN_FIELDS.has(key) && key !== '__proto__') {
      return { field: key, what: 'unknown field', apply: set(key, jsonValue(random, 2)) };
    }
  }
}

function mutation(random: Random): Mutation {
  const roll = random.next();
  if (roll < 0.15) {
    const field = random.pick(REQUIRED);
    return { field, what: 'missing', apply: (c) => delete c[field] };
  }
  if (roll < 0.5)
    return stringFieldMutation(
      random,
      random.pick(['event_id', 'order_id', 'customer_id', 'payment_method', 'description']),
    );
  if (roll < 0.62) return amountMutation(random);
  if (roll < 0.74) return currencyMutation(random);
  if (roll < 0.88) return metadataMutation(random);
  return unknownFieldMutation(random);
}

function mutatedCase(random: Random, id: string): FuzzCase {
  const charge = validCharge(random, id);
  const mutations: Mutation[] = [];
  for (let want = random.pick([1, 1, 1, 2, 3]); mutations.length < want;) {
    const m = mutation(random);
    if (!mutations.some((x) => x.field === m.field)) mutations.push(m);
  }
  for (const m of mutations) m.apply(charge);
  const schema = mutations.filter((m) => !m.semantic).map((m) => m.field);
  const expectedFields = schema.length > 0 ? schema : mutations.map((m) => m.field);
  return {
    category:
      mutations.length > 1
        ? `${mutations.length} fields wrong`
        : mutations[0]?.what === 'unknown field'
          ? 'unknown field'
          : `${mutations[0]?.field}: ${mutations[0]?.what}`,
    description: mutations.map((m) => `${m.field}: ${m.what}${m.detail ? ` ${m.detail}` : ''}`).join('; '),
    body: JSON.stringify(charge),
    expectedFields,
  };
}

function notAnObjectCase(random: Random): FuzzCase {
  for (;;) {
    const value = jsonValue(random, 3);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      return {
        category: 'JSON, not an object',
        description: typeof value,
        body: JSON.stringify(value),
        expectedFields: ['(body)'],
      };
    }
  }
}

function parses(body: string | Buffer): boolean {
  try {
    JSON.parse(body.toString());
    return true;
  } catch {
    return false;
  }
}

function notJsonCase(random: Random, id: string): FuzzCase {
  const valid = JSON.stringify(validCharge(random, id));
  const inner = JSON.stringify(validCharge(random, id)).slice(1);
  // [what, body, refused even though JSON.parse accepts it]
  const candidates: Array<() => [string, string | Buffer, boolean]> = [
    () => ['truncated', valid.slice(0, random.int(0, valid.length - 1)), false],
    () => ['trailing bytes', `${valid}${random.pick(['}', ',', ' x', '\u0000', '{}'])}`, false],
    () => ['single quotes', valid.replace(/"/g, "'"), false],
    () => ['NaN literal', valid.replace(/"amount":[^,}]+/, '"amount":NaN'), false],
    () => ['random text', randomString(random, 0, 80), false],
    () => [
      'invalid UTF-8',
      Buffer.concat([Buffer.from('{"event_id":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')]),
      false,
    ],
    () => ['__proto__ key', `{"__proto__":{"polluted":true},${inner}`, true],
    () => ['constructor.prototype key', `{"constructor":{"prototype":{"polluted":true}},${inner}`, true],
    () => ['20,000 nested arrays', `${'['.repeat(20_000)}${']'.repeat(20_000)}`, true],
  ];
  for (;;) {
    const [what, body, refusedAnyway] = random.pick(candidates)();
    if (refusedAnyway || !parses(body)) {
      const category = parses(body) ? 'JSON the parser refuses' : 'not JSON';
      return { category, description: what, body, expectedFields: ['(body)'] };
    }
  }
}

/**
 * The next case of a run: the same seed gives the same cases in the same order. `id` (the run's tag
 * and the case's index) goes into the event id, so runs never share one.
 */
export function fuzzCase(random: Random, id: string): FuzzCase {
  const roll = random.next();
  if (roll < 0.8) return mutatedCase(random, id);
  if (roll < 0.88) return notAnObjectCase(random);
  return notJsonCase(random, id);
}
