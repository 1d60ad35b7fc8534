/** The settings tests change at run time: only known fields, within their bounds. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applySettingsPatch, DEFAULT_SETTINGS } from '../../../tools/stripe-standin/settings';

describe('stripe-standin: settings', () => {
  it("defaults to Stripe's test mode: 25 requests per second, one delivery and three retries", () => {
    assert.equal(DEFAULT_SETTINGS.rate_limit_per_second, 25);
    assert.equal(DEFAULT_SETTINGS.webhooks.max_attempts, 4);
  });

  it('applies a partial patch and leaves the rest', () => {
    const result = applySettingsPatch(DEFAULT_SETTINGS, {
      rate_limit_per_second: null,
      webhooks: { duplicate: 1 },
    });
    assert.ok('settings' in result);
    assert.equal(result.settings.rate_limit_per_second, null);
    assert.equal(result.settings.webhooks.duplicate, 1);
    assert.equal(result.settings.webhooks.max_attempts, DEFAULT_SETTINGS.webhooks.max_attempts);
    assert.equal(DEFAULT_SETTINGS.webhooks.duplicate, 0, 'the defaults are not changed');
  });

  it('names each field it refuses', () => {
    const result = applySettingsPatch(DEFAULT_SETTINGS, {
      rate_limit_per_second: 0,
      webhooks: { drop: 2, colour: 1 },
      speed: 1,
    });
    assert.ok('problems' in result);
    assert.deepEqual(
      result.problems.map((p) => p.split(':')[0]),
      ['rate_limit_per_second', 'drop', 'webhooks.colour', 'speed'],
    );
  });
});
