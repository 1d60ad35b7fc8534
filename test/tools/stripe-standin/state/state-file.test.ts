/**
 * The state file: a restarted stand-in (the local stack's down/up) still knows its PaymentIntents,
 * answers repeated idempotency keys as before, and finishes what a bank had yet to do.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { createStripeClient } from '../../../../src/stripe/client';
import { startStandin, type RunningStandin } from '../../../../tools/stripe-standin/server';
import { STANDIN_TEST_KEY, startUpstreamStub, type UpstreamStub } from '../../../support/stripe-standin';
import { waitUntil } from '../../../support/wait';

describe('stripe-standin: the state file', { timeout: 60_000 }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'standin-state-'));
  const file = path.join(dir, 'state.json');
  const running: RunningStandin[] = [];
  let upstream: UpstreamStub | undefined;
  after(async () => {
    for (const standin of running) await standin.close();
    await upstream?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const start = async () => {
    upstream ??= await startUpstreamStub();
    const standin = await startStandin({
      upstream: upstream.url,
      stateFile: file,
      settings: { rate_limit_per_second: null, processing_ms: 300 },
      log: () => {},
    });
    running.push(standin);
    const { hostname, port } = new URL(standin.url);
    const stripe = createStripeClient({
      stripe: { key: STANDIN_TEST_KEY, apiBase: { protocol: 'http', host: hostname, port: Number(port) } },
    });
    return { standin, stripe };
  };

  it('keeps PaymentIntents, idempotency keys and pending bank work across a restart', async () => {
    const first = await start();
    const params = { amount: 3100, currency: 'gbp', metadata: { event_id: 'evt-kept' } };
    const kept = await first.stripe.paymentIntents.create(params, { idempotencyKey: 'kept-key' });
    const delayed = await first.stripe.paymentIntents.create({
      amount: 800,
      currency: 'usd',
      payment_method: 'pm_standin_delayed_success',
      confirm: true,
    });
    assert.equal(delayed.status, 'processing');
    await first.standin.close();
    assert.equal((fs.statSync(file).mode & 0o777).toString(8), '600');

    const second = await start();
    const read = await second.stripe.paymentIntents.retrieve(kept.id);
    assert.deepEqual([read.amount, read.currency, read.metadata], [3100, 'gbp', { event_id: 'evt-kept' }]);
    const replayed = await second.stripe.paymentIntents.create(params, { idempotencyKey: 'kept-key' });
    assert.equal(replayed.id, kept.id);
    await waitUntil(
      async () => (await second.stripe.paymentIntents.retrieve(delayed.id)).status === 'succeeded',
      'the processing payment to finish after the restart',
    );
  });
});
