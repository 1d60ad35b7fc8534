/**
 * What Temporal holds of a charge is ciphertext (real stack: Temporal dev server, the service's
 * worker, the Stripe test-mode stand-in in front of stripe-mock). The charge's history as anyone with namespace
 * access reads it (`temporal workflow show --output json`, no codec) holds neither the order id nor
 * the amount nor the PaymentIntent's client_secret (which the workflow keeps, for GET to answer
 * without asking Stripe) in any payload, and no failure's message; the same history read with the
 * service's codec holds them all. The only plain copies are the search attributes (OrderId, AmountMinor…),
 * which Temporal must read to index and which no codec may touch.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { Payload } from '@temporalio/common';
import { historyFromJSON, type History } from '@temporalio/common/lib/proto-utils';
import { ENCRYPTED_ENCODING, KEY_ID_METADATA } from '../../src/clients/payload-codec';
import { chargeWorkflowId, type ChargeRecord } from '../../src/contracts/charge';
import type { ChargeWorkflow } from '../../src/workflows/charge';
import { decodePayloadsIn, localCodec } from '../support/codec';
import { AUTH_HEADER } from '../support/service';
import { stack } from '../support/stack';
import { standinServiceForSuite } from '../support/standin-suite';
import { waitUntil } from '../support/wait';

const TEMPORAL_CLI = path.join(path.dirname(stack.temporalTestServerPath), 'temporal');
/** Seven digits no id, timestamp or counter of a short run is likely to contain. */
const AMOUNT = 8_765_431;
/** What Stripe (and the stand-in) says of pm_card_chargeDeclinedInsufficientFunds. */
const DECLINE_MESSAGE = 'Your card has insufficient funds.';

/** The charge's history exactly as Temporal stores it: the CLI, without any codec. */
function rawHistory(workflowId: string): History {
  const json = execFileSync(
    TEMPORAL_CLI,
    ['workflow', 'show', '--address', stack.temporalAddress, '-w', workflowId, '--output', 'json'],
    { encoding: 'utf8' },
  );
  return historyFromJSON(JSON.parse(json));
}

const utf8 = (bytes: Uint8Array | null | undefined): string => Buffer.from(bytes ?? []).toString('utf8');

/** Every payload of a history, with where it sits (the property path). */
function payloadsOf(value: unknown, at = ''): Array<{ at: string; payload: Payload }> {
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return [];
  if ('metadata' in value && (value as { data?: unknown }).data instanceof Uint8Array) {
    return [{ at, payload: value as Payload }];
  }
  return Object.entries(value).flatMap(([key, child]) => payloadsOf(child, `${at}.${key}`));
}

/** All of a history's text: its fields, and each payload's data and metadata as UTF-8. */
function textOf(history: History): string {
  const payloads = payloadsOf(history).map(({ payload }) =>
    [utf8(payload.data), ...Object.values(payload.metadata ?? {}).map(utf8)].join(' '),
  );
  return `${JSON.stringify(history)} ${payloads.join(' ')}`;
}

/** The history without its search attributes (plain by design: Temporal indexes them). */
function withoutSearchAttributes<T>(value: T): T {
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return value;
  if (Array.isArray(value)) return value.map((v: unknown) => withoutSearchAttributes(v)) as T;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== 'searchAttributes')
      .map(([key, child]) => [key, withoutSearchAttributes(child)]),
  ) as T;
}

