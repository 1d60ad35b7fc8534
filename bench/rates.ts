/**
 * Where the full path's steps go. Machines of the same kind differ 3-4x in speed, so fixed rates
 * (10, 25, 40, ...) land on different parts of the curve on different boxes, and a sustained rate
 * stepped past by a wide gap says little. Unless `--rates` names them, the steps are placed at
 * fractions of the no-op-workflow ceiling measured first on the same box, and a few more steps then
 * bisect between the highest step that passed and the lowest that failed.
 */

/** Charges/s at each fraction of `basisPerS`: whole numbers, at least 1, ascending, no repeats. */
export function placeRates(basisPerS: number, fractions: readonly number[]): number[] {
  const rates = fractions.map((f) => Math.max(1, Math.round(basisPerS * f)));
  return [...new Set(rates)].sort((a, b) => a - b);
}

export interface SteppedRate {
  readonly offered_per_s: number;
  readonly passed: boolean;
}

/**
 * The next rate to try: halfway between the highest rate that passed (0 if none) and the lowest
 * failed rate above it, in whole charges/s; null when every step passed (nothing above to search
 * towards) or the two are 1 charge/s apart or less.
 */
export function nextSearchRate(steps: readonly SteppedRate[]): number | null {
  const passed = steps.filter((s) => s.passed).map((s) => s.offered_per_s);
  const low = passed.length > 0 ? Math.max(...passed) : 0;
  const failedAbove = steps.filter((s) => !s.passed && s.offered_per_s > low).map((s) => s.offered_per_s);
  if (failedAbove.length === 0) return null;
  const high = Math.min(...failedAbove);
  const mid = Math.round((low + high) / 2);
  return mid > low && mid < high ? mid : null;
}
