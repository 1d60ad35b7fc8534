import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Context as ActivityContext } from '@temporalio/activity';
import { defaultPayloadConverter } from '@temporalio/common';
import type { ActivityExecuteInput } from '@temporalio/worker';
import { activityTracingInterceptors } from '../../src/activities/tracing-interceptors';
import { scheduledTraceparent } from '../../src/observability/tracing';
import { spanRecorder } from '../support/span-recorder';

const SCHEDULED = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

/** An attempt of an activity whose ActivityTaskScheduled event carries `headers`. */
async function attempt(headers: ActivityExecuteInput['headers']): Promise<string | undefined> {
  const [keepScheduled] = activityTracingInterceptors(spanRecorder().tracer);
  const { inbound } = keepScheduled!({} as ActivityContext);
  return (await inbound!.execute!({ args: [], headers }, async () => scheduledTraceparent())) as
    string | undefined;
}

describe("the activity's scheduling trace context", () => {
  it("is the workflow's scheduling span, the same on every attempt (the PaymentIntent metadata's traceparent)", async () => {
    const headers = { '_tracer-data': defaultPayloadConverter.toPayload({ traceparent: SCHEDULED }) };
    assert.equal(await attempt(headers), SCHEDULED);
    assert.equal(await attempt(headers), SCHEDULED);
  });

  it('is absent when the workflow scheduled the activity outside any trace', async () => {
    assert.equal(await attempt({}), undefined);
    assert.equal(await attempt({ '_tracer-data': defaultPayloadConverter.toPayload({}) }), undefined);
  });
});