describe('payloads in Temporal are encrypted (real stack)', { timeout: 120_000 }, () => {
  const suite = standinServiceForSuite();

  const newCharge = () => {
    const id = randomUUID();
    return {
      event_id: `evt-enc-${id}`,
      order_id: `order-enc-${id}`,
      amount: AMOUNT,
      currency: 'usd',
      description: `Atlas of ${id}`,
    };
  };

  async function post(charge: object, prefer?: string): Promise<Response> {
    return fetch(`${suite.service.url}/charge`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...AUTH_HEADER, ...(prefer ? { prefer } : {}) },
      body: JSON.stringify(charge),
    });
  }

  it('a succeeded charge: no order id, amount or client_secret in any payload read raw; every payload under the active key; the codec reads them back', async () => {
    const charge = newCharge();
    const res = await post(charge, 'wait=5');
    assert.equal(res.status, 201, await res.clone().text());
    const created = (await res.json()) as ChargeRecord;
    // The early answer came from the workflow's update (its result is in the history), secret and all.
    const secret = created.client_secret;
    assert.ok(typeof secret === 'string' && /_secret_/.test(secret), `a client_secret (${typeof secret})`);
    // The customer pays in the browser; Stripe's signed webhook reaches the receiver.
    await suite.standin.control.confirm(String(created.payment_intent_id), 'pm_card_visa');
    const workflowId = chargeWorkflowId(charge.event_id);
    const final = await suite.temporal.workflow.getHandle<typeof ChargeWorkflow>(workflowId).result();
    assert.equal(final.status, 'succeeded');
    assert.equal(final.order_id, charge.order_id, 'the codec client reads the result');

    const raw = rawHistory(workflowId);
    const payloads = payloadsOf(withoutSearchAttributes(raw));
    assert.ok(payloads.length >= 6, `input, activities, signal, result… (${payloads.length} payloads)`);
    // The SDK's own patch markers aside (a patch id, written by the SDK's core past the codec).
    const isPatchMarker = (at: string) => /\.markerRecordedEventAttributes\.details\.patch-data\./.test(at);
    // And the trace context Temporal's tracing interceptors put in headers (which the SDK never
    // passes through the codec): it may hold nothing but W3C trace context, random ids.
    const isTraceHeader = (at: string) => /\.header\.fields\._tracer-data$/.test(at);
    for (const { at, payload } of payloads.filter((p) => isTraceHeader(p.at))) {
      // Empty when the caller sent no trace and tracing is off (as here), else a traceparent.
      const carried = JSON.parse(utf8(payload.data)) as Record<string, string>;
      for (const [name, value] of Object.entries(carried)) {
        assert.equal(name, 'traceparent', `${at} holds only the trace context`);
        assert.match(value, /^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/, at);
      }
    }
    const plain = payloads.filter(
      ({ at, payload }) =>
        utf8(payload.metadata?.['encoding']) !== ENCRYPTED_ENCODING &&
        !isPatchMarker(at) &&
        !isTraceHeader(at),
    );
    assert.deepEqual(
      plain.map((p) => p.at),
      [],
      'every payload but the search attributes, patch markers and trace context is encrypted',
    );
    const encrypted = payloads.filter(({ at }) => !isPatchMarker(at) && !isTraceHeader(at));
    assert.deepEqual(
      new Set(encrypted.map(({ payload }) => utf8(payload.metadata?.[KEY_ID_METADATA]))),
      new Set(['local-1']),
      'all under the active key',
    );
    const rawText = textOf(withoutSearchAttributes(raw));
    for (const clear of [
      charge.order_id,
      String(AMOUNT),
      charge.description,
      created.payment_intent_id ?? '',
      secret,
    ]) {
      assert.ok(!rawText.includes(clear), `"${clear}" is not readable in the raw history`);
    }
    assert.doesNotMatch(rawText, /_secret_/, 'nothing shaped like a client_secret, raw');
    // Where they are still plain, on purpose: the search attributes operators search by.
    assert.ok(textOf(raw).includes(charge.order_id), 'OrderId stays a plain search attribute');

    const decoded = await decodePayloadsIn(raw, localCodec());
    const decodedText = textOf(decoded);
    for (const clear of [
      charge.order_id,
      String(AMOUNT),
      charge.description,
      created.payment_intent_id ?? '',
      secret,
    ]) {
      assert.ok(decodedText.includes(clear), `"${clear}" is readable with the codec`);
    }
  });

  it("a declined charge: the failure's message is encoded too, and readable with the codec", async () => {
    // Confirmed by the server with a card the bank declines: Stripe refuses the create (402).
    const charge = { ...newCharge(), payment_method: 'pm_card_chargeDeclinedInsufficientFunds' };
    assert.equal((await post(charge)).status, 202);
    const workflowId = chargeWorkflowId(charge.event_id);
    const final = await suite.temporal.workflow.getHandle<typeof ChargeWorkflow>(workflowId).result();
    assert.equal(final.status, 'failed');

    const raw = await waitUntil(async () => {
      const history = rawHistory(workflowId);
      return history.events?.some((e) => e.activityTaskFailedEventAttributes) ? history : undefined;
    }, 'the failed create in the history');
    const failure = raw.events?.find((e) => e.activityTaskFailedEventAttributes)
      ?.activityTaskFailedEventAttributes?.failure;
    assert.ok(failure);
    assert.equal(failure.message, 'Encoded failure');
    assert.equal(utf8(failure.encodedAttributes?.metadata?.['encoding']), ENCRYPTED_ENCODING);
    const rawText = textOf(raw);
    assert.ok(!rawText.includes(DECLINE_MESSAGE), "Stripe's message is not readable raw");
    assert.ok(!/\bat .*\.(ts|js):\d+/.test(rawText), 'no stack trace is readable raw');

    const decoded = await decodePayloadsIn(raw, localCodec());
    const attributes = decoded.events?.find((e) => e.activityTaskFailedEventAttributes)
      ?.activityTaskFailedEventAttributes?.failure?.encodedAttributes;
    const { message, stack_trace } = JSON.parse(utf8(attributes?.data)) as {
      message: string;
      stack_trace: string;
    };
    assert.match(message, new RegExp(DECLINE_MESSAGE));
    assert.ok(stack_trace.length > 0, 'the stack trace travels, encrypted');
  });
});
