/**
 * The Temporal search attributes and Kafka topics that docker-compose and the kind overlay create
 * are the same ones the local dev stack creates (scripts/stack/lib.sh), and cover what the code
 * uses: the workflow's search-attribute keys and the topic table (src/contracts/topics.ts).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { CONFIG_VARIABLES, loadConfig } from '../../src/config';
import { TOPIC_KEYS, TOPICS as TOPIC_TABLE } from '../../src/contracts/topics';
import { CHARGE_SEARCH_ATTRIBUTES } from '../../src/workflows/messages';
import { REPO_ROOT } from '../support/repo';
import { objectsOfKind, renderK8s, type Workload } from './support';
import { LOCAL_CODEC_KEYS } from '../support/codec';

const SEARCH_ATTRIBUTES = [
  'OrderId=Keyword',
  'EventId=Keyword',
  'ChargeStatus=Keyword',
  'PaymentIntentId=Keyword',
  'AmountMinor=Int',
  'Currency=Keyword',
  'RefundedMinor=Int',
  'ChargeFailureCode=Keyword',
  'DisputeStatus=Keyword',
  'DisputeEvidenceDueBy=Datetime',
  'AuthorizationExpiresAt=Datetime',
];
/** From the one topic table: a topic added there fails each list below until that list has it. */
const TOPICS = TOPIC_KEYS.map((key) => TOPIC_TABLE[key].default);

const read = (file: string) => fs.readFileSync(path.join(REPO_ROOT, file), 'utf8');
const words = (s: string | undefined) => (s ?? '').trim().split(/\s+/).filter(Boolean);
const sorted = (list: Iterable<string>) => [...list].sort();

function kindWorkload(name: string): Workload {
  const found = [
    ...objectsOfKind<Workload>(renderK8s('overlays/kind'), 'Deployment'),
    ...objectsOfKind<Workload>(renderK8s('overlays/kind'), 'Job'),
  ].find((w) => w.metadata.name === name);
  assert.ok(found, name);
  return found;
}

/** SDK type names (KEYWORD, INT, KEYWORD_LIST) as the CLI spells them (Keyword, Int, KeywordList). */
const cliType = (sdkType: string) =>
  sdkType
    .toLowerCase()
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');

