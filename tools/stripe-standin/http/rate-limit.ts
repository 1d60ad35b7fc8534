/**
 * Stripe's test-mode rate limit (25 requests per second per account): at most `perSecond` accepted
 * requests in any window of one second, a sliding window over the requests accepted (a refused one
 * does not count), so no second, wherever it starts, holds more. Above it Stripe answers 429.
 */
export class SlidingWindowLimit {
  private readonly accepted: number[] = [];
  private head = 0;

  constructor(
    /** Requests per window; null admits everything. */
    public perSecond: number | null,
    readonly windowMs = 1000,
  ) {}

  /** True (and counted) when a request at `atMs` is within the limit; false: answer 429. */
  admit(atMs: number): boolean {
    if (this.perSecond === null) return true;
    while (this.head < this.accepted.length && (this.accepted[this.head] ?? atMs) <= atMs - this.windowMs) {
      this.head++;
    }
    if (this.accepted.length - this.head >= this.perSecond) return false;
    this.accepted.push(atMs);
    if (this.head > 4096) {
      this.accepted.splice(0, this.head);
      this.head = 0;
    }
    return true;
  }
}
