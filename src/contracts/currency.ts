/** Stripe's list of currencies whose minor unit is not 1/100; needed only to write amounts for people. */
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

export function minorUnitDigits(currency: string): number {
  const c = currency.toLowerCase();
  if (ZERO_DECIMAL.has(c)) return 0;
  if (THREE_DECIMAL.has(c)) return 3;
  return 2;
}

/** 1999 usd → "19.99 USD"; integer arithmetic only, so it is deterministic inside workflows. */
export function formatAmount(amountMinor: number, currency: string): string {
  const digits = minorUnitDigits(currency);
  const code = currency.toUpperCase();
  if (digits === 0) return `${amountMinor} ${code}`;
  const scale = 10 ** digits;
  const major = Math.floor(amountMinor / scale);
  const minor = String(amountMinor % scale).padStart(digits, '0');
  return `${major}.${minor} ${code}`;
}
