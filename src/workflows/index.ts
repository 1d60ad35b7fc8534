// What the worker bundles: workflow functions only.
export { ChargeWorkflow } from './charge';
