/**
 * What an operator sees: after a charge ends on the real stack, the Temporal Web UI (headless Debian
 * Chromium through playwright-core) finds it by `OrderId="…"`, lists exactly one ChargeWorkflow with
 * its ChargeStatus, and its detail page shows the summary, the search attributes, and in the event
 * history each activity's summary. A charge still waiting shows its state in the workflow's current
 * details (status, PaymentIntent, what it waits for). Screenshots go to
 * test-results/temporal-ui-<outcome>-<page>.png.
 *
 * Temporal holds every one of those payloads encrypted (the UI's own API hands the page ciphertext):
 * the page reads them through the local stack's codec server (its --ui-codec-endpoint), so each
 * text shown here is also a decoded payload, and a finished charge shows its input and result in
 * clear.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import type { Locator, Page, Response } from 'playwright-core';
import { chargeWorkflowId, type ChargeRecord } from '../../src/contracts/charge';
import type { ChargeWorkflow } from '../../src/workflows/charge';
import { launchChromium, type Browser } from '../support/chromium';
import { AUTH_HEADER, startTestService, TEST_WEBHOOK_SECRET, type TestService } from '../support/service';
import { stack } from '../support/stack';
import { paymentIntentEvent, signatureFor } from '../../scripts/stripe-events';
import { waitUntil } from '../support/wait';
import { localDataConverter } from '../support/codec';

const NAMESPACE = 'default';
/** Visibility is eventually consistent: how long the search may take to list the charge as it ended. */
const SEARCH_TIMEOUT_MS = 30_000;
/** How long one look at the page waits before the search is run again. */
const LOOK_TIMEOUT_MS = 3_000;

interface Outcome {
  readonly name: 'succeeded' | 'failed';
  readonly webhookType: string;
  /** A payment method confirms the charge server-side (a declined one then ends it failed). */
  readonly paymentMethod?: string;
  readonly paymentIntentStatus: string;
  /** The summary each activity of this path carries (ChargeWorkflow's executeWithOptions). */
  readonly activitySummaries: Readonly<Record<string, string>>;
}

const OUTCOMES: readonly Outcome[] = [
  {
    name: 'succeeded',
    webhookType: 'payment_intent.succeeded',
    paymentIntentStatus: 'succeeded',
    activitySummaries: {
      createPaymentIntent: 'Create Stripe PaymentIntent for 15.00 USD',
      publishPaymentEvent: 'Publish succeeded to payments.completed',
    },
  },
  {
    name: 'failed',
    webhookType: 'payment_intent.payment_failed',
    paymentIntentStatus: 'requires_payment_method',
    // Server-confirmed: the decline (stripe-mock's fixture error) closes the PaymentIntent at Stripe first.
    paymentMethod: 'pm_card_chargeDeclined',
    activitySummaries: {
      createPaymentIntent: 'Create Stripe PaymentIntent for 15.00 USD',
      cancelPaymentIntent: 'Cancel the PaymentIntent (idempotency_error)',
      publishPaymentEvent: 'Publish failed to payments.failed',
    },
  },
];

