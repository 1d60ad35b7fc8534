/** A recorded event in Stripe's webhook envelope, as one endpoint receives it. */
import type { EventRecord, WebhookEndpointRecord } from '../state/model';

export function eventEnvelope(
  event: EventRecord,
  endpoint: Pick<WebhookEndpointRecord, 'api_version'>,
  pendingWebhooks: number,
): Record<string, unknown> {
  return {
    id: event.id,
    object: 'event',
    api_version: endpoint.api_version,
    created: event.created,
    data: { object: event.object },
    livemode: false,
    pending_webhooks: pendingWebhooks,
    request: event.request,
    type: event.type,
  };
}

/** Whether an endpoint listens to an event type (`*` for all, as Stripe's enabled_events). */
export function listensTo(endpoint: Pick<WebhookEndpointRecord, 'enabled_events'>, type: string): boolean {
  return endpoint.enabled_events.includes('*') || endpoint.enabled_events.includes(type);
}