describe('search attributes and topics', () => {
  it('docker-compose registers the search attributes', () => {
    const line = /^SEARCH_ATTRIBUTES="([^"]*)"/m.exec(read('deploy/temporal/setup-namespace.sh'));
    assert.deepEqual(sorted(words(line?.[1])), sorted(SEARCH_ATTRIBUTES));
  });

  it('the kind Temporal dev server registers the search attributes', () => {
    const args = kindWorkload('temporal').spec.template.spec.containers[0]?.args ?? [];
    const registered = args.filter((_, i) => args[i - 1] === '--search-attribute');
    assert.deepEqual(sorted(registered), sorted(SEARCH_ATTRIBUTES));
  });

  it('the local dev stack registers the same search attributes', () => {
    const block = /STACK_TEMPORAL_SEARCH_ATTRIBUTES=\(([^)]*)\)/.exec(read('scripts/stack/lib.sh'));
    assert.deepEqual(sorted(words(block?.[1])), sorted(SEARCH_ATTRIBUTES));
  });

  it("covers every search-attribute key the workflow code defines, with the key's type", () => {
    for (const key of CHARGE_SEARCH_ATTRIBUTES) {
      assert.ok(SEARCH_ATTRIBUTES.includes(`${key.name}=${cliType(key.type)}`), key.name);
    }
  });

  it('docker-compose creates the topics with 3 partitions', () => {
    const script = read('deploy/kafka/create-topics.sh');
    assert.deepEqual(sorted(words(/^TOPICS=\(([^)]*)\)/m.exec(script)?.[1])), sorted(TOPICS));
    assert.match(script, /PARTITIONS="\$\{PARTITIONS:-3\}"/);
  });

  it('the kind topics Job creates the same topics with 3 partitions', () => {
    const container = kindWorkload('kafka-topics').spec.template.spec.containers[0];
    const topics = container?.env?.find((e) => e.name === 'TOPICS')?.value;
    assert.deepEqual(sorted(words(topics)), sorted(TOPICS));
    assert.match(container?.command?.join(' ') ?? '', /--partitions 3\b/);
  });

  it('the local dev stack creates the same topics', () => {
    const line = /STACK_KAFKA_TOPICS:-([^}]*)\}/.exec(read('scripts/stack/lib.sh'));
    assert.deepEqual(sorted(words(line?.[1])), sorted(TOPICS));
  });

  it('the configuration reads one variable per topic of the table, defaulting to its name', () => {
    const topicVariables = CONFIG_VARIABLES.filter((c) => c.name.endsWith('_TOPIC'));
    assert.deepEqual(
      topicVariables.map((v) => [v.name, v.default]),
      TOPIC_KEYS.map((key) => [TOPIC_TABLE[key].variable, TOPIC_TABLE[key].default]),
    );
  });

  it('every Temporal we set up takes update-with-start (POST /charge with Prefer: wait=N) and updates', () => {
    // Server 1.32 (all three) serves both with its defaults; they are pinned on anyway, as older
    // servers (from 1.24, where update-with-start arrived) had them off by default.
    const switches = [
      'frontend.enableExecuteMultiOperation',
      'frontend.enableUpdateWorkflowExecution',
    ] as const;
    const kindArgs = kindWorkload('temporal').spec.template.spec.containers[0]?.args ?? [];
    const kind = kindArgs.filter((_, i) => kindArgs[i - 1] === '--dynamic-config-value');
    const compose = read('docker-compose.yml');
    const composeFile = /DYNAMIC_CONFIG_FILE_PATH: config\/dynamicconfig\/(\S+)/.exec(compose)?.[1];
    assert.match(
      compose,
      new RegExp(`deploy/temporal/dynamicconfig.yaml:/etc/temporal/config/dynamicconfig/${composeFile}:ro`),
    );
    const dynamicConfig = read('deploy/temporal/dynamicconfig.yaml');
    const localStack = read('scripts/stack/up.sh');
    for (const name of switches) {
      assert.ok(kind.includes(`${name}=true`), `kind: ${name}`);
      assert.match(
        dynamicConfig,
        new RegExp(`^${name.replace(/\./g, '\\.')}:\n  - value: true$`, 'm'),
        `compose: ${name}`,
      );
      assert.match(
        localStack,
        new RegExp(`^\\s+${name.replace(/\./g, '\\.')}=true \\\\$`, 'm'),
        `local stack: ${name}`,
      );
    }
  });

  it('every Temporal we set up keeps closed workflows at least the default dedupe window', () => {
    const windowSeconds = loadConfig({
      PAYMENTS_MODE: 'worker',
      STRIPE_KEY: 'sk_test_window',
      PAYMENTS_CODEC_KEYS: LOCAL_CODEC_KEYS,
    }).dedupeWindowSeconds;
    const hours = (text: string | undefined) => Number(/^(\d+)h$/.exec(text ?? '')?.[1] ?? NaN);
    const job = kindWorkload('temporal-namespace-retention').spec.template.spec.containers[0];
    const jobArgs = job?.command ?? [];
    const retentions = {
      'kind Job': hours(jobArgs[jobArgs.indexOf('--retention') + 1]),
      'compose setup-namespace.sh': hours(
        /RETENTION="\$\{TEMPORAL_RETENTION:-(\w+)\}"/.exec(read('deploy/temporal/setup-namespace.sh'))?.[1],
      ),
      'local stack': hours(
        /STACK_TEMPORAL_RETENTION="\$\{STACK_TEMPORAL_RETENTION:-(\w+)\}"/.exec(
          read('scripts/stack/lib.sh'),
        )?.[1],
      ),
    };
    for (const [where, h] of Object.entries(retentions)) {
      assert.ok(h * 3600 >= windowSeconds, `${where}: ${h} h < window ${windowSeconds} s`);
    }
  });
});
