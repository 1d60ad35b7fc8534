/**
 * What every role is handed and what it hands back. service.ts builds the shared parts once per
 * process, whatever the mode, and starts each role of the mode with them; a role builds only what is
 * its own (the gateway's dedupe watch, the worker's producer and Temporal worker).
 */
import type { Client, Connection } from '@temporalio/client';
import type { AppDeps } from '../api/app';
import type { ChargeWorkflows } from '../api/temporal/charge-workflows';
import type { DisputeWorkflows } from '../api/temporal/dispute-workflows';
import type { Config } from '../config';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import type { Tracing } from '../observability/tracing';
import type { ReadinessCheck } from '../observability/readiness';
import type { StripeClient } from '../stripe/client';
import type { AdjustablePacer } from '../stripe/pacer';

export interface SharedParts {
  readonly config: Config;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** The process's tracer and where the worker's workflow spans go (exporting only when configured). */
  readonly tracing: Tracing;
  /** The process's one Stripe client; a call that must give up sooner passes its own timeout. */
  readonly stripe: StripeClient;
  /** Where that client's requests wait their slot; the worker sets it to its share of the fleet's rate. */
  readonly stripePacer: AdjustablePacer;
  /**
   * The process's one Temporal client connection (lazy: it dials on first use) and the API's port
   * to Temporal over it, made when a role first asks. The worker polls over a connection of its own
   * (the SDK's native one) and never asks, so a worker-only process makes none.
   */
  temporal(): SharedTemporal;
}

export interface SharedTemporal {
  readonly connection: Connection;
  /** For what the ports below do not cover: the gateway's dispute counts in visibility. */
  readonly client: Client;
  readonly charges: ChargeWorkflows;
  readonly disputes: DisputeWorkflows;
  /** Whether Temporal answers on that connection: one check, however many roles share it. */
  readonly readiness: ReadinessCheck;
}

/** What a started role adds to its process. */
export interface StartedRole {
  /** What /readyz checks for this role (a check shared by roles is listed once). */
  readonly readiness: readonly ReadinessCheck[];
  /** What the role serves on the process's one HTTP port, as buildApp takes it. */
  readonly http: Pick<AppDeps, 'gateway' | 'webhook' | 'extraMetrics' | 'codecServer' | 'beforeScrape'>;
  /** Stops what the role started. Called once the HTTP server has closed, roles in reverse order. */
  stop(): Promise<void>;
}

/** Each module of src/roles/ exports one: starts its role from the shared parts. */
export type StartRole = (shared: SharedParts) => Promise<StartedRole>;
