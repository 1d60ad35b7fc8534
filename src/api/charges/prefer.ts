/**
 * The `Prefer` request header (RFC 7240) as POST /charge reads it: only the `wait` preference, "answer
 * within N seconds". A preference is a wish, not a command: one this service does not know, or a
 * malformed one, is ignored (never a 400), only the first `wait` counts (RFC 7240, section 2), and a
 * wait over the maximum is cut to it. The answer that honours it names what was applied in
 * `Preference-Applied`.
 */

/** The longest a caller may hold POST /charge open waiting for the PaymentIntent. */
export const MAX_PREFER_WAIT_SECONDS = 10;

const WAIT = /^wait\s*=\s*(?:(\d{1,9})|"(\d{1,9})")$/i;

/**
 * The seconds to wait, in 1 … MAX_PREFER_WAIT_SECONDS; undefined when the header asks for no wait
 * (absent, no `wait`, `wait=0`, or malformed).
 */
export function preferredWaitSeconds(header: string | readonly string[] | undefined): number | undefined {
  const values = typeof header === 'string' ? [header] : (header ?? []);
  for (const value of values) {
    for (const preference of value.split(',')) {
      // Parameters (after `;`) are not used by `wait`.
      const token = (preference.split(';')[0] ?? '').trim();
      if (!/^wait\b/i.test(token)) continue;
      const match = WAIT.exec(token);
      if (!match) return undefined;
      const seconds = Number(match[1] ?? match[2]);
      return seconds === 0 ? undefined : Math.min(seconds, MAX_PREFER_WAIT_SECONDS);
    }
  }
  return undefined;
}

/** The `Preference-Applied` value of an answer that honoured the wait. */
export function waitApplied(seconds: number): string {
  return `wait=${seconds}`;
}
