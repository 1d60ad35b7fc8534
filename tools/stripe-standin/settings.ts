/**
 * What tests and `npm run webhook` may change while the stand-in runs (POST /_standin/config): the
 * rate limit, the delays of what banks and customers do later, and the webhook chaos. Each with its
 * one default here.
 */

export interface WebhookSettings {
  /** Deliveries of one event to one endpoint, the first included (Stripe's test mode: 1 + 3 retries). */
  max_attempts: number;
  /** The pause before the first retry; it doubles per attempt up to retry_max_ms. */
  retry_base_ms: number;
  retry_max_ms: number;
  /** An endpoint that has not answered within this long has failed the attempt. */
  timeout_ms: number;
  /** Probability (0–1) that an event is delivered a second time, as Stripe may. */
  duplicate: number;
  /** Probability (0–1) that an event is never delivered (a lost webhook: reconciliation's case). */
  drop: number;
  /** Deliver the events of each reorder window newest first. */
  out_of_order: boolean;
  reorder_window_ms: number;
  /** Wait this long before the first attempt of each event. */
  delay_ms: number;
}

export interface StandinSettings {
  /** Stripe's test-mode limit is 25 requests per second; null: no limit. */
  rate_limit_per_second: number | null;
  /** How long a stand-in delayed payment method stays in `processing`. */
  processing_ms: number;
  /** How long after a dispute test card's payment the bank opens the dispute. */
  dispute_after_ms: number;
  /** How long after a refund of pm_card_refundFail's payment the refund fails. */
  refund_failure_after_ms: number;
  /** A new PaymentIntent is found by search only this long after it was created (Stripe: usually < 1 min). */
  search_lag_ms: number;
  webhooks: WebhookSettings;
}

export const DEFAULT_SETTINGS: StandinSettings = {
  rate_limit_per_second: 25,
  processing_ms: 3000,
  dispute_after_ms: 2000,
  refund_failure_after_ms: 2000,
  search_lag_ms: 0,
  webhooks: {
    max_attempts: 4,
    retry_base_ms: 2000,
    retry_max_ms: 60_000,
    timeout_ms: 10_000,
    duplicate: 0,
    drop: 0,
    out_of_order: false,
    reorder_window_ms: 1000,
    delay_ms: 0,
  },
};

export function cloneSettings(settings: StandinSettings): StandinSettings {
  return { ...settings, webhooks: { ...settings.webhooks } };
}

const NUMBER_LIMITS: Record<string, readonly [number, number]> = {
  processing_ms: [0, 3_600_000],
  dispute_after_ms: [0, 3_600_000],
  refund_failure_after_ms: [0, 3_600_000],
  search_lag_ms: [0, 3_600_000],
  max_attempts: [1, 100],
  retry_base_ms: [0, 86_400_000],
  retry_max_ms: [0, 86_400_000],
  timeout_ms: [1, 600_000],
  duplicate: [0, 1],
  drop: [0, 1],
  reorder_window_ms: [0, 600_000],
  delay_ms: [0, 3_600_000],
};

function checkedNumber(name: string, value: unknown, problems: string[]): number | undefined {
  const [min, max] = NUMBER_LIMITS[name] ?? [0, Number.MAX_SAFE_INTEGER];
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    problems.push(`${name}: must be a number between ${min} and ${max}`);
    return undefined;
  }
  return value;
}

/**
 * The settings with `patch` applied (only the fields it names), or the problems that refused it.
 * Unknown fields are refused, so a typo never silently leaves a default in place.
 */
export function applySettingsPatch(
  current: StandinSettings,
  patch: unknown,
): { settings: StandinSettings } | { problems: string[] } {
  const problems: string[] = [];
  const next = cloneSettings(current);
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
    return { problems: ['the body must be a JSON object'] };
  }
  for (const [name, value] of Object.entries(patch as Record<string, unknown>)) {
    if (name === 'rate_limit_per_second') {
      if (value === null) next.rate_limit_per_second = null;
      else if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 100_000)
        next.rate_limit_per_second = value;
      else
        problems.push('rate_limit_per_second: must be a whole number from 1 to 100000, or null (no limit)');
    } else if (name === 'webhooks') {
      if (typeof value !== 'object' || value === null) {
        problems.push('webhooks: must be an object');
        continue;
      }
      for (const [field, raw] of Object.entries(value as Record<string, unknown>)) {
        if (!(field in next.webhooks)) problems.push(`webhooks.${field}: unknown setting`);
        else if (field === 'out_of_order') {
          if (typeof raw === 'boolean') next.webhooks.out_of_order = raw;
          else problems.push('webhooks.out_of_order: must be true or false');
        } else {
          const number = checkedNumber(field, raw, problems);
          if (number !== undefined) (next.webhooks as unknown as Record<string, number>)[field] = number;
        }
      }
    } else if (name in NUMBER_LIMITS && name in next) {
      const number = checkedNumber(name, value, problems);
      if (number !== undefined) (next as unknown as Record<string, number>)[name] = number;
    } else {
      problems.push(`${name}: unknown setting`);
    }
  }
  return problems.length > 0 ? { problems } : { settings: next };
}
