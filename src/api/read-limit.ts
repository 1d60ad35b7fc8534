/**
 * How many charge reads a gateway answers per second: a token bucket holding one second's worth,
 * refilled continuously. Storefronts poll GET /charges/:event_id by the thousand during a sale; each
 * read costs the Temporal server (and sometimes a worker) what POST /charge needs to start charges,
 * so reads above the rate are refused at once (503 busy, Retry-After: 1) instead of queuing.
 */
export class ReadLimit {
  private tokens: number;
  private last: number;

  constructor(
    private readonly perSecond: number,
    now: number,
  ) {
    this.tokens = perSecond;
    this.last = now;
  }

  /** True (and counted) when a read at `now` (ms) is within the rate. */
  admit(now: number): boolean {
    this.tokens = Math.min(this.perSecond, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
