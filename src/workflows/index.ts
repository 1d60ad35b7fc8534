// What the worker bundles: workflow functions only.
export { ChargeWorkflow } from './charge';
export { RefundsWorkflow } from './refunds';
export { LateOutcomeWorkflow } from './late-outcome';
export { DisputeWorkflow } from './dispute';
