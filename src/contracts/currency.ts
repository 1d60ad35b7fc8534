/**
 * What Stripe says about currencies, in one table. Source: Stripe's "Supported currencies" guide
 * (docs.stripe.com/currencies): zero-decimal and three-decimal currencies, the rule that a
 * three-decimal amount must end in 0, the special cases, and the minimum charge amounts. Stripe
 * states its minimums in the settlement currency; this table holds them for an account that settles
 * in the charge's currency (the bookstore's case), and Stripe still refuses at create what converts
 * to less.
 * Pure and deterministic: workflows use it to write amounts for people.
 */

/** Stripe's zero-decimal currencies: `amount` counts whole units (500 JPY is 500). */
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
  'vnd',
  'vuv',
  'xaf',
  'xof',
  'xpf',
]);

/**
 * Stripe's special cases where a currency is zero-decimal for people but two-decimal in the API:
 * ISK (card networks take whole krónur only, since April 2023) and UGX (zero-decimal in ISO 4217,
 * two-decimal at Stripe for backwards compatibility). `amount` is in hundredths (5 ISK is 500) and
 * must be whole units, divisible by 100: Stripe refuses anything else with
 * `invalid_charge_amount_no_decimal_compatible`, at create and at refund alike.
 */
const WHOLE_UNITS_IN_HUNDREDTHS = new Set(['isk', 'ugx']);

// Stripe's other special cases, HUF and TWD, are zero-decimal for payouts only: charges and refunds
// take two-decimal amounts (payouts are the settlement's business, not this service's), so they
// need no rule here beyond the HUF minimum below.

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

/** The digits after the decimal point of a Stripe `amount` in this currency (ISK, UGX: 2). */
export function minorUnitDigits(currency: string): number {
  const c = currency.toLowerCase();
  if (ZERO_DECIMAL.has(c)) return 0;
  if (THREE_DECIMAL.has(c)) return 3;
  return 2;
}

/**
 * 1999 usd → "19.99 USD", 1999 jpy → "1999 JPY", 1990 kwd → "1.990 KWD", 50000 isk → "500 ISK"
 * (whole krónur, as people write them; a stray fraction shows: 50050 isk → "500.50 ISK"). Integer
 * arithmetic only.
 */
export function formatAmount(amountMinor: number, currency: string): string {
  const digits = minorUnitDigits(currency);
  const code = currency.toUpperCase();
  if (digits === 0) return `${amountMinor} ${code}`;
  const scale = 10 ** digits;
  const major = Math.floor(amountMinor / scale);
  if (WHOLE_UNITS_IN_HUNDREDTHS.has(currency.toLowerCase()) && amountMinor % scale === 0) {
    return `${major} ${code}`;
  }
  const minor = String(amountMinor % scale).padStart(digits, '0');
  return `${major}.${minor} ${code}`;
}

/**
 * Why Stripe would refuse this many minor units of this (lowercase) currency in any amount it takes
 * (a charge, a refund), or undefined: the granularity rules, without the minimum charge.
 */
export function amountGranularityProblem(amountMinor: number, currency: string): string | undefined {
  if (THREE_DECIMAL.has(currency) && amountMinor % 10 !== 0) {
    return `must end in 0 for ${currency.toUpperCase()}: Stripe takes three-decimal amounts rounded to the nearest ten`;
  }
  if (WHOLE_UNITS_IN_HUNDREDTHS.has(currency) && amountMinor % 100 !== 0) {
    const code = currency.toUpperCase();
    return `must be divisible by 100 for ${code}: Stripe takes ${code} amounts in hundredths, of whole units only (500 is 5 ${code})`;
  }
  return undefined;
}

/** Why Stripe would refuse this charge amount in this (lowercase) currency, or undefined if it would not. */
export function amountProblem(amountMinor: number, currency: string): string | undefined {
  const minimum = MINIMUM_CHARGE_MINOR[currency];
  if (minimum !== undefined && amountMinor < minimum) {
    return `is below Stripe's minimum charge of ${formatAmount(minimum, currency)} (${minimum} in minor units)`;
  }
  return amountGranularityProblem(amountMinor, currency);
}

/** Why a (lowercase) ISO 4217 currency cannot be charged, or undefined when Stripe presents it. */
export function currencyProblem(currency: string): string | undefined {
  if (NOT_PRESENTABLE.has(currency))
    return 'is not a currency Stripe charges in (a fund, metal or test code)';
  return undefined;
}
