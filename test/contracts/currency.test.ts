/**
 * The currency table against Stripe's "Supported currencies" guide: how many digits an `amount` has
 * in each currency, including Stripe's special cases (ISK and UGX are two-decimal in the API but take
 * whole units only; HUF and TWD are zero-decimal for payouts only), and which amounts it refuses.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  amountGranularityProblem,
  amountProblem,
  formatAmount,
  minorUnitDigits,
} from '../../src/contracts/currency';

describe('the currency table', () => {
  it('counts ISK and UGX amounts in hundredths, as Stripe does (5 ISK is 500), and writes them in whole units', () => {
    assert.equal(minorUnitDigits('isk'), 2);
    assert.equal(minorUnitDigits('UGX'), 2);
    assert.equal(formatAmount(500, 'isk'), '5 ISK');
    assert.equal(formatAmount(374_500, 'ugx'), '3745 UGX');
    assert.equal(formatAmount(50_050, 'isk'), '500.50 ISK', 'a fraction Stripe would refuse still shows');
  });

  it('keeps HUF and TWD two-decimal for charges (zero-decimal at Stripe for payouts only)', () => {
    assert.equal(formatAmount(17_550, 'huf'), '175.50 HUF');
    assert.equal(formatAmount(1_050, 'twd'), '10.50 TWD');
    assert.equal(amountProblem(17_550, 'huf'), undefined);
    assert.equal(amountProblem(1_050, 'twd'), undefined);
  });

  it('refuses ISK and UGX amounts that are not whole units, naming the rule', () => {
    for (const [amount, currency] of [
      [150, 'isk'],
      [5, 'isk'],
      [3_745, 'ugx'],
    ] as const) {
      assert.match(
        amountProblem(amount, currency) ?? '',
        new RegExp(
          `^must be divisible by 100 for ${currency.toUpperCase()}: .*\\(500 is 5 ${currency.toUpperCase()}\\)$`,
        ),
      );
    }
    assert.equal(amountProblem(100, 'isk'), undefined);
    assert.equal(amountProblem(374_500, 'ugx'), undefined);
  });

  it('applies the granularity rules to any amount (a refund), and the minimum only to a charge', () => {
    assert.equal(amountGranularityProblem(10, 'usd'), undefined, 'a 0.10 USD refund is fine');
    assert.match(amountProblem(10, 'usd') ?? '', /minimum charge of 0.50 USD/);
    assert.match(amountGranularityProblem(1_995, 'kwd') ?? '', /must end in 0 for KWD/);
    assert.match(amountGranularityProblem(150, 'isk') ?? '', /must be divisible by 100 for ISK/);
    assert.equal(amountGranularityProblem(17_501, 'huf'), undefined);
  });

  it('leaves the true zero-decimal currencies alone: 1999 JPY is ¥1,999', () => {
    assert.equal(minorUnitDigits('jpy'), 0);
    assert.equal(amountProblem(1_999, 'jpy'), undefined);
    assert.equal(formatAmount(1_999, 'jpy'), '1999 JPY');
  });
});
