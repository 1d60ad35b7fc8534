/** The API endpoints the stand-in answers from its state; others get stripe-mock's fixture, marked. */
import type { ApiHandler, ApiRoute } from './context';
import { PAYMENT_INTENT_ROUTES } from './payment-intents';
import { READ_ROUTES } from './reads';
import { REFUND_ROUTES } from './refunds';

const ROUTES: readonly ApiRoute[] = [...PAYMENT_INTENT_ROUTES, ...REFUND_ROUTES, ...READ_ROUTES];

export function findApiRoute(
  method: string,
  path: string,
): { handler: ApiHandler; ids: string[] } | undefined {
  for (const route of ROUTES) {
    if (route.method !== method) continue;
    const match = route.path.exec(path);
    if (match) return { handler: route.handler, ids: match.slice(1) };
  }
  return undefined;
}
