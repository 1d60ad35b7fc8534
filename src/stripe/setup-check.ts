/**
 * `npm run stripe:check`: what a developer gets wrong before a first charge against Stripe — a live
 * key on a laptop, the local placeholders against real Stripe, a webhook secret that is not the one
 * `stripe listen` printed, an API version the SDK was not built for — said in one pass, before the
 * service starts. The offline checks read the configuration; the online one asks Stripe (or the
 * local stand-in) whether the key works and in which mode.
 */
import Stripe from 'stripe';
import { isLiveKey, type Config } from '../config';
import { STRIPE_API_VERSION } from './client';

export interface SetupFinding {
  readonly ok: boolean;
  /** A warning: worth knowing, not a reason to stop. */
  readonly warning?: boolean;
  readonly what: string;
}

/** The shape of the signing secrets Stripe (the Dashboard, `stripe listen`) hands out. */
const STRIPE_ISSUED_SECRET = /^whsec_[A-Za-z0-9]{24,}$/;

export function checkStripeSetup(
  stripe: Pick<Config['stripe'], 'key' | 'apiBase' | 'webhookSecrets' | 'maxRequestsPerSecond'>,
  options: {
    readonly allowLive?: boolean;
    readonly sdkApiVersion?: string;
    /**
     * The local development key (scripts/dev.env's STRIPE_KEY), which only works against the stand-in.
     * Handed in by the caller, so that no copy of it is compiled into the image.
     */
    readonly localPlaceholderKey?: string;
  } = {},
): SetupFinding[] {
  const findings: SetupFinding[] = [];
  const realStripe = stripe.apiBase === undefined;
  const live = isLiveKey(stripe.key);
  const restricted = stripe.key.startsWith('rk_');

  findings.push({
    ok: true,
    what: realStripe
      ? "target: Stripe's API (api.stripe.com)"
      : `target: ${stripe.apiBase?.protocol}://${stripe.apiBase?.host}:${stripe.apiBase?.port} (a local emulator, STRIPE_API_BASE)`,
  });

  if (live) {
    findings.push({
      ok: options.allowLive === true,
      what: 'key mode: LIVE (sk_live_/rk_live_): every charge moves real money; use a test key (sk_test_…) to develop',
    });
  } else if (realStripe && stripe.key === options.localPlaceholderKey) {
    findings.push({
      ok: false,
      what: `key mode: test, but STRIPE_KEY is the local placeholder of scripts/dev.env: set it to your account's test key`,
    });
  } else {
    findings.push({
      ok: true,
      what: `key mode: test (${restricted ? 'restricted key rk_test_…' : 'secret key sk_test_…'})`,
    });
  }
  if (restricted) {
    findings.push({
      ok: true,
      warning: true,
      what: 'restricted key: it needs write access to PaymentIntents and Refunds, and read access to search',
    });
  }

  if (stripe.webhookSecrets.length === 0) {
    findings.push({
      ok: false,
      what: 'webhook secret: none (STRIPE_WEBHOOK_SECRET): the webhook receiver would refuse every event',
    });
  }
  for (const [index, secret] of stripe.webhookSecrets.entries()) {
    const which = stripe.webhookSecrets.length > 1 ? `webhook secret #${index + 1}` : 'webhook secret';
    if (!secret.startsWith('whsec_')) {
      findings.push({ ok: false, what: `${which}: does not start with whsec_ (value not shown)` });
    } else if (realStripe && !STRIPE_ISSUED_SECRET.test(secret)) {
      findings.push({
        ok: false,
        what:
          `${which}: not shaped like one Stripe issues (whsec_ and 24 or more letters and digits): use the one ` +
          '`stripe listen --forward-to …` prints, or the endpoint’s from the Dashboard (value not shown)',
      });
    } else {
      findings.push({ ok: true, what: `${which}: whsec_… format` });
    }
  }

  const sdkVersion = options.sdkApiVersion ?? Stripe.API_VERSION;
  findings.push(
    STRIPE_API_VERSION === sdkVersion
      ? {
          ok: true,
          what: `API version: pinned to ${STRIPE_API_VERSION}, the version stripe-node ${Stripe.PACKAGE_VERSION} is built for`,
        }
      : {
          ok: false,
          what: `API version: pinned to ${STRIPE_API_VERSION} but stripe-node ${Stripe.PACKAGE_VERSION} is built for ${sdkVersion}: update src/stripe/client.ts with the SDK`,
        },
  );

  const limit = live ? 100 : 25;
  findings.push({
    ok: stripe.maxRequestsPerSecond <= limit,
    ...(stripe.maxRequestsPerSecond <= limit ? {} : { warning: true }),
    what: `rate: at most ${stripe.maxRequestsPerSecond} Stripe calls/s from all workers (Stripe allows ${limit}/s in ${live ? 'live' : 'test'} mode)`,
  });
  return findings;
}

/** Asks the target whether the key works and in which mode (GET /v1/balance: any key may read it). */
export async function checkStripeOnline(stripe: Stripe, key: string): Promise<SetupFinding[]> {
  try {
    const balance = await stripe.balance.retrieve();
    const live = isLiveKey(key);
    return [
      balance.livemode === live
        ? { ok: true, what: `online: the key works (${balance.livemode ? 'live' : 'test'} mode)` }
        : {
            ok: false,
            what: `online: the key's mode (${live ? 'live' : 'test'}) is not the account's answer's`,
          },
    ];
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const status = err instanceof Stripe.errors.StripeError ? ` (HTTP ${err.statusCode ?? 'no answer'})` : '';
    return [{ ok: false, what: `online: the target refused or did not answer${status}: ${message}` }];
  }
}
