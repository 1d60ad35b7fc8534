/**
 * What Stripe says about currencies, in one table. Source: Stripe's "Supported currencies" guide
 * (docs.stripe.com/currencies): zero-decimal and three-decimal currencies, the rule that a
 * three-decimal amount must end in 0, and the minimum charge amounts. Stripe states its minimums in
 * the settlement currency; this table holds them for an account that settles in the charge's
 * currency (the bookstore's case), and Stripe still refuses at create what converts to less.
 * Pure and deterministic: workflows use it to write amounts for people.
 */

const ZERO_DECIMAL = new Set([
  'bif',
  'clp',
  'djf',
  'gnf',
  'jpy',
  'kmf',
  'krw',
  'mga',
  'pyg',
  'rwf',
  'ugx',
  'vnd',
  'vuv',
  'xaf',
  'xof',
  'xpf',
]);
const THREE_DECIMAL = new Set(['bhd', 'jod', 'kwd', 'omr', 'tnd']);

/** Stripe's minimum charge per currency, in that currency's minor unit. */
const MINIMUM_CHARGE_MINOR: Readonly<Record<string, number>> = {
  usd: 50,
  aed: 200,
  aud: 50,
  bgn: 100,
  brl: 50,
  cad: 50,
  chf: 50,
  czk: 1500,
  dkk: 250,
  eur: 50,
  gbp: 30,
  hkd: 400,
  huf: 17500,
  inr: 50,
  jpy: 50,
  mxn: 1000,
  myr: 200,
  nok: 300,
  nzd: 50,
  pln: 200,
  ron: 200,
  sek: 300,
  sgd: 50,
  thb: 1000,
};

/**
 * ISO 4217 codes that are not money a customer pays in, which Stripe does not present: fund and
 * accounting units, precious metals, the SDR and the testing and "no currency" codes.
 */
const NOT_PRESENTABLE = new Set([
  'bov',
  'che',
  'chw',
  'clf',
  'cou',
  'mxv',
  'usn',
  'uyi',
  'uyw',
  'xag',
  'xau',
  'xba',
  'xbb',
  'xbc',
  'xbd',
  'xdr',
  'xpd',
  'xpt',
  'xsu',
  'xts',
  'xua',
  'xxx',
]);

export function minorUnitDigits(currency: string): number {
  const c = currency.toLowerCase();
  if (ZERO_DECIMAL.has(c)) return 0;
  if (THREE_DECIMAL.has(c)) return 3;
  return 2;
}

/** 1999 usd → "19.99 USD", 1999 jpy → "1999 JPY", 1990 kwd → "1.990 KWD"; integer arithmetic only. */
export function formatAmount(amountMinor: number, currency: string): string {
  const digits = minorUnitDigits(currency);
  const code = currency.toUpperCase();
  if (digits === 0) return `${amountMinor} ${code}`;
  const scale = 10 ** digits;
  const major = Math.floor(amountMinor / scale);
  const minor = String(amountMinor % scale).padStart(digits, '0');
  return `${major}.${minor} ${code}`;
}

/** Why Stripe would refuse this amount in this (lowercase) currency, or undefined if it would not. */
export function amountProblem(amountMinor: number, currency: string): string | undefined {
  const minimum = MINIMUM_CHARGE_MINOR[currency];
  if (minimum !== undefined && amountMinor < minimum) {
    return `is below Stripe's minimum charge of ${formatAmount(minimum, currency)} (${minimum} in minor units)`;
  }
  if (THREE_DECIMAL.has(currency) && amountMinor % 10 !== 0) {
    return `must end in 0 for ${currency.toUpperCase()}: Stripe takes three-decimal amounts rounded to the nearest ten`;
  }
  return undefined;
}

/** Why a (lowercase) ISO 4217 currency cannot be charged, or undefined when Stripe presents it. */
export function currencyProblem(currency: string): string | undefined {
  if (NOT_PRESENTABLE.has(currency))
    return 'is not a currency Stripe charges in (a fund, metal or test code)';
  return undefined;
}
