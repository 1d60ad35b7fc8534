/**
 * Ceiling workflows, bundled on their own (bundleWorkflowCode) and run by the bench worker with the
 * real worker's options: what Temporal costs before any payments logic.
 */
import { proxyActivities } from '@temporalio/workflow';

export interface BenchActivities {
  noopActivity(): Promise<void>;
}

const { noopActivity } = proxyActivities<BenchActivities>({ startToCloseTimeout: '30 seconds' });

/** Starts and returns: one workflow task. */
export async function BareWorkflow(): Promise<void> {}

/** One activity that does nothing: two workflow tasks and one activity task. */
export async function NoopActivityWorkflow(): Promise<void> {
  await noopActivity();
}
