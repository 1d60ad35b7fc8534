import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type Stripe from 'stripe';
import { createPacer, pacedStripeHttpClient, type Clock } from '../../src/stripe/pacer';

type HttpClient = ReturnType<typeof Stripe.createNodeHttpClient>;

/**
 * A fake clock. `advances`: a sleep moves it (one caller after another); otherwise it stands still
 * (callers asking at the same instant), and only `pass` moves it.
 */
function fakeClock(advances: boolean): Clock & { readonly sleeps: number[]; pass(ms: number): void } {
  let now = 1_000_000;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      if (advances) now += ms;
    },
    pass: (ms) => (now += ms),
  };
}

describe('pacing Stripe requests', () => {
  it('lets the first request through at once and spaces the next ones 1/rate s apart, in order of asking', async () => {
    const clock = fakeClock(false);
    const pacer = createPacer(20, clock);
    await Promise.all(Array.from({ length: 5 }, () => pacer.slot()));
    // 20/s: one every 50 ms; the first waits for nothing. Asked together, each waits its turn.
    assert.deepEqual(clock.sleeps, [50, 100, 150, 200]);
  });

  it('never lets more than rate requests (+1 at the window edge) through in any second, however they ask', async () => {
    const clock = fakeClock(true);
    const pacer = createPacer(20, clock);
    const sentAt: number[] = [];
    for (let i = 0; i < 100; i++) {
      await pacer.slot();
      sentAt.push(clock.now());
    }
    const busiest = Math.max(...sentAt.map((t) => sentAt.filter((u) => u >= t && u < t + 1000).length));
    assert.equal(busiest, 20);
  });

  it('keeps no credit from an idle time: after a pause the requests are spaced again, not sent in a burst', async () => {
    const clock = fakeClock(false);
    const pacer = createPacer(10, clock);
    await Promise.all(Array.from({ length: 3 }, () => pacer.slot()));
    clock.pass(60_000); // idle for a minute
    clock.sleeps.length = 0;
    await Promise.all(Array.from({ length: 4 }, () => pacer.slot()));
    assert.deepEqual(clock.sleeps, [100, 200, 300]);
  });

  it('refuses a rate that is not a positive number', () => {
    assert.throws(() => createPacer(0), /rate must be a positive number/);
    assert.throws(() => createPacer(Number.NaN), /rate must be a positive number/);
    assert.throws(() => createPacer(10).setRate(Number.POSITIVE_INFINITY), /rate must be a positive number/);
  });

  it('spaces the requests reserved after a rate change at the new rate', async () => {
    const clock = fakeClock(false);
    const pacer = createPacer(20, clock);
    await Promise.all(Array.from({ length: 2 }, () => pacer.slot()));
    pacer.setRate(10); // the fleet grew: this worker's share halved
    await Promise.all(Array.from({ length: 2 }, () => pacer.slot()));
    // 50 ms after the first; the next slot was reserved at 20/s (100 ms), then 100 ms apart.
    assert.deepEqual(clock.sleeps, [50, 100, 200]);
    assert.equal(pacer.ratePerSecond, 10);
  });

  it("sends each of Stripe's HTTP requests in its slot, and passes the request through unchanged", async () => {
    const order: string[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const pacer = {
      slot: async () => {
        order.push('slot asked');
        await gate;
        order.push('slot given');
      },
    };
    const inner = {
      getClientName: () => 'node',
      makeRequest: async (...args: unknown[]) => {
        order.push(`sent ${JSON.stringify(args)}`);
        return { getStatusCode: () => 200 };
      },
    } as unknown as HttpClient;
    const client = pacedStripeHttpClient(pacer, inner);
    const call = client.makeRequest(
      '127.0.0.1',
      '12111',
      '/v1/payment_intents',
      'POST',
      {},
      'a=1',
      'http',
      1000,
    );
    await Promise.resolve();
    assert.deepEqual(order, ['slot asked']);
    release();
    await call;
    assert.deepEqual(order, [
      'slot asked',
      'slot given',
      `sent ${JSON.stringify(['127.0.0.1', '12111', '/v1/payment_intents', 'POST', {}, 'a=1', 'http', 1000])}`,
    ]);
    assert.equal(client.getClientName(), 'node');
  });
});
