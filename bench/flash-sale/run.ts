/**
 * The flash sale: the same sale (N charges at a rate above Stripe's limit) through the durable path
 * and then the direct one, Stripe's limit emulated by the bench's Stripe stand-in. Writes the results JSON
 * (bench/results/flash-sale.json) and its chart next to it, and prints a table.
 */
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../test/support/repo';
import { writeChart } from '../charts/render';
import type { BenchContext } from '../context';
import { ChargeDriver } from '../full-path/driver';
import { terminateLeftovers } from '../full-path/leftovers';
import { log } from '../lifecycle';
import type { ServiceProcesses } from '../service';
import type { PathFigures } from './figures';
import { flashSaleChart, flashSaleResults, formatFlashTable, workerStripeRate } from './results';
import { runDirectSale, runDurableSale, type SaleParams } from './sale';
import { gatewayStripeCounters, Storefront, type StorefrontFigures } from './storefront';

export async function runFlashSale(ctx: BenchContext, service: ServiceProcesses): Promise<boolean> {
  const options = ctx.options.flashSale;
  const proxy = ctx.proxy;
  if (options === null || proxy === null) throw new Error('runFlashSale: no flash sale in this run');
  const startedAt = new Date();
  const problems: string[] = [...ctx.problems];
  const params: SaleParams = {
    charges: options.charges,
    ratePerS: options.ratePerS,
    stripeLimitPerS: options.stripeLimitPerS,
    drainSeconds: options.drainSeconds,
  };
  const sale = `${options.charges} charges at ${options.ratePerS}/s against Stripe's limit of ${options.stripeLimitPerS}/s`;

  log(`flash sale, durable path: ${sale}, the worker's Stripe queue at ${workerStripeRate(options)}/s`);
  const driver = new ChargeDriver({
    http: ctx.http,
    gatewayUrl: service.gateway.url,
    webhookUrl: service.webhook.url,
    piLookup: 'proxy', // the bench's Stripe stand-in tells it every PaymentIntent it creates
    paymentIntents: ctx.paymentIntents,
    completions: ctx.completions,
  });
  const storefront =
    options.pollStorefrontMs === null
      ? undefined
      : new Storefront(ctx.http, service.gateway.url, options.pollStorefrontMs);
  if (storefront)
    log(`a storefront polls GET /charges/:event_id every ${storefront.intervalMs} ms per charge`);
  const gatewayBefore = storefront && (await gatewayStripeCounters(ctx.http, service.gateway.url));
  const durable = await runDurableSale({
    params,
    prefix: `${ctx.prefix}flash-durable-`,
    proxy,
    sampler: ctx.sampler,
    driver,
    storefront,
  });
  logPath(durable.figures);
  let storefrontFigures: StorefrontFigures | null = null;
  if (storefront) {
    const after = await gatewayStripeCounters(ctx.http, service.gateway.url);
    storefrontFigures = storefront.figures({ before: gatewayBefore, after });
    if (storefrontFigures.gateway_stripe_requests === null)
      problems.push("storefront: the gateway's /metrics could not be read");
    logStorefront(storefrontFigures);
  }
  ctx.children.assertHealthy();

  log(`flash sale, direct path: ${sale}`);
  const direct = await runDirectSale({
    params,
    prefix: `${ctx.prefix}flash-direct-`,
    proxy,
    sampler: ctx.sampler,
    http: ctx.http,
    directUrl: ctx.targets.httpUrl,
    completions: ctx.completions,
  });
  logPath(direct.figures);
  ctx.children.assertHealthy();

  if (durable.unfinished.length > 0) {
    try {
      const n = await terminateLeftovers(ctx.targets.temporal, durable.unfinished);
      log(`terminated ${n} workflows of charges that did not complete`);
    } catch (err) {
      log(`could not terminate unfinished charges: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  const out = path.resolve(REPO_ROOT, options.out);
  const chart = options.out.replace(/(\.json)?$/, '.svg');
  const base = {
    runId: ctx.runId,
    smoke: ctx.options.smoke,
    options,
    startedAt,
    durable: durable.figures,
    direct: direct.figures,
    storefront: storefrontFigures,
    machine: ctx.machine,
  };
  let results = flashSaleResults({ ...base, problems, chart });
  try {
    await writeChart(path.resolve(REPO_ROOT, chart), flashSaleChart(results));
  } catch (err) {
    const problem = `flash sale chart: ${err instanceof Error ? err.message : String(err)}`;
    log(problem);
    results = flashSaleResults({ ...base, problems: [...problems, problem], chart: null });
  }
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`${formatFlashTable(results)}\n`);
  return results.ok;
}

function logStorefront(f: StorefrontFigures): void {
  log(
    `flash sale, storefront: ${f.charges_polled} charges polled with ${f.gets} GETs, client_secret shown for ` +
      `${f.secret_shown}, ended first ${f.ended_first}, gave up ${f.gave_up}; the gateway's Stripe requests: ` +
      `${f.gateway_stripe_requests ?? 'unread'}`,
  );
}

function logPath(f: PathFigures): void {
  log(
    `flash sale, ${f.path} path: ${f.accepted}/${f.sent} accepted, ${f.completed} completed, ${f.lost} lost, ` +
      `${f.stripe.requests} Stripe requests (${f.stripe.rate_limited_429} × 429), POST p99 ${f.post_ms.p99} ms, ` +
      `drained ${f.drained ? `${f.time_to_drain_s} s after the last arrival` : 'never'}`,
  );
}
