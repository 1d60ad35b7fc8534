/**
 * The Kafka records' contracts (src/contracts/schemas/): every topic of the table has one, its JSON
 * Schemas compile in strict mode, its example conforms, the schemas refuse what consumers must never
 * see, and what the publisher really writes for each topic conforms.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { ProducerRecord, RecordMetadata } from 'kafkajs';
import { createKafkaActivities } from '../../src/activities/kafka';
import { LATE_SUCCESS_CAUSE, lateSuccessRefundId } from '../../src/contracts/late-outcome';
import type { PaymentEventV1 } from '../../src/contracts/payment-event';
import type { RefundEventV1 } from '../../src/contracts/refund';
import { PAYMENT_EVENT_V1 } from '../../src/contracts/schemas/payment-event.v1';
import { REFUND_EVENT_V1 } from '../../src/contracts/schemas/refund-event.v1';
import { TOPIC_KEYS, TOPICS } from '../../src/contracts/topics';
import { compileContract, contractOfTopic, recordViolations } from '../support/record-schemas';
import { DEFAULT_TOPIC_NAMES } from '../support/test-app';

const charge = PAYMENT_EVENT_V1.example;
const refund = REFUND_EVENT_V1.example;

describe('the Kafka record contracts', () => {
  for (const key of TOPIC_KEYS) {
    const { default: topic, record } = TOPICS[key];
    it(`${topic}: its record contract (${record.name}) compiles strictly and its example conforms`, () => {
      compileContract(record);
      assert.deepEqual(recordViolations(record, record.example.headers, record.example.payload), []);
      assert.equal(record.example.headers['schema_version'], record.schemaVersion);
      assert.equal(contractOfTopic(topic), record, 'the test reader finds it by the topic name');
    });
  }

  it('refuses a field the contract does not name, so an undocumented field fails the integration tests', () => {
    const problems = recordViolations(PAYMENT_EVENT_V1, charge.headers, { ...charge.payload, tip: 100 });
    assert.match(problems.join('\n'), /value: must NOT have additional properties .*"tip"/);
  });

  it('refuses amounts that are not whole minor units, upper-case currencies and times that are not RFC 3339', () => {
    for (const [field, bad] of [
      ['amount', 19.99],
      ['amount', '1999'],
      ['currency', 'USD'],
      ['occurred_at', 'yesterday'],
      ['payment_intent_id', 'ch_123'],
    ] as const) {
      const problems = recordViolations(PAYMENT_EVENT_V1, charge.headers, {
        ...charge.payload,
        [field]: bad,
      });
      assert.ok(
        problems.some((p) => p.startsWith(`value/${field}:`)),
        `${field}=${JSON.stringify(bad)}: ${problems.join('; ')}`,
      );
    }
  });

  it('refuses a succeeded charge that carries a failure, and accepts a failed one that does', () => {
    const failure = {
      code: 'card_declined',
      message: 'Your card was declined.',
      decline_code: 'generic_decline',
    };
    assert.notDeepEqual(
      recordViolations(PAYMENT_EVENT_V1, charge.headers, { ...charge.payload, failure }),
      [],
    );
    const failed: PaymentEventV1 = { ...charge.payload, status: 'failed', failure };
    assert.deepEqual(recordViolations(PAYMENT_EVENT_V1, { ...charge.headers, status: 'failed' }, failed), []);
  });

  it('refuses records without the headers consumers deduplicate and version by, or of another version', () => {
    const { message_id: _dropped, ...noMessageId } = charge.headers;
    assert.match(recordViolations(PAYMENT_EVENT_V1, noMessageId, charge.payload).join('\n'), /message_id/);
    const v2 = { ...charge.headers, schema_version: '2' };
    assert.match(recordViolations(PAYMENT_EVENT_V1, v2, charge.payload).join('\n'), /schema_version/);
    const { refund_id: _gone, ...noRefundId } = refund.headers;
    assert.match(recordViolations(REFUND_EVENT_V1, noRefundId, refund.payload).join('\n'), /refund_id/);
  });

  it('refuses a refund cause the contract does not name', () => {
    const problems = recordViolations(REFUND_EVENT_V1, refund.headers, {
      ...refund.payload,
      cause: 'because',
    });
    assert.match(problems.join('\n'), /value\/cause: must be equal to one of the allowed values/);
  });

  it('has no contract for a topic outside the table', () => {
    assert.throws(
      () => contractOfTopic('payments.unknown'),
      /no record contract for topic payments\.unknown/,
    );
  });
});

describe('what the publisher writes matches the contract of the topic it writes to', () => {
  /** The publish activities over a producer that keeps what it was asked to send. */
  function publisher() {
    const sent: ProducerRecord[] = [];
    const producer = {
      send: async (record: ProducerRecord): Promise<RecordMetadata[]> => {
        sent.push(record);
        return [];
      },
      disconnect: async () => undefined,
    };
    const activities = createKafkaActivities({ producer, topics: DEFAULT_TOPIC_NAMES, metrics: undefined });
    return { activities, sent };
  }

  function violationsOf(sent: readonly ProducerRecord[]): string[] {
    return sent.flatMap(({ topic, messages }) =>
      messages.flatMap((m) => {
        const headers = Object.fromEntries(Object.entries(m.headers ?? {}).map(([k, v]) => [k, String(v)]));
        return recordViolations(contractOfTopic(topic), headers, JSON.parse(String(m.value)));
      }),
    );
  }

  const charges: PaymentEventV1[] = [
    charge.payload,
    {
      ...charge.payload,
      status: 'failed',
      failure: {
        code: 'card_declined',
        message: 'Your card was declined.',
        decline_code: 'insufficient_funds',
      },
    },
    {
      ...charge.payload,
      payment_intent_id: null,
      status: 'canceled',
      failure: { code: 'canceled', message: 'canceled before Stripe created a PaymentIntent' },
    },
  ];
  for (const event of charges) {
    it(`a ${event.status} charge`, async () => {
      const { activities, sent } = publisher();
      await new MockActivityEnvironment().run(
        (e: PaymentEventV1) => activities.publishPaymentEvent(e),
        event,
      );
      assert.equal(sent.length, 1);
      assert.deepEqual(violationsOf(sent), []);
    });
  }

  const refunds: RefundEventV1[] = [
    refund.payload,
    // The service's own refund of money taken after the charge was announced failed (late outcome),
    // for an event_id of the longest length POST /charge takes.
    {
      ...refund.payload,
      event_id: 'e'.repeat(200),
      refund_id: lateSuccessRefundId('e'.repeat(200)),
      reason: null,
      cause: LATE_SUCCESS_CAUSE,
    },
    {
      ...refund.payload,
      stripe_refund_id: null,
      reason: null,
      status: 'failed',
      failure: { code: 'charge_already_refunded', message: 'Charge has already been refunded.' },
    },
  ];
  for (const event of refunds) {
    it(`a ${event.status} refund${event.cause ? ` (cause ${event.cause})` : ''}`, async () => {
      const { activities, sent } = publisher();
      await new MockActivityEnvironment().run((e: RefundEventV1) => activities.publishRefundEvent(e), event);
      assert.equal(sent.length, 1);
      assert.deepEqual(violationsOf(sent), []);
    });
  }
});