// Each page now also waits for the codec server's answers (one request per payload shown).
describe('Temporal Web UI shows each charge to an operator', { timeout: 240_000 }, () => {
  let service: TestService;
  let temporal: Client;
  let browser: Browser;

  before(async () => {
    // Started side by side; whatever did start is assigned, so `after` stops it even if another failed.
    const started = await Promise.allSettled([
      startTestService().then((s) => (service = s)),
      Connection.connect({ address: stack.temporalAddress }).then(
        (connection) => (temporal = new Client({ connection, dataConverter: localDataConverter() })),
      ),
      launchChromium().then((b) => (browser = b)),
    ]);
    for (const result of started) if (result.status === 'rejected') throw result.reason;
    browser.page.setDefaultTimeout(15_000);
  });
  after(async () => {
    await browser?.close();
    await service?.stop();
    await temporal?.connection.close();
  });

  /** POST /charge, wait for the PaymentIntent, send Stripe's signed verdict, await the workflow. */
  async function runCharge(outcome: Outcome): Promise<{ orderId: string; workflowId: string }> {
    const id = randomUUID();
    const charge = {
      event_id: `evt-ui-${id}`,
      order_id: `order-ui-${id}`,
      amount: 1500,
      currency: 'usd',
      ...(outcome.paymentMethod ? { payment_method: outcome.paymentMethod } : {}),
    };
    const res = await fetch(`${service.url}/charge`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...AUTH_HEADER },
      body: JSON.stringify(charge),
    });
    assert.equal(res.status, 202, await res.text());

    const paymentIntentId = await waitUntil(async () => {
      const state = await fetch(`${service.url}/charges/${charge.event_id}`, { headers: AUTH_HEADER });
      return state.status === 200
        ? (((await state.json()) as ChargeRecord).payment_intent_id ?? undefined)
        : undefined;
    }, `PaymentIntent of ${charge.event_id}`);

    const event = paymentIntentEvent({
      type: outcome.webhookType,
      eventId: charge.event_id,
      orderId: charge.order_id,
      paymentIntentId,
      status: outcome.paymentIntentStatus,
    });
    const hook = await fetch(`${service.url}/stripe/webhook`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'stripe-signature': signatureFor(event, TEST_WEBHOOK_SECRET),
      },
      body: event,
    });
    assert.equal(hook.status, 200);

    const workflowId = chargeWorkflowId(charge.event_id);
    const final = await temporal.workflow.getHandle<typeof ChargeWorkflow>(workflowId).result();
    assert.equal(final.status, outcome.name);
    return { orderId: charge.order_id, workflowId };
  }

  const dataRows = (page: Page): Locator => page.getByRole('row').filter({ has: page.getByRole('cell') });

  /** Adds the ChargeStatus column next to Type, as an operator would (kept in the profile's storage). */
  async function showChargeStatusColumn(page: Page): Promise<void> {
    // The table's columns render together (from the profile's storage): once one is there, all are.
    await page.getByRole('columnheader', { name: 'Workflow ID', exact: true }).waitFor();
    if (await page.getByRole('columnheader', { name: 'ChargeStatus', exact: true }).isVisible()) return;
    await page.getByRole('button', { name: 'Configure Columns' }).click();
    await page.getByRole('button', { name: 'Add ChargeStatus column' }).click();
    await page.getByRole('button', { name: 'Remove Run ID column' }).click();
    for (const _ of ['after End', 'after Start', 'after Type']) {
      await page.getByRole('button', { name: 'Move ChargeStatus column up' }).click();
    }
    await page.getByRole('button', { name: 'Close Workflows Table configuration' }).click();
    await page.getByRole('heading', { name: 'Configure Workflows Table' }).waitFor({ state: 'hidden' });
    await page.getByRole('columnheader', { name: 'ChargeStatus', exact: true }).waitFor();
  }

  /**
   * Opens the namespace's workflow list with `query` in the URL (as the search box writes it) and
   * searches again until the workflow is listed with the expected ChargeStatus.
   */
  async function searchUntilListed(
    page: Page,
    query: string,
    workflowId: string,
    chargeStatus: string,
  ): Promise<Locator> {
    const url = `${stack.temporalUiUrl}/namespaces/${NAMESPACE}/workflows?query=${encodeURIComponent(query)}`;
    await page.goto(url);
    await showChargeStatusColumn(page);
    const row = dataRows(page).filter({ has: page.getByRole('link', { name: workflowId, exact: true }) });
    const deadline = Date.now() + SEARCH_TIMEOUT_MS;
    for (;;) {
      try {
        await row
          .getByRole('cell', { name: chargeStatus, exact: true })
          .waitFor({ timeout: LOOK_TIMEOUT_MS });
        return row;
      } catch (err) {
        if (Date.now() > deadline) {
          throw new Error(
            `the UI did not list ${workflowId} with ChargeStatus ${chargeStatus} within ${SEARCH_TIMEOUT_MS} ms`,
            { cause: err },
          );
        }
        await page.reload();
      }
    }
  }

  /** The value shown next to `label` in an event history row's details (e.g. "Summary"). */
  function eventDetail(row: Locator, label: string): Promise<string> {
    return row.locator(`div:has(> p:text-is("${label}")) > span`).innerText();
  }

  /** The text of the row's cell under the column headed `name`. */
  async function cellUnder(page: Page, row: Locator, name: string): Promise<string> {
    const headers = await page
      .getByRole('row')
      .filter({ has: page.getByRole('columnheader') })
      .getByRole('columnheader')
      .allInnerTexts();
    const index = headers.map((h) => h.trim()).indexOf(name);
    assert.ok(index >= 0, `a "${name}" column among ${JSON.stringify(headers)}`);
    return (await row.getByRole('cell').nth(index).innerText()).trim();
  }

  it("shows a waiting charge's current details: its status, its PaymentIntent and what it waits for", async (t) => {
    const id = randomUUID();
    const charge = { event_id: `evt-ui-${id}`, order_id: `order-ui-${id}`, amount: 1500, currency: 'usd' };
    const res = await fetch(`${service.url}/charge`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', prefer: 'wait=5', ...AUTH_HEADER },
      body: JSON.stringify(charge),
    });
    assert.equal(res.status, 201, await res.clone().text());
    const paymentIntentId = String(((await res.json()) as ChargeRecord).payment_intent_id);
    const workflowId = chargeWorkflowId(charge.event_id);
    const { page } = browser;
    const currentDetails = page.locator('iframe#user-metadata-current-details').contentFrame();
    try {
      await page.goto(`${stack.temporalUiUrl}/namespaces/${NAMESPACE}/workflows/${workflowId}`);
      await page.getByRole('heading', { name: workflowId }).waitFor();
      await page.getByRole('tab', { name: 'User Metadata' }).click();
      await page.getByRole('heading', { name: 'Current Details', exact: true }).waitFor();
      for (const line of [
        'Status: pending',
        `PaymentIntent: ${paymentIntentId}`,
        /^Waiting for: the customer to pay in the storefront/,
        /^Next: asks Stripe at \d{4}-\d\d-\d\dT/,
      ]) {
        await currentDetails.getByRole('listitem').filter({ hasText: line }).waitFor();
      }
      t.diagnostic(`screenshot ${await browser.screenshot('temporal-ui-waiting-current-details')}`);

      // The bank asks the customer to authenticate: the details say so after a reload.
      const event = paymentIntentEvent({
        type: 'payment_intent.requires_action',
        eventId: charge.event_id,
        orderId: charge.order_id,
        paymentIntentId,
        status: 'requires_action',
      });
      const hook = await fetch(`${service.url}/stripe/webhook`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'stripe-signature': signatureFor(event, TEST_WEBHOOK_SECRET),
        },
        body: event,
      });
      assert.equal(hook.status, 200);
      await waitUntil(async () => {
        await page.reload();
        await page.getByRole('tab', { name: 'User Metadata' }).click();
        const status = currentDetails.getByRole('listitem').filter({ hasText: 'Status: requires_action' });
        return status.waitFor({ timeout: LOOK_TIMEOUT_MS }).then(
          () => true,
          () => false,
        );
      }, 'the current details to show requires_action');
      await currentDetails
        .getByRole('listitem')
        .filter({ hasText: /^Waiting for: the customer to complete the authentication/ })
        .waitFor();
      await currentDetails
        .getByRole('listitem')
        .filter({ hasText: /^Next: .*canceled at / })
        .waitFor();
      t.diagnostic(`screenshot ${await browser.screenshot('temporal-ui-requires-action-current-details')}`);
    } finally {
      await temporal.workflow.getHandle(workflowId).terminate('test over');
    }
  });

  for (const outcome of OUTCOMES) {
    it(`finds a ${outcome.name} charge by OrderId: one ChargeWorkflow, ChargeStatus ${outcome.name}, its summary, its activities' summaries`, async (t) => {
      const { orderId, workflowId } = await runCharge(outcome);
      const { page } = browser;
      const decodes: number[] = [];
      const codecAnswers = (response: Response) => {
        if (response.url().startsWith(stack.codecServerUrl)) decodes.push(response.status());
      };
      page.on('response', codecAnswers);
      t.after(() => page.off('response', codecAnswers));

      // What the page is given: the workflow's input as Temporal holds it, encrypted.
      const api = await fetch(
        `${stack.temporalUiUrl}/api/v1/namespaces/${NAMESPACE}/workflows/${workflowId}/history?maximumPageSize=1`,
      );
      assert.equal(api.status, 200);
      const given = (await api.json()) as {
        history: {
          events: Array<{
            workflowExecutionStartedEventAttributes: {
              input: { payloads: Array<{ metadata: Record<string, string>; data: string }> };
            };
          }>;
        };
      };
      const input = given.history.events[0]?.workflowExecutionStartedEventAttributes.input.payloads[0];
      const text = (base64: string | undefined) => Buffer.from(base64 ?? '', 'base64').toString('utf8');
      assert.equal(text(input?.metadata['encoding']), 'binary/encrypted');
      assert.ok(!text(input?.data).includes(orderId), 'no order id in the input Temporal hands the page');
      const shot = async (view: string) =>
        t.diagnostic(`screenshot ${await browser.screenshot(`temporal-ui-${outcome.name}-${view}`)}`);

      // The list, searched as an operator would.
      const row = await searchUntilListed(page, `OrderId="${orderId}"`, workflowId, outcome.name);
      assert.equal(await dataRows(page).count(), 1, 'exactly one workflow for the order');
      assert.equal(await cellUnder(page, row, 'Type'), 'ChargeWorkflow');
      assert.equal(await cellUnder(page, row, 'Workflow ID'), workflowId);
      assert.equal(await cellUnder(page, row, 'ChargeStatus'), outcome.name);
      assert.equal(await cellUnder(page, row, 'Status'), 'COMPLETED');
      await shot('list');

      // Its detail page: the summary, then the search attributes.
      await row.getByRole('link', { name: workflowId, exact: true }).click();
      await page.getByRole('heading', { name: workflowId }).waitFor();
      await page.getByRole('link', { name: 'ChargeWorkflow', exact: true }).waitFor();
      await page.getByRole('tab', { name: 'User Metadata' }).click();
      // The UI renders the summary (markdown) in its own frame, under the "Summary" heading.
      await page.getByRole('heading', { name: 'Summary', exact: true }).waitFor();
      await page
        .locator('iframe#user-metadata-summary')
        .contentFrame()
        .getByText(`Charge 15.00 USD for order ${orderId}`, { exact: true })
        .waitFor();
      await shot('summary');

      await page.getByRole('tab', { name: 'Search Attributes' }).click();
      await page.getByRole('heading', { name: 'Search Attributes', exact: true }).waitFor();
      for (const line of [
        `"ChargeStatus": "${outcome.name}"`,
        `"OrderId": "${orderId}"`,
        '"AmountMinor": 1500',
        '"Currency": "usd"',
      ]) {
        await page.getByText(line).waitFor();
      }
      await shot('search-attributes');

      // Its event history: the charge's input and result, decoded by the codec server (Temporal
      // holds them encrypted), and every activity the charge scheduled, each with its summary.
      await page.getByRole('tab', { name: /^Event History/ }).click();
      for (const line of [`"order_id": "${orderId}"`, '"amount": 1500', `"status": "${outcome.name}"`]) {
        await page.getByText(line).first().waitFor();
      }
      assert.ok(decodes.length > 0, 'the page asked the codec server');
      assert.deepEqual(
        decodes.filter((status) => status !== 200),
        [],
        'and it answered every request',
      );
      const scheduled = page.getByTestId('event-summary-row').filter({ hasText: 'Activity Task Scheduled' });
      const expected = Object.entries(outcome.activitySummaries);
      await scheduled.nth(expected.length - 1).waitFor();
      const shown: Array<[string, string]> = [];
      for (const row of await scheduled.all()) {
        shown.push([await eventDetail(row, 'Activity Type'), await eventDetail(row, 'Summary')]);
      }
      assert.deepEqual(Object.fromEntries(shown), outcome.activitySummaries);
      assert.equal(shown.length, expected.length, 'each activity scheduled once');
      // The history scrolls inside its own pane: a tall window shows its rows in the screenshot.
      const viewport = page.viewportSize();
      await page.setViewportSize({ width: viewport?.width ?? 1600, height: 2400 });
      await scheduled.first().waitFor();
      await shot('event-history');
      if (viewport) await page.setViewportSize(viewport);
    });
  }
});
