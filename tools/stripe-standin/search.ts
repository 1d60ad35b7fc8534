/**
 * Stripe's search query language, the part PaymentIntent searches use: clauses joined by AND or by
 * OR (Stripe refuses both in one query), each `field:value` (exact), `field~value` (substring, on
 * metadata) or a number compared with `>`, `<`, `>=`, `<=`, `=`; `-` negates; `metadata['key']`
 * names a metadata key. Fields: amount, created, currency, customer, metadata, status.
 */
import { invalidRequest } from './http/stripe-errors';
import type { PaymentIntentRecord } from './state/model';

type Operator = ':' | '~' | '>' | '<' | '>=' | '<=' | '=';

interface Clause {
  readonly negated: boolean;
  readonly field: string;
  /** The metadata key, for metadata['key']. */
  readonly key: string | undefined;
  readonly operator: Operator;
  readonly value: string;
}

export interface SearchQuery {
  readonly join: 'AND' | 'OR';
  readonly clauses: readonly Clause[];
}

const FIELDS = ['amount', 'created', 'currency', 'customer', 'metadata', 'status'];

// -? field ['key']? operator value, the value quoted ('…' or "…", \ escapes) or bare
const CLAUSE =
  /^\s*(-?)([a-z_]+)(?:\[\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")\s*\])?\s*(>=|<=|:|~|>|<|=)\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"|([^\s'"]+))/;

const unescape = (text: string) => text.replace(/\\(.)/g, '$1');

function badQuery(query: string, why: string): never {
  throw invalidRequest(`We were unable to parse your search query "${query}": ${why}.`, { param: 'query' });
}

export function parseSearchQuery(query: string): SearchQuery {
  const clauses: Clause[] = [];
  const joins = new Set<'AND' | 'OR'>();
  let rest = query.trim();
  if (rest === '') badQuery(query, 'the query is empty');
  for (;;) {
    const match = CLAUSE.exec(rest);
    if (!match) badQuery(query, `cannot read "${rest}"`);
    const [whole, negation, field = '', key1, key2, operator, quoted1, quoted2, bare] = match;
    if (!FIELDS.includes(field))
      badQuery(query, `\`${field}\` is not a field PaymentIntents can be searched by`);
    const key = key1 ?? key2;
    if ((field === 'metadata') !== (key !== undefined)) {
      badQuery(
        query,
        field === 'metadata' ? "metadata needs a key: metadata['key']" : `${field} takes no key`,
      );
    }
    const value = quoted1 ?? quoted2;
    clauses.push({
      negated: negation === '-',
      field,
      key: key === undefined ? undefined : unescape(key),
      operator: operator as Operator,
      value: value === undefined ? (bare ?? '') : unescape(value),
    });
    rest = rest.slice(whole.length).trim();
    if (rest === '') break;
    const join = /^(AND|OR)\s+/.exec(rest);
    if (!join) badQuery(query, 'clauses must be joined by AND or OR');
    joins.add(join[1] as 'AND' | 'OR');
    rest = rest.slice(join[0].length);
  }
  if (joins.size > 1) badQuery(query, 'AND and OR cannot be combined in one query');
  return { join: joins.has('OR') ? 'OR' : 'AND', clauses };
}

function compare(actual: number, operator: Operator, expected: number): boolean {
  switch (operator) {
    case '>':
      return actual > expected;
    case '<':
      return actual < expected;
    case '>=':
      return actual >= expected;
    case '<=':
      return actual <= expected;
    default:
      return actual === expected;
  }
}

function clauseHolds(clause: Clause, pi: PaymentIntentRecord): boolean {
  if (clause.field === 'amount' || clause.field === 'created') {
    const expected = Number(clause.value);
    return Number.isFinite(expected) && compare(pi[clause.field], clause.operator, expected);
  }
  const actual =
    clause.field === 'metadata'
      ? pi.metadata[clause.key ?? '']
      : clause.field === 'customer'
        ? (pi.customer ?? undefined)
        : pi[clause.field as 'currency' | 'status'];
  if (actual === undefined) return false;
  if (clause.operator === '~') return actual.includes(clause.value);
  return clause.field === 'currency' ? actual === clause.value.toLowerCase() : actual === clause.value;
}

export function matches(query: SearchQuery, pi: PaymentIntentRecord): boolean {
  const holds = (clause: Clause) => clauseHolds(clause, pi) !== clause.negated;
  return query.join === 'AND' ? query.clauses.every(holds) : query.clauses.some(holds);
}
