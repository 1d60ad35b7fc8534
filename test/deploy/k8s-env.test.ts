/**
 * The environment each Deployment of the service really gets (literal env, the ConfigMap through
 * envFrom, Secret keys: from the kind overlay's Secrets, from the production ExternalSecrets'
 * targets) uses only variables src/config.ts reads, provides every variable its mode requires, and
 * is accepted by loadConfig itself.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FRONT_ROLE_NODE_OPTIONS } from '../../bench/service';
import { ConfigError, loadConfig } from '../../src/config';
import {
  DEPLOYABLE_VARIABLE_NAMES,
  K8S_TARGETS,
  ROLES,
  renderK8s,
  requiredVariables,
  serviceDeployments,
  serviceEnv,
  type Role,
} from './support';

// What the brief of each mode says, checked against CONFIG_VARIABLES' own "(required …)" defaults.
const REQUIRED: Record<Role, string[]> = {
  gateway: ['PAYMENTS_MODE', 'STRIPE_KEY', 'CHARGE_API_TOKEN', 'PAYMENTS_CODEC_KEYS'],
  'webhook-receiver': ['PAYMENTS_MODE', 'STRIPE_KEY', 'STRIPE_WEBHOOK_SECRET', 'PAYMENTS_CODEC_KEYS'],
  worker: ['PAYMENTS_MODE', 'STRIPE_KEY', 'PAYMENTS_CODEC_KEYS'],
  'codec-server': ['PAYMENTS_MODE', 'PAYMENTS_CODEC_KEYS', 'CODEC_SERVER_TOKEN'],
};

describe('k8s environment of the service', () => {
  it('knows the variables each mode requires (from CONFIG_VARIABLES)', () => {
    for (const role of ROLES)
      assert.deepEqual(requiredVariables(role).sort(), [...REQUIRED[role]].sort(), role);
  });

  for (const target of K8S_TARGETS) {
    describe(target, () => {
      const objects = renderK8s(target);
      for (const { role, deployment } of serviceDeployments(objects)) {
        it(`${role}: sets only CONFIG_VARIABLES (and NODE_OPTIONS), all that its mode requires, and loadConfig accepts them`, () => {
          const { env, problems } = serviceEnv(target, objects, deployment);
          assert.deepEqual(problems, []);
          const unknown = Object.keys(env).filter((name) => !DEPLOYABLE_VARIABLE_NAMES.has(name));
          assert.deepEqual(unknown, [], 'variables src/config.ts does not read');
          assert.equal(
            env['NODE_OPTIONS'],
            role === 'worker' ? undefined : FRONT_ROLE_NODE_OPTIONS,
            'as the bench runs it',
          );
          const missing = REQUIRED[role].filter((name) => env[name] === undefined);
          assert.deepEqual(missing, [], `required in mode ${role}`);
          try {
            const config = loadConfig(env);
            assert.equal(config.mode, role);
          } catch (err) {
            if (err instanceof ConfigError) assert.fail(`loadConfig: ${err.message}`);
            throw err;
          }
        });
      }
    });
  }
});
