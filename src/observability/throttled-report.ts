/**
 * A failure that repeats every few seconds (Temporal down, a key without a permission) is reported
 * once per interval, not at every attempt: the first at once, then the next one an interval after
 * the last report.
 */
export function throttledReport(
  report: (err: unknown) => void,
  intervalMs: number,
  now: () => number = Date.now,
): (err: unknown) => void {
  let reportedAt = -Infinity;
  return (err) => {
    if (now() - reportedAt < intervalMs) return;
    reportedAt = now();
    report(err);
  };
}
